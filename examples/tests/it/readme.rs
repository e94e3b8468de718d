//! The README's "Use with ..." snippets are excerpts of the example programs, which the test
//! suite builds: each ```rust block there names its program on its first line, and its
//! lines (between `// ...` markers, which skip lines) must appear in that program, in order
//! and contiguous, indentation aside.

use std::path::Path;

#[test]
fn every_use_with_snippet_is_an_excerpt_of_the_program_it_names() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let section = readme
        .split("## Use with ...")
        .nth(1)
        .expect("the README has a Use with section");
    let section = section.split("\n## ").next().unwrap();
    let mut checked = 0;
    for block in section.split("```rust\n").skip(1) {
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
    assert_eq!(checked, 5, "one snippet per integration with code");
}
