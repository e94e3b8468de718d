//! What the metastable scenario measures: second-by-second counts of one run, and from them
//! whether goodput came back after the trigger, how fast, and the load the client added.

use crate::metastable_setup::Setup;

/// Goodput is back when every second from then on to the end of the run has at least this
/// share of the goodput before the trigger.
pub const RECOVERED_SHARE: f64 = 0.9;

/// ... and "from then on" lasts at least this long (s), so that a run that comes back only in
/// its last seconds does not count.
pub const SUSTAINED_S: usize = 10;

/// The goodput before the trigger is the mean over this many seconds just before it (the
/// first seconds fill the pipeline).
pub const BASELINE_S: usize = 5;

/// Counts per second of one run, from t = 0.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Trace {
    /// Requests started.
    pub starts: Vec<u64>,
    /// Attempts reaching the server (the rejected ones included).
    pub arrivals: Vec<u64>,
    /// Requests that succeeded (an answer before the attempt's timeout).
    pub successes: Vec<u64>,
    /// Attempts the breaker or throttle refused locally.
    pub refused: u64,
    /// Attempts after a request's first that were sent.
    pub retries: u64,
}

fn bump(bins: &mut Vec<u64>, t: f64) {
    let i = (t / 1e3) as usize;
    if bins.len() <= i {
        bins.resize(i + 1, 0);
    }
    bins[i] += 1;
}

impl Trace {
    pub(crate) fn start(&mut self, t: f64) {
        bump(&mut self.starts, t);
    }

    pub(crate) fn arrive(&mut self, t: f64) {
        bump(&mut self.arrivals, t);
    }

    pub(crate) fn succeed(&mut self, t: f64) {
        bump(&mut self.successes, t);
    }

    pub(crate) fn refuse(&mut self) {
        self.refused += 1;
    }

    pub(crate) fn retry(&mut self) {
        self.retries += 1;
    }
}

/// One row of the metastable table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Outcome {
    /// Successful requests a second before the trigger.
    pub goodput_before: f64,
    /// Goodput came back to [`RECOVERED_SHARE`] of that and stayed there.
    pub recovered: bool,
    /// From the trigger's end until then (s); `None` if it did not come back.
    pub recovery_s: Option<f64>,
    /// Attempts reaching the server during the trigger / requests started during it.
    pub amplification: f64,
    /// The same, from the trigger's end to the end of the run.
    pub amplification_after: f64,
    /// Goodput during the trigger, over the goodput before it.
    pub goodput_during: f64,
    /// Goodput from the trigger's end to the end of the run, over the goodput before.
    pub goodput_after: f64,
    /// Attempts the breaker or throttle refused locally, over the whole run.
    pub refused: u64,
}

fn sum(bins: &[u64], from: usize, to: usize) -> u64 {
    bins.iter().take(to).skip(from).sum()
}

/// The row of `trace`, a run of `setup`.
///
/// ```
/// use persevere_sim::metastable::{Setup, Trigger};
/// use persevere_sim::metastable_measure::{measure, Trace};
///
/// let setup = Setup::issue(Trigger::CapacityHalved);
/// let flat = vec![700; 80];
/// let mut dip = flat.clone();
/// dip[10..25].fill(0); // down during the trigger and 5 s after it
/// let trace = Trace { starts: flat.clone(), arrivals: flat.clone(), successes: dip,
///                     refused: 0, retries: 0 };
/// let o = measure(&setup, &trace);
/// assert_eq!(o.goodput_before, 700.0);
/// assert_eq!((o.recovered, o.recovery_s), (true, Some(5.0)));
/// assert_eq!((o.amplification, o.goodput_during), (1.0, 0.0));
/// assert_eq!(o.goodput_after, 55.0 / 60.0);
/// ```
pub fn measure(setup: &Setup, trace: &Trace) -> Outcome {
    let start = (setup.trigger_ms / 1e3) as usize;
    let end = (setup.trigger_end_ms() / 1e3) as usize;
    let horizon = (setup.horizon_ms / 1e3) as usize;
    let rate =
        |bins: &[u64], from: usize, to: usize| sum(bins, from, to) as f64 / (to - from) as f64;
    let before = rate(&trace.successes, start - BASELINE_S, start);
    let amp = |from, to| {
        sum(&trace.arrivals, from, to) as f64 / sum(&trace.starts, from, to).max(1) as f64
    };
    let good = |s: usize| trace.successes.get(s).copied().unwrap_or(0) as f64;
    // The first second after the trigger from which every second is good again.
    let mut back = horizon;
    while back > end && good(back - 1) >= RECOVERED_SHARE * before {
        back -= 1;
    }
    let recovered = back + SUSTAINED_S <= horizon;
    Outcome {
        goodput_before: before,
        recovered,
        recovery_s: recovered.then(|| (back - end) as f64),
        amplification: amp(start, end),
        amplification_after: amp(end, horizon),
        goodput_during: rate(&trace.successes, start, end) / before,
        goodput_after: rate(&trace.successes, end, horizon) / before,
        refused: trace.refused,
    }
}

/// Several runs' outcomes as one: recovered only if every run recovered, the slowest
/// recovery, the means of the rest (`refused` rounded).
///
/// ```
/// use persevere_sim::metastable_measure::{combine, Outcome};
///
/// let a = Outcome { goodput_before: 700.0, recovered: true, recovery_s: Some(5.0),
///     amplification: 1.0, amplification_after: 1.0, goodput_during: 0.2,
///     goodput_after: 0.9, refused: 3 };
/// let b = Outcome { recovery_s: Some(9.0), goodput_during: 0.4, refused: 4, ..a };
/// let ab = combine(&[a, b]);
/// assert_eq!((ab.recovered, ab.recovery_s, ab.refused), (true, Some(9.0), 4));
/// assert!((ab.goodput_during - 0.3).abs() < 1e-12);
/// let down = Outcome { recovered: false, recovery_s: None, ..a };
/// assert_eq!(combine(&[a, down]).recovery_s, None);
/// ```
pub fn combine(outcomes: &[Outcome]) -> Outcome {
    let n = outcomes.len().max(1) as f64;
    let mean = |f: fn(&Outcome) -> f64| outcomes.iter().map(f).sum::<f64>() / n;
    let recovery_s = outcomes
        .iter()
        .map(|o| o.recovery_s)
        .try_fold(0.0f64, |worst, r| r.map(|s| worst.max(s)))
        .filter(|_| !outcomes.is_empty());
    Outcome {
        goodput_before: mean(|o| o.goodput_before),
        recovered: recovery_s.is_some(),
        recovery_s,
        amplification: mean(|o| o.amplification),
        amplification_after: mean(|o| o.amplification_after),
        goodput_during: mean(|o| o.goodput_during),
        goodput_after: mean(|o| o.goodput_after),
        refused: mean(|o| o.refused as f64).round() as u64,
    }
}

/// Goodput second by second over the goodput before the trigger: `(s, share)` at each
/// second's middle, up to the end of the run.
pub fn goodput_series(setup: &Setup, trace: &Trace) -> Vec<(f64, f64)> {
    let before = measure(setup, trace).goodput_before;
    let horizon = (setup.horizon_ms / 1e3) as usize;
    (0..horizon)
        .map(|s| {
            let n = trace.successes.get(s).copied().unwrap_or(0) as f64;
            (s as f64 + 0.5, n / before)
        })
        .collect()
}
