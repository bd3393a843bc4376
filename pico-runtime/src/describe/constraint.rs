//! A parameter's constraints as the documents show them: the keywords of
//! its schema in `/openapi.json` (`minimum`, `maxLength`, `pattern`,
//! `format`...), which the checks of `dispatch::constraints` enforce.

/// One constraint of `#[garde(...)]` on a parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Constraint {
    /// `range`: its bounds as JSON numbers, where they are written as
    /// literals.
    Range {
        /// The lowest value allowed.
        min: Option<&'static str>,
        /// The highest.
        max: Option<&'static str>,
    },
    /// `length`: of a text in characters, of a list in items.
    Length {
        /// The shortest allowed.
        min: Option<usize>,
        /// The longest.
        max: Option<usize>,
    },
    /// `pattern`: a regular expression found in the text.
    Pattern(&'static str),
    /// `email`.
    Email,
    /// `url`.
    Url,
}

impl Constraint {
    /// The constraint as a reader says it, for the `.d.ts` comments.
    #[cfg(feature = "openapi")]
    pub(crate) fn summary(self) -> String {
        match self {
            Constraint::Range { min, max } => match (min, max) {
                (Some(min), Some(max)) => format!("from {min} to {max}"),
                (Some(min), None) => format!("at least {min}"),
                (None, Some(max)) => format!("at most {max}"),
                (None, None) => "a number".to_owned(),
            },
            Constraint::Length { min, max } => match (min, max) {
                (Some(min), Some(max)) => format!("length from {min} to {max}"),
                (Some(min), None) => format!("length at least {min}"),
                (None, Some(max)) => format!("length at most {max}"),
                (None, None) => "any length".to_owned(),
            },
            Constraint::Pattern(pattern) => format!("matches `{pattern}`"),
            Constraint::Email => "an email address".to_owned(),
            Constraint::Url => "an absolute URL".to_owned(),
        }
    }

    /// Writes the constraint into a parameter's schema.
    #[cfg(feature = "openapi")]
    pub(crate) fn apply(self, schema: &mut serde_json::Value) {
        use serde_json::Value;
        let Some(object) = schema.as_object_mut() else {
            return;
        };
        let number = |text: &str| {
            serde_json::from_str::<serde_json::Number>(text)
                .ok()
                .map(Value::Number)
        };
        // An `Option`'s type is a list, `["array", "null"]`: the
        // constraint is on the value that is not null.
        let kind = match object.get("type") {
            Some(Value::String(kind)) => kind.clone(),
            Some(Value::Array(kinds)) => kinds
                .iter()
                .filter_map(Value::as_str)
                .find(|k| *k != "null")
                .unwrap_or("")
                .to_owned(),
            _ => String::new(),
        };
        match self {
            Constraint::Range { min, max } => {
                if let Some(min) = min.and_then(number) {
                    object.insert("minimum".to_owned(), min);
                }
                if let Some(max) = max.and_then(number) {
                    object.insert("maximum".to_owned(), max);
                }
            }
            Constraint::Length { min, max } => {
                let (low, high) = match kind.as_str() {
                    "array" => ("minItems", "maxItems"),
                    "object" => ("minProperties", "maxProperties"),
                    _ => ("minLength", "maxLength"),
                };
                if let Some(min) = min {
                    object.insert(low.to_owned(), min.into());
                }
                if let Some(max) = max {
                    object.insert(high.to_owned(), max.into());
                }
            }
            Constraint::Pattern(pattern) => {
                object.insert("pattern".to_owned(), pattern.into());
            }
            Constraint::Email => {
                object.insert("format".to_owned(), "email".into());
            }
            Constraint::Url => {
                object.insert("format".to_owned(), "uri".into());
            }
        }
    }
}
