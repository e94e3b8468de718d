//! `file:PATH` (and the default store) for `--breaker`: the breaker's state in a small file,
//! shared by every persevere process on the machine. Each question locks the file (an
//! advisory `flock`, released when the file is closed, even if the process dies), reads the
//! state, applies the breaker's rules (`breaker_state.rs`) and writes it back. Where the file
//! may live, and what is refused, is the budget store's `place.rs`.
//!
//! ```text
//! persevere-breaker 1
//! open 1765104000123 0 0 0 -
//! ```
//!
//! A file that cannot be read as such (a process killed mid-write, an edit by hand) is a
//! closed, empty breaker, said once: which state it held cannot be known.

use crate::breaker_state::{Admit, Rules, State};
use crate::budget_store::place::Place;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::time::{SystemTime, UNIX_EPOCH};

const HEADER: &str = "persevere-breaker 1";
/// More than a state file ever holds (a window of 100 outcomes is about 150 bytes; the
/// options allow 10000).
const MAX_FILE: u64 = 16_384;

/// A circuit breaker's state kept somewhere every run can reach.
pub trait BreakerStore: Send {
    /// May an attempt start now?
    fn admit(&mut self) -> Result<Admit, String>;
    /// An attempt ended.
    fn record(&mut self, failed: bool) -> Result<(), String>;
}

/// The state in a locked file.
pub struct FileBreaker {
    place: Place,
    rules: Rules,
    quiet: bool,
    said_damaged: bool,
}

impl FileBreaker {
    /// The breaker at `place`; fails if the file cannot be opened and locked safely.
    pub fn open(place: Place, rules: Rules, quiet: bool) -> Result<FileBreaker, String> {
        let mut store = FileBreaker {
            place,
            rules,
            quiet,
            said_damaged: false,
        };
        store.change(|_, _| ())?;
        Ok(store)
    }

    /// Under the lock: reads the state, applies `op` at the wall clock's now, writes it back.
    fn change<T>(&mut self, op: impl FnOnce(&mut State, i64) -> T) -> Result<T, String> {
        let path = self.place.path();
        let fail = |what: &str, e: std::io::Error| format!("{what} {}: {e}", path.display());
        let (mut file, _) = self.place.open()?;
        file.lock().map_err(|e| fail("cannot lock", e))?;
        let mut bytes = Vec::new();
        (&mut file)
            .take(MAX_FILE + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| fail("cannot read", e))?;
        let mut state = match parse(&bytes) {
            Some(state) => state,
            None if bytes.is_empty() => State::default(),
            None => {
                if !self.quiet && !self.said_damaged {
                    self.said_damaged = true;
                    let _ = writeln!(
                        std::io::stderr(),
                        "persevere: breaker store file:{}: the file is damaged; the breaker \
                         starts afresh (closed)",
                        path.display()
                    );
                }
                State::default()
            }
        };
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as i64);
        let answer = op(&mut state, now);
        let text = format!("{HEADER}\n{}\n", state.render());
        write(&mut file, &text).map_err(|e| fail("cannot write", e))?;
        Ok(answer)
    }
}

impl BreakerStore for FileBreaker {
    fn admit(&mut self) -> Result<Admit, String> {
        let rules = self.rules;
        self.change(|state, now| state.admit(&rules, now))
    }

    fn record(&mut self, failed: bool) -> Result<(), String> {
        let rules = self.rules;
        self.change(|state, now| state.record(&rules, failed, now))
    }
}

fn write(file: &mut File, text: &str) -> std::io::Result<()> {
    file.seek(SeekFrom::Start(0))?;
    file.set_len(0)?;
    file.write_all(text.as_bytes())
}

fn parse(bytes: &[u8]) -> Option<State> {
    let text = std::str::from_utf8(bytes).ok()?;
    let mut lines = text.lines();
    if lines.next()? != HEADER {
        return None;
    }
    let state = State::parse(lines.next()?)?;
    lines.next().is_none().then_some(state)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::breaker_state::Phase;

    #[test]
    fn two_stores_on_one_file_share_the_breaker() {
        let dir = std::env::temp_dir().join(format!("persevere-breaker-{}", std::process::id()));
        let path = dir.join("shared");
        let rules = Rules {
            window: 2,
            failure_ratio: 0.5,
            open_ms: 60_000,
            probes: 1,
        };
        let open = || FileBreaker::open(Place::named(&path).unwrap(), rules, true).unwrap();
        let (mut a, mut b) = (open(), open());
        a.record(true).unwrap();
        assert_eq!(b.admit().unwrap(), Admit::Go);
        b.record(false).unwrap();
        assert!(matches!(a.admit().unwrap(), Admit::Refused(left) if left > 0));
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(parse(text.as_bytes()).unwrap().phase, Phase::Open);
        std::fs::write(&path, "garbage").unwrap();
        assert_eq!(
            b.admit().unwrap(),
            Admit::Go,
            "a damaged file is a closed breaker"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
