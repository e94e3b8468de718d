//! `--hold-stdout`: each attempt's stdout goes to an unlinked temporary file (not to memory);
//! when the attempt has ended, a success's is copied to persevere's stdout and a failure's to
//! its stderr, so that a pipeline reads the command's output once, as Debian's `retry` does by
//! default.
//!
//! Bounded: past `--hold-limit` bytes (64 MiB by default) an attempt's stdout is no longer held.
//! persevere says so once, copies what it held to stdout and streams the rest as it comes, as
//! without `--hold-stdout` (the output of an attempt that then fails is not taken back). So a
//! command that writes without end (`yes`) neither fills the disk nor hides a reader that left
//! (`| head -1`). The copies stop at a signal that ends the run.

use crate::replay::temp_file;
use crate::signals::{FORWARDED, Signals};
use crate::sys;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::os::fd::RawFd;

/// The held stdout of the current attempt.
#[derive(Debug)]
pub struct HeldStdout {
    file: File,
    limit: u64,
}

/// Where an attempt's stdout goes while it is held: the spool, up to the limit.
#[derive(Debug)]
pub struct HeldSink {
    file: File,
    written: u64,
    limit: u64,
    /// Past the limit: everything goes to stdout.
    streaming: bool,
}

impl HeldStdout {
    /// Creates the spool; an error names the temporary directory.
    pub fn new(limit: u64) -> io::Result<HeldStdout> {
        let file = temp_file("stdout").map_err(|err| {
            let dir = std::env::temp_dir();
            let text = format!(
                "--hold-stdout: cannot spool stdout in {}: {err}",
                dir.display()
            );
            io::Error::new(err.kind(), text)
        })?;
        Ok(HeldStdout { file, limit })
    }

    /// The spool, empty, for the next attempt's stdout.
    pub fn for_attempt(&mut self) -> io::Result<HeldSink> {
        self.file.set_len(0)?;
        self.file.seek(SeekFrom::Start(0))?;
        Ok(HeldSink {
            file: self.file.try_clone()?,
            written: 0,
            limit: self.limit,
            streaming: false,
        })
    }

    /// Passes the attempt's output on: to stdout after a success, to stderr after a failure
    /// (nothing if it was streamed: the spool is empty then). A reader of stdout that is gone
    /// (EPIPE) has all it wanted; other errors are persevere's. Returns the signal that
    /// stopped the copy, if one did.
    pub fn release(&mut self, success: bool, signals: &Signals) -> io::Result<Option<i32>> {
        self.file.seek(SeekFrom::Start(0))?;
        let copied = match success {
            true => copy(&mut self.file, &mut io::stdout().lock(), Some((signals, 1))),
            false => copy(&mut self.file, &mut io::stderr().lock(), Some((signals, 2))),
        };
        match copied {
            Ok(stopped) => Ok(stopped),
            Err(err) if err.kind() == io::ErrorKind::BrokenPipe => {
                if success {
                    crate::reader::mark_gone();
                }
                Ok(None)
            }
            Err(err) => {
                let to = if success { "stdout" } else { "stderr" };
                let text = format!("--hold-stdout: cannot write the held output to {to}: {err}");
                Err(io::Error::new(err.kind(), text))
            }
        }
    }
}

impl HeldSink {
    /// Holds `chunk`, or streams it once the attempt's output has passed the limit.
    pub fn write(&mut self, chunk: &[u8]) -> io::Result<()> {
        if !self.streaming && self.written + chunk.len() as u64 > self.limit {
            self.streaming = true;
            let _ = writeln!(
                io::stderr(),
                "persevere: --hold-stdout: the attempt's stdout passed {} bytes \
                 (--hold-limit): it goes to stdout from now on",
                self.limit
            );
            self.file.seek(SeekFrom::Start(0))?;
            let copied = copy(&mut self.file, &mut io::stdout().lock(), None);
            // Nothing left to release when the attempt ends, even if the copy failed (a
            // reader gone): the held output must not go to stderr then.
            self.file.set_len(0)?;
            self.file.seek(SeekFrom::Start(0))?;
            copied?;
        }
        if self.streaming {
            let mut out = io::stdout().lock();
            out.write_all(chunk)?;
            return out.flush();
        }
        self.written += chunk.len() as u64;
        self.file.write_all(chunk)
    }
}

/// Copies `from` to its end into `to`. With `watch` (the signals, and `to`'s descriptor), a
/// signal that ends the run stops the copy and is returned, also while the reader does not
/// read: each piece is written only once `to` can take it (a pipe then takes PIPE_BUF bytes
/// without blocking).
fn copy(
    from: &mut File,
    to: &mut impl Write,
    watch: Option<(&Signals, RawFd)>,
) -> io::Result<Option<i32>> {
    let mut buf = vec![0; 64 * 1024];
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) => return to.flush().map(|()| None),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        let Some((signals, fd)) = watch else {
            to.write_all(&buf[..n])?;
            continue;
        };
        for piece in buf[..n].chunks(PIPE_BUF) {
            if sys::wait_writable(fd, signals.fd())?
                && let Some(signal) = signals.drain().into_iter().find(|s| FORWARDED.contains(s))
            {
                return Ok(Some(signal));
            }
            to.write_all(piece)?;
            to.flush()?;
        }
    }
}

/// What a pipe takes in one write without splitting it (POSIX: at least 512; Linux 4096).
const PIPE_BUF: usize = 4096;
