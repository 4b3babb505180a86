//! Keyset pagination on the wire: `?limit=&cursor=`, `{"items": [...], "next_cursor": …}` and a
//! `Link: <…>; rel="next"` header.

use actix_web::{HttpRequest, HttpResponse, http::header};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use rsnms_domain::{
    FieldError, Msg,
    page::{MAX_LIMIT, Page, PageRequest},
};
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;
use uuid::Uuid;

use crate::problem::ApiError;

/// Paging parameters shared by every list.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Page size, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u64>,
    /// Opaque cursor from the previous page's `next_cursor`.
    pub cursor: Option<String>,
}

/// Encodes a cursor.
pub fn encode_cursor(after: Uuid) -> String {
    URL_SAFE_NO_PAD.encode(after.as_bytes())
}

impl PageQuery {
    /// Checks the parameters (422 naming `limit` or `cursor`).
    pub fn to_request(&self) -> Result<PageRequest, ApiError> {
        let mut errors = Vec::new();
        let limit = self.limit.unwrap_or(rsnms_domain::page::DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            errors.push(FieldError::new(
                "limit",
                "out_of_range",
                Msg::new("limit — от 1 до 500", "limit must be 1–500"),
            ));
        }
        let after = match &self.cursor {
            None => None,
            Some(c) => match URL_SAFE_NO_PAD.decode(c).ok().and_then(|b| Uuid::from_slice(&b).ok()) {
                Some(u) => Some(u),
                None => {
                    errors.push(FieldError::new(
                        "cursor",
                        "invalid_cursor",
                        Msg::new("Неверный курсор", "Invalid cursor"),
                    ));
                    None
                }
            },
        };
        if errors.is_empty() { Ok(PageRequest { limit, after }) } else { Err(ApiError::validation(errors)) }
    }
}

/// A page on the wire.
#[derive(Debug, Serialize)]
pub struct ListBody<T> {
    /// The rows.
    pub items: Vec<T>,
    /// Cursor of the next page, `null` on the last.
    pub next_cursor: Option<String>,
}

/// Answers 200 with a page and its `Link: rel="next"` header.
pub fn respond<T: Serialize, D>(req: &HttpRequest, page: Page<D>, to_dto: impl FnMut(D) -> T) -> HttpResponse {
    let next_cursor = page.next_after.map(encode_cursor);
    let mut res = HttpResponse::Ok();
    if let Some(c) = &next_cursor {
        let mut pairs: Vec<(String, String)> = form_urlencoded::parse(req.query_string().as_bytes())
            .filter(|(k, _)| k != "cursor")
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        pairs.push(("cursor".into(), c.clone()));
        let query = form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish();
        res.insert_header((header::LINK, format!("<{}?{}>; rel=\"next\"", req.path(), query)));
    }
    res.json(ListBody { items: page.items.into_iter().map(to_dto).collect(), next_cursor })
}

/// Declares a concrete list schema for the OpenAPI document.
#[macro_export]
macro_rules! list_schema {
    ($name:ident, $item:ty, $doc:literal) => {
        #[doc = $doc]
        #[derive(Debug, serde::Serialize, utoipa::ToSchema)]
        pub struct $name {
            /// The rows of this page (at most 500).
            #[schema(max_items = 500)]
            pub items: Vec<$item>,
            /// Cursor of the next page (`null` on the last page); pass it as `?cursor=`.
            pub next_cursor: Option<String>,
        }
    };
}
