//! Why a value was refused, said in bounded words. serde's reasons quote
//! what was refused (`invalid type: string "…", expected i64`), and a
//! client may send megabytes in one value: quoted whole, a refusal would
//! send the value back, fill a log line, and cost twice its size again
//! while it is worded.

use std::borrow::Cow;
use std::fmt::Display;

use serde::de::{Expected, Unexpected};

/// The most of a refused value a reason quotes, in bytes.
const QUOTED: usize = 64;

/// The longest reason kept whole; a longer one, which came from a parser
/// that quoted a value whole, keeps its start and its end.
const LONGEST: usize = 256;

/// `reason`, cut in its middle when it is longer than any reason of ours:
/// the start says what was refused, the end what was expected.
pub(crate) fn bounded(reason: &str) -> Cow<'_, str> {
    if reason.len() <= LONGEST {
        return Cow::Borrowed(reason);
    }
    let head = reason.floor_char_boundary(LONGEST / 2);
    let tail = reason.ceil_char_boundary(reason.len() - LONGEST / 4);
    Cow::Owned(format!(
        "{}…({} bytes cut)…{}",
        &reason[..head],
        tail - head,
        &reason[tail..]
    ))
}

/// The start of `value`, marked as cut when it was.
fn quoted(value: &str) -> Cow<'_, str> {
    if value.len() <= QUOTED {
        return Cow::Borrowed(value);
    }
    Cow::Owned(format!("{}…", &value[..value.floor_char_boundary(QUOTED)]))
}

/// A deserialiser's error that quotes at most the start of a string it
/// refuses, worded as serde words it otherwise; built without a copy of
/// the whole value.
#[derive(Debug)]
pub(crate) struct Refusal(String);

impl Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Refusal {}

/// serde's own words for a refusal of `unexpected`, its string cut first.
fn cut(unexpected: Unexpected<'_>, words: impl FnOnce(Unexpected<'_>) -> serde::de::value::Error) -> Refusal {
    let error = match unexpected {
        Unexpected::Str(value) => words(Unexpected::Str(&quoted(value))),
        other => words(other),
    };
    Refusal(error.to_string())
}

impl serde::de::Error for Refusal {
    fn custom<T: Display>(message: T) -> Self {
        Refusal(message.to_string())
    }

    fn invalid_type(unexpected: Unexpected<'_>, expected: &dyn Expected) -> Self {
        cut(unexpected, |unexpected| {
            serde::de::Error::invalid_type(unexpected, expected)
        })
    }

    fn invalid_value(unexpected: Unexpected<'_>, expected: &dyn Expected) -> Self {
        cut(unexpected, |unexpected| {
            serde::de::Error::invalid_value(unexpected, expected)
        })
    }

    fn unknown_variant(variant: &str, expected: &'static [&'static str]) -> Self {
        let error: serde::de::value::Error = serde::de::Error::unknown_variant(&quoted(variant), expected);
        Refusal(error.to_string())
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;
    use serde::de::IntoDeserializer;

    use super::*;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    enum Colour {
        Red,
        Green,
    }

    /// Refused through a deserialiser whose error is `E`.
    fn refused<'de, T: Deserialize<'de>, E: serde::de::Error>(value: &'de str) -> String {
        let deserializer: serde::de::value::StrDeserializer<'de, E> = value.into_deserializer();
        match T::deserialize(deserializer) {
            Ok(_) => panic!("{value:?} was taken"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn a_short_value_is_refused_in_serde_s_own_words() {
        for value in ["abc", "a \"quoted\" word", "é"] {
            assert_eq!(
                refused::<i64, Refusal>(value),
                refused::<i64, serde::de::value::Error>(value)
            );
            assert_eq!(
                refused::<Colour, Refusal>(value),
                refused::<Colour, serde::de::value::Error>(value)
            );
        }
    }

    #[test]
    fn a_long_value_is_quoted_in_part() {
        let value = format!("{}{}", "é".repeat(40), "z".repeat(1_000_000));
        let said = refused::<i64, Refusal>(&value);
        let start = &value[..value.floor_char_boundary(QUOTED)];
        assert_eq!(said, format!("invalid type: string \"{start}…\", expected i64"));
        let said = refused::<Colour, Refusal>(&value);
        assert_eq!(
            said,
            format!("unknown variant `{start}…`, expected `Red` or `Green`")
        );
    }

    #[test]
    fn a_long_reason_keeps_its_start_and_its_end() {
        assert_eq!(bounded("short"), "short");
        let reason = format!(
            "invalid type: string \"{}\", expected a sequence",
            "é".repeat(500_000)
        );
        let said = bounded(&reason);
        assert!(said.len() < LONGEST + 32, "{said}");
        assert!(said.starts_with("invalid type: string \"éé"), "{said}");
        assert!(said.ends_with("éé\", expected a sequence"), "{said}");
        assert!(said.contains("bytes cut)…"), "{said}");
    }
}
