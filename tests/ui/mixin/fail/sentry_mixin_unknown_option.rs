// `#[pico::sentry_mixin]` with an option it does not have.
struct App;

#[pico::sentry_mixin(ignore_errors = 400..500)]
impl pico::Hooks for App {}

fn main() {}
