//! Reading `#[route(GET, "/links/{slug}")]`: a second path to an exposed
//! function, whose `{placeholders}` fill parameters of the same names.
//! The path's own form is judged here; whether each placeholder names a
//! parameter is for `check`, once the function is read whole.

use syn::parse::{Parse, ParseStream};
use syn::{Attribute, Ident, LitStr, Meta, Token};

/// The methods a route may answer: HEAD comes with GET.
const METHODS: &[&str] = &["GET", "POST", "PUT", "PATCH", "DELETE"];

const USAGE: &str = "`#[route(...)]` takes a method and a path whose `{placeholders}` name parameters, \
                     such as `#[route(GET, \"/links/{slug}\")]`; the methods are GET, POST, PUT, PATCH and DELETE";

/// One `#[route(...)]`.
pub(crate) struct Route {
    pub(crate) method: Ident,
    pub(crate) path: LitStr,
    /// The names in `{...}`, in order.
    pub(crate) placeholders: Vec<String>,
}

struct Args {
    method: Ident,
    path: LitStr,
}

impl Parse for Args {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let method = input.parse()?;
        input.parse::<Token![,]>()?;
        let path = input.parse()?;
        let _ = input.parse::<Option<Token![,]>>()?;
        Ok(Args { method, path })
    }
}

pub(crate) fn read(attr: &Attribute) -> syn::Result<Route> {
    let Meta::List(list) = &attr.meta else {
        return Err(syn::Error::new_spanned(&attr.meta, USAGE));
    };
    let Args { method, path } = list.parse_args().map_err(|e| syn::Error::new(e.span(), USAGE))?;
    if !METHODS.contains(&method.to_string().as_str()) {
        return Err(syn::Error::new(method.span(), USAGE));
    }
    let placeholders = placeholders(&path.value()).map_err(|why| syn::Error::new(path.span(), why))?;
    Ok(Route {
        method,
        path,
        placeholders,
    })
}

/// The placeholders of a path, or what is wrong with it. A segment is
/// text or one whole `{name}`, so that each placeholder is a segment a
/// client can percent-encode whole.
fn placeholders(path: &str) -> Result<Vec<String>, String> {
    let Some(rest) = path.strip_prefix('/') else {
        return Err(format!("a route's path starts with `/`: write \"/{path}\""));
    };
    if rest.is_empty() {
        return Err("a route's path cannot be `/`, where the app's definition is".to_owned());
    }
    let mut names: Vec<String> = Vec::new();
    for segment in rest.split('/') {
        if segment.is_empty() {
            return Err(format!(
                "`{path}` has an empty segment: write it without `//` or a `/` at its end"
            ));
        }
        if let Some(name) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            if syn::parse_str::<Ident>(name).is_err() {
                return Err(format!(
                    "`{{{name}}}` is not a parameter's name: a placeholder is a whole segment such as `{{slug}}`"
                ));
            }
            if names.iter().any(|n| n == name) {
                return Err(format!(
                    "`{{{name}}}` is in the path twice: a parameter takes one value"
                ));
            }
            names.push(name.to_owned());
        } else if segment == "." || segment == ".." {
            return Err(format!(
                "`{segment}` cannot be a segment of a route: clients resolve it away before sending"
            ));
        } else if let Some(bad) = segment.chars().find(|c| !is_path_char(*c)) {
            return Err(format!(
                "`{bad}` cannot be written in a route's text: a placeholder is a whole segment such as \
                 `{{slug}}`, and other characters are letters, digits and `-._~!$&'()*+,;=:@`"
            ));
        }
    }
    Ok(names)
}

/// A character a path segment holds as it is (RFC 3986's `pchar` without
/// its escapes).
fn is_path_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-._~!$&'()*+,;=:@".contains(c)
}

#[cfg(test)]
mod tests {
    use super::placeholders;

    #[test]
    fn paths_and_their_placeholders() {
        assert_eq!(placeholders("/go/{slug}").unwrap(), ["slug"]);
        assert_eq!(placeholders("/a/{x}/b/{y}").unwrap(), ["x", "y"]);
        assert!(placeholders("/health").unwrap().is_empty());
        for wrong in [
            "go/{slug}",
            "/",
            "/a//b",
            "/a/",
            "/a/{x}/{x}",
            "/a/x{y}",
            "/a/{1}",
            "/a/..",
            "/a b",
        ] {
            assert!(placeholders(wrong).is_err(), "{wrong}");
        }
    }
}
