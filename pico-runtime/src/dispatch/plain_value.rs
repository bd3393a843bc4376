//! The commonest argument, a plain decimal integer (`x=6`, `{"x": -7}`),
//! given to its parameter without setting up a JSON parser: read here as
//! serde_json reads the same token, or not at all, in which case the
//! general path decides (and words any error) as it always has.

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
}
