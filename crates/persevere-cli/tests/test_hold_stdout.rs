//! `--hold-stdout`: the command's stdout reaches persevere's stdout once, from the attempt that
//! succeeded; failed attempts' stdout goes to stderr. Held in a file, not in memory.
#![cfg(target_os = "linux")] // the tests read /proc, as persevere does there

mod common;
use common::run;

/// Fails twice, then succeeds; says which attempt it is on stdout and on stderr.
const THIRD_TIME: &str = r#"echo "out $PERSEVERE_ATTEMPT"; echo "err $PERSEVERE_ATTEMPT" >&2
    test "$PERSEVERE_ATTEMPT" = 3"#;

#[test]
fn only_the_successful_attempts_stdout_reaches_stdout() {
    for rules in [&[][..], &["--retry-if-output", "never"][..]] {
        let mut args = vec!["--hold-stdout", "--factor", "1ms", "--quiet"];
        args.extend_from_slice(rules);
        args.extend_from_slice(&["--", "sh", "-c", THIRD_TIME]);
        let r = run(&args);
        assert_eq!(r.code, Some(0), "{rules:?}");
        assert_eq!(r.stdout, "out 3\n", "{rules:?}");
        // The failed attempts' stdout comes after their stderr, when each attempt has ended.
        assert_eq!(r.stderr, "err 1\nout 1\nerr 2\nout 2\nerr 3\n", "{rules:?}");
    }
}

#[test]
fn giving_up_leaves_stdout_empty() {
    let r = run(&[
        "--hold-stdout",
        "--max-tries",
        "2",
        "--factor",
        "1ms",
        "--quiet",
        "--",
        "sh",
        "-c",
        "echo held; exit 4",
    ]);
    assert_eq!((r.code, r.stdout.as_str()), (Some(4), ""));
    assert_eq!(r.stderr, "held\nheld\n");
}

#[test]
fn the_output_is_held_in_an_unlinked_file_and_passed_whole() {
    // 8 MiB in one go, and where the command's stdout is while it runs.
    let r = run(&[
        "--hold-stdout",
        "--",
        "sh",
        "-c",
        "readlink /proc/$$/fd/1; head -c 8388608 /dev/zero",
    ]);
    assert_eq!(r.code, Some(0));
    let (first, rest) = r.stdout.split_once('\n').unwrap();
    assert!(first.contains(".persevere-stdout-"), "{first}");
    assert!(first.ends_with("(deleted)"), "{first}");
    assert_eq!(rest.len(), 8 << 20);
}
