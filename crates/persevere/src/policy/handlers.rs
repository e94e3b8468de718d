//! The handlers of a policy: several per event, run in the order they were added.

use crate::Details;
use std::sync::Arc;

/// One handler, shared between clones of the policy.
pub(crate) type Handler<T, E> = Arc<dyn Fn(&Details<'_, T, E>) + Send + Sync>;

pub(crate) struct Handlers<T, E> {
    pub(crate) backoff: Vec<Handler<T, E>>,
    pub(crate) giveup: Vec<Handler<T, E>>,
    pub(crate) success: Vec<Handler<T, E>>,
}

impl<T, E> Handlers<T, E> {
    #[inline]
    pub(crate) fn is_empty(&self) -> bool {
        self.backoff.is_empty() && self.giveup.is_empty() && self.success.is_empty()
    }
}

/// Runs every handler of one event, in order. A panicking handler propagates (Python lets
/// handler exceptions escape) and no further attempt is made.
pub(crate) fn run<T, E>(handlers: &[Handler<T, E>], details: &Details<'_, T, E>) {
    for handler in handlers {
        handler(details);
    }
}

impl<T, E> Default for Handlers<T, E> {
    fn default() -> Self {
        Handlers {
            backoff: Vec::new(),
            giveup: Vec::new(),
            success: Vec::new(),
        }
    }
}

impl<T, E> Clone for Handlers<T, E> {
    fn clone(&self) -> Self {
        Handlers {
            backoff: self.backoff.clone(),
            giveup: self.giveup.clone(),
            success: self.success.clone(),
        }
    }
}
