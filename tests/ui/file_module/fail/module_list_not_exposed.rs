// `pico::module!` lists a function that is not `#[pico::expose]`d.
mod notes {
    #[pico::expose]
    pub fn read() -> u32 {
        1
    }

    pub fn write() -> u32 {
        2
    }

    pico::module!(read, write);
}

fn main() {
    let _ = notes::module();
}
