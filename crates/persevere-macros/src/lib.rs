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
//! # Arguments
//!
//! `#[on_error(WAIT, key = value, ...)]` and `#[on_predicate(WAIT, key = value, ...)]` take a
//! wait strategy first, with Python's keyword names, then keys in any order:
//!
//! | WAIT | parameters (all optional unless noted) |
//! |---|---|
//! | `expo` | `base` (number), `factor`, `max_value` |
//! | `fibo` | `factor`, `max_value` |
//! | `constant` | `interval` (default 1 s; a list `[..]` of waits works as `intervals`) |
//! | `intervals([..])` | a list of waits; the call gives up when it runs out |
//! | `linear` | `start`, `step` (both required), `max_value` |
//! | `decay` | `initial_value` (default 1 s), `decay_factor` (number, default 1), `min_value` |
//! | `decorrelated` | `base`, `cap` (both required) |
//! | `runtime` | `value`: a closure of the error (or value) giving a `Duration` or `Option<Duration>` |
//!
//! As in Python, the strategy's parameters may also follow it as keys:
//! `#[on_predicate(fibo, max_value = 13)]` is `#[on_predicate(fibo(max_value = 13))]`.
//!
//! Durations are numbers of seconds, as in Python (`10`, `0.5`), or strings (`"250ms"`,
//! `"1m30s"`, units `ns us ms s m h d`); any other expression giving a `Duration` works too.
//!
//! | key | value |
//! |---|---|
//! | `max_tries` | attempts in all, the first included (`1` = no retry, `0` is refused) |
//! | `max_time` | the deadline of the whole call (a duration, or a closure giving one) |
//! | `jitter` | `full`, `equal`, `random`, `none` or `proportional(f)` |
//! | `when`, `giveup` | `#[on_error]` only: a path or closure `Fn(&E) -> bool` |
//! | `on` | `#[on_error]` only: a type or a tuple of types, matched through the `source()` chain |
//! | `predicate` | `#[on_predicate]` only: `Fn(&T) -> bool` (default: retry falsy values) |
//! | `on_backoff`, `on_giveup`, `on_success` | a path, a closure, or a list of them |
//! | `name` | the name in logs (default: the function's) |
//! | `log` | `false` or `None` (no events), `true`, or the levels `(debug, warn)` |
//! | `seed` | a `u64`: reproducible jitter |
//! | `clock` | a clock such as a `VirtualClock` (also the sleeper); a named one is cloned |
//! | `sleeper` | a sleeper for the waits; a named one is cloned |
//!
//! `#[retry(POLICY_EXPR)]` takes any expression giving a policy (or a reference to one).
//!
//! Closures among the arguments need no annotations: the macro takes `T` and `E` from the
//! return type, also through aliases such as `io::Result<T>` and `anyhow::Result<T>`.
//! A wrong argument is a compile error at that argument, and the function is still emitted.
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
#[proc_macro_attribute]
pub fn retry(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::expand(AttrKind::Retry, args.into(), item.into()).into()
}
