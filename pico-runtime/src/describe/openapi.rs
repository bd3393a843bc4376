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
use crate::describe::openapi_version::OpenApiVersion;
use crate::describe::parameter::{Parameter, request_body};
use crate::describe::schema::{Description, Generators, IntegerBounds, SuccessSchema, is_file};
use crate::describe::statuses::{Status, error_statuses, success_statuses};
use crate::describe::summary::summary;

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
    /// Which OpenAPI the document is written in.
    pub(crate) openapi: OpenApiVersion,
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
            let subject = Subject {
                alias,
                module,
                function,
                description: description.as_ref(),
                info,
            };
            let path = format!("/{}/{}", module_path(alias), function.name);
            paths.insert(path, Value::Object(path_item(&subject)));
            for (path, method, operation) in route_operations(&subject) {
                let item = paths.entry(path).or_insert_with(|| json!({}));
                item[method] = Value::Object(operation);
            }
        }
    }
    schemas.insert(ERROR.to_owned(), error_schema());
    schemas.insert(PROBLEM.to_owned(), problem_schema());
    let mut components = json!({"schemas": schemas});
    if !security_schemes.is_empty() {
        components["securitySchemes"] = Value::Object(security_schemes);
    }
    let document = json!({
        "openapi": info.openapi.as_str(),
        "info": {"title": info.title, "version": info.version},
        "servers": [{"url": ROOT}],
        "paths": paths,
        "components": components,
    });
    Template::new(&document)
}

/// What every operation of one function shares.
struct Subject<'a> {
    alias: &'a str,
    module: &'a Module,
    function: &'a Function,
    description: Option<&'a Description>,
    info: &'a Info,
}

/// The function's parameters, each with its schema, constraints and
/// default.
fn parameters<'a>(function: &'a Function, description: Option<&Description>) -> Vec<Parameter<'a>> {
    function
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
        .collect()
}

/// The operations of one function at `/module/function`: GET and POST,
/// or the one method it requires.
fn path_item(subject: &Subject<'_>) -> Map<String, Value> {
    let (alias, function) = (subject.alias, subject.function);
    let params = parameters(function, subject.description);
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
        let operation_id = match (function.method, method) {
            (None, "POST") if !takes_file => format!("{alias}.{}.post", function.name),
            _ => format!("{alias}.{}", function.name),
        };
        let responses = responses(
            function,
            subject.module,
            subject.description,
            with_body,
            subject.info,
        );
        let operation = operation(subject, operation_id, (&params, &[]), with_body, responses);
        item.insert(verb.to_ascii_lowercase(), Value::Object(operation));
    }
    item
}

/// The operations of the function's `#[route(...)]`s: each at its path,
/// its placeholders path parameters, the rest in the query of a GET or
/// the body of another method.
fn route_operations(subject: &Subject<'_>) -> Vec<(&'static str, String, Map<String, Value>)> {
    let function = subject.function;
    let params = parameters(function, subject.description);
    function
        .routes
        .iter()
        .enumerate()
        .map(|(i, route)| {
            let (in_path, others): (Vec<&Parameter<'_>>, Vec<&Parameter<'_>>) = params
                .iter()
                .partition(|p| route.placeholders().any(|name| name == p.name));
            let in_path: Vec<Value> = in_path.iter().map(|p| p.path()).collect();
            let others: Vec<Parameter<'_>> = others.into_iter().cloned().collect();
            let with_body = route.method != "GET";
            let number = if i == 0 {
                String::new()
            } else {
                (i + 1).to_string()
            };
            let operation_id = format!("{}.{}.route{number}", subject.alias, function.name);
            let mut responses = responses(
                function,
                subject.module,
                subject.description,
                with_body,
                subject.info,
            );
            // Its method is the route's own, whatever `#[require_method]`
            // says of `/module/function`.
            responses.remove("405");
            if route.placeholders().next().is_some() {
                let not_found = "No such path: a placeholder's value is `.` or `..`.";
                let error = responses.get("400").or_else(|| responses.get("500")).cloned();
                if let Some(mut error) = error {
                    error["description"] = not_found.into();
                    responses.insert("404".to_owned(), error);
                }
            }
            let operation = operation(subject, operation_id, (&others, &in_path), with_body, responses);
            (route.path, route.method.to_ascii_lowercase(), operation)
        })
        .collect()
}

/// One operation: `params` in its query or body, `in_path` as they are.
fn operation(
    subject: &Subject<'_>,
    operation_id: String,
    (params, in_path): (&[Parameter<'_>], &[Value]),
    with_body: bool,
    responses: Map<String, Value>,
) -> Map<String, Value> {
    let mut operation = Map::new();
    operation.insert("operationId".to_owned(), operation_id.into());
    operation.insert("tags".to_owned(), json!([subject.alias]));
    if let Some(doc) = subject.function.doc {
        operation.insert("summary".to_owned(), summary(doc).into());
        operation.insert("description".to_owned(), doc.into());
    } else if let Some(doc) = subject.module.doc {
        operation.insert("description".to_owned(), doc.into());
    }
    let mut parameters: Vec<Value> = in_path.to_vec();
    if with_body {
        if let Some(body) = request_body(params) {
            operation.insert("requestBody".to_owned(), body);
        }
    } else {
        parameters.extend(params.iter().map(Parameter::query));
    }
    if !parameters.is_empty() {
        operation.insert("parameters".to_owned(), parameters.into());
    }
    let schemes = security_of(subject.description);
    if !schemes.is_empty() {
        // Every extractor of the function runs: all its schemes at once.
        let all: Map<String, Value> = schemes.iter().map(|s| (s.name().to_owned(), json!([]))).collect();
        operation.insert("security".to_owned(), json!([all]));
    }
    operation.insert("responses".to_owned(), Value::Object(responses));
    operation
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
        Some(SuccessSchema::Events(item)) => {
            let mut data = json!({"type": "string", "description": "An item as JSON, or the end's reason."});
            // The item's schema as an annotation only: with a
            // `contentMediaType`, a checker would read the `close` event's
            // text as JSON too.
            if let Some(item) = item {
                data["contentSchema"] = item.as_value().clone();
            }
            let event = json!({
                "type": "object",
                "properties": {
                    "event": {"enum": ["message", "close", "error"]},
                    "data": data,
                    "id": {"type": "string"},
                },
                "required": ["data"],
            });
            match info.openapi {
                OpenApiVersion::V3_2 => json!({"text/event-stream": {"itemSchema": event}}),
                // 3.1 has no keyword for one event: `schema` is the whole
                // body, which is text, and which a generated client then
                // reads as a string; the event goes beside, for the people
                // and tools that read on.
                OpenApiVersion::V3_1 => json!({"text/event-stream": {
                    "schema": {
                        "type": "string",
                        "description": "Server-sent events: an event a result, its `data` the result as JSON; \
                                        then an `event: close` (or `error`) event, its `data` the reason.",
                    },
                    "x-pico-event": event,
                }}),
            }
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
            "name": {"type": "string", "description": "The status's reason phrase, or the error's name."},
            "code": {"type": "integer", "description": "The HTTP status."},
            "message": {"type": "string"},
            "request_id": {"type": "string", "description": "The request's id, as in the answer's header."},
            "sentry_id": {"type": "string", "description": "The id of the Sentry event of a 5xx."},
            "__debug__": {"type": "object", "description": "Debug mode only: what failed, and where."},
        },
        // Every member Pico always writes: a generated client then types
        // `code` as a number, not a number that may be missing.
        "required": ["type", "title", "status", "detail", "instance", "name", "code", "message"],
    })
}
