//! Matching a rule against a line too long to hold: the rule's pattern as a lazy DFA
//! (regex-automata's, the engine inside `regex`) that reads the line as it streams by, in the
//! bounded memory of its cache. Lines that fit in memory are matched by the regex itself.

use regex_automata::hybrid::LazyStateID;
use regex_automata::hybrid::dfa::{Cache, DFA};
use regex_automata::nfa::thompson;
use regex_automata::util::{start, syntax};

/// What a streamed line came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The pattern matched somewhere in the line.
    Match,
    /// It matched nowhere.
    NoMatch,
    /// The DFA had to stop: a Unicode word boundary (`\b`) next to a non-ASCII byte, which a
    /// DFA cannot judge. The caller falls back to the line's first part.
    Unknown,
}

/// One rule's pattern, reading one line at a time.
pub struct StreamMatcher {
    dfa: DFA,
    cache: Cache,
    /// Where the DFA is in the current line; `None` before its first byte.
    state: Option<LazyStateID>,
    /// Known before the end of the line (a match, or no possible match, or a quit).
    early: Option<Verdict>,
}

impl StreamMatcher {
    /// The matcher for `pattern`, with `regex::bytes::Regex`'s syntax (Unicode on, any bytes);
    /// `None` if the DFA cannot be built (the regex itself built, so this is not expected).
    pub fn new(pattern: &str) -> Option<StreamMatcher> {
        let dfa = DFA::builder()
            .syntax(syntax::Config::new().utf8(false))
            .thompson(thompson::Config::new().utf8(false))
            // Without this a pattern with a Unicode \b does not build at all; with it, the
            // DFA quits at the first non-ASCII byte (Verdict::Unknown).
            .configure(
                DFA::config()
                    .unicode_word_boundary(true)
                    // A big pattern (a{200000}) gets the cache it needs, not a build error.
                    .skip_cache_capacity_check(true),
            )
            .build(pattern)
            .ok()?;
        let cache = dfa.create_cache();
        Some(StreamMatcher {
            dfa,
            cache,
            state: None,
            early: None,
        })
    }

    /// Reads the next bytes of the current line.
    pub fn feed(&mut self, bytes: &[u8]) {
        if self.early.is_some() {
            return;
        }
        let Some(mut state) = self.state.or_else(|| self.start()) else {
            return;
        };
        for &byte in bytes {
            state = match self.dfa.next_state(&mut self.cache, state, byte) {
                Ok(next) => next,
                Err(_) => return self.stop(Verdict::Unknown),
            };
            // Tagged states are the special ones; a match shows one byte late, which does not
            // matter for "somewhere in the line".
            if state.is_tagged() {
                if state.is_match() {
                    return self.stop(Verdict::Match);
                } else if state.is_dead() {
                    return self.stop(Verdict::NoMatch);
                } else if state.is_quit() {
                    return self.stop(Verdict::Unknown);
                }
            }
        }
        self.state = Some(state);
    }

    /// The end of the line: its verdict. The next `feed` starts a new line.
    pub fn finish(&mut self) -> Verdict {
        let verdict = match self.early {
            Some(verdict) => verdict,
            None => match self.state.or_else(|| self.start()) {
                None => self.early.unwrap_or(Verdict::Unknown),
                Some(state) => match self.dfa.next_eoi_state(&mut self.cache, state) {
                    Ok(end) if end.is_match() => Verdict::Match,
                    Ok(end) if end.is_quit() => Verdict::Unknown,
                    Ok(_) => Verdict::NoMatch,
                    Err(_) => Verdict::Unknown,
                },
            },
        };
        self.state = None;
        self.early = None;
        verdict
    }

    /// The state at the start of a line (the start of the text, for `^`), searching anywhere.
    fn start(&mut self) -> Option<LazyStateID> {
        let config = start::Config::new().anchored(regex_automata::Anchored::No);
        match self.dfa.start_state(&mut self.cache, &config) {
            Ok(state) => Some(state),
            Err(_) => {
                self.stop(Verdict::Unknown);
                None
            }
        }
    }

    fn stop(&mut self, verdict: Verdict) {
        self.early = Some(verdict);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds `line` in pieces of `step` bytes.
    fn verdict(pattern: &str, line: &[u8], step: usize) -> Verdict {
        let mut m = StreamMatcher::new(pattern).unwrap();
        for piece in line.chunks(step) {
            m.feed(piece);
        }
        m.finish()
    }

    #[test]
    fn agrees_with_the_regex_in_any_pieces() {
        let lines: [&[u8]; 6] = [
            b"abc MARK def",
            b"MARK",
            b"no mark",
            b"",
            b"caf\xe9 MARK",
            b"xMARKx",
        ];
        let patterns = [
            "MARK",
            "^MARK$",
            "^.*MARK",
            "MARK$",
            r"(?-u:\b)MARK(?-u:\b)",
            r"\w{4}",
            "a{3000}",
        ];
        for pattern in patterns {
            let re = regex::bytes::Regex::new(pattern).unwrap();
            for line in lines {
                let expected = match re.is_match(line) {
                    true => Verdict::Match,
                    false => Verdict::NoMatch,
                };
                for step in [1, 2, 5, 100] {
                    assert_eq!(
                        verdict(pattern, line, step),
                        expected,
                        "{pattern} {line:?} {step}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_unicode_word_boundary_next_to_non_ascii_is_unknown() {
        assert_eq!(verdict(r"\bMARK\b", b"a MARK b", 3), Verdict::Match);
        assert_eq!(
            verdict(r"\bMARK\b", b"caf\xc3\xa9 MARK", 3),
            Verdict::Unknown
        );
    }

    #[test]
    fn lines_follow_one_another() {
        let mut m = StreamMatcher::new("^MARK").unwrap();
        m.feed(b"xMARK");
        assert_eq!(m.finish(), Verdict::NoMatch);
        m.feed(b"MA");
        m.feed(b"RKx");
        assert_eq!(m.finish(), Verdict::Match);
    }
}
