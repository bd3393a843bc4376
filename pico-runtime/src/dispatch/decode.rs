//! How one raw value becomes a typed parameter: pragmatic JSON for text
//! (a word is a string wherever a string fits, one value a list of one),
//! JSON for a JSON body's values, files for multipart parts, and messages
//! that say what did not fit.

use bytes::Bytes;
use compact_str::CompactString;
use serde::de::DeserializeOwned;
use serde::de::value::Error as DeError;
use serde_json::Value;

use crate::dispatch::json::JsonCodec;
use crate::dispatch::plain_value::{plain_integer, plain_string, plain_word};
use crate::dispatch::upload::{FileDeserializer, Upload};
use crate::dispatch::word::Word;

/// A raw value as it arrived.
#[derive(Debug, Clone)]
pub(crate) enum Arg {
    /// From the query string or a form: "pragmatic JSON", parsed as JSON when
    /// it is JSON and taken as the plain string when it is not.
    Text(CompactString),
    /// A value of a JSON body.
    Json(RawJson),
    /// A file of a multipart body, boxed: the rarest kind of value would
    /// otherwise make every value, and every move of one, three times
    /// its size.
    File(Box<Upload>),
    /// A name given several times in one source.
    Many(Vec<Arg>),
}

impl Arg {
    pub(crate) fn is_null(&self) -> bool {
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
pub(crate) struct RawJson(pub(crate) Bytes);

impl RawJson {
    pub(crate) fn bytes(&self) -> &[u8] {
        &self.0
    }

    pub(crate) fn text(&self) -> Result<&str, String> {
        std::str::from_utf8(&self.0).map_err(|e| e.to_string())
    }
}

impl std::fmt::Debug for RawJson {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&String::from_utf8_lossy(&self.0))
    }
}

/// A reason, with a number out of range said so.
fn explained(reason: String, sent: &str) -> String {
    let sent = sent.trim();
    let one_number = !sent.is_empty() && sent.bytes().all(|b| b.is_ascii_digit() || b"-+.eE".contains(&b));
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
    if kind == "float" {
        match whole_integer(number.as_bytes()) {
            None => return Some(format!("{number} is not a whole number, expected {expected}")),
            // In range, and refused only for its fraction's zeros: in a
            // value too large to be read again with them dropped.
            Some(whole)
                if whole
                    .parse::<i128>()
                    .is_ok_and(|n| n >= low && (n < 0 || n.unsigned_abs() <= high)) =>
            {
                return None;
            }
            Some(_) => {}
        }
    }
    Some(format!(
        "{number} is out of range for {expected} ({low} to {high})"
    ))
}

/// Deserialises one raw value, or says why it does not fit `T`.
#[inline]
pub(crate) fn decode<T: DeserializeOwned>(arg: Arg, codec: Option<&dyn JsonCodec>) -> Result<T, String> {
    if let Some(codec) = codec {
        return decode_with(arg, codec);
    }
    if let Some(value) = match &arg {
        Arg::Text(text) => plain_integer(text.as_bytes()),
        Arg::Json(raw) => plain_integer(raw.bytes()),
        Arg::File(_) | Arg::Many(_) => None,
    } {
        return Ok(value);
    }
    decode_further(arg)
}

/// [`decode`] past an integer's shortcut: apart, so that `decode` stays
/// small enough to be inlined where that shortcut answers.
#[inline(never)]
fn decode_further<T: DeserializeOwned>(arg: Arg) -> Result<T, String> {
    if let Some(value) = plain_text(&arg) {
        return Ok(value);
    }
    match arg {
        Arg::Text(text) => {
            // Most values are read at the first try, and need no copy for
            // the error's sake.
            let as_json = match serde_json::from_str::<T>(&text) {
                Ok(value) => return Ok(value),
                Err(e) => e,
            };
            // Only a number is quoted back, and only a short one.
            let sent = (text.len() <= 64).then(|| text.clone());
            decode_text(text, as_json)
                .map_err(|reason| explained(reason, sent.as_deref().unwrap_or_default()))
        }
        Arg::Json(raw) => serde_json::from_slice(raw.bytes()).or_else(|e| {
            with_whole_numbers(raw.bytes())
                .ok_or_else(|| explained(strip_position(&e), raw.text().unwrap_or_default()))
        }),
        Arg::File(upload) => decode_file(*upload),
        Arg::Many(items) => decode_many(items),
    }
}

/// A plain string, when the value is one (see `dispatch/plain_value.rs`).
fn plain_text<T: DeserializeOwned>(arg: &Arg) -> Option<T> {
    match arg {
        Arg::Text(text) => plain_word(text),
        // Its quotes first: a number or a list is not read as text only
        // to be turned down.
        Arg::Json(raw) => match raw.bytes() {
            [b'"', .., b'"'] => std::str::from_utf8(raw.bytes()).ok().and_then(plain_string),
            _ => None,
        },
        Arg::File(_) | Arg::Many(_) => None,
    }
}

/// A file, or a list of one file.
fn decode_file<T: DeserializeOwned>(upload: Upload) -> Result<T, String> {
    match T::deserialize(FileDeserializer(upload.clone())) {
        Ok(value) => Ok(value),
        Err(e) => decode_many(vec![Arg::File(Box::new(upload))]).map_err(|_| e.to_string()),
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
        Arg::File(upload) => return T::deserialize(FileDeserializer(*upload)).map_err(|e| e.to_string()),
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
/// HTML form with one ticked checkbox). `as_json` is why the text did not
/// read as JSON, the first try, which the caller made.
fn decode_text<T: DeserializeOwned>(text: CompactString, as_json: serde_json::Error) -> Result<T, String> {
    let not_json = as_json.is_syntax() || as_json.is_eof();
    // Kept for the retries below, which a large value does not get: the
    // text moves into the string tried next rather than being copied.
    let retried = (text.len() <= RETRY_BUDGET).then(|| text.clone());
    let as_text = match T::deserialize(Word(text.into_string())) {
        Ok(value) => return Ok(value),
        Err(e) => e,
    };
    if let Some(text) = retried {
        // After the text as a string: `1.0` stays a string where one fits.
        if let Some(value) = with_whole_numbers(text.as_bytes()) {
            return Ok(value);
        }
        if let Ok(value) = decode_many(vec![Arg::Text(text)]) {
            return Ok(value);
        }
    }
    if not_json {
        Err(as_text.to_string())
    } else {
        // Valid JSON of the wrong shape says more than "not a string".
        Err(strip_position(&as_json))
    }
}

/// The largest value a failed decoding is tried again on, in other
/// words (whole numbers as integers, one value as a list of it): a retry
/// copies the value, or builds a tree of it many times its size, and a
/// client must not make a refusal cost more than its body. Values a
/// client means to send that way are small; a large one that fails as it
/// is gets the first error.
const RETRY_BUDGET: usize = 64 * 1024;

/// JSON Schema counts `5.0` as an integer, so a client that keeps to an
/// OpenAPI document may send one where serde wants an integer: the value
/// again with its whole numbers written as integers. Tried only once the
/// value failed as it was, so that it costs nothing to a value that fits.
fn with_whole_numbers<T: DeserializeOwned>(text: &[u8]) -> Option<T> {
    if text.len() > RETRY_BUDGET || !text.iter().any(|b| matches!(b, b'.' | b'e' | b'E')) {
        return None;
    }
    let rewritten = whole_numbers_as_integers(text)?;
    serde_json::from_slice(&rewritten).ok()
}

/// The JSON text with each number that is whole but written with a
/// fraction or an exponent (`5.0`, `1e3`, `9007199254740993.0`) written as
/// the integer it is, exactly, from its digits rather than through a float;
/// `None` when there was none.
fn whole_numbers_as_integers(text: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len());
    let mut changed = false;
    let mut i = 0;
    while i < text.len() {
        let b = text[i];
        if b == b'"' {
            // A string, escapes and all, as it is.
            let start = i;
            i += 1;
            while i < text.len() && text[i] != b'"' {
                i += if text[i] == b'\\' { 2 } else { 1 };
            }
            i = (i + 1).min(text.len());
            out.extend_from_slice(&text[start..i]);
        } else if b == b'-' || b.is_ascii_digit() {
            let start = i;
            i += 1;
            while i < text.len() && matches!(text[i], b'0'..=b'9' | b'.' | b'e' | b'E' | b'+' | b'-') {
                i += 1;
            }
            let number = &text[start..i];
            match whole_integer(number) {
                Some(integer) if integer.as_bytes() != number => {
                    out.extend_from_slice(integer.as_bytes());
                    changed = true;
                }
                _ => out.extend_from_slice(number),
            }
        } else {
            out.push(b);
            i += 1;
        }
    }
    changed.then_some(out)
}

/// The most digits a whole number is written out with: more than any
/// 128-bit integer has, so that a larger one stays out of range as it is.
const MAX_DIGITS: usize = 40;

/// The integer a JSON number is, in decimal, when it is whole (`-1.50e2`
/// is `-150`); `None` when it has a fraction or is not a number.
pub(crate) fn whole_integer(number: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(number).ok()?;
    let (negative, text) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (mantissa, exponent) = match text.find(['e', 'E']) {
        Some(at) => (&text[..at], text[at + 1..].parse::<i64>().ok()?),
        None => (text, 0),
    };
    let (int, frac) = match mantissa.split_once('.') {
        Some((_, "")) => return None,
        Some(split) => split,
        None => (mantissa, ""),
    };
    // JSON's grammar: digits on both sides, no leading zero.
    let leading_zero = int.len() > 1 && int.starts_with('0');
    if int.is_empty() || leading_zero || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let digits = format!("{int}{frac}");
    let digits = digits.trim_start_matches('0');
    if digits.is_empty() {
        return Some("0".to_owned());
    }
    // The number is `digits` times ten to the power `scale`.
    let scale = exponent.checked_sub(i64::try_from(frac.len()).ok()?)?;
    let integer = if scale >= 0 {
        let zeros = usize::try_from(scale)
            .ok()
            .filter(|z| digits.len() + z <= MAX_DIGITS)?;
        format!("{digits}{}", "0".repeat(zeros))
    } else {
        let cut = usize::try_from(scale.unsigned_abs()).ok()?;
        if cut >= digits.len() || !digits[digits.len() - cut..].bytes().all(|b| b == b'0') {
            return None;
        }
        digits[..digits.len() - cut].to_owned()
    };
    Some(if negative { format!("-{integer}") } else { integer })
}

fn decode_many<T: DeserializeOwned>(items: Vec<Arg>) -> Result<T, String> {
    if items.iter().all(|a| matches!(a, Arg::File(_))) {
        let files = items.into_iter().filter_map(|a| match a {
            Arg::File(u) => Some(FileDeserializer(*u)),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn text<T: DeserializeOwned>(text: &str) -> Result<T, String> {
        decode(Arg::Text(text.into()), None)
    }

    fn json<T: DeserializeOwned>(text: &str) -> Result<T, String> {
        decode(Arg::Json(RawJson(Bytes::copy_from_slice(text.as_bytes()))), None)
    }

    #[test]
    fn a_whole_float_fills_an_integer_and_changes_nothing_else() {
        assert_eq!(json::<i64>("6.0"), Ok(6));
        assert_eq!(json::<Vec<u8>>("[1.0, 2e0]"), Ok(vec![1, 2]));
        assert_eq!(text::<i64>("-6.0"), Ok(-6));
        assert!(json::<i64>("6.5").is_err());
        // Exactly as written, at any size: never through a float.
        assert_eq!(json::<u64>("9007199254740993.0"), Ok(9_007_199_254_740_993));
        assert_eq!(json::<i64>("9007199254740992.0"), Ok(9_007_199_254_740_992));
        assert_eq!(json::<i64>("-9223372036854775808.000"), Ok(i64::MIN));
        assert_eq!(json::<u64>("18446744073709551615e0"), Ok(u64::MAX));
        assert_eq!(json::<u64>("1.8446744073709551615e19"), Ok(u64::MAX));
        assert_eq!(text::<i64>("-1.50e2"), Ok(-150));
        assert_eq!(json::<Vec<u32>>(r#"[1e3, 2.00]"#), Ok(vec![1000, 2]));
        assert_eq!(
            json::<std::collections::HashMap<String, u8>>(r#"{"1.0e0": 1.0}"#).unwrap()["1.0e0"],
            1
        );
        assert_eq!(json::<u64>("0.0e-7"), Ok(0));
        // A float where a float fits stays one; text where text fits stays text.
        assert_eq!(json::<f64>("-0.0").map(f64::is_sign_negative), Ok(true));
        assert_eq!(text::<String>("1.0"), Ok("1.0".to_owned()));
        #[derive(serde::Deserialize, Debug, PartialEq)]
        #[serde(untagged)]
        enum Id {
            Number(u64),
            Text(String),
        }
        assert_eq!(text::<Id>("1.0"), Ok(Id::Text("1.0".to_owned())));
    }

    #[test]
    fn a_value_past_the_retry_budget_is_not_read_again() {
        let floats = |n: usize| format!("[{}1.0]", "1.0,".repeat(n));
        let small = floats(RETRY_BUDGET / 8);
        assert!(json::<Vec<u8>>(&small).is_ok());
        let large = floats(RETRY_BUDGET / 4);
        assert!(large.len() > RETRY_BUDGET);
        // Refused in serde's words: neither out of range nor not whole.
        let refused = "invalid type: floating point `1.0`, expected u8";
        assert_eq!(json::<Vec<u8>>(&large), Err(refused.to_owned()));
        assert_eq!(text::<Vec<u8>>(&large), Err(refused.to_owned()));
    }

    #[test]
    fn out_of_range_is_said_only_of_values_outside_the_range() {
        let said = json::<i64>("9223372036854775808.0").unwrap_err();
        assert!(said.contains("out of range for i64"), "{said}");
        let said = json::<u8>("2.56e2").unwrap_err();
        assert!(said.contains("out of range for u8"), "{said}");
        let said = json::<i64>("9007199254740992.5").unwrap_err();
        assert_eq!(said, "9007199254740992.5 is not a whole number, expected i64");
        let said = json::<u64>("1e400").unwrap_err();
        assert!(!said.contains("not a whole"), "{said}");
    }

    #[test]
    fn whole_integers_are_read_from_the_digits() {
        let whole = |n: &str| whole_integer(n.as_bytes());
        assert_eq!(whole("12.500e1").as_deref(), Some("125"));
        assert_eq!(whole("-0.0").as_deref(), Some("0"));
        assert_eq!(whole("1.25e1"), None);
        assert_eq!(whole("1e-1"), None);
        assert_eq!(whole("1e99"), None, "more digits than any integer type");
        assert_eq!(whole("1.e2"), None, "not JSON");
        assert_eq!(whole("e2"), None);
        assert_eq!(whole("01.0"), None, "not JSON");
        assert_eq!(whole("1.0e"), None, "not JSON");
    }
}
