//! `--generate`: the man page and shell completions, from the same clap definitions as
//! `--help`, so that they never disagree with it.

use crate::cli::{Cli, Generate};
use clap::CommandFactory;
use clap_complete::Shell;
use std::io::{self, Write};

/// Prints `what` to stdout.
pub fn print(what: Generate) -> u8 {
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
        Ok(()) => 0,
        Err(err) if err.kind() == io::ErrorKind::BrokenPipe => 0,
        Err(err) => {
            let _ = writeln!(io::stderr(), "persevere: --generate: {err}");
            125
        }
    }
}
