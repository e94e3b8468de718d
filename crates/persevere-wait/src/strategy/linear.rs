use core::time::Duration;

/// Waits that grow by a fixed step: `start`, `start + step`, `start + 2 step`, ...
///
/// # Default
/// No `max_value` (the sum saturates at `Duration::MAX`). Jitter:
/// [`Jitter::Full`](crate::Jitter::Full).
///
/// ```
/// use persevere::linear;
/// use std::time::Duration;
///
/// let secs: Vec<u64> = linear(Duration::from_secs(1), Duration::from_secs(2))
///     .max_value(Duration::from_secs(9))
///     .take(7)
///     .map(|d| d.as_secs())
///     .collect();
/// assert_eq!(secs, [1, 3, 5, 7, 9, 9, 9]);
/// ```
pub fn linear(start: Duration, step: Duration) -> Linear {
    Linear {
        next: start,
        step,
        max_value: None,
    }
}

/// The strategy made by [`linear`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub struct Linear {
    next: Duration,
    step: Duration,
    max_value: Option<Duration>,
}

impl Linear {
    /// The cap: once reached, every later wait is `max_value`.
    pub fn max_value(mut self, max_value: Duration) -> Self {
        self.max_value = Some(max_value);
        self
    }
}

impl Iterator for Linear {
    type Item = Duration;

    fn next(&mut self) -> Option<Duration> {
        let value = self.next;
        if let Some(max) = self.max_value {
            if value >= max {
                return Some(max);
            }
        }
        self.next = value.saturating_add(self.step);
        Some(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saturates_at_duration_max() {
        let mut l = linear(
            Duration::MAX - Duration::from_secs(1),
            Duration::from_secs(1),
        );
        assert_eq!(l.nth(5).unwrap(), Duration::MAX);
    }
}
