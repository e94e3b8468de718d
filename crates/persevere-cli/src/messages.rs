//! persevere's own messages, in Python backoff's words ("Backing off f(...) for 0.4s (err)",
//! "Giving up f(...) after 3 tries (err)"), and the command as a shell would quote it.

use crate::duration::format_seconds;
use crate::ending::GiveUpReason;
use crate::outcome::AttemptFailure;
use crate::signame;
use std::ffi::OsString;
use std::time::Duration;

/// `backing off COMMAND (exit 1) for 1.3s (try 2 of 5)`: try 2 of 5 failed.
pub fn backing_off(
    command: &str,
    failure: &AttemptFailure,
    wait: Duration,
    tries: u32,
    max: Option<u32>,
) -> String {
    let wait = format_seconds(wait);
    let of = try_of(tries, max);
    format!("persevere: backing off {command} ({failure}) for {wait} ({of})")
}

/// `giving up COMMAND after 5 tries (exit 1)`, and why when it is not the last try:
/// `giving up COMMAND after 2 tries (exit 7): got SIGTERM`.
pub fn giving_up(
    command: &str,
    failure: &AttemptFailure,
    tries: u32,
    reason: Option<GiveUpReason>,
) -> String {
    let why = reason.map(|r| r.to_string()).unwrap_or_default();
    let tries = match tries {
        1 => "1 try".to_string(),
        n => format!("{n} tries"),
    };
    format!("persevere: giving up {command} after {tries} ({failure}){why}")
}

/// `giving up COMMAND after 0 tries: the circuit breaker NAME is open`.
pub fn circuit_open(command: &str, breaker: &str) -> String {
    format!(
        "persevere: giving up {command} after 0 tries: the circuit breaker {breaker} is open \
         (exit 75)"
    )
}

/// `COMMAND succeeded (try 2 of 5)`, with `--verbose`.
pub fn succeeded(command: &str, tries: u32, max: Option<u32>) -> String {
    format!("persevere: {command} succeeded ({})", try_of(tries, max))
}

/// `running COMMAND (try 1 of 5)`, with `--verbose`.
pub fn running(command: &str, tries: u32, max: Option<u32>) -> String {
    format!("persevere: running {command} ({})", try_of(tries, max))
}

/// `got SIGTERM: passed it on to COMMAND; SIGKILL in 10.0s, or at once on another SIGTERM`.
pub fn forwarded(command: &str, signal: i32, kill_in: Duration) -> String {
    let name = signame::name(signal);
    let kill_in = format_seconds(kill_in);
    format!(
        "persevere: got {name}: passed it on to {command}; SIGKILL in {kill_in}, \
         or at once on another {name}"
    )
}

/// `got SIGTERM again: SIGKILL to COMMAND`.
pub fn escalated(command: &str, signal: i32) -> String {
    format!(
        "persevere: got {} again: SIGKILL to {command}",
        signame::name(signal)
    )
}

/// The terminal's status line while persevere waits.
pub fn status_line(command: &str, left: Duration, next_try: u32, max: Option<u32>) -> String {
    let left = format_seconds(left);
    format!(
        "persevere: retrying {command} in {left} ({})",
        try_of(next_try, max)
    )
}

fn try_of(tries: u32, max: Option<u32>) -> String {
    match max {
        Some(max) => format!("try {tries} of {max}"),
        None => format!("try {tries}"),
    }
}

/// The command line as a POSIX shell would read it back: words with special characters are
/// single-quoted.
pub fn quote_command(argv: &[OsString]) -> String {
    let words: Vec<String> = argv
        .iter()
        .map(|arg| quote_word(&arg.to_string_lossy()))
        .collect();
    words.join(" ")
}

fn quote_word(word: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c);
    if !word.is_empty() && word.chars().all(plain) {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outcome::Failure;

    fn exit(code: i32) -> AttemptFailure {
        AttemptFailure {
            failure: Failure::Exit(code),
            interrupted: None,
        }
    }

    #[test]
    fn messages_are_pythons_words() {
        let wait = Duration::from_millis(1300);
        assert_eq!(
            backing_off("curl -f x", &exit(1), wait, 2, Some(5)),
            "persevere: backing off curl -f x (exit 1) for 1.3s (try 2 of 5)"
        );
        assert_eq!(
            giving_up("curl -f x", &exit(1), 5, None),
            "persevere: giving up curl -f x after 5 tries (exit 1)"
        );
        assert_eq!(
            giving_up("x", &exit(3), 1, None),
            "persevere: giving up x after 1 try (exit 3)"
        );
        assert_eq!(
            backing_off("x", &exit(7), wait, 3, None),
            "persevere: backing off x (exit 7) for 1.3s (try 3)"
        );
    }

    #[test]
    fn quotes_like_a_shell() {
        let argv: Vec<OsString> = ["sh", "-c", "exit 1", "it's", ""]
            .iter()
            .map(OsString::from)
            .collect();
        assert_eq!(quote_command(&argv), r#"sh -c 'exit 1' 'it'\''s' ''"#);
    }
}
