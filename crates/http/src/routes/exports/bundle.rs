//! `GET /exports/federal/bundle`: every federal export of a period as ONE ZIP — `programs.json`,
//! `routes.json`, `diagnostics.json`, `regional-passport.json` and last `manifest.json` (schema
//! version, generated at, record counts, the SHA-256 of each member) — streamed as it is
//! written: the routes page by page, the ZIP's bytes handed to the client as they are
//! compressed (memory stays bounded by a page of routes and the smaller documents). Each member
//! is its export's own document, built by the export's own code: the same personal-data rules.

use std::{
    io::Write,
    sync::{Arc, Mutex},
};

use actix_web::{HttpResponse, get, http::header, web, web::Bytes};
use futures_util::stream;
use rsnms_domain::{DomainError, DomainResult, auth::Ctx};
use sha2::{Digest, Sha256};
use zip::{CompressionMethod, ZipWriter, write::SimpleFileOptions};

use super::{
    Slice, diagnostics,
    dto::{BundleQuery, FederalManifestV1, ManifestFileV1, PeriodV1, TerritoryV1},
    programs, regional_passport,
    routes::{self, Shape, Walk},
};
use crate::{AppState, auth::Auth, extract::Params, openapi::ReadErrors, problem::ApiResult};

/// The bytes the ZIP writer has written and the client not yet been given.
#[derive(Clone, Default)]
struct Sink(Arc<Mutex<Vec<u8>>>);

impl Sink {
    fn take(&self) -> Bytes {
        let mut held = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        Bytes::from(std::mem::take(&mut *held))
    }
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner).extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn zip_error(e: impl std::fmt::Display) -> DomainError {
    DomainError::internal(format!("the export bundle could not be written: {e}"))
}

/// A member being written: its name, schema, hash and size.
struct Member {
    file: ManifestFileV1,
    hash: Sha256,
}

impl Member {
    fn start(
        zip: &mut ZipWriter<zip::write::StreamWriter<Sink>>,
        name: &str,
        schema: &str,
        version: &str,
    ) -> DomainResult<Self> {
        let options = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
        zip.start_file(name, options).map_err(zip_error)?;
        Ok(Self {
            file: ManifestFileV1 {
                name: name.to_owned(),
                schema: schema.to_owned(),
                schema_version: version.to_owned(),
                records: 0,
                bytes: 0,
                sha256: String::new(),
            },
            hash: Sha256::new(),
        })
    }

    fn write(&mut self, zip: &mut ZipWriter<zip::write::StreamWriter<Sink>>, bytes: &[u8]) -> DomainResult<()> {
        self.hash.update(bytes);
        self.file.bytes += bytes.len() as u64;
        zip.write_all(bytes).map_err(zip_error)
    }

    fn finish(self, records: u64) -> ManifestFileV1 {
        ManifestFileV1 { records, sha256: hex::encode(self.hash.finalize()), ..self.file }
    }
}

/// Where the bundle is in its writing.
enum Step {
    Programs,
    Routes(Box<(Walk, Member)>),
    Diagnostics,
    Passport,
    Manifest,
    Done,
}

/// The bundle being written, a step at a time.
struct Bundle {
    state: web::Data<AppState>,
    ctx: Ctx,
    period: (chrono::NaiveDate, chrono::NaiveDate),
    territory: TerritoryV1,
    slice: Slice,
    zip: ZipWriter<zip::write::StreamWriter<Sink>>,
    sink: Sink,
    files: Vec<ManifestFileV1>,
    step: Step,
}

impl Bundle {
    /// Writes a whole document as a member and lists it.
    fn whole(
        &mut self,
        name: &str,
        schema: &str,
        version: &str,
        doc: &impl serde::Serialize,
        records: u64,
    ) -> DomainResult<()> {
        let body = serde_json::to_vec(doc).map_err(zip_error)?;
        let mut member = Member::start(&mut self.zip, name, schema, version)?;
        member.write(&mut self.zip, &body)?;
        self.files.push(member.finish(records));
        Ok(())
    }

    /// Writes the next piece and answers the ZIP's bytes written meanwhile (`None` at the end).
    async fn next(&mut self) -> DomainResult<Option<Bytes>> {
        match std::mem::replace(&mut self.step, Step::Done) {
            Step::Programs => {
                let doc = programs::document(&self.state, self.period.0, self.period.1, &self.slice).await?;
                let records = doc.programs.len() as u64;
                self.whole("programs.json", &doc.schema, &doc.schema_version, &doc, records)?;
                let walk = routes::walk(
                    self.state.clone(),
                    self.ctx.clone(),
                    self.period,
                    self.territory.clone(),
                    &self.slice,
                    Shape::Json,
                )
                .await?;
                let member = Member::start(&mut self.zip, "routes.json", "rsnms.federal.routes", "1.0")?;
                self.step = Step::Routes(Box::new((walk, member)));
            }
            Step::Routes(mut routes) => match routes.0.next_chunk().await? {
                Some(chunk) => {
                    routes.1.write(&mut self.zip, &chunk)?;
                    self.step = Step::Routes(routes);
                }
                None => {
                    let (walk, member) = *routes;
                    self.files.push(member.finish(walk.totals.routes));
                    self.step = Step::Diagnostics;
                }
            },
            Step::Diagnostics => {
                let doc = diagnostics::document(&self.state, self.period, self.territory.clone(), &self.slice).await?;
                let records = doc.campaigns.len() as u64;
                self.whole("diagnostics.json", &doc.schema, &doc.schema_version, &doc, records)?;
                self.step = Step::Passport;
            }
            Step::Passport => {
                let doc = regional_passport::document(
                    &self.state,
                    &self.ctx,
                    self.period,
                    self.territory.clone(),
                    &self.slice,
                )
                .await?;
                let records =
                    (doc.participants.len() + doc.methodologists.len() + doc.responsible_persons.len()) as u64;
                self.whole("regional-passport.json", &doc.schema, &doc.schema_version, &doc, records)?;
                self.step = Step::Manifest;
            }
            Step::Manifest => {
                let manifest = FederalManifestV1 {
                    schema: "rsnms.federal.manifest".into(),
                    schema_version: "1.0".into(),
                    generated_at: chrono::Utc::now(),
                    period: PeriodV1 { from: self.period.0, to: self.period.1 },
                    territory: self.territory.clone(),
                    updated_since: self.slice.since,
                    files: std::mem::take(&mut self.files),
                };
                let body = serde_json::to_vec_pretty(&manifest).map_err(zip_error)?;
                let options = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
                self.zip.start_file("manifest.json", options).map_err(zip_error)?;
                self.zip.write_all(&body).map_err(zip_error)?;
                let zip = std::mem::replace(&mut self.zip, ZipWriter::new_stream(Sink::default()));
                zip.finish().map_err(zip_error)?;
                self.step = Step::Done;
                return Ok(Some(self.sink.take()));
            }
            Step::Done => return Ok(None),
        }
        Ok(Some(self.sink.take()))
    }
}

/// Export every federal export as one ZIP (архив выгрузки) with a verifiable manifest.
///
/// `application/zip` holding `programs.json` (as `GET /exports/federal/programs`),
/// `routes.json` (as `GET /exports/federal/routes`), `diagnostics.json` (as
/// `GET /exports/federal/diagnostics`), `regional-passport.json` (as
/// `GET /exports/federal/regional-passport`) and last `manifest.json`
/// (`schema` = `rsnms.federal.manifest`, `schema_version` = `1.0`): when it was made, the
/// period, territory and `updated_since`, and per member its schema and version, record count,
/// size and SHA-256 — `sha256sum` of the unpacked member gives the same hex, so a receiver tells
/// a complete transfer from a cut one. With `updated_since` only records changed after that
/// instant (exactly those whose change-feed events came after it). Each member follows its
/// export's personal-data rules (bases for `federal_exchange`, audited reads). Streamed as it is
/// written. Administrators, operators and the federal integration export; a municipal
/// authority its own municipality only (every member narrowed to it).
#[utoipa::path(
    tag = "exports",
    params(BundleQuery),
    responses(
        (status = 200, description = "The ZIP: programs.json, routes.json, diagnostics.json, regional-passport.json, manifest.json",
         content((Vec<u8> = "application/zip"))),
        ReadErrors
    ),
    security(("bearer" = []))
)]
#[get("/exports/federal/bundle")]
pub async fn get_federal_bundle(
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    Params(q): Params<BundleQuery>,
) -> ApiResult<HttpResponse> {
    let territory = super::territory(&ctx, q.region_code, q.municipality_code)?;
    let (from, to) = super::period(q.period_from, q.period_to)?;
    let sink = Sink::default();
    let mut bundle = Bundle {
        state,
        ctx,
        period: (from, to),
        territory,
        slice: Slice { since: q.updated_since, page: None },
        zip: ZipWriter::new_stream(sink.clone()),
        sink,
        files: Vec::new(),
        step: Step::Programs,
    };
    // The first step is taken before answering, so that an early failure is a proper problem.
    let first = bundle.next().await?;
    let rest = stream::try_unfold(bundle, |mut bundle| async move {
        match bundle.next().await {
            Ok(Some(chunk)) => Ok(Some((chunk, bundle))),
            Ok(None) => Ok(None),
            Err(e) => {
                tracing::error!(error = %e, "the export bundle failed while streaming");
                Err(std::io::Error::other("the export failed"))
            }
        }
    });
    let body = futures_util::StreamExt::chain(stream::iter(first.map(Ok::<_, std::io::Error>)), rest);
    Ok(HttpResponse::Ok()
        .content_type("application/zip")
        .insert_header((header::CONTENT_DISPOSITION, format!("attachment; filename=\"federal-{from}-{to}.zip\"")))
        .streaming(body))
}
