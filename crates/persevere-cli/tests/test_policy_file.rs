//! `--policy FILE` and `--print-policy`: a policy file (the library's `persevere::config`
//! format, TOML or JSON) sets the options of a real run, under the command line and the
//! `PERSEVERE_*` variables; a bad file is a usage error naming the file and the key.
#![cfg(target_os = "linux")] // the tests read /proc, as persevere does there

mod common;
use common::{run, waits};

/// Runs `false` with `--report -` and the given options.
fn failing(args: &[&str]) -> common::Run {
    let mut all = vec!["--report", "-"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--", "false"]);
    run(&all)
}

/// `--policy FILE`: a policy file (the library's format) written in `dir`, and its path.
fn policy_file(dir: &common::TempDir, name: &str, text: &str) -> String {
    let path = dir.file(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// A command that appends a line to `count` and fails: its attempts are the file's lines.
fn counted(count: &str) -> Vec<String> {
    let script = format!("echo x >> '{count}'; exit 1");
    ["sh", "-c", &script].map(String::from).to_vec()
}

fn lines(path: &str) -> usize {
    std::fs::read_to_string(path).map_or(0, |t| t.lines().count())
}

const ISSUE_FILE: &str =
    "max-tries = 2\nwait = \"constant\"\ninterval = \"0s\"\njitter = \"none\"\n";

#[test]
fn a_policy_file_sets_the_options() {
    let dir = common::TempDir::new();
    let p = policy_file(&dir, "p.toml", ISSUE_FILE);
    let count = dir.file("count");
    let mut args = vec!["--policy".to_string(), p, "--".into()];
    args.extend(counted(&count));
    let r = run(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!((r.code, lines(&count)), (Some(1), 2), "{}", r.stderr);
    // And the issue's own command line, `false`.
    let r = failing(&["--policy", &dir.file("p.toml")]);
    assert_eq!(r.events().len(), 2, "{}", r.stderr);
    assert_eq!(waits(&r), [0.0]);
}

#[test]
fn a_bad_file_is_a_usage_error_naming_the_file_and_the_key() {
    let dir = common::TempDir::new();
    for (text, message) in [
        (
            "max-tries = 0\n",
            "p.toml: max-tries: must be at least 1 (it counts every attempt, the first included), got 0",
        ),
        (
            "max-trys = 3\n",
            "p.toml: max-trys: unknown key (expected one of: wait, ",
        ),
        // A command's own key, through the option's own parser.
        (
            "signal = \"FOO\"\n",
            "p.toml: signal: 'FOO' is not a signal",
        ),
        (
            "max-time = \"400d\"\n",
            "p.toml: max-time: '400d' is too long",
        ),
        (
            "budget = \"grpc\"\n",
            "p.toml: budget: the command keeps a ratio budget only",
        ),
    ] {
        let p = policy_file(&dir, "p.toml", text);
        let r = run(&["--policy", &p, "--", "true"]);
        assert_eq!(r.code, Some(2), "{text}: {}", r.stderr);
        let first = r.stderr.lines().next().unwrap_or_default();
        let expected = format!("persevere: {}/{message}", dir.path().display());
        assert!(first.starts_with(&expected), "{first}\nnot: {expected}");
    }
    let r = run(&["--policy", &dir.file("missing.toml"), "--", "true"]);
    assert_eq!(r.code, Some(2));
    assert!(
        r.stderr.contains("missing.toml: cannot read: "),
        "{}",
        r.stderr
    );
}

/// The command line beats the environment, which beats the file.
#[test]
fn the_command_line_beats_the_environment_which_beats_the_file() {
    let dir = common::TempDir::new();
    let p = policy_file(&dir, "p.toml", ISSUE_FILE);
    let count = dir.file("count");
    let attempts = |env: Option<&str>, flag: Option<&str>| {
        let _ = std::fs::remove_file(&count);
        let mut cmd = common::persevere();
        cmd.env("PERSEVERE_POLICY", &p);
        if let Some(n) = env {
            cmd.env("PERSEVERE_MAX_TRIES", n);
        }
        if let Some(n) = flag {
            cmd.args(["--max-tries", n]);
        }
        cmd.arg("--").args(counted(&count));
        let r = common::output(cmd);
        assert_eq!(r.code, Some(1), "{}", r.stderr);
        lines(&count)
    };
    assert_eq!(attempts(None, None), 2);
    assert_eq!(attempts(Some("3"), None), 3);
    assert_eq!(attempts(Some("3"), Some("4")), 4);
    assert_eq!(attempts(None, Some("1")), 1);
    // An option the chosen strategy does not use is refused, saying where the strategy came from.
    let r = run(&["--policy", &p, "--factor", "2s", "--", "true"]);
    assert_eq!(r.code, Some(2));
    assert!(
        r.stderr.contains("(") && r.stderr.contains("p.toml: wait is constant)"),
        "{}",
        r.stderr
    );
}

/// `--print-policy` prints a file that reads back into itself, that the library reads, and
/// that runs the same policy.
#[test]
fn print_policy_round_trips() {
    let dir = common::TempDir::new();
    let p = policy_file(
        &dir,
        "p.toml",
        "intervals = [0.01, \"20ms\"]\nstop-on-exit = [3]\nretry-if-output = 'err\\d \"x\"'\n\
         budget = { type = \"ratio\", percent = 0.5, window = \"5s\" }\nbudget-store = \"file:BUDGET\"\n\
         hedge = { delay = \"1s\", max-in-flight = 2 }\n",
    );
    let budget = dir.file("budget");
    let p_text = std::fs::read_to_string(&p)
        .unwrap()
        .replace("BUDGET", &budget);
    std::fs::write(&p, p_text).unwrap();
    let print = |file: &str, more: &[&str]| {
        let mut args = vec!["--policy", file, "--print-policy"];
        args.extend_from_slice(more);
        let r = run(&args);
        assert_eq!(r.code, Some(0), "{}", r.stderr);
        r.stdout
    };
    let printed = print(&p, &["--verbose", "--seed", "7"]);
    assert!(
        printed.contains("intervals = [\"0.01\", \"20ms\"]\n"),
        "{printed}"
    );
    assert!(
        printed.contains("jitter = \"none\"\nmax-tries = 5\n"),
        "{printed}"
    );
    assert!(
        printed.contains("seed = 7\nstop-on-exit = \"3\"\nverbose = true\n"),
        "{printed}"
    );
    assert!(!printed.contains("hedge"), "{printed}");
    let q = policy_file(&dir, "q.toml", &printed);
    assert_eq!(print(&q, &[]), printed);
    // The library reads the command's file, its own keys and the command's.
    let spec = persevere::config::PolicySpec::from_toml(&printed).unwrap();
    assert_eq!(spec.max_tries(), Some(5));

    // Both files run the same policy: the same waits, the same attempts.
    let behaviour = |file: &str| {
        let r = failing(&["--policy", file]);
        (r.code, waits(&r), r.events().len())
    };
    assert_eq!(behaviour(&p), (Some(1), vec![0.01, 0.02], 3));
    assert_eq!(behaviour(&q), behaviour(&p));
    // No options at all: the command's defaults, written out.
    let r = run(&["--print-policy"]);
    assert_eq!(
        (r.code, r.stdout.as_str()),
        (
            Some(0),
            "base = 2.0\nfactor = \"1s\"\nmax-tries = 5\nwait = \"expo\"\n"
        )
    );
}

/// A command's own key in the file works as its option: `stop-on-exit` gives up at once.
#[test]
fn the_commands_own_keys_work_from_the_file() {
    let dir = common::TempDir::new();
    let p = policy_file(
        &dir,
        "p.toml",
        "stop-on-exit = [3]\nquiet = true\ninterval = \"0s\"\nwait = \"constant\"\n",
    );
    let r = run(&["--policy", &p, "--", "sh", "-c", "exit 3"]);
    assert_eq!((r.code, r.stderr.as_str()), (Some(3), ""));
    // `attempt-timeout` is the file's name of --timeout (and the command takes it too).
    let p = policy_file(
        &dir,
        "t.toml",
        "attempt-timeout = \"50ms\"\nmax-tries = 1\n",
    );
    let r = run(&["--policy", &p, "--", "sleep", "5"]);
    assert_eq!(r.code, Some(124), "{}", r.stderr);
    let r = run(&[
        "--attempt-timeout",
        "50ms",
        "--max-tries",
        "1",
        "--",
        "sleep",
        "5",
    ]);
    assert_eq!(r.code, Some(124), "{}", r.stderr);
}

/// The same file in JSON: the same run, the same refusals, and `--print-policy` answers in
/// JSON that reads back into itself and that the library reads.
#[test]
fn a_json_file_reads_as_the_toml_one() {
    let dir = common::TempDir::new();
    let p = policy_file(
        &dir,
        "p.json",
        r#"{"max-tries": 2, "wait": "constant", "interval": "0s", "jitter": "none"}"#,
    );
    let count = dir.file("count");
    let mut args = vec!["--policy".to_string(), p.clone(), "--".into()];
    args.extend(counted(&count));
    let r = run(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!((r.code, lines(&count)), (Some(1), 2), "{}", r.stderr);

    // Named by its first character when the name does not say JSON.
    let zero = policy_file(&dir, "zero", "{\"max-tries\": 0}");
    let r = run(&["--policy", &zero, "--", "true"]);
    assert_eq!(r.code, Some(2));
    assert!(
        r.stderr
            .starts_with(&format!("persevere: {zero}: max-tries: must be at least 1")),
        "{}",
        r.stderr
    );
    let typo = policy_file(&dir, "typo.json", "{\"max-trys\": 3}");
    let r = run(&["--policy", &typo, "--", "true"]);
    assert_eq!(r.code, Some(2));
    assert!(
        r.stderr
            .starts_with(&format!("persevere: {typo}: max-trys: unknown key")),
        "{}",
        r.stderr
    );

    let r = run(&["--policy", &p, "--print-policy", "--retry-on-exit", "1,75"]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let printed = r.stdout;
    assert_eq!(
        printed,
        "{\n  \"interval\": \"0s\",\n  \"jitter\": \"none\",\n  \"max-tries\": 2,\n  \
         \"retry-on-exit\": \"1,75\",\n  \"wait\": \"constant\"\n}\n"
    );
    let q = policy_file(&dir, "q.json", &printed);
    let again = run(&["--policy", &q, "--print-policy"]);
    assert_eq!((again.code, again.stdout), (Some(0), printed.clone()));
    let spec = persevere::config::PolicySpec::from_json(&printed).unwrap();
    assert_eq!(spec.max_tries(), Some(2));
}

/// `--policy` on the command line wins over `PERSEVERE_POLICY`, as every option does.
#[test]
fn the_policy_option_beats_its_variable() {
    let dir = common::TempDir::new();
    let two = policy_file(&dir, "two.toml", ISSUE_FILE);
    let three = policy_file(&dir, "three.toml", &ISSUE_FILE.replace("= 2", "= 3"));
    let mut cmd = common::persevere();
    cmd.env("PERSEVERE_POLICY", &two)
        .args(["--policy", &three, "--print-policy"]);
    let r = common::output(cmd);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(r.stdout.contains("max-tries = 3\n"), "{}", r.stdout);
}
