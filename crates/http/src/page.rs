//! Keyset pagination on the wire: `?limit=&cursor=`, `{"items": [...], "next_cursor": …}` and a
//! `Link: <…>; rel="next"` header.

use actix_web::{HttpRequest, HttpResponse, http::header};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use rsnms_domain::{
    FieldError, Msg,
    page::{CountMode, MAX_LIMIT, Page, PageRequest, SortOrder, SortValue},
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
    /// Also count the rows the filter selects: `exact` (bounded by the server's
    /// `RSNMS_COUNT_LIMIT`; beyond it `count_exact` is `false`) or `estimate`.
    #[param(inline)]
    pub count: Option<CountMode>,
    /// The order asked for (the list's own `sort` parameter); `None`: the id order.
    #[serde(skip)]
    #[param(ignore)]
    pub sort: Option<SortOrder>,
}

/// Encodes a cursor of the id order.
pub fn encode_cursor(after: Uuid) -> String {
    URL_SAFE_NO_PAD.encode(after.as_bytes())
}

/// A cursor of a sorted list: the order it belongs to, the sort key and the id of the last row.
#[derive(Debug, Serialize, Deserialize)]
struct SortedCursor {
    /// The order, as `sort` spells it.
    s: String,
    /// The sort key of the last row.
    k: Vec<SortValue>,
    /// Its id.
    i: Uuid,
}

fn spelled(order: SortOrder) -> String {
    if order.descending { format!("-{}", order.key) } else { order.key.to_owned() }
}

/// Encodes the cursor of a page's next page.
fn next_cursor<D>(page: &Page<D>) -> Option<String> {
    let after = page.next_after?;
    Some(match page.sort {
        None => encode_cursor(after),
        Some(order) => {
            let c = SortedCursor { s: spelled(order), k: page.next_key.clone(), i: after };
            URL_SAFE_NO_PAD.encode(serde_json::to_vec(&c).unwrap_or_default())
        }
    })
}

/// Reads a cursor for the order asked for: `(key, id)`, or `None` when it is not one of ours (or
/// was made for another order).
fn decode_cursor(raw: &str, sort: Option<SortOrder>) -> Option<(Vec<SortValue>, Uuid)> {
    let bytes = URL_SAFE_NO_PAD.decode(raw).ok()?;
    match sort {
        None => Uuid::from_slice(&bytes).ok().map(|u| (Vec::new(), u)),
        Some(order) => {
            let c: SortedCursor = serde_json::from_slice(&bytes).ok()?;
            // A NUL inside a key would reach the database as a parameter PostgreSQL refuses (a
            // 500); no stored key holds one, so such a cursor is not one of ours.
            let nul = c.k.iter().any(|v| matches!(v, SortValue::Text(t) if t.contains('\0')));
            (c.s == spelled(order) && !nul).then_some((c.k, c.i))
        }
    }
}

/// Declares a list's `sort` parameter: an enum of its keys, each ascending (`key`) or
/// descending (`-key`), converted to the domain's [`SortOrder`].
#[macro_export]
macro_rules! sort_param {
    ($(#[$meta:meta])* $name:ident { $( $key:literal / $dkey:literal => $asc:ident / $desc:ident ),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, utoipa::ToSchema)]
        pub enum $name {
            $(
                #[doc = concat!("`", $key, "` ascending (ties by id)")]
                #[serde(rename = $key)]
                $asc,
                #[doc = concat!("`", $key, "` descending (ties by id)")]
                #[serde(rename = $dkey)]
                $desc,
            )+
        }

        impl From<$name> for rsnms_domain::page::SortOrder {
            fn from(s: $name) -> Self {
                match s {
                    $(
                        $name::$asc => Self { key: $key, descending: false },
                        $name::$desc => Self { key: $key, descending: true },
                    )+
                }
            }
        }
    };
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
        let (after_key, after) = match &self.cursor {
            None => (Vec::new(), None),
            Some(c) => match decode_cursor(c, self.sort) {
                Some((k, u)) => (k, Some(u)),
                None => {
                    errors.push(FieldError::new(
                        "cursor",
                        "invalid_cursor",
                        Msg::new("Неверный курсор", "Invalid cursor"),
                    ));
                    (Vec::new(), None)
                }
            },
        };
        if errors.is_empty() {
            Ok(PageRequest { limit, after, count: self.count, sort: self.sort, after_key })
        } else {
            Err(ApiError::validation(errors))
        }
    }
}

/// A page on the wire.
#[derive(Debug, Serialize)]
pub struct ListBody<T> {
    /// The rows.
    pub items: Vec<T>,
    /// Cursor of the next page, `null` on the last.
    pub next_cursor: Option<String>,
    /// Rows the filter selects, when `?count=` asked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count: Option<u64>,
    /// Whether `count` is exact, when `?count=` asked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count_exact: Option<bool>,
}

/// The `Link` header value naming the next page: the request's own query with `cursor`.
pub fn next_link(req: &HttpRequest, cursor: &str) -> String {
    let mut pairs: Vec<(String, String)> = form_urlencoded::parse(req.query_string().as_bytes())
        .filter(|(k, _)| k != "cursor")
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    pairs.push(("cursor".into(), cursor.to_owned()));
    let query = form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish();
    format!("<{}?{}>; rel=\"next\"", req.path(), query)
}

/// Answers 200 with a page and its `Link: rel="next"` header.
pub fn respond<T: Serialize, D>(req: &HttpRequest, page: Page<D>, to_dto: impl FnMut(D) -> T) -> HttpResponse {
    let next_cursor = next_cursor(&page);
    let mut res = HttpResponse::Ok();
    if let Some(c) = &next_cursor {
        res.insert_header((header::LINK, next_link(req, c)));
    }
    res.json(ListBody {
        items: page.items.into_iter().map(to_dto).collect(),
        next_cursor,
        count: page.count.map(|c| c.value),
        count_exact: page.count.map(|c| c.exact),
    })
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
            /// How many rows the filter selects; only with `?count=` (число записей).
            #[schema(nullable = false)]
            pub count: Option<u64>,
            /// `true`: `count` is exact; `false`: an estimate (`?count=estimate`) or the
            /// server's bound with more rows beyond it.
            #[schema(nullable = false)]
            pub count_exact: Option<bool>,
        }
    };
}
