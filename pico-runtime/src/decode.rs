//! How one raw value becomes a typed parameter: pragmatic JSON for text
//! (a word is a string wherever a string fits, one value a list of one),
//! JSON for a JSON body's values, files for multipart parts, and messages
//! that say what did not fit.

use bytes::Bytes;
use compact_str::CompactString;
use serde::de::DeserializeOwned;
use serde::de::value::Error as DeError;
use serde_json::Value;

use crate::json::JsonCodec;
use crate::upload::{FileDeserializer, Upload};

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

/// Deserialises one raw value, or says why it does not fit `T`.
pub(crate) fn decode<T: DeserializeOwned>(arg: Arg, codec: Option<&dyn JsonCodec>) -> Result<T, String> {
    if let Some(codec) = codec {
        return decode_with(arg, codec);
    }
    match arg {
        Arg::Text(text) => decode_text(&text).map_err(|reason| explained(reason, &text)),
        Arg::Json(raw) => serde_json::from_slice(raw.bytes()).or_else(|e| {
            with_whole_numbers(raw.bytes())
                .ok_or_else(|| explained(strip_position(&e), raw.text().unwrap_or_default()))
        }),
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
    // After the text as a string: `1.0` stays a string where one fits.
    if let Some(value) = with_whole_numbers(text.as_bytes()) {
        return Ok(value);
    }
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

/// JSON Schema counts `5.0` as an integer, so a client that keeps to an
/// OpenAPI document may send one where serde wants an integer: the value
/// again with its whole floats made integers. Tried only once the value
/// failed as it was, so that it costs nothing to a value that fits.
fn with_whole_numbers<T: DeserializeOwned>(text: &[u8]) -> Option<T> {
    if !text.iter().any(|b| matches!(b, b'.' | b'e' | b'E')) {
        return None;
    }
    let mut value: Value = serde_json::from_slice(text).ok()?;
    if !make_whole(&mut value) {
        return None;
    }
    T::deserialize(value).ok()
}

/// Makes each whole float within 64 bits an integer; whether any was.
fn make_whole(value: &mut Value) -> bool {
    match value {
        Value::Number(n) if n.is_f64() => {
            let f = n.as_f64().unwrap_or(f64::NAN);
            // Below 2^53, where every integer has a float of its own: from
            // 2^53 on, `9007199254740993.0` reads as the float of ...992.
            if f.fract() != 0.0 || f.abs() >= 9_007_199_254_740_992.0 {
                return false;
            }
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let whole = if f < 0.0 {
                Value::from(f as i64)
            } else {
                Value::from(f as u64)
            };
            *value = whole;
            true
        }
        Value::Array(items) => items.iter_mut().fold(false, |any, item| make_whole(item) | any),
        Value::Object(map) => map.values_mut().fold(false, |any, item| make_whole(item) | any),
        _ => false,
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
        // From 2^53 on, a float may not be the integer written.
        assert!(json::<u64>("9007199254740993.0").is_err());
        assert!(json::<u64>("9007199254740992.0").is_err());
        assert_eq!(json::<u64>("9007199254740991.0"), Ok(9_007_199_254_740_991));
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
}
