//! A small notes service, laid out as a real one is: `cargo run --example
//! notes`, then `curl -u arthur:secret 'localhost:4242/notes/create?text=milk'`.

pub mod notes;

/// The app: its shared store and its one module.
fn app() -> pico::App {
    pico::App::new()
        .state(notes::Store::default())
        .register(notes::module())
}

fn main() {
    pico::serve(app());
}

#[cfg(test)]
mod tests;
