//! With output rules, the command's stdout and stderr come through pipes: each chunk is
//! forwarded at once to persevere's own stream and its lines are matched as they come, in
//! bounded memory however long they are.

use crate::block_search;
use crate::held::HeldSink;
use crate::lines::{LineScanner, LineSink, MAX_LINE};
use crate::output_rules::{OutputRules, Seen};
use crate::stream_match::{StreamMatcher, Verdict};
use std::fs::File;
use std::io::{self, Read, Write};
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::sync::atomic::{AtomicBool, Ordering};

/// The streaming matchers of one pipe, one per rule, made at the first long line.
#[derive(Default)]
struct LongLines {
    retry_if: Option<StreamMatcher>,
    until: Option<StreamMatcher>,
}

impl std::fmt::Debug for LongLines {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LongLines")
    }
}

/// The output rules at work on one pipe: whole lines go to the regexes, long ones stream
/// through the matchers.
struct Scan<'a> {
    rules: &'a OutputRules,
    seen: &'a mut Seen,
    long: &'a mut LongLines,
}

impl LineSink for Scan<'_> {
    fn line(&mut self, line: &[u8]) {
        self.seen.scan(self.rules, line);
    }

    fn long(&mut self, bytes: &[u8]) {
        let pairs = [
            (&self.rules.retry_if, &mut self.long.retry_if),
            (&self.rules.until, &mut self.long.until),
        ];
        for (rule, matcher) in pairs {
            if let Some(re) = rule {
                if matcher.is_none() {
                    *matcher = StreamMatcher::new(re.as_str());
                }
                if let Some(matcher) = matcher {
                    matcher.feed(bytes);
                }
            }
        }
    }

    fn long_end(&mut self, head: &[u8]) {
        let pairs = [
            (
                "--retry-if-output",
                &self.rules.retry_if,
                &mut self.long.retry_if,
                &mut self.seen.retry_if,
            ),
            (
                "--until-output",
                &self.rules.until,
                &mut self.long.until,
                &mut self.seen.until,
            ),
        ];
        for (option, rule, matcher, seen) in pairs {
            let Some(re) = rule else { continue };
            let matched = match matcher.as_mut().map(StreamMatcher::finish) {
                Some(Verdict::Match) => true,
                Some(Verdict::NoMatch) => false,
                unknown => {
                    if self.rules.warn {
                        let why = match unknown {
                            Some(_) => {
                                "has non-ASCII bytes, which a Unicode \\b cannot be judged on \
                                 as it streams (an ASCII (?-u:\\b) works on any line)"
                            }
                            None => "cannot stream through this pattern",
                        };
                        warn_once(option, why);
                    }
                    re.is_match(head)
                }
            };
            *seen = *seen || matched;
        }
    }
}

/// The one case where a long line is matched only in part: said once per run.
fn warn_once(option: &str, why: &str) {
    static WARNED: AtomicBool = AtomicBool::new(false);
    if !WARNED.swap(true, Ordering::Relaxed) {
        let _ = writeln!(
            io::stderr(),
            "persevere: {option}: a line longer than 64 KiB {why}: only its first 64 KiB were \
             matched"
        );
    }
}

/// The output rules at work on one stream: lines cut from its chunks, matched whole or, when
/// longer than [`MAX_LINE`](crate::lines::MAX_LINE), as they stream by.
#[derive(Debug, Default)]
pub struct OutputScan {
    lines: LineScanner,
    long: LongLines,
}

impl OutputScan {
    /// Scans the next chunk of the stream (nothing, once the rules are decided).
    pub fn feed(&mut self, rules: &OutputRules, seen: &mut Seen, mut chunk: &[u8]) {
        // A pipe's reads rarely end at a line's end: the line an earlier chunk began is
        // finished first, line by line, so that the rest of the chunk takes the fast path.
        if seen.undecided(rules)
            && self.lines.mid_line()
            && let Some(newline) = memchr::memchr(b'\n', chunk)
        {
            let (head, rest) = chunk.split_at(newline + 1);
            self.scan_lines(rules, seen, head);
            chunk = rest;
        }
        // The fast path: the chunk's complete lines searched at once (`block_search.rs`); a
        // chunk no longer than a held line, so that every line in it is one held whole.
        if seen.undecided(rules)
            && !self.lines.mid_line()
            && chunk.len() <= MAX_LINE
            && let Some(last) = memchr::memrchr(b'\n', chunk)
        {
            chunk = &chunk[block_search::lines_to_skip(rules, seen, &chunk[..=last])..];
        }
        self.scan_lines(rules, seen, chunk);
    }

    /// The per-line scan of `chunk` (nothing, once the rules are decided).
    fn scan_lines(&mut self, rules: &OutputRules, seen: &mut Seen, chunk: &[u8]) {
        if seen.undecided(rules) {
            let mut scan = Scan {
                rules,
                seen,
                long: &mut self.long,
            };
            self.lines.feed(chunk, &mut scan);
        }
    }

    /// The end of the stream: a last line without a newline counts too.
    pub fn finish(&mut self, rules: &OutputRules, seen: &mut Seen) {
        let mut scan = Scan {
            rules,
            seen,
            long: &mut self.long,
        };
        self.lines.finish(&mut scan);
    }
}

/// Where a pipe's bytes go.
#[derive(Debug)]
pub enum Sink {
    /// persevere's stdout.
    Stdout,
    /// persevere's stderr.
    Stderr,
    /// The held stdout's spool (`--hold-stdout`).
    Held(HeldSink),
}

/// One of the command's output pipes.
#[derive(Debug)]
pub struct Pump {
    source: Option<File>,
    sink: Sink,
    scan: OutputScan,
    buf: Vec<u8>,
}

impl Pump {
    /// A pump from the pipe `source` to `sink`.
    pub fn new(source: impl Into<OwnedFd>, sink: Sink) -> Pump {
        Pump {
            source: Some(File::from(source.into())),
            sink,
            scan: OutputScan::default(),
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
            self.scan.finish(rules, seen);
            self.source = None;
            return;
        }
        let chunk = &self.buf[..n];
        self.scan.feed(rules, seen, chunk);
        if let Err(err) = forward(&mut self.sink, chunk) {
            // Our reader is gone: close the pipe, so that the command sees the broken pipe
            // it would have seen writing there itself.
            if err.kind() == io::ErrorKind::BrokenPipe
                && matches!(self.sink, Sink::Stdout | Sink::Held(_))
            {
                crate::reader::mark_gone();
            }
            self.source = None;
        }
    }
}

impl Pump {
    /// Stops reading the pipe: what was read is judged as the whole stream.
    pub fn close(&mut self, rules: &OutputRules, seen: &mut Seen) {
        if self.source.take().is_some() {
            self.scan.finish(rules, seen);
        }
    }
}

fn forward(sink: &mut Sink, chunk: &[u8]) -> io::Result<()> {
    match sink {
        Sink::Stdout => {
            let mut out = io::stdout().lock();
            out.write_all(chunk)?;
            out.flush()
        }
        Sink::Stderr => io::stderr().lock().write_all(chunk),
        Sink::Held(held) => held.write(chunk),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use regex::bytes::Regex;

    /// What the rules see in `text` fed in chunks of `size` bytes.
    fn seen_in_chunks(pattern: &str, text: &[u8], size: usize) -> Seen {
        let rules = OutputRules::new(
            Some(Regex::new(pattern).unwrap()),
            Some(Regex::new(pattern).unwrap()),
            false,
        );
        let (mut scan, mut seen) = (OutputScan::default(), Seen::default());
        for chunk in text.chunks(size) {
            scan.feed(&rules, &mut seen, chunk);
        }
        scan.finish(&rules, &mut seen);
        seen
    }

    #[test]
    fn chunks_that_end_mid_line_match_as_whole_lines_do() {
        let line = format!("yes {}\n", "0".repeat(75));
        let mut text = line.repeat(2000).into_bytes();
        // One line with the needle, its halves in different chunks for most chunk sizes.
        let at = 1234 * line.len() + 30;
        text[at..at + 3].copy_from_slice(b"zzz");
        for size in [1, 2, 3, 79, 80, 81, 997, 4096, 65536] {
            for (pattern, expected) in [
                ("zzz", true),
                ("^yes 0+zzz0+$", true),
                ("^zzz", false),
                ("0zz\\n", false),
                ("^yes 0{75}$", true),
                ("nowhere", false),
            ] {
                let seen = seen_in_chunks(pattern, &text, size);
                assert_eq!(
                    (seen.retry_if, seen.until),
                    (expected, expected),
                    "{pattern:?} in chunks of {size}"
                );
            }
        }
    }
}
