//! persevere against a real PostgreSQL server that each test starts in a directory of its own
//! (see `persevere_examples::postgres`): connecting before the server is up, a restart in the
//! middle of a series of queries (only connection errors retried), and a serialization
//! failure retried as a whole transaction. The servers are stopped and their directories
//! removed when a test ends, also when it fails.

use persevere::{Jitter, constant, on_error};
use persevere_examples::pg_retry::{is_connection_error, is_serialization_failure};
use persevere_examples::postgres::PgServer;
use std::cell::{Cell, RefCell};
use std::time::{Duration, Instant};
use tokio_postgres::error::SqlState;
use tokio_postgres::{Client, IsolationLevel, NoTls};

/// Connects, and drives the connection on a task of its own.
async fn connect(config: &str) -> Result<Client, tokio_postgres::Error> {
    let (client, connection) = tokio_postgres::connect(config, NoTls).await?;
    tokio::spawn(async move {
        let _ = connection.await;
    });
    Ok(client)
}

/// Connects with retry while the server is not up yet (at most 60 s).
async fn connect_with_retry(config: &str) -> Client {
    on_error(constant(Duration::from_millis(50)))
        .when(is_connection_error)
        .max_time(Duration::from_secs(60))
        .retry_async(|| connect(config))
        .await
        .expect("the server is up within 60 s")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connecting_before_the_server_is_up_succeeds_once_it_is() {
    let mut server = PgServer::init().unwrap();
    let config = server.config();
    let refused = Cell::new(0u32);
    let policy = on_error(constant(Duration::from_millis(50)))
        .jitter(Jitter::None)
        .when(is_connection_error)
        .max_time(Duration::from_secs(60))
        .on_backoff(|_| refused.set(refused.get() + 1));
    // Nothing listens yet: the first attempts are refused.
    let start = Instant::now();
    let connecting = policy.retry_async(|| connect(&config));
    let starting = async {
        tokio::time::sleep(Duration::from_millis(500)).await;
        server.start().unwrap();
    };
    let (client, ()) = tokio::join!(connecting, starting);
    let client = client.unwrap();
    assert!(start.elapsed() >= Duration::from_millis(500));
    // At least the attempts of the first 500 ms (one every 50 ms, each refused at once).
    assert!(refused.get() >= 5, "{} refused attempts", refused.get());
    let one: i32 = client.query_one("SELECT 1", &[]).await.unwrap().get(0);
    assert_eq!(one, 1);
}

/// A client that reconnects: each statement runs on the current connection, made anew after
/// a connection error.
struct Db {
    config: String,
    client: Option<Client>,
    connections: u32,
}

impl Db {
    async fn execute(&mut self, sql: &str) -> Result<u64, tokio_postgres::Error> {
        if self.client.as_ref().is_none_or(Client::is_closed) {
            self.client = Some(connect(&self.config).await?);
            self.connections += 1;
        }
        let result = self.client.as_ref().unwrap().execute(sql, &[]).await;
        if result.as_ref().is_err_and(is_connection_error) {
            self.client = None;
        }
        result
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_mid_series_is_survived_and_only_connection_errors_are_retried() {
    let mut server = PgServer::init().unwrap();
    server.start().unwrap();
    let mut db = Db {
        config: server.config(),
        client: Some(connect_with_retry(&server.config()).await),
        connections: 1,
    };
    let retried = RefCell::new(Vec::new());
    let policy = on_error(constant(Duration::from_millis(50)))
        .when(is_connection_error)
        .max_time(Duration::from_secs(60))
        .on_backoff(|d| {
            retried
                .borrow_mut()
                .push(d.error().map(ToString::to_string))
        });
    policy
        .retry_async_mut(async || {
            db.execute("CREATE TABLE stock (id int PRIMARY KEY, item text NOT NULL)")
                .await
        })
        .await
        .unwrap();
    for id in 1..=10 {
        if id == 6 {
            // The restart: a fast shutdown ends the session; the server is back 300 ms later,
            // while the next insert is retried.
            server.stop().unwrap();
            let sql = format!("INSERT INTO stock VALUES ({id}, 'item {id}')");
            let insert = policy.retry_async_mut(async || db.execute(&sql).await);
            let restart = async {
                tokio::time::sleep(Duration::from_millis(300)).await;
                server.start().unwrap();
            };
            let (inserted, ()) = tokio::join!(insert, restart);
            assert_eq!(inserted.unwrap(), 1);
            continue;
        }
        let sql = format!("INSERT INTO stock VALUES ({id}, 'item {id}')");
        let inserted = policy
            .retry_async_mut(async || db.execute(&sql).await)
            .await;
        assert_eq!(inserted.unwrap(), 1, "insert {id}");
    }
    // Only the insert after the restart was retried, for connection errors only.
    assert!(!retried.borrow().is_empty());
    assert_eq!(db.connections, 2);

    // A unique-constraint violation is returned at once: one attempt, no retry.
    let before = retried.borrow().len();
    let mut attempts = 0;
    let duplicate = policy
        .retry_async_mut(async || {
            attempts += 1;
            db.execute("INSERT INTO stock VALUES (3, 'again')").await
        })
        .await
        .unwrap_err();
    assert_eq!(duplicate.code(), Some(&SqlState::UNIQUE_VIOLATION));
    assert_eq!((attempts, retried.borrow().len()), (1, before));

    let client = db.client.as_ref().unwrap();
    let ids: Vec<i32> = client
        .query("SELECT id FROM stock ORDER BY id", &[])
        .await
        .unwrap()
        .iter()
        .map(|row| row.get(0))
        .collect();
    assert_eq!(ids, (1..=10).collect::<Vec<_>>());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_serialization_failure_is_retried_as_a_whole_transaction() {
    let mut server = PgServer::init().unwrap();
    server.start().unwrap();
    let mut client = connect_with_retry(&server.config()).await;
    let other = connect(&server.config()).await.unwrap();
    client
        .batch_execute(
            "CREATE TABLE account (id int PRIMARY KEY, balance int NOT NULL);
             INSERT INTO account VALUES (1, 1000);",
        )
        .await
        .unwrap();
    let failures = RefCell::new(Vec::new());
    let mut attempts = 0;
    let policy = on_error(constant(Duration::from_millis(10)))
        .when(is_serialization_failure)
        .max_tries(5)
        .on_backoff(|d| {
            failures
                .borrow_mut()
                .push(d.error().and_then(|e| e.code().cloned()))
        });
    // Withdraw 10: read the balance, then write it less 10, in one serializable transaction.
    // During the first attempt another session deposits 100 between the read and the write.
    let balance = policy
        .retry_async_mut(async || {
            attempts += 1;
            let tx = client
                .build_transaction()
                .isolation_level(IsolationLevel::Serializable)
                .start()
                .await?;
            let balance: i32 = tx
                .query_one("SELECT balance FROM account WHERE id = 1", &[])
                .await?
                .get(0);
            if attempts == 1 {
                other
                    .execute(
                        "UPDATE account SET balance = balance + 100 WHERE id = 1",
                        &[],
                    )
                    .await?;
            }
            tx.execute(
                "UPDATE account SET balance = $1 WHERE id = 1",
                &[&(balance - 10)],
            )
            .await?;
            tx.commit().await?;
            Ok::<i32, tokio_postgres::Error>(balance - 10)
        })
        .await
        .unwrap();
    assert_eq!(attempts, 2);
    assert_eq!(
        *failures.borrow(),
        [Some(SqlState::T_R_SERIALIZATION_FAILURE)]
    );
    // The second attempt read the deposit: 1000 + 100 - 10.
    assert_eq!(balance, 1090);
    let stored: i32 = other
        .query_one("SELECT balance FROM account WHERE id = 1", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(stored, 1090);
}

#[test]
fn a_test_that_panics_stops_its_server_and_removes_its_directory() {
    let (pid, dir) = std::thread::spawn(|| {
        let mut server = PgServer::init().unwrap();
        server.start().unwrap();
        let seen = (server.pid().unwrap(), server.dir().to_path_buf());
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
            let _server = server;
            panic!("a failing test");
        }));
        assert!(result.is_err());
        seen
    })
    .join()
    .unwrap();
    // The guard killed and reaped the server, and removed its directory.
    let alive = unsafe_kill_zero(pid);
    assert!(!alive, "the server {pid} still runs");
    assert!(!dir.exists(), "{} still exists", dir.display());
}

/// Whether a process `pid` exists (signal 0 checks without sending).
fn unsafe_kill_zero(pid: u32) -> bool {
    let pid = libc::pid_t::try_from(pid).unwrap();
    // SAFETY: signal 0 only checks that the process exists.
    unsafe { libc::kill(pid, 0) == 0 }
}
