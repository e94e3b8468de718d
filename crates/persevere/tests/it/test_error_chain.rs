//! `on::<T>()`: errors that are, or are caused by, a `T`; through boxes and anyhow.

use persevere::testing::VirtualClock;
use persevere::{constant, on_error};
use std::error::Error;
use std::fmt;
use std::io;
use std::time::Duration;

#[derive(Debug)]
enum AppError {
    Io(io::Error),
    Parse(std::num::ParseIntError),
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("app error")
    }
}

impl Error for AppError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        match self {
            AppError::Io(e) => Some(e),
            AppError::Parse(e) => Some(e),
        }
    }
}

/// Calls made by a policy retrying `on::<io::Error>()` whose operation fails with `make()`
/// three times, then succeeds.
fn calls_on_io<E>(make: impl Fn() -> E) -> u32
where
    E: fmt::Debug + persevere::error::ErrorChain<persevere::error::ViaError>,
{
    let mut calls = 0;
    let _ = on_error(constant(Duration::ZERO))
        .on::<io::Error>()
        .clock(VirtualClock::new())
        .retry(|| {
            calls += 1;
            if calls <= 3 { Err(make()) } else { Ok(()) }
        });
    calls
}

#[test]
fn a_concrete_error_matches_itself_and_its_sources() {
    assert_eq!(calls_on_io(|| io::Error::other("disk")), 4);
    assert_eq!(calls_on_io(|| AppError::Io(io::Error::other("disk"))), 4);
    assert_eq!(
        calls_on_io(|| AppError::Parse("x".parse::<u8>().unwrap_err())),
        1
    );
}

#[test]
fn boxed_send_sync_errors_are_searched() {
    let mut calls = 0;
    let r: Result<(), Box<dyn Error + Send + Sync>> = on_error(constant(Duration::ZERO))
        .on::<io::Error>()
        .max_tries(3)
        .clock(VirtualClock::new())
        .retry(|| {
            calls += 1;
            Err(AppError::Io(io::Error::other("disk")).into())
        });
    assert!(r.is_err());
    assert_eq!(calls, 3);

    let mut calls = 0;
    let _: Result<(), Box<dyn Error + Send + Sync>> = on_error(constant(Duration::ZERO))
        .on::<io::Error>()
        .clock(VirtualClock::new())
        .retry(|| {
            calls += 1;
            Err("a string error".into())
        });
    assert_eq!(calls, 1, "no io::Error in the chain: returned at once");
}

#[test]
fn plain_boxed_errors_are_searched() {
    let mut calls = 0;
    let _: Result<(), Box<dyn Error>> = on_error(constant(Duration::ZERO))
        .on::<std::num::ParseIntError>()
        .max_tries(2)
        .clock(VirtualClock::new())
        .retry(|| {
            calls += 1;
            Err(AppError::Parse("x".parse::<u8>().unwrap_err()).into())
        });
    assert_eq!(calls, 2);
}

#[test]
fn several_on_types_mean_any_and_combine_with_when() {
    let mut calls = 0;
    let r: Result<(), AppError> = on_error(constant(Duration::ZERO))
        .on::<io::Error>()
        .on::<std::num::ParseIntError>()
        .when(|e: &AppError| !matches!(e, AppError::Io(io) if io.kind() == io::ErrorKind::NotFound))
        .clock(VirtualClock::new())
        .retry(|| {
            calls += 1;
            Err(match calls {
                1 => AppError::Parse("x".parse::<u8>().unwrap_err()),
                2 => AppError::Io(io::Error::other("busy")),
                _ => AppError::Io(io::ErrorKind::NotFound.into()),
            })
        });
    assert!(matches!(r, Err(AppError::Io(_))));
    assert_eq!(calls, 3);
}

#[cfg(feature = "anyhow")]
#[test]
fn anyhow_errors_are_searched_through_context() {
    use anyhow::Context as _;
    let mut calls = 0;
    let r: anyhow::Result<()> = on_error(constant(Duration::ZERO))
        .on::<io::Error>()
        .max_tries(3)
        .clock(VirtualClock::new())
        .retry(|| {
            calls += 1;
            Err(io::Error::other("disk")).context("writing the inventory")
        });
    assert!(r.is_err());
    assert_eq!(calls, 3);

    let mut calls = 0;
    let _: anyhow::Result<()> = on_error(constant(Duration::ZERO))
        .on::<io::Error>()
        .clock(VirtualClock::new())
        .retry(|| {
            calls += 1;
            Err(anyhow::anyhow!("not io"))
        });
    assert_eq!(calls, 1);
}
