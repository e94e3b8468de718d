//! Sets of exit codes: `--retry-on-exit 1,2,10-20` and `--stop-on-exit 3`.

use std::fmt;
use std::str::FromStr;

/// What an exit-code option accepts, for usage errors.
pub const ACCEPTS: &str = "exit codes 0-255 as a list with ranges, e.g. 1,2,10-20";

/// A set of exit codes (0-255). Every item of the list counts (one peer read only the first).
#[derive(Clone, PartialEq, Eq)]
pub struct ExitCodes([bool; 256]);

impl ExitCodes {
    /// Whether `code` is in the set.
    pub fn contains(&self, code: i32) -> bool {
        usize::try_from(code).is_ok_and(|i| i < 256 && self.0[i])
    }
}

impl FromStr for ExitCodes {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let bad = || format!("'{text}' is not a list of exit codes: expected {ACCEPTS}");
        // Digits only: `str::parse` would take a sign too (`+5`).
        let code = |s: &str| {
            let s = s.trim();
            match !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
                true => s.parse::<u8>().map_err(|_| bad()),
                false => Err(bad()),
            }
        };
        let mut set = [false; 256];
        for item in text.split(',') {
            let (low, high) = match item.split_once('-') {
                Some((low, high)) => (code(low)?, code(high)?),
                None => (code(item)?, code(item)?),
            };
            if low > high {
                return Err(bad());
            }
            for c in low..=high {
                set[usize::from(c)] = true;
            }
        }
        Ok(ExitCodes(set))
    }
}

impl fmt::Debug for ExitCodes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let codes: Vec<usize> = (0..256).filter(|&c| self.0[c]).collect();
        f.debug_tuple("ExitCodes").field(&codes).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_item_and_range_counts() {
        let set: ExitCodes = "1,2,10-12, 255".parse().unwrap();
        let members: Vec<i32> = (-1..300).filter(|&c| set.contains(c)).collect();
        assert_eq!(members, [1, 2, 10, 11, 12, 255]);
    }

    #[test]
    fn rejects_bad_lists() {
        for bad in [
            "", "x", "1,", "256", "-1", "5-3", "1-2-3", "1..3", "+5", "1-+3",
        ] {
            let err = bad.parse::<ExitCodes>().unwrap_err();
            assert!(err.contains("is not a list of exit codes"), "{bad}: {err}");
        }
    }
}
