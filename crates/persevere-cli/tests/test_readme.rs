//! The READMEs' examples of the `persevere` command (its own README.md, and the top-level one's
//! section) are true: every one parses and runs (beside the policy files that its README
//! writes), and "every half second" waits half a second.
#![cfg(target_os = "linux")] // the tests read /proc, as persevere does there

mod common;
use common::{field, output, persevere, waits};

/// The command's own manual, and the top-level README (its section on the command).
fn readmes() -> [String; 2] {
    let manual = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"));
    let top = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md"));
    [manual.unwrap(), top.unwrap_or_default()]
}

/// Every README's examples.
fn examples() -> Vec<(Vec<(String, String)>, String)> {
    readmes().iter().flat_map(|r| examples_of(r)).collect()
}

/// The policy files that `readme` writes, by name: a ```toml block whose first line is
/// `# NAME.toml`, or a shell line `printf '...' > NAME`.
fn policy_files(readme: &str) -> Vec<(String, String)> {
    let mut files = Vec::new();
    let mut lines = readme.lines();
    while let Some(line) = lines.next() {
        if line == "```toml" {
            let block: Vec<&str> = lines.by_ref().take_while(|l| *l != "```").collect();
            if let Some(name) = block.first().and_then(|l| l.strip_prefix("# ")) {
                files.push((name.to_string(), block.join("\n") + "\n"));
            }
        } else if let Some(rest) = line.strip_prefix("printf '") {
            let (text, rest) = rest.split_once('\'').unwrap();
            let name = rest.trim_start().strip_prefix("> ").unwrap();
            let name = name.split_whitespace().next().unwrap();
            files.push((name.to_string(), text.replace("\\n", "\n")));
        }
    }
    files
}

/// The `persevere ...` command lines of the README's shell and YAML examples, continuation
/// lines joined, with the environment that a YAML step sets.
fn examples_of(readme: &str) -> Vec<(Vec<(String, String)>, String)> {
    let mut found = Vec::new();
    let mut env = Vec::new();
    let mut lines = readme.lines();
    while let Some(line) = lines.next() {
        let trimmed = line.trim_start();
        if let Some((name, value)) = trimmed.split_once(": ")
            && name.starts_with("PERSEVERE_")
        {
            env.push((name.to_string(), value.trim_matches('"').to_string()));
        }
        let command = trimmed.strip_prefix("run: ").unwrap_or(trimmed);
        if !command.starts_with("persevere -") {
            continue;
        }
        let mut command = command.to_string();
        while command.ends_with('\\') {
            command.pop();
            command.push_str(lines.next().unwrap().trim());
        }
        let step_env = if trimmed.starts_with("run: ") {
            std::mem::take(&mut env)
        } else {
            Vec::new()
        };
        found.push((step_env, command));
    }
    found
}

/// Words as a POSIX shell splits them (single and double quotes, no expansions).
fn words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut quote = None;
    for c in line.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.get_or_insert_with(String::new).push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                word.get_or_insert_with(String::new);
            }
            (None, c) if c.is_whitespace() => words.extend(word.take()),
            (None, c) => word.get_or_insert_with(String::new).push(c),
        }
    }
    words.extend(word);
    words
}

#[test]
fn every_example_of_the_command_runs_with_its_options() {
    assert!(examples().len() >= 3, "{:?}", examples());
    for readme in readmes() {
        // In a directory of the README's policy files (a budget's store there too).
        let dir = common::TempDir::new();
        for (name, text) in policy_files(&readme) {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        for (env, line) in examples_of(&readme) {
            let words = words(&line);
            let options: Vec<&String> = words[1..].iter().take_while(|w| *w != "--").collect();
            let mut cmd = persevere();
            cmd.envs(env.iter().map(|(k, v)| (k, v)))
                .env_remove("PERSEVERE_REPORT")
                .env("XDG_RUNTIME_DIR", dir.path())
                .current_dir(dir.path())
                .args(options)
                .args(["--", "true"]);
            let r = output(cmd);
            assert_eq!(r.code, Some(0), "{line}: {r:?}");
        }
    }
    // The policy files are found: the manual's and the top-level README's.
    let [manual, top] = readmes();
    assert_eq!(policy_files(&manual)[0].0, "retry.toml");
    assert_eq!(policy_files(&top)[0].0, "retry.toml");
}

#[test]
fn every_half_second_is_every_half_second() {
    let (_, line) = examples()
        .into_iter()
        .find(|(_, l)| l.contains("--interval 500ms"))
        .expect("the README's half-second example");
    let words = words(&line);
    let mut options: Vec<&str> = words[1..]
        .iter()
        .take_while(|w| *w != "--")
        .map(String::as_str)
        .filter(|w| *w != "--quiet")
        .collect();
    // A shorter deadline, the report, and a command that fails.
    let at = options.iter().position(|w| *w == "--max-time").unwrap();
    options[at + 1] = "3s";
    options.extend(["--report", "-", "--", "false"]);
    let r = common::run(&options);
    let w = waits(&r);
    assert!(!w.is_empty() && w.iter().all(|&w| w == 0.5), "{w:?}");
    let events = r.events();
    assert_eq!(field(events.last().unwrap(), "event"), Some("giveup"));
}
