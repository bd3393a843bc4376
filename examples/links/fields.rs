//! The values a link is made of, each checked once where it is read: from a
//! request's arguments (a bad one is the standard 400 naming it) and from a
//! line of an import alike. They reach SQL only as bound parameters.

use std::fmt;

/// Letters, digits and `-`, lowercase: what a short link's path may hold.
fn is_slug_text(text: &str, min: usize) -> bool {
    (min..=32).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// A link's name in its URLs: 3 to 32 of `a-z`, `0-9` and `-`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, pico::JsonSchema)]
#[serde(try_from = "String")]
#[schemars(crate = "pico::schemars", extend("pattern" = "^[a-z0-9-]{3,32}$"))]
pub struct Slug(String);

impl TryFrom<String> for Slug {
    type Error = String;
    fn try_from(text: String) -> Result<Self, String> {
        if is_slug_text(&text, 3) {
            Ok(Slug(text))
        } else {
            Err(format!("{text:?} is not a slug: 3 to 32 of a-z, 0-9 and -"))
        }
    }
}

impl Slug {
    /// A slug of 7 random letters and digits, for a link made without one.
    pub fn random() -> Slug {
        use rand::Rng;
        let alphabet = b"abcdefghijklmnopqrstuvwxyz0123456789";
        let mut rng = rand::rng();
        Slug((0..7).map(|_| char::from(alphabet[rng.random_range(0..alphabet.len())])).collect())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A label to find links by: 1 to 32 of `a-z`, `0-9` and `-`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize, pico::JsonSchema)]
#[serde(try_from = "String")]
#[schemars(crate = "pico::schemars", extend("pattern" = "^[a-z0-9-]{1,32}$"))]
pub struct Tag(String);

impl TryFrom<String> for Tag {
    type Error = String;
    fn try_from(text: String) -> Result<Self, String> {
        if is_slug_text(&text, 1) {
            Ok(Tag(text))
        } else {
            Err(format!("{text:?} is not a tag: 1 to 32 of a-z, 0-9 and -"))
        }
    }
}

impl Tag {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Where a link sends its visitors: an `http` or `https` URL of 2,000 bytes at most.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, pico::JsonSchema)]
#[serde(try_from = "String")]
#[schemars(crate = "pico::schemars", extend("format" = "uri", "maxLength" = 2000))]
pub struct Target(String);

impl TryFrom<String> for Target {
    type Error = String;
    fn try_from(text: String) -> Result<Self, String> {
        let web = url::Url::parse(&text).is_ok_and(|url| matches!(url.scheme(), "http" | "https") && url.has_host());
        if web && text.len() <= 2000 {
            Ok(Target(text))
        } else {
            Err("the target is not an http or https URL of 2,000 bytes at most".to_owned())
        }
    }
}

impl Target {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}
