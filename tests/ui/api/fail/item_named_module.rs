// An item named `module`: the macro generates `module()` there.
#[pico::api]
mod api {
    pub fn module() -> u32 {
        1
    }

    #[expose]
    pub fn hello() -> u32 {
        1
    }
}

fn main() {}
