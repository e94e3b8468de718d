//! The output rules (`--retry-if-output`, `--until-output`): a command's output, cut into any
//! chunks, is matched line by line exactly as the regex matches each whole line. Lines longer
//! than 64 KiB stream through a lazy DFA; the one documented exception is a Unicode `\b` next
//! to a non-ASCII byte in such a line, which falls back to the line's first 64 KiB.
//!
//! Input: a byte of flags (which rules; how many times the text repeats, to reach long lines),
//! a byte that seeds the chunk sizes, the pattern up to a NUL byte, then the output.

use persevere_cli::fuzzing::{MAX_LINE, OutputRules, OutputScan, Seen, StreamMatcher, Verdict};
use regex::bytes::{Regex, RegexBuilder};

/// The most output one input makes (its text repeated), to keep runs fast.
const MAX_OUTPUT: usize = 3 * MAX_LINE;

pub fn check(data: &[u8]) {
    let [flags, seed, rest @ ..] = data else {
        return;
    };
    let Some(nul) = rest.iter().position(|&b| b == 0) else {
        return;
    };
    let Ok(pattern) = std::str::from_utf8(&rest[..nul]) else {
        return;
    };
    // As the command builds it (`regex::bytes`), with a size limit so that no input spends
    // the run compiling a huge pattern.
    let Ok(regex) = RegexBuilder::new(pattern).size_limit(1 << 16).build() else {
        return;
    };
    let body = &rest[nul + 1..];
    let repeats = 1 + usize::from(flags >> 2) * 1024;
    let mut output = Vec::new();
    while output.len() + body.len() <= MAX_OUTPUT && output.len() / body.len().max(1) < repeats {
        if body.is_empty() {
            break;
        }
        output.extend_from_slice(body);
    }
    // As the command builds them, with the patterns that search many lines at once.
    let rules = OutputRules::new(
        (flags & 1 != 0).then(|| regex.clone()),
        (flags & 2 != 0).then(|| regex.clone()),
        false,
    );
    if !rules.any() {
        return;
    }
    let expected = expected_match(&regex, &output);
    let mut seen = Seen::default();
    let mut scan = OutputScan::default();
    for chunk in chunks(&output, *seed) {
        scan.feed(&rules, &mut seen, chunk);
    }
    scan.finish(&rules, &mut seen);
    if rules.retry_if.is_some() {
        assert_eq!(seen.retry_if, expected, "{pattern:?}");
    }
    if rules.until.is_some() {
        assert_eq!(seen.until, expected, "{pattern:?}");
    }
}

/// Whether some line of `output` matches, as documented: lines end at `\n` (a `\r` before it
/// is not part of the line), a last line without one counts.
fn expected_match(regex: &Regex, output: &[u8]) -> bool {
    let mut lines: Vec<&[u8]> = output.split(|&b| b == b'\n').collect();
    if lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    lines.into_iter().any(|line| {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.len() <= MAX_LINE {
            return regex.is_match(line);
        }
        let mut stream = StreamMatcher::new(regex.as_str()).expect("the regex built");
        stream.feed(line);
        match stream.finish() {
            Verdict::Match => {
                assert!(
                    regex.is_match(line),
                    "streamed match the regex does not see"
                );
                true
            }
            Verdict::NoMatch => {
                assert!(
                    !regex.is_match(line),
                    "streamed no-match the regex contradicts"
                );
                false
            }
            Verdict::Unknown => {
                assert!(!line.is_ascii(), "unknown on an ASCII line");
                regex.is_match(&line[..MAX_LINE])
            }
        }
    })
}

/// `output` cut into chunks of sizes from 1 byte to 64 KiB, drawn from `seed`.
fn chunks(output: &[u8], seed: u8) -> Vec<&[u8]> {
    let mut state = u32::from(seed).wrapping_mul(2_654_435_761) | 1;
    let mut rest = output;
    let mut chunks = Vec::new();
    while !rest.is_empty() {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let size = match state % 4 {
            0 => 1 + (state >> 8) as usize % 16,
            1 => 1 + (state >> 8) as usize % 4096,
            _ => 1 + (state >> 8) as usize % (64 * 1024),
        };
        let (chunk, after) = rest.split_at(size.min(rest.len()));
        chunks.push(chunk);
        rest = after;
    }
    chunks
}
