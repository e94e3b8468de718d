#![no_main]

#[path = "../checks/cli_arguments.rs"]
mod check;

libfuzzer_sys::fuzz_target!(|data: &[u8]| check::check(data));
