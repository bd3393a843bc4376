// `ignore_types` takes a list of error types.
#[pico::sentry_mixin(ignore_types = std::io::Error)]
struct App;

fn main() {}
