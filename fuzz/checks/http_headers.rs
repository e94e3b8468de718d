//! The server-wait header parsers (`persevere::http`): any header value and any current time
//! give a wait or nothing, never a panic; a plain number of seconds reads as that many seconds.

use persevere::http::{grpc_retry_pushback_ms, header_wait, retry_after};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

pub fn check(data: &[u8]) {
    if data.len() < 8 {
        return;
    }
    let (clock, rest) = data.split_at(8);
    let secs = u64::from_le_bytes(clock.try_into().unwrap()) % (1 << 40);
    let now = UNIX_EPOCH + Duration::from_secs(secs);
    let Ok(value) = std::str::from_utf8(rest) else {
        return;
    };
    let wait = retry_after(value, now);
    let trimmed = value.trim_matches([' ', '\t']);
    if !trimmed.is_empty() && trimmed.bytes().all(|b| b.is_ascii_digit()) {
        // Seconds beyond u64 saturate at u64::MAX seconds (documented on `retry_after`).
        let expected = Duration::from_secs(trimmed.parse::<u64>().unwrap_or(u64::MAX));
        assert_eq!(wait, Some(expected), "{value:?}");
    }
    let _ = retry_after(value, SystemTime::now());
    for header in ["retry-after-ms", "x-amz-retry-after"] {
        let _ = header_wait(|name| (name == header).then_some(value));
    }
    let _ = grpc_retry_pushback_ms(value);
}
