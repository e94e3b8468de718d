//! Whether persevere runs under Valgrind, which cannot run the guardian's start (a `clone`
//! that shares memory without being a thread or a vfork: Valgrind stops the whole program with
//! "Unsupported clone() flags"). Under it the guardian starts from a fork instead. (Only on
//! x86-64 and AArch64: elsewhere the guardian is always a fork.)
//!
//! The test is Valgrind's client request `RUNNING_ON_VALGRIND` (request number 0x1001), as its
//! `valgrind.h` documents the protocol: a sequence of rotations of one register by 128 bits in
//! all (so: unchanged), then a no-op marker instruction. On a real CPU the sequence changes
//! nothing and the result register keeps the default, 0; Valgrind recognises it and puts the
//! number of Valgrind layers there.

/// `RUNNING_ON_VALGRIND`'s request number.
const RUNNING_ON_VALGRIND: usize = 0x1001;

/// True under Valgrind.
pub fn running_on_valgrind() -> bool {
    let request: [usize; 6] = [RUNNING_ON_VALGRIND, 0, 0, 0, 0, 0];
    client_request(&request) != 0
}

/// The client request `request` (the request number, then its five arguments); 0 on a real
/// CPU.
#[cfg(target_arch = "x86_64")]
fn client_request(request: &[usize; 6]) -> usize {
    let mut result: usize = 0;
    // SAFETY: natively the rotations of rdi add up to 128 bits, leaving it as it was, and
    // `xchg rbx, rbx` exchanges a register with itself: only the flags change (not preserved:
    // no `preserves_flags`). Valgrind reads the six words at rax, which point to `request`,
    // alive for the call, and writes only rdx, which is `result`.
    unsafe {
        std::arch::asm!(
            "rol rdi, 3",
            "rol rdi, 13",
            "rol rdi, 61",
            "rol rdi, 51",
            "xchg rbx, rbx",
            in("rax") request.as_ptr(),
            inout("rdx") result,
            out("rdi") _,
            options(nostack, readonly),
        );
    }
    result
}

/// The same on AArch64: rotations of x12 by 128 bits in all, then `orr x10, x10, x10`; the
/// default and the result in x3, the request's address in x4.
#[cfg(target_arch = "aarch64")]
fn client_request(request: &[usize; 6]) -> usize {
    let mut result: usize = 0;
    // SAFETY: as on x86-64: natively x12 ends as it started and the `orr` writes x10 with its
    // own value; Valgrind reads the six words at x4 (`request`, alive) and writes only x3.
    unsafe {
        std::arch::asm!(
            "ror x12, x12, #3",
            "ror x12, x12, #13",
            "ror x12, x12, #51",
            "ror x12, x12, #61",
            "orr x10, x10, x10",
            in("x4") request.as_ptr(),
            inout("x3") result,
            out("x12") _,
            options(nostack, readonly),
        );
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn natively_the_request_changes_nothing_and_answers_no() {
        // Under `valgrind cargo test` this would be true; the test suite does not run so.
        assert!(!running_on_valgrind());
    }
}
