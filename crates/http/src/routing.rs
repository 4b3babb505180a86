//! The route table, read from the OpenAPI document itself (the single source of truth): the
//! default service answers 405 with `Allow` for a known path and 404 otherwise, and tests walk
//! it to cover every route.

use std::collections::HashMap;

use actix_web::{HttpRequest, HttpResponse, web};
use utoipa::openapi::OpenApi;

use crate::problem::ApiError;

/// One documented path and the methods it answers.
#[derive(Debug, Clone)]
pub struct RouteEntry {
    /// The template, e.g. `/api/v1/organizations/{id}`.
    pub template: String,
    /// Methods in upper case.
    pub methods: Vec<String>,
}

/// Every documented route.
#[derive(Debug, Clone, Default)]
pub struct RouteTable(pub Vec<RouteEntry>, HashMap<String, usize>);

impl RouteTable {
    /// Reads the table from a document.
    pub fn from_openapi(api: &OpenApi) -> Self {
        let entries = api
            .paths
            .paths
            .iter()
            .map(|(template, item)| {
                let mut methods = Vec::new();
                for (m, present) in [
                    ("GET", item.get.is_some()),
                    ("POST", item.post.is_some()),
                    ("PUT", item.put.is_some()),
                    ("PATCH", item.patch.is_some()),
                    ("DELETE", item.delete.is_some()),
                ] {
                    if present {
                        methods.push(m.to_owned());
                    }
                }
                if item.get.is_some() {
                    methods.push("HEAD".to_owned());
                }
                RouteEntry { template: template.clone(), methods }
            })
            .collect::<Vec<_>>();
        let literals = entries
            .iter()
            .enumerate()
            .filter(|(_, e)| !e.template.contains('{'))
            .map(|(i, e)| (e.template.clone(), i))
            .collect();
        Self(entries, literals)
    }

    /// Methods allowed on a concrete path, if the path is known.
    pub fn allowed(&self, path: &str) -> Option<Vec<String>> {
        // A literal route shadows the parameterised one beside it (`/x/stats` vs `/x/{id}`).
        if let Some(literal) = self.allowed_literal(path) {
            return Some(literal);
        }
        let segs: Vec<&str> = path.trim_end_matches('/').split('/').collect();
        let mut out: Vec<String> = Vec::new();
        let mut found = false;
        for e in &self.0 {
            let t: Vec<&str> = e.template.split('/').collect();
            if t.len() == segs.len()
                && t.iter().zip(&segs).all(|(a, b)| (a.starts_with('{') && !b.is_empty()) || a == b)
            {
                found = true;
                for m in &e.methods {
                    if !out.contains(m) {
                        out.push(m.clone());
                    }
                }
            }
        }
        if found {
            out.push("OPTIONS".to_owned());
            Some(out)
        } else {
            None
        }
    }
}

impl RouteTable {
    /// Methods of a template without parameters that equals the path (e.g. `/agreements/report`,
    /// which a request may reach through `/agreements/{id}` under another method).
    pub fn allowed_literal(&self, path: &str) -> Option<Vec<String>> {
        self.literal_methods(path).map(|methods| {
            let mut m = methods.to_vec();
            m.push("OPTIONS".to_owned());
            m
        })
    }

    /// The methods of the literal template equal to the path, looked up without allocating (the
    /// request path asks this of every request).
    fn literal_methods(&self, path: &str) -> Option<&[String]> {
        let entry = self.1.get(path.trim_end_matches('/')).and_then(|&i| self.0.get(i))?;
        Some(&entry.methods)
    }
}

/// A path parameter that does not parse: 405 when the path is a literal route answering other
/// methods, else 404 (no object has such an id).
pub fn bad_path(req: &HttpRequest) -> ApiError {
    let literal = req.app_data::<web::Data<RouteTable>>().and_then(|t| t.allowed_literal(req.path()));
    match literal {
        Some(allow) => ApiError::method_not_allowed(&allow),
        None => ApiError::not_found(),
    }
}

/// The default service: 405 with `Allow` when the path exists under other methods, else 404.
pub async fn fallback(req: HttpRequest, table: web::Data<RouteTable>) -> Result<HttpResponse, ApiError> {
    match table.allowed(req.path()) {
        Some(allow) => Err(ApiError::method_not_allowed(&allow)),
        None => Err(ApiError::not_found()),
    }
}

/// A literal route shadows the parameterised one beside it under every method: `POST
/// /imports/jobs` is not `POST /imports/{dataset}` of a dataset named `jobs` but a method the
/// literal path does not answer (405 with `Allow`), judged before any extractor of the
/// parameterised handler runs. Preflight `OPTIONS` passes to CORS. A path holding `%00` is a
/// 404.
pub async fn literal_first(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody + 'static>,
) -> Result<actix_web::dev::ServiceResponse<actix_web::body::BoxBody>, actix_web::Error> {
    // A path segment holding U+0000 names no resource (no identifier or code can hold it, and
    // PostgreSQL could not even compare it): 404 before any handler reads the database.
    if req.uri().path().as_bytes().windows(3).any(|w| w.eq_ignore_ascii_case(b"%00")) {
        return Ok(req.error_response(ApiError::not_found()));
    }
    let method = req.method().as_str();
    let table = req.app_data::<web::Data<RouteTable>>();
    let refused = match table.and_then(|t| t.literal_methods(req.path())) {
        Some(methods) if method != "OPTIONS" => {
            let answers = methods.iter().any(|m| m == method || (method == "HEAD" && m == "GET"));
            if answers { None } else { table.and_then(|t| t.allowed_literal(req.path())) }
        }
        _ => None,
    };
    match refused {
        Some(allow) => Ok(req.error_response(ApiError::method_not_allowed(&allow))),
        None => next.call(req).await.map(actix_web::dev::ServiceResponse::map_into_boxed_body),
    }
}
