//! `--report PATH`: one JSON object per event (backoff, then one final event: success, giveup
//! or error), appended to a file or written to stderr (`-`). A report that cannot be written
//! does not stop the run (the command's outcome matters more than its log), but persevere says
//! so once.

use crate::ending::GiveUpReason;
use crate::outcome::AttemptFailure;
use std::ffi::OsStr;
use std::fs::OpenOptions;
use std::io::{self, Write};
use std::sync::Mutex;
use std::time::Duration;

/// One event of the run, as the report writes it.
#[derive(Debug, Clone, Copy)]
pub struct Event<'a> {
    /// `backoff`, `giveup`, `success` or `error`.
    pub kind: &'static str,
    /// The attempt this event follows (1-based; 0 before the first).
    pub tries: u32,
    /// The attempt's failure; `None` for success.
    pub failure: Option<&'a AttemptFailure>,
    /// The wait before the next attempt (backoff only).
    pub wait: Option<Duration>,
    /// Why the run gave up (giveup only).
    pub reason: Option<GiveUpReason>,
    /// persevere's own failure (error only).
    pub message: Option<&'a str>,
    /// Time since the run started, measured after the attempt.
    pub elapsed: Duration,
}

impl<'a> Event<'a> {
    /// An event of `kind` after attempt `tries`, with nothing else set.
    pub fn new(kind: &'static str, tries: u32, elapsed: Duration) -> Event<'a> {
        Event {
            kind,
            tries,
            failure: None,
            wait: None,
            reason: None,
            message: None,
            elapsed,
        }
    }
}

/// The report's destination.
pub struct Report {
    /// The file (or stderr), and whether a write failed already.
    out: Mutex<(Box<dyn Write + Send>, bool)>,
    /// The path, for the message when writing fails.
    name: String,
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
            out: Mutex::new((out, false)),
            name: path.to_string_lossy().into_owned(),
        })
    }

    /// Writes one event as one line. The first failure is said on stderr.
    pub fn write(&self, event: &Event<'_>) {
        let line = json_line(event);
        let mut guard = self.out.lock().unwrap_or_else(|poison| poison.into_inner());
        let (out, failed) = &mut *guard;
        if let Err(err) = out.write_all(line.as_bytes()).and_then(|()| out.flush())
            && !*failed
        {
            *failed = true;
            let name = &self.name;
            let _ = writeln!(
                io::stderr(),
                "persevere: --report: cannot write to '{name}': {err}"
            );
        }
    }
}

/// `{"event":"backoff","try":1,"exit":1,"wait_s":0.01,"elapsed_s":0.002}` and a newline.
pub fn json_line(event: &Event<'_>) -> String {
    let mut line = format!(r#"{{"event":"{}","try":{}"#, event.kind, event.tries);
    if event.kind != "error" {
        let (key, value) = match event.failure {
            Some(failure) => failure.report_status(),
            // A run the breaker refused before its first attempt exits with its own status.
            None if event.reason == Some(GiveUpReason::CircuitOpen) => {
                ("exit", i32::from(crate::breaker::CIRCUIT_OPEN))
            }
            None => ("exit", 0),
        };
        line += &format!(r#","{key}":{value}"#);
    }
    if let Some(failure) = event.failure.and_then(AttemptFailure::report_failure) {
        line += &format!(r#","failure":"{failure}""#);
    }
    if let Some(reason) = event.reason {
        line += &format!(r#","reason":"{}""#, reason.key());
        if let Some(rule) = reason.rule() {
            line += &format!(r#","rule":"{rule}""#);
        }
        if let Some(signal) = reason.received_signal() {
            line += &format!(r#","received_signal":{signal}"#);
        }
    }
    if let Some(message) = event.message {
        line += &format!(r#","message":{}"#, json_string(message));
    }
    if let Some(wait) = event.wait {
        line += &format!(r#","wait_s":{}"#, wait.as_secs_f64());
    }
    let elapsed = event.elapsed.as_micros() as f64 / 1e6;
    line += &format!(r#","elapsed_s":{elapsed}}}"#);
    line.push('\n');
    line
}

/// `text` as a JSON string.
fn json_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
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
            failure: Some(&failure),
            wait: Some(Duration::from_millis(10)),
            ..Event::new("backoff", 1, Duration::from_micros(2500))
        };
        assert_eq!(
            json_line(&backoff),
            "{\"event\":\"backoff\",\"try\":1,\"exit\":1,\"wait_s\":0.01,\"elapsed_s\":0.0025}\n"
        );
        let timeout = AttemptFailure {
            failure: Failure::Stopped(Stop::Timeout, Status::Signaled(15)),
            interrupted: Some(2),
        };
        let giveup = Event {
            failure: Some(&timeout),
            reason: Some(GiveUpReason::Signal(2)),
            ..Event::new("giveup", 2, Duration::from_secs(3))
        };
        assert_eq!(
            json_line(&giveup),
            "{\"event\":\"giveup\",\"try\":2,\"signal\":15,\"failure\":\"timeout\",\
             \"reason\":\"signal\",\"received_signal\":2,\"elapsed_s\":3}\n"
        );
        let error = Event {
            message: Some("a \"quoted\"\tword\n"),
            ..Event::new("error", 0, Duration::ZERO)
        };
        assert_eq!(
            json_line(&error),
            "{\"event\":\"error\",\"try\":0,\"message\":\"a \\\"quoted\\\"\\u0009word\\n\",\
             \"elapsed_s\":0}\n"
        );
    }
}
