#[persevere::on_error(expo)]
struct Client;

trait Store {
    #[persevere::on_error(expo)]
    fn load(&self) -> Result<u32, String>;
}

fn main() {}
