//! What a successful attempt started on purpose keeps running: a `setsid` daemon, a plain
//! background job, one holding the output pipes, and a real PostgreSQL started by `pg_ctl
//! start` (which persevere used to stop 25 ms after "server started").

#![deny(clippy::undocumented_unsafe_blocks)]
#![cfg(target_os = "linux")] // the tests read /proc, as persevere does there

mod common;
use common::{TempDir, alive, read_pid, run};
use std::process::Command;

/// Kills a process the test started through persevere, when the test ends.
struct Reap(libc::pid_t);

impl Drop for Reap {
    fn drop(&mut self) {
        // SAFETY: kill takes integers; at worst the pid is gone.
        unsafe { libc::kill(self.0, libc::SIGKILL) };
    }
}

/// The first case: `persevere -- sh -c 'setsid sleep 300 & exit 0'` (its output
/// elsewhere, as a daemon's is: the test reads persevere's to its end).
#[test]
fn a_setsid_daemon_of_a_successful_attempt_keeps_running() {
    let dir = TempDir::new();
    let pid_file = dir.file("pid");
    let r = run(&[
        "-v",
        "--",
        "sh",
        "-c",
        &format!("setsid sleep 300 >/dev/null 2>&1 & echo $! > {pid_file}; exit 0"),
    ]);
    assert_eq!(r.code, Some(0), "{r:?}");
    let daemon = read_pid(&pid_file);
    let _reap = Reap(daemon);
    assert!(alive(daemon), "the daemon was stopped: {r:?}");
    // Named as it was then: `setsid` or, once it has exec'ed, `sleep`.
    let said =
        format!("persevere: leaving running what the successful attempt started: {daemon} (");
    let message = r.messages().into_iter().find(|m| m.starts_with(&said));
    assert!(
        message.is_some_and(|m| m.ends_with(") (--cleanup-on-success stops it)")),
        "{r:?}"
    );
}

/// A plain background job (same process group) and a double fork survive too, and nothing
/// is said without --verbose.
#[test]
fn background_jobs_of_a_successful_attempt_keep_running() {
    let dir = TempDir::new();
    let (job, orphan) = (dir.file("job"), dir.file("orphan"));
    let r = run(&[
        "--",
        "sh",
        "-c",
        &format!(
            "exec >/dev/null 2>&1; sleep 300 & echo $! > {job}; \
             (sleep 300 & echo $! > {orphan}); exit 0"
        ),
    ]);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert_eq!(r.stderr, "");
    for file in [job, orphan] {
        let pid = read_pid(&file);
        let _reap = Reap(pid);
        assert!(alive(pid), "{file}: stopped");
    }
}

/// With output rules the daemon's stdout is persevere's pipe, which it holds open: persevere
/// judges what came, closes the pipe and ends, leaving the daemon running.
#[test]
fn a_daemon_holding_the_output_pipe_does_not_hold_persevere() {
    let dir = TempDir::new();
    let pid_file = dir.file("pid");
    let r = run(&[
        "--until-output",
        "ready",
        "--",
        "sh",
        "-c",
        &format!("setsid sleep 300 & echo $! > {pid_file}; echo ready"),
    ]);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert_eq!(r.stdout, "ready\n");
    let daemon = read_pid(&pid_file);
    let _reap = Reap(daemon);
    assert!(alive(daemon));
}

/// The same daemon after an attempt that an output rule failed is stopped.
#[test]
fn a_daemon_of_an_attempt_failed_by_an_output_rule_is_stopped() {
    let dir = TempDir::new();
    let pid_file = dir.file("pid");
    let r = run(&[
        "--max-tries",
        "1",
        "--until-output",
        "ready",
        "--",
        "sh",
        "-c",
        &format!("setsid sleep 300 & echo $! > {pid_file}; echo not yet"),
    ]);
    assert_eq!(r.code, Some(1), "{r:?}");
    let daemon = read_pid(&pid_file);
    let _reap = Reap(daemon);
    assert!(
        common::wait_until(common::HANG, || !alive(daemon)),
        "still running"
    );
}

/// The newest `/usr/lib/postgresql/*/bin` (what .ci/run installs).
fn pg_bin() -> Option<std::path::PathBuf> {
    let mut dirs: Vec<_> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| Some(e.ok()?.path().join("bin")))
        .filter(|bin| bin.join("pg_ctl").exists())
        .collect();
    dirs.sort();
    dirs.pop()
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// Stops the test's PostgreSQL, whatever happens.
struct PgStop {
    pg_ctl: String,
    data: String,
}

impl Drop for PgStop {
    fn drop(&mut self) {
        let _ = Command::new("runuser")
            .args(["-u", "postgres", "--", &self.pg_ctl, "-D", &self.data])
            .args(["-m", "immediate", "stop"])
            .output();
    }
}

/// The second case: `persevere -- pg_ctl start` printed "server started", exited 0,
/// and PostgreSQL got a shutdown request 25 ms later. As root (CI), the server runs as the
/// `postgres` user, as the examples crate's tests do.
#[test]
fn postgres_started_by_pg_ctl_keeps_answering() {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        eprintln!("skipped: initdb refuses root, and runs here as `postgres` (CI runs as root)");
        return;
    }
    let bin = pg_bin().expect("PostgreSQL's binaries (.ci/run installs postgresql-15)");
    let tool = |name: &str| bin.join(name).to_string_lossy().into_owned();
    let dir = TempDir::new();
    let cluster = dir.path().join("pg");
    std::fs::create_dir(&cluster).unwrap();
    let uid = {
        let passwd = std::fs::read_to_string("/etc/passwd").unwrap();
        let line = passwd.lines().find(|l| l.starts_with("postgres:")).unwrap();
        line.split(':').nth(2).unwrap().parse().unwrap()
    };
    std::os::unix::fs::chown(&cluster, Some(uid), None).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let data = cluster.join("data").to_string_lossy().into_owned();
    let initdb = Command::new("runuser")
        .args(["-u", "postgres", "--", &tool("initdb"), "-D", &data])
        .args(["--auth=trust", "--no-sync", "-U", "postgres"])
        .output()
        .unwrap();
    assert!(initdb.status.success(), "{initdb:?}");
    let port = free_port().to_string();
    let _stop = PgStop {
        pg_ctl: tool("pg_ctl"),
        data: data.clone(),
    };
    let log = cluster.join("log").to_string_lossy().into_owned();
    let options = format!("-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=");
    let r = run(&[
        "--max-tries",
        "1",
        "--",
        "runuser",
        "-u",
        "postgres",
        "--",
        &tool("pg_ctl"),
        "-D",
        &data,
        "-l",
        &log,
        "-o",
        &options,
        "-w",
        "start",
    ]);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(r.stdout.contains("server started"), "{r:?}");
    // Long after persevere ended, the server still answers.
    std::thread::sleep(std::time::Duration::from_secs(1));
    let ready = Command::new(tool("pg_isready"))
        .args(["-h", "127.0.0.1", "-p", &port])
        .output()
        .unwrap();
    let log_text = std::fs::read_to_string(&log).unwrap_or_default();
    assert_eq!(ready.status.code(), Some(0), "{ready:?}\n{log_text}");
    assert!(!log_text.contains("shutdown request"), "{log_text}");
}
