//! The reload example's watcher on a real file: an edit replaces the policy, a bad edit is
//! said and leaves the policy in force.

use persevere::OnError;
use persevere::config::{PolicySpec, ReloadablePolicy};
use persevere::testing::VirtualClock;
use persevere::wait::AnyWait;
use persevere_examples::policy_file::watch;
use std::sync::mpsc;
use std::time::Duration;

type Reloadable = ReloadablePolicy<OnError<AnyWait, (), (), VirtualClock>>;

/// The attempts of a call that always fails.
fn attempts(policy: &Reloadable) -> u32 {
    let mut n = 0;
    let _: Result<(), &str> = policy.retry(|| {
        n += 1;
        Err("down")
    });
    n
}

/// Writes the file whole (a new file renamed over it), as an operator's tooling should: the
/// watcher could read a file being written half-way.
fn replace_file(path: &std::path::Path, text: &str) {
    let new = path.with_extension("new");
    std::fs::write(&new, text).unwrap();
    std::fs::rename(&new, path).unwrap();
}

#[test]
fn an_edit_replaces_the_policy_and_a_bad_one_is_said() {
    let path = std::env::temp_dir().join(format!("persevere-watch-{}.toml", std::process::id()));
    std::fs::write(&path, "max-tries = 2\n").unwrap();
    let clock = VirtualClock::new();
    let spec = PolicySpec::from_toml(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let policy: Reloadable = ReloadablePolicy::with(spec, move |s| s.build().clock(clock.clone()));
    let (tx, said) = mpsc::channel();
    let watcher = watch(
        path.clone(),
        policy.clone(),
        Duration::from_millis(5),
        move |m| {
            let _ = tx.send(m);
        },
    );
    assert_eq!(attempts(&policy), 2);

    let hang = Duration::from_secs(60);
    replace_file(&path, "max-tries = 0 # a mistake\n");
    let message = said.recv_timeout(hang).unwrap();
    assert!(message.ends_with("max-tries: must be at least 1 (it counts every attempt, the first included), got 0; the policy in force stays"), "{message}");
    assert_eq!(attempts(&policy), 2);

    replace_file(&path, "max-tries = 3\n");
    assert!(
        said.recv_timeout(hang)
            .unwrap()
            .ends_with("policy reloaded")
    );
    assert_eq!(attempts(&policy), 3);
    drop(watcher);
    std::fs::remove_file(&path).unwrap();
}
