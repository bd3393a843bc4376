//! What a `#[from_request]` extractor tells the documents about itself: the
//! security scheme it stands for and the statuses it may answer. The
//! OpenAPI document, `/docs` and the TypeScript declarations read it; the
//! request path never does.

use std::borrow::Cow;

/// Implemented by a `#[from_request]` type to document itself: the
/// security scheme it reads (so that `/openapi.json` lists it under
/// `components.securitySchemes` and each operation that uses it says so,
/// and `/docs` offers to send it) and the statuses it may refuse a request
/// with (so that each function using it documents them, in OpenAPI and in
/// its `.d.ts` error type). Both are optional; an extractor without this
/// trait is simply not documented.
///
/// [`Bearer`](crate::auth::Bearer), [`Basic`](crate::auth::Basic) and
/// [`ApiKey`](crate::auth::ApiKey) implement it. An extractor of one's own
/// built on them says the same, plus what it refuses itself:
///
/// ```
/// use pico::auth::Bearer;
/// use pico::{DescribeExtractor, SecurityScheme};
///
/// /// A caller holding the admin token.
/// struct Admin;
///
/// impl DescribeExtractor for Admin {
///     fn security() -> Option<SecurityScheme> {
///         Bearer::security()
///     }
///     fn statuses() -> &'static [u16] {
///         &[401, 403]
///     }
/// }
/// ```
pub trait DescribeExtractor {
    /// The security scheme the extractor reads, if it reads one.
    fn security() -> Option<SecurityScheme> {
        None
    }

    /// The statuses it may refuse a request with.
    fn statuses() -> &'static [u16] {
        &[]
    }
}

/// A security scheme as OpenAPI names it: HTTP `Bearer` or `Basic`
/// authentication, or an API key in a header. Its name is its key in
/// `components.securitySchemes`: two extractors with the same scheme share
/// one entry, and [`named`](Self::named) tells apart two schemes of one kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityScheme {
    name: Cow<'static, str>,
    kind: SchemeKind,
    bearer_format: Option<&'static str>,
    description: Option<&'static str>,
}

/// How a scheme sends its credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SchemeKind {
    /// `Authorization: Bearer <token>`.
    Bearer,
    /// `Authorization: Basic <user:password>`.
    Basic,
    /// A key in this header.
    ApiKey(&'static str),
}

impl SecurityScheme {
    /// `Authorization: Bearer <token>`, named `bearer`.
    #[must_use]
    pub const fn bearer() -> Self {
        Self::new(Cow::Borrowed("bearer"), SchemeKind::Bearer)
    }

    /// `Authorization: Basic ...`, named `basic`.
    #[must_use]
    pub const fn basic() -> Self {
        Self::new(Cow::Borrowed("basic"), SchemeKind::Basic)
    }

    /// A key in the header `header`, named after it (`X-API-Key`).
    #[must_use]
    pub fn api_key(header: &'static str) -> Self {
        let name: String = header
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || "-._".contains(c) {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        Self::new(Cow::Owned(name), SchemeKind::ApiKey(header))
    }

    const fn new(name: Cow<'static, str>, kind: SchemeKind) -> Self {
        SecurityScheme {
            name,
            kind,
            bearer_format: None,
            description: None,
        }
    }

    /// The same scheme under another name: `SecurityScheme::bearer().named("adminToken")`.
    ///
    /// # Panics
    /// When the name is not one OpenAPI allows: letters, digits, `.`, `-`
    /// and `_`.
    #[must_use]
    pub fn named(mut self, name: &'static str) -> Self {
        assert!(
            !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-._".contains(c)),
            "a security scheme's name is letters, digits, `.`, `-` and `_`: {name:?}"
        );
        self.name = Cow::Borrowed(name);
        self
    }

    /// How a bearer token is made, as a hint to readers (`"JWT"`).
    #[must_use]
    pub const fn bearer_format(mut self, format: &'static str) -> Self {
        self.bearer_format = Some(format);
        self
    }

    /// What the credential is and where one gets it.
    #[must_use]
    pub const fn description(mut self, description: &'static str) -> Self {
        self.description = Some(description);
        self
    }

    /// Its key in `components.securitySchemes`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The scheme as an OpenAPI Security Scheme Object.
    #[cfg(feature = "openapi")]
    pub(crate) fn to_openapi(&self) -> serde_json::Value {
        let mut object = match self.kind {
            SchemeKind::Bearer => serde_json::json!({"type": "http", "scheme": "bearer"}),
            SchemeKind::Basic => serde_json::json!({"type": "http", "scheme": "basic"}),
            SchemeKind::ApiKey(header) => {
                serde_json::json!({"type": "apiKey", "in": "header", "name": header})
            }
        };
        if let (Some(format), SchemeKind::Bearer) = (self.bearer_format, self.kind) {
            object["bearerFormat"] = format.into();
        }
        if let Some(description) = self.description {
            object["description"] = description.into();
        }
        object
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_api_keys_name_is_its_header_made_safe() {
        assert_eq!(SecurityScheme::api_key("X-API-Key").name(), "X-API-Key");
        assert_eq!(SecurityScheme::api_key("x!key").name(), "x_key");
    }

    #[test]
    #[should_panic(expected = "letters, digits")]
    fn a_name_openapi_refuses_is_refused() {
        let _ = SecurityScheme::bearer().named("admin token");
    }
}
