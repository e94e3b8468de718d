//! `many_tasks <persevere|hand|backon|tokio-retry> [tasks]`: spawns `tasks` (default 100,000)
//! concurrent retrying tasks on a paused current-thread tokio runtime, each failing three
//! times before it succeeds, sleeping on tokio's timer with full jitter; prints
//! `implementation,tasks,wall_ms,peak_kib,baseline_kib`. Peak is the process's `VmHWM` from
//! `/proc/self/status`; baseline is `VmHWM` before the tasks are spawned. Run each
//! implementation in its own process: `VmHWM` never goes down.

use persevere::Jitter;
use persevere_benches::{FAILS, hand, on_backon, on_tokio_retry, with_persevere};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;
use tokio::task::JoinHandle;

fn vm_hwm_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn spawn(
    implementation: &str,
    tasks: usize,
) -> Option<Vec<JoinHandle<Result<u32, persevere_benches::Busy>>>> {
    let policy = Arc::new(with_persevere::tokio_policy(Jitter::Full));
    let builder = on_backon::builder(true, false);
    let spawn_one = || -> Option<JoinHandle<_>> {
        Some(match implementation {
            "persevere" => {
                let policy = Arc::clone(&policy);
                tokio::spawn(async move { with_persevere::call_tokio(&policy, FAILS).await })
            }
            "hand" => tokio::spawn(hand::call_tokio(FAILS, &Jitter::Full)),
            "backon" => tokio::spawn(on_backon::call_tokio(FAILS, builder)),
            "tokio-retry" => tokio::spawn(on_tokio_retry::call_async(FAILS, true)),
            _ => return None,
        })
    };
    (0..tasks).map(|_| spawn_one()).collect()
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(implementation) = args.first() else {
        eprintln!("usage: many_tasks <persevere|hand|backon|tokio-retry> [tasks]");
        return ExitCode::from(2);
    };
    let tasks = match args.get(1).map(|n| n.parse::<usize>()) {
        None => 100_000,
        Some(Ok(n)) => n,
        Some(Err(_)) => {
            eprintln!("many_tasks: [tasks] must be a number");
            return ExitCode::from(2);
        }
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .expect("a tokio runtime");
    let baseline = vm_hwm_kib();
    let started = Instant::now();
    let ok = rt.block_on(async {
        let handles = spawn(implementation, tasks)?;
        let mut ok = 0usize;
        for h in handles {
            ok += usize::from(h.await.expect("no task panics").is_ok());
        }
        Some(ok)
    });
    let wall = started.elapsed();
    let Some(ok) = ok else {
        eprintln!("many_tasks: unknown implementation {implementation}");
        return ExitCode::from(2);
    };
    assert_eq!(ok, tasks, "every task succeeds at its fourth attempt");
    println!(
        "{implementation},{tasks},{:.1},{},{baseline}",
        wall.as_secs_f64() * 1e3,
        vm_hwm_kib()
    );
    ExitCode::SUCCESS
}
