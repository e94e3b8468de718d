//! The `persevere` command's option values: durations (the library's grammar, at most a year),
//! exit-code lists, `--intervals`, `--jitter`, `--max-tries`, `--base`, `--decay-factor` and
//! `--signal`. The first byte picks the parser, the rest is the text. Every text is a value or
//! a message that quotes it, never a panic; what is accepted is what the documentation says.

use persevere_cli::fuzzing::{
    ExitCodes, JitterArg, MAX_DURATION, parse_base, parse_decay_factor, parse_duration,
    parse_intervals, parse_jitter, parse_max_tries, parse_signal, signal_name,
};

pub fn check(data: &[u8]) {
    let Some((&parser, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    match parser % 7 {
        0 => duration(text),
        1 => exit_codes(text),
        2 => intervals(text),
        3 => jitter(text),
        4 => max_tries(text),
        5 => numbers(text),
        _ => signal(text),
    }
}

/// An error message names the value it refuses.
fn quotes(text: &str, message: &str) {
    assert!(
        message.starts_with(&format!("'{text}' is ")),
        "{text:?}: {message}"
    );
}

fn duration(text: &str) {
    let library = persevere::wait::parse::parse_duration(text);
    match parse_duration(text) {
        Ok(d) => {
            assert!(d <= MAX_DURATION, "{text:?} -> {d:?}");
            // The command's grammar is the library's, except that a positive value below a
            // nanosecond, which the library reads as 0, is a nanosecond: 0 means "no limit".
            let tiny = d == std::time::Duration::from_nanos(1) && library == Ok(Default::default());
            assert!(
                library == Ok(d) || tiny,
                "the command's grammar is the library's: {text:?}"
            );
        }
        Err(message) => {
            quotes(text, &message);
            // Refused by the library, or longer than a year.
            assert!(
                library.is_err() || library.is_ok_and(|d| d > MAX_DURATION),
                "{text:?}: {message}"
            );
        }
    }
}

fn exit_codes(text: &str) {
    let Ok(set) = text.parse::<ExitCodes>() else {
        return;
    };
    // A list of codes and ranges: digits, commas, hyphens and spaces only.
    assert!(
        text.chars().all(|c| c.is_ascii_digit()
            || c == ','
            || c == '-'
            || c == ' '
            || c.is_whitespace()),
        "{text:?} was accepted"
    );
    // Each item's bounds are members, and every member lies in some item.
    let items: Vec<(i32, i32)> = text
        .split(',')
        .map(|item| {
            let (low, high) = item.split_once('-').unwrap_or((item, item));
            let number = |s: &str| s.trim().parse::<i32>().unwrap();
            (number(low), number(high))
        })
        .collect();
    for code in -1..=256 {
        let listed = items
            .iter()
            .any(|&(low, high)| (low..=high).contains(&code));
        assert_eq!(set.contains(code), listed, "{text:?}: {code}");
    }
}

fn intervals(text: &str) {
    match parse_intervals(text) {
        Ok(list) => {
            let items: Vec<_> = text.split(',').collect();
            assert_eq!(list.0.len(), items.len(), "{text:?}");
            for (wait, item) in list.0.iter().zip(items) {
                assert_eq!(parse_duration(item), Ok(*wait), "{text:?}");
            }
        }
        Err(message) => {
            assert!(message.contains("is not a duration") || message.contains("is too long"))
        }
    }
}

fn jitter(text: &str) {
    match parse_jitter(text) {
        Ok(JitterArg::Proportional(f)) => {
            assert!((0.0..=1.0).contains(&f), "{text:?} -> {f}");
            assert!(text.starts_with("proportional="), "{text:?}");
        }
        Ok(_) => assert!(
            ["full", "none", "equal", "random"].contains(&text),
            "{text:?}"
        ),
        Err(message) => quotes(text, &message),
    }
}

fn max_tries(text: &str) {
    match parse_max_tries(text) {
        Ok(n) => {
            assert!(n >= 1, "{text:?}");
            assert!(
                text.bytes().all(|b| b.is_ascii_digit()),
                "{text:?} was accepted"
            );
            assert_eq!(text.parse::<u32>(), Ok(n));
        }
        Err(message) => quotes(text, &message),
    }
}

fn numbers(text: &str) {
    match parse_base(text) {
        Ok(base) => assert!(base.is_finite() && base >= 1.0, "{text:?} -> {base}"),
        Err(message) => quotes(text, &message),
    }
    match parse_decay_factor(text) {
        Ok(rate) => assert!(rate.is_finite() && rate >= 0.0, "{text:?} -> {rate}"),
        Err(message) => quotes(text, &message),
    }
}

fn signal(text: &str) {
    match parse_signal(text) {
        Ok(signal) => {
            // A signal `kill -l` knows (0 sends nothing), whose name reads back as itself.
            assert!((0..=64).contains(&signal), "{text:?} -> {signal}");
            let name = signal_name(signal);
            if signal > 0 {
                assert_eq!(
                    parse_signal(&name),
                    Ok(signal),
                    "{text:?} -> {signal} ({name})"
                );
            }
        }
        Err(message) => quotes(text, &message),
    }
}
