//! Durations and numbers of seconds written as text: the one grammar that the attribute macros
//! (`max_time = "1m30s"`) and the `persevere` command (`--max-time 1m30s`) accept.
//!
//! - A number of seconds: `10`, `0.5`, `1e-3` (decimal digits, an optional fraction and an
//!   optional exponent; no sign, no `inf` or `nan`).
//! - A duration with units: one or more `<number><unit>` parts, units `d`, `h`, `m`, `s`, `ms`,
//!   `us` (or `µs`), `ns`, each at most once and from the largest to the smallest (`1h30m`,
//!   `1m 30s`, `1.5s`); spaces may separate the parts and a number from its unit.
//!
//! Values are exact: integer nanoseconds, rounded to the nearest one. Anything beyond
//! `Duration::MAX` is an error, never a wrap-around.

use core::fmt;
use core::ops::Range;
use core::time::Duration;

const NANOS_PER_SEC: u128 = 1_000_000_000;

/// The units, from the largest to the smallest, with their length in nanoseconds.
const UNITS: [(&str, u128); 8] = [
    ("d", 86_400 * NANOS_PER_SEC),
    ("h", 3_600 * NANOS_PER_SEC),
    ("m", 60 * NANOS_PER_SEC),
    ("s", NANOS_PER_SEC),
    ("ms", 1_000_000),
    ("us", 1_000),
    ("µs", 1_000),
    ("ns", 1),
];

/// Why a text is not a duration. [`span`](DurationError::span) locates the offending part in
/// the input, so that a caller can quote it.
///
/// ```
/// use persevere_wait::parse::{parse_duration, DurationErrorKind};
///
/// let error = parse_duration("1h1h").unwrap_err();
/// assert_eq!(error.kind(), DurationErrorKind::RepeatedUnit("h"));
/// assert_eq!(error.to_string(), "the unit `h` appears twice");
/// assert_eq!(&"1h1h"[error.span()], "1h");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DurationError {
    kind: DurationErrorKind,
    span: Range<usize>,
}

/// The kinds of [`DurationError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DurationErrorKind {
    /// Nothing but spaces.
    Empty,
    /// A leading minus sign.
    Negative,
    /// Not a number where one was expected.
    Malformed,
    /// A number without a unit in a duration with units.
    MissingUnit,
    /// A unit that is not one of `d h m s ms us µs ns`.
    UnknownUnit,
    /// A unit given twice (`1h1h`).
    RepeatedUnit(&'static str),
    /// A unit after a smaller one (`1s1m`).
    UnitOrder(&'static str),
    /// Longer than `Duration::MAX`.
    TooLong,
}

impl DurationError {
    fn new(kind: DurationErrorKind, span: Range<usize>) -> Self {
        DurationError { kind, span }
    }

    /// What is wrong.
    pub fn kind(&self) -> DurationErrorKind {
        self.kind
    }

    /// The byte range of the input that is wrong.
    pub fn span(&self) -> Range<usize> {
        self.span.clone()
    }

    /// What is wrong, quoting the offending part of `text` (the input that gave this error):
    /// "unknown unit `parsecs` (use d, h, m, s, ms, us or ns)".
    ///
    /// ```
    /// use persevere_wait::parse::parse_duration;
    /// let text = "5 parsecs";
    /// let error = parse_duration(text).unwrap_err();
    /// assert_eq!(error.describe(text), "unknown unit `parsecs` (use d, h, m, s, ms, us or ns)");
    /// ```
    #[cfg(feature = "alloc")]
    pub fn describe(&self, text: &str) -> alloc::string::String {
        use alloc::format;
        let part = text.get(self.span.clone()).unwrap_or(text).trim();
        match self.kind {
            DurationErrorKind::UnknownUnit => {
                let unit = part.trim_start_matches(|c: char| {
                    c.is_ascii_digit() || c == '.' || c == '_' || c.is_whitespace()
                });
                format!("unknown unit `{unit}` (use d, h, m, s, ms, us or ns)")
            }
            DurationErrorKind::Malformed => format!("`{part}` is not a number"),
            DurationErrorKind::MissingUnit => format!("`{part}` needs a unit"),
            _ => format!("{self}"),
        }
    }
}

impl fmt::Display for DurationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            DurationErrorKind::Empty => f.write_str("empty"),
            DurationErrorKind::Negative => f.write_str("must not be negative"),
            DurationErrorKind::Malformed => f.write_str("not a number"),
            DurationErrorKind::MissingUnit => f.write_str("a number needs a unit"),
            DurationErrorKind::UnknownUnit => {
                f.write_str("unknown unit (use d, h, m, s, ms, us or ns)")
            }
            DurationErrorKind::RepeatedUnit(unit) => write!(f, "the unit `{unit}` appears twice"),
            DurationErrorKind::UnitOrder(unit) => {
                write!(
                    f,
                    "the unit `{unit}` comes after a smaller one (write the largest first)"
                )
            }
            DurationErrorKind::TooLong => f.write_str("too long for a duration"),
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for DurationError {}

/// What [`parse_duration`] and [`parse_seconds`] accept, in words, for messages.
pub const ACCEPTS: &str =
    "seconds (e.g. 1.5) or a duration with units d, h, m, s, ms, us, ns (e.g. 250ms, 1m30s)";

/// A number of seconds (`10`, `0.5`, `1e-3`).
///
/// ```
/// use persevere_wait::parse::parse_seconds;
/// use core::time::Duration;
///
/// assert_eq!(parse_seconds("0.25"), Ok(Duration::from_millis(250)));
/// assert!(parse_seconds("-1").is_err());
/// ```
pub fn parse_seconds(text: &str) -> Result<Duration, DurationError> {
    let (start, trimmed) = trim(text);
    if trimmed.is_empty() {
        return Err(DurationError::new(DurationErrorKind::Empty, 0..text.len()));
    }
    if trimmed.starts_with('-') {
        return Err(DurationError::new(
            DurationErrorKind::Negative,
            start..start + trimmed.len(),
        ));
    }
    let span = start..start + trimmed.len();
    decimal_nanos(trimmed, NANOS_PER_SEC)
        .and_then(to_duration)
        .map_err(|kind| DurationError::new(kind, span))
}

/// A duration with units (`250ms`, `1m30s`, `1h 30m`), or a number of seconds (`1.5`).
///
/// ```
/// use persevere_wait::parse::parse_duration;
/// use core::time::Duration;
///
/// assert_eq!(parse_duration("1m30s"), Ok(Duration::from_secs(90)));
/// assert_eq!(parse_duration("1.5"), Ok(Duration::from_millis(1500)));
/// assert!(parse_duration("1s1m").is_err());
/// ```
pub fn parse_duration(text: &str) -> Result<Duration, DurationError> {
    let (start, trimmed) = trim(text);
    match parse_seconds(trimmed) {
        Ok(seconds) => return Ok(seconds),
        // A number too long as seconds is too long with units too.
        Err(e) if e.kind() == DurationErrorKind::TooLong => {
            return Err(DurationError::new(e.kind, start..start + trimmed.len()));
        }
        Err(_) => {}
    }
    if trimmed.is_empty() {
        return Err(DurationError::new(DurationErrorKind::Empty, 0..text.len()));
    }
    if trimmed.starts_with('-') {
        return Err(DurationError::new(
            DurationErrorKind::Negative,
            start..start + trimmed.len(),
        ));
    }
    let mut total: u128 = 0;
    let mut position = start;
    let mut rest = trimmed;
    // The index in UNITS of the last unit, so that each later one is strictly smaller.
    let mut last_unit: Option<usize> = None;
    while !rest.is_empty() {
        let number_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '_'))
            .unwrap_or(rest.len());
        let (number, after_number) = rest.split_at(number_len);
        let spaces = after_number.len() - after_number.trim_start().len();
        let after_spaces = &after_number[spaces..];
        let unit_len = after_spaces
            .find(|c: char| !c.is_alphabetic())
            .unwrap_or(after_spaces.len());
        let (unit, after_unit) = after_spaces.split_at(unit_len);
        let part_span = position..position + number_len + spaces + unit_len;
        let fail = |kind| Err(DurationError::new(kind, part_span.clone()));
        if number.is_empty() {
            return fail(DurationErrorKind::Malformed);
        }
        if unit.is_empty() {
            return fail(DurationErrorKind::MissingUnit);
        }
        let Some(index) = UNITS.iter().position(|(name, _)| *name == unit) else {
            return fail(DurationErrorKind::UnknownUnit);
        };
        // `us` and `µs` are one unit.
        let rank = if index >= 6 { index - 1 } else { index };
        match last_unit {
            Some(last) if last == rank => {
                return fail(DurationErrorKind::RepeatedUnit(UNITS[index].0));
            }
            Some(last) if last > rank => return fail(DurationErrorKind::UnitOrder(UNITS[index].0)),
            _ => last_unit = Some(rank),
        }
        let part = match decimal_nanos(number, UNITS[index].1) {
            Ok(part) => part,
            Err(kind) => return fail(kind),
        };
        total = match total.checked_add(part) {
            Some(total) => total,
            None => return fail(DurationErrorKind::TooLong),
        };
        let consumed = number_len + spaces + unit_len;
        let next = after_unit.trim_start();
        position += consumed + (after_unit.len() - next.len());
        rest = next;
    }
    to_duration(total).map_err(|kind| DurationError::new(kind, start..start + trimmed.len()))
}

fn trim(text: &str) -> (usize, &str) {
    let trimmed_start = text.trim_start();
    let start = text.len() - trimmed_start.len();
    (start, trimmed_start.trim_end())
}

/// `text` (decimal digits, an optional fraction and exponent, `_` separators) times `scale`
/// nanoseconds, rounded to the nearest nanosecond.
fn decimal_nanos(text: &str, scale: u128) -> Result<u128, DurationErrorKind> {
    let (mantissa, exponent) = match text.find(['e', 'E']) {
        Some(i) => {
            let exp = text[i + 1..]
                .parse::<i32>()
                .map_err(|_| DurationErrorKind::Malformed)?;
            (&text[..i], exp)
        }
        None => (text, 0),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = |part: &str| part.chars().all(|c| c.is_ascii_digit() || c == '_');
    let has_digit = mantissa.chars().any(|c| c.is_ascii_digit());
    if !has_digit || !digits(whole) || !digits(fraction) || whole.starts_with('_') {
        return Err(DurationErrorKind::Malformed);
    }
    // Digits beyond what a u128 holds cannot change a value that must fit a Duration.
    let mut significand: u128 = 0;
    let mut fraction_digits: i32 = 0;
    for (c, in_fraction) in whole
        .chars()
        .map(|c| (c, false))
        .chain(fraction.chars().map(|c| (c, true)))
    {
        let Some(digit) = c.to_digit(10) else {
            continue; // `_`
        };
        significand = significand
            .checked_mul(10)
            .and_then(|s| s.checked_add(u128::from(digit)))
            .ok_or(DurationErrorKind::TooLong)?;
        if in_fraction {
            fraction_digits += 1;
        }
    }
    let power = exponent.saturating_sub(fraction_digits);
    let scaled = significand
        .checked_mul(scale)
        .ok_or(DurationErrorKind::TooLong)?;
    if significand == 0 {
        return Ok(0);
    }
    if power >= 0 {
        10u128
            .checked_pow(power.unsigned_abs())
            .and_then(|p| scaled.checked_mul(p))
            .ok_or(DurationErrorKind::TooLong)
    } else {
        Ok(match 10u128.checked_pow(power.unsigned_abs()) {
            // Rounded half up (saturating: a value that large is too long anyway).
            Some(p) => scaled.saturating_add(p / 2) / p,
            None => 0,
        })
    }
}

fn to_duration(nanos: u128) -> Result<Duration, DurationErrorKind> {
    let secs = nanos / NANOS_PER_SEC;
    let secs = u64::try_from(secs).map_err(|_| DurationErrorKind::TooLong)?;
    Ok(Duration::new(secs, (nanos % NANOS_PER_SEC) as u32))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn seconds_units_and_compounds() {
        assert_eq!(parse_duration("2"), Ok(ms(2000)));
        assert_eq!(parse_duration(" 0.25 "), Ok(ms(250)));
        assert_eq!(parse_duration("1e-3"), Ok(ms(1)));
        assert_eq!(parse_duration("250ms"), Ok(ms(250)));
        assert_eq!(parse_duration("1.5s"), Ok(ms(1500)));
        assert_eq!(parse_duration("1m30s"), Ok(ms(90_000)));
        assert_eq!(parse_duration("1h 30m"), Ok(ms(5_400_000)));
        assert_eq!(parse_duration("1 h"), Ok(ms(3_600_000)));
        assert_eq!(parse_duration("1d"), Ok(ms(86_400_000)));
        assert_eq!(parse_duration("2h 5us"), Ok(Duration::new(7_200, 5_000)));
        assert_eq!(parse_duration("1_000ms"), Ok(ms(1000)));
        assert_eq!(parse_duration("0"), Ok(Duration::ZERO));
        assert_eq!(parse_seconds("0.1"), Ok(ms(100)));
        assert_eq!(parse_seconds("2.5e1"), Ok(ms(25_000)));
    }

    #[test]
    fn what_is_not_a_duration_says_why_and_where() {
        let kind = |t: &str| parse_duration(t).unwrap_err().kind();
        assert_eq!(kind(""), DurationErrorKind::Empty);
        assert_eq!(kind("   "), DurationErrorKind::Empty);
        assert_eq!(kind("-1"), DurationErrorKind::Negative);
        assert_eq!(kind("-1s"), DurationErrorKind::Negative);
        assert_eq!(kind("1x"), DurationErrorKind::UnknownUnit);
        assert_eq!(kind("5 parsecs"), DurationErrorKind::UnknownUnit);
        assert_eq!(kind("ms"), DurationErrorKind::Malformed);
        assert_eq!(kind("1.2.3s"), DurationErrorKind::Malformed);
        assert_eq!(kind("inf"), DurationErrorKind::Malformed);
        assert_eq!(kind("nan"), DurationErrorKind::Malformed);
        assert_eq!(kind("1 2"), DurationErrorKind::MissingUnit);
        assert_eq!(kind("1h1h"), DurationErrorKind::RepeatedUnit("h"));
        assert_eq!(kind("1us2µs"), DurationErrorKind::RepeatedUnit("µs"));
        assert_eq!(kind("1s1m"), DurationErrorKind::UnitOrder("m"));
        assert_eq!(kind("1e400"), DurationErrorKind::TooLong);
        assert_eq!(kind("99999999999999999999999d"), DurationErrorKind::TooLong);
        let text = "1h 2x";
        assert_eq!(&text[parse_duration(text).unwrap_err().span()], "2x");
    }

    #[test]
    fn the_largest_duration_is_accepted_and_one_more_nanosecond_is_not() {
        assert_eq!(
            parse_seconds("18446744073709551615.999999999"),
            Ok(Duration::MAX)
        );
        assert_eq!(
            parse_seconds("18446744073709551616").unwrap_err().kind(),
            DurationErrorKind::TooLong
        );
    }
}
