//! A throwaway PostgreSQL server for tests and examples: `initdb` into a fresh directory, the
//! server on a free port of 127.0.0.1, stopped and its directory removed when the guard is
//! dropped, also when a test panics (the guard's `Drop` runs as the panic unwinds; and the
//! server gets SIGKILL should the process that started it die without unwinding).
//!
//! The binaries are found in `$PG_BIN`, else the newest `/usr/lib/postgresql/*/bin` (Debian's
//! layout), else on `PATH`. `initdb` and `postgres` refuse to run as root: as root, the
//! server runs as the unprivileged `postgres` user (or `nobody`), which owns its directory.

use std::ffi::OsStr;
use std::fs;
use std::io;
use std::os::unix::fs::{PermissionsExt, chown};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// The database superuser and database the server is made with (trust authentication, on
/// loopback only).
pub const USER: &str = "postgres";

/// A PostgreSQL server of its own: made by [`PgServer::init`], started and stopped by the
/// test; dropping it stops it and removes its directory.
pub struct PgServer {
    bin: PathBuf,
    dir: PathBuf,
    port: u16,
    owner: Option<(u32, u32)>,
    child: Option<Child>,
}

impl PgServer {
    /// Makes a database cluster in a new temporary directory (`initdb`), to be served on a
    /// port free now. The server is not started.
    pub fn init() -> io::Result<PgServer> {
        let bin = binaries()?;
        let owner = unprivileged_owner()?;
        static COUNT: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!(
            "persevere-pg-{}-{}",
            std::process::id(),
            COUNT.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir(&dir)?;
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o700))?;
        // The guard exists from here on, so that a failing `initdb` leaves nothing behind.
        let mut server = PgServer {
            bin,
            dir,
            port: free_port()?,
            owner,
            child: None,
        };
        if let Some((uid, gid)) = owner {
            chown(&server.dir, Some(uid), Some(gid))?;
        }
        let data = server.data();
        let output = server
            .command("initdb")
            .arg("-D")
            .arg(&data)
            .args([
                "-U",
                USER,
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C",
                "--no-sync",
            ])
            .output()?;
        if !output.status.success() {
            return Err(io::Error::other(format!(
                "initdb failed: {}",
                String::from_utf8_lossy(&output.stderr)
            )));
        }
        server.owner = owner;
        Ok(server)
    }

    /// Starts the server (it accepts connections a moment later: connect with a retry).
    /// Its log goes to `server.log` in its directory.
    ///
    /// Should the process die without unwinding, the kernel kills the server: Linux sends
    /// that signal when the *thread* that started the server ends, so start it from the
    /// thread that holds the guard (a test's own thread), not from a short-lived one.
    pub fn start(&mut self) -> io::Result<()> {
        assert!(self.child.is_none(), "the server is already running");
        let log = fs::File::create(self.dir.join("server.log"))?;
        if let Some((uid, gid)) = self.owner {
            chown(self.dir.join("server.log"), Some(uid), Some(gid))?;
        }
        let data = self.data();
        let mut command = self.command("postgres");
        command
            .arg("-D")
            .arg(&data)
            .arg("-p")
            .arg(self.port.to_string())
            .args([
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                "unix_socket_directories=",
                "-c",
                "fsync=off",
                "-c",
                "synchronous_commit=off",
                "-c",
                "full_page_writes=off",
                "-c",
                "max_connections=20",
                "-c",
                "shared_buffers=16MB",
            ])
            .stdout(Stdio::null())
            .stderr(log);
        // Should this process die without unwinding, the kernel kills the server.
        // SAFETY: `prctl` is async-signal-safe and touches no memory of the parent.
        unsafe {
            command.pre_exec(|| {
                if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                    return Err(io::Error::last_os_error());
                }
                Ok(())
            });
        }
        self.child = Some(command.spawn()?);
        Ok(())
    }

    /// Stops the server with a fast shutdown (SIGINT: sessions are ended, as in a restart
    /// for maintenance), waiting at most 10 s before SIGKILL.
    pub fn stop(&mut self) -> io::Result<()> {
        let Some(mut child) = self.child.take() else {
            return Ok(());
        };
        signal(&child, libc::SIGINT);
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if child.try_wait()?.is_some() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        child.kill()?;
        child.wait()?;
        Ok(())
    }

    /// Whether the server process is running.
    pub fn is_running(&mut self) -> bool {
        self.child
            .as_mut()
            .is_some_and(|child| matches!(child.try_wait(), Ok(None)))
    }

    /// The server's process id, while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// The port the server listens on, on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The connection string for `tokio_postgres::connect`.
    pub fn config(&self) -> String {
        format!(
            "host=127.0.0.1 port={} user={USER} dbname=postgres connect_timeout=5",
            self.port
        )
    }

    /// The server's directory (its data directory and log are inside).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// What the server logged so far.
    pub fn log(&self) -> String {
        fs::read_to_string(self.dir.join("server.log")).unwrap_or_default()
    }

    fn data(&self) -> PathBuf {
        self.dir.join("data")
    }

    /// A command for one of the server's binaries, run as the unprivileged owner if root.
    fn command(&self, program: impl AsRef<OsStr>) -> Command {
        let mut command = Command::new(self.bin.join(program.as_ref()));
        command.env("LC_ALL", "C").env_remove("PGDATA");
        if let Some((uid, gid)) = self.owner {
            command.uid(uid).gid(gid);
        }
        command
    }
}

impl Drop for PgServer {
    fn drop(&mut self) {
        // Unwinding from a failed test: kill at once rather than wait for a clean shutdown.
        if std::thread::panicking() {
            if let Some(mut child) = self.child.take() {
                let _ = child.kill();
                let _ = child.wait();
            }
        }
        let _ = self.stop();
        let _ = fs::remove_dir_all(&self.dir);
    }
}

fn signal(child: &Child, signal: libc::c_int) {
    let pid = libc::pid_t::try_from(child.id()).expect("a pid fits a pid_t");
    // SAFETY: sending a signal to our own child, which has not been reaped.
    unsafe {
        libc::kill(pid, signal);
    }
}

/// A port of 127.0.0.1 that is free now.
fn free_port() -> io::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// The directory of `initdb` and `postgres`.
fn binaries() -> io::Result<PathBuf> {
    if let Some(dir) = std::env::var_os("PG_BIN") {
        return Ok(PathBuf::from(dir));
    }
    let mut versions: Vec<(u32, PathBuf)> = fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    versions.sort();
    if let Some((_, bin)) = versions.pop() {
        return Ok(bin);
    }
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|path| std::env::split_paths(&path).collect::<Vec<_>>())
        .find(|dir| dir.join("initdb").exists() && dir.join("postgres").exists());
    on_path.ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::NotFound,
            "PostgreSQL's initdb and postgres were not found (set PG_BIN, or install \
             postgresql-15: .ci/run does)",
        )
    })
}

/// As root, the uid and gid of `postgres` (else `nobody`), which the server runs as.
fn unprivileged_owner() -> io::Result<Option<(u32, u32)>> {
    // SAFETY: `geteuid` has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return Ok(None);
    }
    let passwd = fs::read_to_string("/etc/passwd")?;
    let ids = |name: &str| {
        passwd.lines().find_map(|line| {
            let fields: Vec<&str> = line.split(':').collect();
            (fields.first() == Some(&name))
                .then(|| Some((fields.get(2)?.parse().ok()?, fields.get(3)?.parse().ok()?)))?
        })
    };
    ids("postgres")
        .or_else(|| ids("nobody"))
        .map(Some)
        .ok_or_else(|| io::Error::other("running as root, and no `postgres` or `nobody` user"))
}
