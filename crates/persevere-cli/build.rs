//! One name for the targets where the guardian starts from a child that shares persevere's
//! memory (`src/guardian.rs`): Linux on x86-64 or AArch64, where `src/raw_syscall.rs` can
//! make that child's system calls without libc.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(shared_memory_child)");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let arch = std::env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    if matches!(os.as_str(), "linux" | "android") && matches!(arch.as_str(), "x86_64" | "aarch64") {
        println!("cargo::rustc-cfg=shared_memory_child");
    }
}
