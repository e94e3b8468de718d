//! A sync task's connection to Redis, shared by the budget's, the breaker's and the throttle's
//! tasks: opened on first use, dropped after a failure (the next exchange opens a new one),
//! every step bounded by the sync timeout; and the pause rule of their loops.

use crate::error::Error;
use redis::aio::MultiplexedConnection;
use redis::{AsyncConnectionConfig, Client, FromRedisValue, ScriptInvocation};
use std::time::Duration;
use tokio::time::timeout;

/// The longest pause between two attempts to reach Redis while it is unreachable.
const MAX_RECONNECT_PAUSE: Duration = Duration::from_secs(1);

pub(crate) struct Link {
    client: Client,
    config: AsyncConnectionConfig,
    connection: Option<MultiplexedConnection>,
    deadline: Duration,
}

impl Link {
    /// A link that gives each connection and each answer at most `deadline`.
    pub(crate) fn new(client: Client, deadline: Duration) -> Link {
        let config = AsyncConnectionConfig::new()
            .set_connection_timeout(Some(deadline))
            .set_response_timeout(Some(deadline));
        Link {
            client,
            config,
            connection: None,
            deadline,
        }
    }

    /// Runs one script call; on any failure the connection is dropped, so that the next call
    /// starts on a fresh one.
    pub(crate) async fn invoke<T: FromRedisValue>(
        &mut self,
        invocation: &ScriptInvocation<'_>,
    ) -> Result<T, Error> {
        let result = self.try_invoke(invocation).await;
        if result.is_err() {
            self.connection = None;
        }
        result
    }

    async fn try_invoke<T: FromRedisValue>(
        &mut self,
        invocation: &ScriptInvocation<'_>,
    ) -> Result<T, Error> {
        let deadline = self.deadline;
        let connection = match &mut self.connection {
            Some(c) => c,
            None => {
                let fresh = timeout(
                    deadline,
                    self.client
                        .get_multiplexed_async_connection_with_config(&self.config),
                )
                .await
                .map_err(|_| Error::Redis(format!("no connection within {deadline:?}")))?
                .map_err(|e| Error::from_redis(&e))?;
                self.connection.insert(fresh)
            }
        };
        timeout(deadline, invocation.invoke_async(connection))
            .await
            .map_err(|_| Error::Redis(format!("no answer within {deadline:?}")))?
            .map_err(|e| Error::from_redis(&e))
    }
}

/// The pause before a sync task's next exchange: the interval while Redis answers, doubling
/// (up to a second, or the interval if longer) while it does not.
pub(crate) fn next_pause(pause: Duration, interval: Duration, shared: bool) -> Duration {
    match shared {
        true => interval,
        false => (pause * 2).min(MAX_RECONNECT_PAUSE.max(interval)),
    }
}
