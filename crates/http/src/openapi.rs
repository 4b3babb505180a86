//! The OpenAPI 3.1 document: generated from the real handlers by utoipa, with the info pinned,
//! the bearer scheme, the problem schema, reusable error responses, and merge-patch schemas
//! derived from the write schemas.

use std::collections::BTreeMap;

use utoipa::{
    Modify, OpenApi,
    openapi::{
        ContentBuilder, RefOr, Response, ResponseBuilder,
        security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
    },
};

use crate::problem::{Problem, ProblemField};

/// The pinned document header; paths are collected from the registered services.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "rsnms API",
        version = "1.0.0",
        description = "API of the regional system of methodological support for teachers (РСНМС): participants and people, network requests with legal deadlines, tripartite agreements, deficit diagnostics, individual educational routes (ИОМ), monitoring and exchange with the federal DPO ecosystem.\n\nConventions: errors are RFC 9457 `application/problem+json` (Russian by default, English with `Accept-Language: en`); lists use keyset pagination (`limit`, `cursor`, `Link: rel=\"next\"`); single resources carry an `ETag` and changes need `If-Match`; every POST accepts `Idempotency-Key`.",
        license(name = "MIT", identifier = "MIT"),
        contact(name = "rsnms maintainers", email = "rsnms@example.org")
    ),
    servers((url = "/", description = "This server")),
    components(schemas(Problem, ProblemField)),
    modifiers(&Security),
    tags(
        (name = "auth", description = "Tokens (токены доступа)"),
        (name = "organizations", description = "Network participants (участники сети)"),
        (name = "persons", description = "People: teachers, managers, tutors, methodologists, mentors (педагоги и управленцы)"),
        (name = "accounts", description = "Accounts that obtain tokens (учётные записи)"),
        (name = "audit", description = "Audit trail (журнал аудита)"),
        (name = "operations", description = "Health and metrics")
    )
)]
pub struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, api: &mut utoipa::openapi::OpenApi) {
        let components = api.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some("Access token from POST /api/v1/auth/token"))
                    .build(),
            ),
        );
    }
}

fn problem(description: &str) -> RefOr<Response> {
    RefOr::T(
        ResponseBuilder::new()
            .description(description)
            .content(
                "application/problem+json",
                ContentBuilder::new().schema(Some(utoipa::openapi::Ref::from_schema_name("Problem"))).build(),
            )
            .build(),
    )
}

fn set(entries: &[(&str, &str)]) -> BTreeMap<String, RefOr<Response>> {
    entries.iter().map(|(s, d)| ((*s).to_owned(), problem(d))).collect()
}

const E400: (&str, &str) = ("400", "Malformed request (некорректный запрос)");
const E401: (&str, &str) = ("401", "Missing or invalid token");
const E403: (&str, &str) = ("403", "The role may not do this");
const E404: (&str, &str) = ("404", "Not found or outside the caller's scope");
const E409: (&str, &str) = ("409", "Conflict with the current state");
const E412: (&str, &str) = ("412", "If-Match is stale");
const E413: (&str, &str) = ("413", "Body too large");
const E415: (&str, &str) = ("415", "Content-Type is not JSON");
const E422: (&str, &str) = ("422", "Validation failed; every failing field is named");
const E428: (&str, &str) = ("428", "If-Match is required");
const E429: (&str, &str) = ("429", "Too many requests");
const E500: (&str, &str) = ("500", "Internal error");
const E503: (&str, &str) = ("503", "Database unavailable; retry after the given seconds");

/// Errors of an authenticated read (GET).
pub struct ReadErrors;
impl utoipa::IntoResponses for ReadErrors {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        set(&[E400, E401, E403, E404, E422, E429, E500, E503])
    }
}

/// Errors of an authenticated create (POST with a JSON body).
pub struct CreateErrors;
impl utoipa::IntoResponses for CreateErrors {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        set(&[E400, E401, E403, E404, E409, E413, E415, E422, E429, E500, E503])
    }
}

/// Errors of a change to an existing resource (PATCH, DELETE, actions with `If-Match`).
pub struct ChangeErrors;
impl utoipa::IntoResponses for ChangeErrors {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        set(&[E400, E401, E403, E404, E409, E412, E413, E415, E422, E428, E429, E500, E503])
    }
}

/// Errors of a public endpoint with a body (token issue).
pub struct PublicErrors;
impl utoipa::IntoResponses for PublicErrors {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        set(&[E400, E401, E413, E415, E422, E429, E500, E503])
    }
}

/// Turns the generated document into the published JSON: every `…Write` schema used by a PATCH
/// gets a `…Patch` twin with nothing required and every property nullable (RFC 7396 semantics:
/// `null` removes a value, an absent field stays).
pub fn finalize(api: &utoipa::openapi::OpenApi) -> serde_json::Value {
    let mut doc = serde_json::to_value(api).unwrap_or_default();
    let mut patch_schemas = Vec::new();
    if let Some(paths) = doc.get_mut("paths").and_then(|p| p.as_object_mut()) {
        for item in paths.values_mut() {
            let Some(op) = item.get_mut("patch") else { continue };
            let Some(content) = op.pointer_mut("/requestBody/content") else { continue };
            let Some(r) = content.pointer("/application~1json/schema/$ref").and_then(|r| r.as_str()).map(str::to_owned)
            else {
                continue;
            };
            let Some(name) = r.strip_prefix("#/components/schemas/").filter(|n| n.ends_with("Write")) else { continue };
            let patch_name = format!("{}Patch", name.trim_end_matches("Write"));
            let schema = serde_json::json!({ "$ref": format!("#/components/schemas/{patch_name}") });
            let media = serde_json::json!({ "schema": schema });
            *content = serde_json::json!({ "application/merge-patch+json": media.clone(), "application/json": media });
            patch_schemas.push((name.to_owned(), patch_name));
        }
    }
    if let Some(schemas) = doc.pointer_mut("/components/schemas").and_then(|s| s.as_object_mut()) {
        for (write, patch) in patch_schemas {
            let Some(mut s) = schemas.get(&write).cloned() else { continue };
            if let Some(obj) = s.as_object_mut() {
                obj.remove("required");
                if let Some(props) = obj.get_mut("properties").and_then(|p| p.as_object_mut()) {
                    for p in props.values_mut() {
                        *p = serde_json::json!({ "oneOf": [p.clone(), { "type": "null" }] });
                    }
                }
                let desc = obj.get("description").and_then(|d| d.as_str()).unwrap_or_default().to_owned();
                obj.insert(
                    "description".into(),
                    serde_json::Value::String(format!(
                        "JSON merge patch (RFC 7396) of {write}: send only what changes; `null` clears a field. {desc}"
                    )),
                );
            }
            schemas.insert(patch, s);
        }
    }
    doc
}
