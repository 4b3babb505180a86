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
    servers((url = "/", description = "This rsnms deployment (local or production)")),
    components(schemas(Problem, ProblemField)),
    modifiers(&Security),
    tags(
        (name = "auth", description = "Tokens (токены доступа)"),
        (name = "organizations", description = "Network participants (участники сети)"),
        (name = "persons", description = "People: teachers, managers, tutors, methodologists, mentors (педагоги и управленцы)"),
        (name = "personal-data", description = "Personal-data duties under 152-ФЗ: purposes, bases and consents, withdrawal, depersonalisation, the subject access report (персональные данные)"),
        (name = "agreements", description = "Tripartite agreements: parties, obligations, indicators with yearly targets, amendments, attainment (трёхсторонние соглашения)"),
        (name = "accounts", description = "Accounts that obtain tokens (учётные записи)"),
        (name = "audit", description = "Audit trail (журнал аудита)"),
        (name = "network-requests", description = "Requests between network participants with legal reply deadlines (запросы в рамках сетевого взаимодействия)"),
        (name = "deadline-policies", description = "Reply terms, their legal basis and extension rules (правила сроков ответа)"),
        (name = "calendars", description = "Production calendars, federal and regional (производственный календарь)"),
        (name = "imports", description = "Bulk loading of datasets by NDJSON or CSV (загрузка данных)"),
        (name = "changes", description = "The change feed in commit order (лента изменений)"),
        (name = "webhooks", description = "Signed event deliveries to subscribers (подписки на события)"),
        (name = "exports", description = "Versioned exports for the federal digital ecosystem of DPO (выгрузки в федеральную экосистему ДПО)"),
        (name = "competencies", description = "The competency framework: areas and competencies (рамка компетенций)"),
        (name = "diagnostics", description = "Deficit diagnostics: campaigns, results, deficits, aggregates (диагностика профессиональных дефицитов)"),
        (name = "programs", description = "Additional professional programmes (программы ДПП)"),
        (name = "routes", description = "Individual educational routes (индивидуальные образовательные маршруты, ИОМ)"),
        (name = "events", description = "Regional and municipal methodological events (методические мероприятия)"),
        (name = "internship-sites", description = "Internship sites selected by the region (стажировочные площадки)"),
        (name = "mentoring-pairs", description = "Mentoring pairs (наставнические пары)"),
        (name = "monitoring", description = "Indicators computed from the system's data, targets, reconciliation and the yearly report (мониторинг показателей)"),
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
                    .description(Some("Short-lived HS256 JWT from POST /api/v1/auth/token; `exp`, `iat`, `iss` and `aud` are required and checked, following RFC8725 (JWT best current practices). Every operation secured by `bearer` also accepts the access token of a trusted identity provider (see `oidc`)."))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "oidc",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some("Access token of the region's OpenID Connect provider (Keycloak and similar), obtained by the frontend with Authorization Code + PKCE at the provider and sent in the same `Authorization: Bearer` header wherever `bearer` is accepted. Asymmetric algorithms only (RS256, PS256, ES256, EdDSA by default); `iss`, `aud`, `exp` and `nbf` are checked, following RFC8725 (JWT best current practices): the algorithm must match the key, `none` and HS* are refused. The subject acts as the local account linked to it (POST /api/v1/accounts/{id}/identities) or, when the deployment maps claims, as the role and organisation its claims name; otherwise 403. Providers are configured per deployment (RSNMS_OIDC_PROVIDERS; docs/AUTH.md)."))
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

/// Errors of an action on an existing resource without `If-Match` (account status changes).
pub struct ActionErrors;
impl utoipa::IntoResponses for ActionErrors {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        set(&[E400, E401, E403, E404, E409, E413, E415, E422, E429, E500, E503])
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
    add_links(&mut doc);
    add_common_responses(&mut doc);
    add_integer_formats(&mut doc);
    document_idempotency_key(&mut doc);
    crate::routes::imports::document_datasets(&mut doc);
    if let Some(server) = doc.pointer_mut("/servers/0").and_then(|s| s.as_object_mut()) {
        server.insert("x-internal".into(), serde_json::Value::Bool(false));
    }
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
    let writes: Vec<String> = patch_schemas.iter().map(|(write, _)| write.clone()).collect();
    if let Some(schemas) = doc.pointer_mut("/components/schemas").and_then(|s| s.as_object_mut()) {
        for (write, patch) in patch_schemas {
            make_patch_schema(schemas, &write, &patch, 0);
        }
    }
    // A write shape that only a PATCH used is now referenced by nothing: drop it.
    let text = doc.to_string();
    let unused: Vec<String> =
        writes.into_iter().filter(|w| !text.contains(&format!("\"#/components/schemas/{w}\""))).collect();
    if let Some(schemas) = doc.pointer_mut("/components/schemas").and_then(|s| s.as_object_mut()) {
        for w in unused {
            schemas.remove(&w);
        }
    }
    doc
}

/// Writes `patch`, the merge-patch twin of the object schema `write`: nothing required, every
/// property nullable, and nested objects patched the same way (RFC 7396 merges objects
/// recursively; arrays are replaced whole, so their items keep their full schema).
fn make_patch_schema(schemas: &mut serde_json::Map<String, serde_json::Value>, write: &str, patch: &str, depth: u8) {
    if depth > 8 || schemas.contains_key(patch) {
        return;
    }
    let Some(mut s) = schemas.get(write).cloned() else { return };
    let Some(obj) = s.as_object_mut() else { return };
    if obj.get("properties").is_none() {
        return;
    }
    obj.remove("required");
    let objects: std::collections::HashSet<String> =
        schemas.iter().filter(|(_, v)| v.get("properties").is_some()).map(|(k, _)| k.clone()).collect();
    let mut nested = Vec::new();
    if let Some(props) = obj.get_mut("properties").and_then(|p| p.as_object_mut()) {
        for p in props.values_mut() {
            patch_refs(p, &objects, &mut nested);
            *p = serde_json::json!({ "anyOf": [p.clone(), { "type": "null" }] });
        }
    }
    let desc = obj.get("description").and_then(|d| d.as_str()).unwrap_or_default().to_owned();
    obj.insert(
        "description".into(),
        serde_json::Value::String(format!(
            "JSON merge patch (RFC 7396) of {write}: send only what changes; `null` clears a field. {desc}"
        )),
    );
    schemas.insert(patch.to_owned(), s);
    for (inner_write, inner_patch) in nested {
        make_patch_schema(schemas, &inner_write, &inner_patch, depth + 1);
    }
}

/// Points object references (outside arrays) at their patch twins, collecting the twins to make.
fn patch_refs(
    v: &mut serde_json::Value,
    objects: &std::collections::HashSet<String>,
    nested: &mut Vec<(String, String)>,
) {
    match v {
        serde_json::Value::Object(map) => {
            let target = map
                .get("$ref")
                .and_then(|r| r.as_str())
                .and_then(|r| r.strip_prefix("#/components/schemas/"))
                .map(str::to_owned)
                .filter(|t| objects.contains(t));
            if let Some(target) = target {
                let twin = format!("{}MergePatch", target.trim_end_matches("Write"));
                map.insert("$ref".into(), serde_json::json!(format!("#/components/schemas/{twin}")));
                nested.push((target, twin));
                return;
            }
            for (k, child) in map.iter_mut() {
                if k != "items" {
                    patch_refs(child, objects, nested);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(|i| patch_refs(i, objects, nested)),
        _ => {}
    }
}

/// Adds OpenAPI links from every create (`POST /x` answering 201) to the operations on the created
/// resource (`/x/{id}` and its actions), passing the new id and its `ETag` as `If-Match`, so that
/// clients and stateful fuzzers can follow create → read → change.
fn add_links(doc: &mut serde_json::Value) {
    let Some(paths) = doc.get("paths").and_then(|p| p.as_object()).cloned() else { return };
    for (collection, item) in &paths {
        if item.pointer("/post/responses/201").is_none() {
            continue;
        }
        let prefix = format!("{collection}/{{id}}");
        let mut links = serde_json::Map::new();
        for (path, other) in &paths {
            if path != &prefix && !path.starts_with(&format!("{prefix}/")) {
                continue;
            }
            for (method, op) in other.as_object().into_iter().flatten() {
                let Some(op_id) = op.get("operationId").and_then(|o| o.as_str()) else { continue };
                let mut parameters = serde_json::Map::new();
                parameters.insert("path.id".into(), serde_json::json!("$response.body#/id"));
                let wants_if_match = op
                    .get("parameters")
                    .and_then(|p| p.as_array())
                    .is_some_and(|ps| ps.iter().any(|p| p["name"] == "If-Match" && p["in"] == "header"));
                if wants_if_match {
                    parameters.insert("header.If-Match".into(), serde_json::json!("$response.header.ETag"));
                }
                let _ = method;
                links.insert(op_id.to_owned(), serde_json::json!({ "operationId": op_id, "parameters": parameters }));
            }
        }
        if links.is_empty() {
            continue;
        }
        if let Some(resp) =
            doc.pointer_mut(&format!("/paths/{}/post/responses/201", collection.replace('~', "~0").replace('/', "~1")))
            && let Some(obj) = resp.as_object_mut()
        {
            obj.insert("links".into(), serde_json::Value::Object(links));
        }
    }
}

/// Every `Idempotency-Key` header parameter states what the server enforces (its length and
/// characters, from the middleware's own constants), so that clients and fuzzers know a key the
/// server refuses with 422.
fn document_idempotency_key(doc: &mut serde_json::Value) {
    let schema = serde_json::json!({
        "type": "string",
        "minLength": 1,
        "maxLength": crate::middleware::KEY_MAX_LEN,
        "pattern": crate::middleware::KEY_PATTERN,
    });
    let Some(paths) = doc.get_mut("paths").and_then(|p| p.as_object_mut()) else { return };
    for item in paths.values_mut().filter_map(|i| i.as_object_mut()) {
        for op in item.values_mut() {
            let Some(params) = op.get_mut("parameters").and_then(|p| p.as_array_mut()) else { continue };
            for p in params {
                let named =
                    p.get("name").and_then(|n| n.as_str()).is_some_and(|n| n.eq_ignore_ascii_case("idempotency-key"));
                if named && p.get("in").and_then(|i| i.as_str()) == Some("header") {
                    p["schema"] = schema.clone();
                }
            }
        }
    }
}

/// Every operation: a description (the summary when none is written), the rate-limit headers on
/// every response of `/api`, and the 401/429/500 problems that the edge can always answer.
fn add_common_responses(doc: &mut serde_json::Value) {
    let rate_headers = serde_json::json!({
        "RateLimit-Limit": {"description": "Requests allowed per minute for this caller", "schema": {"type": "integer", "format": "int32", "minimum": 0, "maximum": 1000000}},
        "RateLimit-Remaining": {"description": "Requests left in the current window", "schema": {"type": "integer", "format": "int32", "minimum": 0, "maximum": 1000000}},
        "RateLimit-Reset": {"description": "Seconds until the window resets", "schema": {"type": "integer", "format": "int32", "minimum": 0, "maximum": 60}},
        "Access-Control-Allow-Origin": {"description": "Present when the request's Origin is one of RSNMS_CORS_ORIGINS", "schema": {"type": "string", "format": "uri", "maxLength": 2048}}
    });
    let retry_after = serde_json::json!({"description": "Seconds to wait before retrying", "schema": {"type": "integer", "format": "int32", "minimum": 1, "maximum": 3600}});
    let Some(paths) = doc.get_mut("paths").and_then(|p| p.as_object_mut()) else { return };
    for (path, item) in paths.iter_mut() {
        let api = path.starts_with("/api/");
        let Some(ops) = item.as_object_mut() else { continue };
        for op in ops.values_mut() {
            let Some(op) = op.as_object_mut() else { continue };
            if !op.contains_key("description")
                && let Some(summary) = op.get("summary").cloned()
            {
                op.insert("description".into(), summary);
            }
            for param in op.get_mut("parameters").and_then(|p| p.as_array_mut()).into_iter().flatten() {
                let is_free_text = param["in"] == "query"
                    && param["schema"]["type"] == "string"
                    && param["schema"].get("format").is_none()
                    && param["schema"].get("enum").is_none()
                    && param["schema"].get("maxLength").is_none();
                if let (true, Some(schema)) = (is_free_text, param.get_mut("schema").and_then(|s| s.as_object_mut())) {
                    schema.insert("maxLength".into(), serde_json::json!(crate::extract::QUERY_VALUE_MAX));
                }
            }
            let Some(responses) = op.get_mut("responses").and_then(|r| r.as_object_mut()) else { continue };
            let secured = api && !path.ends_with("/auth/token");
            for (status, description) in [("401", E401.1), ("429", E429.1), ("500", E500.1)] {
                if (status == "401" && !secured) || (status == "429" && !api) {
                    continue;
                }
                if !responses.contains_key(status) {
                    responses.insert(status.into(), serde_json::to_value(problem(description)).unwrap_or_default());
                }
            }
            if !api {
                continue;
            }
            for (status, r) in responses.iter_mut() {
                if let Some(r) = r.as_object_mut() {
                    if status == "429" || status == "503" {
                        let headers = r.entry("headers").or_insert_with(|| serde_json::json!({}));
                        if let Some(h) = headers.as_object_mut() {
                            h.entry("Retry-After".to_owned()).or_insert_with(|| retry_after.clone());
                        }
                    }
                    let headers = r.entry("headers").or_insert_with(|| serde_json::json!({}));
                    if let (Some(h), Some(add)) = (headers.as_object_mut(), rate_headers.as_object()) {
                        for (k, v) in add {
                            h.entry(k.clone()).or_insert_with(|| v.clone());
                        }
                    }
                }
            }
        }
    }
}

/// utoipa writes no `format` for unsigned and pointer-sized integers; they all fit `int64`.
fn add_integer_formats(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(map) => {
            let is_integer = map
                .get("type")
                .is_some_and(|t| t == "integer" || t.as_array().is_some_and(|a| a.iter().any(|x| x == "integer")));
            if is_integer && !map.contains_key("format") {
                map.insert("format".into(), serde_json::json!("int64"));
            }
            for child in map.values_mut() {
                add_integer_formats(child);
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(add_integer_formats),
        _ => {}
    }
}
