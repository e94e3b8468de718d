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
//! mid-write, or by hand) counts as empty: the budget starts afresh, the safe way round being
//! impossible to tell, and persevere says so once. So does a file written with another
//! `--budget-window` (the runs of the other window keep working on theirs: neither blocks the
//! other's command) and a file deleted during the run. Where the file may live, and what is
//! refused, is in `place.rs`.

use super::WindowStore;
use super::place::Place;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const SLOTS: i64 = 10;
const HEADER: &str = "persevere-budget 1";
/// More than a store file ever holds (about 250 bytes): a longer file is damaged, and is not
/// read further.
const MAX_FILE: u64 = 4096;

/// A ratio budget's window in a locked file.
pub struct FileStore {
    place: Place,
    slot_ms: i64,
    /// The floor's min_per_sec * ttl, in units.
    reserve: i64,
    /// Whether persevere's own messages are off (`--quiet`).
    quiet: bool,
    /// The store's notices already said (each once a run).
    said: Vec<Notice>,
    /// Whether an operation has found the file before (a file created later was deleted).
    seen: bool,
}

/// What the store says about a file it starts afresh.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Notice {
    Damaged,
    OtherWindow,
    Deleted,
}

/// The window as read from the file: (period, count) per slot.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Window {
    slots: [(i64, i64); SLOTS as usize],
}

impl FileStore {
    /// The store at `place` for a window of `ttl` and a floor of `min_per_sec`. Fails if the
    /// file cannot be opened and locked safely (see `place.rs`).
    pub fn open(
        place: Place,
        ttl: Duration,
        min_per_sec: u32,
        quiet: bool,
    ) -> Result<FileStore, String> {
        let ttl_ms = ttl.as_millis() as i64;
        let mut store = FileStore {
            place,
            slot_ms: (ttl_ms / SLOTS).max(1),
            reserve: i64::from(min_per_sec) * ttl_ms,
            quiet,
            said: Vec::new(),
            seen: false,
        };
        store.change(0, 0)?;
        Ok(store)
    }

    fn now_period(&self) -> i64 {
        let now_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as i64);
        now_ms / self.slot_ms
    }

    /// Says `notice` once a run: the budget starts afresh, and why.
    fn say(&mut self, notice: Notice, why: String) {
        if self.quiet || self.said.contains(&notice) {
            return;
        }
        self.said.push(notice);
        let _ = writeln!(
            std::io::stderr(),
            "persevere: budget store file:{}: {why}; the budget starts afresh",
            self.place.path().display()
        );
    }

    /// Under the lock: adds `deposit`, then takes `want` if the balance holds it. Returns
    /// whether `want` was taken.
    fn change(&mut self, deposit: i64, want: i64) -> Result<bool, String> {
        let path = self.place.path();
        let fail = |what: &str, e: std::io::Error| format!("{what} {}: {e}", path.display());
        let (mut file, created) = self.place.open()?;
        file.lock().map_err(|e| fail("cannot lock", e))?;
        if created && self.seen {
            self.say(Notice::Deleted, "the file was deleted".into());
        }
        self.seen = true;
        let mut bytes = Vec::new();
        (&mut file)
            .take(MAX_FILE + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| fail("cannot read", e))?;
        let period = self.now_period();
        let mut window = match parse(&bytes) {
            Some((slot_ms, _)) if slot_ms != self.slot_ms => {
                let why = format!(
                    "it held a window of {} ms, this run's --budget-window is {} ms",
                    slot_ms * SLOTS,
                    self.slot_ms * SLOTS
                );
                self.say(Notice::OtherWindow, why);
                Window::empty()
            }
            Some((_, window)) => window,
            // An empty file is a new one (created, not yet written).
            None if bytes.is_empty() => Window::empty(),
            None => {
                self.say(Notice::Damaged, "the file is damaged".into());
                Window::empty()
            }
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

fn parse(bytes: &[u8]) -> Option<(i64, Window)> {
    let text = std::str::from_utf8(bytes).ok()?;
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
    if slot_ms <= 0 || lines.next().is_some() {
        return None;
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
    use std::path::{Path, PathBuf};

    fn temp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("persevere-file-store-{}", std::process::id()));
        dir.join(name)
    }

    fn open(path: &Path, ttl: Duration, min_per_sec: u32) -> Result<FileStore, String> {
        FileStore::open(Place::named(path).unwrap(), ttl, min_per_sec, true)
    }

    #[test]
    fn two_stores_on_one_file_share_the_budget() {
        let path = temp("shared");
        let ttl = Duration::from_secs(10);
        let mut a = open(&path, ttl, 0).unwrap();
        let mut b = open(&path, ttl, 0).unwrap();
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
        let mut s = open(&path, Duration::from_secs(10), 2).unwrap();
        let granted = (0..30).filter(|_| s.take(1_000).unwrap()).count();
        assert_eq!(granted, 20);
        let _ = std::fs::remove_file(&path);
    }

    /// A file of another --budget-window made every later run exit 2 without running.
    #[test]
    fn a_window_of_another_length_and_garbage_start_afresh() {
        let path = temp("mismatch");
        let mut ten = open(&path, Duration::from_secs(10), 0).unwrap();
        ten.deposit(5_000).unwrap();
        let mut five = open(&path, Duration::from_secs(5), 0).unwrap();
        assert!(
            !five.take(1_000).unwrap(),
            "the other window's balance is gone"
        );
        five.deposit(2_000).unwrap();
        assert!(five.take(1_000).unwrap());
        std::fs::write(&path, "garbage").unwrap();
        let mut s = open(&path, Duration::from_secs(5), 0).unwrap();
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
        assert_eq!(parse(w.render(1000).as_bytes()), Some((1000, w.clone())));
    }
}
