//! The decision core: the one place where the retry rules live, and the interfaces it reads a
//! policy through. It depends on nothing that builds policies (`policy`) or drives them
//! (`drivers`, `hedge`, `call`): those depend on it.
//!
//! - [`retrying`]: `Retrying`, the state of one call; every finished attempt goes through
//!   `Retrying::check`, and every driver through `Retrying::settle`.
//! - [`judge`]: what the rules make of an outcome (`Rules`, `Judge`, `Verdict`).
//! - [`parts`]: what the core reads of a policy's closure parts (`Parts`, `Handlers`, ...).
//! - [`policy`]: the `Policy` value itself, with its plain settings.
//! - [`limits`]: `max_tries` and `max_time`, resolved at the start of a call.
//! - [`call_handlers`]: the handlers given to one call.

pub(crate) mod call_handlers;
pub(crate) mod judge;
pub(crate) mod limits;
pub(crate) mod parts;
pub(crate) mod policy;
mod retrying;

pub(crate) use judge::{Judge, Rules, Sealed, Verdict};
pub(crate) use retrying::{CallLimits, Decision, cut_attempt};
pub use retrying::{Next, Retrying};
