//! `--hold-stdout`: each attempt's stdout goes to an unlinked temporary file (not to memory, so
//! any size works); when the attempt has ended, a success's is copied to persevere's stdout and
//! a failure's to its stderr, so that a pipeline reads the command's output once, as Debian's
//! `retry` does by default.

use crate::replay::temp_file;
use std::fs::File;
use std::io::{self, Seek, SeekFrom};

/// The held stdout of the current attempt.
#[derive(Debug)]
pub struct HeldStdout {
    file: File,
}

impl HeldStdout {
    /// Creates the spool; an error names the temporary directory.
    pub fn new() -> io::Result<HeldStdout> {
        let file = temp_file("stdout").map_err(|err| {
            let dir = std::env::temp_dir();
            let text = format!(
                "--hold-stdout: cannot spool stdout in {}: {err}",
                dir.display()
            );
            io::Error::new(err.kind(), text)
        })?;
        Ok(HeldStdout { file })
    }

    /// The spool, empty, for the next attempt's stdout (or for the pump that forwards it).
    pub fn for_attempt(&mut self) -> io::Result<File> {
        self.file.set_len(0)?;
        self.file.seek(SeekFrom::Start(0))?;
        self.file.try_clone()
    }

    /// Passes the attempt's output on: to stdout after a success, to stderr after a failure.
    /// A reader of stdout that is gone (EPIPE) has all it wanted; other errors are persevere's.
    pub fn release(&mut self, success: bool) -> io::Result<()> {
        self.file.seek(SeekFrom::Start(0))?;
        let copied = match success {
            true => io::copy(&mut self.file, &mut io::stdout().lock()),
            false => io::copy(&mut self.file, &mut io::stderr().lock()),
        };
        match copied {
            Ok(_) => Ok(()),
            Err(err) if err.kind() == io::ErrorKind::BrokenPipe => {
                if success {
                    crate::reader::mark_gone();
                }
                Ok(())
            }
            Err(err) => {
                let to = if success { "stdout" } else { "stderr" };
                let text = format!("--hold-stdout: cannot write the held output to {to}: {err}");
                Err(io::Error::new(err.kind(), text))
            }
        }
    }
}
