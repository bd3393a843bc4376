//! The cookies a request sends, read from its `Cookie` header. Setting and
//! deleting them is `respond/cookies.rs`'s, whose encoding this decodes.

use percent_encoding::percent_decode_str;

/// The `name=value` pairs of a `Cookie` header. Values are
/// percent-decoded (Pico encodes them); names are taken as sent, byte for
/// byte, as browsers compare them: decoded, `session%5Fid` would shadow
/// `session_id`, and `__Host%2Dsid`, which any sibling subdomain may set,
/// would pass for the protected `__Host-sid`. A pair without a name, or
/// whose value does not decode to UTF-8, is skipped.
pub(crate) fn parse(header: &str) -> impl Iterator<Item = (String, String)> + '_ {
    header.split(';').filter_map(|pair| {
        let (name, value) = pair.trim().split_once('=')?;
        let name = name.trim();
        let value = percent_decode_str(value.trim()).decode_utf8().ok()?;
        (!name.is_empty()).then(|| (name.to_owned(), value.into_owned()))
    })
}
