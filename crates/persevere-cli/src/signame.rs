//! Signal names for messages (`SIGTERM`) and for `--signal` (`TERM`, `SIGTERM`, `term`, `15`).

/// The signals persevere names, as `kill -l` lists them on Linux.
const NAMES: &[(&str, i32)] = &[
    ("HUP", libc::SIGHUP),
    ("INT", libc::SIGINT),
    ("QUIT", libc::SIGQUIT),
    ("ILL", libc::SIGILL),
    ("TRAP", libc::SIGTRAP),
    ("ABRT", libc::SIGABRT),
    ("BUS", libc::SIGBUS),
    ("FPE", libc::SIGFPE),
    ("KILL", libc::SIGKILL),
    ("USR1", libc::SIGUSR1),
    ("SEGV", libc::SIGSEGV),
    ("USR2", libc::SIGUSR2),
    ("PIPE", libc::SIGPIPE),
    ("ALRM", libc::SIGALRM),
    ("TERM", libc::SIGTERM),
    ("CHLD", libc::SIGCHLD),
    ("CONT", libc::SIGCONT),
    ("STOP", libc::SIGSTOP),
    ("TSTP", libc::SIGTSTP),
    ("TTIN", libc::SIGTTIN),
    ("TTOU", libc::SIGTTOU),
    ("URG", libc::SIGURG),
    ("XCPU", libc::SIGXCPU),
    ("XFSZ", libc::SIGXFSZ),
    ("VTALRM", libc::SIGVTALRM),
    ("PROF", libc::SIGPROF),
    ("WINCH", libc::SIGWINCH),
    ("IO", libc::SIGIO),
    ("SYS", libc::SIGSYS),
    ("STKFLT", 16),
    ("PWR", 30),
];

/// Other names `kill -l`, bash and GNU timeout accept for the same signals.
const ALIASES: &[(&str, i32)] = &[
    ("IOT", libc::SIGABRT),
    ("CLD", libc::SIGCHLD),
    ("POLL", libc::SIGIO),
];

/// The first and last real-time signals (glibc keeps the first two for itself).
fn realtime() -> std::ops::RangeInclusive<i32> {
    libc::SIGRTMIN()..=libc::SIGRTMAX()
}

/// `SIGTERM` for 15, `SIGRTMIN+1` for a real-time signal; `signal 99` for a number without a
/// name.
pub fn name(signal: i32) -> String {
    match NAMES.iter().find(|(_, n)| *n == signal) {
        Some((name, _)) => format!("SIG{name}"),
        None if signal == *realtime().start() => "SIGRTMIN".to_string(),
        None if realtime().contains(&signal) => {
            format!("SIGRTMIN+{}", signal - realtime().start())
        }
        None => format!("signal {signal}"),
    }
}

/// The signal named by `text`, as GNU timeout's `-s` reads it: a name with or without `SIG`,
/// in any case (`TERM`, `sigterm`, `IOT`, `RTMIN+1`, `RTMAX-2`), or a number: a signal's (`0`,
/// which sends nothing, included) or an exit status above 128 that a death by it gives (`143`
/// is 15, as GNU takes it).
pub fn parse(text: &str) -> Option<i32> {
    // Digits only: `str::parse` would take a sign too (`+15`).
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        let n = text.parse::<i32>().ok()?;
        // GNU's operand2sig: the low 7 bits of a status (8 from 255 on).
        let n = n & if n >= 0xFF { 0xFF } else { 0x7F };
        let known = n == 0 || NAMES.iter().any(|(_, s)| *s == n) || realtime().contains(&n);
        return known.then_some(n);
    }
    let upper = text.to_ascii_uppercase();
    let bare = upper.strip_prefix("SIG").unwrap_or(&upper);
    if let Some((_, n)) = NAMES.iter().chain(ALIASES).find(|(name, _)| *name == bare) {
        return Some(*n);
    }
    let (first, last) = (*realtime().start(), *realtime().end());
    let offset = |digits: &str| -> Option<i32> {
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        digits.parse::<i32>().ok()
    };
    let signal = match bare {
        "RTMIN" => first,
        "RTMAX" => last,
        _ => match (bare.strip_prefix("RTMIN+"), bare.strip_prefix("RTMAX-")) {
            (Some(n), _) => first.checked_add(offset(n)?)?,
            (_, Some(n)) => last.checked_sub(offset(n)?)?,
            _ => return None,
        },
    };
    realtime().contains(&signal).then_some(signal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_have_the_sig_prefix() {
        assert_eq!(name(libc::SIGTERM), "SIGTERM");
        assert_eq!(name(99), "signal 99");
        for text in ["TERM", "SIGTERM", "term", "sigterm", "15"] {
            assert_eq!(parse(text), Some(libc::SIGTERM), "{text}");
        }
        for bad in [
            "",
            "SIG",
            "TERMS",
            "99",
            "-15",
            "+15",
            "SIGSIGTERM",
            "32",
            "RTMIN+99",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }

    /// `-s` refused signals that `timeout -s` and `kill -l` accept.
    #[test]
    fn every_signal_kill_l_names_as_gnu_timeout_reads_them() {
        let rtmin = libc::SIGRTMIN();
        for (text, signal) in [
            ("0", 0),
            ("STKFLT", 16),
            ("PWR", 30),
            ("IOT", libc::SIGABRT),
            ("RTMIN", rtmin),
            ("RTMIN+1", rtmin + 1),
            ("SIGRTMAX-1", libc::SIGRTMAX() - 1),
            ("143", libc::SIGTERM),
            ("137", libc::SIGKILL),
        ] {
            assert_eq!(parse(text), Some(signal), "{text}");
        }
        assert_eq!(name(rtmin + 1), "SIGRTMIN+1");
        for signal in (1..=64).filter(|s| parse(&s.to_string()).is_some()) {
            assert_eq!(parse(&name(signal)), Some(signal), "{signal}");
        }
    }
}
