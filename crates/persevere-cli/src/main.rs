//! `persevere`: retry any command with the persevere library's policies. The command is the
//! library `persevere_cli` (`lib.rs`); this is its entry point.

#![deny(clippy::undocumented_unsafe_blocks)]
// Its own entry point in place of std's (see `main` below).
#![no_main]

/// The process's entry point, in place of std's (`no_main`), which costs about a tenth of a
/// millisecond that `persevere -- true` does not need: it reads /proc/self/maps to place a
/// guard page under the main thread's stack, and installs a handler that reports a stack
/// overflow (which still ends the process, by SIGSEGV, without the message). What persevere
/// does need of it, `persevere_cli::main` does first: SIGPIPE ignored, so that writing to a
/// closed pipe is an error that persevere handles (children get the default back from std's
/// spawn), and descriptors 0-2 open, so that a file persevere opens never becomes an attempt's
/// stdin, stdout or stderr.
#[unsafe(no_mangle)]
extern "C" fn main(_argc: libc::c_int, _argv: *const *const libc::c_char) -> libc::c_int {
    libc::c_int::from(persevere_cli::main())
}
