//! A usage error found after parsing: the message names the option (or the `PERSEVERE_*`
//! variable) and what it accepts; the command prints it and exits with status 2.

/// A usage error found after parsing: the message names the option and what it accepts.
#[derive(Debug, PartialEq, Eq)]
pub struct UsageError(pub String);
