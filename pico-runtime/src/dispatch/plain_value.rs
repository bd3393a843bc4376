//! The commonest arguments, a plain decimal integer (`x=6`, `{"x": -7}`)
//! and a plain string (`who=ann`, `{"who": "ann"}`), given to their
//! parameter without setting up a JSON parser: read here as the general
//! path reads the same value, or not at all, in which case the general
//! path decides (and words any error) as it always has.

use serde::Deserializer;
use serde::de::value::Error;
use serde::de::{DeserializeOwned, Visitor};

/// `text` as `T`, when it is an integer as JSON writes one (`-` the only
/// sign, no leading zero, at most 19 digits) and `T` takes it the way it
/// takes serde_json's number; `None` otherwise.
pub(crate) fn plain_integer<T: DeserializeOwned>(text: &[u8]) -> Option<T> {
    let (negative, digits) = match text {
        [b'-', rest @ ..] => (true, rest),
        _ => (false, text),
    };
    let well_formed = !digits.is_empty()
        && digits.len() <= 19
        && digits.iter().all(u8::is_ascii_digit)
        && (digits[0] != b'0' || (digits.len() == 1 && !negative));
    if !well_formed {
        return None;
    }
    // 19 digits fit a u64.
    let magnitude = digits.iter().fold(0u64, |n, d| n * 10 + u64::from(d - b'0'));
    let number = match negative {
        // serde_json hands a negative integer that fits no i64 as a float.
        true => Number::Negative(0i64.checked_sub_unsigned(magnitude)?),
        false => Number::Positive(magnitude),
    };
    T::deserialize(number).ok()
}

/// `text` of a query or a form as `T`, when it cannot be JSON (`ann`,
/// `a b`), so that the general path, which tries JSON first, would take
/// it as a string; `None` otherwise, or when `T` takes no string.
pub(crate) fn plain_word<T: DeserializeOwned>(text: &str) -> Option<T> {
    if could_be_json(text.as_bytes()) {
        return None;
    }
    T::deserialize(Str(text)).ok()
}

/// A JSON value as `T`, when it is a string with no escape in it
/// (`"ann"`) and `T` takes it the way it takes serde_json's string;
/// `None` otherwise. `raw` was checked as JSON already: a string's inside
/// has no quote and no control character, only an escape could need
/// work. `raw` is a `&str`: its UTF-8 was checked where it was read, and
/// is not checked again here.
pub(crate) fn plain_string<T: DeserializeOwned>(raw: &str) -> Option<T> {
    let inside = raw.strip_prefix('"')?.strip_suffix('"')?;
    if inside.contains('\\') {
        return None;
    }
    T::deserialize(Str(inside)).ok()
}

/// A JSON value as `T`, when it is a plain integer or a plain string.
pub(crate) fn plain_json<T: DeserializeOwned>(raw: &str) -> Option<T> {
    plain_integer(raw.as_bytes()).or_else(|| plain_string(raw))
}

/// Whether JSON could read `text` whole: only a value that starts as one
/// of JSON's does (after JSON's white space); the empty text is counted
/// as one, which leaves it to the general path too.
fn could_be_json(text: &[u8]) -> bool {
    match text.first() {
        None | Some(b' ' | b'\t' | b'\n' | b'\r' | b'"' | b'{' | b'[' | b'-' | b'0'..=b'9') => true,
        Some(b't') => text.starts_with(b"true"),
        Some(b'f') => text.starts_with(b"false"),
        Some(b'n') => text.starts_with(b"null"),
        Some(_) => false,
    }
}

/// The methods by which a value that is there and whole is read into an
/// `Option` (as `Some`) and into a newtype (as its content).
macro_rules! one_value {
    () => {
        fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            visitor.visit_some(self)
        }

        fn deserialize_newtype_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            visitor: V,
        ) -> Result<V::Value, Error> {
            visitor.visit_newtype_struct(self)
        }
    };
}

/// Methods answered with an error, each with the arguments it takes
/// before its visitor.
macro_rules! refuse {
    ($($method:ident($($argument:ty),*);)*) => {
        $(
            fn $method<V: Visitor<'de>>(self, $(_: $argument,)* _: V) -> Result<V::Value, Error> {
                Err(not_here())
            }
        )*
    };
}

/// One integer token, as serde_json's deserializer presents it: to
/// `deserialize_any` and the number methods, as `visit_u64` when it is not
/// negative and `visit_i64` when it is; to an `Option` as `Some`; to a
/// newtype as its content. Any other method is an error, which sends the
/// value down the general path.
#[derive(Clone, Copy)]
enum Number {
    Positive(u64),
    Negative(i64),
}

impl<'de> Deserializer<'de> for Number {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self {
            Number::Positive(n) => visitor.visit_u64(n),
            Number::Negative(n) => visitor.visit_i64(n),
        }
    }

    one_value!();

    serde::forward_to_deserialize_any! {
        i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64
    }

    refuse! {
        deserialize_bool(); deserialize_char(); deserialize_str(); deserialize_string();
        deserialize_bytes(); deserialize_byte_buf(); deserialize_unit(); deserialize_seq();
        deserialize_map(); deserialize_identifier(); deserialize_ignored_any();
        deserialize_unit_struct(&'static str);
        deserialize_tuple(usize);
        deserialize_tuple_struct(&'static str, usize);
        deserialize_struct(&'static str, &'static [&'static str]);
        deserialize_enum(&'static str, &'static [&'static str]);
    }
}

/// One string, as serde_json's deserializer presents one without escapes
/// (and as the general path presents a query's word): to
/// `deserialize_any` and the string methods, as `visit_borrowed_str`; to an
/// `Option` as `Some`; to a newtype as its content. Any other method is an
/// error, which sends the value down the general path.
#[derive(Clone, Copy)]
struct Str<'a>(&'a str);

impl<'de> Deserializer<'de> for Str<'de> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_borrowed_str(self.0)
    }

    one_value!();

    serde::forward_to_deserialize_any! {
        char str string identifier
    }

    refuse! {
        deserialize_bool(); deserialize_i8(); deserialize_i16(); deserialize_i32();
        deserialize_i64(); deserialize_i128(); deserialize_u8(); deserialize_u16();
        deserialize_u32(); deserialize_u64(); deserialize_u128(); deserialize_f32();
        deserialize_f64(); deserialize_bytes(); deserialize_byte_buf(); deserialize_unit();
        deserialize_seq(); deserialize_map(); deserialize_ignored_any();
        deserialize_unit_struct(&'static str);
        deserialize_tuple(usize);
        deserialize_tuple_struct(&'static str, usize);
        deserialize_struct(&'static str, &'static [&'static str]);
        deserialize_enum(&'static str, &'static [&'static str]);
    }
}

fn not_here() -> Error {
    serde::de::Error::custom("not read here")
}

#[cfg(test)]
mod tests {
    use std::fmt::Debug;

    use serde::Deserialize;

    use super::*;

    #[derive(Debug, PartialEq, Deserialize)]
    struct Id(u64);

    #[derive(Debug, PartialEq, Deserialize)]
    #[serde(untagged)]
    enum Either {
        Number(i64),
        Word(String),
    }

    /// Where the shortcut answers, it answers what serde_json answers.
    fn agrees<T: DeserializeOwned + PartialEq + Debug>(text: &str) -> bool {
        let Some(quick) = plain_integer::<T>(text.as_bytes()) else {
            return false;
        };
        assert_eq!(serde_json::from_str::<T>(text).ok(), Some(quick), "{text}");
        true
    }

    #[test]
    fn integers_read_as_serde_json_reads_them() {
        for text in [
            "0",
            "6",
            "-7",
            "42",
            "9223372036854775807",
            "-9223372036854775808",
            "9999999999999999999",
        ] {
            assert!(agrees::<serde_json::Value>(text), "{text}");
            assert!(agrees::<f64>(text), "{text}");
            assert!(agrees::<Option<i128>>(text), "{text}");
        }
        for text in ["0", "-7", "9223372036854775807", "-9223372036854775808"] {
            assert!(agrees::<Either>(text), "{text}");
        }
        assert!(agrees::<Id>("6"));
        assert!(agrees::<Option<i64>>("-7"));
        assert!(agrees::<u8>("255"));
    }

    #[test]
    fn anything_else_takes_the_general_path() {
        // Not an integer as JSON writes one, or one serde_json reads as a float.
        for text in [
            "",
            "-",
            "-0",
            "007",
            "+6",
            " 6",
            "6 ",
            "1.0",
            "1e3",
            "0x10",
            "18446744073709551615",
            "-9223372036854775809",
        ] {
            assert!(
                plain_integer::<serde_json::Value>(text.as_bytes()).is_none(),
                "{text:?}"
            );
        }
        // Out of the type's range, or a type that does not take a number.
        assert!(!agrees::<u8>("256"));
        assert!(!agrees::<u64>("-1"));
        assert!(!agrees::<String>("6"));
        assert!(!agrees::<bool>("1"));
        assert!(!agrees::<Vec<i64>>("6"));
        assert!(!agrees::<()>("0"));
    }

    #[derive(Debug, PartialEq, Deserialize)]
    struct Name(String);

    #[derive(Debug, PartialEq, Deserialize)]
    #[serde(rename_all = "lowercase")]
    enum Colour {
        Red,
    }

    /// Where the shortcut answers a JSON string, it answers what
    /// serde_json answers.
    fn string_agrees<T: DeserializeOwned + PartialEq + Debug>(raw: &str) -> bool {
        let Some(quick) = plain_string::<T>(raw) else {
            return false;
        };
        assert_eq!(serde_json::from_str::<T>(raw).ok(), Some(quick), "{raw}");
        true
    }

    /// Where the shortcut answers a query's word, it answers what the
    /// general path's first two tries (JSON, then the text as a string)
    /// answer.
    fn word_agrees<T: DeserializeOwned + PartialEq + Debug>(text: &str) -> bool {
        let Some(quick) = plain_word::<T>(text) else {
            return false;
        };
        let general = serde_json::from_str::<T>(text)
            .or_else(|_| T::deserialize(serde_json::Value::String(text.to_owned())));
        assert_eq!(general.ok(), Some(quick), "{text}");
        true
    }

    #[test]
    fn strings_read_as_serde_json_reads_them() {
        for raw in [
            r#""ann""#,
            r#""""#,
            r#""a b, c: d""#,
            "\"ünï \u{1F600}\"",
            r#""6""#,
        ] {
            assert!(string_agrees::<String>(raw), "{raw}");
            assert!(string_agrees::<serde_json::Value>(raw), "{raw}");
            assert!(string_agrees::<Option<String>>(raw), "{raw}");
            assert!(string_agrees::<Either>(raw), "{raw}");
            assert!(string_agrees::<Name>(raw), "{raw}");
            assert!(string_agrees::<Box<str>>(raw), "{raw}");
        }
        assert!(string_agrees::<char>(r#""a""#));
    }

    #[test]
    fn other_json_values_take_the_general_path() {
        // An escape, or not a string.
        for raw in [r#""a\"b""#, r#""\u0041""#, "6", "null", "[\"a\"]", "\"", ""] {
            assert!(plain_string::<serde_json::Value>(raw).is_none(), "{raw:?}");
        }
        // A type that does not take a string the shortcut's way.
        assert!(!string_agrees::<i64>(r#""6""#));
        assert!(!string_agrees::<Vec<String>>(r#""a""#));
        assert!(!string_agrees::<Colour>(r#""red""#));
        assert!(!string_agrees::<char>(r#""ab""#));
        assert!(!string_agrees::<bool>(r#""true""#));
    }

    #[test]
    fn words_read_as_the_general_path_reads_them() {
        for text in [
            "ann", "a b", "ünï", "x=1", "nick", "tea", "fa", "}{", "+6", "a\"b",
        ] {
            assert!(word_agrees::<String>(text), "{text}");
            assert!(word_agrees::<serde_json::Value>(text), "{text}");
            assert!(word_agrees::<Option<String>>(text), "{text}");
            assert!(word_agrees::<Either>(text), "{text}");
            assert!(word_agrees::<Name>(text), "{text}");
        }
    }

    #[test]
    fn text_json_could_read_takes_the_general_path() {
        // JSON reads these whole, or may: the general path decides.
        for text in [
            "", "6", "-1", "\"ann\"", "[1]", "{}", " ann", "true", "false", "null", "nullx", "trueish",
        ] {
            assert!(plain_word::<serde_json::Value>(text).is_none(), "{text:?}");
        }
        // A type that takes no string.
        assert!(!word_agrees::<i64>("ann"));
        assert!(!word_agrees::<Vec<String>>("ann"));
        assert!(!word_agrees::<Colour>("red"));
    }
}
