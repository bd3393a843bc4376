//! Arguments: the values a client sent, by name, and how each becomes a
//! typed parameter.
//!
//! A request's sources are read once into [`Args`], a short list of named raw
//! values; each parameter is then deserialised straight from its raw value
//! into the parameter's own type, with no intermediate JSON tree.

use std::sync::Arc;

use bytes::Bytes;
use compact_str::CompactString;
use serde::Serialize;
use serde::de::{DeserializeOwned, DeserializeSeed, MapAccess, Visitor};
use serde_json::value::RawValue;

use crate::dispatch::decode::{Arg, RawJson, decode};
use crate::dispatch::json::JsonCodec;
use crate::dispatch::refusal::bounded;
use crate::errors::http_error::HttpError;

/// A type a parameter can have. Only here to say, when a type does not
/// qualify, what to do about it.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a parameter of an exposed function: it does not implement `serde::Deserialize`",
    label = "this type must implement `serde::Deserialize` (and own its data)",
    note = "add `#[derive(serde::Deserialize)]` to `{Self}`, or take a type that implements it"
)]
pub trait Argument: DeserializeOwned {}

impl<T: DeserializeOwned> Argument for T {}

/// How many distinct names one request may send. Above it the request is
/// refused rather than searched: nobody's function has a thousand parameters.
const MAX_NAMES: usize = 1000;
/// How many values one request may send in all, repeats included.
pub(crate) const MAX_VALUES: usize = 10_000;
/// The longest parameter name, in bytes.
pub(crate) const MAX_NAME: usize = 256;
/// Past this many names, they are found through an index rather than by
/// comparing each: a request of many long names stays linear.
const INDEXED_FROM: usize = 32;

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
    /// Whether a reserved name (`_callback`) was ever set: most requests
    /// send none, and need not be searched for one.
    reserved: bool,
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
        self.reserved |= name.starts_with('_');
        match self.entries.iter_mut().find(|(n, ..)| *n == name) {
            Some((_, arg, _)) => *arg = Arg::Json(raw),
            None => self.entries.push((name, Arg::Json(raw), self.source)),
        }
    }

    pub(crate) fn set_codec(&mut self, codec: Option<Arc<dyn JsonCodec>>) {
        self.codec = codec;
    }

    pub(crate) fn codec(&self) -> Option<&dyn JsonCodec> {
        self.codec.as_deref()
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
                self.reserved |= name.starts_with('_');
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

    /// Removes and returns the raw value of the reserved `name`, which
    /// begins with `_`.
    pub(crate) fn take_reserved(&mut self, name: &str) -> Option<Arg> {
        debug_assert!(name.starts_with('_'));
        if !self.reserved {
            return None;
        }
        self.take(name)
    }

    /// Removes and returns the raw value of `name`.
    pub(crate) fn take(&mut self, name: &str) -> Option<Arg> {
        let index = self.entries.iter().position(|(n, ..)| n == name)?;
        // Positions move: the index is rebuilt if names are pushed again.
        self.index = None;
        Some(self.entries.swap_remove(index).1)
    }
}

/// The missing and unexpected parameters, in the original's message.
/// `params` are the function's parameters a client sends, each with
/// whether it has a default.
pub(crate) fn check_args<'p>(
    params: impl Iterator<Item = (&'p str, bool)> + Clone,
    args: &Args,
) -> Result<(), HttpError> {
    if all_expected_and_present(params.clone(), args) {
        return Ok(());
    }
    let mut unexpected: Vec<&str> = args
        .names()
        .filter(|name| !name.starts_with('_') && !params.clone().any(|(p, _)| p == *name))
        .collect();
    let mut missing: Vec<&str> = params
        .filter(|(name, has_default)| !has_default && !args.contains(name))
        .map(|(name, _)| name)
        .collect();
    if unexpected.is_empty() && missing.is_empty() {
        return Ok(());
    }
    unexpected.sort_unstable();
    missing.sort_unstable();
    let mut message = String::new();
    if !unexpected.is_empty() {
        message.push_str(&format!("Unexpected parameters: [{}]. ", unexpected.join(", ")));
    }
    if !missing.is_empty() {
        message.push_str(&missing_parameters(&missing));
    }
    Err(HttpError::bad_request().with_message(message))
}

/// Whether every name sent is a parameter (or reserved) and every
/// parameter without a default was sent: one pass over the names, each
/// parameter found marking its bit, where asking both questions apart
/// compares every name with every parameter twice. More than 64
/// parameters are not marked, and are answered `false`: the caller then
/// looks name by name.
fn all_expected_and_present<'p>(params: impl Iterator<Item = (&'p str, bool)> + Clone, args: &Args) -> bool {
    let mut sent = 0u64;
    for name in args.names() {
        if name.starts_with('_') {
            continue;
        }
        match params.clone().position(|(p, _)| p == name) {
            Some(i) if i < 64 => sent |= 1 << i,
            _ => return false,
        }
    }
    params
        .enumerate()
        .all(|(i, (_, has_default))| has_default || (i < 64 && sent & (1 << i) != 0))
}

/// The original's words for missing parameters, trailing space included.
pub(crate) fn missing_parameters(names: &[&str]) -> String {
    format!("Missing required parameters: [{}]. ", names.join(", "))
}

pub(crate) fn invalid(name: &str, reason: &str) -> HttpError {
    let reason = bounded(reason);
    HttpError::bad_request().with_message(format!("Invalid value for parameter `{name}`: {reason}."))
}

pub(crate) fn too_many() -> HttpError {
    HttpError::bad_request().with_message(format!(
        "Too many parameters: a request may send at most {MAX_NAMES} names and {MAX_VALUES} values."
    ))
}

/// A JSON body's object read straight into [`Args`], each value a slice
/// of the body it was read from: no list of pairs in between, and a
/// body of millions of keys refused as the limit passes, before the rest
/// is read.
pub(crate) struct IntoArgs<'a> {
    pub(crate) args: &'a mut Args,
    pub(crate) body: &'a Bytes,
    /// Why a value was refused, which serde's error cannot carry.
    pub(crate) refused: &'a mut Option<HttpError>,
}

impl<'de> DeserializeSeed<'de> for IntoArgs<'_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for IntoArgs<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some((name, value)) = map.next_entry::<CompactString, &'de RawValue>()? {
            let value = Arg::Json(RawJson(self.body.slice_ref(value.get().as_bytes())));
            if let Err(e) = self.args.push(name, value, false) {
                *self.refused = Some(e);
                return Err(serde::de::Error::custom("refused"));
            }
        }
        Ok(())
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

    fn sent(names: &[&str]) -> Args {
        let mut args = Args::default();
        args.next_source();
        for name in names {
            args.push((*name).into(), text("1"), true).unwrap();
        }
        args
    }

    fn checked(params: &[(&str, bool)], names: &[&str]) -> Result<(), String> {
        check_args(params.iter().copied(), &sent(names)).map_err(|e| e.message().to_owned())
    }

    #[test]
    fn the_check_names_what_is_unexpected_and_missing() {
        let params = [("x", false), ("y", true)];
        assert_eq!(checked(&params, &["x"]), Ok(()));
        assert_eq!(checked(&params, &["y", "x", "_callback"]), Ok(()));
        assert_eq!(
            checked(&params, &["y"]),
            Err("Missing required parameters: [x]. ".to_owned())
        );
        assert_eq!(
            checked(&params, &["x", "z", "a"]),
            Err("Unexpected parameters: [a, z]. ".to_owned())
        );
        assert_eq!(
            checked(&params, &["z"]),
            Err("Unexpected parameters: [z]. Missing required parameters: [x]. ".to_owned())
        );
    }

    #[test]
    fn the_check_holds_past_64_parameters() {
        let names: Vec<String> = (0..70).map(|i| format!("p{i}")).collect();
        let params: Vec<(&str, bool)> = names.iter().map(|n| (n.as_str(), false)).collect();
        let all: Vec<&str> = names.iter().map(String::as_str).collect();
        assert_eq!(checked(&params, &all), Ok(()));
        assert_eq!(
            checked(&params, &all[..69]),
            Err("Missing required parameters: [p69]. ".to_owned())
        );
        assert_eq!(
            checked(&params[..65], &all[..66]),
            Err("Unexpected parameters: [p65]. ".to_owned())
        );
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
