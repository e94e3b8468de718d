//! `persevere::http`: every form and edge of each wait header, the classifiers, and property
//! tests that no input panics and that formatted values parse back.

#![cfg(feature = "http")]

use persevere::http::{
    Pushback, grpc_retry_pushback_ms, header_wait, is_idempotent_method, is_transient_status,
    retry_after,
};
use proptest::prelude::*;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

fn secs(s: u64) -> Option<Duration> {
    Some(Duration::from_secs(s))
}

fn ms(m: u64) -> Option<Duration> {
    Some(Duration::from_millis(m))
}

/// Sun, 06 Nov 1994 08:49:37 GMT: RFC 9110's example date.
fn rfc_now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(784_111_777)
}

fn check_retry_after(now: SystemTime, cases: &[(&str, Option<Duration>)]) {
    for &(value, expected) in cases {
        assert_eq!(retry_after(value, now), expected, "{value:?}");
    }
}

// ---------------------------------------------------------------- Retry-After

#[test]
fn delay_seconds() {
    check_retry_after(
        rfc_now(),
        &[
            ("0", secs(0)),
            ("120", secs(120)),
            ("007", secs(7)),
            ("86400", secs(86_400)),
        ],
    );
}

#[test]
fn delay_seconds_overflow_saturates() {
    check_retry_after(
        rfc_now(),
        &[
            ("18446744073709551615", secs(u64::MAX)),
            ("18446744073709551616", secs(u64::MAX)),
            ("99999999999999999999999999999999999999", secs(u64::MAX)),
        ],
    );
}

#[test]
fn whitespace_around_the_value_is_ignored_and_inside_it_is_not() {
    check_retry_after(
        rfc_now(),
        &[
            (" 120", secs(120)),
            ("120\t", secs(120)),
            (" \t120 \t", secs(120)),
            ("  Sun, 06 Nov 1994 08:49:47 GMT ", secs(10)),
            ("1 20", None),
            ("\n120", None),
            ("120\r\n", None),
            ("Sun, 06 Nov 1994  08:49:47 GMT", None),
        ],
    );
}

#[test]
fn empty_negative_fractional_and_signed_values_are_not_delay_seconds() {
    check_retry_after(
        rfc_now(),
        &[
            ("", None),
            ("   ", None),
            ("-1", None),
            ("-0", None),
            ("+5", None),
            ("1.5", None),
            ("1.0", None),
            (".5", None),
            ("1e3", None),
            ("0x10", None),
            ("120s", None),
            ("١٢٠", None), // Arabic-Indic digits are not DIGIT
        ],
    );
}

#[test]
fn imf_fixdate() {
    check_retry_after(
        rfc_now(),
        &[
            ("Sun, 06 Nov 1994 08:49:37 GMT", Some(Duration::ZERO)),
            ("Sun, 06 Nov 1994 08:51:37 GMT", secs(120)),
            ("Mon, 07 Nov 1994 08:49:37 GMT", secs(86_400)),
            ("Thu, 29 Feb 1996 00:00:00 GMT", secs(41_440_223)),
            (
                "Fri, 31 Dec 9999 23:59:59 GMT",
                secs(253_402_300_799 - 784_111_777),
            ),
        ],
    );
}

#[test]
fn rfc850_date() {
    check_retry_after(
        rfc_now(),
        &[
            ("Sunday, 06-Nov-94 08:49:37 GMT", Some(Duration::ZERO)),
            ("Sunday, 06-Nov-94 08:50:37 GMT", secs(60)),
            ("Monday, 07-Nov-94 08:49:37 GMT", secs(86_400)),
            ("Sun, 06-Nov-94 08:50:37 GMT", None), // the short day name belongs to the other forms
        ],
    );
}

#[test]
fn asctime_date() {
    check_retry_after(
        rfc_now(),
        &[
            ("Sun Nov  6 08:49:47 1994", secs(10)),
            ("Sun Nov 06 08:49:47 1994", secs(10)), // 2DIGIT is allowed too
            ("Mon Nov  7 08:49:37 1994", secs(86_400)),
            ("Wed Nov 16 08:49:37 1994", secs(10 * 86_400)),
            ("Sun Nov 6 08:49:47 1994", None),
            ("Sun Nov  6 08:49:47 94", None),
        ],
    );
}

#[test]
fn a_date_in_the_past_is_a_wait_of_zero() {
    check_retry_after(
        rfc_now(),
        &[
            ("Sat, 05 Nov 1994 08:49:37 GMT", Some(Duration::ZERO)),
            ("Sun, 06 Nov 1994 08:49:36 GMT", Some(Duration::ZERO)),
            ("Thu, 01 Jan 1970 00:00:00 GMT", Some(Duration::ZERO)),
            ("Sat, 01 Jan 0000 00:00:00 GMT", Some(Duration::ZERO)),
            ("Saturday, 05-Nov-94 08:49:37 GMT", Some(Duration::ZERO)),
            ("Sat Nov  5 08:49:37 1994", Some(Duration::ZERO)),
        ],
    );
}

#[test]
fn the_wait_is_counted_from_now_to_the_nanosecond_and_before_1970() {
    let now = rfc_now() + Duration::from_millis(250);
    assert_eq!(
        retry_after("Sun, 06 Nov 1994 08:49:38 GMT", now),
        Some(Duration::from_millis(750))
    );
    let before_1970 = UNIX_EPOCH - Duration::from_secs(10);
    assert_eq!(
        retry_after("Thu, 01 Jan 1970 00:00:00 GMT", before_1970),
        secs(10)
    );
}

#[test]
fn a_wrong_weekday_is_refused() {
    check_retry_after(
        rfc_now(),
        &[
            ("Mon, 06 Nov 1994 08:49:37 GMT", None),
            ("Monday, 06-Nov-94 08:49:37 GMT", None),
            ("Mon Nov  6 08:49:37 1994", None),
        ],
    );
}

#[test]
fn a_day_that_does_not_exist_is_refused() {
    check_retry_after(
        rfc_now(),
        &[
            ("Wed, 29 Feb 1995 00:00:00 GMT", None), // 1995 is a common year
            ("Thu, 01 Mar 1995 00:00:00 GMT", None), // a real date, the wrong weekday
            ("Wed, 01 Mar 1995 00:00:00 GMT", secs(9_904_223)),
            (
                "Tue, 29 Feb 2000 00:00:00 GMT",
                secs(951_782_400 - 784_111_777),
            ), // 400-year leap
            ("Mon, 29 Feb 2100 00:00:00 GMT", None), // 100-year rule: common
            ("Sun, 31 Apr 1994 00:00:00 GMT", None),
            ("Sun, 00 Nov 1994 08:49:37 GMT", None),
            ("Sun, 32 Nov 1994 08:49:37 GMT", None),
        ],
    );
}

#[test]
fn times_of_day_are_checked_and_a_leap_second_is_the_next_minutes_first() {
    check_retry_after(
        rfc_now(),
        &[
            ("Sun, 06 Nov 1994 08:49:60 GMT", secs(23)),
            ("Sun, 06 Nov 1994 08:49:61 GMT", None),
            ("Sun, 06 Nov 1994 08:60:00 GMT", None),
            ("Sun, 06 Nov 1994 24:00:00 GMT", None),
            ("Sun, 06 Nov 1994 08:49 GMT", None),
            ("Sun, 06 Nov 1994 8:49:37 GMT", None),
            ("Sun, 06 Nov 1994 08-49-37 GMT", None),
        ],
    );
}

#[test]
fn names_are_case_sensitive_and_the_zone_is_gmt() {
    check_retry_after(
        rfc_now(),
        &[
            ("sun, 06 Nov 1994 08:49:47 GMT", None),
            ("SUN, 06 Nov 1994 08:49:47 GMT", None),
            ("Sun, 06 nov 1994 08:49:47 GMT", None),
            ("Sun, 06 Nov 1994 08:49:47 gmt", None),
            ("Sun, 06 Nov 1994 08:49:47 UTC", None),
            ("Sun, 06 Nov 1994 08:49:47 +0000", None),
            ("sunday, 06-Nov-94 08:49:47 GMT", None),
            ("Sun nov  6 08:49:47 1994", None),
        ],
    );
}

#[test]
fn malformed_dates_and_garbage_give_none() {
    check_retry_after(
        rfc_now(),
        &[
            ("garbage", None),
            ("Sun", None),
            ("Sun,", None),
            (",", None),
            ("Sunday", None),
            ("Sunday,", None),
            ("Sun, 6 Nov 1994 08:49:37 GMT", None),
            ("Sun, 06 Nov 94 08:49:37 GMT", None),
            ("Sun, 06 Nov 1994 08:49:37 GMT x", None),
            ("Sun, 06 Nov 1994 08:49:37 GMT\0", None),
            ("Sun, 06 Foo 1994 08:49:37 GMT", None),
            ("Sün, 06 Nov 1994 08:49:37 GMT", None),
            ("Sunday, 06-Nov-1994 08:49:37 GMT", None),
            ("Funday, 06-Nov-94 08:49:37 GMT", None),
            ("2024-01-01T00:00:00Z", None),
        ],
    );
}

#[test]
fn two_digit_years_more_than_50_years_ahead_are_the_last_century() {
    // Mon, 15 Jun 2026 12:00:00 GMT
    let now = UNIX_EPOCH + Duration::from_secs(1_781_524_800);
    check_retry_after(
        now,
        &[
            ("Monday, 15-Jun-26 12:00:10 GMT", secs(10)),
            // Exactly 50 years ahead is not "more than 50 years": 2076, also a Monday.
            ("Monday, 15-Jun-76 12:00:00 GMT", secs(1_577_923_200)),
            // A second more is 1976 (a Tuesday): in the past.
            ("Tuesday, 15-Jun-76 12:00:01 GMT", Some(Duration::ZERO)),
            ("Monday, 15-Jun-76 12:00:01 GMT", None),
            ("Wednesday, 01-Jan-70 00:00:00 GMT", secs(1_374_235_200)),
            ("Wednesday, 15-Jun-77 12:00:00 GMT", Some(Duration::ZERO)), // 1977
            ("Friday, 01-Jan-99 00:00:00 GMT", Some(Duration::ZERO)),    // 1999
            ("Saturday, 01-Jan-00 00:00:00 GMT", Some(Duration::ZERO)),  // 2000
        ],
    );
    // Fri, 31 Dec 1999 23:59:50 GMT: "00" is the coming year, not 1900.
    let now = UNIX_EPOCH + Duration::from_secs(946_684_790);
    check_retry_after(
        now,
        &[
            ("Saturday, 01-Jan-00 00:00:00 GMT", secs(10)),
            ("Friday, 31-Dec-99 23:59:59 GMT", secs(9)),
            ("Monday, 01-Jan-00 00:00:00 GMT", None), // 1900 began on a Monday
        ],
    );
}

// ---------------------------------------------------------------- millisecond headers

/// What `header_wait` makes of a `retry-after-ms` header alone.
fn retry_after_ms(value: &str) -> Option<Duration> {
    header_wait(|name| (name == "retry-after-ms").then_some(value))
}

/// What `header_wait` makes of an `x-amz-retry-after` header alone.
fn x_amz_retry_after(value: &str) -> Option<Duration> {
    header_wait(|name| (name == "x-amz-retry-after").then_some(value))
}

#[test]
fn retry_after_ms_takes_milliseconds_with_fractions() {
    for (value, expected) in [
        ("0", ms(0)),
        ("250", ms(250)),
        (" 250\t", ms(250)),
        ("1.5", Some(Duration::from_micros(1_500))),
        ("0.001", Some(Duration::from_micros(1))),
        ("1.0000009", ms(1)), // beyond the nanosecond: dropped
        ("18446744073709551615", ms(u64::MAX)),
        ("99999999999999999999999", ms(u64::MAX)),
        (
            "99999999999999999999999.999999",
            Some(Duration::from_millis(u64::MAX) + Duration::from_nanos(999_999)),
        ),
        ("", None),
        ("-1", None),
        ("-0.5", None),
        ("+1", None),
        ("1e3", None),
        (".5", None),
        ("5.", None),
        ("1,5", None),
        ("NaN", None),
        ("inf", None),
        ("soon", None),
    ] {
        assert_eq!(retry_after_ms(value), expected, "{value:?}");
    }
}

#[test]
fn x_amz_retry_after_takes_whole_milliseconds() {
    for (value, expected) in [
        ("0", ms(0)),
        ("1500", ms(1_500)),
        (" 7 ", ms(7)),
        ("18446744073709551616", ms(u64::MAX)),
        ("", None),
        ("1.5", None),
        ("-1", None),
        ("+1", None),
        ("1e3", None),
        ("soon", None),
    ] {
        assert_eq!(x_amz_retry_after(value), expected, "{value:?}");
    }
}

#[test]
fn grpc_pushback_is_a_wait_or_a_refusal() {
    use Pushback::{DoNotRetry, RetryAfter};
    for (value, expected) in [
        ("0", RetryAfter(Duration::ZERO)),
        ("200", RetryAfter(Duration::from_millis(200))),
        ("+200", RetryAfter(Duration::from_millis(200))),
        (" 200 ", RetryAfter(Duration::from_millis(200))),
        ("-0", RetryAfter(Duration::ZERO)),
        (
            "2147483647",
            RetryAfter(Duration::from_millis(2_147_483_647)),
        ),
        ("-1", DoNotRetry),
        ("-2147483648", DoNotRetry),
        ("2147483648", DoNotRetry), // beyond a signed 32-bit integer: unparseable
        ("99999999999999999999", DoNotRetry),
        ("", DoNotRetry),
        ("1.5", DoNotRetry),
        ("1e3", DoNotRetry),
        ("soon", DoNotRetry),
        ("- 1", DoNotRetry),
    ] {
        assert_eq!(grpc_retry_pushback_ms(value), expected, "{value:?}");
    }
}

// ---------------------------------------------------------------- classifiers

#[test]
fn transient_statuses_are_exactly_408_429_500_502_503_504() {
    let transient: Vec<u16> = (0..=u16::MAX).filter(|&s| is_transient_status(s)).collect();
    assert_eq!(transient, [408, 429, 500, 502, 503, 504]);
}

#[test]
fn idempotent_methods_are_rfc_9110s_case_sensitive() {
    for (method, idempotent) in [
        ("GET", true),
        ("HEAD", true),
        ("OPTIONS", true),
        ("TRACE", true),
        ("PUT", true),
        ("DELETE", true),
        ("POST", false),
        ("PATCH", false),
        ("CONNECT", false),
        ("get", false),
        ("Put", false),
        (" GET", false),
        ("", false),
    ] {
        assert_eq!(is_idempotent_method(method), idempotent, "{method:?}");
    }
}

// ---------------------------------------------------------------- properties

const DAY_NAMES: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];
const MONTH_NAMES: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// The calendar fields of `secs` after the epoch, counted year by year and month by month (a
/// different method from the parser's, on purpose): (year, month 0-11, day, weekday 0 = Sun,
/// hour, minute, second).
fn fields(secs: u64) -> (u64, usize, u64, usize, u64, u64, u64) {
    let leap = |y: u64| y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    let mut days = secs / 86_400;
    let weekday = ((days + 4) % 7) as usize;
    let mut year = 1970;
    while days >= if leap(year) { 366 } else { 365 } {
        days -= if leap(year) { 366 } else { 365 };
        year += 1;
    }
    let lengths = [
        31,
        if leap(year) { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    let mut month = 0;
    while days >= lengths[month] {
        days -= lengths[month];
        month += 1;
    }
    let s = secs % 86_400;
    (
        year,
        month,
        days + 1,
        weekday,
        s / 3600,
        s / 60 % 60,
        s % 60,
    )
}

fn rfc850(secs: u64) -> String {
    let (y, mo, d, wd, h, mi, s) = fields(secs);
    let (day, month) = (DAY_NAMES[wd], MONTH_NAMES[mo]);
    format!(
        "{day}, {d:02}-{month}-{:02} {h:02}:{mi:02}:{s:02} GMT",
        y % 100
    )
}

fn asctime(secs: u64) -> String {
    let (y, mo, d, wd, h, mi, s) = fields(secs);
    let (day, month) = (&DAY_NAMES[wd][..3], MONTH_NAMES[mo]);
    format!("{day} {month} {d:>2} {h:02}:{mi:02}:{s:02} {y}")
}

/// Up to 9999-12-31 23:59:59, the last HTTP-date.
const LAST: u64 = 253_402_300_799;

fn any_now() -> impl Strategy<Value = SystemTime> {
    prop_oneof![
        (0..=LAST).prop_map(|s| UNIX_EPOCH + Duration::from_secs(s)),
        (0..=LAST).prop_map(|s| UNIX_EPOCH - Duration::from_secs(s)),
        Just(UNIX_EPOCH + Duration::from_secs(i64::MAX as u64 / 2)),
    ]
}

/// A valid date with one byte replaced, removed or repeated: near misses reach every branch.
fn near_miss() -> impl Strategy<Value = String> {
    let valid = (0..=LAST).prop_flat_map(|s| {
        prop_oneof![
            Just(httpdate::fmt_http_date(UNIX_EPOCH + Duration::from_secs(s))),
            Just(rfc850(s)),
            Just(asctime(s)),
        ]
    });
    (valid, any::<prop::sample::Index>(), any::<u8>(), 0..3u8).prop_map(|(v, at, byte, how)| {
        let mut bytes = v.into_bytes();
        let i = at.index(bytes.len());
        match how {
            0 => bytes[i] = byte,
            1 => {
                bytes.remove(i);
            }
            _ => bytes.insert(i, bytes[i]),
        }
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

proptest! {
    #[test]
    fn no_input_makes_a_parser_panic(value in any::<String>(), now in any_now()) {
        let _ = retry_after(&value, now);
        let _ = retry_after_ms(&value);
        let _ = x_amz_retry_after(&value);
        let _ = grpc_retry_pushback_ms(&value);
    }

    #[test]
    fn no_date_like_input_makes_retry_after_panic(
        value in "[A-Za-z0-9 ,:\\-\t]{0,40}",
        near in near_miss(),
        now in any_now(),
    ) {
        let _ = retry_after(&value, now);
        let _ = retry_after(&near, now);
    }

    #[test]
    fn formatted_delay_seconds_round_trip(n in any::<u64>(), pad in "[ \t]{0,3}", now in any_now()) {
        prop_assert_eq!(retry_after(&format!("{pad}{n}{pad}"), now), secs(n));
    }

    #[test]
    fn imf_fixdates_from_httpdate_round_trip(t in 0..=LAST, before in 0..=LAST) {
        let date = httpdate::fmt_http_date(UNIX_EPOCH + Duration::from_secs(t));
        let now = UNIX_EPOCH + Duration::from_secs(t.saturating_sub(before));
        prop_assert_eq!(retry_after(&date, now), secs(t - t.saturating_sub(before)));
    }

    #[test]
    fn asctime_and_rfc850_dates_round_trip(t in 0..=LAST, before in 0..1_000_000u64) {
        let now = UNIX_EPOCH + Duration::from_secs(t.saturating_sub(before));
        let expected = secs(t - t.saturating_sub(before));
        prop_assert_eq!(retry_after(&asctime(t), now), expected);
        prop_assert_eq!(retry_after(&rfc850(t), now), expected);
    }

    #[test]
    fn millisecond_headers_round_trip(n in any::<u64>(), frac in 0..1_000_000u32) {
        prop_assert_eq!(retry_after_ms(&n.to_string()), ms(n));
        prop_assert_eq!(
            retry_after_ms(&format!("{n}.{frac:06}")),
            Some(Duration::from_millis(n).saturating_add(Duration::from_nanos(u64::from(frac))))
        );
        prop_assert_eq!(x_amz_retry_after(&n.to_string()), ms(n));
    }

    #[test]
    fn grpc_pushback_round_trips_every_i32(n in any::<i32>()) {
        let expected = if n >= 0 {
            Pushback::RetryAfter(Duration::from_millis(n as u64))
        } else {
            Pushback::DoNotRetry
        };
        prop_assert_eq!(grpc_retry_pushback_ms(&n.to_string()), expected);
    }
}
