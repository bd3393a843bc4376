//! A module whose successes are not all 200: a 201 with the `Location` of
//! what it made, a 204 with no body, a 202.

#[pico::api(client)]
pub mod links {
    use pico::{HttpError, JsonSchema, Located};
    use serde::{Deserialize, Serialize};

    /// A short link.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
    #[schemars(crate = "pico::schemars")]
    pub struct Link {
        pub slug: String,
        pub url: String,
    }

    /// Makes a link: answers it, with where to read it.
    #[expose]
    #[status(201)]
    pub fn create(slug: String, url: String) -> Located<Link> {
        Located::new(format!("read?slug={slug}"), Link { slug, url })
    }

    /// The same, answered 201 as any `Located` is.
    #[expose]
    pub fn shorten(url: String) -> Located<String> {
        Located::new("read?slug=s1", url)
    }

    /// Forgets a link; the one named `missing` is not found.
    #[expose]
    #[status(204)]
    pub fn forget(slug: String) -> Result<(), HttpError> {
        if slug == "missing" {
            return Err(HttpError::not_found().with_message("No such link."));
        }
        Ok(())
    }

    /// Counts a visit later: accepted, not done.
    #[expose]
    #[status(202)]
    pub fn visit(slug: String) -> usize {
        slug.len()
    }
}
