//! `file:PATH`: a ratio budget's window in a small state file, shared by every persevere
//! process on the machine. Each operation locks the file (an advisory `flock`, released when
//! the file is closed, even if the process dies), reads it, applies the change with the
//! arithmetic of `RatioBudget` (and of persevere-redis's script), and writes it back.
//!
//! The file holds the slot length and the 10 slots of the window as text:
//!
//! ```text
//! persevere-budget 1 slot_ms=1000
//! 17649003 2400
//! ...
//! ```
//!
//! Each slot line is its period (milliseconds since the epoch / slot_ms) and its count in
//! thousandths of a retry. A file that cannot be read as such (written by a process killed
//! mid-write) counts as empty: the budget starts afresh, the safe way round being impossible
//! to tell.

use super::WindowStore;
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const SLOTS: i64 = 10;
const HEADER: &str = "persevere-budget 1";

/// A ratio budget's window in a locked file.
pub struct FileStore {
    path: PathBuf,
    slot_ms: i64,
    /// The floor's min_per_sec * ttl, in units.
    reserve: i64,
}

/// The window as read from the file: (period, count) per slot.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Window {
    slots: [(i64, i64); SLOTS as usize],
}

impl FileStore {
    /// The store at `path` (created with its directory when missing) for a window of `ttl`
    /// and a floor of `min_per_sec`. Fails if the file cannot be opened and locked, or holds
    /// a window of another length.
    pub fn open(path: &Path, ttl: Duration, min_per_sec: u32) -> Result<FileStore, String> {
        let ttl_ms = ttl.as_millis() as i64;
        let store = FileStore {
            path: path.to_path_buf(),
            slot_ms: (ttl_ms / SLOTS).max(1),
            reserve: i64::from(min_per_sec) * ttl_ms,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            create_private_dir(dir)?;
        }
        store.change(0, 0)?;
        Ok(store)
    }

    fn now_period(&self) -> i64 {
        let now_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as i64);
        now_ms / self.slot_ms
    }

    /// Under the lock: adds `deposit`, then takes `want` if the balance holds it. Returns
    /// whether `want` was taken.
    fn change(&self, deposit: i64, want: i64) -> Result<bool, String> {
        let fail = |what: &str, e: std::io::Error| format!("{what} {}: {e}", self.path.display());
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&self.path)
            .map_err(|e| fail("cannot open", e))?;
        file.lock().map_err(|e| fail("cannot lock", e))?;
        let mut text = String::new();
        // Unreadable text counts as an empty window (see the module's documentation).
        let _ = file.read_to_string(&mut text);
        let period = self.now_period();
        let mut window = match parse(&text) {
            Some((slot_ms, _)) if slot_ms != self.slot_ms => {
                return Err(format!(
                    "{} holds a budget with a window of {} ms, not {} ms: give the same \
                     --budget-window or another --budget-name",
                    self.path.display(),
                    slot_ms * SLOTS,
                    self.slot_ms * SLOTS
                ));
            }
            Some((_, window)) => window,
            None => Window::empty(),
        };
        window.expire(period);
        window.add(period, deposit);
        let taken = want > 0 && self.reserve + window.sum() >= want;
        if taken {
            window.add(period, -want);
        }
        write(&mut file, &window.render(self.slot_ms)).map_err(|e| fail("cannot write", e))?;
        Ok(taken)
    }
}

impl WindowStore for FileStore {
    fn deposit(&mut self, units: u64) -> Result<(), String> {
        self.change(units as i64, 0).map(|_| ())
    }

    fn take(&mut self, units: u64) -> Result<bool, String> {
        self.change(0, units as i64)
    }
}

fn write(file: &mut File, text: &str) -> std::io::Result<()> {
    file.seek(SeekFrom::Start(0))?;
    file.set_len(0)?;
    file.write_all(text.as_bytes())
}

/// The directory, made readable by its owner only when persevere creates it.
fn create_private_dir(dir: &Path) -> Result<(), String> {
    use std::os::unix::fs::DirBuilderExt;
    match std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
    {
        Ok(()) => Ok(()),
        Err(e) => Err(format!("cannot create {}: {e}", dir.display())),
    }
}

fn parse(text: &str) -> Option<(i64, Window)> {
    let mut lines = text.lines();
    let header = lines.next()?;
    let slot_ms: i64 = header
        .strip_prefix(HEADER)?
        .trim()
        .strip_prefix("slot_ms=")?
        .parse()
        .ok()?;
    let mut window = Window::empty();
    for slot in &mut window.slots {
        let (period, count) = lines.next()?.split_once(' ')?;
        *slot = (period.parse().ok()?, count.parse().ok()?);
    }
    Some((slot_ms, window))
}

impl Window {
    fn empty() -> Window {
        Window {
            slots: [(-1, 0); SLOTS as usize],
        }
    }

    /// Forgets the periods that have left the window at `period` (or are ahead of it: a
    /// clock set back).
    fn expire(&mut self, period: i64) {
        for slot in &mut self.slots {
            if !(slot.0 > period - SLOTS && slot.0 <= period) {
                *slot = (-1, 0);
            }
        }
    }

    fn add(&mut self, period: i64, amount: i64) {
        let slot = &mut self.slots[period.rem_euclid(SLOTS) as usize];
        if slot.0 != period {
            *slot = (period, 0);
        }
        slot.1 += amount;
    }

    fn sum(&self) -> i64 {
        self.slots.iter().map(|s| s.1).sum()
    }

    fn render(&self, slot_ms: i64) -> String {
        let mut text = format!("{HEADER} slot_ms={slot_ms}\n");
        for (period, count) in &self.slots {
            text += &format!("{period} {count}\n");
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("persevere-file-store-{}", std::process::id()));
        dir.join(name)
    }

    #[test]
    fn two_stores_on_one_file_share_the_budget() {
        let path = temp("shared");
        let ttl = Duration::from_secs(10);
        let mut a = FileStore::open(&path, ttl, 0).unwrap();
        let mut b = FileStore::open(&path, ttl, 0).unwrap();
        for _ in 0..9 {
            a.deposit(200).unwrap(); // 1.8 retries
        }
        assert!(b.take(1_000).unwrap());
        assert!(!a.take(1_000).unwrap());
        let _ = std::fs::remove_file(&path);
    }

    #[test]
    fn the_floor_is_the_reserve() {
        let path = temp("floor");
        let mut s = FileStore::open(&path, Duration::from_secs(10), 2).unwrap();
        let granted = (0..30).filter(|_| s.take(1_000).unwrap()).count();
        assert_eq!(granted, 20);
        let _ = std::fs::remove_file(&path);
    }

    #[test]
    fn a_window_of_another_length_is_refused_and_garbage_is_an_empty_window() {
        let path = temp("mismatch");
        let _ten = FileStore::open(&path, Duration::from_secs(10), 0).unwrap();
        let err = FileStore::open(&path, Duration::from_secs(5), 0)
            .err()
            .unwrap();
        assert!(err.contains("a window of 10000 ms, not 5000 ms"), "{err}");
        std::fs::write(&path, "garbage").unwrap();
        let mut s = FileStore::open(&path, Duration::from_secs(5), 0).unwrap();
        assert!(!s.take(1).unwrap());
        let _ = std::fs::remove_file(&path);
    }

    #[test]
    fn slots_expire_when_they_leave_the_window() {
        let mut w = Window::empty();
        w.add(100, 500);
        w.add(105, -200);
        w.expire(109);
        assert_eq!(w.sum(), 300);
        w.expire(110);
        assert_eq!(w.sum(), -200);
        assert_eq!(parse(&w.render(1000)), Some((1000, w.clone())));
    }
}
