// A `#[stream]` returning `impl Stream` that borrows its `#[state]`.
pub struct Db;

#[pico::api]
mod links {
    use super::Db;
    use futures_util::Stream;

    #[expose]
    #[stream]
    pub fn feed(#[state] db: &Db) -> impl Stream<Item = u32> {
        let _ = db;
        futures_util::stream::iter([1, 2])
    }
}

fn main() {
    let _ = links::module();
}
