//! Where a plain function's parameters come from: the request's arguments,
//! or its query string read where it lies.
//!
//! A plain function is one whose parameters are all values a client
//! sends, called at once: no state, no request, no extractor, no
//! `#[protected]`, no cookie, no stream, nothing async or blocking. Its
//! generated code reads each parameter from [`Arguments`]. Called as any
//! function is, through the request's [`Args`], with their check first;
//! called with no body, no hook, no prehandle and a query string whose
//! names are its own, each once, none encoded, from the query itself
//! ([`Arguments::from_query`]): the list of arguments, their check and the
//! request's record are not built. Anything else, and every failure,
//! takes the general path, which answers as it always does.

use compact_str::CompactString;

use crate::dispatch::args::{Args, Argument, MAX_NAME, invalid};
use crate::dispatch::body::split_at_byte;
use crate::dispatch::decode::{Arg, decode};
use crate::dispatch::json::JsonCodec;
use crate::errors::http_error::HttpError;

/// The most parameters a function read straight from its query may have.
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
        /// The parameters' names, in order.
        names: [&'static str; MAX_DIRECT],
        values: [Option<&'a str>; MAX_DIRECT],
        codec: Option<&'a dyn JsonCodec>,
    },
}

impl std::fmt::Debug for Arguments<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.from {
            From::Args(args) => f.debug_tuple("Arguments").field(args).finish(),
            From::Query { values, .. } => f.debug_tuple("Arguments").field(values).finish(),
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

    /// The query's values for `params` (each a name, and whether it has a
    /// default), when the general path would find
    /// nothing wrong with its names: each a parameter, none repeated (a
    /// repeat makes a list there), none reserved (`_callback`), none with
    /// anything to decode, and every parameter without a default given.
    /// `None` otherwise: the general path then reads and checks them.
    pub(crate) fn from_query(
        query: Option<&'a str>,
        params: impl ExactSizeIterator<Item = (&'static str, bool)> + Clone,
        codec: Option<&'a dyn JsonCodec>,
    ) -> Option<Self> {
        if params.len() > MAX_DIRECT {
            return None;
        }
        let mut names = [""; MAX_DIRECT];
        for (slot, (name, _)) in names.iter_mut().zip(params.clone()) {
            *slot = name;
        }
        let names_given = &names[..params.len()];
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
            let position = names_given.iter().position(|p| *p == name)?;
            if values[position].replace(value).is_some() {
                return None;
            }
        }
        let complete = params
            .zip(&values)
            .all(|((_, has_default), value)| has_default || value.is_some());
        complete.then_some(Arguments {
            from: From::Query { names, values, codec },
        })
    }

    /// The app's JSON codec, to read and write values with.
    pub fn codec(&self) -> Option<&dyn JsonCodec> {
        match &self.from {
            From::Args(args) => args.codec(),
            From::Query { codec, .. } => *codec,
        }
    }

    /// Removes the argument `name` as `T`; `Ok(None)` when it was not
    /// sent, or, with `unless_null`, sent as `null`.
    pub(crate) fn remove<T: Argument>(
        &mut self,
        name: &str,
        unless_null: bool,
    ) -> Result<Option<T>, HttpError> {
        let (names, values, codec) = match &mut self.from {
            From::Args(args) if unless_null => return args.remove_unless_null(name),
            From::Args(args) => return args.remove(name),
            From::Query { names, values, codec } => (names, values, codec),
        };
        // An unused name is empty, and no parameter's name is.
        let Some(text) = names
            .iter()
            .position(|p| *p == name)
            .and_then(|position| values[position].take())
        else {
            return Ok(None);
        };
        // As the general path reads a query's value: the same text.
        let arg = Arg::Text(CompactString::new(text));
        if unless_null && arg.is_null() {
            return Ok(None);
        }
        decode(arg, *codec)
            .map(Some)
            .map_err(|reason| invalid(name, &reason))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `x` without a default, `y` with one.
    fn straight(query: &str) -> Option<Arguments<'_>> {
        Arguments::from_query(Some(query), [("x", false), ("y", true)].into_iter(), None)
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
        let many: Vec<(&'static str, bool)> = ["a", "b", "c", "d", "e", "f", "g", "h", "i"]
            .into_iter()
            .map(|name| (name, true))
            .collect();
        assert!(Arguments::from_query(None, many.into_iter(), None).is_none());
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
