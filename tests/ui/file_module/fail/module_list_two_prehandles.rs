// A module has one prehandle.
mod notes {
    use pico::{Args, Request};

    fn first(_request: &mut Request, _args: &mut Args) {}

    #[pico::expose]
    pub fn read() -> u32 {
        1
    }

    pico::module!(read, prehandle = first, prehandle = first);
}

fn main() {
    let _ = notes::module();
}
