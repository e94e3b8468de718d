//! `--replay-stdin`: stdin is read to its end once, into an unlinked temporary file (not into
//! memory, so any size works), and every attempt reads that file from its start.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::time::{SystemTime, UNIX_EPOCH};

/// The spooled stdin.
#[derive(Debug)]
pub struct Spool {
    file: File,
}

impl Spool {
    /// Copies persevere's stdin to a new temporary file, which is unlinked at once: nothing is
    /// left behind, whatever happens to persevere. An error names what failed: creating or
    /// writing the file (the temporary directory), or reading stdin.
    pub fn from_stdin() -> io::Result<Spool> {
        let in_dir = |err: io::Error| {
            let dir = std::env::temp_dir();
            let text = format!(
                "--replay-stdin: cannot spool stdin in {}: {err}",
                dir.display()
            );
            io::Error::new(err.kind(), text)
        };
        let mut file = temp_file("stdin").map_err(in_dir)?;
        let mut stdin = io::stdin().lock();
        let mut buf = vec![0; 64 * 1024];
        loop {
            let n = match stdin.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
                Err(err) => {
                    let text = format!("--replay-stdin: cannot read stdin: {err}");
                    return Err(io::Error::new(err.kind(), text));
                }
            };
            file.write_all(&buf[..n]).map_err(in_dir)?;
        }
        Ok(Spool { file })
    }

    /// The stdin of the next attempt: the spool from its first byte. The previous attempt and
    /// all its processes are gone, so nobody else moves the shared offset.
    pub fn stdin(&mut self) -> io::Result<File> {
        self.file.seek(SeekFrom::Start(0))?;
        self.file.try_clone()
    }
}

/// A new temporary file, already unlinked: nothing is left behind, whatever happens to
/// persevere.
pub fn temp_file(what: &str) -> io::Result<File> {
    let dir = std::env::temp_dir();
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    for n in 0..100 {
        let path = dir.join(format!(
            ".persevere-{what}-{}-{nanos}-{n}",
            std::process::id()
        ));
        match OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)
        {
            Ok(file) => {
                std::fs::remove_file(&path)?;
                return Ok(file);
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::new(
        io::ErrorKind::AlreadyExists,
        "cannot create a temporary file",
    ))
}
