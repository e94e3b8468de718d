//! The README's code is checked. Its ```rust blocks are doctests of this crate
//! (`src/lib.rs` includes the README under `cfg(doctest)`): run, or compiled when marked
//! `no_run`. The "Use with ..." snippets, marked `ignore` there, are excerpts of the example
//! programs, which the test suite builds: each names its program on its first line, and its
//! lines (between `// ...` markers, which skip lines) must appear in that program, in order
//! and contiguous, indentation aside.

use std::path::Path;

fn readme() -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    std::fs::read_to_string(root.join("README.md")).unwrap()
}

/// The "Use with ..." section, up to the next second-level heading.
fn use_with_section(readme: &str) -> &str {
    let section = readme
        .split("## Use with ...")
        .nth(1)
        .expect("the README has a Use with section");
    section.split("\n## ").next().unwrap()
}

#[test]
fn every_use_with_snippet_is_an_excerpt_of_the_program_it_names() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let readme = readme();
    let mut checked = 0;
    for block in use_with_section(&readme).split("```rust ignore\n").skip(1) {
        let block = block.split("```").next().unwrap();
        let mut lines = block.lines();
        let first = lines.next().unwrap();
        let path = first
            .strip_prefix("// ")
            .unwrap_or_else(|| panic!("a snippet names its program first: {first}"));
        let program = std::fs::read_to_string(root.join(path)).unwrap();
        let program: Vec<&str> = program.lines().map(str::trim).collect();
        let snippet: Vec<&str> = lines.map(str::trim).collect();
        let mut from = 0;
        for chunk in snippet.split(|line| *line == "// ...") {
            let found = (from..=program.len().saturating_sub(chunk.len()))
                .find(|&at| program[at..at + chunk.len()] == *chunk)
                .unwrap_or_else(|| panic!("{path} no longer holds:\n{}", chunk.join("\n")));
            from = found + chunk.len();
        }
        checked += 1;
    }
    assert_eq!(
        checked, 3,
        "one snippet per integration with code (tower, reqwest, PostgreSQL)"
    );
}

/// A block that rustdoc skips (`ignore`) is checked only if it is one of the excerpts above;
/// anywhere else it would be checked by nothing.
#[test]
fn every_rust_block_is_a_doctest_or_a_checked_excerpt() {
    let readme = readme();
    let use_with = use_with_section(&readme);
    let fences: Vec<&str> = readme
        .lines()
        .filter(|l| l.starts_with("```rust"))
        .collect();
    let (mut doctests, mut excerpts) = (0, 0);
    for fence in &fences {
        match *fence {
            "```rust" | "```rust no_run" => doctests += 1,
            "```rust ignore" => excerpts += 1,
            other => panic!("a README block neither run, compiled nor checked: {other}"),
        }
    }
    assert_eq!(
        excerpts,
        use_with.matches("```rust ignore\n").count(),
        "`ignore` blocks only in the Use with section"
    );
    assert!(
        doctests >= 3,
        "the first examples and fleet safety are doctests"
    );
}

#[test]
fn the_readme_is_at_most_250_lines() {
    let lines = readme().lines().count();
    assert!(lines <= 250, "README.md has {lines} lines");
}
