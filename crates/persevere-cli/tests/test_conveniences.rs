//! What operators expect from `timeout` and friends: `-s/--signal`, `--preserve-status`, a
//! short `-h` beside the full `--help`, and a man page and completions from the same
//! definitions.
#![cfg(target_os = "linux")] // the tests read /proc, as persevere does there

mod common;
use common::{TempDir, field, run};

#[test]
fn signal_chooses_what_stops_a_timed_out_attempt() {
    // The timeout leaves the shell time to set its traps on a loaded machine; the cases run
    // side by side.
    let cases = [
        ("INT", "INT"),
        ("sigint", "INT"),
        ("2", "INT"),
        ("TERM", "TERM"),
    ];
    let threads: Vec<_> = cases
        .into_iter()
        .map(|(signal, name)| {
            std::thread::spawn(move || {
                let dir = TempDir::new();
                let got = dir.file("got");
                let script = format!(
                    "trap 'echo INT > {got}; exit 3' INT; trap 'echo TERM > {got}; exit 4' TERM; \
                     while :; do sleep 0.05; done"
                );
                let r = run(&[
                    "-s",
                    signal,
                    "--timeout",
                    "2s",
                    "--max-tries",
                    "1",
                    "--report",
                    "-",
                    "--",
                    "sh",
                    "-c",
                    &script,
                ]);
                assert_eq!(r.code, Some(124), "{signal}");
                let seen = std::fs::read_to_string(&got).unwrap();
                assert_eq!(seen.trim(), name, "{signal}");
                let event = &r.events()[0];
                assert_eq!(field(event, "failure"), Some("timeout"));
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    let script = "while :; do sleep 0.05; done";
    // KILL: no grace, nothing to trap.
    let r = run(&[
        "--signal",
        "KILL",
        "--timeout",
        "300ms",
        "--kill-after",
        "1h",
        "--max-tries",
        "1",
        "--report",
        "-",
        "--",
        "sh",
        "-c",
        script,
    ]);
    assert_eq!(field(&r.events()[0], "signal"), Some("9"));
    let r = run(&["--signal", "NOPE", "--", "true"]);
    assert_eq!(r.code, Some(2));
    assert!(r.stderr.contains("'NOPE' is not a signal"), "{}", r.stderr);
}

#[test]
fn preserve_status_gives_the_commands_own_status_after_a_timeout() {
    let timed_out = |extra: &[&str], script: &str| {
        let mut args = vec!["--timeout", "300ms", "--max-tries", "1", "--quiet"];
        args.extend_from_slice(extra);
        args.extend_from_slice(&["--", "sh", "-c", script]);
        run(&args).code
    };
    let sleeper = "exec sleep 30";
    let handler = "trap 'exit 3' TERM; while :; do sleep 0.05; done";
    // Time for the shell to set its trap before the timeout, on a loaded machine.
    let handled = |extra: &[&str]| {
        let mut args = vec!["--timeout", "2s", "--max-tries", "1", "--quiet"];
        args.extend_from_slice(extra);
        args.extend_from_slice(&["--", "sh", "-c", handler]);
        run(&args).code
    };
    assert_eq!(timed_out(&[], sleeper), Some(124));
    assert_eq!(timed_out(&["--preserve-status"], sleeper), Some(143));
    assert_eq!(
        timed_out(&["--preserve-status", "-s", "KILL"], sleeper),
        Some(137)
    );
    assert_eq!(handled(&["--preserve-status"]), Some(3));
    // --max-time too.
    let r = run(&[
        "--max-time",
        "300ms",
        "--preserve-status",
        "--quiet",
        "--",
        "sh",
        "-c",
        sleeper,
    ]);
    assert_eq!(r.code, Some(143));
}

#[test]
fn h_is_short_and_help_is_the_full_text() {
    let short = run(&["-h"]);
    let long = run(&["--help"]);
    assert_eq!((short.code, long.code), (Some(0), Some(0)));
    // 64: the policy file's heading and --policy added three lines to 59.
    assert!(short.stdout.lines().count() < 64, "{}", short.stdout);
    assert!(short.stdout.contains("See --help for the full text."));
    assert!(long.stdout.len() > 2 * short.stdout.len());
    for text in [
        "Environment: every option",
        "a countdown line shows the time left before the next try",
        "persevere ends by that same signal",
        "a guardian process",
        "--generate <WHAT>",
        "--print-policy",
    ] {
        assert!(long.stdout.contains(text), "--help lacks {text:?}");
        assert!(!short.stdout.contains(text), "-h has {text:?}");
    }
}

/// The long options that `--help` lists.
fn options_in_help() -> Vec<String> {
    let help = run(&["--help"]).stdout;
    let mut options: Vec<String> = help
        .lines()
        .filter_map(|l| {
            l.trim_start()
                .split([' ', ','])
                .find(|w| w.starts_with("--"))
        })
        .map(str::to_string)
        .collect();
    options.dedup();
    options
}

#[test]
fn the_man_page_and_completions_come_from_the_same_definitions_as_help() {
    let man = run(&["--generate", "man"]);
    assert_eq!(man.code, Some(0));
    assert!(man.stdout.contains(".TH persevere 1"), "{}", man.stdout);
    assert!(man.stdout.contains("countdown line"));
    let options = options_in_help();
    assert!(options.len() > 25, "{options:?}");
    for option in &options {
        let roff = option.replace('-', "\\-");
        assert!(man.stdout.contains(&roff), "the man page lacks {option}");
    }
    for (shell, marker) in [
        ("bash", "_persevere()"),
        ("zsh", "#compdef persevere"),
        ("fish", "complete -c persevere"),
        ("elvish", "persevere"),
        ("powershell", "persevere"),
    ] {
        let r = run(&["--generate", shell]);
        assert_eq!(r.code, Some(0), "{shell}");
        assert!(r.stdout.contains(marker), "{shell}");
        assert!(r.stdout.contains("max-tries"), "{shell}");
    }
    let r = run(&["--generate", "man", "--", "true"]);
    assert_eq!(r.code, Some(2), "--generate stands alone");
}
