//! A module whose arguments have constraints: on its parameters
//! (`#[garde(...)]`) and on the fields of a structured one
//! (`garde::Validate`).

#[pico::api]
pub mod shelf {
    use pico::JsonSchema;
    use serde::Deserialize;

    /// A book to shelve.
    #[derive(Debug, Deserialize, JsonSchema, garde::Validate)]
    #[schemars(crate = "pico::schemars")]
    pub struct Book {
        #[garde(length(chars, min = 1, max = 80))]
        pub title: String,
        #[garde(range(min = 1450, max = 2100))]
        pub year: u16,
        #[garde(dive)]
        pub author: Author,
        #[garde(length(max = 3), inner(length(chars, min = 2, max = 20)))]
        pub tags: Vec<String>,
    }

    /// Who wrote it.
    #[derive(Debug, Deserialize, JsonSchema, garde::Validate)]
    #[schemars(crate = "pico::schemars")]
    pub struct Author {
        #[garde(email)]
        pub email: String,
    }

    /// The books of a shelf, a page at a time.
    #[expose]
    pub fn list(
        #[garde(range(min = 1, max = 100))] limit: u32,
        #[garde(length(min = 3, max = 32), pattern("^[a-z0-9-]+$"))]
        #[default("all".to_owned())]
        shelf: String,
        #[garde(url)] from: Option<String>,
        #[garde(range(min = -1.5, max = 1.5))]
        #[default(0.0)]
        tilt: f64,
    ) -> String {
        format!("{limit} of {shelf} from {from:?} at {tilt}")
    }

    /// Labels a book with one to three tags, or none; answers how many.
    #[expose]
    pub fn label(#[garde(length(min = 1, max = 3))] tags: Option<Vec<String>>) -> usize {
        tags.map_or(0, |tags| tags.len())
    }

    /// Shelves a book; answers its title.
    #[expose]
    pub fn add(book: Book) -> String {
        format!("{} ({}) by {}", book.title, book.year, book.author.email)
    }
}
