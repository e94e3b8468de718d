//! Reloading a policy file: its modification time (and length) polled, the file read again
//! when they change, and the policy replaced if the new file is valid; a bad file is said and
//! the current policy stays. No file-watching dependency: one `metadata` call per poll.

use persevere::config::{PolicySpec, ReloadablePolicy};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime};

/// The thread that watches a policy file; dropping it stops the thread.
pub struct Watcher {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

/// Reads `path` (TOML) every time its modification time or length changes, checked every
/// `every`, into `policy`. Errors (a bad value, a missing file) go to `report`, and the policy
/// in force stays. Replace the file whole (write a new one, rename it over the old): a file
/// read while it is being written could be a different, valid policy.
pub fn watch<P: Send + Sync + 'static>(
    path: PathBuf,
    policy: ReloadablePolicy<P>,
    every: Duration,
    report: impl Fn(String) + Send + 'static,
) -> Watcher {
    let stop = Arc::new(AtomicBool::new(false));
    let stopped = stop.clone();
    let stamp = |path: &PathBuf| -> Option<(SystemTime, u64)> {
        let meta = std::fs::metadata(path).ok()?;
        Some((meta.modified().ok()?, meta.len()))
    };
    let mut seen = stamp(&path);
    let thread = std::thread::spawn(move || {
        while !stopped.load(Ordering::Relaxed) {
            std::thread::sleep(every);
            let now = stamp(&path);
            if now == seen {
                continue;
            }
            seen = now;
            let read = std::fs::read_to_string(&path).map_err(|e| e.to_string());
            let spec =
                read.and_then(|text| PolicySpec::from_toml(&text).map_err(|e| e.to_string()));
            match spec.and_then(|spec| policy.replace(spec).map_err(|e| e.to_string())) {
                Ok(()) => report(format!("{}: policy reloaded", path.display())),
                Err(e) => report(format!(
                    "{}: {e}; the policy in force stays",
                    path.display()
                )),
            }
        }
    });
    Watcher {
        stop,
        thread: Some(thread),
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
