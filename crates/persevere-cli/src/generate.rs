//! `--generate`: the man page and shell completions, from the same clap definitions as
//! `--help`, so that they never disagree with it.

use crate::cli::{Cli, Generate};
use clap::CommandFactory;
use clap_complete::Shell;
use std::io::{self, Write};
use std::process::ExitCode;

/// Prints `what` to stdout.
pub fn print(what: Generate) -> ExitCode {
    let mut command = Cli::command();
    let mut out = io::stdout().lock();
    let written = match what {
        Generate::Man => clap_mangen::Man::new(command).render(&mut out),
        shell => {
            let shell = match shell {
                Generate::Bash => Shell::Bash,
                Generate::Zsh => Shell::Zsh,
                Generate::Fish => Shell::Fish,
                Generate::Elvish => Shell::Elvish,
                _ => Shell::PowerShell,
            };
            clap_complete::generate(shell, &mut command, "persevere", &mut out);
            Ok(())
        }
    };
    match written.and_then(|()| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) if err.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(err) => {
            let _ = writeln!(io::stderr(), "persevere: --generate: {err}");
            ExitCode::from(125)
        }
    }
}
