// A parameter whose type does not implement `serde::Deserialize`.
pub struct Point {
    pub x: i32,
}

#[pico::api]
mod api {
    #[expose]
    pub fn norm(p: super::Point) -> i32 {
        p.x.abs()
    }
}

fn main() {}
