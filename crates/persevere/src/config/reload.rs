//! `ReloadablePolicy`: a policy that operators replace while calls run. Each call loads the
//! current policy once, at its start, and keeps it to its end; a reload never waits for the
//! calls, and the calls never wait for a lock.

use super::{ConfigError, PolicySpec};
use crate::policy::{Blocking, Handlers, Judge, ServerWaits, TimeoutFor};
use crate::wait::{AnyWait, Wait};
use crate::{AsyncSleeper, Clock, OnError, Policy, Sleeper};
use arc_swap::ArcSwap;
use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

/// A policy read from a [`PolicySpec`] that can be replaced while calls run: a reload of a
/// policy file takes effect at the next call, without a restart and without a lock.
///
/// Each call loads the current policy **once, at its start**, and runs to its end under it,
/// whatever is replaced meanwhile: its attempts, waits and limits all come from one policy.
/// Clones share the policy (and the spec's budget, so that a reload of the same budget
/// settings starts a new budget: replace the spec only when the file changed).
///
/// [`new`](ReloadablePolicy::new) holds [`PolicySpec::build`]'s policy;
/// [`with`](ReloadablePolicy::with) makes each policy with a function of the spec, which adds
/// what a file cannot say (the classifiers, handlers, a clock) and, when the operation's error
/// has a `From<TimedOut>`, the spec's attempt timeout. What the handle does with the two parts
/// that `build` leaves out:
///
/// - **hedging** (`hedge`): [`retry_async`](ReloadablePolicy::retry_async) hedges the call
///   (as [`Call::hedge`](crate::Call::hedge)); [`retry`](ReloadablePolicy::retry), which runs
///   one attempt at a time, does not;
/// - **the attempt timeout** (`attempt-timeout`) shapes the policy's type, so only the
///   function given to `with` can apply it; `new` and its [`replace`](ReloadablePolicy::replace)
///   refuse a spec that sets one rather than run without it.
///
/// ```
/// use persevere::config::{PolicySpec, ReloadablePolicy};
/// use persevere::testing::VirtualClock;
///
/// let clock = VirtualClock::new();
/// let spec = PolicySpec::from_toml("max-tries = 2\njitter = \"none\"")?;
/// let policy = ReloadablePolicy::with(spec, move |s| s.build().clock(clock.clone()));
///
/// let mut tries = 0;
/// let r: Result<(), &str> = policy.retry(|| { tries += 1; Err("down") });
/// assert_eq!((r, tries), (Err("down"), 2));
///
/// // The operator edits the file: the next call runs under the new policy.
/// policy.replace(PolicySpec::from_toml("max-tries = 4\njitter = \"none\"")?)?;
/// let mut tries = 0;
/// let r: Result<(), &str> = policy.retry(|| { tries += 1; Err("down") });
/// assert_eq!((r, tries), (Err("down"), 4));
/// # Ok::<(), persevere::config::ConfigError>(())
/// ```
pub struct ReloadablePolicy<P = OnError<AnyWait>> {
    shared: Arc<Shared<P>>,
}

struct Shared<P> {
    current: ArcSwap<Current<P>>,
    make: Make<P>,
}

/// What makes a policy of a spec (`new`'s refuses an attempt timeout).
type Make<P> = Box<dyn Fn(&PolicySpec) -> Result<P, ConfigError> + Send + Sync>;

/// One policy and the spec it was made from, replaced together.
struct Current<P> {
    spec: Arc<PolicySpec>,
    policy: Arc<P>,
    hedge: Option<(Duration, u32)>,
}

impl ReloadablePolicy {
    /// The policy of [`PolicySpec::build`]. A spec that sets `attempt-timeout` is refused
    /// (see [`with`](ReloadablePolicy::with)), so that no file's limit is silently dropped.
    ///
    /// ```
    /// use persevere::config::{PolicySpec, ReloadablePolicy};
    ///
    /// let policy = ReloadablePolicy::new(PolicySpec::from_toml("max-tries = 3")?)?;
    /// assert_eq!(policy.spec().max_tries(), Some(3));
    /// let timed = PolicySpec::from_toml("attempt-timeout = \"1s\"")?;
    /// assert_eq!(policy.replace(timed).unwrap_err().path(), "attempt-timeout");
    /// # Ok::<(), persevere::config::ConfigError>(())
    /// ```
    pub fn new(spec: PolicySpec) -> Result<Self, ConfigError> {
        let make = |spec: &PolicySpec| match spec.attempt_timeout() {
            Some(_) => Err(ConfigError::new(
                "attempt-timeout",
                "shapes the policy's type: ReloadablePolicy::with applies it (the error needs From<TimedOut>)",
            )),
            None => Ok(spec.build()),
        };
        let first = make(&spec)?;
        Ok(Self::from_parts(Box::new(make), spec, first))
    }
}

impl<P> ReloadablePolicy<P> {
    /// The policy that `make` makes of `spec`; every [`replace`](ReloadablePolicy::replace)
    /// calls `make` again with the new spec. `make` adds what a file does not say, and may
    /// apply the spec's attempt timeout (already checked, so the builder cannot panic):
    ///
    /// ```
    /// use persevere::config::{PolicySpec, ReloadablePolicy};
    /// use persevere::TimedOut;
    /// use std::time::Duration;
    ///
    /// #[derive(Debug)]
    /// enum Error { Busy, Slow }
    /// impl From<TimedOut> for Error { fn from(_: TimedOut) -> Self { Error::Slow } }
    ///
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() -> Result<(), persevere::config::ConfigError> {
    /// let spec = PolicySpec::from_toml("max-tries = 3\nattempt-timeout = \"1s\"")?;
    /// let policy = ReloadablePolicy::with(spec, |s| {
    ///     let forever = Duration::from_secs(365 * 86_400);
    ///     s.build()
    ///         .when(|e: &Error| matches!(e, Error::Busy | Error::Slow))
    ///         .attempt_timeout(s.attempt_timeout().unwrap_or(forever))
    /// });
    /// let r: Result<(), Error> = policy.retry_async(|| std::future::pending()).await;
    /// assert!(matches!(r, Err(Error::Slow)));
    /// # Ok(()) }
    /// ```
    pub fn with(spec: PolicySpec, make: impl Fn(&PolicySpec) -> P + Send + Sync + 'static) -> Self {
        let first = make(&spec);
        Self::from_parts(
            Box::new(move |spec: &PolicySpec| Ok(make(spec))),
            spec,
            first,
        )
    }

    fn from_parts(make: Make<P>, spec: PolicySpec, first: P) -> Self {
        ReloadablePolicy {
            shared: Arc::new(Shared {
                current: ArcSwap::from_pointee(Current::new(spec, first)),
                make,
            }),
        }
    }

    /// Replaces the policy: calls that start from now on run under `spec`'s, calls that run
    /// finish under the one they started with. An error (only [`new`](ReloadablePolicy::new)'s
    /// refusal of an attempt timeout) leaves the current policy in place.
    pub fn replace(&self, spec: PolicySpec) -> Result<(), ConfigError> {
        let policy = (self.shared.make)(&spec)?;
        self.shared
            .current
            .store(Arc::new(Current::new(spec, policy)));
        Ok(())
    }

    /// The current spec (the one the next call runs under).
    pub fn spec(&self) -> Arc<PolicySpec> {
        Arc::clone(&self.shared.current.load().spec)
    }

    /// The current policy, for a call of one's own: `policy.policy().call().max_tries(2).retry(..)`
    /// ([`Call`](crate::Call)), [`begin`](crate::Policy::begin), or a driver the handle does not
    /// offer. Load it once per call.
    pub fn policy(&self) -> Arc<P> {
        Arc::clone(&self.shared.current.load().policy)
    }
}

impl<P> Current<P> {
    fn new(spec: PolicySpec, policy: P) -> Self {
        Current {
            hedge: spec.hedge(),
            spec: Arc::new(spec),
            policy: Arc::new(policy),
        }
    }
}

impl<R, W, P, K> ReloadablePolicy<Policy<R, W, P, K>> {
    /// [`Policy::retry`] under the current policy (loaded once, now). Blocking calls do not
    /// hedge.
    pub fn retry<O, F, M>(&self, op: F) -> O
    where
        F: FnMut() -> O,
        R: Judge<O, M>,
        W: Wait<R::Subject>,
        P: Handlers<R::Value, R::Error> + ServerWaits<R::Subject> + TimeoutFor<O> + Blocking,
        K: Clock + Sleeper,
    {
        // The policy alone, so that a replace while this call runs frees the rest.
        let policy = self.policy();
        policy.retry(op)
    }

    /// [`Policy::retry_async`] under the current policy (loaded once, when this is called, not
    /// when the future is first polled), hedged when the spec has `hedge`.
    pub fn retry_async<O, F, Fut, M>(
        &self,
        op: F,
    ) -> impl Future<Output = O> + use<O, F, Fut, M, R, W, P, K>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = O>,
        R: Judge<O, M>,
        W: Wait<R::Subject>,
        P: Handlers<R::Value, R::Error> + ServerWaits<R::Subject> + TimeoutFor<O>,
        K: Clock + AsyncSleeper,
    {
        let current = self.shared.current.load_full();
        async move {
            let call = current.policy.call();
            match current.hedge {
                // Checked when the file was read: at least one in flight.
                Some((delay, in_flight)) => call.hedge(delay, in_flight).retry_async(op).await,
                None => call.retry_async(op).await,
            }
        }
    }
}

impl<P> Clone for ReloadablePolicy<P> {
    fn clone(&self) -> Self {
        ReloadablePolicy {
            shared: Arc::clone(&self.shared),
        }
    }
}

impl<P> fmt::Debug for ReloadablePolicy<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReloadablePolicy")
            .field("spec", &self.shared.current.load().spec)
            .finish_non_exhaustive()
    }
}
