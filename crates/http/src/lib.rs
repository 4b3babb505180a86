//! The HTTP face of rsnms: actix-web handlers, DTOs, authentication, problem+json and the
//! OpenAPI contract. Handlers are thin: extract → validate → domain → response DTO.

pub mod auth;
pub mod csv_format;
pub mod dto;
pub mod extract;
pub mod imports;
pub mod merge;
pub mod metrics;
pub mod middleware;
pub mod openapi;
pub mod page;
pub mod problem;
pub mod routes;
pub mod routing;

use std::sync::Arc;

use actix_cors::Cors;
use actix_web::{
    App, Error,
    body::MessageBody,
    dev::{ServiceFactory, ServiceRequest, ServiceResponse},
    http::{Method, header},
    middleware::from_fn,
    web,
};
use rsnms_domain::{
    accounts::AccountRepository, audit::AuditRepository, health::HealthCheck, idempotency::IdempotencyStore,
    organizations::OrganizationRepository, persons::PersonRepository,
};
use utoipa::OpenApi;
use utoipa_actix_web::{AppExt, scope};
use utoipa_swagger_ui::SwaggerUi;

use crate::{
    auth::TokenIssuer,
    extract::BodyLimit,
    metrics::Metrics,
    middleware::{edge, idempotency, pace, rate_limit},
    problem::ApiError,
    routing::{RouteTable, fallback},
};

/// The repositories handlers use, as domain traits (the server wires the implementations).
#[derive(Clone)]
pub struct AppState {
    /// Organisations.
    pub organizations: Arc<dyn OrganizationRepository>,
    /// Persons.
    pub persons: Arc<dyn PersonRepository>,
    /// Tripartite agreements.
    pub agreements: Arc<dyn rsnms_domain::agreements::AgreementRepository>,
    /// Accounts.
    pub accounts: Arc<dyn AccountRepository>,
    /// Identity links of accounts (subjects of trusted OpenID Connect providers).
    pub identities: Arc<dyn rsnms_domain::identities::IdentityRepository>,
    /// Failed sign-ins and refresh-token sessions.
    pub sign_ins: Arc<dyn rsnms_domain::sign_in::SignInRepository>,
    /// Audit trail.
    pub audit: Arc<dyn AuditRepository>,
    /// Database health.
    pub health: Arc<dyn HealthCheck>,
    /// Units of work (imports).
    pub units: Arc<dyn rsnms_domain::exchange::UnitOfWork>,
    /// The change feed.
    pub changes: Arc<dyn rsnms_domain::exchange::ChangeFeed>,
    /// Webhooks.
    pub webhooks: Arc<dyn rsnms_domain::exchange::WebhookRepository>,
    /// Asynchronous import jobs.
    pub import_jobs: Arc<dyn rsnms_domain::exchange::ImportJobRepository>,
    /// Network requests.
    pub network_requests: Arc<dyn rsnms_domain::network_requests::NetworkRequestRepository>,
    /// References of requests and replies to stored files.
    pub attachments: Arc<dyn rsnms_domain::attachments::AttachmentRepository>,
    /// Where the files' contents are kept (the database by default).
    pub blobs: Arc<dyn rsnms_domain::attachments::BlobStore>,
    /// Limits of uploads (`RSNMS_ATTACHMENT_MAX_BYTES`, `RSNMS_ATTACHMENTS_PER_PARENT_MAX_BYTES`).
    pub attachment_limits: rsnms_domain::attachments::Limits,
    /// Deadline policies.
    pub deadline_policies: Arc<dyn rsnms_domain::deadlines::DeadlinePolicyRepository>,
    /// Production calendar years.
    pub calendars: Arc<dyn rsnms_domain::deadlines::CalendarRepository>,
    /// Competency framework.
    pub competencies: Arc<dyn rsnms_domain::development::competencies::CompetencyRepository>,
    /// Diagnostic campaigns and results.
    pub diagnostics: Arc<dyn rsnms_domain::development::diagnostics::DiagnosticRepository>,
    /// Programmes (ДПП).
    pub programs: Arc<dyn rsnms_domain::development::programs::ProgramRepository>,
    /// Individual educational routes (ИОМ).
    pub routes: Arc<dyn rsnms_domain::development::iom::RouteRepository>,
    /// Route templates.
    pub route_templates: Arc<dyn rsnms_domain::development::iom::RouteTemplateRepository>,
    /// Events and internship sites.
    pub offerings: Arc<dyn rsnms_domain::development::events::OfferingRepository>,
    /// Mentoring pairs.
    pub mentoring: Arc<dyn rsnms_domain::development::mentoring::MentoringRepository>,
    /// Which route steps need accepted evidence to be done (`RSNMS_ROUTE_EVIDENCE_ACTIVITIES`).
    pub route_evidence: rsnms_domain::development::iom::EvidencePolicy,
    /// Event registrations.
    pub participations: Arc<dyn rsnms_domain::development::participation::ParticipationRepository>,
    /// Monitoring counts.
    pub monitoring: Arc<dyn rsnms_domain::monitoring::MonitoringRepository>,
    /// Where webhooks may be delivered (`RSNMS_WEBHOOK_ALLOWED_NETWORKS`).
    pub webhook_targets: rsnms_domain::exchange::webhooks::TargetPolicy,
    /// Smallest group shown in aggregates (`RSNMS_MIN_GROUP_SIZE`); smaller ones are suppressed.
    pub min_group_size: u64,
    /// Purposes and bases of processing personal data; depersonalisation.
    pub personal_data: Arc<dyn rsnms_domain::personal_data::PersonalDataRepository>,
    /// Days from the end of a person's last basis to her depersonalisation
    /// (`RSNMS_PD_DEPERSONALISE_AFTER_DAYS`).
    pub pd_term_days: u32,
    /// Retention per category of data (`RSNMS_PD_RETENTION_DAYS`).
    pub pd_retention: rsnms_domain::personal_data::Retention,
}

impl AppState {
    /// The stores a person's write carrying bases of processing needs.
    pub fn person_stores(&self) -> rsnms_domain::personal_data::PersonStores<'_> {
        rsnms_domain::personal_data::PersonStores {
            persons: self.persons.as_ref(),
            organizations: self.organizations.as_ref(),
            units: self.units.as_ref(),
        }
    }
}

/// HTTP settings.
#[derive(Debug, Clone)]
pub struct HttpSettings {
    /// Largest JSON body in bytes.
    pub body_limit: usize,
    /// Origins allowed by CORS (`*` for any).
    pub cors_origins: Vec<String>,
    /// Rate limits: per caller, and per address and login on sign-in endpoints.
    pub rate_limits: middleware::RateLimits,
    /// Largest import body in bytes (`RSNMS_IMPORT_MAX_BYTES`).
    pub import_max_bytes: u64,
    /// How long an `Idempotency-Key`'s claim lasts without renewal (`RSNMS_IDEMPOTENCY_LEASE_SECONDS`).
    pub idempotency_lease: std::time::Duration,
    /// Tests only: a "crash" injected for one key (`RSNMS_TEST_IDEMPOTENCY_FAULT`).
    pub idempotency_fault: Option<middleware::IdempotencyFault>,
    /// How slowly a client may send a request body.
    pub pace: middleware::Pace,
    /// Accounts and tokens.
    pub tokens: TokenPolicy,
    /// Trusted OpenID Connect providers (`RSNMS_OIDC_*`).
    pub oidc: auth::OidcSettings,
}

/// How sign-ins and tokens are handled.
#[derive(Debug, Clone)]
pub struct TokenPolicy {
    /// Back-off of failed sign-ins.
    pub sign_in: rsnms_domain::sign_in::SignInPolicy,
    /// Lifetime of a session's refresh tokens, from sign-in (`RSNMS_REFRESH_TTL_SECONDS`).
    pub refresh_ttl_seconds: i64,
    /// How long an instance trusts what it read of an account (`RSNMS_TOKEN_CHECK_TTL_MS`).
    pub check_ttl: std::time::Duration,
    /// Accept tokens whose subject is not an account id (the test harness; never set from the
    /// environment).
    pub accept_unbound: bool,
}

/// Everything an app instance needs; cheap to clone per worker.
#[derive(Clone)]
pub struct AppContext {
    /// Repositories.
    pub state: web::Data<AppState>,
    /// Token issuer and verifier.
    pub issuer: web::Data<TokenIssuer>,
    /// Idempotency keys.
    pub keys: web::Data<middleware::IdempotencyKeys>,
    /// Metrics.
    pub metrics: web::Data<Metrics>,
    /// The published document.
    pub openapi: web::Data<PublishedSpec>,
    /// The route table read from the document.
    pub routes: web::Data<RouteTable>,
    /// The rate limiter (shared by the workers of this instance).
    pub limiter: web::Data<middleware::RateLimiter>,
    /// The per-request account check (shared by the workers of this instance).
    pub standings: web::Data<auth::Standings>,
    /// Trusted identity providers and their cached keys (shared by the workers of this instance).
    pub providers: web::Data<auth::Providers>,
    /// Settings.
    pub settings: HttpSettings,
    /// Builds each worker's own repositories (see [`AppContext::with_worker_state`]); `None`: every
    /// worker shares [`AppContext::state`].
    worker_state: Option<Arc<dyn Fn() -> AppState + Send + Sync>>,
}

/// The OpenAPI document as served.
#[derive(Debug)]
pub struct PublishedSpec(pub serde_json::Value);

impl AppContext {
    /// Builds the context (computing the OpenAPI document once).
    pub fn new(
        state: AppState,
        issuer: TokenIssuer,
        keys: Arc<dyn IdempotencyStore>,
        settings: HttpSettings,
    ) -> Result<Self, String> {
        let api = openapi_document();
        let providers = auth::Providers::new(settings.oidc.clone())?;
        let standings = auth::Standings::new(
            state.accounts.clone(),
            settings.tokens.check_ttl,
            issuer.max_age_seconds(),
            settings.tokens.accept_unbound,
        );
        Ok(Self {
            standings: web::Data::new(standings),
            providers: web::Data::new(providers),
            state: web::Data::new(state),
            issuer: web::Data::new(issuer),
            keys: web::Data::new(middleware::IdempotencyKeys {
                store: keys,
                lease: settings.idempotency_lease,
                fault: settings.idempotency_fault.clone(),
                fault_fired: Arc::default(),
            }),
            metrics: web::Data::new(Metrics::default()),
            routes: web::Data::new(RouteTable::from_openapi(&api)),
            openapi: web::Data::new(PublishedSpec(openapi::finalize(&api))),
            limiter: web::Data::new(middleware::RateLimiter::new(settings.rate_limits.clone())),
            settings,
            worker_state: None,
        })
    }

    /// Gives every actix worker the repositories `make` builds on that worker's thread (over a
    /// connection pool of the worker's own runtime) instead of the shared [`AppContext::state`];
    /// the limiter, the account checks and the caches stay shared by the instance.
    #[must_use]
    pub fn with_worker_state(mut self, make: impl Fn() -> AppState + Send + Sync + 'static) -> Self {
        self.worker_state = Some(Arc::new(make));
        self
    }
}

fn api_v1(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    routes::auth::routes(cfg);
    routes::organizations::routes(cfg);
    routes::persons::routes(cfg);
    routes::personal_data::routes(cfg);
    routes::agreements::routes(cfg);
    routes::accounts::routes(cfg);
    routes::audit::routes(cfg);
    routes::calendars::routes(cfg);
    routes::deadline_policies::routes(cfg);
    routes::network_requests::routes(cfg);
    routes::attachments::routes(cfg);
    routes::request_numbering::routes(cfg);
    routes::import_jobs::routes(cfg);
    routes::imports::routes(cfg);
    routes::changes::routes(cfg);
    routes::webhooks::routes(cfg);
    routes::exports::routes(cfg);
    routes::competencies::routes(cfg);
    routes::diagnostics::routes(cfg);
    routes::programs::routes(cfg);
    routes::individual_routes::routes(cfg);
    routes::route_templates::routes(cfg);
    routes::events::routes(cfg);
    routes::event_participants::routes(cfg);
    routes::internship_sites::routes(cfg);
    routes::mentoring_pairs::routes(cfg);
    routes::monitoring::routes(cfg);
}

fn register<T>(app: utoipa_actix_web::UtoipaApp<T>) -> utoipa_actix_web::UtoipaApp<T>
where
    T: ServiceFactory<ServiceRequest, Config = (), Error = Error, InitError = ()>,
{
    app.openapi(openapi::ApiDoc::openapi()).configure(routes::health::routes).service(
        scope::scope("/api/v1")
            .wrap(from_fn(routing::literal_first))
            .wrap(from_fn(middleware::conditional))
            .wrap(from_fn(idempotency))
            .wrap(from_fn(middleware::wait_for_database))
            .wrap(from_fn(rate_limit))
            .configure(api_v1),
    )
}

/// The OpenAPI document generated from the registered handlers.
pub fn openapi_document() -> utoipa::openapi::OpenApi {
    let (_, api) = register(App::new().into_utoipa_app()).split_for_parts();
    api
}

/// The published OpenAPI document (JSON), as committed under `openapi/openapi.json`.
pub fn openapi_json() -> serde_json::Value {
    openapi::finalize(&openapi_document())
}

fn cors(origins: &[String]) -> Cors {
    let mut c = Cors::default()
        .allowed_methods([Method::GET, Method::POST, Method::PATCH, Method::PUT, Method::DELETE])
        .allowed_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::ACCEPT,
            header::ACCEPT_LANGUAGE,
            header::IF_MATCH,
            header::IF_NONE_MATCH,
            header::HeaderName::from_static("idempotency-key"),
            header::HeaderName::from_static("x-request-id"),
            header::HeaderName::from_static("prefer"),
        ])
        .expose_headers([
            header::ETAG,
            header::LINK,
            header::LOCATION,
            header::RETRY_AFTER,
            header::HeaderName::from_static("x-request-id"),
            header::HeaderName::from_static("idempotent-replayed"),
            header::HeaderName::from_static("preference-applied"),
            header::HeaderName::from_static("ratelimit-limit"),
            header::HeaderName::from_static("ratelimit-remaining"),
            header::HeaderName::from_static("ratelimit-reset"),
        ])
        .max_age(3600);
    for o in origins {
        c = if o == "*" { c.allow_any_origin() } else { c.allowed_origin(o) };
    }
    c
}

async fn serve_spec(spec: web::Data<PublishedSpec>) -> actix_web::HttpResponse {
    actix_web::HttpResponse::Ok().json(&spec.0)
}

/// Builds the application for one worker.
pub fn app(
    ctx: AppContext,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = Error,
        InitError = (),
    >,
> {
    let limit = ctx.settings.body_limit;
    let state = ctx.worker_state.as_ref().map_or(ctx.state, |make| web::Data::new(make()));

    register(App::new().into_utoipa_app())
        .into_app()
        .app_data(state)
        .app_data(ctx.issuer)
        .app_data(ctx.keys)
        .app_data(ctx.metrics)
        .app_data(ctx.routes)
        .app_data(ctx.limiter)
        .app_data(ctx.standings)
        .app_data(ctx.providers)
        .app_data(web::Data::new(ctx.settings.tokens.clone()))
        .app_data(ctx.openapi)
        .app_data(BodyLimit(limit))
        .app_data(routes::imports::ImportLimit(ctx.settings.import_max_bytes))
        .app_data(web::PayloadConfig::new(limit))
        .app_data(
            web::JsonConfig::default().limit(limit).error_handler(|e, _| {
                ApiError::bad_request(rsnms_domain::Msg::new(e.to_string(), e.to_string())).into()
            }),
        )
        .app_data(web::QueryConfig::default().error_handler(|e, _| {
            ApiError::validation(vec![rsnms_domain::FieldError::new(
                "query",
                "invalid_parameter",
                rsnms_domain::Msg::new(e.to_string(), e.to_string()),
            )])
            .into()
        }))
        .app_data(web::PathConfig::default().error_handler(|_, req| routing::bad_path(req).into()))
        .route("/openapi.json", web::get().to(serve_spec))
        .service(SwaggerUi::new("/docs/{_:.*}").url("/docs/openapi.json", openapi_document()))
        .default_service(web::to(fallback))
        .app_data(web::Data::new(ctx.settings.pace))
        .wrap(from_fn(pace))
        .wrap(cors(&ctx.settings.cors_origins))
        .wrap(from_fn(edge))
}
