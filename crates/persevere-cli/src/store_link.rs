//! A shared store as one run holds it (the budget's and the breaker's): used while it works,
//! dropped for the rest of the run at its first failure, and the hand-over to the fallback
//! said once on stderr.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard};

pub struct StoreLink<S: ?Sized> {
    /// `None` once the store has failed (or could not be opened).
    store: Mutex<Option<Box<S>>>,
    /// What the store is, for the message (`budget store file:/run/...`).
    label: String,
    /// What decides once the store is gone, for the message.
    then: &'static str,
    quiet: bool,
    warned: AtomicBool,
}

impl<S: ?Sized> StoreLink<S> {
    /// The store as opened (`Err` says why it could not be, and is said at once).
    pub fn new(
        store: Result<Box<S>, String>,
        label: String,
        then: &'static str,
        quiet: bool,
    ) -> StoreLink<S> {
        let link = StoreLink {
            store: Mutex::new(None),
            label,
            then,
            quiet,
            warned: AtomicBool::new(false),
        };
        match store {
            Ok(store) => *link.lock() = Some(store),
            Err(why) => link.fall_back(&why),
        }
        link
    }

    fn lock(&self) -> MutexGuard<'_, Option<Box<S>>> {
        self.store.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Says once what decides from now on.
    fn fall_back(&self, why: &str) {
        if !self.quiet && !self.warned.swap(true, Ordering::AcqRel) {
            let _ = writeln!(
                std::io::stderr(),
                "persevere: {}: {why}; {}",
                self.label,
                self.then
            );
        }
    }

    /// Whether the store is still in use.
    #[cfg(test)]
    pub fn is_open(&self) -> bool {
        self.lock().is_some()
    }

    /// Runs `op` on the store, dropping the store (for the rest of the run) if it fails;
    /// `None` when there is no store (any more).
    pub fn with_store<T>(&self, op: impl FnOnce(&mut S) -> Result<T, String>) -> Option<T> {
        let mut guard = self.lock();
        let store = guard.as_mut()?;
        match op(store.as_mut()) {
            Ok(value) => Some(value),
            Err(why) => {
                *guard = None;
                drop(guard);
                self.fall_back(&why);
                None
            }
        }
    }
}
