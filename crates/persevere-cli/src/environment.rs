//! The command's environment: persevere's own, without the `PERSEVERE_<OPTION>` variables, with
//! `PERSEVERE_ATTEMPT` and `PERSEVERE_ATTEMPTS`. persevere edits its own environment, which
//! every attempt inherits, rather than giving each `Command` changes: changes make std copy the
//! whole environment into a map and back for every spawn, a tenth of persevere's start-up.

use std::ffi::OsString;

/// Removes the option variables (once clap has read them) and sets `PERSEVERE_ATTEMPTS` (the
/// maximum, empty with `--forever`).
pub fn prepare(option_env: &[OsString], max_tries: Option<u32>) {
    let max = max_tries.map(|n| n.to_string()).unwrap_or_default();
    // SAFETY: the environment may be written only while no other thread reads or writes it.
    // persevere has one thread (the guardian is another process, started without this
    // environment), and nothing holds a pointer into the environment across this call.
    unsafe {
        // Only those that are set: removing one scans the whole environment.
        for name in option_env {
            if std::env::var_os(name).is_some() {
                std::env::remove_var(name);
            }
        }
        std::env::set_var("PERSEVERE_ATTEMPTS", max);
    }
}

/// Sets `PERSEVERE_ATTEMPT` (1-based) before the attempt is spawned.
pub fn set_attempt(attempt: u32) {
    // SAFETY: as in `prepare`: one thread, no pointer into the environment kept.
    unsafe {
        std::env::set_var("PERSEVERE_ATTEMPT", attempt.to_string());
    }
}
