//! The number grammars of the wait headers, parsed without panicking on any input: huge
//! values saturate instead of overflowing, and anything outside the grammar is `None`.

use std::time::Duration;

/// The value without the optional whitespace (spaces and tabs, RFC 9110's `OWS`) around it:
/// a field value excludes it, but some stacks hand it over.
pub(super) fn trim_ows(value: &str) -> &str {
    value.trim_matches([' ', '\t'])
}

/// `1*DIGIT`, saturating at `u64::MAX`.
pub(super) fn whole(s: &str) -> Option<u64> {
    if s.is_empty() {
        return None;
    }
    s.bytes().try_fold(0u64, |n, b| {
        b.is_ascii_digit()
            .then(|| n.saturating_mul(10).saturating_add(u64::from(b - b'0')))
    })
}

/// `1*DIGIT [ "." 1*DIGIT ]` milliseconds, to the nanosecond (further digits are dropped),
/// saturating at `Duration::MAX`.
pub(super) fn decimal_millis(s: &str) -> Option<Duration> {
    let (int, frac) = match s.split_once('.') {
        Some((int, frac)) => (int, Some(frac)),
        None => (s, None),
    };
    let millis = Duration::from_millis(whole(int)?);
    let Some(frac) = frac else {
        return Some(millis);
    };
    whole(frac)?; // digits only, at least one
    let nanos = frac
        .bytes()
        .chain(std::iter::repeat(b'0'))
        .take(6)
        .fold(0u32, |n, b| n * 10 + u32::from(b - b'0'));
    Some(millis.saturating_add(Duration::from_nanos(u64::from(nanos))))
}

/// `[ "+" / "-" ] 1*DIGIT` within `i32`'s range.
pub(super) fn signed_i32(s: &str) -> Option<i32> {
    let (negative, digits) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let magnitude = i64::try_from(whole(digits)?).ok()?;
    i32::try_from(if negative { -magnitude } else { magnitude }).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_numbers_saturate() {
        assert_eq!(whole("0"), Some(0));
        assert_eq!(whole("007"), Some(7));
        assert_eq!(whole("18446744073709551615"), Some(u64::MAX));
        assert_eq!(whole("99999999999999999999999999"), Some(u64::MAX));
        for bad in ["", "+1", "-1", "1.0", "1e3", " 1", "١"] {
            assert_eq!(whole(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn decimal_millis_keep_nanoseconds() {
        assert_eq!(decimal_millis("1.5"), Some(Duration::from_micros(1_500)));
        assert_eq!(decimal_millis("0.0000019"), Some(Duration::from_nanos(1)));
        assert_eq!(decimal_millis("2"), Some(Duration::from_millis(2)));
        for bad in ["", ".", "1.", ".5", "1.2.3", "-1", "1,5"] {
            assert_eq!(decimal_millis(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn signed_i32_stays_in_range() {
        assert_eq!(signed_i32("-2147483648"), Some(i32::MIN));
        assert_eq!(signed_i32("+2147483647"), Some(i32::MAX));
        assert_eq!(signed_i32("2147483648"), None);
        assert_eq!(signed_i32("-"), None);
        assert_eq!(signed_i32("99999999999999999999"), None);
    }
}
