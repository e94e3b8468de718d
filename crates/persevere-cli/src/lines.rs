//! Splitting a byte stream into lines for the output rules, in bounded memory: a line of up to
//! 64 KiB is held and handed over whole; a longer one is handed over as it streams by (for
//! `stream_match.rs`), with its first 64 KiB kept as a fallback.

use memchr::memchr;

/// The longest line that is held whole.
pub const MAX_LINE: usize = 64 * 1024;

/// What a [`LineScanner`] reports, without the line ends (`\n`, or `\r\n`).
pub trait LineSink {
    /// A whole line of at most [`MAX_LINE`] bytes.
    fn line(&mut self, line: &[u8]);
    /// The next bytes of a longer line, in order from its first byte.
    fn long(&mut self, bytes: &[u8]);
    /// The end of a longer line; `head` is its first [`MAX_LINE`] bytes.
    fn long_end(&mut self, head: &[u8]);
}

/// Cuts chunks into lines.
#[derive(Debug, Default)]
pub struct LineScanner {
    /// The current line while it fits (one byte more, for a `\r` before `\n`); then its head.
    held: Vec<u8>,
    /// Whether bytes of the current line came in an earlier chunk.
    started: bool,
    /// Whether the current line is too long to hold, and streams.
    long: bool,
    /// A long line's last byte so far is a `\r`, not passed on yet: it may end the line.
    cr: bool,
}

impl LineScanner {
    /// Feeds a chunk; reports every line it completes and the bytes of a long line.
    pub fn feed(&mut self, mut chunk: &[u8], sink: &mut impl LineSink) {
        while let Some(i) = memchr(b'\n', chunk) {
            self.take(&chunk[..i], sink);
            self.end(sink);
            chunk = &chunk[i + 1..];
        }
        if !chunk.is_empty() {
            self.take(chunk, sink);
        }
    }

    /// Whether bytes of an unfinished line are held (the next chunk continues it).
    pub fn mid_line(&self) -> bool {
        self.started
    }

    /// The end of the stream: a last line without a newline is still a line.
    pub fn finish(&mut self, sink: &mut impl LineSink) {
        if self.started {
            self.end(sink);
        }
    }

    fn take(&mut self, bytes: &[u8], sink: &mut impl LineSink) {
        self.started = true;
        if !self.long && self.held.len() + bytes.len() <= MAX_LINE + 1 {
            self.held.extend_from_slice(bytes);
            return;
        }
        if !self.long {
            // The line outgrows the buffer: what was held streams first, the head stays.
            self.long = true;
            let held = std::mem::take(&mut self.held);
            self.stream(&held, sink);
            self.held = held;
            self.held.truncate(MAX_LINE);
        }
        let room = MAX_LINE.saturating_sub(self.held.len());
        self.held.extend_from_slice(&bytes[..room.min(bytes.len())]);
        self.stream(bytes, sink);
    }

    /// Passes bytes of a long line on, keeping back a last `\r`.
    fn stream(&mut self, bytes: &[u8], sink: &mut impl LineSink) {
        if bytes.is_empty() {
            return;
        }
        if std::mem::take(&mut self.cr) {
            sink.long(b"\r");
        }
        match bytes.split_last() {
            Some((b'\r', rest)) => {
                sink.long(rest);
                self.cr = true;
            }
            _ => sink.long(bytes),
        }
    }

    fn end(&mut self, sink: &mut impl LineSink) {
        if self.long {
            // A kept-back `\r` ended the line: it is not part of it.
            self.cr = false;
            sink.long_end(&self.held);
        } else {
            let line = self.held.strip_suffix(b"\r").unwrap_or(&self.held);
            if line.len() <= MAX_LINE {
                sink.line(line);
            } else {
                // MAX_LINE + 1 bytes without a `\r` at the end: one byte too long to hold.
                sink.long(line);
                sink.long_end(&line[..MAX_LINE]);
            }
        }
        self.held.clear();
        self.started = false;
        self.long = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Records what a scanner reports: whole lines, and long lines as their streamed bytes
    /// (with the length of the head they ended with).
    #[derive(Default)]
    struct Record {
        lines: Vec<Vec<u8>>,
        long: Vec<u8>,
        heads: Vec<usize>,
    }

    impl LineSink for Record {
        fn line(&mut self, line: &[u8]) {
            self.lines.push(line.to_vec());
        }
        fn long(&mut self, bytes: &[u8]) {
            self.long.extend_from_slice(bytes);
        }
        fn long_end(&mut self, head: &[u8]) {
            assert!(self.long.starts_with(head));
            self.lines.push(std::mem::take(&mut self.long));
            self.heads.push(head.len());
        }
    }

    fn lines(chunks: &[&[u8]]) -> Record {
        let mut scanner = LineScanner::default();
        let mut record = Record::default();
        for chunk in chunks {
            scanner.feed(chunk, &mut record);
        }
        scanner.finish(&mut record);
        record
    }

    #[test]
    fn lines_across_chunks_and_a_last_line_without_newline() {
        let got = lines(&[b"ab", b"c\nd\r\n\nef", b"g"]).lines;
        assert_eq!(got, [&b"abc"[..], b"d", b"", b"efg"]);
    }

    #[test]
    fn long_lines_stream_whole_in_any_chunks_without_their_crlf() {
        for len in [MAX_LINE, MAX_LINE + 1, MAX_LINE + 2, 3 * MAX_LINE] {
            let mut text: Vec<u8> = (0..len).map(|i| b'a' + (i % 26) as u8).collect();
            let line = text.clone();
            text.extend_from_slice(b"\r\nok\n");
            for step in [1000, 4096, MAX_LINE, text.len()] {
                let chunks: Vec<&[u8]> = text.chunks(step).collect();
                let got = lines(&chunks);
                assert_eq!(got.lines, [line.clone(), b"ok".to_vec()], "{len} {step}");
                let long = usize::from(len > MAX_LINE);
                assert_eq!(got.heads, vec![MAX_LINE; long], "{len} {step}");
            }
        }
    }

    #[test]
    fn a_carriage_return_inside_a_long_line_is_kept() {
        let mut text = vec![b'a'; MAX_LINE + 5];
        text.push(b'\r');
        text.push(b'b');
        let mut line = text.clone();
        text.push(b'\n');
        // The `\r` ends a chunk, the `b` starts the next.
        let at = MAX_LINE + 6;
        let got = lines(&[&text[..at], &text[at..]]).lines;
        assert_eq!(got, [std::mem::take(&mut line)]);
    }
}
