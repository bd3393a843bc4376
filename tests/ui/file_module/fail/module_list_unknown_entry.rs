// `pico::module!` lists functions, and may end with `prehandle = function`.
mod notes {
    #[pico::expose]
    pub fn read() -> u32 {
        1
    }

    pico::module!(read, doc = read);
}

fn main() {
    let _ = notes::module();
}
