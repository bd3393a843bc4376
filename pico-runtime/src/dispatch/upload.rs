//! `Upload`: a file sent in a multipart form, and how a file part fills a
//! parameter of type `Upload`, `Vec<u8>`, `String` or `bytes::Bytes`.

use std::cell::Cell;

use bytes::Bytes;
use serde::de::value::{Error as DeError, SeqDeserializer, StrDeserializer, StringDeserializer};
use serde::de::{self, DeserializeSeed, Deserializer, IntoDeserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize, forward_to_deserialize_any};

/// A file from a `multipart/form-data` request.
///
/// ```
/// #[pico::api]
/// mod files {
///     /// Echoes an uploaded text file.
///     #[expose]
///     pub fn upload(upload: pico::Upload) -> String {
///         String::from_utf8_lossy(&upload.data).into_owned()
///     }
/// }
/// # fn main() {}
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Upload {
    /// The file name the client gave (may be empty).
    pub file_name: String,
    /// The part's `Content-Type`, `application/octet-stream` when absent.
    pub content_type: String,
    /// The file's contents.
    pub data: Bytes,
}

/// The name under which a file part hands itself over whole.
const HANDOFF_NAME: &str = "$pico::Upload";

thread_local! {
    /// A file part on its way from [`FileDeserializer`] to
    /// `Upload::deserialize`, on this thread, within one call: serde has no
    /// way to pass a `Bytes` through, and copying a large file to get it
    /// across is what this avoids.
    static HANDOFF: Cell<Option<Upload>> = const { Cell::new(None) };
}

/// An upload as other formats spell it (a JSON object, say). Its
/// expectation is what a client reads when it sends text for a file.
#[derive(Deserialize)]
#[serde(expecting = "an uploaded file (a file field of a multipart form)")]
struct UploadRepr {
    file_name: String,
    content_type: String,
    data: Bytes,
}

impl<'de> Deserialize<'de> for Upload {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct UploadVisitor;

        impl<'de> Visitor<'de> for UploadVisitor {
            type Value = Upload;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an uploaded file")
            }

            fn visit_newtype_struct<D: Deserializer<'de>>(self, inner: D) -> Result<Upload, D::Error> {
                if let Some(upload) = HANDOFF.with(Cell::take) {
                    return Ok(upload);
                }
                let fields = UploadRepr::deserialize(inner)?;
                Ok(Upload {
                    file_name: fields.file_name,
                    content_type: fields.content_type,
                    data: fields.data,
                })
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Upload, A::Error> {
                self.visit_newtype_struct(serde::de::value::MapAccessDeserializer::new(map))
            }
        }

        deserializer.deserialize_newtype_struct(HANDOFF_NAME, UploadVisitor)
    }
}

/// Deserialises one uploaded file into the parameter's type.
pub(crate) struct FileDeserializer(pub(crate) Upload);

impl<'de> Deserializer<'de> for FileDeserializer {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_byte_buf(Vec::from(self.0.data))
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match String::from_utf8(Vec::from(self.0.data)) {
            Ok(text) => visitor.visit_string(text),
            Err(_) => Err(de::Error::invalid_value(
                de::Unexpected::Other("a binary file"),
                &"a UTF-8 text file",
            )),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_seq(SeqDeserializer::new(self.0.data.into_iter()))
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_map(UploadFields {
            upload: Some(self.0),
            next: 0,
        })
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_map(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        if name != HANDOFF_NAME {
            return visitor.visit_newtype_struct(self);
        }
        HANDOFF.with(|slot| slot.set(Some(self.0)));
        let result = visitor.visit_newtype_struct(serde::de::value::UnitDeserializer::new());
        // Never leave a file behind for another call.
        HANDOFF.with(Cell::take);
        result
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_some(self)
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char bytes byte_buf
        unit unit_struct tuple tuple_struct enum identifier ignored_any
    }
}

const FIELDS: [&str; 3] = ["file_name", "content_type", "data"];

/// The fields of an [`Upload`], handed over without copying the data.
struct UploadFields {
    upload: Option<Upload>,
    next: usize,
}

impl<'de> MapAccess<'de> for UploadFields {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, DeError> {
        match FIELDS.get(self.next) {
            Some(field) => seed.deserialize(StrDeserializer::new(field)).map(Some),
            None => Ok(None),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        let field = self.next;
        self.next += 1;
        let upload = self
            .upload
            .as_mut()
            .ok_or_else(|| de::Error::custom("no upload"))?;
        match field {
            0 => seed.deserialize(StringDeserializer::new(std::mem::take(&mut upload.file_name))),
            1 => seed.deserialize(StringDeserializer::new(std::mem::take(&mut upload.content_type))),
            _ => {
                let data = std::mem::take(&mut upload.data);
                seed.deserialize(ByteBuf(Vec::from(data)))
            }
        }
    }
}

/// Hands over owned bytes as a byte buffer.
struct ByteBuf(Vec<u8>);

impl<'de> Deserializer<'de> for ByteBuf {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_byte_buf(self.0)
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map struct enum
        identifier ignored_any
    }
}

impl IntoDeserializer<'_, DeError> for FileDeserializer {
    type Deserializer = Self;

    fn into_deserializer(self) -> Self {
        self
    }
}
