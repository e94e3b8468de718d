//! The output rules' fast path: one regex search over a whole chunk of complete lines instead
//! of one per line (as ripgrep does). The chunk's lines are searched with the same pattern in
//! multi-line, CRLF-aware mode, where `^` and `$` match at each line's start and end; lines
//! before the line where the first match starts cannot match on their own (a match in a line is
//! also a match of the chunk, starting no later), so they are skipped, and the per-line scan
//! resumes at that line. A match that spans lines only makes the per-line scan resume early.
//!
//! Patterns whose meaning depends on the text being one line (`\A`, `\z`, a flag group that
//! sets `m`) keep the per-line scan.

use crate::output_rules::{OutputRules, Seen};
use memchr::memrchr;

/// How many bytes at the start of `block` (complete lines, ending with `\n`) hold no line that
/// a rule still undecided could match: the start of the line where the earliest match begins,
/// or the whole block. 0 when a rule has no block pattern.
pub fn lines_to_skip(rules: &OutputRules, seen: &Seen, block: &[u8]) -> usize {
    let pending = [
        (
            rules.retry_if.is_some() && !seen.retry_if,
            &rules.retry_if_block,
        ),
        (rules.until.is_some() && !seen.until, &rules.until_block),
    ];
    let mut skip = block.len();
    for (undecided, pattern) in pending {
        if !undecided {
            continue;
        }
        let Some(pattern) = pattern else {
            return 0;
        };
        if let Some(found) = pattern.find(&block[..skip]) {
            skip = memrchr(b'\n', &block[..found.start()]).map_or(0, |nl| nl + 1);
        }
    }
    skip
}

#[cfg(test)]
mod tests {
    use super::*;
    use regex::bytes::Regex;

    fn rules(pattern: &str) -> OutputRules {
        OutputRules::new(Some(Regex::new(pattern).unwrap()), None, false)
    }

    #[test]
    fn lines_before_the_first_match_are_skipped() {
        let block = b"one\ntwo\r\nthree\nfour\n";
        let seen = Seen::default();
        assert_eq!(lines_to_skip(&rules("zzz"), &seen, block), block.len());
        assert_eq!(lines_to_skip(&rules("^three$"), &seen, block), 9);
        assert_eq!(lines_to_skip(&rules("two$"), &seen, block), 4);
        assert_eq!(lines_to_skip(&rules("^$"), &seen, block), block.len());
        // A match across lines: the scan resumes at its first line, which decides.
        assert_eq!(lines_to_skip(&rules("e\\stw"), &seen, block), 0);
    }

    #[test]
    fn patterns_that_need_one_line_keep_the_per_line_scan() {
        for pattern in ["\\Afoo", "foo\\z", "(?m)^foo", "(?-m)^foo", "(?im:x)"] {
            assert!(rules(pattern).retry_if_block.is_none(), "{pattern}");
        }
        for pattern in ["(?i)foo", "(?-u:\\b)foo", "^ERROR", "x$"] {
            assert!(rules(pattern).retry_if_block.is_some(), "{pattern}");
        }
        assert_eq!(lines_to_skip(&rules("\\Afoo"), &Seen::default(), b"a\n"), 0);
    }
}
