//! How an attempt starts (`src/clone_exec.rs`: a child sharing persevere's memory until exec):
//! what the command inherits, the `PATH` search and its script fallback, and failures before
//! exec reported as the command's.

#![deny(clippy::undocumented_unsafe_blocks)]
#![cfg(target_os = "linux")] // the tests read /proc/self/status

mod common;
use common::{TempDir, run};
use std::os::unix::fs::PermissionsExt;

/// A field of the command's own /proc/self/status, as `grep` prints it.
fn status_field(run: &common::Run, name: &str) -> String {
    run.stdout
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{name}:")))
        .unwrap_or_else(|| panic!("no {name} in {:?}", run.stdout))
        .trim()
        .to_string()
}

#[test]
fn the_command_starts_with_no_signal_blocked_and_none_caught() {
    // persevere blocks every signal while it starts the child, and catches six of its own:
    // the command sees neither (as with std's spawn).
    let r = run(&["--max-tries", "1", "--", "cat", "/proc/self/status"]);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert_eq!(status_field(&r, "SigBlk"), "0000000000000000");
    assert_eq!(status_field(&r, "SigCgt"), "0000000000000000");
    // SIGPIPE at its default: persevere's own SIG_IGN is not passed on.
    let ignored = u64::from_str_radix(&status_field(&r, "SigIgn"), 16).unwrap();
    assert_eq!(ignored & (1 << (libc::SIGPIPE - 1)), 0, "{r:?}");
}

#[test]
fn the_command_is_its_own_process_group_with_persevere_as_parent() {
    let r = run(&[
        "--max-tries",
        "1",
        "--",
        "sh",
        "-c",
        "ps -o pid=,pgid=,ppid= -p $$",
    ]);
    assert_eq!(r.code, Some(0), "{r:?}");
    let fields: Vec<i64> = r
        .stdout
        .split_whitespace()
        .map(|f| f.parse().unwrap())
        .collect();
    let [pid, pgid, ppid] = fields[..] else {
        panic!("{r:?}")
    };
    assert_eq!(pid, pgid, "the attempt leads its own group");
    assert_ne!(ppid, 1, "persevere is the parent");
}

#[test]
fn a_script_without_a_shebang_runs_through_sh_with_every_argument() {
    // execvp runs a file the kernel cannot execute (ENOEXEC) through /bin/sh, copying the
    // argument pointers onto the child's stack: 200,000 of them need 1.6 MB of it.
    let dir = TempDir::new();
    let script = dir.write("count.sh", "echo $#\n", 0o755);
    let args: Vec<String> = (0..200_000).map(|i| (i % 10).to_string()).collect();
    let mut cmd = common::persevere();
    cmd.args(["--max-tries", "1", "--", &script]).args(&args);
    let r = common::output(cmd);
    assert_eq!(r.code, Some(0), "{:?}", r.stderr);
    assert_eq!(r.stdout.trim(), "200000");
}

#[test]
fn a_command_found_in_path_runs_and_one_that_cannot_start_says_why() {
    let dir = TempDir::new();
    let tool = dir.write("persevere-test-tool", "#!/bin/sh\necho found $1\n", 0o755);
    let path = format!(
        "{}:{}",
        dir.path().display(),
        std::env::var("PATH").unwrap()
    );
    let mut cmd = common::persevere();
    cmd.env("PATH", &path)
        .args(["--max-tries", "1", "--", "persevere-test-tool", "x"]);
    let r = common::output(cmd);
    assert_eq!((r.code, r.stdout.as_str()), (Some(0), "found x\n"), "{r:?}");
    // Not executable: the error of exec, in the child, reaches persevere (126, not retried).
    std::fs::set_permissions(&tool, std::fs::Permissions::from_mode(0o644)).unwrap();
    let r = run(&["--max-tries", "3", "--factor", "0.01", "--", &tool]);
    assert_eq!(r.code, Some(126), "{r:?}");
    assert_eq!(r.messages().len(), 1, "{r:?}");
    assert!(r.messages()[0].contains("permission denied"), "{r:?}");
    // No zombie is left by the failed child: persevere's only children are gone at exit, and
    // a later attempt in the same run starts normally.
    let r = run(&[
        "--max-tries",
        "2",
        "--factor",
        "0.01",
        "--",
        "sh",
        "-c",
        "exit 3",
    ]);
    assert_eq!(r.code, Some(3), "{r:?}");
}
