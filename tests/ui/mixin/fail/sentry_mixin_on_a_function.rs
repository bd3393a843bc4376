// `#[pico::sentry_mixin]` on an item it does not apply to.
#[pico::sentry_mixin]
fn hooks() {}

fn main() {}
