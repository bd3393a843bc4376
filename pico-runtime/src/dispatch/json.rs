//! `JsonCodec`: how arguments are read from JSON and results written to it,
//! for apps that need other than serde_json's defaults.

use serde_json::Value;

/// Replaces the JSON reading of arguments and the JSON writing of results
/// (Python pico's overridable `json_load` and `json_dump`).
///
/// Set one with [`App::json_codec`](crate::App::json_codec). Without one,
/// Pico deserialises each argument straight from the request and serialises
/// each result straight to bytes; with one, values pass through
/// `serde_json::Value` and these two methods.
///
/// ```
/// use serde_json::Value;
///
/// /// Writes results pretty-printed.
/// struct Pretty;
///
/// impl pico::JsonCodec for Pretty {
///     fn dump(&self, value: &Value) -> Vec<u8> {
///         serde_json::to_vec_pretty(value).unwrap_or_default()
///     }
/// }
/// ```
pub trait JsonCodec: Send + Sync + 'static {
    /// Reads a JSON text: a JSON body's value, or a query or form value
    /// (which is taken as a plain string when this fails).
    ///
    /// # Errors
    /// When `text` is not JSON; the message is for the client.
    fn load(&self, text: &str) -> Result<Value, String> {
        serde_json::from_str(text).map_err(|e| e.to_string())
    }

    /// Writes a result.
    fn dump(&self, value: &Value) -> Vec<u8> {
        serde_json::to_vec(value).unwrap_or_default()
    }
}
