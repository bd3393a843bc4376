// `fn mixins` written by hand beside a mixin attribute: the attributes write it.
struct Log;

impl pico::Mixin for Log {}

struct App;

#[pico::mixin(Log)]
impl pico::Hooks for App {
    fn mixins(&self) -> Vec<Box<dyn pico::Mixin>> {
        let mut all: Vec<Box<dyn pico::Mixin>> = Vec::new();
        all.push(Box::new(Log));
        all
    }
}

fn main() {}
