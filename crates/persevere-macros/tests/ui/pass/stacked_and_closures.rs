// Stacked attributes of all three kinds, unannotated closures in every closure key, and every
// key at once.
use persevere::testing::VirtualClock;
use std::time::Duration;

#[derive(Debug)]
enum InventoryError {
    Db,
    Http,
}

impl InventoryError {
    fn is_db(&self) -> bool {
        matches!(self, InventoryError::Db)
    }
    fn is_http(&self) -> bool {
        matches!(self, InventoryError::Http)
    }
}

fn policy() -> persevere::OnError<persevere::Constant> {
    persevere::on_error(persevere::constant(Duration::from_secs(1))).max_tries(2)
}

#[persevere::on_error(expo, when = InventoryError::is_db, max_tries = 5)]
#[persevere::on_error(expo(factor = 0.5, max_value = 10), when = |e| e.is_http(), max_time = 60)]
#[persevere::retry(policy())]
async fn save_inventory_counts() -> Result<(), InventoryError> {
    Ok(())
}

#[persevere::on_error(
    expo(base = 2, factor = "100ms", max_value = "1m30s"),
    max_tries = 3,
    max_time = 10.5,
    jitter = full,
    when = |e| !matches!(e, InventoryError::Http),
    giveup = |e| e.is_db(),
    on_backoff = |d| eprintln!("{} {:?} {:?}", d.tries(), d.wait(), d.error()),
    on_giveup = [|d| eprintln!("{:?}", d.error()), |_| ()],
    on_success = |d| eprintln!("{:?}", d.value()),
    name = "everything",
    log = (debug, warn),
    seed = 42,
    clock = VirtualClock::new(),
)]
fn everything() -> Result<u8, InventoryError> {
    Ok(1)
}

#[persevere::on_predicate(runtime(value = |v| Duration::from_millis(*v as u64)), predicate = |v| *v == 0, sleeper = |_d: Duration| {})]
fn poll() -> u8 {
    3
}

fn main() {
    assert!(futures_lite::future::block_on(save_inventory_counts()).is_ok());
    assert_eq!(everything().unwrap(), 1);
    assert_eq!(poll(), 3);
}
