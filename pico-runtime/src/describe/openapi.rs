//! `/openapi.json`: OpenAPI 3.1 of the whole app, built once at start-up
//! from what `#[pico::api]` recorded of each function (see
//! [`schema`](crate::describe::schema)), every answer documented, errors included.
//!
//! Like the definitions, the document is a [`Template`]: the server URL,
//! which depends on the request's host and prefix, is spliced in per
//! request.

use schemars::transform::Transform;
use serde_json::{Map, Value, json};

use crate::describe::definition::{Function, Module, ROOT, Template, module_path};
use crate::describe::schema::{Description, Generators, IntegerBounds, SuccessSchema, is_file};
use crate::describe::statuses::{Status, error_statuses, success_statuses};

/// The names of Pico's own schemas in `components`, chosen so as not to
/// meet a user's type called `Error`.
const ERROR: &str = "PicoError";
const PROBLEM: &str = "PicoProblem";

/// What the document says of the app as a whole.
#[derive(Debug, Clone)]
pub(crate) struct Info {
    pub(crate) title: String,
    pub(crate) version: String,
    /// Whether every error is `application/problem+json`.
    pub(crate) problem_details: bool,
    /// The header a request id is answered in.
    pub(crate) request_id_header: String,
}

/// The functions whose parameters or result have no schema (`{}` in the
/// document), as `module.function: what`.
pub(crate) fn undocumented(modules: &[(String, Module)]) -> Vec<String> {
    let mut generators = Generators::new();
    let mut out = Vec::new();
    for (alias, module) in modules {
        for function in &module.functions {
            let Some(describe) = function.describe else {
                continue;
            };
            let description = describe(&mut generators);
            let mut missing: Vec<String> = function
                .params
                .iter()
                .zip(&description.params)
                .filter(|(_, schema)| schema.is_none())
                .map(|(param, _)| format!("`{}`", param.name))
                .collect();
            if matches!(description.result, SuccessSchema::Json(None)) {
                missing.push("the result".to_owned());
            }
            if !missing.is_empty() {
                out.push(format!("{alias}.{}: {}", function.name, missing.join(", ")));
            }
        }
    }
    out
}

/// The document, with a hole for the server's URL.
pub(crate) fn document(modules: &[(String, Module)], info: &Info) -> Template {
    let mut generators = Generators::new();
    let described: Vec<Vec<Option<Description>>> = modules
        .iter()
        .map(|(_, module)| {
            let describe = |f: &Function| f.describe.map(|describe| describe(&mut generators));
            module.functions.iter().map(describe).collect()
        })
        .collect();
    let (mut schemas, renames) = generators.definitions();
    let mut paths = Map::new();
    let mut security_schemes = Map::new();
    for ((alias, module), described) in modules.iter().zip(described) {
        for (function, mut description) in module.functions.iter().zip(described) {
            if let Some(description) = &mut description {
                // Named types get their bounds in `components`; these are
                // the schemas written in place.
                for schema in description.params.iter_mut().flatten() {
                    IntegerBounds.transform(schema);
                }
                if let SuccessSchema::Json(Some(schema)) | SuccessSchema::Events(Some(schema)) =
                    &mut description.result
                {
                    IntegerBounds.transform(schema);
                    renames.apply_to_schema(schema);
                }
            }
            for scheme in security_of(description.as_ref()) {
                security_schemes
                    .entry(scheme.name().to_owned())
                    .or_insert_with(|| scheme.to_openapi());
            }
            let path = format!("/{}/{}", module_path(alias), function.name);
            let operations = path_item(alias, module, function, description.as_ref(), info);
            paths.insert(path, Value::Object(operations));
        }
    }
    schemas.insert(ERROR.to_owned(), error_schema());
    schemas.insert(PROBLEM.to_owned(), problem_schema());
    let mut components = json!({"schemas": schemas});
    if !security_schemes.is_empty() {
        components["securitySchemes"] = Value::Object(security_schemes);
    }
    let document = json!({
        "openapi": "3.1.0",
        "info": {"title": info.title, "version": info.version},
        "servers": [{"url": ROOT}],
        "paths": paths,
        "components": components,
    });
    Template::new(&document)
}

/// The operations of one function: GET and POST, or the one method it
/// requires.
fn path_item(
    alias: &str,
    module: &Module,
    function: &Function,
    description: Option<&Description>,
    info: &Info,
) -> Map<String, Value> {
    let params: Vec<Parameter<'_>> = function
        .params
        .iter()
        .enumerate()
        .map(|(i, param)| {
            let schema = description.and_then(|d| d.params.get(i)).and_then(Option::as_ref);
            let mut schema = schema.map_or_else(|| json!({}), |s| s.as_value().clone());
            for constraint in param.constraints {
                constraint.apply(&mut schema);
            }
            if let (Some(default), Some(object)) = (param.default.map(|make| make()), schema.as_object_mut())
                && !default.is_null()
            {
                object.insert("default".to_owned(), default);
            }
            Parameter {
                name: param.name,
                required: param.default.is_none(),
                file: description
                    .and_then(|d| d.params.get(i))
                    .and_then(Option::as_ref)
                    .is_some_and(is_file),
                schema,
            }
        })
        .collect();
    // A GET cannot carry a file.
    let takes_file = params.iter().any(|p| p.file && p.required);
    let methods: &[&str] = match function.method {
        None if takes_file => &["POST"],
        None => &["GET", "POST"],
        Some("GET") => &["GET"],
        // Named as the method it requires, below.
        Some("POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS" | "TRACE") => &["POST"],
        // OpenAPI names no other method.
        Some(_) => &[],
    };
    let mut item = Map::new();
    for &method in methods {
        let with_body = method != "GET";
        let verb = function.method.filter(|_| with_body).unwrap_or(method);
        let mut operation = Map::new();
        let operation_id = match (function.method, method) {
            (None, "POST") if !takes_file => format!("{alias}.{}.post", function.name),
            _ => format!("{alias}.{}", function.name),
        };
        operation.insert("operationId".to_owned(), operation_id.into());
        operation.insert("tags".to_owned(), json!([alias]));
        if let Some(doc) = function.doc {
            let summary = doc.lines().next().unwrap_or_default().trim();
            operation.insert("summary".to_owned(), summary.into());
            operation.insert("description".to_owned(), doc.into());
        } else if let Some(doc) = module.doc {
            operation.insert("description".to_owned(), doc.into());
        }
        if with_body {
            if let Some(body) = request_body(&params) {
                operation.insert("requestBody".to_owned(), body);
            }
        } else if !params.is_empty() {
            operation.insert(
                "parameters".to_owned(),
                params.iter().map(Parameter::query).collect(),
            );
        }
        let schemes = security_of(description);
        if !schemes.is_empty() {
            // Every extractor of the function runs: all its schemes at once.
            let all: Map<String, Value> = schemes.iter().map(|s| (s.name().to_owned(), json!([]))).collect();
            operation.insert("security".to_owned(), json!([all]));
        }
        let responses = responses(function, module, description, with_body, info);
        operation.insert("responses".to_owned(), Value::Object(responses));
        item.insert(verb.to_ascii_lowercase(), Value::Object(operation));
    }
    item
}

struct Parameter<'a> {
    name: &'a str,
    required: bool,
    file: bool,
    schema: Value,
}

impl Parameter<'_> {
    /// As a query parameter. Query values are "pragmatic JSON": a word is
    /// a string, other values JSON, and `null` counts as left out. A
    /// scalar or a list of scalars is written plainly (`x=1&x=2`); anything
    /// else is JSON text.
    fn query(&self) -> Value {
        let mut parameter = json!({"name": self.name, "in": "query", "required": self.required});
        let schema = self.as_text();
        if is_plain(&schema) {
            parameter["schema"] = schema;
        } else {
            parameter["content"] = json!({"application/json": {"schema": self.as_json()}});
        }
        parameter
    }

    /// The schema of the parameter as a query string or a form writes it:
    /// the word `null` leaves out a parameter that may be left out, and a
    /// list is written as its items (so it has one at least).
    fn as_text(&self) -> Value {
        let mut schema = self.schema.clone();
        let mut nullable = false;
        if let Some(types) = schema.get_mut("type").and_then(Value::as_array_mut) {
            let before = types.len();
            types.retain(|t| t != "null");
            nullable = types.len() < before;
            if let [only] = types.as_slice() {
                schema["type"] = only.clone();
            }
        }
        if !is_plain(&schema) {
            return self.schema.clone();
        }
        if self.required && schema.get("type").and_then(Value::as_str) == Some("array") {
            schema["minItems"] = json!(1);
        }
        let is_string = schema.get("type").and_then(Value::as_str) == Some("string");
        if (nullable || !self.required) && !is_string {
            let default = schema.as_object_mut().and_then(|o| o.remove("default"));
            let mut either = json!({"anyOf": [schema, {"const": "null"}]});
            if let Some(default) = default {
                either["default"] = default;
            }
            return either;
        }
        schema
    }

    /// The schema of the parameter in a JSON body, where `null` leaves out
    /// a parameter that may be left out.
    fn as_json(&self) -> Value {
        if self.required || accepts_null(&self.schema) {
            return self.schema.clone();
        }
        let mut schema = self.schema.clone();
        let default = schema.as_object_mut().and_then(|o| o.remove("default"));
        let mut either = json!({"anyOf": [schema, {"type": "null"}]});
        if let Some(default) = default {
            either["default"] = default;
        }
        either
    }
}

/// Whether a schema already takes `null`.
fn accepts_null(schema: &Value) -> bool {
    let null = |t: &Value| t == "null";
    match schema.get("type") {
        Some(Value::Array(types)) => types.iter().any(null),
        Some(t) => null(t),
        None => schema
            .get("anyOf")
            .and_then(Value::as_array)
            .is_some_and(|any| any.iter().any(accepts_null)),
    }
}

/// Whether a schema is of a scalar (or the word `null`).
fn is_scalar(schema: &Value) -> bool {
    is_plain(schema) && schema.get("type").and_then(Value::as_str) != Some("array")
}

/// Whether a schema is of a scalar, or a list of scalars, which a query
/// string or a form writes plainly (the word `null` among them).
fn is_plain(schema: &Value) -> bool {
    let scalar = |s: &Value| {
        s.get("const").is_some_and(|c| c == "null")
            || (matches!(
                s.get("type").and_then(Value::as_str),
                Some("string" | "integer" | "number" | "boolean")
            ) && s.get("enum").is_none())
    };
    let scalar_or_null = |s: &Value| {
        scalar(s)
            || s.get("anyOf")
                .and_then(Value::as_array)
                .is_some_and(|any| any.iter().all(scalar))
    };
    scalar_or_null(schema)
        || (schema.get("type").and_then(Value::as_str) == Some("array")
            && schema.get("items").is_some_and(scalar))
}

/// The body of a POST: a JSON object of the parameters, or the same as a
/// form where every parameter is written plainly, or a multipart form
/// where a parameter is a file.
fn request_body(params: &[Parameter<'_>]) -> Option<Value> {
    if params.is_empty() {
        return None;
    }
    let required: Vec<&str> = params.iter().filter(|p| p.required).map(|p| p.name).collect();
    // Pico refuses a parameter the function does not take.
    let object = |schema: &dyn Fn(&Parameter<'_>) -> Value| {
        let properties: Map<String, Value> = params.iter().map(|p| (p.name.to_owned(), schema(p))).collect();
        json!({
            "type": "object",
            "properties": properties,
            "required": required,
            "additionalProperties": false,
        })
    };
    let mut content = Map::new();
    if params.iter().any(|p| p.file) {
        let encoding: Map<String, Value> = params
            .iter()
            .filter(|p| !p.file && !is_plain(&p.as_text()))
            .map(|p| (p.name.to_owned(), json!({"contentType": "application/json"})))
            .collect();
        content.insert(
            "multipart/form-data".to_owned(),
            json!({"schema": object(&|p| p.as_text()), "encoding": encoding}),
        );
    } else {
        content.insert(
            "application/json".to_owned(),
            json!({"schema": object(&|p| p.as_json())}),
        );
        // A form writes a list of one as it writes a scalar: a form is
        // documented where no parameter is a list.
        if params.iter().all(|p| is_scalar(&p.as_text())) {
            content.insert(
                "application/x-www-form-urlencoded".to_owned(),
                json!({"schema": object(&|p| p.as_text())}),
            );
        }
    }
    Some(json!({"required": !required.is_empty(), "content": content}))
}

/// Every answer of an operation: its success, and each error status it can
/// give, each with the standard error body.
fn responses(
    function: &Function,
    module: &Module,
    description: Option<&Description>,
    with_body: bool,
    info: &Info,
) -> Map<String, Value> {
    let answer = description.map(|d| &d.result);
    let id_header = json!({
        &info.request_id_header: {
            "description": "The request's id, also in the error body and the log.",
            "schema": {"type": "string"},
        }
    });
    let success = match answer {
        Some(SuccessSchema::Json(Some(schema))) => json!({"application/json": {"schema": schema}}),
        Some(SuccessSchema::Json(None)) | None => json!({"application/json": {"schema": {}}}),
        // Each event as a client's parser reads it.
        Some(SuccessSchema::Events(item)) => {
            let mut data = json!({"type": "string", "description": "An item as JSON, or the end's reason."});
            // The item's schema as an annotation only: with a
            // `contentMediaType`, a checker would read the `close` event's
            // text as JSON too.
            if let Some(item) = item {
                data["contentSchema"] = item.as_value().clone();
            }
            json!({"text/event-stream": {"schema": {
                "type": "object",
                "properties": {
                    "event": {"enum": ["message", "close", "error"]},
                    "data": data,
                    "id": {"type": "string"},
                },
                "required": ["data"],
            }}})
        }
        Some(SuccessSchema::Any) => json!({"*/*": {"schema": {}}}),
    };
    let mut responses = Map::new();
    for code in success_statuses(description) {
        let mut headers = id_header.clone();
        if description.is_some_and(|d| d.located) || matches!(code, 301 | 302 | 303 | 307 | 308) {
            headers["Location"] = json!({"description": "Where it is.", "schema": {"type": "string"}});
        }
        let response = match code {
            200 => json!({"description": "The function's result.", "headers": headers, "content": success}),
            204 | 300..=399 => json!({"description": reason(code), "headers": headers}),
            _ => json!({"description": reason(code), "headers": headers, "content": success}),
        };
        responses.insert(code.to_string(), response);
    }
    let errors = error_statuses(function, module, description, with_body);
    let error_content = if info.problem_details {
        json!({"application/problem+json": {"schema": {"$ref": format!("#/components/schemas/{PROBLEM}")}}})
    } else {
        json!({
            "application/json": {"schema": {"$ref": format!("#/components/schemas/{ERROR}")}},
            "application/problem+json": {"schema": {"$ref": format!("#/components/schemas/{PROBLEM}")}},
        })
    };
    for status in errors {
        let (status, description) = match status {
            Status::Code(code, description) => (code.to_string(), description),
            Status::Range(range) => (range.to_owned(), "An error the function returned.".into()),
        };
        responses.entry(status).or_insert_with(
            || json!({"description": description, "headers": id_header, "content": error_content}),
        );
    }
    responses
}

/// The security schemes of a function's extractors, each once.
fn security_of(description: Option<&Description>) -> Vec<crate::SecurityScheme> {
    let mut schemes: Vec<crate::SecurityScheme> = Vec::new();
    let extractors = description.iter().flat_map(|d| d.extractors.iter().flatten());
    for scheme in extractors.filter_map(|e| e.security.clone()) {
        if !schemes.iter().any(|s| s.name() == scheme.name()) {
            schemes.push(scheme);
        }
    }
    schemes
}

/// A status's reason phrase, as its response's description.
fn reason(code: u16) -> String {
    http::StatusCode::from_u16(code)
        .ok()
        .and_then(|s| s.canonical_reason())
        .map_or_else(|| format!("Status {code}."), |r| format!("{r}."))
}

/// The standard error body.
fn error_schema() -> Value {
    json!({
        "type": "object",
        "description": "Pico's standard error body.",
        "properties": {
            "name": {"type": "string", "description": "The status's reason phrase, or the error's name."},
            "code": {"type": "integer", "description": "The HTTP status."},
            "message": {"type": "string"},
            "request_id": {"type": "string", "description": "The request's id, as in the answer's header."},
            "sentry_id": {"type": "string", "description": "The id of the Sentry event of a 5xx."},
            "__debug__": {"type": "object", "description": "Debug mode only: what failed, and where."},
        },
        "required": ["name", "code", "message"],
    })
}

/// The standard error body as RFC 9457 problem details: its own members
/// are kept beside the problem's.
fn problem_schema() -> Value {
    json!({
        "type": "object",
        "description": "RFC 9457 problem details, with the standard body's members.",
        "properties": {
            "type": {"type": "string"},
            "title": {"type": "string"},
            "status": {"type": "integer"},
            "detail": {"type": "string"},
            "instance": {"type": "string"},
            "name": {"type": "string"},
            "code": {"type": "integer"},
            "message": {"type": "string"},
            "request_id": {"type": "string"},
            "sentry_id": {"type": "string"},
        },
        "required": ["type", "title", "status"],
    })
}
