use core::time::Duration;

/// A finite list of waits, one per retry; when it runs out, the call gives up (Python's
/// `backoff.constant` with an iterable `interval`).
///
/// Jitter: [`Jitter::Full`](crate::Jitter::Full) unless the policy says otherwise.
///
/// ```
/// use persevere::intervals;
/// use std::time::Duration;
///
/// let waits: Vec<Duration> = intervals([1, 2, 3].map(Duration::from_secs)).collect();
/// assert_eq!(waits, [1, 2, 3].map(Duration::from_secs));
/// ```
pub fn intervals<I>(waits: I) -> Intervals<I::IntoIter>
where
    I: IntoIterator<Item = Duration>,
    I::IntoIter: Clone,
{
    Intervals {
        waits: waits.into_iter(),
    }
}

/// The strategy made by [`intervals`].
#[derive(Debug, Clone)]
#[must_use]
pub struct Intervals<I> {
    waits: I,
}

impl<I: Iterator<Item = Duration>> Iterator for Intervals<I> {
    type Item = Duration;

    fn next(&mut self) -> Option<Duration> {
        self.waits.next()
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.waits.size_hint()
    }
}
