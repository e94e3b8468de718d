// Methods taking `&self`, `&mut self` and `self: Arc<Self>`, sync and async.
use std::sync::Arc;

struct Client {
    hits: u32,
}

impl Client {
    #[persevere::on_error(fibo, max_tries = 2)]
    fn get(&self) -> Result<u32, String> {
        Ok(self.hits)
    }

    #[persevere::on_error(fibo, max_tries = 2)]
    fn hit(&mut self) -> Result<u32, String> {
        self.hits += 1;
        Ok(self.hits)
    }

    #[persevere::on_error(fibo, max_tries = 2)]
    fn shared(self: Arc<Self>) -> Result<u32, String> {
        Ok(self.hits)
    }

    #[persevere::on_error(fibo, max_tries = 2)]
    async fn get_async(&self) -> Result<u32, String> {
        Ok(self.hits)
    }

    #[persevere::on_error(fibo, max_tries = 2)]
    async fn hit_async(&mut self) -> Result<u32, String> {
        self.hits += 1;
        Ok(self.hits)
    }

    #[persevere::on_error(fibo, max_tries = 2)]
    async fn shared_async(self: Arc<Self>) -> Result<u32, String> {
        Ok(self.hits)
    }
}

fn main() {
    let mut client = Client { hits: 0 };
    assert_eq!(client.hit(), Ok(1));
    assert_eq!(client.get(), Ok(1));
    futures_lite::future::block_on(async {
        assert_eq!(client.hit_async().await, Ok(2));
        assert_eq!(client.get_async().await, Ok(2));
        let client = Arc::new(client);
        assert_eq!(client.clone().shared_async().await, Ok(2));
        assert_eq!(client.shared(), Ok(2));
    });
}
