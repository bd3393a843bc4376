//! Constraints on arguments (feature `validate`): those written on a
//! parameter (`#[garde(range(min = 1, max = 100))]`), and a
//! `garde::Validate` type's own, checked once every argument is read and
//! before the function runs. Every violation is answered at once, as a 422
//! whose `errors` lists each, in the order of the parameters.

use std::fmt::Display;

use serde::Serialize;

use crate::errors::failure::Failure;
use crate::errors::http_error::HttpError;

/// One broken constraint: the parameter, or the path into a structured
/// argument (`user.tags[1]`), and what is wrong.
#[derive(Debug, Serialize)]
struct Violation {
    #[serde(skip_serializing_if = "Option::is_none")]
    parameter: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    path: Option<String>,
    message: String,
}

/// The violations of one call, gathered parameter by parameter.
#[derive(Debug, Default)]
pub struct Violations(Vec<Violation>);

impl Violations {
    /// None yet.
    #[must_use]
    pub fn new() -> Self {
        Violations(Vec::new())
    }

    /// What a rule on the parameter `parameter` found.
    pub fn rule(&mut self, parameter: &'static str, checked: Result<(), String>) {
        if let Err(message) = checked {
            self.0.push(Violation {
                parameter: Some(parameter),
                path: None,
                message,
            });
        }
    }

    /// What a `garde::Validate` argument found in itself: each at its path
    /// under the parameter.
    pub fn report(&mut self, parameter: &'static str, report: garde::Report) {
        for (path, error) in report.iter() {
            let inner = path.to_string();
            let path = match inner.as_str() {
                "" => parameter.to_owned(),
                _ if inner.starts_with('[') => format!("{parameter}{inner}"),
                _ => format!("{parameter}.{inner}"),
            };
            self.0.push(Violation {
                parameter: None,
                path: Some(path),
                message: error.message().to_owned(),
            });
        }
    }

    /// `Ok` when nothing is broken; otherwise the 422 that lists it all.
    ///
    /// # Errors
    /// The 422.
    pub fn finish(self) -> Result<(), Failure> {
        if self.0.is_empty() {
            return Ok(());
        }
        let message = match self.0.len() {
            1 => "An argument breaks its constraints.".to_owned(),
            n => format!("{n} constraints are broken."),
        };
        Err(HttpError::unprocessable_entity()
            .with_message(message)
            .with_key("errors", &self.0)
            .into())
    }
}

/// A number a `range` applies to, with bounds of its own type.
#[diagnostic::on_unimplemented(
    message = "`range` applies to numbers with bounds of their type, and `{Self}` is not one",
    label = "this parameter's type cannot be compared with the bounds",
    note = "use `length(...)` for a text or a list; for a float, write its bounds as floats (`1.0`)"
)]
pub trait Bounded<B>: PartialOrd<B> {}

macro_rules! bounded {
    ($($t:ty),*) => { $(impl Bounded<$t> for $t {})* };
}
bounded!(
    u8, u16, u32, u64, u128, usize, i8, i16, i32, i64, i128, isize, f32, f64
);

/// `range(min = ..., max = ...)`.
pub fn range<T: Bounded<B>, B: Display>(value: &T, min: Option<B>, max: Option<B>) -> Result<(), String> {
    match (min, max) {
        (Some(min), _) if *value < min => Err(format!("lower than {min}")),
        (_, Some(max)) if *value > max => Err(format!("greater than {max}")),
        _ => Ok(()),
    }
}

/// A text (its characters counted, as JSON Schema counts them) or a
/// collection (its items) that a `length` applies to.
#[diagnostic::on_unimplemented(
    message = "`length` applies to texts and collections, and `{Self}` is neither",
    label = "this parameter's type has no length",
    note = "use `range(...)` for a number"
)]
pub trait Measured {
    /// Its length.
    fn measure(&self) -> usize;
}

impl Measured for String {
    fn measure(&self) -> usize {
        self.chars().count()
    }
}

impl Measured for str {
    fn measure(&self) -> usize {
        self.chars().count()
    }
}

impl<T> Measured for Vec<T> {
    fn measure(&self) -> usize {
        self.len()
    }
}

impl<K, V, S> Measured for std::collections::HashMap<K, V, S> {
    fn measure(&self) -> usize {
        self.len()
    }
}

impl<K, V> Measured for std::collections::BTreeMap<K, V> {
    fn measure(&self) -> usize {
        self.len()
    }
}

impl<T, S> Measured for std::collections::HashSet<T, S> {
    fn measure(&self) -> usize {
        self.len()
    }
}

impl<T> Measured for std::collections::BTreeSet<T> {
    fn measure(&self) -> usize {
        self.len()
    }
}

/// `length(min = ..., max = ...)`.
pub fn length<T: Measured + ?Sized>(value: &T, min: Option<usize>, max: Option<usize>) -> Result<(), String> {
    let length = value.measure();
    match (min, max) {
        (Some(min), _) if length < min => Err(format!("length is lower than {min}")),
        (_, Some(max)) if length > max => Err(format!("length is greater than {max}")),
        _ => Ok(()),
    }
}

/// A text a `pattern`, `email` or `url` applies to.
#[diagnostic::on_unimplemented(
    message = "`pattern`, `email` and `url` apply to texts, and `{Self}` is not one",
    label = "this parameter's type is not a text",
    note = "take a `String`"
)]
pub trait Text {
    /// The text.
    fn text(&self) -> &str;
}

impl Text for String {
    fn text(&self) -> &str {
        self
    }
}

impl Text for str {
    fn text(&self) -> &str {
        self
    }
}

/// `pattern("...")`: the regular expression, compiled once, matches
/// somewhere in the text (anchor it with `^...$` to match all of it, as
/// JSON Schema's `pattern` does).
pub fn pattern<T: Text + ?Sized>(value: &T, regex: &regex::Regex) -> Result<(), String> {
    if regex.is_match(value.text()) {
        Ok(())
    } else {
        Err(format!("does not match the pattern {}", regex.as_str()))
    }
}

/// A pattern as `#[garde(pattern(...))]` wrote it, compiled when first
/// used. The app checks each when it is built, so a broken one never
/// reaches a request.
pub fn compiled(pattern: &str) -> regex::Regex {
    regex::Regex::new(pattern).expect("a pattern checked when the app was built")
}

/// Whether a pattern compiles: the message of its error if not.
pub(crate) fn pattern_error(pattern: &str) -> Option<String> {
    regex::Regex::new(pattern).err().map(|e| e.to_string())
}

/// `email`.
pub fn email<T: Text + ?Sized>(value: &T) -> Result<(), String> {
    garde::rules::email::apply(&value.text(), ()).map_err(|e| e.message().to_owned())
}

/// `url`: an absolute URL, with a scheme and a host (`format: uri` in
/// the schema).
pub fn url<T: Text + ?Sized>(value: &T) -> Result<(), String> {
    match value.text().parse::<http::Uri>() {
        Ok(uri) if uri.scheme().is_some() && uri.authority().is_some_and(|a| !a.host().is_empty()) => Ok(()),
        _ => Err("not an absolute URL".to_owned()),
    }
}

/// An argument asked whether it validates itself.
#[derive(Debug)]
pub struct ValidateProbe<'a, T>(pub &'a T);

/// A `garde::Validate` argument (with no context).
pub trait SelfValidated {
    /// Its violations, under the parameter's name.
    fn validate_into(&self, parameter: &'static str, violations: &mut Violations);
}

impl<T: garde::Validate> SelfValidated for ValidateProbe<'_, T>
where
    T::Context: Default,
{
    fn validate_into(&self, parameter: &'static str, violations: &mut Violations) {
        if let Err(report) = self.0.validate_with(&T::Context::default()) {
            violations.report(parameter, report);
        }
    }
}

/// Any other.
pub trait NotSelfValidated {
    /// Nothing to do.
    fn validate_into(&self, parameter: &'static str, violations: &mut Violations);
}

impl<T> NotSelfValidated for &ValidateProbe<'_, T> {
    fn validate_into(&self, _: &'static str, _: &mut Violations) {}
}

/// A parameter's type, asked whether it validates itself, for the
/// documents' 422.
#[cfg(feature = "openapi")]
pub trait ValidatesItself {
    /// Yes.
    fn validates(&self) -> bool;
}

#[cfg(feature = "openapi")]
impl<T: garde::Validate> ValidatesItself for crate::describe::schema::TypeProbe<T> {
    fn validates(&self) -> bool {
        true
    }
}

/// Any other type.
#[cfg(feature = "openapi")]
pub trait DoesNotValidate {
    /// No.
    fn validates(&self) -> bool;
}

#[cfg(feature = "openapi")]
impl<T: ?Sized> DoesNotValidate for &crate::describe::schema::TypeProbe<T> {
    fn validates(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_rule_says_what_is_wrong() {
        assert_eq!(range(&0u32, Some(1), Some(100)), Err("lower than 1".to_owned()));
        assert_eq!(
            range(&101u32, Some(1), Some(100)),
            Err("greater than 100".to_owned())
        );
        assert_eq!(range(&1.5f64, Some(1.0), None), Ok(()));
        assert_eq!(length("ééé", None, Some(3)), Ok(()), "characters, not bytes");
        assert!(length(&vec![1, 2], Some(3), None).is_err());
        assert!(pattern("abc-1", &compiled("^[a-z0-9-]{3,32}$")).is_ok());
        assert!(pattern("ABC", &compiled("^[a-z0-9-]{3,32}$")).is_err());
        assert!(email("a@example.com").is_ok() && email("nobody").is_err());
        assert!(url("https://example.com/x").is_ok() && url("not a url").is_err());
        assert!(pattern_error("(").is_some() && pattern_error("a+").is_none());
    }

    #[test]
    fn violations_are_one_422_listing_each() {
        let mut violations = Violations::new();
        violations.rule("limit", range(&0u32, Some(1), None));
        violations.rule("slug", Ok(()));
        violations.rule("slug", length("ab", Some(3), None));
        let failure = violations.finish().unwrap_err();
        let error = failure.http_error().expect("an HttpError");
        assert_eq!(error.status().as_u16(), 422);
    }
}
