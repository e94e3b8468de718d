//! The sync task that a shared budget, breaker or throttle runs beside its handles: an
//! exchange with Redis every interval (backing off while Redis is unreachable), one more when a
//! handle asks for it or a decision is starved, and a last one when the last handle is dropped.

use crate::link::next_pause;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Notify, watch};
use tokio::time::{Instant, sleep_until, timeout};

/// What the handles and the task share: a count of finished exchanges, a request for one
/// now, and the last handle's goodbye.
pub(crate) struct Signals {
    syncs: watch::Sender<u64>,
    now: Notify,
    closing: Notify,
}

impl Signals {
    pub(crate) fn new() -> Arc<Signals> {
        Arc::new(Signals {
            syncs: watch::channel(0).0,
            now: Notify::new(),
            closing: Notify::new(),
        })
    }

    /// An exchange ended, successful or not.
    pub(crate) fn synced(&self) {
        self.syncs.send_modify(|n| *n += 1);
    }

    /// The count of finished exchanges, to wait on.
    pub(crate) fn syncs(&self) -> watch::Receiver<u64> {
        self.syncs.subscribe()
    }

    /// Asks the task for an exchange now and waits until one has run entirely (at most 30 s).
    pub(crate) async fn sync_now(&self) {
        let mut syncs = self.syncs.subscribe();
        let seen = *syncs.borrow_and_update();
        self.now.notify_one();
        // The second sync from now: the first may have started before this call.
        let done = syncs.wait_for(|n| *n >= seen + 2);
        let _ = timeout(Duration::from_secs(30), done).await;
    }
}

/// The part every clone of a client holds: dropping the last one stops the task.
pub(crate) struct Handle {
    pub(crate) key: String,
    signals: Arc<Signals>,
}

impl Handle {
    pub(crate) fn new(key: String, signals: Arc<Signals>) -> Handle {
        Handle { key, signals }
    }

    /// The signals the task answers.
    pub(crate) fn signals(&self) -> &Signals {
        &self.signals
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        self.signals.closing.notify_one();
    }
}

/// One client's side of the exchanges.
pub(crate) trait Exchanges: Send + 'static {
    /// One exchange with Redis (`closing`: the last one, as the client stops); ends with
    /// [`Signals::synced`].
    fn exchange(&mut self, closing: bool) -> impl Future<Output = ()> + Send;
    /// Whether Redis answered the last exchange.
    fn is_shared(&self) -> bool;
    /// What the client's decisions notify when they need an exchange early (a budget whose
    /// lease ran dry): honoured while Redis answers, and not sooner than a quarter of the
    /// interval after the last exchange, so that a fleet out of budget does not turn every
    /// refusal into a round trip.
    fn wake(&self) -> Option<Arc<Notify>> {
        None
    }
}

/// Starts a client's exchanges: the first one now (so that a new client starts from the
/// fleet's state when Redis answers), then the task; returns the handle its clones share.
pub(crate) async fn start<X: Exchanges>(
    mut x: X,
    key: String,
    signals: Arc<Signals>,
    interval: Duration,
) -> Arc<Handle> {
    x.exchange(false).await;
    tokio::spawn(run(x, signals.clone(), interval));
    Arc::new(Handle::new(key, signals))
}

/// Runs the exchanges until the last handle is gone.
pub(crate) async fn run<X: Exchanges>(mut x: X, signals: Arc<Signals>, interval: Duration) {
    let wake = x.wake();
    let min_gap = interval / 4;
    let mut pause = interval;
    loop {
        let last = Instant::now();
        let shared = x.is_shared();
        let woken = async {
            match &wake {
                Some(wake) => wake.notified().await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            _ = sleep_until(last + pause) => {}
            _ = signals.now.notified() => {}
            _ = woken, if shared => sleep_until(last + min_gap).await,
            _ = signals.closing.notified() => {
                x.exchange(true).await;
                return;
            }
        }
        x.exchange(false).await;
        pause = next_pause(pause, interval, x.is_shared());
    }
}
