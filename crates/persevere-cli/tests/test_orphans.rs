//! Nothing of an attempt outlives persevere, even when persevere itself is killed with SIGKILL:
//! its guardian stops the attempt's process group and every descendant of its members.

#![deny(clippy::undocumented_unsafe_blocks)]
#![cfg(target_os = "linux")] // the tests read /proc, as persevere does there

mod common;
use common::{HANG, TempDir, alive, persevere, read_pid, wait_until};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Stdio};

/// The attempt's script: a background job, a nested shell with its own background job and a
/// `setsid` one, a `setsid` child of the leader, then it waits. Each writes its pid to a file.
const TREE: &str = r#"
d=$1
sleep 300 & echo $! > $d/job.pid
sh -c "sleep 300 & echo \$! > $d/nested_job.pid
       setsid sh -c 'echo \$\$ > $d/nested_sid.pid; exec sleep 300' &
       wait" &
echo $! > $d/nested.pid
setsid sh -c "echo \$\$ > $d/sid.pid; exec sleep 300" &
while ! test -s $d/sid.pid || ! test -s $d/nested_sid.pid || ! test -s $d/nested_job.pid; do
    sleep 0.01
done
echo $$ > $d/leader.pid
wait
"#;

const PIDS: [&str; 6] = [
    "leader.pid",
    "job.pid",
    "nested.pid",
    "nested_job.pid",
    "nested_sid.pid",
    "sid.pid",
];

fn sigkill(pid: libc::pid_t) {
    // SAFETY: kill takes integers.
    unsafe { libc::kill(pid, libc::SIGKILL) };
}

/// Starts persevere on `script` (run by sh with the directory as `$1`).
fn start(dir: &TempDir, args: &[&str], script: &str) -> Child {
    start_with(persevere(), dir, args, script)
}

/// The same, with persevere allowed one processor only (its guardian is then a fork).
fn start_on_one_processor(dir: &TempDir, args: &[&str], script: &str) -> Child {
    let mut cmd = persevere();
    let cpu = first_processor();
    // SAFETY: runs between fork and exec; sched_setaffinity is a system call on a set that
    // lives in the closure's frame, made valid by zeroing (an empty set) and CPU_SET.
    unsafe {
        cmd.pre_exec(move || {
            let mut set: libc::cpu_set_t = std::mem::zeroed();
            libc::CPU_SET(cpu, &mut set);
            match libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set) {
                0 => Ok(()),
                _ => Err(std::io::Error::last_os_error()),
            }
        });
    }
    start_with(cmd, dir, args, script)
}

/// The lowest processor this test may run on.
fn first_processor() -> usize {
    // SAFETY: a zeroed cpu_set_t is a valid, empty set that sched_getaffinity fills.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        libc::sched_getaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &mut set);
        (0..libc::CPU_SETSIZE as usize)
            .find(|&cpu| libc::CPU_ISSET(cpu, &set))
            .unwrap()
    }
}

/// How many processors this test may run on.
fn processors() -> usize {
    std::thread::available_parallelism().unwrap().get()
}

/// Whether `guardian` is persevere's program run anew (with no environment), rather than a
/// fork of persevere (with persevere's).
fn execd(guardian: libc::pid_t) -> bool {
    std::fs::read(format!("/proc/{guardian}/environ"))
        .unwrap()
        .is_empty()
}

fn start_with(mut cmd: std::process::Command, dir: &TempDir, args: &[&str], script: &str) -> Child {
    let path = dir.write("script.sh", script, 0o644);
    cmd.args(args)
        .args(["--", "sh", &path])
        .arg(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    cmd.spawn().unwrap()
}

/// Kills persevere with SIGKILL and reaps it.
fn kill_persevere(child: Child) {
    sigkill(child.id() as libc::pid_t);
    let status = common::wait_status(child);
    assert_eq!(
        std::os::unix::process::ExitStatusExt::signal(&status),
        Some(libc::SIGKILL)
    );
}

/// A process's name (`ps -o comm`).
fn comm(pid: libc::pid_t) -> Option<String> {
    let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).ok()?;
    Some(comm.trim_end().to_string())
}

/// The guardian that persevere `parent` started.
fn guardian_of(parent: libc::pid_t) -> libc::pid_t {
    let mut found = None;
    let seen = wait_until(HANG, || {
        found = std::fs::read_dir("/proc")
            .unwrap()
            .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<libc::pid_t>().ok())
            .find(|&pid| {
                comm(pid).as_deref() == Some("persevere-guard")
                    && stat_field(pid, 1) == Some(parent)
            });
        found.is_some()
    });
    assert!(seen, "persevere {parent} has no guardian");
    found.unwrap()
}

/// Field `n` after the command name in /proc/PID/stat: 1 is the parent, 2 the process group.
fn stat_field(pid: libc::pid_t, n: usize) -> Option<libc::pid_t> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    stat[stat.rfind(')')? + 1..]
        .split_whitespace()
        .nth(n)?
        .parse()
        .ok()
}

#[test]
fn sigkill_of_persevere_leaves_no_process_of_the_attempt_alive() {
    let dir = TempDir::new();
    let child = start(&dir, &["--max-tries", "1"], TREE);
    let pids: Vec<libc::pid_t> = PIDS.iter().map(|f| read_pid(&dir.file(f))).collect();
    assert!(pids.iter().all(|&p| alive(p)));
    kill_persevere_and_expect_the_tree_gone(child, &pids);
}

/// Kills persevere with SIGKILL, then expects every process of [`TREE`] (`pids`) to die.
fn kill_persevere_and_expect_the_tree_gone(child: Child, pids: &[libc::pid_t]) {
    kill_persevere(child);
    let gone = wait_until(HANG, || pids.iter().all(|&p| !alive(p)));
    let left: Vec<_> = PIDS.iter().zip(pids).filter(|(_, p)| alive(**p)).collect();
    assert!(gone, "outlived persevere: {left:?}");
}

#[test]
fn the_guardian_has_its_own_group_and_ends_with_persevere() {
    let dir = TempDir::new();
    let script = "echo $$ > $1/pid; while ! test -e $1/go; do sleep 0.01; done";
    let child = start(&dir, &[], script);
    let persevere_pid = child.id() as libc::pid_t;
    read_pid(&dir.file("pid"));
    let guardian = guardian_of(persevere_pid);
    assert_eq!(
        stat_field(guardian, 2),
        Some(guardian),
        "it leads its own group"
    );
    // It holds its socket on stdin and /dev/null, nothing of persevere's or the caller's
    // (the test's own descriptors included), and no directory.
    let mut fds: Vec<(String, String)> = std::fs::read_dir(format!("/proc/{guardian}/fd"))
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let target = std::fs::read_link(e.path()).unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                target.display().to_string(),
            )
        })
        .collect();
    fds.sort();
    assert_eq!(fds.len(), 3, "{fds:?}");
    assert!(fds[0].1.starts_with("socket:"), "{fds:?}");
    assert_eq!(
        (fds[1].1.as_str(), fds[2].1.as_str()),
        ("/dev/null", "/dev/null")
    );
    let cwd = std::fs::read_link(format!("/proc/{guardian}/cwd")).unwrap();
    assert_eq!(cwd, Path::new("/"));
    // With two processors, a program of its own (persevere's, run anew with no environment),
    // not a process that shares persevere's memory: the OOM killer, picking persevere, kills
    // every process that shares its memory.
    // (On Linux elsewhere than x86-64 and AArch64, it is always a fork.)
    if cfg!(shared_memory_child) && processors() >= 2 {
        assert!(execd(guardian), "the guardian was not exec'd");
        let cmdline = std::fs::read(format!("/proc/{guardian}/cmdline")).unwrap();
        assert_eq!(
            cmdline.split(|&b| b == 0).next(),
            Some(&b"persevere-guard"[..])
        );
    }
    // Persevere started it with every signal blocked; it unblocked them.
    let status = std::fs::read_to_string(format!("/proc/{guardian}/status")).unwrap();
    assert!(status.contains("\nSigBlk:\t0000000000000000\n"), "{status}");
    std::fs::write(dir.file("go"), "").unwrap();
    let status = common::wait_status(child);
    assert_eq!(status.code(), Some(0));
    assert!(wait_until(HANG, || !alive(guardian)), "the guardian ended");
}

#[test]
fn without_its_guardian_the_command_still_dies_with_persevere() {
    // Attempt 1 waits for `go`; attempt 2 becomes `sleep 300`.
    let dir = TempDir::new();
    let script = r#"
        echo $$ > $1/attempt$PERSEVERE_ATTEMPT.pid
        test "$PERSEVERE_ATTEMPT" = 2 && exec sleep 300
        while ! test -e $1/go; do sleep 0.01; done
        exit 1"#;
    let child = start(&dir, &["--factor", "1ms"], script);
    let persevere_pid = child.id() as libc::pid_t;
    read_pid(&dir.file("attempt1.pid"));
    let guardian = guardian_of(persevere_pid);
    sigkill(guardian);
    // persevere reaps it (then it has no guardian) before the next attempt starts.
    let reaped = wait_until(HANG, || !Path::new(&format!("/proc/{guardian}")).exists());
    assert!(reaped, "persevere reaped its guardian");
    std::fs::write(dir.file("go"), "").unwrap();
    let second = read_pid(&dir.file("attempt2.pid"));
    kill_persevere(child);
    assert!(
        wait_until(HANG, || !alive(second)),
        "the parent-death signal killed the command"
    );
}

#[test]
fn under_valgrind_the_guardian_starts_from_a_fork() {
    // Valgrind stops a program that makes the guardian's usual `clone`; persevere sees it and
    // forks instead. .ci/run installs Valgrind; elsewhere the test says it did not run.
    if std::process::Command::new("valgrind")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("valgrind is not installed: not run");
        return;
    }
    let dir = TempDir::new();
    let script = "echo $PPID > $1/persevere.pid; while ! test -e $1/go; do sleep 0.01; done";
    let path = dir.write("script.sh", script, 0o644);
    let child = std::process::Command::new("valgrind")
        .args(["-q", env!("CARGO_BIN_EXE_persevere"), "--max-tries", "1"])
        .args(["--", "sh", &path])
        .arg(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let persevere_pid = read_pid(&dir.file("persevere.pid"));
    let guardian = guardian_of(persevere_pid);
    assert_eq!(stat_field(guardian, 2), Some(guardian));
    assert!(!execd(guardian), "a fork keeps persevere's environment");
    std::fs::write(dir.file("go"), "").unwrap();
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("clone"), "{stderr}");
    assert!(wait_until(HANG, || !alive(guardian)), "the guardian ended");
}

#[test]
fn on_one_processor_the_guardian_is_a_fork_and_stops_what_a_sigkill_left() {
    let dir = TempDir::new();
    let child = start_on_one_processor(&dir, &["--max-tries", "1"], TREE);
    let pids: Vec<libc::pid_t> = PIDS.iter().map(|f| read_pid(&dir.file(f))).collect();
    let guardian = guardian_of(child.id() as libc::pid_t);
    assert!(!execd(guardian), "a fork keeps persevere's environment");
    assert_eq!(
        stat_field(guardian, 2),
        Some(guardian),
        "it leads its own group"
    );
    kill_persevere_and_expect_the_tree_gone(child, &pids);
}
