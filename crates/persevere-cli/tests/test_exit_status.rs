//! Every exit status persevere gives, with real commands.
#![cfg(target_os = "linux")] // the tests read /proc, as persevere does there

mod common;
use common::{TempDir, field, run};

const FAST: [&str; 4] = ["--factor", "1ms", "--report", "-"];

fn with_fast<'a>(args: &[&'a str]) -> Vec<&'a str> {
    let mut all = FAST.to_vec();
    all.extend_from_slice(args);
    all
}

#[test]
fn success_is_0_and_says_nothing() {
    let r = run(&["--", "true"]);
    assert_eq!(r.code, Some(0));
    assert_eq!(r.stderr, "");
}

#[test]
fn giving_up_exits_with_the_last_attempts_code() {
    let r = run(&with_fast(&[
        "--max-tries",
        "3",
        "--",
        "sh",
        "-c",
        "exit $((PERSEVERE_ATTEMPT + 10))",
    ]));
    assert_eq!(r.code, Some(13));
    assert_eq!(r.events().len(), 3);
}

#[test]
fn death_by_signal_is_128_plus_n_and_is_retried() {
    let r = run(&with_fast(&[
        "--max-tries",
        "2",
        "--",
        "sh",
        "-c",
        "kill -KILL $$",
    ]));
    assert_eq!(r.code, Some(137));
    let events = r.events();
    assert_eq!(events.len(), 2);
    assert_eq!(field(&events[1], "signal"), Some("9"));
}

#[test]
fn death_by_sigint_is_a_users_abort_and_is_not_retried() {
    let r = run(&with_fast(&["--", "sh", "-c", "kill -INT $$"]));
    assert_eq!(r.code, Some(130));
    assert_eq!(r.events().len(), 1);
    assert_eq!(field(&r.events()[0], "event"), Some("giveup"));
}

#[test]
fn a_command_killed_by_a_broken_pipe_is_not_retried_unless_asked() {
    // `persevere -- yes | head -1`: once head has its line, yes dies by SIGPIPE; a broken pipe
    // downstream stays broken. Also through persevere's own pipes (with an output rule).
    // persevere's own stdout has no reader: not even --retry-on-sigpipe retries then.
    let cases: [(&[&str], usize); 4] = [
        (&[], 1),
        (&["--retry-if-output", "never"], 1),
        (&["--retry-on-sigpipe"], 1),
        (&["--retry-on-sigpipe", "--retry-if-output", "never"], 1),
    ];
    for (extra, tries) in cases {
        let dir = TempDir::new();
        let report = dir.file("report");
        let script = format!(
            "{bin} --max-tries 3 --factor 1ms --report {report} {extra} -- yes | head -1; \
             echo \"status ${{PIPESTATUS[0]}}\"",
            bin = env!("CARGO_BIN_EXE_persevere"),
            extra = extra.join(" "),
        );
        let mut cmd = std::process::Command::new("bash");
        cmd.args(["-c", &script]);
        let r = common::output(cmd);
        assert_eq!(r.stdout, "y\nstatus 141\n", "{extra:?}: {r:?}");
        let events = std::fs::read_to_string(&report).unwrap();
        let events: Vec<&str> = events.lines().collect();
        assert_eq!(events.len(), tries, "{extra:?}: {events:?}");
        assert_eq!(field(events[tries - 1], "signal"), Some("13"));
        assert_eq!(field(events[tries - 1], "event"), Some("giveup"));
    }
    // A SIGPIPE of the command's own pipes (persevere's stdout still read) is retried when
    // asked.
    let sigpipe = ["--max-tries", "3", "--factor", "1ms", "--report", "-"];
    let own = ["--", "sh", "-c", "kill -PIPE $$"];
    let r = run(&[&sigpipe[..], &own[..]].concat());
    assert_eq!(r.events().len(), 1, "{r:?}");
    let r = run(&[&sigpipe[..], &["--retry-on-sigpipe"], &own[..]].concat());
    assert_eq!(r.events().len(), 3, "{r:?}");
    assert_eq!(r.code, Some(141));
}

#[test]
fn a_timed_out_last_attempt_is_124() {
    let r = run(&with_fast(&[
        "--max-tries",
        "2",
        "--timeout",
        "100ms",
        "--",
        "sleep",
        "30",
    ]));
    assert_eq!(r.code, Some(124));
    let events = r.events();
    assert_eq!(events.len(), 2, "a timeout is retried: {events:?}");
    assert_eq!(field(&events[1], "failure"), Some("timeout"));
    assert_eq!(field(&events[1], "signal"), Some("15"));
}

#[test]
fn an_attempt_stopped_at_max_time_is_124() {
    let r = run(&with_fast(&["--max-time", "200ms", "--", "sleep", "30"]));
    assert_eq!(r.code, Some(124));
    let events = r.events();
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(field(&events[0], "event"), Some("giveup"));
    assert_eq!(field(&events[0], "failure"), Some("max_time"));
}

#[test]
fn a_command_not_found_is_127_and_not_retried() {
    let r = run(&with_fast(&["--", "persevere-test-no-such-command"]));
    assert_eq!(r.code, Some(127));
    assert_eq!(
        r.messages(),
        [
            "persevere: giving up persevere-test-no-such-command after 1 try \
             (exit 127, command not found): not retried, the command cannot run"
        ]
    );
    assert_eq!(field(&r.events()[0], "failure"), Some("not_found"));
}

#[test]
fn a_command_that_cannot_execute_is_126_and_not_retried() {
    let dir = TempDir::new();
    let script = dir.write("not-executable.sh", "#!/bin/sh\nexit 0\n", 0o644);
    let r = run(&with_fast(&["--", &script]));
    assert_eq!(r.code, Some(126));
    assert_eq!(r.events().len(), 1);
    let r = run(&with_fast(&["--", dir.path().to_str().unwrap()]));
    assert_eq!(r.code, Some(126), "a directory cannot be executed");
}

#[test]
fn exit_126_and_127_from_the_command_are_not_retried_either() {
    for code in ["126", "127"] {
        let r = run(&with_fast(&["--", "sh", "-c", &format!("exit {code}")]));
        assert_eq!(r.code, Some(code.parse().unwrap()));
        assert_eq!(r.events().len(), 1);
    }
}

#[test]
fn retry_on_exit_that_lists_126_or_127_retries_them() {
    // Exit codes from the command, and a command that is not there (yet).
    for (code, command) in [
        ("126", &["sh", "-c", "exit 126"][..]),
        ("127", &["sh", "-c", "exit 127"][..]),
        ("127", &["persevere-test-no-such-command"][..]),
    ] {
        let mut args = vec!["--max-tries", "3", "--retry-on-exit", code, "--"];
        args.extend_from_slice(command);
        let r = run(&with_fast(&args));
        assert_eq!(r.code, Some(code.parse().unwrap()), "{command:?}");
        assert_eq!(r.events().len(), 3, "{command:?}: retried");
    }
    // A list without them still gives up at once.
    let r = run(&with_fast(&[
        "--retry-on-exit",
        "1-125",
        "--",
        "sh",
        "-c",
        "exit 127",
    ]));
    assert_eq!((r.code, r.events().len()), (Some(127), 1));
}

#[test]
fn giving_up_on_an_output_rule_after_exit_0_is_1() {
    let r = run(&with_fast(&[
        "--max-tries",
        "2",
        "--until-output",
        "ready",
        "--",
        "echo",
        "not yet",
    ]));
    assert_eq!(r.code, Some(1));
    assert_eq!(r.stdout, "not yet\nnot yet\n");
}

#[test]
fn usage_errors_are_2_and_name_the_option_and_what_it_accepts() {
    let cases: &[(&[&str], &str)] = &[
        (&["--max-tries", "0", "true"], "--max-tries"),
        (
            &["--max-tries", "0", "true"],
            "expected at least 1 (it counts every attempt, the first included)",
        ),
        (&["--factor", "soon", "true"], "--factor"),
        (
            &["--factor", "soon", "true"],
            "units d, h, m, s, ms, us, ns",
        ),
        (&["--timeout", "-1", "true"], "--timeout"),
        (&["--jitter", "lots", "true"], "proportional=F"),
        (&["--jitter", "proportional=2", "true"], "--jitter"),
        (&["--retry-on-exit", "1-x", "true"], "exit codes 0-255"),
        (&["--stop-on-exit", "300", "true"], "--stop-on-exit"),
        (&["--until-output", "(", "true"], "--until-output"),
        (&["--wait", "random", "true"], "possible values: expo, fibo"),
        (
            &["--decay-factor", "-1", "--wait", "decay", "true"],
            "'-1' is not a decay factor: expected a finite number >= 0",
        ),
        (
            &["--min-value", "1s", "true"],
            "--min-value applies only to --wait decay",
        ),
        (&["--base", "0.5", "true"], "expected a finite number >= 1"),
        (&["--intervals", "1s,x", "true"], "--intervals"),
        (
            &["--step", "1s", "true"],
            "--step applies only to --wait linear",
        ),
        (
            &["--forever", "--max-tries", "3", "true"],
            "--forever and --max-tries",
        ),
        (
            &["--intervals", "1s", "--wait", "fibo", "true"],
            "--intervals replaces --wait",
        ),
        (
            &[
                "--wait",
                "decorrelated",
                "--factor",
                "2s",
                "--max-value",
                "1s",
                "true",
            ],
            "--factor greater than 0 and at most --max-value",
        ),
        (&["--no-such-option", "true"], "--no-such-option"),
        (
            &["--max-tries", "4294967296", "true"],
            "'4294967296' is too many tries: at most 4294967295",
        ),
        (
            &["--seed", "-5", "true"],
            "'-5' is not a seed: expected a whole number from 0 to 18446744073709551615",
        ),
        (
            &["--max-time", "1h1h", "true"],
            "'1h1h' is not a duration: the unit `h` appears twice",
        ),
        (
            &["--factor", "400d", "true"],
            "'400d' is too long: durations are at most 365d",
        ),
        (
            &["--timeout", "99999999999999999999", "true"],
            "is too long",
        ),
        (&[], "<COMMAND>"),
    ];
    for (args, expected) in cases {
        let r = run(args);
        assert_eq!(r.code, Some(2), "{args:?}: {r:?}");
        assert!(
            r.stderr.starts_with("persevere: "),
            "{args:?}: {}",
            r.stderr
        );
        assert!(r.stderr.contains(expected), "{args:?}: {}", r.stderr);
        assert_eq!(r.stderr.matches("persevere: ").count(), 1, "printed once");
    }
}

#[test]
fn a_bad_environment_default_is_a_usage_error_that_names_the_variable() {
    type Case<'a> = (&'a [(&'a str, &'a str)], &'a [&'a str], &'a str);
    let cases: [Case; 4] = [
        (
            &[("PERSEVERE_MAX_TRIES", "many")],
            &[],
            "persevere: invalid value 'many' for PERSEVERE_MAX_TRIES (the default of \
             --max-tries): 'many' is not a number of tries",
        ),
        // Given on the command line, the option is what is wrong.
        (
            &[("PERSEVERE_MAX_TRIES", "many")],
            &["--max-tries", "0"],
            "persevere: invalid value '0' for '--max-tries <N>'",
        ),
        (
            &[("PERSEVERE_FOREVER", "1"), ("PERSEVERE_MAX_TRIES", "3")],
            &[],
            "persevere: PERSEVERE_FOREVER and PERSEVERE_MAX_TRIES cannot be used together",
        ),
        (
            &[
                ("PERSEVERE_WAIT", "decorrelated"),
                ("PERSEVERE_FACTOR", "0"),
            ],
            &[],
            "persevere: PERSEVERE_WAIT=decorrelated needs PERSEVERE_FACTOR greater than 0",
        ),
    ];
    for (env, args, expected) in cases {
        let mut cmd = common::persevere();
        cmd.envs(env.iter().copied()).args(args).arg("true");
        let r = common::output(cmd);
        assert_eq!(r.code, Some(2), "{env:?}");
        assert!(r.stderr.starts_with(expected), "{env:?}: {}", r.stderr);
    }
}

#[test]
fn replay_stdin_from_a_directory_blames_stdin_not_the_temporary_directory() {
    let mut cmd = common::persevere();
    cmd.args(["--replay-stdin", "--", "true"])
        .stdin(std::fs::File::open("/etc").unwrap());
    let r = common::output(cmd);
    assert_eq!(r.code, Some(125));
    assert_eq!(
        r.stderr,
        "persevere: --replay-stdin: cannot read stdin: Is a directory (os error 21)\n"
    );
}

#[test]
fn help_shows_every_option_with_its_default() {
    let r = run(&["-h"]);
    assert_eq!(r.code, Some(0));
    let options: Vec<&str> = r
        .stdout
        .lines()
        .filter(|l| l.trim_start().starts_with('-'))
        .filter(|l| !l.contains("--help") && !l.contains("--version"))
        .collect();
    assert_eq!(options.len(), 34, "{options:#?}");
    for line in options {
        assert!(line.contains("[default: "), "{line}");
        assert!(line.contains("[env: PERSEVERE_"), "{line}");
    }
}

#[test]
fn help_and_version_go_to_stdout_with_0() {
    let r = run(&["--help"]);
    assert_eq!(r.code, Some(0));
    assert!(
        r.stdout
            .contains("Usage: persevere [OPTIONS] [--] <COMMAND>...")
    );
    let r = run(&["--version"]);
    assert_eq!((r.code, r.stdout.trim()), (Some(0), "persevere 0.1.0"));
}
