//! A JSON body's object read into its parameters' slots, each value as
//! its text. The object most calls send, `{"who": "ann", "times": 3}`, is
//! read without setting up a JSON parser: a flat object whose values are
//! strings without escapes, numbers, `true`, `false` or `null`. Anything
//! else (an escape, a nested value) is read by serde_json, which also
//! says when it is no such object; so what is read flat is only ever what
//! serde_json would have read, slice for slice.

use serde::de::{DeserializeSeed, MapAccess, Visitor};
use serde_json::value::RawValue;

use crate::describe::param::{Param, position_of};

/// The text of each value of `body`, in the slot of its parameter, when
/// `body` is a JSON object whose keys are parameters, unescaped, each
/// once, none reserved (`_callback`); `None` otherwise. `values` has a
/// slot for each parameter.
pub(crate) fn read_object<'a>(
    body: &'a [u8],
    params: &[Param],
    values: &mut [Option<&'a str>],
) -> Option<()> {
    if flat_object(body, params, values).is_some() {
        return Some(());
    }
    values.fill(None);
    serde_object(body, params, values)
}

/// [`read_object`] for a flat object; `None` for anything else, `values`
/// then holding some of its values.
fn flat_object<'a>(body: &'a [u8], params: &[Param], values: &mut [Option<&'a str>]) -> Option<()> {
    let mut text = Cursor { body, at: 0 };
    text.skip_space();
    text.expect(b'{')?;
    text.skip_space();
    if text.peek() == Some(b'}') {
        text.at += 1;
    } else {
        loop {
            let key = text.string()?;
            let key = &key[1..key.len() - 1];
            if key.starts_with('_') {
                return None;
            }
            let position = position_of(params, key)?;
            text.skip_space();
            text.expect(b':')?;
            text.skip_space();
            if values.get_mut(position)?.replace(text.value()?).is_some() {
                return None;
            }
            text.skip_space();
            match text.next()? {
                b',' => text.skip_space(),
                b'}' => break,
                _ => return None,
            }
        }
    }
    text.skip_space();
    (text.at == body.len()).then_some(())
}

/// [`read_object`] by serde_json.
fn serde_object<'a>(body: &'a [u8], params: &[Param], values: &mut [Option<&'a str>]) -> Option<()> {
    let mut json = serde_json::Deserializer::from_slice(body);
    Slots { params, values }.deserialize(&mut json).ok()?;
    json.end().ok()
}

/// A JSON object read into the slots of its parameters: a key that is not
/// one of them, unescaped, once, is an error.
struct Slots<'n, 'a> {
    params: &'n [Param],
    values: &'n mut [Option<&'a str>],
}

impl<'a> DeserializeSeed<'a> for Slots<'_, 'a> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'a>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'a> Visitor<'a> for Slots<'_, 'a> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an object of the parameters' values")
    }

    fn visit_map<M: MapAccess<'a>>(self, mut map: M) -> Result<(), M::Error> {
        let other = || serde::de::Error::custom("reserved, not a parameter, or given again");
        while let Some(key) = map.next_key::<&'a str>()? {
            if key.starts_with('_') {
                return Err(other());
            }
            let position = position_of(self.params, key).ok_or_else(other)?;
            let value = map.next_value::<&'a RawValue>()?.get();
            let slot = self.values.get_mut(position).ok_or_else(other)?;
            if slot.replace(value).is_some() {
                return Err(other());
            }
        }
        Ok(())
    }
}

struct Cursor<'a> {
    body: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    fn peek(&self) -> Option<u8> {
        self.body.get(self.at).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let byte = self.peek()?;
        self.at += 1;
        Some(byte)
    }

    fn expect(&mut self, byte: u8) -> Option<()> {
        (self.next()? == byte).then_some(())
    }

    /// JSON's white space.
    fn skip_space(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.at += 1;
        }
    }

    /// The text from `start` to here, which holds only what was checked.
    fn since(&self, start: usize) -> Option<&'a str> {
        std::str::from_utf8(&self.body[start..self.at]).ok()
    }

    /// One value: its text, quotes included for a string.
    fn value(&mut self) -> Option<&'a str> {
        match self.peek()? {
            b'"' => self.string(),
            b'-' | b'0'..=b'9' => self.number(),
            b't' => self.word("true"),
            b'f' => self.word("false"),
            b'n' => self.word("null"),
            _ => None,
        }
    }

    /// A string without escapes, quotes included; its inside is UTF-8 and
    /// free of control characters, as JSON wants it.
    fn string(&mut self) -> Option<&'a str> {
        let start = self.at;
        self.expect(b'"')?;
        loop {
            match self.next()? {
                b'"' => return self.since(start),
                b'\\' | 0..0x20 => return None,
                _ => {}
            }
        }
    }

    /// A number as JSON writes one: `-`, an integer part without a leading
    /// zero, a fraction, an exponent.
    fn number(&mut self) -> Option<&'a str> {
        let start = self.at;
        if self.peek() == Some(b'-') {
            self.at += 1;
        }
        match self.next()? {
            b'0' => {}
            b'1'..=b'9' => self.digits(),
            _ => return None,
        }
        if self.peek() == Some(b'.') {
            self.at += 1;
            self.some_digits()?;
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.at += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.at += 1;
            }
            self.some_digits()?;
        }
        self.since(start)
    }

    fn digits(&mut self) {
        while let Some(b'0'..=b'9') = self.peek() {
            self.at += 1;
        }
    }

    fn some_digits(&mut self) -> Option<()> {
        let start = self.at;
        self.digits();
        (self.at > start).then_some(())
    }

    fn word(&mut self, word: &'static str) -> Option<&'a str> {
        let start = self.at;
        let end = start + word.len();
        if self.body.get(start..end)? != word.as_bytes() {
            return None;
        }
        self.at = end;
        self.since(start)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PARAMS: &[Param] = &[
        Param {
            name: "x",
            default: None,
            constraints: &[],
        },
        Param {
            name: "who",
            default: None,
            constraints: &[],
        },
        Param {
            name: "_y",
            default: None,
            constraints: &[],
        },
    ];

    /// What serde_json reads of `body`, as the path that reads anything
    /// else does.
    fn by_serde(body: &[u8]) -> Option<Vec<Option<String>>> {
        let mut values = [None; 3];
        serde_object(body, PARAMS, &mut values)?;
        Some(
            values[..PARAMS.len()]
                .iter()
                .map(|v| v.map(str::to_owned))
                .collect(),
        )
    }

    fn flat(body: &[u8]) -> Option<Vec<Option<String>>> {
        let mut values = [None; 3];
        flat_object(body, PARAMS, &mut values)?;
        Some(values.iter().map(|v| v.map(str::to_owned)).collect())
    }

    const KEYS: &[&str] = &[
        "\"x\"",
        "\"who\"",
        "\"_y\"",
        "\"z\"",
        "\"\\u0078\"",
        "x",
        "\"x",
        "\"\"",
    ];
    const VALUES: &[&str] = &[
        "0",
        "-0",
        "7",
        "-12",
        "01",
        "-",
        "1.",
        ".5",
        "1.5",
        "1e5",
        "1E+2",
        "2e-3",
        "1e",
        "1e+",
        "1.5e400",
        "true",
        "false",
        "null",
        "tru",
        "nulll",
        "\"\"",
        "\"ann\"",
        "\"a b\"",
        "\"é\"",
        "\"a\\\"b\"",
        "\"\\u00e9\"",
        "\"a\tb\"",
        "\"\u{1}\"",
        "[1]",
        "{}",
        "{\"x\":1}",
        "\"open",
        "+1",
        "NaN",
    ];
    const SPACES: &[&str] = &["", " ", "\n\t\r ", "\u{a0}"];

    /// Every object of one or two members built of the pieces above, with
    /// white space between every token, and some that are not objects: the
    /// scanner reads only what serde_json reads, and reads it the same.
    #[test]
    fn what_is_read_flat_is_what_serde_json_reads() {
        let mut bodies: Vec<Vec<u8>> = [
            "",
            " ",
            "{",
            "}",
            "{}",
            " { } ",
            "{} {}",
            "[]",
            "{,}",
            "{\"x\":1,}",
            "null",
        ]
        .iter()
        .map(|b| b.as_bytes().to_vec())
        .collect();
        for space in SPACES {
            for key in KEYS {
                for value in VALUES {
                    let member = format!("{key}{space}:{space}{value}");
                    bodies.push(format!("{space}{{{space}{member}{space}}}{space}").into_bytes());
                    bodies.push(format!("{{{member},\"who\":\"ann\"}}").into_bytes());
                    bodies.push(format!("{{\"who\":1{space},{space}{member}}}").into_bytes());
                }
            }
        }
        bodies.push(b"{\"who\":\"\xff\"}".to_vec());
        bodies.push(b"{\"x\":1}\xff".to_vec());
        let mut read_flat = 0;
        for body in &bodies {
            let (flat, by_serde) = (flat(body), by_serde(body));
            let shown = String::from_utf8_lossy(body);
            if flat.is_some() {
                read_flat += 1;
                assert_eq!(flat, by_serde, "{shown}");
            } else {
                // Refused only what needs serde_json: an escape, a nested
                // value, or what it refuses too.
                let nested = body.iter().filter(|&&b| b == b'{' || b == b'[').count() > 1;
                assert!(by_serde.is_none() || nested || body.contains(&b'\\'), "{shown}");
            }
        }
        assert!(read_flat > 150, "{read_flat}");
    }

    #[test]
    fn what_only_serde_json_reads_is_left_to_it() {
        for body in [r#"{"who":"a\"b"}"#, r#"{"x":[1]}"#, r#"{"x":{"y":1}}"#] {
            assert!(flat(body.as_bytes()).is_none(), "{body}");
            assert!(by_serde(body.as_bytes()).is_some(), "{body}");
        }
    }
}
