// `#[pico::mixin]` goes on the app's hooks, not on a function.
struct Log;

impl pico::Mixin for Log {}

#[pico::mixin(Log)]
fn app() {}

fn main() {}
