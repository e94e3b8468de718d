//! Splitting a byte stream into lines for the output rules, holding at most one line's first
//! 64 KiB, never the whole output.

use memchr::memchr;

/// The longest prefix of a line that the output rules see; the rest of a longer line is still
/// forwarded, but not matched.
pub const MAX_LINE: usize = 64 * 1024;

/// Cuts chunks into lines. A line that spans chunks is kept (up to [`MAX_LINE`] bytes) until
/// its newline or the end of the stream.
#[derive(Debug, Default)]
pub struct LineScanner {
    partial: Vec<u8>,
    /// Whether bytes of the current line came in an earlier chunk.
    started: bool,
}

impl LineScanner {
    /// Feeds a chunk; calls `on_line` with each line it completes (without `\n` or `\r\n`).
    pub fn feed(&mut self, mut chunk: &[u8], mut on_line: impl FnMut(&[u8])) {
        while let Some(i) = memchr(b'\n', chunk) {
            let piece = &chunk[..i];
            if self.started {
                self.append(piece);
                on_line(trim_cr(&self.partial));
                self.partial.clear();
                self.started = false;
            } else {
                on_line(trim_cr(&piece[..piece.len().min(MAX_LINE)]));
            }
            chunk = &chunk[i + 1..];
        }
        if !chunk.is_empty() {
            self.append(chunk);
            self.started = true;
        }
    }

    /// The end of the stream: a last line without a newline is still a line.
    pub fn finish(&mut self, mut on_line: impl FnMut(&[u8])) {
        if self.started {
            on_line(trim_cr(&self.partial));
            self.partial.clear();
            self.started = false;
        }
    }

    fn append(&mut self, bytes: &[u8]) {
        let room = MAX_LINE - self.partial.len();
        self.partial
            .extend_from_slice(&bytes[..bytes.len().min(room)]);
    }
}

fn trim_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(chunks: &[&[u8]]) -> Vec<Vec<u8>> {
        let mut scanner = LineScanner::default();
        let mut out = Vec::new();
        for chunk in chunks {
            scanner.feed(chunk, |l| out.push(l.to_vec()));
        }
        scanner.finish(|l| out.push(l.to_vec()));
        out
    }

    #[test]
    fn lines_across_chunks_and_a_last_line_without_newline() {
        let got = lines(&[b"ab", b"c\nd\r\n\nef", b"g"]);
        assert_eq!(got, [&b"abc"[..], b"d", b"", b"efg"]);
    }

    #[test]
    fn long_lines_are_cut_to_the_cap_in_one_chunk_and_across_chunks() {
        let long = vec![b'a'; MAX_LINE + 10];
        let mut one = long.clone();
        one.push(b'\n');
        assert_eq!(lines(&[&one]), [vec![b'a'; MAX_LINE]]);
        let got = lines(&[&long[..100], &long[100..], b"xyz\nok\n"]);
        assert_eq!(got, [vec![b'a'; MAX_LINE], b"ok".to_vec()]);
    }
}
