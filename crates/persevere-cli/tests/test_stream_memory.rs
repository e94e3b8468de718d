//! 1 GiB of output streams through `--until-output` while persevere's peak memory stays small:
//! lines are matched as they come and never held (peers buffered it all and were OOM-killed),
//! also a single line of 64 MiB.

#![deny(clippy::undocumented_unsafe_blocks)]
#![cfg(target_os = "linux")] // the tests read /proc, as persevere does there

mod common;
use std::process::Stdio;

const GIB: u64 = 1 << 30;
const LIMIT_KIB: i64 = 64 * 1024;

#[test]
fn one_gib_of_output_streams_through_an_output_rule_in_bounded_memory() {
    // 1 GiB of 1000-byte lines, then the line the rule waits for.
    let script =
        format!("yes \"$(head -c 1000 /dev/zero | tr '\\0' a)\" | head -c {GIB}; echo; echo DONE");
    peak_rss_is_small(&script, "^DONE$");
}

#[test]
fn one_line_of_64_mib_streams_through_an_output_rule_in_bounded_memory() {
    // The match is at the end of the line: the whole line goes through the rule.
    let script = "head -c 67108864 /dev/zero | tr '\\0' a; echo DONE";
    peak_rss_is_small(script, "a+DONE$");
}

/// Runs one attempt of `script` under `--until-output regex`: it succeeds, and the peak memory
/// of persevere (and its children) stays under 64 MiB.
fn peak_rss_is_small(script: &str, regex: &str) {
    let mut cmd = common::persevere();
    cmd.args([
        "--until-output",
        regex,
        "--max-tries",
        "1",
        "--",
        "sh",
        "-c",
        script,
    ])
    .stdout(Stdio::null())
    .stderr(Stdio::null());
    let child = cmd.spawn().unwrap();
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value for wait4 to overwrite.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `status` and `usage` are live locals that wait4 fills; std's Child is never
    // waited for afterwards, so the pid is reaped once, here.
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(waited, pid);
    assert!(libc::WIFEXITED(status));
    assert_eq!(libc::WEXITSTATUS(status), 0, "DONE was seen at the end");
    // ru_maxrss is in KiB on Linux, for persevere and the children it reaped.
    eprintln!(
        "peak RSS of persevere and its children: {} KiB",
        usage.ru_maxrss
    );
    assert!(
        usage.ru_maxrss < LIMIT_KIB,
        "peak RSS {} KiB is not under 64 MiB",
        usage.ru_maxrss
    );
    drop(child);
}
