//! Application state, routing and the HTTP server.

use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use actix_files::{Files, NamedFile};
use actix_web::dev::{fn_service, ServiceRequest, ServiceResponse};
use actix_web::{get, middleware, web, App, HttpMessage, HttpResponse, HttpServer};
use sea_orm::DatabaseConnection;
use secrecy::ExposeSecret;
use sportello_pagopa::{
    CheckoutClient, CheckoutConfig, FdrClient, GpdClient, GpdConfig, GpdReceiptsClient,
    PaymentGateway, SimulatorGateway,
};
use time::OffsetDateTime;
use tracing_actix_web::{RequestId, TracingLogger};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::accounts::federation::keys::RelyingPartyKeys;
use crate::accounts::federation::trust_chain::TrustAnchor;
use crate::accounts::federation::{self, Federation, FederationSettings};
use crate::accounts::oidc::OidcClient;
use crate::auth::JwtKeys;
use crate::bookings::calendar::MealServices;
use crate::communications::channels::{self, Channels};
use crate::config::{Config, Environment, OidcProviderConfig};
use crate::dev_idp::{self, DevIdp};
use crate::error::{extractors, render, ApiError};
use crate::http::{refuse_unreadable_uri, security_headers, SecurityHeaders};
use crate::payments::low_balance::Alerting;
use crate::retry::Retrying;
use crate::telemetry::RequestSpan;
use crate::{
    accounts, audit, bookings, canteen, children, communications, content, demo, entes, families,
    forms, idempotency, integrations, jobs, openapi, operations, payments, reports, schools,
    test_clock,
};
use sportello_model::paths;

/// How to reach a pagoPA REST service configured as base URL and subscription key.
fn pagopa_service((base_url, subscription_key): &(String, secrecy::SecretString)) -> GpdConfig {
    GpdConfig {
        base_url: base_url.clone(),
        subscription_key: subscription_key.clone(),
        timeout: std::time::Duration::from_secs(15),
    }
}

pub struct AppState {
    pub db: DatabaseConnection,
    pub config: Config,
    /// Base address of the portal as users reach it.
    pub public_url: String,
    pub jwt: JwtKeys,
    pub oidc: OidcClient,
    /// The installation in the SPID/CIE federation; `None` in production without keys
    /// and trust anchor (no SPID/CIE login then).
    pub federation: Option<Federation>,
    pub dev_idp: Option<DevIdp>,
    /// Where notices are registered: pagoPA's GPD, or the simulator outside production;
    /// `None` when neither is configured (notices cannot be created).
    pub gateway: Option<Arc<dyn PaymentGateway>>,
    /// Where families pay online: pagoPA Checkout, or the simulator's outside
    /// production; `None` when neither is configured (notices are paid at a counter).
    pub checkout: Option<CheckoutClient>,
    /// pagoPA's GPD-payments receipts API, for the comuni that use only GPD.
    pub gpd_receipts: Option<Arc<GpdReceiptsClient>>,
    /// pagoPA's FdR service, for the flussi di rendicontazione.
    pub fdr: Option<Arc<FdrClient>>,
    /// The channels the outbox's worker delivers through.
    pub channels: Channels,
    pub clock: Arc<Clock>,
    /// What the families' bookings read of each canteen service, kept between requests.
    pub meal_services: MealServices,
}

/// The server's notion of "now": real time, or in tests a chosen start that runs on.
/// In the test environment only, tests may also move it forward ([`Clock::advance`]).
pub struct Clock {
    start: Option<(OffsetDateTime, std::time::Instant)>,
    /// Whether [`Clock::advance`] may move it: in the test environment only.
    movable: bool,
    /// How far tests have moved it forward, in nanoseconds.
    advanced_nanos: AtomicI64,
}

impl Clock {
    pub fn new(fake_now: Option<OffsetDateTime>, movable: bool) -> Clock {
        Clock {
            start: fake_now.map(|t| (t, std::time::Instant::now())),
            movable,
            advanced_nanos: AtomicI64::new(0),
        }
    }

    pub fn now(&self) -> OffsetDateTime {
        let now = match self.start {
            Some((t, since)) => t + since.elapsed(),
            None => OffsetDateTime::now_utc(),
        };
        now + time::Duration::nanoseconds(self.advanced_nanos.load(Ordering::SeqCst))
    }

    /// Moves the clock forward by `by` (tests only: refused unless the clock is movable).
    /// Returns the new "now", or `None` when refused.
    pub fn advance(&self, by: std::time::Duration) -> Option<OffsetDateTime> {
        let nanos = i64::try_from(by.as_nanos()).ok()?;
        if !self.movable {
            return None;
        }
        self.advanced_nanos
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |total| {
                total.checked_add(nanos)
            })
            .ok()?;
        Some(self.now())
    }
}

/// When a request arrived, by the server clock: stamped by [`stamp_arrival`] before
/// anything else runs (a request sent again by [`crate::retry`] keeps it). A deadline
/// the request is judged against, such as the meal cutoff, is judged at this time, not
/// at the later one when the handler got a database connection on a busy server.
#[derive(Debug, Clone, Copy)]
pub struct Arrival(pub OffsetDateTime);

impl actix_web::FromRequest for Arrival {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Arrival, ApiError>>;

    fn from_request(req: &actix_web::HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let stamped = req.extensions().get::<Arrival>().copied();
        std::future::ready(
            stamped
                .or_else(|| {
                    req.app_data::<web::Data<AppState>>()
                        .map(|state| Arrival(state.now()))
                })
                .ok_or_else(|| ApiError::internal("application state missing")),
        )
    }
}

/// Stamps the request's [`Arrival`], unless it has one already (a request sent again).
async fn stamp_arrival(
    req: ServiceRequest,
    next: middleware::Next<impl actix_web::body::MessageBody + 'static>,
) -> Result<ServiceResponse<impl actix_web::body::MessageBody>, actix_web::Error> {
    if req.extensions().get::<Arrival>().is_none() {
        if let Some(state) = req.app_data::<web::Data<AppState>>() {
            let arrival = Arrival(state.now());
            req.extensions_mut().insert(arrival);
        }
    }
    next.call(req).await
}

impl AppState {
    pub fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }

    /// What the low-balance alerts a charge or a correction triggers are sent with.
    pub fn alerting(&self) -> Alerting<'_> {
        Alerting {
            gateway: self.gateway.as_deref(),
            channels: &self.config.channel_settings,
        }
    }
}

/// Health check: the server answers and the database is reachable.
#[utoipa::path(
    tag = "Sistema",
    responses((status = 200, description = "Service healthy", body = Object, example = json!({"status": "ok"})))
)]
#[get("/health")]
pub async fn health(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    state.db.ping().await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "status": "ok" })))
}

async fn api_not_found() -> Result<HttpResponse, ApiError> {
    Err(ApiError::NotFound)
}

/// Every `/api/v1` route of the API, each registered once: the OpenAPI document's
/// operations are collected from this registration ([`openapi::document`]), so a route
/// cannot be served undocumented nor documented unserved. A handler without
/// `#[utoipa::path]` cannot be registered here.
pub fn api_v1(cfg: &mut ServiceConfig) {
    cfg.service(health);
    operations::configure(cfg);
    entes::routes::configure(cfg);
    entes::setup_routes::configure(cfg);
    schools::routes::configure(cfg);
    accounts::routes::configure(cfg);
    accounts::federation::routes::configure(cfg);
    accounts::staff_routes::configure(cfg);
    children::routes::configure(cfg);
    families::routes::configure(cfg);
    content::routes::configure(cfg);
    payments::routes::configure(cfg);
    bookings::routes::configure(cfg);
    bookings::calendar_routes::configure(cfg);
    canteen::routes::configure(cfg);
    forms::routes::configure(cfg);
    communications::routes::configure(cfg);
    reports::routes::configure(cfg);
    audit::routes::configure(cfg);
    integrations::routes::configure(cfg);
}

/// The SPA: static files of the Trunk build, and `index.html` for every client-side route.
fn spa(static_dir: PathBuf) -> Files {
    let index = static_dir.join("index.html");
    Files::new("/", static_dir)
        .index_file("index.html")
        .default_handler(fn_service(move |req: ServiceRequest| {
            let index = index.clone();
            async move {
                let (req, _) = req.into_parts();
                match NamedFile::open_async(&index).await {
                    Ok(file) => {
                        let res = file.into_response(&req);
                        Ok(ServiceResponse::new(req, res))
                    }
                    Err(_) => Ok(ServiceResponse::new(
                        req,
                        HttpResponse::ServiceUnavailable()
                            .content_type("text/html; charset=utf-8")
                            .body(
                                "<!doctype html><html lang=\"it\"><meta charset=\"utf-8\"><title>Sportello</title>\
                                 <p>L'interfaccia web non è stata ancora compilata: esegui <code>trunk build --release</code> \
                                 oppure il comando di avvio del README. Le API sono disponibili su <a href=\"/api/docs\">/api/docs</a>.</p></html>",
                            ),
                    )),
                }
            }
        }))
}

/// The development provider as SPID and as CIE, required to carry the trust mark its
/// trust anchor issues it.
fn dev_providers(idp: &DevIdp) -> Vec<OidcProviderConfig> {
    [("spid", "SPID"), ("cie", "CIE")]
        .into_iter()
        .map(|(id, label)| OidcProviderConfig {
            id: id.into(),
            label: label.into(),
            issuer: idp.issuer().into(),
            trust_marks: vec![idp.trust_mark_id()],
        })
        .collect()
}

/// Connects, migrates and loads demo data if asked (one replica at a time), binds and
/// serves until stopped.
pub async fn run(config: Config) -> std::io::Result<()> {
    let clock = Arc::new(Clock::new(
        config.fake_now,
        config.environment == Environment::Test,
    ));
    let demo_data = config.demo_data;
    let db = crate::db::connect_and_prepare(config.database_url.expose_secret(), async |db| {
        if demo_data {
            demo::load_if_empty(db, clock.now())
                .await
                .map_err(|e| sea_orm::DbErr::Custom(format!("dati dimostrativi: {e}")))?;
        }
        Ok(())
    })
    .await
    .map_err(std::io::Error::other)?;
    let listener = TcpListener::bind(&config.bind)?;
    let address = listener.local_addr()?;
    let public_url = config
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{address}"));
    let production = config.environment == Environment::Production;
    let keys = match &config.federation.keys {
        Some(keys) => Some(RelyingPartyKeys::from_config(
            &keys.federation,
            &keys.oidc_signing,
            &keys.oidc_encryption,
        )),
        None if !production => Some(RelyingPartyKeys::generate()),
        None => None,
    }
    .transpose()
    .map_err(std::io::Error::other)?;
    let dev_idp = match (&keys, config.dev_idp) {
        (Some(keys), true) => Some(
            DevIdp::new(
                format!("{public_url}/dev-idp"),
                &federation::aggregator_id(&public_url),
                keys.federation.jwks(),
                config.dev_anchor_fault,
            )
            .map_err(std::io::Error::other)?,
        ),
        _ => None,
    };
    let anchor = match (&config.federation.trust_anchor, &dev_idp) {
        (Some((id, jwks)), _) => Some(TrustAnchor {
            id: id.clone(),
            jwks: jwks.clone(),
        }),
        (None, Some(idp)) => Some(idp.trust_anchor()),
        (None, None) => None,
    };
    let federation = match (keys, anchor) {
        (Some(keys), Some(anchor)) => Some(Federation::new(
            keys,
            FederationSettings {
                public_url: public_url.clone(),
                anchor,
                authority_hints: config.federation.authority_hints.clone(),
                trust_marks: config.federation.trust_marks.clone(),
                organization_name: config.federation.organization_name.clone(),
                contacts: config.federation.contacts.clone(),
            },
        )),
        _ => None,
    };
    let providers = match (&dev_idp, config.oidc_providers.is_empty(), &federation) {
        (_, _, None) => Vec::new(),
        (Some(idp), true, _) => dev_providers(idp),
        _ => config.oidc_providers.clone(),
    };
    let gateway: Option<Arc<dyn PaymentGateway>> = match &config.pagopa_gpd {
        Some(service) => Some(Arc::new(
            GpdClient::new(pagopa_service(service)).map_err(std::io::Error::other)?,
        )),
        None if config.pagopa_simulator => Some(Arc::new(SimulatorGateway::new())),
        None => None,
    };
    let checkout_url = match &config.pagopa_checkout_url {
        Some(url) => Some(url.clone()),
        None if config.pagopa_simulator => Some(format!(
            "{public_url}/pagopa-sim{}",
            payments::simulator::CHECKOUT_API
        )),
        None => None,
    };
    let checkout = checkout_url
        .map(|base_url| {
            CheckoutClient::new(CheckoutConfig {
                base_url,
                timeout: std::time::Duration::from_secs(15),
            })
        })
        .transpose()
        .map_err(std::io::Error::other)?;
    let gpd_receipts = match &config.pagopa_gpd_payments {
        Some(service) => Some(Arc::new(
            GpdReceiptsClient::new(pagopa_service(service)).map_err(std::io::Error::other)?,
        )),
        None => None,
    };
    let fdr = match &config.pagopa_fdr {
        Some(service) => Some(Arc::new(
            FdrClient::new(pagopa_service(service)).map_err(std::io::Error::other)?,
        )),
        None => None,
    };
    let channels = channels::configured(&config).map_err(std::io::Error::other)?;
    let state = web::Data::new(AppState {
        channels,
        gateway,
        checkout,
        gpd_receipts,
        fdr,
        clock,
        meal_services: MealServices::default(),
        db,
        jwt: JwtKeys::new(
            config.jwt_secret.expose_secret(),
            config.access_token_ttl_seconds,
        ),
        oidc: OidcClient::new(providers),
        federation,
        public_url: public_url.clone(),
        dev_idp,
        config,
    });
    let (stop_jobs, stopping) = tokio::sync::watch::channel(false);
    let jobs = jobs::start(&state, stopping);
    let static_dir = PathBuf::from(&state.config.static_dir);
    let simulator = state.config.pagopa_simulator;
    let dev_sink = state.config.outbox.dev_sink;
    let test_environment = state.config.environment == Environment::Test;
    let spec = web::Data::new(openapi::spec_json());
    let security = web::Data::new(SecurityHeaders::new(
        std::fs::read_to_string(static_dir.join("index.html"))
            .ok()
            .as_deref(),
        state.config.environment == Environment::Production,
    ));
    let metrics = web::Data::new(operations::metrics::install().map_err(std::io::Error::other)?);
    // The first line on stdout says where the portal is; tests read it.
    println!("Sportello in ascolto su {public_url}");
    tracing::info!(%public_url, "listening");
    tracing::info!(channels = %state.config.channel_settings, "App IO and SMS channels");
    let served = HttpServer::new(move || {
        Retrying::new(
            App::new()
                .app_data(state.clone())
                .app_data(spec.clone())
                .app_data(security.clone())
                .app_data(metrics.clone())
                .app_data(extractors::json_config())
                .app_data(extractors::query_config())
                .app_data(extractors::path_config())
                .app_data(extractors::form_config())
                .wrap(middleware::from_fn(refuse_unreadable_uri))
                .wrap(render::error_handlers())
                .wrap(middleware::from_fn(operations::metrics::record))
                .wrap(middleware::from_fn(security_headers))
                .wrap(middleware::from_fn(request_id_header))
                .wrap(TracingLogger::<RequestSpan>::new())
                .wrap(middleware::Compress::default())
                .wrap(middleware::from_fn(stamp_arrival))
                .service(
                    web::scope(paths::BASE)
                        .wrap(middleware::from_fn(audit::record::record))
                        .wrap(middleware::from_fn(idempotency::idempotent))
                        .wrap(middleware::from_fn(integrations::rate_limit::limit))
                        .configure(|cfg| api_v1(&mut ServiceConfig::new(cfg)))
                        .configure(|cfg| {
                            if test_environment {
                                test_clock::configure(cfg)
                            }
                        })
                        .default_service(web::to(api_not_found)),
                )
                .configure(openapi::configure)
                .service(operations::metrics::scrape)
                .service(web::scope("/dev-idp").configure(dev_idp::configure))
                .service(web::scope("/dev").configure(|cfg| {
                    if dev_sink {
                        communications::dev_outbox::configure(cfg)
                    }
                }))
                .service(web::scope("/pagopa-sim").configure(|cfg| {
                    if simulator {
                        payments::simulator::configure(cfg)
                    }
                }))
                .service(web::scope("/api").default_service(web::to(api_not_found)))
                .service(spa(static_dir.clone())),
        )
    })
    .workers(2)
    .shutdown_timeout(SHUTDOWN_TIMEOUT.as_secs())
    .listen(listener)?
    .run()
    .await;
    // SIGTERM or SIGINT: the server stopped accepting and finished the requests under
    // way; now the jobs finish their run under way, within the same bound.
    stop_jobs.send(true).ok();
    let deadline = tokio::time::Instant::now() + SHUTDOWN_TIMEOUT;
    for job in jobs {
        if tokio::time::timeout_at(deadline, job).await.is_err() {
            tracing::warn!("a background job did not finish before shutdown");
        }
    }
    tracing::info!("stopped");
    served
}

/// How long stopping waits for requests and then background jobs under way.
const SHUTDOWN_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(25);

/// Echoes tracing's request id as `X-Request-Id`, so a user's report can be matched to
/// the log.
async fn request_id_header(
    req: ServiceRequest,
    next: middleware::Next<impl actix_web::body::MessageBody + 'static>,
) -> Result<ServiceResponse<impl actix_web::body::MessageBody>, actix_web::Error> {
    let id = req.extensions().get::<RequestId>().map(|id| id.to_string());
    let mut res = next.call(req).await?;
    if let Some(id) = id.and_then(|id| actix_web::http::header::HeaderValue::from_str(&id).ok()) {
        res.headers_mut().insert(
            actix_web::http::header::HeaderName::from_static("x-request-id"),
            id,
        );
    }
    Ok(res)
}
