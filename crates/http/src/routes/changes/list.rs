use actix_web::{HttpRequest, HttpResponse, get, http::header, web};
use rsnms_domain::{FieldError, Msg, exchange::ChangeQuery};

use super::dto::{ChangeList, ChangeQueryParams, ChangeView};
use crate::{
    AppState,
    auth::Auth,
    extract::Params,
    openapi::ReadErrors,
    problem::{ApiError, ApiResult},
};

const DEFAULT_LIMIT: u64 = 100;
const MAX_LIMIT: u64 = 1000;

fn query(q: &ChangeQueryParams) -> Result<ChangeQuery, ApiError> {
    let mut errors = Vec::new();
    let after = match q.after.as_deref().map(str::trim) {
        None | Some("") => 0,
        Some(a) => match a.parse::<i64>() {
            Ok(n) if n >= 0 => n,
            _ => {
                errors.push(FieldError::new("after", "invalid_cursor", Msg::new("Неверный курсор", "Invalid cursor")));
                0
            }
        },
    };
    let limit = q.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        errors.push(FieldError::new("limit", "out_of_range", Msg::new("limit — от 1 до 1000", "limit must be 1–1000")));
    }
    let mut types = Vec::new();
    for t in q.types.as_deref().unwrap_or_default().split(',').map(str::trim).filter(|t| !t.is_empty()) {
        if t.len() > 64 || !t.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
            errors.push(FieldError::new(
                "types",
                "invalid_parameter",
                Msg::new("Типы ресурсов через запятую", "Comma-separated resource types"),
            ));
            break;
        }
        types.push(t.to_owned());
    }
    if errors.is_empty() {
        Ok(ChangeQuery { after, types, limit, until: None })
    } else {
        Err(ApiError::validation(errors))
    }
}

/// Follow changes (лента изменений).
///
/// Every create, update and delete of every resource, in commit order, from the outbox the
/// changes themselves wrote. Start with no cursor (or `0`), then pass `next_cursor` back as
/// `after`: the feed is resumable from any cursor and never skips an event that commits late.
/// Only events inside the caller's scope are listed; payloads holding personal data are
/// withheld from roles that may not see it. Applying the payloads of every event in order
/// (a delete removes) rebuilds the state the caller may see.
#[utoipa::path(
    tag = "changes",
    params(ChangeQueryParams),
    responses(
        (status = 200, description = "A page of changes", body = ChangeList,
         headers(("Link" = String, description = "`<…>; rel=\"next\"` when more events are already available"))),
        ReadErrors
    ),
    security(("bearer" = []))
)]
#[get("/changes")]
pub async fn list_changes(
    req: HttpRequest,
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    Params(q): Params<ChangeQueryParams>,
) -> ApiResult<HttpResponse> {
    let mut query = query(&q)?;
    // One probe row tells whether more is available.
    query.limit += 1;
    let mut events = rsnms_domain::exchange::feed::read_changes(state.changes.as_ref(), &ctx, &query).await?;
    let has_more = events.len() as u64 >= query.limit;
    events.truncate(usize::try_from(query.limit - 1).unwrap_or(usize::MAX));
    let next_cursor = events.last().map_or(query.after, |(e, _)| e.position).to_string();
    let mut res = HttpResponse::Ok();
    if has_more {
        let mut pairs: Vec<(String, String)> = form_urlencoded::parse(req.query_string().as_bytes())
            .filter(|(k, _)| k != "after")
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        pairs.push(("after".into(), next_cursor.clone()));
        let qs = form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish();
        res.insert_header((header::LINK, format!("<{}?{}>; rel=\"next\"", req.path(), qs)));
    }
    Ok(res.json(ChangeList {
        items: events.into_iter().map(|(e, shown)| ChangeView::new(e, shown)).collect(),
        next_cursor,
        has_more,
    }))
}
