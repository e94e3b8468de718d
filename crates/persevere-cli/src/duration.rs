//! Durations on the command line: bare seconds (`1.5`) or units (`250ms`, `1m30s`, `1h 30m`).

use persevere::wait::parse::{self, DurationErrorKind};
use std::time::Duration;

/// The longest duration any option accepts: a year. Longer ones are typing mistakes (a wait
/// of years), and would overflow the clock's arithmetic further on.
pub const MAX: Duration = Duration::from_secs(365 * 86_400);

/// Parses a duration in the library's one grammar (the attribute macros accept the same):
/// a number of seconds (`1.5`, `1e-3`) or `<number><unit>` parts with units `d h m s ms us ns`,
/// largest first and each at most once (`1h30m`, not `30m1h` or `1h1h`); at most [`MAX`].
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let duration = parse::parse_duration(text).map_err(|e| match e.kind() {
        DurationErrorKind::TooLong => too_long(text),
        _ => format!(
            "'{text}' is not a duration: {}; expected {}",
            e.describe(text),
            parse::ACCEPTS
        ),
    })?;
    if duration > MAX {
        return Err(too_long(text));
    }
    // A positive duration below a nanosecond (`1e-12`) is a nanosecond, not zero: zero means
    // "no limit" for --timeout and --max-time (coreutils' timeout fixed the same in 9.7).
    if duration.is_zero() && nonzero_mantissa(text) {
        return Ok(Duration::from_nanos(1));
    }
    Ok(duration)
}

/// Whether a digit other than 0 appears outside the exponents (`1e-12`: yes; `0e5`: no).
fn nonzero_mantissa(text: &str) -> bool {
    let mut in_exponent = false;
    for c in text.chars() {
        match c {
            'e' | 'E' => in_exponent = true,
            '0'..='9' if in_exponent => {}
            '+' | '-' if in_exponent => {}
            '1'..='9' => return true,
            _ => in_exponent = false,
        }
    }
    false
}

fn too_long(text: &str) -> String {
    format!("'{text}' is too long: durations are at most 365d (a year)")
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

    /// `--timeout 1e-12` became 0, which means no limit.
    #[test]
    fn below_a_nanosecond_rounds_up_and_zero_stays_zero() {
        let ns = Duration::from_nanos(1);
        assert_eq!(parse_duration("1e-12"), Ok(ns));
        assert_eq!(parse_duration("1e-10000"), Ok(ns));
        assert_eq!(parse_duration("0.4ns"), Ok(ns));
        assert_eq!(parse_duration("0e5"), Ok(Duration::ZERO));
        assert_eq!(parse_duration("0.000s"), Ok(Duration::ZERO));
        assert_eq!(parse_duration("0ms"), Ok(Duration::ZERO));
    }

    #[test]
    fn rejects_what_is_not_a_duration_and_quotes_the_part() {
        for (bad, why) in [
            ("", "empty"),
            ("-1", "must not be negative"),
            ("1x", "unknown unit `x`"),
            ("ms", "`ms` is not a number"),
            ("1.2.3s", "is not a number"),
            ("inf", "is not a number"),
            ("nan", "is not a number"),
            ("s1", "is not a number"),
            ("1 2", "needs a unit"),
        ] {
            let err = parse_duration(bad).unwrap_err();
            assert!(
                err.starts_with(&format!("'{bad}' is not a duration: ")),
                "{bad}: {err}"
            );
            assert!(err.contains(why), "{bad}: {err}");
        }
    }

    #[test]
    fn exponents_and_small_units_are_the_library_grammar() {
        assert_eq!(parse_duration("1e3"), Ok(ms(1_000_000)));
        assert_eq!(parse_duration("1e-3"), Ok(ms(1)));
        assert_eq!(parse_duration("1ms 500us"), Ok(Duration::from_micros(1500)));
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
        for (bad, why) in [
            ("1h1h", "the unit `h` appears twice"),
            ("1s 1s", "the unit `s` appears twice"),
            (
                "30m1h",
                "the unit `h` comes after a smaller one (write the largest first)",
            ),
            ("500ms1s", "the unit `s` comes after a smaller one"),
            ("1m 2m", "the unit `m` appears twice"),
        ] {
            let err = parse_duration(bad).unwrap_err();
            assert!(err.contains(why), "{bad}: {err}");
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
