//! Replays the fuzzers' corpus (`fuzz/corpus/<target>/`) through the very checks the fuzz
//! targets run (`fuzz/checks/*.rs`), on the stable toolchain: every input that ever found new
//! behaviour keeps being checked by `cargo test`, without a fuzzing run.

use std::path::{Path, PathBuf};

#[path = "../../../../fuzz/checks/durations.rs"]
mod durations;

#[cfg(feature = "http")]
#[path = "../../../../fuzz/checks/http_headers.rs"]
mod http_headers;

fn corpus(target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/corpus")
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{} is empty", dir.display());
    files
}

fn replay(target: &str, check: fn(&[u8])) -> usize {
    let files = corpus(target);
    for file in &files {
        check(&std::fs::read(file).unwrap());
    }
    files.len()
}

#[test]
fn the_duration_corpus_replays() {
    assert!(replay("durations", durations::check) > 0);
}

#[cfg(feature = "http")]
#[test]
fn the_http_header_corpus_replays() {
    assert!(replay("http_headers", http_headers::check) > 0);
}
