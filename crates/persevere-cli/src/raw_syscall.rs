//! The two system calls the guardian's child makes before its exec, made without libc.
//!
//! Why: that child shares persevere's memory while persevere runs on (`guardian.rs`), so it
//! also shares persevere's thread-local `errno`. libc's wrappers write `errno` when a call
//! fails; persevere, reading `errno` after a failed call of its own at that moment, would read
//! the child's error instead. These calls return the error as a negative number and write
//! nothing.

use std::ffi::{c_char, c_long};

/// `execve(path, argv, envp)`: returns only on failure, with `-errno`.
///
/// # Safety
/// `path` is a NUL-terminated string; `argv` and `envp` are null-terminated arrays of
/// NUL-terminated strings; all stay alive and unchanged for the duration of the call.
pub unsafe fn execve(
    path: *const c_char,
    argv: *const *const c_char,
    envp: *const *const c_char,
) -> isize {
    // SAFETY: the caller's contract covers the pointers the kernel reads; execve writes no
    // memory of the caller's.
    unsafe {
        syscall3(
            libc::SYS_execve,
            path as usize,
            argv as usize,
            envp as usize,
        )
    }
}

/// `exit(status)`: ends the calling thread, here the guardian's child, the only thread of its
/// process (not `exit_group`'s relatives: nothing else runs in it).
pub fn exit(status: i32) -> ! {
    // SAFETY: exit reads no memory and does not return.
    unsafe {
        syscall3(libc::SYS_exit, status as usize, 0, 0);
    }
    // Unreachable: the kernel never returns from exit.
    loop {
        std::hint::spin_loop();
    }
}

/// A system call with three arguments, by the x86-64 Linux convention: the number in `rax`,
/// the arguments in `rdi`, `rsi`, `rdx`; the kernel clobbers `rcx` and `r11`, and returns the
/// result in `rax`.
///
/// # Safety
/// The arguments must be valid for the system call `number`.
#[cfg(target_arch = "x86_64")]
unsafe fn syscall3(number: c_long, a: usize, b: usize, c: usize) -> isize {
    let result: isize;
    // SAFETY: the caller's contract; the asm follows the kernel's convention above and uses
    // no stack.
    unsafe {
        std::arch::asm!(
            "syscall",
            inlateout("rax") number as isize => result,
            in("rdi") a,
            in("rsi") b,
            in("rdx") c,
            lateout("rcx") _,
            lateout("r11") _,
            options(nostack),
        );
    }
    result
}

/// The same by the AArch64 Linux convention: the number in `x8`, the arguments in `x0`-`x2`,
/// `svc #0`, the result in `x0`.
///
/// # Safety
/// The arguments must be valid for the system call `number`.
#[cfg(target_arch = "aarch64")]
unsafe fn syscall3(number: c_long, a: usize, b: usize, c: usize) -> isize {
    let result: isize;
    // SAFETY: the caller's contract; the asm follows the kernel's convention above and uses
    // no stack.
    unsafe {
        std::arch::asm!(
            "svc #0",
            in("x8") number,
            inlateout("x0") a as isize => result,
            in("x1") b,
            in("x2") c,
            options(nostack),
        );
    }
    result
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    #[test]
    fn a_failed_execve_returns_its_error_and_leaves_errno_alone() {
        // SAFETY: sets this thread's errno to a marker, through libc's own location.
        unsafe { *libc::__errno_location() = 12345 };
        let argv = [c"/nonexistent/program".as_ptr(), std::ptr::null()];
        let envp = [std::ptr::null()];
        // SAFETY: NUL-terminated literals and null-terminated arrays, alive for the call.
        let result = unsafe { execve(argv[0], argv.as_ptr(), envp.as_ptr()) };
        assert_eq!(result, -(libc::ENOENT as isize));
        // SAFETY: reads this thread's errno.
        assert_eq!(unsafe { *libc::__errno_location() }, 12345);
    }

    #[test]
    fn exit_ends_a_child_with_its_status() {
        // SAFETY: the forked child of this (possibly multi-threaded) test process calls only
        // `exit`, a system call, which is async-signal-safe.
        let pid = unsafe { libc::fork() };
        if pid == 0 {
            exit(42);
        }
        assert!(pid > 0);
        let mut status = 0;
        // SAFETY: waits for the child just forked, with a live int for its status.
        assert_eq!(unsafe { libc::waitpid(pid, &mut status, 0) }, pid);
        assert!(libc::WIFEXITED(status));
        assert_eq!(libc::WEXITSTATUS(status), 42);
    }
}
