//! The seed's second program: a restaurant's inventory, kept in SQLite and pushed to a
//! supplier's HTTP service, with one retry policy per kind of failure.
//!
//! - `on_dish_ordered` retries a database error up to 5 times;
//! - `save_inventory_counts` stacks a database policy (5 tries) over an HTTP policy (60 s):
//!   an HTTP error is retried by the inner loop; a database error escapes it and the outer
//!   loop retries the whole call.
//!
//! Everything is real: a second SQLite connection holds the write lock for a moment (ours has
//! no busy timeout, so it gets `SQLITE_BUSY`), and a server on 127.0.0.1 answers 503 twice
//! before 200.
//!
//! ```text
//! cargo run --example inventory
//! ```

use rusqlite::{Connection, ErrorCode};
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// What can go wrong, one variant per policy.
#[derive(Debug)]
enum InventoryError {
    Db(rusqlite::Error),
    Http(String),
}

impl InventoryError {
    fn is_db(&self) -> bool {
        matches!(self, InventoryError::Db(_))
    }

    fn is_http(&self) -> bool {
        matches!(self, InventoryError::Http(_))
    }
}

impl std::fmt::Display for InventoryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            InventoryError::Db(e) => write!(f, "database: {e}"),
            InventoryError::Http(e) => write!(f, "http: {e}"),
        }
    }
}

/// The failure a handler reports, as text.
fn failure<T>(d: &persevere::Details<'_, T, InventoryError>) -> String {
    d.error().map(ToString::to_string).unwrap_or_default()
}

impl From<rusqlite::Error> for InventoryError {
    fn from(e: rusqlite::Error) -> Self {
        InventoryError::Db(e)
    }
}

impl From<std::io::Error> for InventoryError {
    fn from(e: std::io::Error) -> Self {
        InventoryError::Http(e.to_string())
    }
}

/// The counts pushed to the supplier.
struct Inventory {
    counts: Vec<(String, i64)>,
}

struct Kitchen {
    db: Connection,
    supplier: SocketAddr,
    started: Instant,
}

impl Kitchen {
    fn log(&self, what: &str) {
        println!("[{:>5} ms] {what}", self.started.elapsed().as_millis());
    }

    #[persevere::on_error(
        expo(factor = 0.1),
        jitter = none,
        when = InventoryError::is_db,
        max_tries = 5,
        on_backoff = |d| println!("           try {} failed ({}); retrying in {:.0?}", d.tries(), failure(d), d.wait().unwrap_or_default()),
    )]
    fn on_dish_ordered(&self, dish: &str) -> Result<i64, InventoryError> {
        self.db.execute(
            "UPDATE inventory SET count = count - 1 WHERE dish = ?1",
            [dish],
        )?;
        let left = self.db.query_row(
            "SELECT count FROM inventory WHERE dish = ?1",
            [dish],
            |row| row.get(0),
        )?;
        Ok(left)
    }

    #[persevere::on_error(
        expo,
        when = InventoryError::is_db,
        max_tries = 5,
        on_backoff = |d| println!("           outer (database) policy: try {} failed ({}); retrying the whole save in {:.0?}", d.tries(), failure(d), d.wait().unwrap_or_default()),
    )]
    #[persevere::on_error(
        expo(factor = 0.5, max_value = 10),
        when = InventoryError::is_http,
        max_time = 60,
        on_backoff = |d| println!("           inner (HTTP) policy: try {} failed ({}); retrying in {:.0?}", d.tries(), failure(d), d.wait().unwrap_or_default()),
    )]
    async fn save_inventory_counts(&self, inv: &Inventory) -> Result<(), InventoryError> {
        self.db.execute(
            "INSERT INTO sync_log (rows) VALUES (?1)",
            [inv.counts.len() as i64],
        )?;
        let body: String = inv
            .counts
            .iter()
            .map(|(dish, count)| format!("{dish}={count}\n"))
            .collect();
        let status = put(self.supplier, "/inventory", &body).await?;
        if status != 200 {
            return Err(InventoryError::Http(format!("supplier answered {status}")));
        }
        Ok(())
    }

    fn counts(&self) -> Result<Inventory, InventoryError> {
        let mut query = self
            .db
            .prepare("SELECT dish, count FROM inventory ORDER BY dish")?;
        let counts = query
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
            .collect::<Result<_, _>>()?;
        Ok(Inventory { counts })
    }
}

/// A minimal HTTP/1.1 PUT; returns the status code.
async fn put(addr: SocketAddr, path: &str, body: &str) -> std::io::Result<u16> {
    let mut stream = tokio::net::TcpStream::connect(addr).await?;
    let request = format!(
        "PUT {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await?;
    let mut response = String::new();
    stream.read_to_string(&mut response).await?;
    response
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("not an HTTP response: {response:?}")))
}

/// The supplier: answers 503 to the first `failures` requests, then 200. Serves a bounded
/// number of requests, then stops by itself.
fn start_supplier(failures: usize) -> std::io::Result<SocketAddr> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    thread::spawn(move || {
        for (n, stream) in listener.incoming().take(failures + 10).enumerate() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().expect("clone the socket"));
            let mut length = 0;
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|read| read > 2) {
                if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = value.trim().parse().unwrap_or(0);
                }
                line.clear();
            }
            let mut body = vec![0; length];
            let _ = std::io::Read::read_exact(&mut reader, &mut body);
            let status = if n < failures {
                "503 Service Unavailable"
            } else {
                "200 OK"
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
        }
    });
    Ok(addr)
}

/// Another connection takes the database's write lock, holds it for `hold`, and commits. Returns
/// once the lock is taken.
fn hold_write_lock(path: &Path, hold: Duration) -> thread::JoinHandle<()> {
    let (locked, is_locked) = mpsc::channel();
    let path = path.to_owned();
    let holder = thread::spawn(move || {
        let other = Connection::open(path).expect("open the second connection");
        other
            .execute_batch("BEGIN IMMEDIATE; UPDATE inventory SET count = count;")
            .expect("take the write lock");
        locked.send(()).expect("signal the lock");
        thread::sleep(hold);
        other
            .execute_batch("COMMIT")
            .expect("release the write lock");
    });
    is_locked
        .recv()
        .expect("the second connection took the lock");
    holder
}

fn open(path: &Path) -> Result<Connection, InventoryError> {
    let db = Connection::open(path)?;
    // No waiting inside SQLite: a locked database is an error at once, which the policies
    // retry.
    db.busy_timeout(Duration::ZERO)?;
    db.execute_batch(
        "CREATE TABLE IF NOT EXISTS inventory (dish TEXT PRIMARY KEY, count INTEGER NOT NULL);
         CREATE TABLE IF NOT EXISTS sync_log (id INTEGER PRIMARY KEY, rows INTEGER NOT NULL);
         INSERT OR REPLACE INTO inventory VALUES ('pasta', 20), ('risotto', 12), ('tiramisu', 8);",
    )?;
    Ok(db)
}

fn is_busy(e: &InventoryError) -> bool {
    matches!(e, InventoryError::Db(rusqlite::Error::SqliteFailure(f, _)) if f.code == ErrorCode::DatabaseBusy)
}

struct TempFile(PathBuf);

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), InventoryError> {
    let file = TempFile(
        std::env::temp_dir().join(format!("persevere-inventory-{}.db", std::process::id())),
    );
    let kitchen = Kitchen {
        db: open(&file.0)?,
        supplier: start_supplier(2)?,
        started: Instant::now(),
    };

    kitchen.log("another connection holds the write lock for 250 ms; a risotto is ordered");
    let holder = hold_write_lock(&file.0, Duration::from_millis(250));
    let left = kitchen.on_dish_ordered("risotto")?;
    holder.join().expect("the lock holder finished");
    kitchen.log(&format!("order recorded: {left} risottos left"));

    kitchen.log("saving the counts while the database is locked for 250 ms and the supplier answers 503 twice");
    let inventory = kitchen.counts()?;
    let holder = hold_write_lock(&file.0, Duration::from_millis(250));
    kitchen.save_inventory_counts(&inventory).await?;
    holder.join().expect("the lock holder finished");
    let syncs: i64 = kitchen
        .db
        .query_row("SELECT count(*) FROM sync_log", [], |row| row.get(0))?;
    kitchen.log(&format!(
        "counts saved ({} dishes; {syncs} sync attempts reached the database)",
        inventory.counts.len()
    ));

    // Without contention, a database error that is not "busy" would still be retried by the
    // database policy; show that a busy error is what the contention produced.
    let holder = hold_write_lock(&file.0, Duration::from_millis(50));
    let direct = kitchen.db.execute(
        "UPDATE inventory SET count = count WHERE dish = 'pasta'",
        [],
    );
    holder.join().expect("the lock holder finished");
    let direct = direct.map_err(InventoryError::from);
    println!(
        "           (without a policy, the same write during contention fails: busy = {})",
        direct.as_ref().err().is_some_and(is_busy)
    );
    Ok(())
}
