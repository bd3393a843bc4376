//! Arguments: the values a client sent, by name, and how each becomes a
//! typed parameter.
//!
//! A request's sources are read once into [`Args`], a short list of named raw
//! values; each parameter is then deserialised straight from its raw value
//! into the parameter's own type, with no intermediate JSON tree.

use std::sync::Arc;

use bytes::Bytes;
use compact_str::CompactString;
use serde::de::value::Error as DeError;
use serde::de::{DeserializeOwned, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_json::value::RawValue;

use crate::error::HttpError;
use crate::json::JsonCodec;
use crate::upload::{FileDeserializer, Upload};

/// How many distinct names one request may send. Above it the request is
/// refused rather than searched: nobody's function has a thousand parameters.
const MAX_NAMES: usize = 1000;
/// How many values one request may send in all, repeats included.
pub(crate) const MAX_VALUES: usize = 10_000;
/// The longest parameter name, in bytes.
const MAX_NAME: usize = 256;
/// Past this many names, they are found through an index rather than by
/// comparing each: a request of many long names stays linear.
const INDEXED_FROM: usize = 32;

/// A raw value as it arrived.
#[derive(Debug, Clone)]
pub(crate) enum Arg {
    /// From the query string or a form: "pragmatic JSON", parsed as JSON when
    /// it is JSON and taken as the plain string when it is not.
    Text(CompactString),
    /// A value of a JSON body.
    Json(RawJson),
    /// A file of a multipart body.
    File(Upload),
    /// A name given several times in one source.
    Many(Vec<Arg>),
}

impl Arg {
    fn is_null(&self) -> bool {
        match self {
            Arg::Text(text) => text == "null",
            Arg::Json(raw) => raw.bytes().trim_ascii() == b"null",
            Arg::File(_) | Arg::Many(_) => false,
        }
    }
}

/// The text of one JSON value, already checked by the parser that found
/// it: a slice of the body it came in, so that a JSON body's arguments cost
/// no copy and no allocation each.
#[derive(Clone)]
pub(crate) struct RawJson(Bytes);

impl RawJson {
    pub(crate) fn bytes(&self) -> &[u8] {
        &self.0
    }

    fn text(&self) -> Result<&str, String> {
        std::str::from_utf8(&self.0).map_err(|e| e.to_string())
    }
}

impl std::fmt::Debug for RawJson {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&String::from_utf8_lossy(&self.0))
    }
}

/// The arguments of one request, by name, as the client sent them.
///
/// Hooks and `protected` checks read them (and prehandles may change them)
/// before the function's parameters are filled from them. Each value is
/// deserialised into the type asked for, so the same argument can be read
/// as text by a hook and as a number by the function.
#[derive(Default)]
pub struct Args {
    /// Name, value, and the source that set it: within one source a repeated
    /// name makes a list, a later source overrides.
    entries: Vec<(CompactString, Arg, u8)>,
    /// Position of each name in `entries`, once there are many.
    index: Option<std::collections::HashMap<CompactString, usize>>,
    values: usize,
    source: u8,
    codec: Option<Arc<dyn JsonCodec>>,
}

impl std::fmt::Debug for Args {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map()
            .entries(self.entries.iter().map(|(n, a, _)| (n, a)))
            .finish()
    }
}

impl Args {
    /// The names sent, `_`-prefixed reserved ones included.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|(n, ..)| n.as_str())
    }

    /// Whether `name` was sent.
    pub fn contains(&self, name: &str) -> bool {
        self.entries.iter().any(|(n, ..)| n == name)
    }

    /// Removes the argument `name` and returns it as `T`, taking JSON
    /// `null` as not sent: a parameter with a default gets its default.
    pub(crate) fn remove_unless_null<T: DeserializeOwned>(
        &mut self,
        name: &str,
    ) -> Result<Option<T>, HttpError> {
        match self.take(name) {
            None => Ok(None),
            Some(arg) if arg.is_null() => Ok(None),
            Some(arg) => decode(arg, self.codec.as_deref())
                .map(Some)
                .map_err(|reason| invalid(name, &reason)),
        }
    }

    /// The argument `name` as `T`, leaving it in place; `Ok(None)` when it
    /// was not sent.
    ///
    /// # Errors
    /// A 400 naming the argument when its value does not fit `T`.
    pub fn get<T: DeserializeOwned>(&self, name: &str) -> Result<Option<T>, HttpError> {
        match self.entries.iter().find(|(n, ..)| n == name) {
            None => Ok(None),
            Some((_, arg, _)) => decode(arg.clone(), self.codec.as_deref())
                .map(Some)
                .map_err(|reason| invalid(name, &reason)),
        }
    }

    /// Removes the argument `name` and returns it as `T`; `Ok(None)` when it
    /// was not sent.
    ///
    /// # Errors
    /// A 400 naming the argument when its value does not fit `T`.
    pub fn remove<T: DeserializeOwned>(&mut self, name: &str) -> Result<Option<T>, HttpError> {
        match self.take(name) {
            None => Ok(None),
            Some(arg) => decode(arg, self.codec.as_deref())
                .map(Some)
                .map_err(|reason| invalid(name, &reason)),
        }
    }

    /// Sets the argument `name`, replacing what the client sent. A value
    /// that does not serialise is set as `null`.
    pub fn insert(&mut self, name: impl Into<String>, value: impl Serialize) {
        let json = serde_json::to_vec(&value).unwrap_or_else(|_| b"null".to_vec());
        let raw = RawJson(Bytes::from(json));
        let name = CompactString::from(name.into());
        match self.entries.iter_mut().find(|(n, ..)| *n == name) {
            Some((_, arg, _)) => *arg = Arg::Json(raw),
            None => self.entries.push((name, Arg::Json(raw), self.source)),
        }
    }

    pub(crate) fn set_codec(&mut self, codec: Option<Arc<dyn JsonCodec>>) {
        self.codec = codec;
    }

    /// Starts a new source: its values override those of earlier ones.
    pub(crate) fn next_source(&mut self) {
        self.source += 1;
    }

    /// Adds a value of the current source. `repeat_as_list` makes a repeated
    /// name a list (query strings, forms); otherwise the last value wins
    /// (JSON objects with duplicate keys).
    pub(crate) fn push(
        &mut self,
        name: CompactString,
        arg: Arg,
        repeat_as_list: bool,
    ) -> Result<(), HttpError> {
        self.values += 1;
        if self.values > MAX_VALUES {
            return Err(too_many());
        }
        if name.len() > MAX_NAME {
            return Err(HttpError::bad_request()
                .with_message(format!("A parameter name is longer than {MAX_NAME} bytes.")));
        }
        let source = self.source;
        let full = self.entries.len() >= MAX_NAMES;
        let position = self.position(&name);
        match position.map(|i| &mut self.entries[i]) {
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
            None => {
                if let Some(index) = &mut self.index {
                    index.insert(name.clone(), self.entries.len());
                }
                self.entries.push((name, arg, source));
            }
        }
        Ok(())
    }

    /// Where `name` is in `entries`: by index once there are many names.
    fn position(&mut self, name: &str) -> Option<usize> {
        if self.entries.len() < INDEXED_FROM {
            return self.entries.iter().position(|(n, ..)| n == name);
        }
        let entries = &self.entries;
        let index = self.index.get_or_insert_with(|| {
            entries
                .iter()
                .enumerate()
                .map(|(i, (n, ..))| (n.clone(), i))
                .collect()
        });
        index.get(name).copied()
    }

    /// Removes and returns the raw value of `name`.
    pub(crate) fn take(&mut self, name: &str) -> Option<Arg> {
        let index = self.entries.iter().position(|(n, ..)| n == name)?;
        // Positions move: the index is rebuilt if names are pushed again.
        self.index = None;
        Some(self.entries.swap_remove(index).1)
    }
}

fn invalid(name: &str, reason: &str) -> HttpError {
    HttpError::bad_request().with_message(format!("Invalid value for parameter `{name}`: {reason}."))
}

/// A reason, with a number out of range said so.
fn explained(reason: String, sent: &str) -> String {
    let sent = sent.trim();
    let one_number = sent.bytes().all(|b| b.is_ascii_digit() || b"-+.eE".contains(&b));
    out_of_range(&reason, one_number.then_some(sent)).unwrap_or(reason)
}

/// serde's word for a number that does not fit an integer type ("invalid
/// type: floating point `1e23`, expected u64": JSON reads integers too large
/// for 64 bits as floats) said as what it is: out of range, and which range.
fn out_of_range(reason: &str, sent: Option<&str>) -> Option<String> {
    let (kind, rest) = reason
        .strip_prefix("invalid value: integer `")
        .map(|rest| ("integer", rest))
        .or_else(|| {
            reason
                .strip_prefix("invalid type: floating point `")
                .map(|rest| ("float", rest))
        })?;
    let (number, expected) = rest.split_once("`, expected ")?;
    // The number as the client wrote it, rather than as a float prints.
    let number = sent.filter(|s| s.len() <= 64).unwrap_or(number);
    let (low, high): (i128, u128) = match expected {
        "u8" => (0, u8::MAX.into()),
        "u16" => (0, u16::MAX.into()),
        "u32" => (0, u32::MAX.into()),
        "u64" | "usize" => (0, u64::MAX.into()),
        "i8" => (i8::MIN.into(), i8::MAX.unsigned_abs().into()),
        "i16" => (i16::MIN.into(), i16::MAX.unsigned_abs().into()),
        "i32" => (i32::MIN.into(), i32::MAX.unsigned_abs().into()),
        "i64" | "isize" => (i64::MIN.into(), i64::MAX.unsigned_abs().into()),
        _ => return None,
    };
    if kind == "float" && number.parse::<f64>().is_ok_and(|f| f.fract() != 0.0) {
        return Some(format!("{number} is not a whole number, expected {expected}"));
    }
    Some(format!(
        "{number} is out of range for {expected} ({low} to {high})"
    ))
}

pub(crate) fn too_many() -> HttpError {
    HttpError::bad_request().with_message(format!(
        "Too many parameters: a request may send at most {MAX_NAMES} names and {MAX_VALUES} values."
    ))
}

/// Deserialises one raw value, or says why it does not fit `T`.
fn decode<T: DeserializeOwned>(arg: Arg, codec: Option<&dyn JsonCodec>) -> Result<T, String> {
    if let Some(codec) = codec {
        return decode_with(arg, codec);
    }
    match arg {
        Arg::Text(text) => decode_text(&text).map_err(|reason| explained(reason, &text)),
        Arg::Json(raw) => serde_json::from_slice(raw.bytes())
            .map_err(|e| explained(strip_position(&e), raw.text().unwrap_or_default())),
        Arg::File(upload) => decode_file(upload),
        Arg::Many(items) => decode_many(items),
    }
}

/// A file, or a list of one file.
fn decode_file<T: DeserializeOwned>(upload: Upload) -> Result<T, String> {
    match T::deserialize(FileDeserializer(upload.clone())) {
        Ok(value) => Ok(value),
        Err(e) => decode_many(vec![Arg::File(upload)]).map_err(|_| e.to_string()),
    }
}

/// Decoding through an app's own [`JsonCodec`]: each value becomes a JSON
/// value by the codec first.
fn decode_with<T: DeserializeOwned>(arg: Arg, codec: &dyn JsonCodec) -> Result<T, String> {
    let pragmatic = |text: CompactString| {
        codec
            .load(&text)
            .unwrap_or_else(|_| Value::String(text.into_string()))
    };
    let value = match arg {
        Arg::Text(text) => pragmatic(text),
        Arg::Json(raw) => codec.load(raw.text()?)?,
        Arg::File(upload) => return T::deserialize(FileDeserializer(upload)).map_err(|e| e.to_string()),
        Arg::Many(items) if items.iter().all(|a| matches!(a, Arg::Text(_))) => Value::Array(
            items
                .into_iter()
                .filter_map(|a| match a {
                    Arg::Text(t) => Some(pragmatic(t)),
                    _ => None,
                })
                .collect(),
        ),
        many @ Arg::Many(_) => return decode(many, None),
    };
    T::deserialize(value).map_err(|e| e.to_string())
}

/// Pragmatic JSON, typed: the text as JSON if that gives a `T`, otherwise
/// the text as a plain string wherever a string fits (inside an `Option`
/// too), otherwise a list of that one value. So `x=6` is 6 for an `i64`,
/// `who=42` is "42" for a `String`, `tag=work` is `Some("work")` for an
/// `Option<String>` and `tags=solo` is `["solo"]` for a `Vec<String>` (an
/// HTML form with one ticked checkbox).
fn decode_text<T: DeserializeOwned>(text: &str) -> Result<T, String> {
    let as_json = match serde_json::from_str::<T>(text) {
        Ok(value) => return Ok(value),
        Err(e) => e,
    };
    let not_json = as_json.is_syntax() || as_json.is_eof();
    // `Value`'s deserializer, unlike a plain string's, hands an `Option`
    // its value as `Some`.
    let as_text = match T::deserialize(Value::String(text.to_string())) {
        Ok(value) => return Ok(value),
        Err(e) => e,
    };
    if let Ok(value) = decode_many(vec![Arg::Text(text.into())]) {
        return Ok(value);
    }
    if not_json {
        Err(as_text.to_string())
    } else {
        // Valid JSON of the wrong shape says more than "not a string".
        Err(strip_position(&as_json))
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
        .map(|t| serde_json::from_str(t).unwrap_or_else(|_| Value::String(t.to_string())))
        .collect();
    match T::deserialize(Value::Array(pragmatic)) {
        Ok(value) => Ok(value),
        Err(first) => {
            let plain = Value::Array(
                texts
                    .into_iter()
                    .map(|t| Value::String(t.into_string()))
                    .collect(),
            );
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

/// The error of a JSON object with more keys than a request may send.
pub(crate) const TOO_MANY_KEYS: &str = "too many keys";

/// A JSON body's object, its values borrowed from the body as found, in
/// the order sent.
pub(crate) struct JsonObject<'a>(Vec<(CompactString, &'a RawValue)>);

impl<'a> JsonObject<'a> {
    /// The arguments, each a slice of `body`, which the object was read
    /// from.
    pub(crate) fn into_args(self, body: &Bytes) -> impl Iterator<Item = (CompactString, Arg)> + use<'_, 'a> {
        self.0
            .into_iter()
            .map(move |(name, value)| (name, Arg::Json(RawJson(body.slice_ref(value.get().as_bytes())))))
    }
}

impl<'de> Deserialize<'de> for JsonObject<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ObjectVisitor;

        impl<'de> Visitor<'de> for ObjectVisitor {
            type Value = JsonObject<'de>;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<JsonObject<'de>, A::Error> {
                let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(4).min(64));
                while let Some(entry) = map.next_entry::<CompactString, &'de RawValue>()? {
                    // Counted as they come, so that a body of millions of
                    // keys is refused before they are all kept.
                    if entries.len() == MAX_VALUES {
                        return Err(serde::de::Error::custom(TOO_MANY_KEYS));
                    }
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
        Arg::Text(s.into())
    }

    #[test]
    fn pragmatic_text_takes_the_parameters_type() {
        assert_eq!(decode::<i64>(text("6"), None).unwrap(), 6);
        assert_eq!(decode::<String>(text("Tester"), None).unwrap(), "Tester");
        assert_eq!(decode::<String>(text("\"a\""), None).unwrap(), "a");
        assert_eq!(decode::<String>(text("42"), None).unwrap(), "42");
        assert_eq!(decode::<Vec<i64>>(text("[1,2]"), None).unwrap(), vec![1, 2]);
        let e = decode::<i64>(text("a"), None).unwrap_err();
        assert_eq!(e, "invalid type: string \"a\", expected i64");
        let e = decode::<i64>(text("[1]"), None).unwrap_err();
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
        assert_eq!(args.remove::<Vec<i64>>("x").unwrap(), Some(vec![1, 2, 3]));
        assert_eq!(args.remove::<String>("y").unwrap(), Some("b".to_owned()));
        assert_eq!(args.remove::<String>("z").unwrap(), None);
    }

    #[test]
    fn repeated_words_make_a_list_of_strings() {
        let items = vec![text("a"), text("1")];
        assert_eq!(
            decode::<Vec<String>>(Arg::Many(items), None).unwrap(),
            vec!["a", "1"]
        );
    }

    #[test]
    fn a_word_fills_an_option_and_one_value_a_list() {
        assert_eq!(
            decode::<Option<String>>(text("work"), None).unwrap(),
            Some("work".to_owned())
        );
        assert_eq!(
            decode::<Option<String>>(text("123"), None).unwrap(),
            Some("123".to_owned())
        );
        assert_eq!(decode::<Option<i64>>(text("5"), None).unwrap(), Some(5));
        assert_eq!(decode::<Vec<String>>(text("solo"), None).unwrap(), vec!["solo"]);
        assert_eq!(decode::<Vec<i64>>(text("5"), None).unwrap(), vec![5]);
        assert_eq!(
            decode::<Option<Vec<String>>>(text("7"), None).unwrap(),
            Some(vec!["7".to_owned()])
        );
        let e = decode::<Option<i64>>(text("work"), None).unwrap_err();
        assert_eq!(e, "invalid type: string \"work\", expected i64");
    }

    #[test]
    fn numbers_out_of_range_say_the_range() {
        let mut args = Args::default();
        args.push("n".into(), text("100000000000000000000000"), true)
            .unwrap();
        args.push("b".into(), text("300"), true).unwrap();
        args.push("f".into(), text("1.5"), true).unwrap();
        let e = args.remove::<u64>("n").unwrap_err();
        assert_eq!(
            e.message(),
            "Invalid value for parameter `n`: 100000000000000000000000 is out of range for u64 (0 to 18446744073709551615)."
        );
        let e = args.remove::<u8>("b").unwrap_err();
        assert_eq!(
            e.message(),
            "Invalid value for parameter `b`: 300 is out of range for u8 (0 to 255)."
        );
        let e = decode::<Vec<u8>>(text("[1, 300]"), None).unwrap_err();
        assert_eq!(e, "300 is out of range for u8 (0 to 255)");
        let e = args.remove::<i32>("f").unwrap_err();
        assert_eq!(
            e.message(),
            "Invalid value for parameter `f`: 1.5 is not a whole number, expected i32."
        );
    }

    #[test]
    fn null_is_not_sent_for_a_default() {
        let mut args = Args::default();
        args.push("a".into(), Arg::Json(RawJson(Bytes::from_static(b"null"))), false)
            .unwrap();
        args.push("b".into(), text("null"), true).unwrap();
        assert_eq!(args.remove_unless_null::<Vec<String>>("a").unwrap(), None);
        assert_eq!(args.remove_unless_null::<i64>("b").unwrap(), None);
    }

    #[test]
    fn many_names_are_found_through_an_index() {
        let mut args = Args::default();
        args.next_source();
        for i in 0..100 {
            args.push(format!("name{i}").into(), text("1"), true).unwrap();
        }
        assert!(
            args.index.is_some(),
            "past {INDEXED_FROM} names, pushes use an index"
        );
        args.push("name7".into(), text("2"), true).unwrap();
        assert_eq!(args.remove::<Vec<i64>>("name7").unwrap(), Some(vec![1, 2]));
        assert!(
            args.index.is_none(),
            "taking a name moves others: the index is rebuilt"
        );
        args.push("name99".into(), text("3"), true).unwrap();
        assert_eq!(args.remove::<Vec<i64>>("name99").unwrap(), Some(vec![1, 3]));
        assert_eq!(args.names().count(), 98);
    }
}
