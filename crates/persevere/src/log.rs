//! Logging through `tracing`, with Python backoff's messages and levels plus structured fields.

use crate::GiveUpReason;
use std::fmt::Debug;
use std::time::Duration;
use tracing::Level;

/// What a policy logs, and at which levels.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LogLevels {
    pub(crate) backoff: Level,
    pub(crate) giveup: Level,
    pub(crate) enabled: bool,
}

impl Default for LogLevels {
    /// Python's defaults: backoffs at INFO, give-ups at ERROR.
    fn default() -> Self {
        LogLevels {
            backoff: Level::INFO,
            giveup: Level::ERROR,
            enabled: true,
        }
    }
}

// `tracing` needs the level as a constant at each call site, so a runtime level picks one of
// five call sites.
macro_rules! event_at {
    ($level:expr, $($rest:tt)+) => {
        match $level {
            Level::ERROR => tracing::event!(target: "persevere", Level::ERROR, $($rest)+),
            Level::WARN => tracing::event!(target: "persevere", Level::WARN, $($rest)+),
            Level::INFO => tracing::event!(target: "persevere", Level::INFO, $($rest)+),
            Level::DEBUG => tracing::event!(target: "persevere", Level::DEBUG, $($rest)+),
            Level::TRACE => tracing::event!(target: "persevere", Level::TRACE, $($rest)+),
        }
    };
}

/// Whether some subscriber may record events at `level`: one atomic load, and `false` when no
/// subscriber is installed. A cheap upper bound of `tracing::enabled!`, which also asks the
/// subscriber about the call site.
#[inline]
fn level_may_be_enabled(level: Level) -> bool {
    level <= tracing::level_filters::STATIC_MAX_LEVEL
        && level <= tracing::level_filters::LevelFilter::current()
}

impl LogLevels {
    /// Whether either event could be recorded now (then the call reads the clock at its start,
    /// so that the logged `elapsed` is right). Cheap: without a subscriber it is one load.
    #[inline]
    pub(crate) fn any_enabled(&self) -> bool {
        // The less verbose of the two levels is the one a filter lets through first.
        self.enabled && level_may_be_enabled(self.backoff.min(self.giveup))
    }

    /// Whether the backoff event may be recorded: check before naming the target.
    #[inline]
    pub(crate) fn backoff_enabled(&self) -> bool {
        self.enabled && level_may_be_enabled(self.backoff)
    }

    /// Whether the give-up event may be recorded.
    #[inline]
    pub(crate) fn giveup_enabled(&self) -> bool {
        self.enabled && level_may_be_enabled(self.giveup)
    }

    /// "Backing off f(...) for 0.4s (err)"
    #[cold]
    pub(crate) fn backoff(
        &self,
        target: &str,
        tries: u32,
        wait: Duration,
        elapsed: Duration,
        outcome: &dyn Debug,
    ) {
        event_at!(
            self.backoff,
            target = target,
            tries,
            wait = wait.as_secs_f64(),
            elapsed = elapsed.as_secs_f64(),
            "Backing off {}(...) for {:.1}s ({:?})",
            target,
            wait.as_secs_f64(),
            outcome
        );
    }

    /// "Giving up f(...) after 3 tries (err)"
    #[cold]
    pub(crate) fn giveup(
        &self,
        target: &str,
        tries: u32,
        elapsed: Duration,
        reason: GiveUpReason,
        outcome: &dyn Debug,
    ) {
        event_at!(
            self.giveup,
            target = target,
            tries,
            elapsed = elapsed.as_secs_f64(),
            reason = reason.as_str(),
            "Giving up {}(...) after {} tries ({:?})",
            target,
            tries,
            outcome
        );
    }
}

/// The name logged for an unnamed policy: the retried closure's path without its trailing
/// `::{{closure}}` segments (`app::fetch::{{closure}}` -> `app::fetch`).
pub(crate) fn operation_name(type_name: &str) -> &str {
    let mut name = type_name;
    while let Some(stripped) = name.strip_suffix("::{{closure}}") {
        name = stripped;
    }
    name
}

#[cfg(test)]
mod tests {
    use super::operation_name;

    #[test]
    fn closure_suffixes_are_trimmed() {
        assert_eq!(
            operation_name("app::fetch::{{closure}}::{{closure}}"),
            "app::fetch"
        );
        assert_eq!(operation_name("plain"), "plain");
    }
}
