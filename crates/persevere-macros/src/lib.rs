//! Attribute macros for [persevere](https://docs.rs/persevere): Python backoff's decorators,
//! checked at compile time. Use them through `persevere` (feature `macros`, on by default):
//! `#[persevere::on_error]`, `#[persevere::on_predicate]` and `#[persevere::retry]`.
//!
//! ```
//! use persevere::testing::VirtualClock;
//! use std::sync::atomic::{AtomicU32, Ordering};
//!
//! static CALLS: AtomicU32 = AtomicU32::new(0);
//!
//! // Python: @backoff.on_exception(backoff.expo, ValueError, max_tries=3)
//! #[persevere::on_error(expo, max_tries = 3, clock = VirtualClock::new())]
//! fn read_int() -> Result<i64, std::num::ParseIntError> {
//!     let line = ["x", "y", "7"][CALLS.fetch_add(1, Ordering::SeqCst) as usize];
//!     line.parse()
//! }
//!
//! assert_eq!(read_int(), Ok(7));
//! assert_eq!(CALLS.load(Ordering::SeqCst), 3);
//! ```
//!
//! The keys of `#[on_error]` and `#[on_predicate]` are listed on [`macro@on_error`] (the
//! same table is on [`macro@on_predicate`]); `#[retry(POLICY_EXPR)]` takes a built policy, the
//! way to budgets, attempt timeouts and server waits ([`macro@retry`]).
//!
//! # What the expansion does
//!
//! The signature the caller sees does not change. The body runs once per attempt inside a
//! loop around the library's code-block form ([`Policy::begin_as`]); for an `async fn` that
//! loop is in the function's own future, which is therefore `Send` whenever the body is. `?`
//! and `return` in the body end the attempt with that outcome.
//!
//! - **The policy is built at each call**: the arguments are expressions evaluated when the
//!   function is called, so they may read the function's arguments and `self`
//!   (`clock = self.clock`). Closures among them must be `'static`.
//! - **What building per call costs**: nothing for the strategy, the limits and `predicate`;
//!   one small allocation per `when`, `giveup` and handler, as the builder does. A policy
//!   built once, `#[retry(&POLICY)]` with a `static`, allocates nothing per call.
//! - **Arguments are shared by the attempts.** A body that consumes an argument (moves a
//!   `String`, calls a method taking `self`) does not compile: rustc reports the move "in
//!   previous iteration of loop" at that argument; borrow it or clone it in the body
//!   instead. A `mut` argument the body changes keeps the change in the next attempt.
//!
//!   ```compile_fail,E0382
//!   #[persevere::on_error(expo, max_tries = 3)]
//!   fn send(message: String) -> Result<(), String> {
//!       Err(message) // moved by the first attempt: error[E0382], use of moved value
//!   }
//!   ```
//!
//!   ```
//!   #[persevere::on_error(expo, max_tries = 3)]
//!   fn send(message: String) -> Result<(), String> {
//!       if message.is_empty() { Err(message.clone()) } else { Ok(()) }
//!   }
//!   # assert_eq!(send("hi".to_owned()), Ok(()));
//!   ```
//! - **Stacked attributes nest as Python's decorators do**: the attribute nearest the
//!   function is the inner loop, and each attempt of an outer one is a whole inner retrying
//!   call, with a fresh inner policy. The outermost attribute expands those below it, so they
//!   are recognised by name: `on_error`, `on_predicate` or `retry`, alone or after
//!   `persevere::`.
//!
//! ```
//! use persevere::testing::VirtualClock;
//!
//! #[derive(Debug)]
//! enum Error { Db, Http }
//! impl Error {
//!     fn is_db(&self) -> bool { matches!(self, Error::Db) }
//!     fn is_http(&self) -> bool { matches!(self, Error::Http) }
//! }
//!
//! #[persevere::on_error(constant(interval = 1), when = Error::is_db, max_tries = 5, clock = clock)]
//! #[persevere::on_error(expo, when = Error::is_http, max_time = 60, clock = clock)]
//! fn save(clock: &VirtualClock, calls: &mut u32) -> Result<(), Error> {
//!     *calls += 1;
//!     if *calls % 2 == 1 { Err(Error::Http) } else { Err(Error::Db) }
//! }
//!
//! let (clock, mut calls) = (VirtualClock::new(), 0);
//! assert!(matches!(save(&clock, &mut calls), Err(Error::Db)));
//! assert_eq!(calls, 10); // 5 outer tries, each an HTTP error retried once, then a DB error
//! ```
//!
//! [`Policy::begin_as`]: https://docs.rs/persevere/latest/persevere/struct.Policy.html#method.begin_as
#![warn(missing_docs)]

mod args;
mod expand;
mod signature;
mod stack;
mod validate;
mod values;
mod wait;

use proc_macro::TokenStream;
use stack::AttrKind;
use validate::Kind;

/// Retries the function while it returns an error the policy retries (Python's
/// `@backoff.on_exception`). The function must return a `Result`.
///
#[doc = include_str!("keys.md")]
///
/// # Example
///
/// ```
/// # use persevere::testing::VirtualClock;
/// #[persevere::on_error(constant(interval = "250ms"), on = std::io::Error, max_tries = 4, clock = VirtualClock::new())]
/// fn sync_files() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
///     Ok(())
/// }
/// # sync_files().unwrap();
/// ```
#[proc_macro_attribute]
pub fn on_error(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::expand(AttrKind::Decorator(Kind::OnError), args.into(), item.into()).into()
}

/// Retries the function while its return value satisfies the predicate (Python's
/// `@backoff.on_predicate`); without `predicate`, while the value is falsy (`None`, `false`,
/// `0`, empty).
///
#[doc = include_str!("keys.md")]
///
/// # Example
///
/// ```
/// # use persevere::testing::VirtualClock;
/// #[persevere::on_predicate(fibo(max_value = 13), clock = VirtualClock::new())]
/// fn poll_for_message(queue: &mut Vec<&'static str>) -> Option<&'static str> {
///     queue.pop()
/// }
/// # assert_eq!(poll_for_message(&mut vec!["hello"]), Some("hello"));
/// ```
#[proc_macro_attribute]
pub fn on_predicate(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::expand(
        AttrKind::Decorator(Kind::OnPredicate),
        args.into(),
        item.into(),
    )
    .into()
}

/// Retries the function with any policy: `POLICY_EXPR` is evaluated at each call, and may be
/// a policy or a reference to one (a `static` built once, for instance).
///
/// ```
/// use persevere::{on_error, expo, testing::VirtualClock, OnError, Expo};
///
/// #[derive(Debug)]
/// struct StockError;
///
/// fn inventory_policy() -> OnError<Expo, (), (), VirtualClock> {
///     on_error(expo()).max_tries(3).clock(VirtualClock::new())
/// }
///
/// #[persevere::retry(inventory_policy())]
/// fn sync_stock() -> Result<(), StockError> {
///     Err(StockError)
/// }
/// # assert!(sync_stock().is_err());
/// ```
///
/// # Budgets, attempt timeouts and server waits
///
/// `#[on_error]` and `#[on_predicate]` have no keys for the fleet-safety parts: build the
/// policy with the builder and pass it here. Everything the builder gives a policy applies:
/// `.budget(..)` (clone a shared budget into each call's policy, so that all calls draw from
/// it), `.attempt_timeout(..)` on an `async fn` (each attempt is cut; the error type must
/// implement `From<persevere::TimedOut>`), `.server_wait(..)` and `.max_server_wait(..)`,
/// `.metrics()`. Hedging is not available to an attribute: an attribute retries the body one
/// attempt at a time; hedge with `policy.hedge(..).retry_async(..)` inside the function.
///
/// ```
/// use persevere::{budget::RatioBudget, constant, on_error, TimedOut};
/// use std::sync::LazyLock;
/// use std::sync::atomic::{AtomicU32, Ordering};
/// use std::time::Duration;
///
/// #[derive(Debug, PartialEq)]
/// enum FetchError { TimedOut, Busy(Duration) }
///
/// impl From<TimedOut> for FetchError {
///     fn from(_: TimedOut) -> Self { FetchError::TimedOut }
/// }
///
/// /// One budget for every call in the process (20 % of calls plus 10 retries a second).
/// static BUDGET: LazyLock<RatioBudget> = LazyLock::new(RatioBudget::default);
/// static CALLS: AtomicU32 = AtomicU32::new(0);
///
/// #[persevere::retry(
///     on_error(constant(Duration::from_millis(1)))
///         .max_tries(4)
///         .attempt_timeout(Duration::from_millis(50))
///         .budget(BUDGET.clone())
///         .server_wait(|e: &FetchError| match e {
///             FetchError::Busy(wait) => Some(*wait),
///             FetchError::TimedOut => None,
///         })
/// )]
/// async fn fetch() -> Result<&'static str, FetchError> {
///     match CALLS.fetch_add(1, Ordering::SeqCst) {
///         0 => std::future::pending().await,                  // hangs: cut after 50 ms
///         1 => Err(FetchError::Busy(Duration::from_millis(5))), // the server's wait, exactly
///         _ => Ok("items"),
///     }
/// }
///
/// #[tokio::main]
/// async fn main() {
///     assert_eq!(fetch().await, Ok("items"));
///     assert_eq!(CALLS.load(Ordering::SeqCst), 3);
/// }
/// ```
#[proc_macro_attribute]
pub fn retry(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::expand(AttrKind::Retry, args.into(), item.into()).into()
}
