//! Request bodies and query strings, parsed so that every mistake names its place: the JSON
//! pointer of the field (or `/query/NAME` for a parameter) and what is wrong with it.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::LocalBoxFuture;
use std::borrow::Cow;
use std::marker::PhantomData;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde::de::DeserializeSeed;
use serde_json::Value;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;
use utoipa::openapi::{RefOr, Schema};

use super::collect::{self, Leaves, escape, quoted};
use super::problem::{ApiError, FieldError, ProblemKind};
use crate::text::Text;

/// A JSON request body of type `T`, with the digest of its bytes (for idempotency keys).
pub struct JsonBody<T> {
    pub value: T,
    pub digest: String,
}

/// The two body extractors: `read_body`, then the value as the extractor holds it.
macro_rules! body_extractor {
    ($body:ident, optional: $optional:literal, |$value:ident| $held:expr) => {
        impl<T: DeserializeOwned + 'static> FromRequest for $body<T> {
            type Error = ApiError;
            type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

            fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
                let body = read_body::<T>(req, payload, $optional);
                Box::pin(async move {
                    let ($value, digest) = body.await?;
                    Ok($body {
                        value: $held,
                        digest,
                    })
                })
            }
        }
    };
}

body_extractor!(JsonBody, optional: false, |value| value
    .ok_or_else(|| ApiError::internal("a required body was not read"))?);

/// Reads a JSON object body as `T` with the digest of its bytes; an `optional` body may be empty
/// (no value then).
fn read_body<T: DeserializeOwned + 'static>(
    req: &HttpRequest,
    payload: &mut Payload,
    optional: bool,
) -> LocalBoxFuture<'static, Result<(Option<T>, String), ApiError>> {
    let media_type = check_json_media_type(req);
    let bytes = web::Bytes::from_request(req, payload);
    Box::pin(async move {
        if !optional {
            media_type.clone()?;
        }
        let bytes = bytes.await.map_err(payload_error)?;
        if optional && bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok((None, digest(&bytes)));
        }
        media_type?;
        require_object(&bytes)?;
        Ok((Some(parse_json::<T>(&bytes)?), digest(&bytes)))
    })
}

/// The body of an action (`activate`, `publish`, …): empty, or a JSON object of type `T`.
pub struct OptionalJsonBody<T> {
    pub value: Option<T>,
    pub digest: String,
}

body_extractor!(OptionalJsonBody, optional: true, |value| value);

/// Every request body is a JSON object: serde would otherwise take an array as a struct's fields
/// by position, and a scalar merge patch would replace the whole resource.
fn require_object(bytes: &[u8]) -> Result<(), ApiError> {
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{') {
        return Ok(());
    }
    if let Err(syntax) = serde_json::from_slice::<serde::de::IgnoredAny>(bytes) {
        return Err(malformed(&syntax));
    }
    Err(ApiError::invalid(
        "",
        "invalid-type",
        Text::BodyNotObject.msg(),
    ))
}

pub fn digest(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// `application/json`, `application/merge-patch+json` or another `+json` type.
fn check_json_media_type(req: &HttpRequest) -> Result<(), ApiError> {
    let value = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let essence = value
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
    {
        Ok(())
    } else {
        Err(ApiError::new(
            ProblemKind::UnsupportedMediaType,
            Text::BodyNotJson.msg(),
        ))
    }
}

pub fn payload_error(e: actix_web::Error) -> ApiError {
    if e.as_response_error().status_code() == actix_web::http::StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::new(ProblemKind::PayloadTooLarge, Text::BodyTooLarge.msg())
    } else {
        ApiError::invalid("", "unreadable-body", Text::BodyUnreadable.msg())
    }
}

/// Parses a body, reporting every fault it has (each with its pointer), not only the first. A
/// member given twice in one object is refused (RFC 8259 leaves its meaning open: a proxy that
/// reads the first and the service the last would see two requests).
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = Unique(String::new()).deserialize(&mut de).map_err(|e| {
        match e.to_string().strip_prefix(DUPLICATE) {
            Some(rest) => {
                let pointer = rest.split(" at line ").next().unwrap_or(rest);
                ApiError::invalid(pointer, "duplicate-key", Text::BodyDuplicateKey.msg())
            }
            None => malformed(&e),
        }
    })?;
    de.end()
        .map_err(|_| ApiError::invalid("", "malformed-json", Text::BodyTrailing.msg()))?;
    from_value(value)
}

/// The start of the error a duplicate member raises; its JSON pointer follows.
const DUPLICATE: &str = "duplicate member ";

/// A JSON value read as `serde_json::Value` reads it, refusing a member given twice in one object;
/// the string is the value's JSON pointer.
struct Unique(String);

impl<'de> serde::de::DeserializeSeed<'de> for Unique {
    type Value = Value;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Unique {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) =
            seq.next_element_seed(Unique(format!("{}/{}", self.0, items.len())))?
        {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut members = serde_json::Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let pointer = format!("{}/{}", self.0, key.replace('~', "~0").replace('/', "~1"));
            if members.contains_key(&key) {
                return Err(serde::de::Error::custom(format!("{DUPLICATE}{pointer}")));
            }
            let value = map.next_value_seed(Unique(pointer))?;
            members.insert(key, value);
        }
        Ok(Value::Object(members))
    }
}

fn malformed(error: &serde_json::Error) -> ApiError {
    ApiError::invalid(
        "",
        "malformed-json",
        Text::BodyMalformed {
            line: error.line(),
            column: error.column(),
        }
        .msg(),
    )
}

/// Parses an already-decoded JSON value (a merged PATCH document) with the same error reporting.
pub fn from_value<T: DeserializeOwned>(value: Value) -> Result<T, ApiError> {
    collect::deserialize(&value, Leaves::Json).map_err(|faults| {
        ApiError::validation(
            faults
                .iter()
                .map(|f| data_error(&f.pointer, &f.message))
                .collect(),
        )
    })
}

/// The writable fields of a resource, as an update reads them. A `PATCH` is merged onto the fields
/// of the current resource that this type's schema names, and the result is read as this type.
pub trait Writable: DeserializeOwned + ToSchema + 'static {
    /// The name of the patch's schema in the document (`UnitPatch`).
    const PATCH: &'static str;
}

/// The body of a `PATCH`: an RFC 7396 merge patch onto `T`. It must be an object; `null` clears
/// an optional field. Its schema is `T`'s with no field required, so that the document describes
/// what is read, once.
pub struct MergePatch<T> {
    patch: Value,
    _onto: PhantomData<fn() -> T>,
}

impl<T: Writable> MergePatch<T> {
    /// The writable fields of `current` (the resource as it is served) with the patch merged
    /// onto them, read as `T`: every fault with its pointer, a read-only or unknown field refused.
    pub fn apply(&self, current: &impl Serialize) -> Result<T, ApiError> {
        let mut doc =
            serde_json::to_value(current).map_err(|e| ApiError::internal(e.to_string()))?;
        if let (Value::Object(fields), RefOr::T(Schema::Object(writable))) = (&mut doc, T::schema())
        {
            fields.retain(|name, _| writable.properties.contains_key(name));
        }
        // A member set to `null` is removed by the merge, so an unknown one would vanish unseen:
        // the patch is merged a second time keeping its nulls, and only that reading's unknown
        // fields are taken from it.
        let mut kept = doc.clone();
        merge_patch(&mut doc, &self.patch);
        merge_keeping_nulls(&mut kept, &self.patch);
        let merged = from_value(doc);
        let unknown: Vec<FieldError> = match from_value::<T>(kept) {
            Err(mut e) => std::mem::take(&mut e.errors)
                .into_iter()
                .filter(|f| f.code == "unknown-field")
                .collect(),
            Ok(_) => Vec::new(),
        };
        match merged {
            Ok(value) if unknown.is_empty() => Ok(value),
            Ok(_) => Err(ApiError::validation(unknown)),
            Err(mut e) => {
                for fault in unknown {
                    if !e.errors.iter().any(|f| f.pointer == fault.pointer) {
                        e.errors.push(fault);
                    }
                }
                Err(e)
            }
        }
    }
}

/// A merge patch whose `null` members are set to `null` instead of removed, to read their names.
fn merge_keeping_nulls(target: &mut Value, patch: &Value) {
    match patch {
        Value::Object(patch) => {
            if !target.is_object() {
                *target = Value::Object(Default::default());
            }
            let map = target.as_object_mut().expect("just made an object");
            for (key, value) in patch {
                merge_keeping_nulls(map.entry(key.clone()).or_insert(Value::Null), value);
            }
        }
        other => *target = other.clone(),
    }
}

impl<T: Writable> FromRequest for MergePatch<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        // The body is a JSON object (`require_object`), as a merge patch must be.
        let body = JsonBody::<Value>::from_request(req, payload);
        Box::pin(async move {
            Ok(Self {
                patch: body.await?.value,
                _onto: PhantomData,
            })
        })
    }
}

impl<T: Writable> utoipa::PartialSchema for MergePatch<T> {
    /// `T`'s schema with no field required, and `null` allowed on every field `T` does not
    /// require: a merge patch clears such a field with `null` (it takes its default). `null` on a
    /// field `T` requires is refused, as the schema says.
    fn schema() -> RefOr<Schema> {
        let mut schema = T::schema();
        if let RefOr::T(Schema::Object(object)) = &mut schema {
            let required = std::mem::take(&mut object.required);
            for (name, property) in object.properties.iter_mut() {
                if !required.contains(name) {
                    *property = nullable(property.clone());
                }
            }
        }
        schema
    }
}

/// `property`, or `null`: as it is when it already allows `null`.
fn nullable(property: RefOr<Schema>) -> RefOr<Schema> {
    fn allows_null(v: &Value) -> bool {
        v["type"] == "null"
            || v["type"]
                .as_array()
                .is_some_and(|t| t.iter().any(|t| t == "null"))
            || ["oneOf", "anyOf"].iter().any(|k| {
                v[*k]
                    .as_array()
                    .is_some_and(|alternatives| alternatives.iter().any(allows_null))
            })
    }
    let Ok(value) = serde_json::to_value(&property) else {
        return property;
    };
    if allows_null(&value) {
        return property;
    }
    serde_json::from_value(serde_json::json!({"oneOf": [value, {"type": "null"}]}))
        .unwrap_or(property)
}

impl<T: Writable> ToSchema for MergePatch<T> {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed(T::PATCH)
    }

    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        T::schemas(schemas);
    }
}

/// RFC 7396 JSON Merge Patch.
pub fn merge_patch(target: &mut Value, patch: &Value) {
    match patch {
        Value::Object(patch) => {
            if !target.is_object() {
                *target = Value::Object(Default::default());
            }
            let map = target.as_object_mut().expect("just made an object");
            for (key, value) in patch {
                if value.is_null() {
                    map.remove(key);
                } else {
                    merge_patch(map.entry(key.clone()).or_insert(Value::Null), value);
                }
            }
        }
        other => *target = other.clone(),
    }
}

/// Turns serde's message into a field error with a stable code. `Custom` messages come from our
/// own newtypes and are already written for a person.
fn data_error(pointer: &str, message: &str) -> FieldError {
    let message = message.split(" at line ").next().unwrap_or(message);
    if let Some(rest) = message.strip_prefix("unknown field ") {
        let field = quoted(rest).unwrap_or("");
        // serde_path_to_error already ends the path with the unknown key.
        let suffix = format!("/{}", escape(field));
        let pointer = if pointer.ends_with(&suffix) {
            pointer.to_string()
        } else {
            format!("{pointer}{suffix}")
        };
        return FieldError::new(
            pointer,
            "unknown-field",
            Text::UnknownField {
                field: field.to_string(),
            }
            .msg(),
        );
    }
    if let Some(rest) = message.strip_prefix("missing field ") {
        let field = quoted(rest).unwrap_or("");
        return FieldError::new(
            format!("{pointer}/{}", escape(field)),
            "required",
            Text::Required {
                field: field.to_string(),
            }
            .msg(),
        );
    }
    if message.starts_with("unknown variant ") {
        let expected = message
            .split("expected ")
            .nth(1)
            .unwrap_or("")
            .replace('`', "");
        let values = expected.strip_prefix("one of ").unwrap_or(&expected);
        return FieldError::new(
            pointer,
            "invalid-value",
            Text::OneOf {
                values: values.to_string(),
            }
            .msg(),
        );
    }
    if message.starts_with("invalid type")
        || message.starts_with("invalid value")
        || message.starts_with("invalid length")
    {
        let expected = message.split("expected ").nth(1).unwrap_or("another type");
        return FieldError::new(
            pointer,
            "invalid-type",
            crate::text::Text::WrongType {
                expected: crate::text::Expected::from_serde(expected),
            }
            .msg(),
        );
    }
    if let Some(msg) = crate::domain::decode(message) {
        return FieldError::new(pointer, msg.0, msg.1);
    }
    FieldError::new(
        pointer,
        "invalid-value",
        Text::InvalidValue {
            message: message.to_string(),
        }
        .msg(),
    )
}

/// A query string of type `T` (which should deny unknown fields).
pub struct Query<T>(pub T);

impl<T: DeserializeOwned> FromRequest for Query<T> {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(parse_query(req.query_string()).map(Query))
    }
}

pub fn parse_query<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    // Not UTF-8 once decoded: refused, never replaced (the middleware refuses it first).
    let pairs = super::strict::query_pairs(query).map_err(ApiError::validation)?;
    // PostgreSQL text cannot hold NUL (the query would fail as a 500), and no parameter needs one.
    if let Some((name, _)) = pairs.iter().find(|(_, v)| v.contains('\0')) {
        return Err(ApiError::invalid(
            format!("/query/{name}"),
            "invalid-value",
            Text::NulInParameter {
                name: name.to_string(),
            }
            .msg(),
        ));
    }
    // Every parameter as a text leaf; a repeated parameter is a fault of its own.
    let mut params = serde_json::Map::new();
    let mut errors = Vec::new();
    for (name, value) in pairs {
        if params.contains_key(name.as_str()) {
            let error = FieldError::new(
                format!("/query/{name}"),
                "duplicate-parameter",
                Text::DuplicateParameter {
                    name: name.to_string(),
                }
                .msg(),
            );
            if !errors
                .iter()
                .any(|e: &FieldError| e.pointer == error.pointer)
            {
                errors.push(error);
            }
            continue;
        }
        params.insert(name, Value::String(value));
    }
    let parsed = collect::deserialize::<T>(&Value::Object(params), Leaves::Query);
    let faults = match parsed {
        Ok(value) if errors.is_empty() => return Ok(value),
        Ok(_) => Vec::new(),
        Err(faults) => faults,
    };
    for fault in faults {
        let mut error = data_error(&fault.pointer, &fault.message);
        let name = error.pointer.trim_start_matches('/').to_string();
        error.pointer = format!("/query/{name}");
        if error.code == "unknown-field" {
            error.code = "unknown-parameter".into();
            error.detail = Text::UnknownParameter { name }.msg();
        }
        errors.push(error);
    }
    Err(ApiError::validation(errors))
}

/// An action takes no body, or an empty JSON object.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionBody {}

#[cfg(test)]
mod tests {
    use super::*;

    /// Writable fields of three kinds: required, defaulted, optional.
    #[derive(Deserialize, ToSchema)]
    #[serde(deny_unknown_fields)]
    struct Sample {
        name: String,
        #[serde(default)]
        tags: Vec<String>,
        note: Option<String>,
    }

    impl Writable for Sample {
        const PATCH: &'static str = "SamplePatch";
    }

    #[test]
    fn a_patch_may_clear_with_null_exactly_what_is_not_required() {
        let schema =
            serde_json::to_value(<MergePatch<Sample> as utoipa::PartialSchema>::schema()).unwrap();
        let nulls = |field: &str| {
            serde_json::to_string(&schema["properties"][field])
                .unwrap()
                .matches("\"null\"")
                .count()
        };
        assert!(schema.get("required").is_none(), "{schema}");
        let read: Sample = parse_json(br#"{"name": "n", "note": null}"#).unwrap();
        assert_eq!(
            (read.name.as_str(), read.tags.len(), read.note),
            ("n", 0, None)
        );
        assert_eq!(nulls("name"), 0, "a required field cannot be cleared");
        assert_eq!(nulls("tags"), 1, "a defaulted field is cleared with null");
        assert_eq!(
            nulls("note"),
            1,
            "an optional field allows null once, not twice"
        );
    }

    fn patched(patch: Value) -> Result<Sample, ApiError> {
        let current = serde_json::json!({"name": "n", "tags": ["t"], "id": "read-only"});
        MergePatch::<Sample> {
            patch,
            _onto: PhantomData,
        }
        .apply(&current)
    }

    #[test]
    fn a_patch_naming_an_unknown_member_is_refused_even_with_null() {
        let read = patched(serde_json::json!({"note": "x", "tags": null})).unwrap();
        assert_eq!((read.tags.len(), read.note.as_deref()), (0, Some("x")));
        for (patch, pointer) in [
            (serde_json::json!({"": null}), "/"),
            (serde_json::json!({"colour": null}), "/colour"),
            (serde_json::json!({"colour": "red"}), "/colour"),
            (serde_json::json!({"id": null}), "/id"),
        ] {
            let e = patched(patch.clone()).err().expect("refused");
            assert_eq!(
                first_error(e),
                (pointer.into(), "unknown-field".into()),
                "{patch}"
            );
        }
        let e = patched(serde_json::json!({"name": null, "colour": null}))
            .err()
            .expect("refused");
        let mut faults: Vec<_> = e.errors.iter().map(|f| f.pointer.as_str()).collect();
        faults.sort();
        assert_eq!(faults, ["/colour", "/name"]);
    }

    #[test]
    fn a_nul_character_in_a_query_parameter_is_refused() {
        type Params = std::collections::HashMap<String, String>;
        let e = parse_query::<Params>("q=a%00b").unwrap_err();
        assert_eq!(e.errors[0].pointer, "/query/q");
        assert!(parse_query::<Params>("q=ab").is_ok());
    }
    use crate::http::collect::tests::Body;
    use serde::Deserialize;

    fn first_error(e: ApiError) -> (String, String) {
        let f = &e.errors[0];
        (f.pointer.clone(), f.code.clone())
    }

    #[test]
    fn errors_point_at_the_field() {
        let e = parse_json::<Body>(
            br#"{"name":"x","count":1,"kind":"A","day":"2026-01-01",
                 "parts":[{"size":1,"label":"a"},{"size":"big","label":"b"}]}"#,
        )
        .unwrap_err();
        assert_eq!(
            first_error(e),
            ("/parts/1/size".into(), "invalid-type".into())
        );
        let e = parse_json::<Body>(
            br#"{"name":"x","count":1,"kind":"A","day":"2026-01-01","parts":[],"version":3}"#,
        )
        .unwrap_err();
        assert_eq!(first_error(e), ("/version".into(), "unknown-field".into()));
        let e = parse_json::<Body>(br#"{"parts":[]}"#).unwrap_err();
        assert_eq!(first_error(e), ("/name".into(), "required".into()));
        let e = parse_json::<Body>(br#"{"name": "#).unwrap_err();
        assert_eq!(first_error(e), ("".into(), "malformed-json".into()));
    }

    #[test]
    fn merge_patch_follows_rfc_7396() {
        let mut doc = serde_json::json!({"a": "b", "c": {"d": "e", "f": "g"}});
        merge_patch(&mut doc, &serde_json::json!({"a": "z", "c": {"f": null}}));
        assert_eq!(doc, serde_json::json!({"a": "z", "c": {"d": "e"}}));
    }

    #[derive(Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Params {
        limit: Option<u32>,
    }

    #[test]
    fn unknown_and_invalid_parameters_are_named() {
        let e = parse_query::<Params>("limit=x").unwrap_err();
        assert_eq!(first_error(e).0, "/query/limit");
        let e = parse_query::<Params>("stauts=ACTIVE").unwrap_err();
        assert_eq!(
            first_error(e),
            ("/query/stauts".into(), "unknown-parameter".into())
        );
    }
}
