//! `Retry-After` (RFC 9110 §10.2.3): delay-seconds or an HTTP-date.

use super::date;
use super::numbers::{trim_ows, whole};
use std::time::{Duration, SystemTime};

/// Dates are years 0 to 9999; a `now` beyond ±300,000 years only needs to be far from them,
/// and clamping it keeps the calendar arithmetic far from overflow.
const FAR_SECS: i128 = 10_000_000_000_000;

/// The wait a `Retry-After` value asks for, at `now`: `Retry-After = HTTP-date / delay-seconds`.
///
/// - **delay-seconds** (`120`): a non-negative decimal integer, as the grammar `1*DIGIT` says.
///   Signs (`-5`, `+5`), fractions (`1.5`) and exponents are not delay-seconds and give `None`.
///   A number too large for a `Duration` saturates at `u64::MAX` seconds.
/// - **HTTP-date**, in any of the three forms a recipient must accept: IMF-fixdate
///   (`Sun, 06 Nov 1994 08:49:37 GMT`), the obsolete RFC 850 form
///   (`Sunday, 06-Nov-94 08:49:37 GMT`, whose two-digit year is placed by RFC 9110's rule: the
///   year in `now`'s century, or the century before if that would be more than 50 years
///   ahead) and asctime (`Sun Nov  6 08:49:37 1994`). The wait is the time from `now` until
///   the date; a date in the past gives `Some(Duration::ZERO)` (retry now). Names are
///   case-sensitive, as the RFC says; a date that does not exist (Feb 29 of a common year) or
///   whose day name is not its weekday gives `None`. A second of 60 counts as the next
///   minute's first.
/// - Spaces and tabs around the value are ignored; an empty value and anything else give
///   `None`: no advice, so that the policy falls back on its own backoff.
///
/// The date form trusts the server's clock: a skewed server clock makes the wait wrong, so cap
/// what you accept (a policy's `max_server_wait` does).
///
/// ```
/// use persevere::http::retry_after;
/// use std::time::{Duration, SystemTime};
///
/// // 1994-11-06 08:49:37 UTC
/// let now = SystemTime::UNIX_EPOCH + Duration::from_secs(784_111_777);
/// assert_eq!(retry_after("120", now), Some(Duration::from_secs(120)));
/// assert_eq!(retry_after("Sun, 06 Nov 1994 08:51:37 GMT", now), Some(Duration::from_secs(120)));
/// assert_eq!(retry_after("Sunday, 06-Nov-94 08:50:37 GMT", now), Some(Duration::from_secs(60)));
/// assert_eq!(retry_after("Sun Nov  6 08:49:47 1994", now), Some(Duration::from_secs(10)));
/// assert_eq!(retry_after("Sat, 05 Nov 1994 08:49:37 GMT", now), Some(Duration::ZERO));
/// assert_eq!(retry_after("soon", now), None);
/// ```
pub fn retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = trim_ows(value);
    if let Some(secs) = whole(value) {
        return Some(Duration::from_secs(secs));
    }
    let now = unix_nanos(now);
    let now_secs = now.div_euclid(1_000_000_000).clamp(-FAR_SECS, FAR_SECS) as i64;
    let at = date::parse(value.as_bytes(), now_secs)?;
    let wait = i128::from(at) * 1_000_000_000 - now;
    if wait <= 0 {
        return Some(Duration::ZERO);
    }
    let secs = u64::try_from(wait / 1_000_000_000).unwrap_or(u64::MAX);
    Some(Duration::new(secs, (wait % 1_000_000_000) as u32))
}

/// Nanoseconds since the Unix epoch, negative before it.
fn unix_nanos(t: SystemTime) -> i128 {
    match t.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(after) => after.as_nanos() as i128,
        Err(before) => -(before.duration().as_nanos() as i128),
    }
}
