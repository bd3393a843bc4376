//! Arguments: the values a client sent, by name, and how each becomes a
//! typed parameter.
//!
//! A request's sources are read once into [`Args`], a short list of named raw
//! values; each parameter is then deserialised straight from its raw value
//! into the parameter's own type, with no intermediate JSON tree.

use serde::Deserialize;
use serde::de::value::Error as DeError;
use serde::de::{DeserializeOwned, IntoDeserializer, MapAccess, Visitor};
use serde_json::Value;
use serde_json::value::RawValue;

use crate::error::HttpError;
use crate::upload::{FileDeserializer, Upload};

/// How many distinct names one request may send. Above it the request is
/// refused rather than searched: nobody's function has a thousand parameters.
const MAX_NAMES: usize = 1000;
/// How many values one request may send in all, repeats included.
const MAX_VALUES: usize = 10_000;

/// A raw value as it arrived.
#[derive(Debug)]
pub(crate) enum Arg {
    /// From the query string or a form: "pragmatic JSON", parsed as JSON when
    /// it is JSON and taken as the plain string when it is not.
    Text(String),
    /// A value of a JSON body.
    Json(Box<RawValue>),
    /// A file of a multipart body.
    File(Upload),
    /// A name given several times in one source.
    Many(Vec<Arg>),
}

/// The arguments of one request.
#[derive(Debug, Default)]
pub(crate) struct Args {
    /// Name, value, and the source that set it: within one source a repeated
    /// name makes a list, a later source overrides.
    entries: Vec<(String, Arg, u8)>,
    values: usize,
    source: u8,
}

impl Args {
    /// Starts a new source: its values override those of earlier ones.
    pub(crate) fn next_source(&mut self) {
        self.source += 1;
    }

    /// Adds a value of the current source. `repeat_as_list` makes a repeated
    /// name a list (query strings, forms); otherwise the last value wins
    /// (JSON objects with duplicate keys).
    pub(crate) fn push(&mut self, name: String, arg: Arg, repeat_as_list: bool) -> Result<(), HttpError> {
        self.values += 1;
        if self.values > MAX_VALUES {
            return Err(too_many());
        }
        let source = self.source;
        let full = self.entries.len() >= MAX_NAMES;
        match self.entries.iter_mut().find(|(n, ..)| *n == name) {
            Some((_, existing, set_by)) if *set_by == source && repeat_as_list => match existing {
                Arg::Many(list) => list.push(arg),
                single => {
                    let first = std::mem::replace(single, Arg::Many(Vec::new()));
                    *single = Arg::Many(vec![first, arg]);
                }
            },
            Some((_, existing, set_by)) => {
                *existing = arg;
                *set_by = source;
            }
            None if full => return Err(too_many()),
            None => self.entries.push((name, arg, source)),
        }
        Ok(())
    }

    /// The names sent.
    pub(crate) fn names(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|(n, ..)| n.as_str())
    }

    /// Whether `name` was sent.
    pub(crate) fn contains(&self, name: &str) -> bool {
        self.entries.iter().any(|(n, ..)| n == name)
    }

    /// Removes and returns the raw value of `name`.
    pub(crate) fn take(&mut self, name: &str) -> Option<Arg> {
        let index = self.entries.iter().position(|(n, ..)| n == name)?;
        Some(self.entries.swap_remove(index).1)
    }

    /// Removes `name` and deserialises it as `T`; `None` when it was not sent.
    pub(crate) fn decode<T: DeserializeOwned>(&mut self, name: &str) -> Result<Option<T>, HttpError> {
        match self.take(name) {
            None => Ok(None),
            Some(arg) => decode(arg).map(Some).map_err(|reason| {
                HttpError::bad_request()
                    .with_message(format!("Invalid value for parameter `{name}`: {reason}."))
            }),
        }
    }
}

fn too_many() -> HttpError {
    HttpError::bad_request().with_message(format!(
        "Too many parameters: a request may send at most {MAX_NAMES} names and {MAX_VALUES} values."
    ))
}

/// Deserialises one raw value, or says why it does not fit `T`.
fn decode<T: DeserializeOwned>(arg: Arg) -> Result<T, String> {
    match arg {
        Arg::Text(text) => decode_text(text),
        Arg::Json(raw) => serde_json::from_str(raw.get()).map_err(|e| strip_position(&e)),
        Arg::File(upload) => T::deserialize(FileDeserializer(upload)).map_err(|e| e.to_string()),
        Arg::Many(items) => decode_many(items),
    }
}

/// Pragmatic JSON, typed: the text as JSON if that gives a `T`, otherwise
/// the text as a plain string. So `x=6` is 6 for an `i64` and `who=42` is
/// "42" for a `String`.
fn decode_text<T: DeserializeOwned>(text: String) -> Result<T, String> {
    let as_json = match serde_json::from_str::<T>(&text) {
        Ok(value) => return Ok(value),
        Err(e) => e,
    };
    let not_json = as_json.is_syntax() || as_json.is_eof();
    match T::deserialize(IntoDeserializer::<DeError>::into_deserializer(text)) {
        Ok(value) => Ok(value),
        // Valid JSON of the wrong shape says more than "not a string".
        Err(_) if !not_json => Err(strip_position(&as_json)),
        Err(e) => Err(e.to_string()),
    }
}

fn decode_many<T: DeserializeOwned>(items: Vec<Arg>) -> Result<T, String> {
    if items.iter().all(|a| matches!(a, Arg::File(_))) {
        let files = items.into_iter().filter_map(|a| match a {
            Arg::File(u) => Some(FileDeserializer(u)),
            _ => None,
        });
        let seq = serde::de::value::SeqDeserializer::<_, DeError>::new(files);
        return T::deserialize(seq).map_err(|e| e.to_string());
    }
    let mut texts = Vec::with_capacity(items.len());
    for item in items {
        match item {
            Arg::Text(text) => texts.push(text),
            _ => return Err("a list mixing files and text".to_owned()),
        }
    }
    let pragmatic: Vec<Value> = texts
        .iter()
        .map(|t| serde_json::from_str(t).unwrap_or_else(|_| Value::String(t.clone())))
        .collect();
    match T::deserialize(Value::Array(pragmatic)) {
        Ok(value) => Ok(value),
        Err(first) => {
            let plain = Value::Array(texts.into_iter().map(Value::String).collect());
            T::deserialize(plain).map_err(|_| strip_position(&first))
        }
    }
}

/// serde_json's messages end in "at line 1 column 5", which means nothing to
/// a client that sent `x=abc` in a query string.
fn strip_position(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(i) if e.line() > 0 => text[..i].to_owned(),
        _ => text,
    }
}

/// The top-level object of a JSON body, with each value kept raw.
pub(crate) struct JsonObject(pub(crate) Vec<(String, Box<RawValue>)>);

impl<'de> Deserialize<'de> for JsonObject {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ObjectVisitor;

        impl<'de> Visitor<'de> for ObjectVisitor {
            type Value = JsonObject;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<JsonObject, A::Error> {
                let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(4).min(64));
                while let Some(entry) = map.next_entry::<String, Box<RawValue>>()? {
                    entries.push(entry);
                }
                Ok(JsonObject(entries))
            }
        }

        deserializer.deserialize_map(ObjectVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Arg {
        Arg::Text(s.to_owned())
    }

    #[test]
    fn pragmatic_text_takes_the_parameters_type() {
        assert_eq!(decode::<i64>(text("6")).unwrap(), 6);
        assert_eq!(decode::<String>(text("Tester")).unwrap(), "Tester");
        assert_eq!(decode::<String>(text("\"a\"")).unwrap(), "a");
        assert_eq!(decode::<String>(text("42")).unwrap(), "42");
        assert_eq!(decode::<Vec<i64>>(text("[1,2]")).unwrap(), vec![1, 2]);
        let e = decode::<i64>(text("a")).unwrap_err();
        assert_eq!(e, "invalid type: string \"a\", expected i64");
        let e = decode::<i64>(text("[1]")).unwrap_err();
        assert_eq!(e, "invalid type: sequence, expected i64");
    }

    #[test]
    fn repeats_in_one_source_make_a_list_and_later_sources_override() {
        let mut args = Args::default();
        args.next_source();
        args.push("x".into(), text("1"), true).unwrap();
        args.push("x".into(), text("2"), true).unwrap();
        args.push("x".into(), text("3"), true).unwrap();
        args.push("y".into(), text("a"), true).unwrap();
        args.next_source();
        args.push("y".into(), text("b"), true).unwrap();
        assert_eq!(args.decode::<Vec<i64>>("x").unwrap(), Some(vec![1, 2, 3]));
        assert_eq!(args.decode::<String>("y").unwrap(), Some("b".to_owned()));
        assert_eq!(args.decode::<String>("z").unwrap(), None);
    }

    #[test]
    fn repeated_words_make_a_list_of_strings() {
        let items = vec![text("a"), text("1")];
        assert_eq!(decode::<Vec<String>>(Arg::Many(items)).unwrap(), vec!["a", "1"]);
    }
}
