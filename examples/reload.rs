//! A retry policy reloaded when its file changes: calls that start after the edit run under
//! the new policy, calls that run finish under theirs.
//!
//! ```text
//! cargo run -p persevere-examples --example reload              # a demo: it edits its own file
//! cargo run -p persevere-examples --example reload -- p.toml    # edit p.toml while it runs
//! ```

use persevere::config::{PolicySpec, ReloadablePolicy};
use persevere_examples::policy_file::watch;
use std::time::{Duration, Instant};

const FIRST: &str = "max-tries = 2\nwait = \"constant\"\ninterval = \"10ms\"\njitter = \"none\"\n";
const EDITED: &str =
    "# edited\nmax-tries = 4\nwait = \"constant\"\ninterval = \"10ms\"\njitter = \"none\"\n";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let given = std::env::args_os().nth(1).map(std::path::PathBuf::from);
    let demo = given.is_none();
    let path = given.unwrap_or_else(|| {
        std::env::temp_dir().join(format!("persevere-reload-{}.toml", std::process::id()))
    });
    if demo {
        std::fs::write(&path, FIRST)?;
    }
    let policy = ReloadablePolicy::new(PolicySpec::from_toml(&std::fs::read_to_string(&path)?)?)?;
    let watcher = watch(
        path.clone(),
        policy.clone(),
        Duration::from_millis(50),
        |m| eprintln!("{m}"),
    );

    for call in 1.. {
        if demo && call == 3 {
            // Whole, by a rename: never read half-written.
            std::fs::write(path.with_extension("new"), EDITED)?;
            std::fs::rename(path.with_extension("new"), &path)?;
            let asked = Instant::now();
            while policy.spec().max_tries() != Some(4) && asked.elapsed() < Duration::from_secs(10)
            {
                std::thread::sleep(Duration::from_millis(10));
            }
        }
        let mut attempts = 0;
        let _: Result<(), &str> = policy.retry(|| {
            attempts += 1;
            Err("unavailable")
        });
        println!("call {call}: {attempts} attempts");
        if demo && call == 4 {
            break;
        }
        if !demo {
            std::thread::sleep(Duration::from_secs(1));
        }
    }
    drop(watcher);
    std::fs::remove_file(&path)?;
    Ok(())
}
