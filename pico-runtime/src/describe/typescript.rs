//! `/module.d.ts`: TypeScript declarations of a module's pico.js proxy
//! (arguments, results and errors), made once at start-up from the same
//! schemas as `/openapi.json`.

use std::fmt::Write as _;

use serde_json::{Map, Value};

use crate::describe::definition::Module;
use crate::describe::schema::{Description, Generators, SuccessSchema};
use crate::describe::statuses::{Status, error_statuses};

/// The types every module's declarations share: the proxy's shapes.
const PRELUDE: &str = r#"/** The error a call rejects with: an `Error` with the standard body's members. */
export interface PicoError<Code extends number = number> extends Error {
  code: Code;
  name: string;
  message: string;
  request_id?: string;
  sentry_id?: string;
  [member: string]: unknown;
}

/** A function of the proxy: positional arguments (left out, a default), or one object, or a form. */
export interface PicoFunction<Args extends unknown[], Body, Result> {
  (...args: Args): Promise<Result>;
  submitJSON(object: Body): Promise<Result>;
  submitFormData(form: FormData): Promise<Result>;
}

/** What a `#[stream]` function gives: each item, then its end (`then`) or its error (`catch`). */
export interface PicoStream<Item> {
  each(fn: (item: Item) => void): PicoStream<Item>;
  then<A = void, B = never>(
    onEnd?: ((value: void) => A | PromiseLike<A>) | null,
    onError?: ((error: PicoError) => B | PromiseLike<B>) | null,
  ): Promise<A | B>;
  catch<B = never>(onError?: ((error: PicoError) => B | PromiseLike<B>) | null): Promise<void | B>;
  close(): PicoStream<Item>;
}

/** A function's `#[route(...)]`s: their URLs, and calls through them. */
export interface PicoRoutes<Body, Result> {
  routes: { method: string; url: string }[];
  /** The URL of a route (the first, or `routes[index]`), the rest of `args` in its query. */
  href(args: Body, index?: number): string;
  /** Calls the function through a route: its method, its path, the rest of `args` in the query or a JSON body. */
  viaRoute(args: Body, index?: number): Promise<Result>;
}
"#;

/// The declarations of the module registered as `alias`.
pub(crate) fn declarations(alias: &str, module: &Module) -> String {
    let mut generators = Generators::new();
    let mut described: Vec<_> = module
        .functions
        .iter()
        .map(|f| f.describe.map(|describe| describe(&mut generators)))
        .collect();
    let (definitions, renames) = generators.definitions();
    for description in described.iter_mut().flatten() {
        if let SuccessSchema::Json(Some(schema)) | SuccessSchema::Events(Some(schema)) =
            &mut description.result
        {
            renames.apply_to_schema(schema);
        }
    }
    let mut out = format!(
        "// TypeScript declarations of the Pico module `{alias}`, for its pico.js proxy:\n\
         //   const {name} = pico.importModule(\"{alias}\") as import(\"./{file}\").Module;\n\
         // Made by the server from the same schemas as /openapi.json.\n\n{PRELUDE}",
        name = identifier(alias.rsplit('.').next().unwrap_or(alias)),
        file = alias.rsplit('.').next().unwrap_or(alias),
    );
    for (name, schema) in &definitions {
        out.push('\n');
        doc_comment(&mut out, schema.get("description").and_then(Value::as_str), "");
        let _ = writeln!(out, "export type {} = {};", type_name(name), ts(schema, ""));
    }
    out.push('\n');
    doc_comment(&mut out, module.doc, "");
    out.push_str("export interface Module {\n");
    let mut errors =
        String::from("\n/** The error each function's promise rejects with. */\nexport interface Errors {\n");
    for (function, description) in module.functions.iter().zip(&described) {
        let schema_of = |i: usize| {
            description
                .as_ref()
                .and_then(|d| d.params.get(i))
                .and_then(Option::as_ref)
                .map_or_else(|| "unknown".to_owned(), |s| ts(s.as_value(), "  "))
        };
        // A left-out argument takes its default; one before a required
        // argument is passed as `undefined`.
        let last_required = function.params.iter().rposition(|p| p.default.is_none());
        let args: Vec<String> = function
            .params
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let ty = schema_of(i);
                match (p.default.is_some(), last_required) {
                    (false, _) => format!("{}: {ty}", identifier(p.name)),
                    (true, Some(last)) if i < last => format!("{}: {ty} | undefined", identifier(p.name)),
                    (true, _) => format!("{}?: {ty}", identifier(p.name)),
                }
            })
            .collect();
        let body: Vec<String> = function
            .params
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let optional = if p.default.is_some() { "?" } else { "" };
                format!("{}{optional}: {}", property(p.name), schema_of(i))
            })
            .collect();
        let result = match description.as_ref().map(|d| &d.result) {
            Some(SuccessSchema::Json(Some(schema))) => ts(schema.as_value(), "  "),
            Some(SuccessSchema::Events(Some(schema))) => ts(schema.as_value(), "  "),
            _ => "unknown".to_owned(),
        };
        let rules: Vec<String> = function
            .params
            .iter()
            .filter(|p| !p.constraints.is_empty())
            .map(|p| {
                let said: Vec<String> = p.constraints.iter().map(|c| c.summary()).collect();
                format!("@param {} {}", identifier(p.name), said.join("; "))
            })
            .collect();
        let mut wide: Vec<String> = function
            .params
            .iter()
            .enumerate()
            .filter(|&(i, _)| {
                description
                    .as_ref()
                    .and_then(|d| d.params.get(i))
                    .and_then(Option::as_ref)
                    .is_some_and(|s| is_wide_integer(s.as_value()))
            })
            .map(|(_, p)| format!("`{}`", identifier(p.name)))
            .collect();
        if let Some(SuccessSchema::Json(Some(schema)) | SuccessSchema::Events(Some(schema))) =
            description.as_ref().map(|d| &d.result)
            && is_wide_integer(schema.as_value())
        {
            wide.push("the result".to_owned());
        }
        let wide = match wide.as_slice() {
            [] => String::new(),
            [one] => format!("{one} {WIDE}"),
            [init @ .., last] => format!("{} and {last} {WIDE}", init.join(", ")),
        };
        let doc = [
            function.doc.unwrap_or("").trim().to_owned(),
            rules.join("\n"),
            wide,
        ]
        .into_iter()
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join("\n");
        doc_comment(&mut out, Some(&doc), "  ");
        let member = property(function.name);
        if function.stream {
            let _ = writeln!(
                out,
                "  {member}(...args: [{}]): PicoStream<{result}>;",
                args.join(", ")
            );
        } else {
            let body = if body.is_empty() {
                "Record<string, never>".to_owned()
            } else {
                format!("{{ {} }}", body.join("; "))
            };
            let routes = if function.routes.is_empty() {
                String::new()
            } else {
                format!(" & PicoRoutes<{body}, {result}>")
            };
            let _ = writeln!(
                out,
                "  {member}: PicoFunction<[{}], {body}, {result}>{routes};",
                args.join(", ")
            );
        }
        let codes = error_codes(function, module, description.as_ref());
        let _ = writeln!(errors, "  {member}: PicoError<{codes}>;");
    }
    out.push_str("}\n");
    out.push_str(&errors);
    out.push_str("}\n");
    out
}

/// The statuses a call may reject with, as a TypeScript type: a call may
/// send a body, unless the function answers GET only.
fn error_codes(
    function: &crate::describe::definition::Function,
    module: &Module,
    description: Option<&Description>,
) -> String {
    let mut codes: Vec<u16> = Vec::new();
    for status in error_statuses(function, module, description, function.method != Some("GET")) {
        match status {
            Status::Code(code, _) => codes.push(code),
            Status::Range(_) => return "number".to_owned(),
        }
    }
    codes.sort_unstable();
    codes.dedup();
    codes.iter().map(u16::to_string).collect::<Vec<_>>().join(" | ")
}

/// A JSON Schema as a TypeScript type; `indent` is that of the line it
/// starts on.
fn ts(schema: &Value, indent: &str) -> String {
    let object = match schema {
        Value::Bool(true) => return "unknown".to_owned(),
        Value::Bool(false) => return "never".to_owned(),
        Value::Object(object) => object,
        _ => return "unknown".to_owned(),
    };
    if let Some(reference) = object.get("$ref").and_then(Value::as_str) {
        return reference
            .rsplit('/')
            .next()
            .map_or_else(|| "unknown".to_owned(), type_name);
    }
    if let Some(value) = object.get("const") {
        return literal(value);
    }
    if let Some(values) = object.get("enum").and_then(Value::as_array) {
        return union(values.iter().map(literal).collect());
    }
    for (keyword, join) in [("anyOf", " | "), ("oneOf", " | "), ("allOf", " & ")] {
        if let Some(parts) = object.get(keyword).and_then(Value::as_array) {
            let parts: Vec<String> = parts.iter().map(|p| format!("({})", ts(p, indent))).collect();
            let combined = parts.join(join);
            // Members beside the combination (a flattened enum's siblings)
            // hold too.
            let mut rest = object.clone();
            rest.remove(keyword);
            rest.remove("description");
            if rest.contains_key("type") || rest.contains_key("properties") {
                return format!("({}) & ({combined})", ts(&Value::Object(rest), indent));
            }
            return combined;
        }
    }
    match object.get("type") {
        Some(Value::String(kind)) => of_type(kind, object, indent),
        Some(Value::Array(kinds)) => union(
            kinds
                .iter()
                .filter_map(Value::as_str)
                .map(|kind| of_type(kind, object, indent))
                .collect(),
        ),
        _ => "unknown".to_owned(),
    }
}

fn of_type(kind: &str, object: &Map<String, Value>, indent: &str) -> String {
    match kind {
        "string" if object.get("format").and_then(Value::as_str) == Some("binary") => "Blob".to_owned(),
        "string" => "string".to_owned(),
        "integer" | "number" => "number".to_owned(),
        "boolean" => "boolean".to_owned(),
        "null" => "null".to_owned(),
        "array" => {
            if let Some(items) = object.get("prefixItems").and_then(Value::as_array) {
                let items: Vec<String> = items.iter().map(|i| ts(i, indent)).collect();
                return format!("[{}]", items.join(", "));
            }
            match object.get("items") {
                Some(items) => format!("Array<{}>", ts(items, indent)),
                None => "unknown[]".to_owned(),
            }
        }
        "object" => object_type(object, indent),
        _ => "unknown".to_owned(),
    }
}

fn object_type(object: &Map<String, Value>, indent: &str) -> String {
    let inner = format!("{indent}  ");
    let required: Vec<&str> = object
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let mut members = String::new();
    if let Some(properties) = object.get("properties").and_then(Value::as_object) {
        for (name, schema) in properties {
            let description = schema.get("description").and_then(Value::as_str);
            // The note on a line of its own, after what the member says.
            let wide = is_wide_integer(schema).then(|| {
                let note = format!("May {}", WIDE.trim_start_matches("may "));
                description.map_or_else(|| note.clone(), |said| format!("{said}\n{note}"))
            });
            doc_comment(&mut members, wide.as_deref().or(description), &inner);
            let optional = if required.contains(&name.as_str()) {
                ""
            } else {
                "?"
            };
            let _ = writeln!(
                members,
                "{inner}{}{optional}: {};",
                property(name),
                ts(schema, &inner)
            );
        }
    }
    match object.get("additionalProperties") {
        Some(Value::Bool(false)) => {}
        // Beside named members, an index signature would have to admit
        // their types too: an intersection says both.
        Some(extra @ Value::Object(_)) if !members.is_empty() => {
            return format!(
                "{{\n{members}{indent}}} & {{ [key: string]: {} }}",
                ts(extra, &inner)
            );
        }
        Some(extra @ Value::Object(_)) => {
            let _ = writeln!(members, "{inner}[key: string]: {};", ts(extra, &inner));
        }
        // Unknown members may come, of any type.
        _ if members.is_empty() => {
            let _ = writeln!(members, "{inner}[key: string]: unknown;");
        }
        _ => {}
    }
    format!("{{\n{members}{indent}}}")
}

/// What a declaration says of an integer that JavaScript cannot hold
/// exactly: the type stays `number`, as `JSON.parse` makes it.
const WIDE: &str = "may exceed 2^53, beyond which a JavaScript number is rounded \
                    (to keep every digit, send such a value as a string: see the guide, \"Integers wider than 53 bits\").";

/// The largest integer a JavaScript number holds exactly.
const MAX_EXACT: f64 = 9_007_199_254_740_991.0;

/// Whether `schema` admits integers a JavaScript number rounds: its bounds
/// say so, or, without bounds, its format is a 64- or 128-bit one. An
/// optional one (`anyOf` with null) counts too, and so do a list's items,
/// a tuple's and a map's values; an object's members get notes of their
/// own.
fn is_wide_integer(schema: &Value) -> bool {
    let Some(object) = schema.as_object() else {
        return false;
    };
    let mut within = ["anyOf", "oneOf", "prefixItems"]
        .iter()
        .filter_map(|k| object.get(*k).and_then(Value::as_array))
        .flatten()
        .chain(
            ["items", "additionalProperties"]
                .iter()
                .filter_map(|k| object.get(*k)),
        );
    if within.any(is_wide_integer) {
        return true;
    }
    let integer = match object.get("type") {
        Some(Value::String(kind)) => kind == "integer",
        Some(Value::Array(kinds)) => kinds.iter().any(|k| k == "integer"),
        _ => false,
    };
    if !integer {
        return false;
    }
    let bound = |key| object.get(key).and_then(Value::as_f64);
    let (minimum, maximum) = (bound("minimum"), bound("maximum"));
    let beyond = minimum.is_some_and(|m| m < -MAX_EXACT) || maximum.is_some_and(|m| m > MAX_EXACT);
    let wide_format = matches!(
        object.get("format").and_then(Value::as_str),
        Some("int64" | "uint64" | "int128" | "uint128" | "int" | "uint")
    );
    beyond || ((minimum.is_none() || maximum.is_none()) && wide_format)
}

fn union(parts: Vec<String>) -> String {
    if parts.is_empty() {
        return "never".to_owned();
    }
    parts.join(" | ")
}

fn literal(value: &Value) -> String {
    match value {
        Value::String(_) | Value::Number(_) | Value::Bool(_) | Value::Null => value.to_string(),
        _ => "unknown".to_owned(),
    }
}

/// A name usable as a TypeScript identifier: other characters become `_`.
fn identifier(name: &str) -> String {
    let mut out: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '$' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    out
}

/// The declarations' own names, and the globals they use: a user's type
/// of one of these names gets a `_` after it.
const TAKEN: &[&str] = &[
    "Module",
    "Errors",
    "PicoError",
    "PicoFunction",
    "PicoStream",
    "Record",
    "Error",
    "Blob",
    "Array",
    "Promise",
    "PromiseLike",
    "FormData",
];

/// A named schema's type name.
fn type_name(name: &str) -> String {
    let mut name = identifier(name);
    if TAKEN.contains(&name.as_str()) {
        name.push('_');
    }
    name
}

/// A member name: as it is where it is an identifier, quoted otherwise.
fn property(name: &str) -> String {
    if identifier(name) == name {
        name.to_owned()
    } else {
        Value::String(name.to_owned()).to_string()
    }
}

/// `/** text */` above a declaration; `*/` in the text cannot end it.
fn doc_comment(out: &mut String, text: Option<&str>, indent: &str) {
    let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return;
    };
    let text = text.replace("*/", "*\u{2215}");
    if text.contains('\n') {
        let _ = writeln!(out, "{indent}/**");
        for line in text.lines() {
            let _ = writeln!(out, "{indent} * {line}");
        }
        let _ = writeln!(out, "{indent} */");
    } else {
        let _ = writeln!(out, "{indent}/** {text} */");
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn schemas_become_types() {
        assert_eq!(ts(&json!({"type": ["string", "null"]}), ""), "string | null");
        assert_eq!(ts(&json!({"enum": ["a", 1]}), ""), "\"a\" | 1");
        assert_eq!(
            ts(&json!({"$ref": "#/components/schemas/My.Type"}), ""),
            "My_Type"
        );
        assert_eq!(
            ts(
                &json!({"type": "array", "prefixItems": [{"type": "integer"}, {"type": "boolean"}]}),
                ""
            ),
            "[number, boolean]"
        );
        assert_eq!(ts(&json!({"type": "string", "format": "binary"}), ""), "Blob");
        assert_eq!(
            ts(
                &json!({"type": "object", "additionalProperties": {"type": "integer"}}),
                ""
            ),
            "{\n  [key: string]: number;\n}"
        );
        assert_eq!(
            ts(
                &json!({"type": "object", "properties": {"a-b": {"type": "string"}}, "required": ["a-b"]}),
                ""
            ),
            "{\n  \"a-b\": string;\n}"
        );
        assert_eq!(ts(&json!({}), ""), "unknown");
    }

    #[test]
    fn integers_a_javascript_number_rounds_are_told_apart() {
        assert!(is_wide_integer(&json!({"type": "integer", "format": "int128"})));
        assert!(is_wide_integer(
            &json!({"type": "integer", "format": "int64", "minimum": -9.223372036854776e18, "maximum": 9.223372036854776e18})
        ));
        assert!(is_wide_integer(
            &json!({"type": "integer", "format": "uint64", "minimum": 0})
        ));
        assert!(is_wide_integer(
            &json!({"anyOf": [{"type": "integer", "format": "int128"}, {"type": "null"}]})
        ));
        assert!(!is_wide_integer(
            &json!({"type": "integer", "format": "uint32", "minimum": 0, "maximum": 4294967295u32})
        ));
        assert!(!is_wide_integer(
            &json!({"type": "integer", "format": "int64", "minimum": 0, "maximum": 100})
        ));
        assert!(!is_wide_integer(&json!({"type": "integer"})));
        assert!(!is_wide_integer(&json!({"type": "number", "format": "double"})));
        assert!(!is_wide_integer(&json!({"type": "string", "format": "int64"})));
        assert!(is_wide_integer(
            &json!({"type": "array", "items": {"type": "integer", "format": "uint64"}})
        ));
        assert!(is_wide_integer(
            &json!({"type": "object", "additionalProperties": {"type": "integer", "format": "int64"}})
        ));
        assert!(is_wide_integer(
            &json!({"type": "array", "prefixItems": [{"type": "string"}, {"type": "integer", "format": "int128"}]})
        ));
        // An object's members are noted each in its place.
        assert!(!is_wide_integer(
            &json!({"type": "object", "properties": {"id": {"type": "integer", "format": "int64"}}})
        ));
    }

    #[test]
    fn a_wide_member_is_noted_below_what_it_says() {
        let object = json!({
            "type": "object",
            "properties": {
                "id": {"type": "integer", "format": "int64", "description": "The id."},
                "count": {"type": "integer", "format": "uint64"},
            },
            "required": ["id", "count"],
        });
        let declared = ts(&object, "");
        assert!(
            declared.contains(
                "  /**\n   * The id.\n   * May exceed 2^53, beyond which a JavaScript number is rounded"
            ),
            "{declared}"
        );
        assert!(
            declared.contains("  /** May exceed 2^53, beyond which"),
            "{declared}"
        );
    }

    #[test]
    fn a_comment_cannot_be_closed_by_its_text() {
        let mut out = String::new();
        doc_comment(&mut out, Some("ends */ here"), "");
        assert!(!out[3..out.len() - 3].contains("*/"), "{out}");
    }
}
