// ANCHOR: app
pub mod notes;
fn app() -> pico::App {
    let tokens = notes::Tokens(vec![("arthur-token".into(), "arthur".into()), ("ford-token".into(), "ford".into())]);
    pico::App::new().state(notes::Store::default()).state(tokens).register(notes::module())
}

fn main() {
    pico::serve(app());
}
// ANCHOR_END: app

#[cfg(test)]
mod tests;
