//! Where a file store lives, and opening it without trusting what others could have put there.
//!
//! The default store is in a per-user directory (`$XDG_RUNTIME_DIR/persevere`, else
//! `$TMPDIR/persevere-UID`). In a shared directory such as /tmp, another local user can create
//! that directory first, or plant a symbolic link in it, to make the victim's persevere write
//! over one of the victim's files. So persevere creates the directory with mode 0700, opens it
//! without following a symbolic link, and accepts it only if it is a directory of its own user
//! that no one else may write to; the file is then opened relative to that open directory
//! (`openat`, so that a rename of the path after the check changes nothing), again without
//! following a link, and accepted only if it is a regular file of its own user.
//!
//! A store the user named (`file:PATH`) may be a link the user made; it is followed, unless
//! the directory holding it can be written by others (a sticky /tmp): there, as the kernel's
//! `protected_symlinks` does, a link or a file of another user is refused.
//!
//! Whatever the place, only a regular file is accepted, checked on the open descriptor before
//! anything is read (a FIFO or a device never blocks nor floods persevere), and it is opened
//! with `O_NONBLOCK` so that even the open of a FIFO cannot wait for a writer.

use std::ffi::CString;
use std::fs::{File, OpenOptions};
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

/// A store file's place.
#[derive(Debug)]
pub enum Place {
    /// The default store: `name` in a directory persevere verified, held open.
    Private {
        /// The verified directory.
        dir: File,
        /// Its path, for messages.
        dir_path: PathBuf,
        /// The file's name in it.
        name: String,
    },
    /// A path the user gave (`file:PATH`).
    Named(PathBuf),
}

impl Place {
    /// The default store `name` in the per-user directory `dir` (created when missing).
    /// Fails, saying why, when the directory is not safe to use.
    pub fn private(dir: &Path, name: &str) -> Result<Place, String> {
        Ok(Place::Private {
            dir: verified_dir(dir)?,
            dir_path: dir.to_path_buf(),
            name: name.to_string(),
        })
    }

    /// The store the user named; its directory is created (mode 0700) when missing.
    pub fn named(path: &Path) -> Result<Place, String> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(dir)
                .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        Ok(Place::Named(path.to_path_buf()))
    }

    /// The file's path, for messages.
    pub fn path(&self) -> PathBuf {
        match self {
            Place::Private { dir_path, name, .. } => dir_path.join(name),
            Place::Named(path) => path.clone(),
        }
    }

    /// Opens the file for reading and writing, creating it (mode 0600) when missing. Returns
    /// the file and whether this call created it.
    pub fn open(&self) -> Result<(File, bool), String> {
        let path = self.path();
        let fail = |e: io::Error| format!("cannot open {}: {e}", path.display());
        let (file, created) = match self {
            Place::Private { dir, name, .. } => {
                let (file, created) = open_in(dir, name).map_err(|e| match e.raw_os_error() {
                    Some(libc::ELOOP) => format!(
                        "{} is a symbolic link: refused (someone else may have planted it)",
                        path.display()
                    ),
                    _ => fail(e),
                })?;
                let meta = file.metadata().map_err(fail)?;
                if meta.uid() != euid() {
                    return Err(format!(
                        "{} belongs to uid {}, not to uid {}: refused",
                        path.display(),
                        meta.uid(),
                        euid()
                    ));
                }
                (file, created)
            }
            Place::Named(path) => {
                let (file, created) = open_named(path).map_err(fail)?;
                if shared_dir(path) {
                    let link = std::fs::symlink_metadata(path)
                        .map(|m| m.file_type().is_symlink())
                        .unwrap_or(false);
                    let meta = file.metadata().map_err(fail)?;
                    if link || meta.uid() != euid() {
                        return Err(format!(
                            "{} is a symbolic link or another user's file in a directory \
                             others can write to: refused",
                            path.display()
                        ));
                    }
                }
                (file, created)
            }
        };
        let meta = file.metadata().map_err(fail)?;
        if !meta.file_type().is_file() {
            return Err(format!(
                "{} is not a regular file: refused",
                self.path().display()
            ));
        }
        Ok((file, created))
    }
}

/// The effective user.
fn euid() -> u32 {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() }
}

/// Creates `dir` (mode 0700) if missing, then opens it without following a link and checks
/// that it is a directory of this user that no other user may write to.
fn verified_dir(dir: &Path) -> Result<File, String> {
    match std::fs::DirBuilder::new().mode(0o700).create(dir) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(format!("cannot create {}: {e}", dir.display())),
    }
    let opened = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_DIRECTORY | libc::O_NOFOLLOW | libc::O_CLOEXEC)
        .open(dir);
    let file = match opened {
        Ok(file) => file,
        Err(e) if matches!(e.raw_os_error(), Some(libc::ELOOP | libc::ENOTDIR)) => {
            return Err(format!(
                "{} is not a directory (a symbolic link?): refused",
                dir.display()
            ));
        }
        Err(e) => return Err(format!("cannot open {}: {e}", dir.display())),
    };
    let meta = file
        .metadata()
        .map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    if meta.uid() != euid() {
        return Err(format!(
            "{} belongs to uid {}, not to uid {}: refused (another user may have made it; \
             remove it, or set XDG_RUNTIME_DIR or TMPDIR)",
            dir.display(),
            meta.uid(),
            euid()
        ));
    }
    if meta.mode() & 0o022 != 0 {
        return Err(format!(
            "{} can be written by others (mode {:o}): refused (chmod 700 it)",
            dir.display(),
            meta.mode() & 0o7777
        ));
    }
    Ok(file)
}

/// Opens `name` in the open directory `dir`: never through a symbolic link, never waiting on
/// a FIFO. Creates it (mode 0600) when missing.
fn open_in(dir: &File, name: &str) -> io::Result<(File, bool)> {
    let name = CString::new(name).map_err(|_| io::Error::from_raw_os_error(libc::EINVAL))?;
    let flags = libc::O_RDWR | libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC;
    let open = |extra: libc::c_int| -> io::Result<File> {
        // SAFETY: `dir` is an open directory descriptor that outlives the call, `name` a
        // NUL-terminated string that outlives it; openat keeps neither.
        let fd = unsafe { libc::openat(dir.as_raw_fd(), name.as_ptr(), flags | extra, 0o600) };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: openat returned a new descriptor that nothing else owns.
        Ok(File::from(unsafe { OwnedFd::from_raw_fd(fd) }))
    };
    create_or_open(|| open(0), || open(libc::O_CREAT | libc::O_EXCL))
}

/// Opens the user's path (following links), never waiting on a FIFO; creates it when missing.
fn open_named(path: &Path) -> io::Result<(File, bool)> {
    let open = |create: bool| {
        OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(create)
            .mode(0o600)
            .custom_flags(libc::O_NONBLOCK | libc::O_CLOEXEC)
            .open(path)
    };
    create_or_open(|| open(false), || open(true))
}

/// Opens an existing file, else creates it; tells which happened (a file created by another
/// process in between is opened).
fn create_or_open(
    existing: impl Fn() -> io::Result<File>,
    new: impl Fn() -> io::Result<File>,
) -> io::Result<(File, bool)> {
    loop {
        match existing() {
            Ok(file) => return Ok((file, false)),
            Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
            Err(_) => {}
        }
        match new() {
            Ok(file) => return Ok((file, true)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
}

/// Whether the directory holding `path` can be written by other users (/tmp).
fn shared_dir(path: &Path) -> bool {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    std::fs::metadata(dir).is_ok_and(|m| m.mode() & 0o002 != 0)
}
