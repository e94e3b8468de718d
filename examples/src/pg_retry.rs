//! Which PostgreSQL errors are worth a retry, and of what: a connection error is retried with
//! a new connection; a serialization failure, by running the whole transaction again; every
//! other error (a unique-constraint violation, a syntax error) is returned at once.

use tokio_postgres::error::SqlState;

/// Whether the error is about the connection, not the statement: no connection could be made,
/// the connection broke or was closed, or the server is starting up or shutting down (a
/// restart). Retry it with a new connection.
pub fn is_connection_error(error: &tokio_postgres::Error) -> bool {
    if error.is_closed() {
        return true;
    }
    match error.code() {
        // Class 08: connection exceptions.
        Some(code) if code.code().starts_with("08") => true,
        Some(code) => [
            SqlState::ADMIN_SHUTDOWN,
            SqlState::CRASH_SHUTDOWN,
            SqlState::CANNOT_CONNECT_NOW,
        ]
        .contains(code),
        // No SQLSTATE: the error came from the socket (refused, reset, timed out).
        None => caused_by_io(error),
    }
}

/// Whether the error says that the transaction must be run again from its start: a
/// serialization failure (40001) or a deadlock (40P01).
pub fn is_serialization_failure(error: &tokio_postgres::Error) -> bool {
    matches!(
        error.code(),
        Some(code) if *code == SqlState::T_R_SERIALIZATION_FAILURE
            || *code == SqlState::T_R_DEADLOCK_DETECTED
    )
}

fn caused_by_io(error: &tokio_postgres::Error) -> bool {
    let mut cause = std::error::Error::source(error);
    while let Some(error) = cause {
        if error.is::<std::io::Error>() {
            return true;
        }
        cause = error.source();
    }
    false
}
