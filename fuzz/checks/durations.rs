//! The duration grammar shared by the attributes and the command line
//! (`persevere_wait::parse`): any text is either a duration or an error, never a panic, and a
//! duration written back in nanoseconds reads as itself.

use persevere_wait::parse::{parse_duration, parse_seconds};

pub fn check(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(d) = parse_duration(text) {
        let nanos = format!("{}ns", d.as_nanos());
        // Beyond u64 seconds a nanosecond count still reads, as long as it fits a Duration.
        assert_eq!(
            parse_duration(&nanos),
            Ok(d),
            "{text:?} -> {d:?} -> {nanos}"
        );
    }
    if let Ok(d) = parse_seconds(text) {
        assert_eq!(
            parse_duration(text),
            Ok(d),
            "seconds are durations too: {text:?}"
        );
    }
    if let Err(e) = parse_duration(text) {
        // The error's span lies inside the input, on character boundaries.
        let span = e.span();
        assert!(
            span.end <= text.len() && text.get(span).is_some(),
            "{text:?}: {e:?}"
        );
        let _ = e.describe(text);
    }
}
