//! A stack for a child that starts on persevere's memory (`clone` with `CLONE_VM`): the
//! attempt's child until its exec (`clone_exec.rs`), the guardian's until its own
//! (`guardian.rs`).

use std::ffi::{c_char, c_void};
use std::io;
use std::ptr;

/// The child's stack: a private mapping with an inaccessible page below it, so that an
/// overflow faults instead of writing into persevere's memory. Its pages are touched only as
/// the child uses them.
pub struct Stack {
    base: *mut c_void,
    len: usize,
}

impl Stack {
    /// Room for the child's frames and for execvp's, which copies the argument pointers onto
    /// the stack when it runs a script through /bin/sh (as glibc's posix_spawn sizes it).
    pub fn new(pointers: usize) -> io::Result<Stack> {
        // SAFETY: sysconf takes an integer.
        let page = usize::try_from(unsafe { libc::sysconf(libc::_SC_PAGESIZE) })
            .unwrap_or(4096)
            .max(4096);
        let wanted = 64 * 1024 + pointers.saturating_mul(std::mem::size_of::<*const c_char>());
        let len = wanted.div_ceil(page).saturating_add(1).saturating_mul(page);
        // SAFETY: an anonymous private mapping at an address of the kernel's choosing; the
        // result is checked before use.
        let base = unsafe {
            libc::mmap(
                ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_STACK | libc::MAP_NORESERVE,
                -1,
                0,
            )
        };
        if base == libc::MAP_FAILED {
            return Err(io::Error::last_os_error());
        }
        let stack = Stack { base, len };
        // SAFETY: the first page of the mapping just made.
        if unsafe { libc::mprotect(base, page, libc::PROT_NONE) } != 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(stack)
    }

    /// The stack's top (it grows down), 16-byte aligned as the ABI wants.
    pub fn top(&self) -> *mut c_void {
        // The mapping is page-aligned and `len` a multiple of the page: its end is aligned.
        self.base.cast::<u8>().wrapping_add(self.len).cast()
    }
}

#[cfg(shared_memory_child)]
impl Stack {
    /// Leaves the mapping in place for good: for a child that runs on it while persevere goes
    /// on, so that persevere cannot know when the child no longer needs it.
    pub fn leak(self) {
        std::mem::forget(self);
    }
}

impl Drop for Stack {
    fn drop(&mut self) {
        // SAFETY: the mapping made in `new`; a stack is dropped only once its child has
        // exec'd or exited (see `Exec::spawn`), otherwise it is leaked.
        unsafe {
            libc::munmap(self.base, self.len);
        }
    }
}
