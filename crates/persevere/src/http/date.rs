//! HTTP-date (RFC 9110 §5.6.7): the three forms a recipient must accept, parsed to seconds
//! since the Unix epoch with days-from-civil arithmetic (proleptic Gregorian calendar).
//!
//! ```text
//! IMF-fixdate  Sun, 06 Nov 1994 08:49:37 GMT
//! rfc850-date  Sunday, 06-Nov-94 08:49:37 GMT
//! asctime-date Sun Nov  6 08:49:37 1994
//! ```
//!
//! Strict where the RFC is: names are case-sensitive ("HTTP-date is case sensitive"), every
//! field has its fixed width, and the zone is `GMT`. A date that does not exist (Feb 29 of a
//! common year, Apr 31) or whose day name is not the date's weekday is refused: both mean the
//! sender's clock or formatter is broken, and a retry policy is better off with its own
//! backoff than with a wait computed from a broken date. A second of 60 (a leap second, which
//! RFC 5322's grammar allows) is accepted and counts as the next minute's first.

const SECS_PER_DAY: i64 = 86_400;

const MONTHS: [&[u8; 3]; 12] = [
    b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec",
];

/// Weekday names, Sunday first (the numbering of `weekday`).
const DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

/// A date and time of day, as written; not yet checked to exist.
struct Civil {
    year: i64,
    month: u32,
    day: u32,
    secs_of_day: i64,
    weekday: u32,
}

/// Days from 1970-01-01 to `year-month-day` (Howard Hinnant's `days_from_civil`). `day` may
/// run past the month's end; the count then runs into the next month.
pub(crate) fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date `days` after 1970-01-01 (Howard Hinnant's `civil_from_days`).
pub(crate) fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// 0 for Sunday; 1970-01-01 was a Thursday.
fn weekday(days: i64) -> u32 {
    (days + 4).rem_euclid(7) as u32
}

/// The HTTP-date `s`, in seconds since the Unix epoch; `now` (seconds since the epoch)
/// places rfc850-date's two-digit year.
pub(crate) fn parse(s: &[u8], now: i64) -> Option<i64> {
    let civil = match s.get(3)? {
        b',' => imf_fixdate(s)?,
        b' ' => asctime(s)?,
        _ => rfc850(s, now)?,
    };
    to_unix(&civil)
}

/// `Sun, 06 Nov 1994 08:49:37 GMT`
fn imf_fixdate(s: &[u8]) -> Option<Civil> {
    let [
        d0,
        d1,
        d2,
        b',',
        b' ',
        dd0,
        dd1,
        b' ',
        m0,
        m1,
        m2,
        b' ',
        y0,
        y1,
        y2,
        y3,
        b' ',
        time @ ..,
        b' ',
        b'G',
        b'M',
        b'T',
    ] = s
    else {
        return None;
    };
    Some(Civil {
        year: digits(&[*y0, *y1, *y2, *y3])?,
        month: month(&[*m0, *m1, *m2])?,
        day: digits(&[*dd0, *dd1])? as u32,
        secs_of_day: time_of_day(time)?,
        weekday: short_day(&[*d0, *d1, *d2])?,
    })
}

/// `Sunday, 06-Nov-94 08:49:37 GMT`
fn rfc850(s: &[u8], now: i64) -> Option<Civil> {
    let comma = s.iter().position(|&b| b == b',')?;
    let weekday = DAYS.iter().position(|d| d.as_bytes() == &s[..comma])? as u32;
    let [
        b' ',
        dd0,
        dd1,
        b'-',
        m0,
        m1,
        m2,
        b'-',
        y0,
        y1,
        b' ',
        time @ ..,
        b' ',
        b'G',
        b'M',
        b'T',
    ] = &s[comma + 1..]
    else {
        return None;
    };
    let mut civil = Civil {
        year: digits(&[*y0, *y1])?,
        month: month(&[*m0, *m1, *m2])?,
        day: digits(&[*dd0, *dd1])? as u32,
        secs_of_day: time_of_day(time)?,
        weekday,
    };
    civil.year = full_year(&civil, now);
    Some(civil)
}

/// `Sun Nov  6 08:49:37 1994` (the day of the month is two digits, or a space and one digit)
fn asctime(s: &[u8]) -> Option<Civil> {
    let [
        d0,
        d1,
        d2,
        b' ',
        m0,
        m1,
        m2,
        b' ',
        dd0,
        dd1,
        b' ',
        time @ ..,
        b' ',
        y0,
        y1,
        y2,
        y3,
    ] = s
    else {
        return None;
    };
    let day = match (dd0, dd1) {
        (b' ', d) => digits(&[*d])?,
        (d0, d1) => digits(&[*d0, *d1])?,
    };
    Some(Civil {
        year: digits(&[*y0, *y1, *y2, *y3])?,
        month: month(&[*m0, *m1, *m2])?,
        day: day as u32,
        secs_of_day: time_of_day(time)?,
        weekday: short_day(&[*d0, *d1, *d2])?,
    })
}

/// RFC 9110: "Recipients of a timestamp value in rfc850-date format, which uses a two-digit
/// year, MUST interpret a timestamp that appears to be more than 50 years in the future as
/// representing the most recent year in the past that had the same last two digits." So: the
/// latest year ending in those two digits whose timestamp is at most 50 years (to the second)
/// after `now`. Among the candidates around `now` (its century's, and the ones a century
/// either side), that keeps every date within 50 years ahead or 50 years behind: `00` read
/// on 31 Dec 1999 is 2000, not 1900.
fn full_year(civil: &Civil, now: i64) -> i64 {
    let (now_year, now_month, now_day) = civil_from_days(now.div_euclid(SECS_PER_DAY));
    let limit = days_from_civil(now_year + 50, now_month, now_day) * SECS_PER_DAY
        + now.rem_euclid(SECS_PER_DAY);
    let this_century = now_year - now_year.rem_euclid(100) + civil.year;
    let at =
        |year| days_from_civil(year, civil.month, civil.day) * SECS_PER_DAY + civil.secs_of_day;
    // The previous century's candidate is always in the past, so always within the limit.
    [this_century + 100, this_century]
        .into_iter()
        .find(|&year| at(year) <= limit)
        .unwrap_or(this_century - 100)
}

fn to_unix(c: &Civil) -> Option<i64> {
    if c.day == 0 || c.day > days_in_month(c.year, c.month) {
        return None;
    }
    let days = days_from_civil(c.year, c.month, c.day);
    (weekday(days) == c.weekday).then_some(days * SECS_PER_DAY + c.secs_of_day)
}

/// `HH:MM:SS`: hours 00–23, minutes 00–59, seconds 00–60.
fn time_of_day(s: &[u8]) -> Option<i64> {
    let [h0, h1, b':', m0, m1, b':', s0, s1] = s else {
        return None;
    };
    let (h, m, sec) = (
        digits(&[*h0, *h1])?,
        digits(&[*m0, *m1])?,
        digits(&[*s0, *s1])?,
    );
    (h <= 23 && m <= 59 && sec <= 60).then_some(h * 3_600 + m * 60 + sec)
}

/// ASCII digits as a number; `None` if any byte is not a digit.
fn digits(s: &[u8]) -> Option<i64> {
    s.iter().try_fold(0i64, |n, &b| {
        b.is_ascii_digit().then(|| n * 10 + i64::from(b - b'0'))
    })
}

fn month(s: &[u8; 3]) -> Option<u32> {
    MONTHS.iter().position(|m| *m == s).map(|i| i as u32 + 1)
}

fn short_day(s: &[u8; 3]) -> Option<u32> {
    DAYS.iter()
        .position(|d| &d.as_bytes()[..3] == s)
        .map(|i| i as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_days_round_trip_and_known_points() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(days_from_civil(1969, 12, 31), -1);
        assert_eq!(days_from_civil(0, 3, 1), -719_468);
        for days in (-800_000..3_000_000).step_by(997) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(weekday(0), 4); // a Thursday
    }
}
