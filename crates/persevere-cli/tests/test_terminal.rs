//! With a terminal on stdin, each attempt gets the terminal's foreground (so that Ctrl-C and
//! reads reach it) and persevere takes it back afterwards. Runs persevere as the session leader
//! of a new pseudo-terminal.

#![deny(clippy::undocumented_unsafe_blocks)]
#![cfg(target_os = "linux")] // the tests read /proc, as persevere does there

mod common;
use common::{HANG, TempDir, persevere, wait_output, wait_until};
use std::fs::{File, OpenOptions};
use std::os::fd::FromRawFd;
use std::os::unix::fs::OpenOptionsExt;
use std::os::unix::process::CommandExt;
use std::process::Stdio;

/// A new pseudo-terminal: (master, slave path).
fn open_pty() -> (File, String) {
    // SAFETY: plain libc calls on a descriptor this function owns; `name` is a live buffer
    // whose length is passed along.
    unsafe {
        let master = libc::posix_openpt(libc::O_RDWR | libc::O_NOCTTY);
        assert!(master >= 0, "posix_openpt");
        assert_eq!(libc::grantpt(master), 0);
        assert_eq!(libc::unlockpt(master), 0);
        let mut name = [0 as libc::c_char; 128];
        assert_eq!(libc::ptsname_r(master, name.as_mut_ptr(), name.len()), 0);
        let path = std::ffi::CStr::from_ptr(name.as_ptr())
            .to_string_lossy()
            .into_owned();
        (File::from_raw_fd(master), path)
    }
}

/// Fields 5 (process group) and 8 (the terminal's foreground group) of /proc/PID/stat.
fn groups(pid: libc::pid_t) -> Option<(String, String)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let fields: Vec<&str> = stat[stat.rfind(')')? + 1..].split_whitespace().collect();
    Some((fields[2].to_string(), fields[5].to_string()))
}

#[test]
fn the_attempt_gets_the_terminal_foreground_and_persevere_takes_it_back() {
    let (_master, slave_path) = open_pty();
    let slave = OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags(libc::O_NOCTTY)
        .open(&slave_path)
        .unwrap();
    let dir = TempDir::new();
    let log = dir.file("groups");
    // The attempt records its group and the terminal's foreground group, then fails.
    let script = format!("set -- $(cat /proc/$$/stat); echo \"$5 $8\" > {log}; exit 1");
    let mut cmd = persevere();
    cmd.args([
        "--wait",
        "constant",
        "--interval",
        "60s",
        "--",
        "sh",
        "-c",
        &script,
    ])
    .stdin(slave)
    .stdout(Stdio::null())
    .stderr(Stdio::piped());
    // SAFETY: runs in the forked child before exec; setsid and ioctl are async-signal-safe
    // and touch no memory of the parent. The slave is already on fd 0: it becomes the
    // controlling terminal of persevere's new session, with persevere in the foreground.
    unsafe {
        cmd.pre_exec(|| {
            libc::setsid();
            if libc::ioctl(0, libc::TIOCSCTTY, 0) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let child = cmd.spawn().unwrap();
    let pid = child.id() as libc::pid_t;
    let mut line = String::new();
    assert!(wait_until(HANG, || {
        line = std::fs::read_to_string(&log).unwrap_or_default();
        line.ends_with('\n')
    }));
    let (group, foreground) = line.trim().split_once(' ').unwrap();
    assert_eq!(group, foreground, "the attempt is the foreground group");
    assert_ne!(group, pid.to_string(), "in its own group, not persevere's");
    // During the wait, persevere (the session leader, its own group) has the terminal back.
    let own = pid.to_string();
    assert!(
        wait_until(HANG, || groups(pid) == Some((own.clone(), own.clone()))),
        "persevere took the terminal back: {:?}",
        groups(pid)
    );
    // SAFETY: kill takes integers.
    unsafe { libc::kill(pid, libc::SIGTERM) };
    assert_eq!(
        std::os::unix::process::ExitStatusExt::signal(&wait_output(child).status),
        Some(libc::SIGTERM),
        "persevere ends by the signal it received"
    );
}

#[test]
fn a_status_line_shows_on_a_terminal_only_while_persevere_waits() {
    let (master, slave_path) = open_pty();
    let slave = OpenOptions::new()
        .write(true)
        .custom_flags(libc::O_NOCTTY)
        .open(&slave_path)
        .unwrap();
    let mut cmd = persevere();
    cmd.args([
        "--wait",
        "constant",
        "--interval",
        "60s",
        "--jitter",
        "none",
        "--",
        "false",
    ])
    .stdout(Stdio::null())
    .stderr(slave);
    let child = cmd.spawn().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut master = master;
        let mut buf = [0u8; 4096];
        while let Ok(n) = std::io::Read::read(&mut master, &mut buf) {
            if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    let mut seen = Vec::new();
    let status = b"persevere: retrying false in ";
    assert!(
        wait_until(HANG, || {
            seen.extend(rx.try_iter().flatten());
            seen.windows(status.len()).any(|w| w == status)
        }),
        "no status line: {}",
        String::from_utf8_lossy(&seen)
    );
    let text = String::from_utf8_lossy(&seen).into_owned();
    assert!(
        text.starts_with("persevere: backing off false (exit 1) for 60.0s (try 1 of 5)\r\n"),
        "{text:?}"
    );
    assert!(
        text.contains("\r\x1b[Kpersevere: retrying false in "),
        "{text:?}"
    );
    // SAFETY: kill takes integers.
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) };
    assert_eq!(
        std::os::unix::process::ExitStatusExt::signal(&wait_output(child).status),
        Some(libc::SIGTERM),
        "persevere ends by the signal it received"
    );
    // The status line is erased before the last message.
    let erased = b"\r\x1b[Kpersevere: giving up false after 1 try (exit 1): got SIGTERM\r\n";
    let ended = wait_until(HANG, || {
        seen.extend(rx.try_iter().flatten());
        seen.ends_with(erased)
    });
    assert!(
        ended,
        "the status line is erased: {:?}",
        String::from_utf8_lossy(&seen)
    );
}

/// The pids of the processes whose parent is `parent`.
fn children_of(parent: libc::pid_t) -> Vec<libc::pid_t> {
    std::fs::read_to_string(format!("/proc/{parent}/task/{parent}/children"))
        .unwrap_or_default()
        .split_whitespace()
        .filter_map(|p| p.parse().ok())
        .collect()
}

/// The case: in a pty, `bash -c 'persevere -- sleep 100; echo CONTINUED'` and Ctrl-C
/// printed `CONTINUED rc=130`: the attempt had the terminal's foreground, so bash never saw
/// the SIGINT. Now the script stops, as with `timeout --foreground`, and the attempt still
/// had the terminal.
#[test]
fn ctrl_c_at_a_terminal_stops_the_calling_script() {
    let (master, slave_path) = open_pty();
    let slave = OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags(libc::O_NOCTTY)
        .open(&slave_path)
        .unwrap();
    let dir = TempDir::new();
    let log = dir.file("groups");
    // The attempt records its group and the terminal's foreground group, then sleeps.
    let attempt = format!("set -- $(cat /proc/$$/stat); echo \"$5 $8\" > {log}; exec sleep 100");
    let script = format!(
        "\"$0\" --max-tries 3 -- sh -c '{attempt}'; echo CONTINUED rc=$? > {out}",
        out = dir.file("continued"),
    );
    let mut cmd = std::process::Command::new("bash");
    cmd.args(["-c", &script, env!("CARGO_BIN_EXE_persevere")])
        .stdin(slave.try_clone().unwrap())
        .stdout(slave.try_clone().unwrap())
        .stderr(Stdio::piped());
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("PERSEVERE_") {
            cmd.env_remove(name);
        }
    }
    // SAFETY: runs in the forked child before exec; setsid, ioctl and signal are
    // async-signal-safe and touch no memory of the parent. bash becomes the session leader
    // with the pty as its controlling terminal, in the foreground, SIGINT at its default.
    unsafe {
        cmd.pre_exec(|| {
            libc::setsid();
            if libc::ioctl(0, libc::TIOCSCTTY, 0) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            libc::signal(libc::SIGINT, libc::SIG_DFL);
            Ok(())
        });
    }
    let child = cmd.spawn().unwrap();
    drop(slave);
    let mut line = String::new();
    assert!(wait_until(HANG, || {
        line = std::fs::read_to_string(&log).unwrap_or_default();
        line.ends_with('\n')
    }));
    let (group, foreground) = line.trim().split_once(' ').unwrap();
    assert_eq!(group, foreground, "the attempt has the terminal");
    // Wait until the attempt is `sleep` (exec'ed), then press Ctrl-C.
    let bash = child.id() as libc::pid_t;
    assert!(wait_until(HANG, || {
        children_of(bash).iter().any(|&persevere| {
            children_of(persevere).iter().any(|&p| {
                std::fs::read_to_string(format!("/proc/{p}/comm")).is_ok_and(|c| c == "sleep\n")
            })
        })
    }));
    use std::io::Write;
    (&master).write_all(b"\x03").unwrap();
    let out = wait_output(child);
    assert_eq!(
        std::os::unix::process::ExitStatusExt::signal(&out.status),
        Some(libc::SIGINT),
        "bash stopped by SIGINT: {out:?}"
    );
    assert!(
        std::fs::read_to_string(dir.file("continued")).is_err(),
        "the script went on"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        stderr.matches("persevere: giving up").count(),
        1,
        "one attempt, then no retry: {stderr}"
    );
}
