//! `--report PATH`: one JSON object per event (backoff, giveup, success), appended to a file or
//! written to stderr (`-`).

use crate::outcome::AttemptFailure;
use std::ffi::OsStr;
use std::fs::OpenOptions;
use std::io::{self, Write};
use std::sync::Mutex;
use std::time::Duration;

/// One event of the run, as the report writes it.
#[derive(Debug, Clone, Copy)]
pub struct Event<'a> {
    /// `backoff`, `giveup` or `success`.
    pub kind: &'static str,
    /// The attempt this event follows (1-based).
    pub tries: u32,
    /// The attempt's failure; `None` for success.
    pub failure: Option<&'a AttemptFailure>,
    /// The wait before the next attempt (backoff only).
    pub wait: Option<Duration>,
    /// Time since the run started, measured after the attempt.
    pub elapsed: Duration,
    /// Why the run gave up, when it is not the attempt's own (`budget`).
    pub reason: Option<&'static str>,
}

/// The report's destination.
pub struct Report {
    out: Mutex<Box<dyn Write + Send>>,
}

impl Report {
    /// Opens `path` for appending (created if missing), or stderr for `-`.
    pub fn open(path: &OsStr) -> io::Result<Report> {
        let out: Box<dyn Write + Send> = if path == "-" {
            Box::new(io::stderr())
        } else {
            Box::new(OpenOptions::new().create(true).append(true).open(path)?)
        };
        Ok(Report {
            out: Mutex::new(out),
        })
    }

    /// Writes one event as one line. A failing report does not fail the run: the command's
    /// outcome matters more than its log.
    pub fn write(&self, event: &Event<'_>) {
        let line = json_line(event);
        let mut out = self.out.lock().unwrap_or_else(|poison| poison.into_inner());
        let _ = out.write_all(line.as_bytes()).and_then(|()| out.flush());
    }
}

/// `{"event":"backoff","try":1,"exit":1,"wait_s":0.01,"elapsed_s":0.002}` and a newline.
pub fn json_line(event: &Event<'_>) -> String {
    let mut line = format!(r#"{{"event":"{}","try":{}"#, event.kind, event.tries);
    let (key, value) = match event.failure {
        Some(failure) => failure.report_status(),
        None => ("exit", 0),
    };
    line += &format!(r#","{key}":{value}"#);
    let own = event.failure.and_then(AttemptFailure::report_reason);
    if let Some(reason) = event.reason.or(own) {
        line += &format!(r#","reason":"{reason}""#);
    }
    if let Some(wait) = event.wait {
        line += &format!(r#","wait_s":{}"#, wait.as_secs_f64());
    }
    let elapsed = event.elapsed.as_micros() as f64 / 1e6;
    line += &format!(r#","elapsed_s":{elapsed}}}"#);
    line.push('\n');
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outcome::{Failure, Status, Stop};

    #[test]
    fn lines_have_the_documented_keys() {
        let failure = AttemptFailure {
            failure: Failure::Exit(1),
            interrupted: None,
        };
        let backoff = Event {
            kind: "backoff",
            tries: 1,
            failure: Some(&failure),
            wait: Some(Duration::from_millis(10)),
            elapsed: Duration::from_micros(2500),
            reason: None,
        };
        assert_eq!(
            json_line(&backoff),
            "{\"event\":\"backoff\",\"try\":1,\"exit\":1,\"wait_s\":0.01,\"elapsed_s\":0.0025}\n"
        );
        let timeout = AttemptFailure {
            failure: Failure::Stopped(Stop::Timeout, Status::Signaled(15)),
            interrupted: None,
        };
        let giveup = Event {
            kind: "giveup",
            tries: 2,
            failure: Some(&timeout),
            wait: None,
            elapsed: Duration::from_secs(3),
            reason: None,
        };
        assert_eq!(
            json_line(&giveup),
            "{\"event\":\"giveup\",\"try\":2,\"signal\":15,\"reason\":\"timeout\",\"elapsed_s\":3}\n"
        );
    }
}
