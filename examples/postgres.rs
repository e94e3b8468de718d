//! A restaurant's stock in PostgreSQL, kept through a server restart: connections are retried
//! (also before the server is up), statements that fail for another reason are not, and a
//! serializable transaction that loses a race is run again whole.
//!
//! Starts a throwaway PostgreSQL server of its own on 127.0.0.1 (`initdb` into a temporary
//! directory, removed at the end); needs PostgreSQL's binaries (`.ci/run` installs them).
//!
//! ```text
//! cargo run -p persevere-examples --example postgres
//! ```

use persevere::{Details, constant, on_error};
use persevere_examples::pg_retry::{is_connection_error, is_serialization_failure};
use persevere_examples::postgres::PgServer;
use std::time::Duration;
use tokio_postgres::{Client, IsolationLevel, NoTls};

async fn connect(config: &str) -> Result<Client, tokio_postgres::Error> {
    let (client, connection) = tokio_postgres::connect(config, NoTls).await?;
    tokio::spawn(connection);
    Ok(client)
}

fn log_retry<T>(d: &Details<'_, T, tokio_postgres::Error>) {
    println!("  connection failed ({}), retrying", d.error().unwrap());
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut server = PgServer::init()?;
    let config = server.config();
    // Connection errors only: a new connection each time, for at most a minute. (A handler
    // fixes the value type it reads, so connecting and statements have a policy each.)
    let reconnect = on_error(constant(Duration::from_millis(100)))
        .when(is_connection_error)
        .max_time(Duration::from_secs(60));
    let connecting = reconnect.clone().on_backoff(log_retry::<Client>);
    let statements = reconnect.on_backoff(log_retry::<u64>);

    println!("connecting while the server starts");
    server.start()?;
    let mut client = connecting.retry_async(|| connect(&config)).await?;
    client
        .batch_execute("CREATE TABLE stock (item text PRIMARY KEY, count int NOT NULL)")
        .await?;

    for (n, item) in ["tomato", "basil", "garlic", "onion"]
        .into_iter()
        .enumerate()
    {
        if n == 2 {
            println!("restarting the server");
            server.stop()?;
            server.start()?;
        }
        let insert = format!("INSERT INTO stock VALUES ('{item}', 10)");
        statements
            .retry_async_mut(async || {
                if client.is_closed() {
                    client = connect(&config).await?;
                }
                client.execute(&insert, &[]).await
            })
            .await?;
        println!("stocked {item}");
    }

    // A duplicate is not a connection error: returned at once.
    let duplicate = statements
        .retry_async(|| client.execute("INSERT INTO stock VALUES ('basil', 1)", &[]))
        .await
        .unwrap_err();
    println!("duplicate refused at once: {:?}", duplicate.code().unwrap());

    // Two cooks take tomatoes at once; the loser's transaction is run again whole.
    let other = connect(&config).await?;
    let mut attempt = 0;
    let left: i32 = on_error(constant(Duration::from_millis(10)))
        .when(is_serialization_failure)
        .max_tries(5)
        .on_backoff(|_| println!("  serialization failure, running the transaction again"))
        .retry_async_mut(async || {
            attempt += 1;
            let tx = client
                .build_transaction()
                .isolation_level(IsolationLevel::Serializable)
                .start()
                .await?;
            let count: i32 = tx
                .query_one("SELECT count FROM stock WHERE item = 'tomato'", &[])
                .await?
                .get(0);
            if attempt == 1 {
                other
                    .execute(
                        "UPDATE stock SET count = count - 3 WHERE item = 'tomato'",
                        &[],
                    )
                    .await?;
            }
            tx.execute(
                "UPDATE stock SET count = $1 WHERE item = 'tomato'",
                &[&(count - 2)],
            )
            .await?;
            tx.commit().await?;
            Ok::<_, tokio_postgres::Error>(count - 2)
        })
        .await?;
    println!("tomatoes left: {left} (10 - 3 - 2)");
    assert_eq!(left, 5);
    Ok(())
}
