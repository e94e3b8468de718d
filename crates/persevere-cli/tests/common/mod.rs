//! Helpers for driving the real `persevere` binary.
#![allow(dead_code)] // each test file uses its own part of these helpers

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// How long any run may take before the test calls it hung (generous: CI is loaded).
pub const HANG: Duration = Duration::from_secs(60);

/// `persevere` with a clean environment of PERSEVERE_* variables and stdin from /dev/null.
pub fn persevere() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_persevere"));
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("PERSEVERE_") {
            cmd.env_remove(name);
        }
    }
    cmd.stdin(Stdio::null());
    // The test runner may have been started with SIGINT or SIGHUP ignored (a background job,
    // nohup), which persevere and its commands would keep: start from the defaults.
    // SAFETY: runs between fork and exec; `signal` is async-signal-safe and allocates nothing.
    unsafe {
        cmd.pre_exec(|| {
            for signal in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP, libc::SIGQUIT] {
                libc::signal(signal, libc::SIG_DFL);
            }
            Ok(())
        });
    }
    cmd
}

/// The result of one run.
#[derive(Debug)]
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// The report's lines (when `--report -` wrote them to stderr).
    pub fn events(&self) -> Vec<String> {
        self.stderr
            .lines()
            .filter(|l| l.starts_with('{'))
            .map(str::to_string)
            .collect()
    }

    /// persevere's messages on stderr.
    pub fn messages(&self) -> Vec<String> {
        self.stderr
            .lines()
            .filter(|l| l.starts_with("persevere: "))
            .map(str::to_string)
            .collect()
    }
}

/// Runs persevere with `args` and waits for it (at most [`HANG`]).
pub fn run(args: &[&str]) -> Run {
    let mut cmd = persevere();
    cmd.args(args);
    output(cmd)
}

/// Runs a prepared command and collects its output (at most [`HANG`]).
pub fn output(mut cmd: Command) -> Run {
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let child = cmd.spawn().expect("persevere starts");
    let out = wait_output(child);
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Waits for a child's output, killing it if it runs longer than [`HANG`].
pub fn wait_output(child: Child) -> Output {
    let pid = child.id() as libc::pid_t;
    let watchdog = std::thread::spawn(move || {
        let start = Instant::now();
        while start.elapsed() < HANG {
            std::thread::sleep(Duration::from_millis(50));
            if !alive(pid) {
                return;
            }
        }
        // SAFETY: kill takes integers; at worst the pid is gone.
        unsafe { libc::kill(pid, libc::SIGKILL) };
    });
    let out = child.wait_with_output().expect("wait for persevere");
    let _ = watchdog.join();
    out
}

/// The value of `key` in a report line, as written.
pub fn field<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    let start = line.find(&format!("\"{key}\":"))? + key.len() + 3;
    let rest = &line[start..];
    let end = rest.find([',', '}']).unwrap_or(rest.len());
    Some(rest[..end].trim_matches('"'))
}

/// The `wait_s` values of the report's backoff events.
pub fn waits(run: &Run) -> Vec<f64> {
    run.events()
        .iter()
        .filter_map(|l| field(l, "wait_s"))
        .map(|w| w.parse().unwrap())
        .collect()
}

/// Whether a process exists and is not a zombie.
pub fn alive(pid: libc::pid_t) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => {
            let state = stat[stat.rfind(')').unwrap() + 1..]
                .split_whitespace()
                .next();
            state != Some("Z") && state != Some("X")
        }
        Err(_) => false,
    }
}

/// Polls `cond` every 20 ms until it holds or `timeout` passes; returns whether it held.
pub fn wait_until(timeout: Duration, mut cond: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    loop {
        if cond() {
            return true;
        }
        if start.elapsed() > timeout {
            return false;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A fresh directory, removed when dropped.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new() -> TempDir {
        static N: AtomicU32 = AtomicU32::new(0);
        let n = N.fetch_add(1, Ordering::SeqCst);
        let dir =
            std::env::temp_dir().join(format!("persevere-cli-test-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    /// A path in the directory, as a string for command lines.
    pub fn file(&self, name: &str) -> String {
        self.0.join(name).to_string_lossy().into_owned()
    }

    /// A file in the directory holding `text`, with permission bits `mode` (`0o755` for a
    /// script to run); its path, as [`file`](Self::file) gives it.
    pub fn write(&self, name: &str, text: &str, mode: u32) -> String {
        use std::os::unix::fs::PermissionsExt;
        let path = self.file(name);
        std::fs::write(&path, text).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Reads a pid written by a test command into `path`, once it is there.
pub fn read_pid(path: &str) -> libc::pid_t {
    let mut pid = None;
    assert!(
        wait_until(HANG, || {
            pid = std::fs::read_to_string(path)
                .ok()
                .and_then(|s| s.trim().parse().ok());
            pid.is_some()
        }),
        "no pid in {path}"
    );
    pid.unwrap()
}

/// Waits for a child (at most [`HANG`]) and returns how it ended.
pub fn wait_status(child: Child) -> std::process::ExitStatus {
    wait_output(child).status
}

/// A child's output stream read line by line on a thread, so that a test can wait for a line
/// without blocking forever.
pub struct Lines {
    rx: std::sync::mpsc::Receiver<String>,
    seen: Vec<String>,
}

impl Lines {
    pub fn new(stream: impl std::io::Read + Send + 'static) -> Lines {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            use std::io::BufRead;
            for line in std::io::BufReader::new(stream).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Lines {
            rx,
            seen: Vec::new(),
        }
    }

    /// Reads until a line contains `text` (at most [`HANG`]) and returns that line.
    pub fn wait_for(&mut self, text: &str) -> String {
        let deadline = Instant::now() + HANG;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if line.contains(text) {
                        return line;
                    }
                }
                Err(_) => panic!("no line with {text:?} in {:#?}", self.seen),
            }
        }
    }

    /// Every line, those read so far and the rest until the stream ends (at most [`HANG`]).
    pub fn rest(mut self) -> String {
        let deadline = Instant::now() + HANG;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok(line) => self.seen.push(line),
                Err(_) => break,
            }
        }
        self.seen.iter().map(|l| format!("{l}\n")).collect()
    }
}
