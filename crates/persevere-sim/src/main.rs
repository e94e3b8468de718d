//! `cargo run --release -p persevere-sim [-- --runs N --out DIR]`: runs the AWS contention
//! experiment, the outage scenario and the metastable scenario, and writes their CSV files,
//! plots and `simulation.md` under DIR (default `docs`).

use persevere_sim::budgets::BudgetKind;
use persevere_sim::metastable::Trigger;
use persevere_sim::metastable_policy::Policy;
use persevere_sim::outage::{self, Setup};
use persevere_sim::report::{self, OutageRow};
use persevere_sim::report_metastable as meta;
use persevere_sim::{SEED, Strategy, contention, markdown, markdown_metastable, svg, wave};
use std::path::PathBuf;
use std::time::Instant;

fn main() -> std::io::Result<()> {
    let mut runs = 100u32;
    let mut outage_runs = 5u32;
    let mut out = PathBuf::from("docs");
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match (arg.as_str(), args.next()) {
            ("--runs", Some(n)) => runs = n.parse().expect("--runs takes a number"),
            ("--outage-runs", Some(n)) => {
                outage_runs = n.parse().expect("--outage-runs takes a number")
            }
            ("--out", Some(dir)) => out = PathBuf::from(dir),
            _ => {
                eprintln!("usage: persevere-sim [--runs N] [--outage-runs N] [--out DIR]");
                std::process::exit(2);
            }
        }
    }
    let started = Instant::now();
    let rows = contention::experiment(&contention::blog_clients(), runs, SEED);
    let contention_secs = started.elapsed().as_secs_f64();
    eprintln!("contention: {} points in {contention_secs:.1}s", rows.len());

    let started = Instant::now();
    let mut outage_rows = Vec::new();
    for budget in BudgetKind::ALL {
        for max_tries in [3, 5] {
            for &strategy in &Strategy::ALL {
                let setup = Setup::issue(max_tries).with_budget(budget);
                outage_rows.push(OutageRow {
                    strategy,
                    max_tries,
                    budget,
                    outcome: outage::mean(&setup, strategy, outage_runs, SEED),
                });
            }
        }
    }
    eprintln!("outage: {:.1}s", started.elapsed().as_secs_f64());
    let wave_rows = wave::rows(outage_runs, SEED);

    let started = Instant::now();
    let meta_rows = meta::rows(SEED, meta::RUNS);
    let load_rows = meta::load_sweep(SEED, &meta::LOADS, &Policy::ALL);
    let meta_secs = started.elapsed().as_secs_f64();
    eprintln!("metastable: {meta_secs:.1}s");

    let dir = out.join("simulation");
    std::fs::create_dir_all(&dir)?;
    std::fs::write(dir.join("brooker.csv"), report::brooker_csv(&rows))?;
    std::fs::write(dir.join("outage.csv"), report::outage_csv(&outage_rows))?;
    std::fs::write(dir.join("wave.csv"), report::outage_csv(&wave_rows))?;
    let calls = report::series(&rows, &Strategy::ALL, |r| r.outcome.calls);
    std::fs::write(
        dir.join("calls.svg"),
        svg::line_chart("Work: write calls", "clients", "calls (mean)", &calls),
    )?;
    // The blog leaves un-jittered exponential off its time graph: it dwarfs the others.
    let jittered = [
        Strategy::NoBackoff,
        Strategy::FullJitter,
        Strategy::EqualJitter,
        Strategy::Decorrelated,
    ];
    for (name, strategies) in [
        ("time.svg", &Strategy::ALL[..]),
        ("time_jittered.svg", &jittered[..]),
    ] {
        let time = report::series(&rows, strategies, |r| r.outcome.time_ms);
        std::fs::write(
            dir.join(name),
            svg::line_chart("Completion time", "clients", "time (ms, mean)", &time),
        )?;
    }
    // The plots' runs: the strategy and tries of the largest amplification without a budget.
    let (load, queued) = report::budget_series(Strategy::FullJitter, 5, outage_runs, SEED, 25e3);
    for (name, title, y_label, series) in [
        (
            "outage_load.svg",
            "Attempts reaching the server",
            "attempts / normal load",
            &load,
        ),
        (
            "outage_queue.svg",
            "Longest wait in the server's queue",
            "wait (s)",
            &queued,
        ),
    ] {
        let title = format!("{title} (outage 5-15 s)");
        let chart = svg::line_chart(&title, "time (s)", y_label, series);
        std::fs::write(dir.join(name), chart)?;
    }
    std::fs::write(dir.join("metastable.csv"), meta::metastable_csv(&meta_rows))?;
    std::fs::write(dir.join("metastable_load.csv"), meta::load_csv(&load_rows))?;
    for trigger in Trigger::ALL {
        let title = format!("Goodput, {} from 10 s to 20 s", trigger.label());
        let chart = svg::line_chart(
            &title,
            "time (s)",
            "goodput / goodput before",
            &meta::goodput_plot(trigger, SEED),
        );
        std::fs::write(dir.join(format!("metastable_{trigger}.svg")), chart)?;
    }
    let settings = markdown::Settings {
        runs,
        outage_runs,
        seed: SEED,
        seconds: contention_secs,
    };
    let mut page = markdown::simulation_md(&rows, &outage_rows, &wave_rows, &settings);
    page.push_str(&markdown_metastable::section(
        &meta_rows, &load_rows, meta_secs,
    ));
    std::fs::write(out.join("simulation.md"), page)?;
    print!("{}", report::brooker_csv(&rows));
    print!("{}", report::outage_csv(&outage_rows));
    Ok(())
}
