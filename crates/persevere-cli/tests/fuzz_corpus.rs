//! Replays the command's fuzz corpora (`fuzz/corpus/cli_*/`) through the very checks the fuzz
//! targets run (`fuzz/checks/cli_*.rs`), on the stable toolchain: every input that ever found
//! new behaviour keeps being checked by `cargo test`, without a fuzzing run.

use std::path::Path;

#[path = "../../../fuzz/checks/cli_arguments.rs"]
mod cli_arguments;
#[path = "../../../fuzz/checks/cli_output_rules.rs"]
mod cli_output_rules;
#[path = "../../../fuzz/checks/cli_values.rs"]
mod cli_values;

/// Runs `check` on every file of the target's corpus; returns how many there were.
fn replay(target: &str, check: fn(&[u8])) -> usize {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/corpus")
        .join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .collect();
    files.sort();
    for file in &files {
        check(&std::fs::read(file).unwrap());
    }
    files.len()
}

#[test]
fn the_value_corpus_replays() {
    assert!(replay("cli_values", cli_values::check) > 0);
}

#[test]
fn the_output_rule_corpus_replays() {
    assert!(replay("cli_output_rules", cli_output_rules::check) > 0);
}

#[test]
fn the_argument_corpus_replays() {
    assert!(replay("cli_arguments", cli_arguments::check) > 0);
}
