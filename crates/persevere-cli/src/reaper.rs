//! Stopping an attempt's whole process tree: its process group, and on Linux every descendant
//! (found through /proc), also those that left the group with `setsid`. persevere is a child
//! subreaper there, so orphans become its children and cannot escape the search.

use crate::guardian_pid;
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

/// `1234 (sleep), 1240 (postgres)`: processes as --verbose names them.
pub fn described(pids: &[libc::pid_t]) -> String {
    let names = pids.iter().map(|pid| {
        let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
        match comm.trim_end() {
            "" => pid.to_string(),
            name => format!("{pid} ({name})"),
        }
    });
    names.collect::<Vec<_>>().join(", ")
}

/// A process as /proc shows it: its pid, its parent's and its process group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    /// Its pid.
    pub pid: libc::pid_t,
    /// Its parent's pid.
    pub ppid: libc::pid_t,
    /// Its process group.
    pub pgid: libc::pid_t,
}

/// Every process in /proc (Linux); empty elsewhere.
#[cfg(any(target_os = "linux", target_os = "android"))]
pub fn table() -> Vec<Entry> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|entry| {
            let pid: libc::pid_t = entry.ok()?.file_name().to_str()?.parse().ok()?;
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            parse_stat(pid, &stat)
        })
        .collect()
}

/// Elsewhere there is no /proc.
#[cfg(not(any(target_os = "linux", target_os = "android")))]
pub fn table() -> Vec<Entry> {
    Vec::new()
}

/// The living descendants of this process, except the guardian (it is persevere's, not the
/// attempt's).
pub fn descendants() -> Vec<libc::pid_t> {
    let me = sys::getpid();
    let guardian = guardian_pid::pid();
    let table: Vec<Entry> = table()
        .into_iter()
        .filter(|e| Some(e.pid) != guardian)
        .collect();
    below(&table, vec![me]).split_off(1)
}

/// The members of process group `pgid` and all their descendants.
pub fn group_and_descendants(table: &[Entry], pgid: libc::pid_t) -> Vec<libc::pid_t> {
    let members = table
        .iter()
        .filter(|e| e.pgid == pgid)
        .map(|e| e.pid)
        .collect();
    below(table, members)
}

/// `roots` and every process below them.
fn below(table: &[Entry], mut found: Vec<libc::pid_t>) -> Vec<libc::pid_t> {
    let mut next = 0;
    while next < found.len() {
        let parent = found[next];
        for e in table.iter().filter(|e| e.ppid == parent) {
            if !found.contains(&e.pid) {
                found.push(e.pid);
            }
        }
        next += 1;
    }
    found
}

/// Whether this process has a child other than the guardian: what an attempt left behind (on
/// Linux, as a subreaper, persevere inherits it). Reads the kernel's list of children, or
/// searches /proc where that list is missing (kernels without CONFIG_PROC_CHILDREN).
pub fn other_children() -> bool {
    let me = sys::getpid();
    let children: Vec<libc::pid_t> =
        match std::fs::read_to_string(format!("/proc/{me}/task/{me}/children")) {
            Ok(list) => list
                .split_whitespace()
                .filter_map(|p| p.parse().ok())
                .collect(),
            Err(_) => table()
                .into_iter()
                .filter(|e| e.ppid == me)
                .map(|e| e.pid)
                .collect(),
        };
    children
        .into_iter()
        .any(|pid| Some(pid) != guardian_pid::pid())
}

/// The state letter of `/proc/PID/stat` (`R`, `S`, `Z`...), the first field after the name.
pub fn state(stat: &str) -> Option<char> {
    stat[stat.rfind(')')? + 1..].trim_start().chars().next()
}

/// Parent and group from `/proc/PID/stat`: the second and third fields after the command
/// name, which is in parentheses and may itself contain spaces and parentheses.
fn parse_stat(pid: libc::pid_t, stat: &str) -> Option<Entry> {
    let mut fields = stat[stat.rfind(')')? + 1..].split_whitespace().skip(1);
    let ppid = fields.next()?.parse().ok()?;
    let pgid = fields.next()?.parse().ok()?;
    Some(Entry { pid, ppid, pgid })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parent_and_group_are_read_after_the_last_parenthesis() {
        let stat = "4242 (a) (b c)) S 17 4240 4242 0 -1 4194560";
        let entry = Entry {
            pid: 4242,
            ppid: 17,
            pgid: 4240,
        };
        assert_eq!(parse_stat(4242, stat), Some(entry));
        assert_eq!(parse_stat(1, "garbage"), None);
        assert_eq!(state(stat), Some('S'));
    }

    #[test]
    fn a_group_and_everything_below_its_members() {
        let e = |pid, ppid, pgid| Entry { pid, ppid, pgid };
        // 10 leads group 10; 11 is in it; 12 left it (setsid) under 11; 13 is under 12;
        // 20 is someone else's.
        let table = [
            e(10, 1, 10),
            e(11, 10, 10),
            e(12, 11, 12),
            e(13, 12, 12),
            e(20, 1, 20),
        ];
        assert_eq!(group_and_descendants(&table, 10), [10, 11, 12, 13]);
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
