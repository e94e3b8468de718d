// Trait impls, sync and `async fn` in traits, and a trait's default method.
trait Store {
    fn load(&self) -> Result<u32, String>;
    async fn save(&mut self, value: u32) -> Result<(), String>;

    #[persevere::on_error(constant(interval = 1), max_tries = 2)]
    fn reload(&self) -> Result<u32, String> {
        self.load()
    }
}

struct Memory(u32);

impl Store for Memory {
    #[persevere::on_error(expo, max_tries = 2)]
    fn load(&self) -> Result<u32, String> {
        Ok(self.0)
    }

    #[persevere::on_error(expo, max_tries = 2)]
    async fn save(&mut self, value: u32) -> Result<(), String> {
        self.0 = value;
        Ok(())
    }
}

fn main() {
    let mut memory = Memory(1);
    futures_lite::future::block_on(memory.save(5)).unwrap();
    assert_eq!(memory.reload(), Ok(5));
}
