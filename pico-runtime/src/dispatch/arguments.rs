//! Where a plain function's parameters come from: the request's arguments,
//! or its query string or JSON body read where they lie.
//!
//! A plain function is one whose parameters are all values a client
//! sends, called at once: no state, no request, no extractor, no
//! `#[protected]`, no cookie, no stream, nothing async or blocking. Its
//! generated code reads each parameter from [`Arguments`]. Called as any
//! function is, through the request's [`Args`], with their check first;
//! called with no hook and no prehandle, with a query string whose names
//! are its own, each once, none encoded, and no body
//! ([`Arguments::from_query`]), or with a JSON object of its own names
//! and nothing in the query ([`Arguments::from_json`]), from those
//! themselves: the list of arguments, their check and the request's record
//! are not built. Anything else, and every failure, takes the general
//! path, which answers as it always does.

use bytes::Bytes;
use compact_str::CompactString;

use crate::describe::param::{Param, position_of};
use crate::dispatch::args::{Args, Argument, MAX_NAME, invalid};
use crate::dispatch::body::split_at_byte;
use crate::dispatch::decode::{Arg, RawJson, decode};
use crate::dispatch::json::JsonCodec;
use crate::dispatch::json_object::read_object;
use crate::dispatch::plain_value::{plain_integer, plain_json, plain_word};
use crate::errors::http_error::HttpError;

/// The most parameters a function called straight may have.
const MAX_DIRECT: usize = 8;

/// A plain function's parameters, as its generated code reads them.
pub struct Arguments<'a> {
    from: From<'a>,
}

// Large, and on the stack for one call only: boxed, it would be the
// allocation the straight path spares.
#[allow(clippy::large_enum_variant)]
enum From<'a> {
    /// The request's arguments, already checked.
    Args(&'a mut Args),
    /// The query string's values, by the position of their parameter.
    Query {
        /// The parameters, in order.
        params: &'a [Param],
        values: [Option<&'a str>; MAX_DIRECT],
        codec: Option<&'a dyn JsonCodec>,
    },
    /// A JSON body's values, by the position of their parameter: the
    /// text of each, a slice of the body.
    Json {
        params: &'a [Param],
        values: [Option<&'a str>; MAX_DIRECT],
        body: &'a Bytes,
        codec: Option<&'a dyn JsonCodec>,
    },
}

impl std::fmt::Debug for Arguments<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.from {
            From::Args(args) => f.debug_tuple("Arguments").field(args).finish(),
            From::Query { values, .. } => f.debug_tuple("Arguments").field(values).finish(),
            From::Json { values, .. } => f.debug_tuple("Arguments").field(values).finish(),
        }
    }
}

impl<'a> Arguments<'a> {
    /// The request's arguments, once checked.
    pub(crate) fn of(args: &'a mut Args) -> Self {
        Arguments {
            from: From::Args(args),
        }
    }

    /// The query's values for `params`, when the general path would find
    /// nothing wrong with its names: each a parameter, none repeated (a
    /// repeat makes a list there), none reserved (`_callback`), none with
    /// anything to decode, and every parameter without a default given.
    /// `None` otherwise: the general path then reads and checks them.
    pub(crate) fn from_query(
        query: Option<&'a str>,
        params: &'a [Param],
        codec: Option<&'a dyn JsonCodec>,
    ) -> Option<Self> {
        if params.len() > MAX_DIRECT {
            return None;
        }
        let mut values = [None; MAX_DIRECT];
        let query = query.unwrap_or("");
        if query.bytes().any(|b| b == b'%' || b == b'+') {
            return None;
        }
        let mut rest = query;
        while !rest.is_empty() {
            let (pair, tail) = split_at_byte(rest, b'&');
            rest = tail;
            if pair.is_empty() {
                continue;
            }
            let (name, value) = split_at_byte(pair, b'=');
            if name.starts_with('_') || name.len() > MAX_NAME {
                return None;
            }
            let position = position_of(params, name)?;
            if values[position].replace(value).is_some() {
                return None;
            }
        }
        complete(params, &values).then_some(Arguments {
            from: From::Query {
                params,
                values,
                codec,
            },
        })
    }

    /// A JSON body's values for `params`, when the general path would
    /// find nothing wrong with its names: an object whose keys are
    /// parameters, each once, none escaped (nor, then, reserved), with
    /// nothing after it, and every parameter without a default given.
    /// `None` otherwise, and for anything that is not such an object: the
    /// general path then reads and checks it, and says what is wrong.
    pub(crate) fn from_json(
        body: &'a Bytes,
        params: &'a [Param],
        codec: Option<&'a dyn JsonCodec>,
    ) -> Option<Self> {
        if params.len() > MAX_DIRECT {
            return None;
        }
        let mut values = [None; MAX_DIRECT];
        read_object(body, params, &mut values)?;
        complete(params, &values).then_some(Arguments {
            from: From::Json {
                params,
                values,
                body,
                codec,
            },
        })
    }

    /// The app's JSON codec, to read and write values with.
    pub fn codec(&self) -> Option<&dyn JsonCodec> {
        match &self.from {
            From::Args(args) => args.codec(),
            From::Query { codec, .. } | From::Json { codec, .. } => *codec,
        }
    }

    /// Removes the argument `name` as `T`; `Ok(None)` when it was not
    /// sent, or, with `unless_null`, sent as `null`.
    // With `decode`, inlined into the thunk: left to itself the compiler
    // made it a call, 100 instructions a request on the query.
    #[inline]
    pub(crate) fn remove<T: Argument>(
        &mut self,
        name: &str,
        unless_null: bool,
    ) -> Result<Option<T>, HttpError> {
        let (arg, codec) = match &mut self.from {
            From::Args(args) if unless_null => return args.remove_unless_null(name),
            From::Args(args) => return args.remove(name),
            // As the general path reads a query's value: the same text.
            From::Query {
                params,
                values,
                codec,
            } => {
                let text = take(params, values, name);
                if let (Some(text), None) = (text, &codec)
                    && let Some(value) = plain_integer(text.as_bytes()).or_else(|| plain_word(text))
                {
                    return Ok(Some(value));
                }
                (text.map(|text| Arg::Text(CompactString::new(text))), *codec)
            }
            // And a JSON body's: a slice of the body.
            From::Json {
                params,
                values,
                body,
                codec,
            } => {
                let raw = take(params, values, name);
                if let (Some(raw), None) = (raw, &codec)
                    && let Some(value) = plain_json(raw)
                {
                    return Ok(Some(value));
                }
                (
                    raw.map(|raw| Arg::Json(RawJson(body.slice_ref(raw.as_bytes())))),
                    *codec,
                )
            }
        };
        let Some(arg) = arg else {
            return Ok(None);
        };
        if unless_null && arg.is_null() {
            return Ok(None);
        }
        decode(arg, codec)
            .map(Some)
            .map_err(|reason| invalid(name, &reason))
    }
}

/// Whether every parameter without a default has a value.
fn complete<T>(params: &[Param], values: &[Option<T>; MAX_DIRECT]) -> bool {
    params
        .iter()
        .zip(values)
        .all(|(param, value)| param.default.is_some() || value.is_some())
}

/// Takes the value of the parameter `name`.
fn take<T>(params: &[Param], values: &mut [Option<T>; MAX_DIRECT], name: &str) -> Option<T> {
    values[position_of(params, name)?].take()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn null() -> serde_json::Value {
        serde_json::Value::Null
    }

    fn param(name: &'static str, default: Option<fn() -> serde_json::Value>) -> Param {
        Param {
            name,
            default,
            constraints: &[],
        }
    }

    /// `x` without a default, `y` with one.
    const PARAMS: &[Param] = &[
        Param {
            name: "x",
            default: None,
            constraints: &[],
        },
        Param {
            name: "y",
            default: Some(null),
            constraints: &[],
        },
    ];

    fn straight(query: &str) -> Option<Arguments<'_>> {
        Arguments::from_query(Some(query), PARAMS, None)
    }

    #[test]
    fn names_the_general_path_takes_as_they_are_go_straight() {
        for query in ["x=1", "x=1&y=2", "y=2&x=1", "&x=1&&y=&", "x", "x=a=b"] {
            assert!(straight(query).is_some(), "{query}");
        }
    }

    #[test]
    fn anything_the_general_path_reads_otherwise_does_not() {
        for query in [
            "",
            "y=2",
            "x=1&x=2",
            "x=1&z=3",
            "x=1&_callback=f",
            "x=%31",
            "x=1+1",
            "=1&x=1",
        ] {
            assert!(straight(query).is_none(), "{query}");
        }
        let many: Vec<Param> = ["a", "b", "c", "d", "e", "f", "g", "h", "i"]
            .into_iter()
            .map(|name| param(name, Some(null)))
            .collect();
        assert!(Arguments::from_query(None, &many, None).is_none());
    }

    /// The same parameters, from a JSON body.
    fn from_json(body: &Bytes) -> Option<Arguments<'_>> {
        Arguments::from_json(body, PARAMS, None)
    }

    #[test]
    fn a_json_object_of_the_parameters_goes_straight() {
        for body in [
            r#"{"x":1}"#,
            r#" { "y" : [2] , "x" : "a" } "#,
            r#"{"x":{"y":1,"y":2}}"#,
        ] {
            assert!(from_json(&Bytes::from(body)).is_some(), "{body}");
        }
        for body in [
            "",
            "  ",
            "[1]",
            r#"{"y":2}"#,
            r#"{"x":1,"x":2}"#,
            r#"{"x":1,"z":3}"#,
            r#"{"x":1,"_callback":"f"}"#,
            r#"{"\u0078":1}"#,
            r#"{"x":1} {}"#,
            r#"{"x":1"#,
        ] {
            assert!(from_json(&Bytes::from(body)).is_none(), "{body}");
        }
    }

    #[test]
    fn json_values_are_read_as_the_general_path_reads_them() {
        let body = Bytes::from(r#"{"x": "six", "y": null}"#);
        let mut arguments = from_json(&body).unwrap();
        assert_eq!(
            arguments.remove::<String>("x", false).unwrap().as_deref(),
            Some("six")
        );
        assert_eq!(
            arguments.remove::<i64>("y", true).unwrap(),
            None,
            "null is not sent"
        );
        let body = Bytes::from(r#"{"x": "6"}"#);
        assert_eq!(
            from_json(&body)
                .unwrap()
                .remove::<i64>("x", false)
                .unwrap_err()
                .message(),
            "Invalid value for parameter `x`: invalid type: string \"6\", expected i64."
        );
    }

    #[test]
    fn values_are_read_as_the_general_path_reads_them() {
        let mut arguments = straight("x=6&y=null").unwrap();
        assert_eq!(arguments.remove::<i64>("x", false).unwrap(), Some(6));
        assert_eq!(arguments.remove::<i64>("x", false).unwrap(), None, "taken");
        assert_eq!(
            arguments.remove::<i64>("y", true).unwrap(),
            None,
            "null is not sent"
        );
        let mut arguments = straight("x=a=b").unwrap();
        assert_eq!(
            arguments.remove::<String>("x", false).unwrap().as_deref(),
            Some("a=b")
        );
        let mut arguments = straight("x=a").unwrap();
        assert_eq!(
            arguments.remove::<i64>("x", false).unwrap_err().message(),
            "Invalid value for parameter `x`: invalid type: string \"a\", expected i64."
        );
    }
}
