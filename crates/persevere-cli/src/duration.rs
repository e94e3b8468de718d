//! Durations on the command line: bare seconds (`1.5`) or units (`250ms`, `1m30s`, `1h 30m`).

use std::time::Duration;

/// What a duration option accepts, for usage errors.
pub const ACCEPTS: &str =
    "seconds (e.g. 1.5) or a duration with units ms, s, m, h, d (e.g. 250ms, 1m30s)";

/// The longest duration any option accepts: a year. Longer ones are typing mistakes (a wait
/// of years), and would overflow the clock's arithmetic further on.
pub const MAX: Duration = Duration::from_secs(365 * 86_400);

/// Parses a duration: a bare number of seconds (fractions allowed) or one or more
/// `<number><unit>` parts with units `ms`, `s`, `m`, `h`, `d` (spaces between parts allowed),
/// largest unit first and each unit at most once (`1h30m`, not `30m1h` or `1h1h`).
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let bad = || format!("'{text}' is not a duration: expected {ACCEPTS}");
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(bad());
    }
    let secs = match plain_seconds(trimmed) {
        Ok(secs) => secs,
        Err(()) => with_units(text, trimmed)?,
    };
    // Compared before converting: a Duration cannot hold 1e20 seconds.
    if secs > MAX.as_secs_f64() {
        return Err(format!(
            "'{text}' is too long: durations are at most 365d (a year)"
        ));
    }
    from_secs(secs).ok_or_else(bad)
}

/// `1h 30m`, in seconds: parts with units, each smaller than the one before.
fn with_units(text: &str, mut rest: &str) -> Result<f64, String> {
    let bad = || format!("'{text}' is not a duration: expected {ACCEPTS}");
    let mut total = 0.0;
    let mut last_scale = f64::INFINITY;
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
        if scale >= last_scale {
            return Err(format!(
                "'{text}' is not a duration: each unit at most once, largest first, e.g. 1h30m"
            ));
        }
        last_scale = scale;
        total += plain_seconds(number).map_err(|()| bad())? * scale;
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

/// Seconds for messages, as Python's `{:.1f}s`, with two significant digits below a tenth of
/// a second, so that short waits do not all read `0.0s`: `0.012s`, `0.0004s`.
pub fn format_seconds(d: Duration) -> String {
    let secs = d.as_secs_f64();
    if secs >= 0.1 || secs == 0.0 {
        return format!("{secs:.1}s");
    }
    // As many decimals as make two digits, up to the nine of a nanosecond (counted rather
    // than taken from log10, which would link libm at start-up for this alone).
    let mut decimals = 2;
    let mut scaled = secs * 100.0;
    while scaled < 10.0 && decimals < 9 {
        scaled *= 10.0;
        decimals += 1;
    }
    let text = format!("{secs:.decimals$}");
    format!("{}s", text.trim_end_matches('0'))
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
        assert_eq!(format_seconds(ms(1)), "0.001s");
        assert_eq!(format_seconds(Duration::from_micros(12_345)), "0.012s");
        assert_eq!(format_seconds(Duration::from_micros(400)), "0.0004s");
        assert_eq!(format_seconds(Duration::from_micros(456)), "0.00046s");
        assert_eq!(format_seconds(Duration::from_nanos(1)), "0.000000001s");
        assert_eq!(format_seconds(Duration::from_nanos(99_999_999)), "0.1s");
    }

    #[test]
    fn units_go_from_largest_to_smallest_once_each() {
        for bad in ["1h1h", "30m1h", "1s 1s", "500ms1s", "1m 2m"] {
            let err = parse_duration(bad).unwrap_err();
            assert!(
                err.contains("each unit at most once, largest first"),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn durations_are_at_most_a_year() {
        assert_eq!(parse_duration("365d"), Ok(MAX));
        for long in ["366d", "31536001", "8761h", "99999999999999999999"] {
            let err = parse_duration(long).unwrap_err();
            assert!(
                err.contains("is too long: durations are at most 365d"),
                "{long}: {err}"
            );
        }
    }
}
