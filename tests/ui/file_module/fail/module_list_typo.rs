// `pico::module!` lists a function by a misspelled name.
mod links {
    #[pico::expose]
    pub fn create(url: String) -> String {
        url
    }

    pico::module!(creat);
}

fn main() {
    let _ = links::module();
}
