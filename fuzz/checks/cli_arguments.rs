//! The `persevere` command's argument handling (clap, then the checks of `config.rs`): any
//! arguments, NUL-separated in the input, give a run, a `--generate`, a `--print-policy`
//! file, `--help`/`--version` text, or a usage error that is shown once, never a panic. The
//! environment supplies no `PERSEVERE_*` defaults here.

use persevere_cli::fuzzing::{MAX_DURATION, Refusal, Request, parse_arguments};
use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;

pub fn check(data: &[u8]) {
    let mut args = vec![OsString::from("persevere")];
    args.extend(
        data.split(|&b| b == 0)
            .take(64)
            .map(|a| OsString::from_vec(a.to_vec())),
    );
    match parse_arguments(&args) {
        Ok(Request::Run(config)) => {
            // The command is the arguments' tail, never empty.
            assert!(!config.command.is_empty());
            assert!(args.ends_with(&config.command), "{args:?}");
            assert_ne!(config.max_tries, Some(0));
            for limit in [config.max_time, config.timeout].into_iter().flatten() {
                assert!(limit <= MAX_DURATION, "{args:?}");
            }
        }
        Ok(Request::Generate(_)) => {
            assert!(
                args.iter()
                    .any(|a| a.to_string_lossy().starts_with("--gen"))
            );
        }
        Ok(Request::PrintPolicy(text)) => {
            // Sorted keys: either limit may come anywhere (TOML, or JSON for a JSON file).
            let limit = [
                "max-tries = ",
                "forever = true\n",
                "\"max-tries\": ",
                "\"forever\": true",
            ];
            assert!(limit.iter().any(|l| text.contains(l)), "{text}");
        }
        Err(Refusal::Info(text)) => assert!(!text.is_empty()),
        Err(Refusal::Usage(text)) => {
            assert!(!text.starts_with("error: "), "{text}");
            assert!(text.ends_with('\n'), "{text}");
        }
    }
}
