//! A real `redis-server` for the tests: started on a free loopback port, in a directory of its
//! own, without persistence, and stopped when the fixture is dropped (also when a test
//! panics). It can be stopped and started again on the same port, as an outage.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct RedisServer {
    pub port: u16,
    /// The address it listens on (loopback, or an address in a test's namespace).
    pub bind: String,
    /// `ip netns exec NAME` prefix, when it runs in a namespace.
    pub netns: Option<String>,
    child: Option<Child>,
    dir: PathBuf,
}

/// Fails the test with the reason when redis-server is missing: `.ci/run` installs it.
fn redis_server_binary() -> &'static str {
    let found = Command::new("redis-server")
        .arg("--version")
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        found,
        "redis-server is not installed: `apt-get install redis-server` (.ci/run does it)"
    );
    "redis-server"
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free loopback port")
        .port()
}

impl RedisServer {
    /// A server on a free loopback port.
    pub fn start() -> RedisServer {
        // The port is free when picked; another process could take it before redis binds
        // it, so a failed start picks another.
        for _ in 0..5 {
            let mut server = RedisServer::new(free_port(), "127.0.0.1".into(), None);
            if server.try_start() {
                return server;
            }
        }
        panic!("redis-server did not start on any of 5 free ports");
    }

    /// A server listening on `bind:port` inside the network namespace `netns`.
    pub fn start_in(netns: &str, bind: &str, port: u16) -> RedisServer {
        let mut server = RedisServer::new(port, bind.into(), Some(netns.into()));
        assert!(server.try_start(), "redis-server did not start in {netns}");
        server
    }

    fn new(port: u16, bind: String, netns: Option<String>) -> RedisServer {
        // Two servers on one port in two namespaces need two directories.
        let dir = std::env::temp_dir().join(format!(
            "persevere-redis-test-{}-{port}-{}",
            std::process::id(),
            netns.as_deref().unwrap_or("host")
        ));
        std::fs::create_dir_all(&dir).expect("a directory for redis-server");
        RedisServer {
            port,
            bind,
            netns,
            child: None,
            dir,
        }
    }

    /// The URL of its first address.
    pub fn url(&self) -> String {
        format!("redis://{}:{}/", self.host(), self.port)
    }

    fn host(&self) -> &str {
        self.bind.split_whitespace().next().unwrap_or("127.0.0.1")
    }

    fn try_start(&mut self) -> bool {
        let binary = redis_server_binary();
        let mut command = match &self.netns {
            Some(ns) => {
                let mut c = Command::new("ip");
                c.args(["netns", "exec", ns, binary]);
                c
            }
            None => Command::new(binary),
        };
        let port = self.port.to_string();
        command
            .args(["--port", &port, "--bind"])
            .args(self.bind.split_whitespace())
            .args(["--save", ""])
            .args(["--appendonly", "no", "--protected-mode", "no"])
            .args(["--daemonize", "no", "--loglevel", "warning"])
            .arg("--dir")
            .arg(&self.dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let mut child = command.spawn().expect("redis-server runs");
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = child.try_wait() {
                return false; // it exited: most likely the port was taken
            }
            if self.ping() {
                self.child = Some(child);
                return true;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let _ = child.kill();
        let _ = child.wait();
        false
    }

    /// Starts it again on the same port (after `stop`).
    pub fn restart(&mut self) {
        assert!(self.child.is_none(), "restart after stop");
        let deadline = Instant::now() + Duration::from_secs(10);
        // The port may linger for a moment after the old server's exit.
        while !self.try_start() {
            assert!(Instant::now() < deadline, "redis-server did not restart");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Kills it (SIGKILL: an outage, not a shutdown) and waits for its exit.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// One command over RESP, from this process: `None` if the server does not answer.
    pub fn command(&self, args: &[&str]) -> Option<String> {
        if self.netns.is_some() {
            return self.command_in_netns(args);
        }
        let mut stream = TcpStream::connect((self.host(), self.port)).ok()?;
        stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
        let mut request = format!("*{}\r\n", args.len());
        for a in args {
            request += &format!("${}\r\n{a}\r\n", a.len());
        }
        stream.write_all(request.as_bytes()).ok()?;
        read_reply(&mut BufReader::new(stream))
    }

    fn command_in_netns(&self, args: &[&str]) -> Option<String> {
        let ns = self.netns.as_deref()?;
        let port = self.port.to_string();
        let out = Command::new("ip")
            .args([
                "netns",
                "exec",
                ns,
                "redis-cli",
                "-h",
                self.host(),
                "-p",
                &port,
            ])
            .args(args)
            .output()
            .ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
    }

    pub fn ping(&self) -> bool {
        self.command(&["PING"]).is_some_and(|r| r == "PONG")
    }

    /// The calls of a command so far (`INFO commandstats`), e.g. `evalsha`.
    pub fn calls(&self, command: &str) -> u64 {
        let info = self.command(&["INFO", "commandstats"]).unwrap_or_default();
        let prefix = format!("cmdstat_{command}:calls=");
        info.lines()
            .find_map(|l| l.strip_prefix(&prefix))
            .and_then(|rest| rest.split(',').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    }
}

/// A RESP reply as text: simple strings, integers and bulk strings; arrays joined by newlines.
fn read_reply(reader: &mut impl BufRead) -> Option<String> {
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let line = line.trim_end();
    let (kind, rest) = line.split_at(1.min(line.len()));
    match kind {
        "+" | ":" => Some(rest.to_string()),
        "-" => Some(format!("ERR:{rest}")),
        "$" => {
            let len: i64 = rest.parse().ok()?;
            if len < 0 {
                return Some(String::new());
            }
            let mut buf = vec![0; len as usize + 2];
            reader.read_exact(&mut buf).ok()?;
            buf.truncate(len as usize);
            Some(String::from_utf8_lossy(&buf).into_owned())
        }
        "*" => {
            let n: i64 = rest.parse().ok()?;
            let items: Option<Vec<String>> = (0..n.max(0)).map(|_| read_reply(reader)).collect();
            Some(items?.join("\n"))
        }
        _ => None,
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Polls `condition` until it holds or `limit` passes; says whether it held.
pub fn wait_until(limit: Duration, mut condition: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    loop {
        if condition() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Network namespaces made for the test, deleted when it ends (their veth pairs with them).
pub struct Namespaces(pub Vec<String>);

impl Drop for Namespaces {
    fn drop(&mut self) {
        for ns in &self.0 {
            let _ = Command::new("ip").args(["netns", "del", ns]).status();
        }
    }
}

pub fn ip(args: &[&str]) -> Result<(), String> {
    let out = Command::new("ip")
        .args(args)
        .output()
        .map_err(|e| format!("ip: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        let err = String::from_utf8_lossy(&out.stderr);
        Err(format!("ip {}: {}", args.join(" "), err.trim()))
    }
}

/// A server namespace and `hosts` client namespaces, each joined to the server by a veth pair
/// on its own /30 (addresses that exist only inside these namespaces). Returns the server's
/// address for each host.
pub fn make_hosts(tag: &str, hosts: usize, names: &mut Namespaces) -> Result<Vec<String>, String> {
    let server = format!("pv-srv-{tag}");
    ip(&["netns", "add", &server])?;
    names.0.push(server.clone());
    ip(&["-n", &server, "link", "set", "lo", "up"])?;
    let mut addresses = Vec::new();
    for h in 1..=hosts {
        let host = format!("pv-h{h}-{tag}");
        ip(&["netns", "add", &host])?;
        names.0.push(host.clone());
        let (a, b) = (format!("pvs{h}"), format!("pvh{h}"));
        ip(&[
            "-n", &server, "link", "add", &a, "type", "veth", "peer", "name", &b,
        ])?;
        ip(&["-n", &server, "link", "set", &b, "netns", &host])?;
        let (srv_ip, host_ip) = (format!("10.231.{h}.1"), format!("10.231.{h}.2"));
        ip(&[
            "-n",
            &server,
            "addr",
            "add",
            &format!("{srv_ip}/30"),
            "dev",
            &a,
        ])?;
        ip(&[
            "-n",
            &host,
            "addr",
            "add",
            &format!("{host_ip}/30"),
            "dev",
            &b,
        ])?;
        ip(&["-n", &server, "link", "set", &a, "up"])?;
        ip(&["-n", &host, "link", "set", &b, "up"])?;
        ip(&["-n", &host, "link", "set", "lo", "up"])?;
        addresses.push(srv_ip);
    }
    Ok(addresses)
}

/// Runs the test `child` of this test binary alone on network namespace `host` with `env`,
/// and returns what it printed after `RESULT ` (the test fails with its output if it did).
#[allow(dead_code)] // not every test binary that includes this file runs children
pub fn child_result(host: &str, child: &str, env: &[(&str, &str)]) -> String {
    let out = Command::new("ip")
        .args(["netns", "exec", host])
        .arg(std::env::current_exe().unwrap())
        .args(["--exact", child, "--nocapture", "--test-threads", "1"])
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
        .lines()
        .find_map(|l| l.split_once("RESULT ").map(|(_, r)| r.to_string()))
        .unwrap_or_else(|| panic!("no RESULT: {stdout}"))
}

/// `hosts` network namespaces (`pv-h1-TAG`, ...) and a Redis server on a namespace of its own
/// (`pv-srv-TAG`, port 6379) that each host reaches at its own address.
#[allow(dead_code)] // not every test binary that includes this file makes hosts
pub struct Hosts {
    // Fields drop in order: the server stops before its namespace goes.
    pub server: RedisServer,
    pub addresses: Vec<String>,
    tag: String,
    _names: Namespaces,
}

#[allow(dead_code)]
impl Hosts {
    /// `None`, with the reason printed, where network namespaces are not allowed.
    pub fn make(tag: &str, hosts: usize) -> Option<Hosts> {
        let mut names = Namespaces(Vec::new());
        let addresses = match make_hosts(tag, hosts, &mut names) {
            Ok(a) => a,
            Err(why) => {
                eprintln!("skipped: network namespaces are not allowed here ({why})");
                return None;
            }
        };
        let server = RedisServer::start_in(&format!("pv-srv-{tag}"), &addresses.join(" "), 6379);
        Some(Hosts {
            server,
            addresses,
            tag: tag.to_string(),
            _names: names,
        })
    }

    /// Host `i`'s namespace (0-based).
    pub fn host(&self, i: usize) -> String {
        format!("pv-h{}-{}", i + 1, self.tag)
    }

    /// The server's URL as host `i` reaches it.
    pub fn url(&self, i: usize) -> String {
        format!("redis://{}:6379/", self.addresses[i])
    }
}
