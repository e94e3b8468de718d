//! Stopping an attempt's whole process tree: its process group, and on Linux every descendant
//! (found through /proc), also those that left the group with `setsid`. persevere is a child
//! subreaper there, so orphans become its children and cannot escape the search.

use crate::sys;

/// Sends `signal` to the process group `pgid` and to every descendant of persevere. Stopped
/// processes are continued, so that they act on it (as GNU timeout does).
pub fn signal_tree(pgid: libc::pid_t, signal: i32) {
    let tree = descendants();
    sys::kill(-pgid, signal);
    for &pid in &tree {
        sys::kill(pid, signal);
    }
    if signal != libc::SIGKILL && signal != libc::SIGCONT {
        sys::kill(-pgid, libc::SIGCONT);
        for &pid in &tree {
            sys::kill(pid, libc::SIGCONT);
        }
    }
}

/// The living descendants of this process, from /proc (Linux).
#[cfg(any(target_os = "linux", target_os = "android"))]
pub fn descendants() -> Vec<libc::pid_t> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    let parents: Vec<(libc::pid_t, libc::pid_t)> = entries
        .filter_map(|entry| {
            let pid: libc::pid_t = entry.ok()?.file_name().to_str()?.parse().ok()?;
            Some((pid, parent_of(pid)?))
        })
        .collect();
    let mut found = vec![sys::getpid()];
    let mut next = 0;
    while next < found.len() {
        let parent = found[next];
        found.extend(parents.iter().filter(|p| p.1 == parent).map(|p| p.0));
        next += 1;
    }
    found.remove(0);
    found
}

/// Elsewhere only the process group is known.
#[cfg(not(any(target_os = "linux", target_os = "android")))]
pub fn descendants() -> Vec<libc::pid_t> {
    Vec::new()
}

/// The parent pid from `/proc/PID/stat`: the second field after the command name, which is in
/// parentheses and may itself contain spaces and parentheses.
#[cfg(any(target_os = "linux", target_os = "android"))]
fn parent_of(pid: libc::pid_t) -> Option<libc::pid_t> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    parse_parent(&stat)
}

fn parse_parent(stat: &str) -> Option<libc::pid_t> {
    let after_name = &stat[stat.rfind(')')? + 1..];
    after_name.split_whitespace().nth(1)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parent_is_read_after_the_last_parenthesis() {
        let stat = "4242 (a) (b c)) S 17 4242 4242 0 -1 4194560";
        assert_eq!(parse_parent(stat), Some(17));
        assert_eq!(parse_parent("garbage"), None);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_spawned_child_is_a_descendant() {
        let mut child = std::process::Command::new("sleep")
            .arg("5")
            .spawn()
            .unwrap();
        let pid = child.id() as libc::pid_t;
        assert!(descendants().contains(&pid));
        child.kill().unwrap();
        child.wait().unwrap();
    }
}
