//! A query's or a form's value given to its parameter as the string it
//! is, the way serde_json's `Value::String` gives one: to an `Option` as
//! `Some`, to a newtype as its content (to serde_json's `RawValue` as
//! JSON text), to an enum as a unit variant's name, to anything else as a
//! string. Unlike `Value::String`, a refusal quotes only the start of it
//! (`refusal.rs`).

use serde::Deserializer;
use serde::de::value::StringDeserializer;
use serde::de::{Error as _, Visitor};
use serde_json::Value;

use crate::dispatch::refusal::Refusal;

pub(crate) struct Word(pub(crate) String);

impl<'de> Deserializer<'de> for Word {
    type Error = Refusal;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Refusal> {
        visitor.visit_string(self.0)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Refusal> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Refusal> {
        // serde_json's `RawValue` asks for its JSON text through a newtype
        // of a private name, which `Value` answers with the value written
        // as JSON: a word is given to it the same way.
        if name.starts_with("$serde_json::") {
            return Value::String(self.0)
                .deserialize_newtype_struct(name, visitor)
                .map_err(Refusal::custom);
        }
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Refusal> {
        visitor.visit_enum(StringDeserializer::new(self.0))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map struct
        identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::fmt::Debug;

    use serde::Deserialize;
    use serde::de::DeserializeOwned;

    use super::*;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Id(String);

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    enum Shape {
        Dot,
        Circle(f64),
        Box { side: f64 },
    }

    #[derive(Debug, Deserialize)]
    #[serde(untagged)]
    #[allow(dead_code)]
    enum Either {
        Number(i64),
        Text(String),
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Point {
        x: i64,
    }

    /// What `Word` gives, or the reason it refuses, is what
    /// `Value::String` gives, or its reason.
    fn same<T: DeserializeOwned + Debug>(text: &str) {
        let word = T::deserialize(Word(text.to_owned())).map_err(|e| e.to_string());
        let value = T::deserialize(Value::String(text.to_owned())).map_err(|e| e.to_string());
        assert_eq!(
            format!("{word:?}"),
            format!("{value:?}"),
            "{text:?} as {}",
            std::any::type_name::<T>()
        );
    }

    #[test]
    fn a_word_is_read_as_serde_json_reads_a_json_string() {
        for text in ["ann", "Dot", "Circle", "x", "", "é", "1", "true", "127.0.0.1"] {
            same::<String>(text);
            same::<Option<String>>(text);
            same::<Option<Option<String>>>(text);
            same::<Id>(text);
            same::<Shape>(text);
            same::<Either>(text);
            same::<Value>(text);
            same::<char>(text);
            same::<Box<str>>(text);
            same::<i64>(text);
            same::<f64>(text);
            same::<bool>(text);
            same::<()>(text);
            same::<Vec<i64>>(text);
            same::<(i64, i64)>(text);
            same::<BTreeMap<String, i64>>(text);
            same::<Point>(text);
            same::<Box<serde_json::value::RawValue>>(text);
            same::<Option<Box<serde_json::value::RawValue>>>(text);
            same::<std::net::IpAddr>(text);
            same::<std::path::PathBuf>(text);
            same::<Vec<String>>(text);
        }
    }
}
