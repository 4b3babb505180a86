//! `agreements`: tripartite agreements, one whole document per NDJSON line as
//! `POST /api/v1/agreements` takes it (issue 4) — NDJSON only, a nested document has no CSV form.
//! `status: signed` loads an agreement concluded earlier, as the create does.
//!
//! Matched by `id`, or by `number` + the municipal party
//! (`parties.municipal_authority.organization_id`) + `signed_on` (`id_scheme=number`; a record
//! without `signed_on` matches an agreement without one). A matched record is a merge patch of
//! the stored document: unchanged when the patched document equals it; a draft is updated in
//! place (and signed with `status: signed`); a signed agreement changes only through amendments,
//! so any difference gets the update's own 409 naming the amendments route.

use async_trait::async_trait;
use chrono::NaiveDate;
use rsnms_domain::{
    DomainError, DomainResult, FieldError, Msg,
    agreements::{
        Agreement, AgreementFilter, AgreementInput, Lifecycle, create_agreement, sign_agreement, update_agreement,
        validate_document,
    },
    auth::{Ctx, Role},
    exchange::{Applied, ImportOptions, Outcome, Unit},
};
use serde_json::{Map, Value};
use uuid::Uuid;

use super::{Dataset, finish, may_update, parse_all, take_field, take_id, unknown_id};
use crate::{dto::agreements::AgreementWrite, imports::reader::Format, merge::apply_patch};

/// The agreements dataset.
pub struct Agreements;

const MUNICIPAL_PARTY: &str = "parties.municipal_authority.organization_id";

/// The agreement a record's number, municipal party and signing date name, within the scope.
async fn by_number(
    unit: &dyn Unit,
    ctx: &Ctx,
    record: &Map<String, Value>,
    errors: &mut Vec<FieldError>,
) -> DomainResult<Option<Agreement>> {
    let number = record.get("number").and_then(Value::as_str).map(str::trim).filter(|n| !n.is_empty());
    if number.is_none() {
        errors.push(FieldError::required("number"));
    }
    let party = record
        .get("parties")
        .and_then(|p| p.get("municipal_authority"))
        .and_then(|m| m.get("organization_id"))
        .and_then(Value::as_str)
        .and_then(|s| s.trim().parse::<Uuid>().ok());
    if party.is_none() {
        errors.push(FieldError::required(MUNICIPAL_PARTY));
    }
    let signed_on = match record.get("signed_on") {
        None | Some(Value::Null) => None,
        Some(v) => match v.as_str().and_then(|s| s.trim().parse::<NaiveDate>().ok()) {
            Some(d) => Some(d),
            None => {
                errors.push(FieldError::new(
                    "signed_on",
                    "invalid_type",
                    Msg::new("Дата в формате ГГГГ-ММ-ДД", "A date as YYYY-MM-DD"),
                ));
                return Ok(None);
            }
        },
    };
    let (Some(number), Some(party)) = (number, party) else { return Ok(None) };
    let filter = AgreementFilter { party_id: Some(party), ..AgreementFilter::current() };
    let found = unit.agreements().all(&ctx.actor.scope(), &filter).await?;
    Ok(found.into_iter().find(|a| {
        let d = &a.document;
        d.number == number && d.parties.municipal_authority.organization_id == party && d.signed_on == signed_on
    }))
}

#[async_trait]
impl Dataset for Agreements {
    fn name(&self) -> &'static str {
        "agreements"
    }

    fn id_schemes(&self) -> &'static [&'static str] {
        &["id", "number"]
    }

    fn writers(&self) -> &'static [Role] {
        rsnms_domain::agreements::WRITERS
    }

    fn formats(&self) -> &'static [Format] {
        &[Format::Ndjson, Format::Json]
    }

    async fn apply(
        &self,
        unit: &dyn Unit,
        ctx: &Ctx,
        mut record: Map<String, Value>,
        opts: &ImportOptions,
    ) -> DomainResult<Applied> {
        let mut errors = Vec::new();
        let existing = match opts.id_scheme.as_str() {
            "number" => {
                record.remove("id");
                by_number(unit, ctx, &record, &mut errors).await?
            }
            _ => match take_id(&mut record) {
                Err(DomainError::Validation(e)) => {
                    errors.extend(e);
                    None
                }
                Err(e) => return Err(e),
                Ok(None) => None,
                Ok(Some(id)) => match unit.agreements().get(&ctx.actor.scope(), id).await {
                    Ok(a) => Some(a),
                    Err(DomainError::NotFound) => return Err(unknown_id()),
                    Err(e) => return Err(e),
                },
            },
        };
        let Some(current) = existing else {
            let dto: AgreementWrite = parse_all(record, errors)?;
            let created = create_agreement(unit.agreements(), unit.organizations(), ctx, dto.into()).await?;
            return Ok(Outcome::Created.of(created.id));
        };
        let wanted: Option<Lifecycle> = take_field(&mut record, "status", &mut errors);
        finish(errors)?;
        may_update(opts, opts.id_scheme.as_str())?;
        let patch = Value::Object(record);
        let input = apply_patch::<AgreementWrite, _>(AgreementInput::from_document(&current.document), &patch)?;
        let same_document = validate_document(&input, &current.document.indicators)? == current.document;
        if same_document && wanted.is_none_or(|s| s == current.lifecycle) {
            return Ok(Outcome::Unchanged.of(current.id));
        }
        if wanted == Some(Lifecycle::Terminated) {
            let route = format!("/api/v1/agreements/{}/terminate", current.id);
            return Err(DomainError::field(
                "status",
                "not_importable",
                Msg::new(
                    format!("Соглашение расторгают действием POST {route}"),
                    format!("Terminate through POST {route}"),
                ),
            ));
        }
        let mut a = current;
        if !same_document || a.lifecycle != Lifecycle::Draft {
            // The lifecycle's own rules: a draft changes in place; a signed agreement only through
            // amendments (409 naming the route).
            a = update_agreement(unit.agreements(), unit.organizations(), ctx, a.id, a.version, |_| Ok(input)).await?;
        }
        if wanted == Some(Lifecycle::Signed) && a.lifecycle == Lifecycle::Draft {
            sign_agreement(unit.agreements(), ctx, a.id, a.version, None).await?;
        }
        Ok(Outcome::Updated.of(a.id))
    }
}
