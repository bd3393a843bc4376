//! A function's parameters as an OpenAPI operation takes them: in the
//! query string (as "pragmatic JSON" text), in the path of a route, or as
//! the members of a JSON, form or multipart body.

use serde_json::{Map, Value, json};

#[derive(Clone)]
pub(crate) struct Parameter<'a> {
    pub(crate) name: &'a str,
    pub(crate) required: bool,
    pub(crate) file: bool,
    pub(crate) schema: Value,
}

impl Parameter<'_> {
    /// As a query parameter. Query values are "pragmatic JSON": a word is
    /// a string, other values JSON, and `null` counts as left out. A
    /// scalar or a list of scalars is written plainly (`x=1&x=2`); anything
    /// else is JSON text.
    pub(crate) fn query(&self) -> Value {
        let mut parameter = json!({"name": self.name, "in": "query", "required": self.required});
        let schema = self.as_text();
        if is_plain(&schema) {
            parameter["schema"] = schema;
        } else {
            parameter["content"] = json!({"application/json": {"schema": self.as_json()}});
        }
        parameter
    }

    /// As a placeholder of a route: always in the path, its segment
    /// percent-decoded and then read as a query value is.
    pub(crate) fn path(&self) -> Value {
        let placeholder = Parameter {
            name: self.name,
            required: true,
            file: false,
            schema: self.schema.clone(),
        };
        let mut parameter = placeholder.query();
        parameter["in"] = "path".into();
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
pub(crate) fn request_body(params: &[Parameter<'_>]) -> Option<Value> {
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
    // But not a name beginning with `_`, the framework's (`_callback`,
    // `_debug`): a document that refused them would have a client that
    // checks it expect a 400 that never comes. JSON and forms carry any
    // name; a multipart part's name is a header's parameter, which not
    // every name can be written in, so there only the parameters are
    // documented.
    let open = |mut object: Value| {
        object["patternProperties"] = json!({"^_": {}});
        object
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
            json!({"schema": open(object(&|p| p.as_json()))}),
        );
        // A form writes a list of one as it writes a scalar: a form is
        // documented where no parameter is a list.
        if params.iter().all(|p| is_scalar(&p.as_text())) {
            content.insert(
                "application/x-www-form-urlencoded".to_owned(),
                json!({"schema": open(object(&|p| p.as_text()))}),
            );
        }
    }
    Some(json!({"required": !required.is_empty(), "content": content}))
}
