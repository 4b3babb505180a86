use actix_web::{HttpRequest, HttpResponse, get, http::header, web};
use rsnms_domain::{
    FieldError, Msg,
    exchange::{ChangeQuery, feed},
};

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
        Ok(ChangeQuery { after, types, limit, until: None, readable: None })
    } else {
        Err(ApiError::validation(errors))
    }
}

/// Follow changes (лента изменений).
///
/// Every create, update and delete of every resource, in commit order, from the outbox the
/// changes themselves wrote. Start with no cursor (or `0`), then pass `next_cursor` back as
/// `after`: the feed is resumable from any cursor and never skips an event that commits late.
/// The feed follows the read rules of the resources: a role receives the events of the resource
/// types it may read with GET, inside its scope (catalogues — programmes, events, campaigns,
/// competencies, calendars, policies, monitoring definitions — whole); a network request's
/// events reach both parties once it was sent. Personal data travels only to readers who may
/// read that person's personal data (hidden field by field as GET hides it, or the whole payload
/// withheld), and every page that shows it is audited as a read. Applying the payloads of every
/// event in order (a delete removes) rebuilds the state the caller reads with GET.
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
    let query = query(&q)?;
    let deps =
        feed::Deps { feed: state.changes.as_ref(), bases: state.personal_data.as_ref(), audit: state.audit.as_ref() };
    let (events, has_more) = feed::read_changes(deps, &ctx, &query).await?;
    let next_cursor = events.last().map_or(query.after, |p| p.event.position).to_string();
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
    Ok(res.json(ChangeList { items: events.into_iter().map(ChangeView::new).collect(), next_cursor, has_more }))
}
