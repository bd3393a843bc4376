pub mod notes;
fn app() -> pico::App {
    pico::App::new().state(notes::Store::default()).register(notes::module())
}

fn main() {
    pico::serve(app());
}

#[cfg(test)]
mod tests;
