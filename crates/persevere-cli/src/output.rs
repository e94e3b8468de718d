//! With output rules, the command's stdout and stderr come through pipes: each chunk is
//! forwarded at once to persevere's own stream and its lines are matched as they complete.

use crate::config::OutputRules;
use crate::lines::LineScanner;
use crate::outcome::OutputRule;
use std::fs::File;
use std::io::{self, Read, Write};
use std::os::fd::{AsRawFd, OwnedFd, RawFd};

/// What the output rules saw during one attempt.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Seen {
    /// A line matched `--retry-if-output`.
    pub retry_if: bool,
    /// A line matched `--until-output`.
    pub until: bool,
}

impl Seen {
    /// The rule that fails the attempt, if any.
    pub fn failed_rule(&self, rules: &OutputRules) -> Option<OutputRule> {
        if rules.retry_if.is_some() && self.retry_if {
            Some(OutputRule::RetryIf)
        } else if rules.until.is_some() && !self.until {
            Some(OutputRule::Until)
        } else {
            None
        }
    }

    /// Whether matching more lines could change the verdict.
    fn undecided(&self, rules: &OutputRules) -> bool {
        (rules.retry_if.is_some() && !self.retry_if) || (rules.until.is_some() && !self.until)
    }

    fn scan(&mut self, rules: &OutputRules, line: &[u8]) {
        if let Some(re) = &rules.retry_if {
            self.retry_if = self.retry_if || re.is_match(line);
        }
        if let Some(re) = &rules.until {
            self.until = self.until || re.is_match(line);
        }
    }
}

/// Where a pipe's bytes go.
#[derive(Debug, Clone, Copy)]
pub enum Sink {
    /// persevere's stdout.
    Stdout,
    /// persevere's stderr.
    Stderr,
}

/// One of the command's output pipes.
#[derive(Debug)]
pub struct Pump {
    source: Option<File>,
    sink: Sink,
    lines: LineScanner,
    buf: Vec<u8>,
}

impl Pump {
    /// A pump from the pipe `source` to `sink`.
    pub fn new(source: impl Into<OwnedFd>, sink: Sink) -> Pump {
        Pump {
            source: Some(File::from(source.into())),
            sink,
            lines: LineScanner::default(),
            buf: vec![0; 64 * 1024],
        }
    }

    /// The pipe to poll, until its end.
    pub fn fd(&self) -> Option<RawFd> {
        self.source.as_ref().map(AsRawFd::as_raw_fd)
    }

    /// Reads what the pipe has (after `poll` said so), forwards it and scans its lines.
    pub fn pump(&mut self, rules: &OutputRules, seen: &mut Seen) {
        let Some(source) = &mut self.source else {
            return;
        };
        let n = match source.read(&mut self.buf) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => return,
            Err(_) => 0,
        };
        if n == 0 {
            self.lines.finish(|line| seen.scan(rules, line));
            self.source = None;
            return;
        }
        let chunk = &self.buf[..n];
        if seen.undecided(rules) {
            self.lines.feed(chunk, |line| seen.scan(rules, line));
        }
        if forward(self.sink, chunk).is_err() {
            // Our reader is gone: close the pipe, so that the command sees the broken pipe
            // it would have seen writing there itself.
            self.source = None;
        }
    }
}

fn forward(sink: Sink, chunk: &[u8]) -> io::Result<()> {
    match sink {
        Sink::Stdout => {
            let mut out = io::stdout().lock();
            out.write_all(chunk)?;
            out.flush()
        }
        Sink::Stderr => io::stderr().lock().write_all(chunk),
    }
}
