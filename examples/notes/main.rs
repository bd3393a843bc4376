// ANCHOR: app
pub mod notes;
fn app() -> pico::App {
    pico::App::new().state(notes::Store::default()).register(notes::module())
}

fn main() {
    pico::serve(app());
}
// ANCHOR_END: app

#[cfg(test)]
mod tests;
