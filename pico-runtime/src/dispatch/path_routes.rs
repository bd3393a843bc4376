//! The paths of `#[route(GET, "/links/{slug}")]`: second ways to reach
//! functions, their placeholders filling parameters. Matched after the
//! fixed paths (`/module/function` and Pico's own), so that those always
//! lead where they do without routes.
//!
//! A placeholder's value is its segment as sent, percent-decoded once: an
//! encoded `/` stays in the value, and a segment that decodes to `.` or
//! `..` matches nothing, so that a value is never a step up a tree.

use std::sync::Arc;

use compact_str::CompactString;
use http::Method;
use http::header::{ALLOW, HeaderValue};

use crate::dispatch::routes::{Entry, Route, Routes};
use crate::errors::build_error::BuildError;
use crate::errors::http_error::HttpError;

/// One path of routes, and the function behind each of its methods.
pub(crate) struct PathTemplate {
    /// The path as written, which is also the route's name in logs.
    pub(crate) name: Arc<str>,
    /// `(method, function index)`.
    methods: Vec<(&'static str, usize)>,
    /// Its methods as `Allow` and a CORS preflight list them.
    pub(crate) allow: HeaderValue,
}

impl PathTemplate {
    /// The function that answers `method` here: HEAD is GET's.
    pub(crate) fn function(&self, method: &Method) -> Result<usize, HttpError> {
        let method = if *method == Method::HEAD {
            "GET"
        } else {
            method.as_str()
        };
        self.methods
            .iter()
            .find(|(m, _)| *m == method)
            .map(|(_, index)| *index)
            .ok_or_else(|| HttpError::method_not_allowed().with_header(ALLOW, self.allow.clone()))
    }
}

/// The values of a matched path's placeholders, decoded.
pub(crate) type PathValues = Vec<(CompactString, CompactString)>;

/// Every route's path, matched by `matchit` (axum's own matcher).
#[derive(Default)]
pub(crate) struct PathRoutes {
    matcher: matchit::Router<usize>,
    templates: Vec<PathTemplate>,
}

impl PathRoutes {
    /// The routes of `functions`; a path and method two functions claim,
    /// two paths that overlap, or a path that is already a fixed one is
    /// the error, naming both.
    pub(crate) fn build(functions: &[Entry], fixed: &Routes, aliases: &[&str]) -> Result<Self, BuildError> {
        let mut table = PathRoutes::default();
        for (index, entry) in functions.iter().enumerate() {
            for route in entry.function.routes {
                let mine = format!("`{} {}` of `{}`", route.method, route.path, entry.qualified);
                if let Some(other) = fixed.get(route.path) {
                    let other = match other {
                        Route::Function(other) => format!("`{}`", functions[*other].qualified),
                        Route::Module(module, _) => {
                            format!("the definition of the module `{}`", aliases[*module])
                        }
                        _ => "Pico's own".to_owned(),
                    };
                    return Err(BuildError(format!(
                        "pico: the route {mine} is the path of {other}: give the route another path"
                    )));
                }
                let existing = table.templates.iter().position(|t| *t.name == *route.path);
                let template = match existing {
                    Some(position) => position,
                    None => {
                        let position = table.templates.len();
                        table.matcher.insert(route.path, position).map_err(|e| {
                            let with = match &e {
                                matchit::InsertError::Conflict { with } => table.owners(functions, with),
                                _ => e.to_string(),
                            };
                            BuildError(format!(
                                "pico: the route {mine} overlaps {with}: paths that differ only in their \
                                 placeholders' names are one path; use the same names, or other paths"
                            ))
                        })?;
                        table.templates.push(PathTemplate {
                            name: Arc::from(route.path),
                            methods: Vec::new(),
                            allow: HeaderValue::from_static(""),
                        });
                        position
                    }
                };
                let template = &mut table.templates[template];
                if let Some((_, other)) = template.methods.iter().find(|(m, _)| *m == route.method) {
                    return Err(BuildError(format!(
                        "pico: two functions claim `{} {}`: `{}` and `{}`; give one of them another path or method",
                        route.method, route.path, functions[*other].qualified, entry.qualified
                    )));
                }
                template.methods.push((route.method, index));
            }
        }
        for template in &mut table.templates {
            let mut allow: Vec<&str> = Vec::new();
            for (method, _) in &template.methods {
                allow.push(method);
                if *method == "GET" {
                    allow.push("HEAD");
                }
            }
            template.allow = HeaderValue::from_str(&allow.join(", ")).expect("methods are header text");
        }
        Ok(table)
    }

    /// Who holds the path `with`, for a clash's message.
    fn owners(&self, functions: &[Entry], with: &str) -> String {
        self.templates
            .iter()
            .find(|t| *t.name == *with)
            .map(|t| {
                let names: Vec<String> = t
                    .methods
                    .iter()
                    .map(|(method, index)| format!("`{method} {with}` of `{}`", functions[*index].qualified))
                    .collect();
                names.join(" and ")
            })
            .unwrap_or_else(|| format!("`{with}`"))
    }

    /// Whether there is any route at all: most apps have none, and skip
    /// the matcher.
    pub(crate) fn is_empty(&self) -> bool {
        self.templates.is_empty()
    }

    /// The template `path` matches, and its placeholders' values; a value
    /// that is not UTF-8 once decoded is a 400 naming its parameter.
    pub(crate) fn at(&self, path: &str) -> Option<(&PathTemplate, Result<PathValues, HttpError>)> {
        if self.is_empty() {
            return None;
        }
        let matched = self.matcher.at(path).ok()?;
        let mut values = PathValues::new();
        for (name, raw) in matched.params.iter() {
            let decoded = match percent_encoding::percent_decode_str(raw).decode_utf8() {
                Ok(decoded) => decoded,
                Err(_) => {
                    let error = HttpError::bad_request().with_message(format!(
                        "The path's value for `{name}` is not valid UTF-8 once percent-decoded."
                    ));
                    return Some((&self.templates[*matched.value], Err(error)));
                }
            };
            if decoded == "." || decoded == ".." {
                return None;
            }
            values.push((CompactString::from(name), CompactString::from(decoded)));
        }
        Some((&self.templates[*matched.value], Ok(values)))
    }
}
