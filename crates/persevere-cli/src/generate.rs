//! `--generate`: the man page and shell completions, from the same clap definitions as
//! `--help`, so that they never disagree with it.

use crate::cli::{Cli, Generate};
use clap::CommandFactory;
use clap_complete::Shell;
use std::io::{self, Write};

/// The man page's EXIT STATUS section (roff).
const EXIT_STATUS: &str = r#".SH "EXIT STATUS"
.TP
\fB0\fR
The command succeeded.
.TP
\fBthe last attempt's status\fR
Its exit code; 128+N if it died by signal N.
.TP
\fB124\fR
The last attempt was stopped by \-\-timeout or \-\-max\-time (its own status with
\-\-preserve\-status); \fB137\fR if it had to be killed with SIGKILL, as GNU timeout.
.TP
\fB126\fR, \fB127\fR
The command could not be executed, or was not found.
.TP
\fB1\fR
An output rule failed an attempt that exited 0.
.TP
\fB2\fR
A usage error: the message names the option, or its variable.
.TP
\fB125\fR
persevere itself failed.
.TP
\fB75\fR
The circuit breaker (\-\-breaker) is open: the run was refused before its first attempt, and
the command did not run (sysexits' EX_TEMPFAIL: try again later).
.PP
When SIGINT, SIGTERM or SIGHUP sent to persevere ends the run, persevere ends by that same
signal, as shells and GNU timeout do (a shell's $? is 128+N).
"#;

/// The man page's ENVIRONMENT section (roff).
const ENVIRONMENT: &str = r#".SH ENVIRONMENT
.TP
\fBPERSEVERE_\fR\fIOPTION\fR
The default of each option (PERSEVERE_MAX_TRIES for \-\-max\-tries; flags take 1/0,
true/false, yes/no, on/off). The command line wins; a bad value is a usage error that names the
variable. persevere removes these variables from the command's environment.
.TP
\fBPERSEVERE_ATTEMPT\fR, \fBPERSEVERE_ATTEMPTS\fR
Given to the command: the attempt's number (1\-based) and the most attempts the run can make
(empty with \-\-forever).
.TP
\fBXDG_RUNTIME_DIR\fR, \fBTMPDIR\fR
Where the default budget and breaker stores live: $XDG_RUNTIME_DIR/persevere, else
$TMPDIR/persevere\-UID (a directory of mode 0700 that persevere makes and verifies).
"#;

/// The man page: clap's sections, with EXIT STATUS and ENVIRONMENT after the options.
fn man_page(command: clap::Command, out: &mut dyn Write) -> io::Result<()> {
    let man = clap_mangen::Man::new(command);
    man.render_title(out)?;
    man.render_name_section(out)?;
    man.render_synopsis_section(out)?;
    man.render_description_section(out)?;
    man.render_options_section(out)?;
    out.write_all(EXIT_STATUS.as_bytes())?;
    out.write_all(ENVIRONMENT.as_bytes())?;
    man.render_extra_section(out)?;
    man.render_version_section(out)
}

/// Prints `what` to stdout.
pub fn print(what: Generate) -> u8 {
    let mut command = Cli::command();
    let mut out = io::stdout().lock();
    let written = match what {
        Generate::Man => man_page(command, &mut out),
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
