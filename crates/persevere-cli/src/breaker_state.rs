//! A circuit breaker's state as a store keeps it, and its rules: those of the library's
//! `CircuitBreaker` with a count window (which is also its minimum number of calls), as
//! persevere-redis's `breaker.lua` applies them in Redis. Times are milliseconds of the wall
//! clock, the one clock that every process of the machine reads alike.

/// The rules, as the options give them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rules {
    /// The number of outcomes judged (the last N), and the fewest that may open it.
    pub window: u32,
    /// The share of failed outcomes that opens it.
    pub failure_ratio: f64,
    /// How long it stays open, in ms.
    pub open_ms: i64,
    /// Probes let through half-open.
    pub probes: u32,
}

/// closed, open or half-open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Closed,
    Open,
    HalfOpen,
}

/// What a question to the breaker answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admit {
    /// Closed: go.
    Go,
    /// Half-open: go, as a probe.
    Probe,
    /// Open (or every probe out): this many ms before it lets a probe through.
    Refused(i64),
}

/// The state: the phase and since when, the window of outcomes (`true` failed, newest
/// last), and the half-open round's probes sent, outcomes in and failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct State {
    pub phase: Phase,
    pub since: i64,
    pub window: Vec<bool>,
    pub sent: u32,
    pub done: u32,
    pub failed: u32,
}

impl Default for State {
    fn default() -> Self {
        State {
            phase: Phase::Closed,
            since: 0,
            window: Vec::new(),
            sent: 0,
            done: 0,
            failed: 0,
        }
    }
}

fn trips(rules: &Rules, calls: usize, failed: usize) -> bool {
    calls > 0 && failed as f64 >= rules.failure_ratio * calls as f64
}

impl State {
    fn enter(&mut self, phase: Phase, now: i64) {
        *self = State {
            phase,
            since: now,
            window: if phase == Phase::HalfOpen {
                std::mem::take(&mut self.window)
            } else {
                Vec::new()
            },
            ..State::default()
        };
    }

    /// May an attempt start at `now`?
    pub fn admit(&mut self, rules: &Rules, now: i64) -> Admit {
        let open_for = now - self.since;
        match self.phase {
            Phase::Closed => return Admit::Go,
            Phase::Open if open_for >= rules.open_ms => self.enter(Phase::HalfOpen, now),
            // A round undecided for an open duration (a probe whose run died): a new one.
            Phase::HalfOpen if self.sent >= rules.probes && open_for >= rules.open_ms => {
                self.enter(Phase::HalfOpen, now)
            }
            _ => {}
        }
        match self.phase {
            Phase::HalfOpen if self.sent < rules.probes => {
                self.sent += 1;
                Admit::Probe
            }
            Phase::Open => Admit::Refused((rules.open_ms - (now - self.since)).max(0)),
            _ => Admit::Refused(0),
        }
    }

    /// An attempt ended at `now`.
    pub fn record(&mut self, rules: &Rules, failed: bool, now: i64) {
        match self.phase {
            Phase::Open => {}
            Phase::Closed => {
                self.window.push(failed);
                let n = rules.window as usize;
                if self.window.len() > n {
                    self.window.drain(..self.window.len() - n);
                }
                let failures = self.window.iter().filter(|f| **f).count();
                if self.window.len() >= n && trips(rules, self.window.len(), failures) {
                    self.enter(Phase::Open, now);
                }
            }
            Phase::HalfOpen => {
                self.done += 1;
                self.failed += u32::from(failed);
                if self.done >= rules.probes {
                    let next = match trips(rules, self.done as usize, self.failed as usize) {
                        true => Phase::Open,
                        false => Phase::Closed,
                    };
                    self.enter(next, now);
                }
            }
        }
    }

    /// One line: `PHASE SINCE SENT DONE FAILED WINDOW` (the window as 0s and 1s, `-` empty).
    pub fn render(&self) -> String {
        let phase = match self.phase {
            Phase::Closed => "closed",
            Phase::Open => "open",
            Phase::HalfOpen => "half_open",
        };
        let window: String = self
            .window
            .iter()
            .map(|f| if *f { '1' } else { '0' })
            .collect();
        let window = if window.is_empty() {
            "-".into()
        } else {
            window
        };
        format!(
            "{phase} {} {} {} {} {window}",
            self.since, self.sent, self.done, self.failed
        )
    }

    /// The line `render` wrote, or `None`.
    pub fn parse(line: &str) -> Option<State> {
        let mut words = line.split_whitespace();
        let phase = match words.next()? {
            "closed" => Phase::Closed,
            "open" => Phase::Open,
            "half_open" => Phase::HalfOpen,
            _ => return None,
        };
        let mut number = || words.next()?.parse::<i64>().ok();
        let (since, sent, done, failed) = (number()?, number()?, number()?, number()?);
        let window = match words.next()? {
            "-" => Vec::new(),
            w if w.bytes().all(|b| b == b'0' || b == b'1') => {
                w.bytes().map(|b| b == b'1').collect()
            }
            _ => return None,
        };
        if words.next().is_some() {
            return None;
        }
        let count = |n: i64| u32::try_from(n).ok();
        Some(State {
            phase,
            since,
            window,
            sent: count(sent)?,
            done: count(done)?,
            failed: count(failed)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULES: Rules = Rules {
        window: 4,
        failure_ratio: 0.5,
        open_ms: 1_000,
        probes: 1,
    };

    #[test]
    fn every_transition() {
        let mut s = State::default();
        for failed in [false, true, false] {
            assert_eq!(s.admit(&RULES, 0), Admit::Go);
            s.record(&RULES, failed, 0);
        }
        assert_eq!(s.phase, Phase::Closed, "three outcomes of four");
        s.record(&RULES, true, 10);
        assert_eq!(s.phase, Phase::Open, "two failures of four");
        assert_eq!(s.admit(&RULES, 510), Admit::Refused(500));
        assert_eq!(s.admit(&RULES, 1_010), Admit::Probe);
        assert_eq!(
            s.admit(&RULES, 1_011),
            Admit::Refused(0),
            "one probe at a time"
        );
        s.record(&RULES, true, 1_020);
        assert_eq!(s.phase, Phase::Open, "the probe failed");
        assert_eq!(s.admit(&RULES, 2_020), Admit::Probe);
        s.record(&RULES, false, 2_030);
        assert_eq!((s.phase, s.window.len()), (Phase::Closed, 0));
        assert_eq!(State::parse(&s.render()), Some(s));
    }

    /// The file store's rules against the library's `CircuitBreaker` (a count window that is
    /// also its minimum of calls, no slow calls), on random sequences of questions and
    /// outcomes at random times: the same answers and the same phase after every step. The two
    /// are written apart (the store's state is a line in a file), so this keeps them in step.
    #[test]
    fn the_store_rules_are_the_librarys() {
        use persevere::breaker::{BreakerState, CircuitBreaker};
        use persevere::budget::Budget;
        use std::time::{Duration, Instant};

        let t0 = Instant::now();
        for seed in 0..400u64 {
            let mut rng = persevere::Rng::seeded(seed);
            let mut pick = |n: u64| rng.next_u64() % n;
            let rules = Rules {
                window: 1 + pick(5) as u32,
                failure_ratio: [0.25, 0.5, 0.75, 1.0][pick(4) as usize],
                open_ms: 1 + pick(50) as i64,
                probes: 1 + pick(3) as u32,
            };
            let library = CircuitBreaker::default()
                .count_window(rules.window)
                .min_calls(rules.window)
                .failure_ratio(rules.failure_ratio)
                .open_duration(Duration::from_millis(rules.open_ms as u64))
                .half_open_calls(rules.probes)
                .slow_call_duration(Duration::from_secs(3_600));
            let mut store = State::default();
            let mut now = 0i64;
            for step in 0..200 {
                now += pick(20) as i64;
                let at = t0 + Duration::from_millis(now as u64);
                let context = format!("seed {seed} step {step} at {now} ms, {rules:?}");
                if pick(2) == 0 {
                    let theirs = match library.admit_call(at) {
                        Ok(w) if w.amount() == 1 => "probe",
                        Ok(_) => "go",
                        Err(_) => "refused",
                    };
                    let ours = match store.admit(&rules, now) {
                        Admit::Probe => "probe",
                        Admit::Go => "go",
                        Admit::Refused(_) => "refused",
                    };
                    assert_eq!(ours, theirs, "admit: {context}");
                } else {
                    let failed = pick(2) == 0;
                    library.attempt_ended(failed, Duration::ZERO, at);
                    store.record(&rules, failed, now);
                }
                let theirs = match library.state() {
                    BreakerState::Closed => Phase::Closed,
                    BreakerState::Open => Phase::Open,
                    BreakerState::HalfOpen => Phase::HalfOpen,
                    other => panic!("a state the store does not know: {other:?}"),
                };
                assert_eq!(store.phase, theirs, "phase: {context}");
            }
        }
    }

    #[test]
    fn a_lost_probe_starts_a_new_round_after_an_open_duration() {
        let mut s = State::default();
        for _ in 0..4 {
            s.record(&RULES, true, 0);
        }
        assert_eq!(s.admit(&RULES, 1_000), Admit::Probe);
        assert_eq!(s.admit(&RULES, 1_999), Admit::Refused(0));
        assert_eq!(s.admit(&RULES, 2_000), Admit::Probe);
        assert_eq!(State::parse(&s.render()), Some(s));
        assert_eq!(State::parse("open 1 2 3"), None);
        assert_eq!(State::parse("shut 1 0 0 0 -"), None);
    }
}
