// A constraint on a parameter no client sends.
#[pico::api]
mod api {
    pub struct Config;

    #[expose]
    pub fn find(#[state] #[garde(length(max = 3))] config: &Config, name: String) -> String {
        let _ = config;
        name
    }
}

fn main() {}
