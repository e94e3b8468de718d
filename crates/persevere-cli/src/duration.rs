//! Durations on the command line: bare seconds (`1.5`) or units (`250ms`, `1m30s`, `1h 30m`).

use std::time::Duration;

/// What a duration option accepts, for usage errors.
pub const ACCEPTS: &str =
    "seconds (e.g. 1.5) or a duration with units ms, s, m, h, d (e.g. 250ms, 1m30s)";

/// Parses a duration: a bare number of seconds (fractions allowed) or one or more
/// `<number><unit>` parts with units `ms`, `s`, `m`, `h`, `d` (spaces between parts allowed).
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let bad = || format!("'{text}' is not a duration: expected {ACCEPTS}");
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(bad());
    }
    if let Ok(secs) = plain_seconds(trimmed) {
        return from_secs(secs).ok_or_else(bad);
    }
    let mut total = Duration::ZERO;
    let mut rest = trimmed;
    while !rest.is_empty() {
        let number_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(bad)?;
        let (number, after) = rest.split_at(number_len);
        let unit_len = after
            .find(|c: char| !c.is_ascii_alphabetic())
            .unwrap_or(after.len());
        let (unit, after) = after.split_at(unit_len);
        let scale = match unit {
            "ms" => 0.001,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            "d" => 86_400.0,
            _ => return Err(bad()),
        };
        let value = plain_seconds(number).map_err(|()| bad())?;
        let part = from_secs(value * scale).ok_or_else(bad)?;
        total = total.checked_add(part).ok_or_else(bad)?;
        rest = after.trim_start();
    }
    Ok(total)
}

/// A non-negative decimal number (no sign, no exponent, no `inf`/`nan`).
fn plain_seconds(text: &str) -> Result<f64, ()> {
    let digits_and_dot = text.chars().all(|c| c.is_ascii_digit() || c == '.');
    if text.is_empty() || !digits_and_dot || !text.chars().any(|c| c.is_ascii_digit()) {
        return Err(());
    }
    text.parse::<f64>().map_err(|_| ())
}

fn from_secs(secs: f64) -> Option<Duration> {
    Duration::try_from_secs_f64(secs).ok()
}

/// Seconds for messages, as Python's `{:.1f}s`, with more digits below a tenth of a second so
/// that millisecond waits do not all read `0.0s`.
pub fn format_seconds(d: Duration) -> String {
    let secs = d.as_secs_f64();
    if secs >= 0.1 || secs == 0.0 {
        format!("{secs:.1}s")
    } else {
        let text = format!("{secs:.3}");
        let text = text.trim_end_matches('0');
        format!("{text}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn accepts_bare_seconds_units_and_compounds() {
        assert_eq!(parse_duration("2"), Ok(ms(2000)));
        assert_eq!(parse_duration("0.25"), Ok(ms(250)));
        assert_eq!(parse_duration("250ms"), Ok(ms(250)));
        assert_eq!(parse_duration("1.5s"), Ok(ms(1500)));
        assert_eq!(parse_duration("1m30s"), Ok(ms(90_000)));
        assert_eq!(parse_duration("1h 30m"), Ok(ms(5_400_000)));
        assert_eq!(parse_duration("1d"), Ok(ms(86_400_000)));
        assert_eq!(parse_duration("0"), Ok(Duration::ZERO));
    }

    #[test]
    fn rejects_what_is_not_a_duration() {
        for bad in [
            "", "-1", "1x", "ms", "1.2.3s", "inf", "nan", "1e3", "s1", "1 2",
        ] {
            let err = parse_duration(bad).unwrap_err();
            assert!(err.contains("is not a duration"), "{bad}: {err}");
        }
    }

    #[test]
    fn huge_values_are_rejected_not_wrapped() {
        assert!(parse_duration("1e400").is_err());
        assert!(parse_duration("99999999999999999999999d").is_err());
    }

    #[test]
    fn formats_like_python_with_digits_for_small_waits() {
        assert_eq!(format_seconds(ms(1300)), "1.3s");
        assert_eq!(format_seconds(ms(100)), "0.1s");
        assert_eq!(format_seconds(ms(10)), "0.01s");
        assert_eq!(format_seconds(ms(40)), "0.04s");
        assert_eq!(format_seconds(Duration::ZERO), "0.0s");
    }
}
