//! The federation endpoints of the installation: its Entity Configuration and each
//! comune's, and the fetch, list and resolve endpoints of the aggregator.

use actix_web::{get, web, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Map, Value};
use sportello_model::limits::{Limits, RequestLimits, ENTITY_ID_MAX_CHARS};
use sportello_model::FieldError;
use utoipa_actix_web::service_config::ServiceConfig;

use super::{jose, Federation};
use crate::entes::service as entes;
use crate::error::{ApiError, ApiResult};
use crate::http::Query;
use crate::startup::AppState;

/// Media type of a resolve answer.
const RESOLVE_MEDIA_TYPE: &str = "application/resolve-response+jwt";

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(federation_configuration)
        .service(comune_federation_configuration)
        .service(federation_fetch)
        .service(federation_list)
        .service(federation_resolve);
}

fn federation(state: &AppState) -> ApiResult<&Federation> {
    state.federation.as_ref().ok_or(ApiError::NotFound)
}

/// The installation's Entity Configuration in the SPID/CIE federation: an intermediate
/// (aggregator of its comuni) with its federation keys, authority hints, trust marks and
/// the fetch, list and resolve endpoints. A signed JWT.
#[utoipa::path(
    tag = "Federazione SPID/CIE",
    responses(
        (status = 200, description = "Entity Configuration (signed JWT)", body = String, content_type = "application/entity-statement+jwt"),
        (status = 404, response = crate::error::responses::NotFound),
    )
)]
#[get("/federation/.well-known/openid-federation")]
pub async fn federation_configuration(state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    let jwt = federation(&state)?.aggregator_configuration(state.now())?;
    Ok(super::statement_response(jwt))
}

/// A comune's Entity Configuration as relying party: its `openid_relying_party` metadata
/// (redirect URI, signature and encryption keys, `private_key_jwt`), its
/// `federation_entity` metadata (name, codice fiscale, contacts) and the installation as
/// authority. A signed JWT.
#[utoipa::path(
    tag = "Federazione SPID/CIE",
    params(("slug" = String, Path, description = "Comune")),
    responses(
        (status = 200, description = "Entity Configuration (signed JWT)", body = String, content_type = "application/entity-statement+jwt"),
    )
)]
#[get("/entes/{slug}/federation/.well-known/openid-federation")]
pub async fn comune_federation_configuration(
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let federation = federation(&state)?;
    let ente = entes::by_slug(&state.db, &slug).await?;
    let jwt = federation.relying_party_configuration(&ente, state.now())?;
    Ok(super::statement_response(jwt))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FetchQuery {
    /// Entity id of a comune of this installation.
    #[param(max_length = 1024)]
    pub sub: String,
}

impl RequestLimits for FetchQuery {
    fn limit_errors(&self) -> Vec<FieldError> {
        Limits::default()
            .text("sub", &self.sub, ENTITY_ID_MAX_CHARS)
            .errors()
    }
}

/// The installation's statement about one of its comuni (`sub`): the comune's federation
/// keys and the metadata policy of its relying party. A signed JWT.
#[utoipa::path(
    tag = "Federazione SPID/CIE",
    params(FetchQuery),
    responses(
        (status = 200, description = "Subordinate statement (signed JWT)", body = String, content_type = "application/entity-statement+jwt"),
        (status = 404, response = crate::error::responses::NotFound),
    )
)]
#[get("/federation/fetch")]
pub async fn federation_fetch(
    state: web::Data<AppState>,
    query: Query<FetchQuery>,
) -> ApiResult<HttpResponse> {
    let federation = federation(&state)?;
    let slug = federation.slug_of(&query.sub).ok_or(ApiError::NotFound)?;
    let ente = entes::by_slug(&state.db, slug).await?;
    let jwt = federation.subordinate_statement(&ente, state.now())?;
    Ok(super::statement_response(jwt))
}

/// The entity ids of the comuni below the installation (all relying parties).
#[utoipa::path(
    tag = "Federazione SPID/CIE",
    responses(
        (status = 200, description = "Entity ids", body = Vec<String>),
        (status = 404, response = crate::error::responses::NotFound),
    )
)]
#[get("/federation/list")]
pub async fn federation_list(state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    let federation = federation(&state)?;
    let ids: Vec<String> = super::comuni(&state.db)
        .await?
        .iter()
        .map(|ente| federation.relying_party_id(&ente.slug))
        .collect();
    Ok(HttpResponse::Ok().json(ids))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ResolveQuery {
    /// Entity id of a comune of this installation.
    #[param(max_length = 1024)]
    pub sub: String,
    /// The trust anchor the chain must reach: the configured one.
    #[param(max_length = 1024)]
    pub anchor: String,
}

impl RequestLimits for ResolveQuery {
    fn limit_errors(&self) -> Vec<FieldError> {
        Limits::default()
            .text("sub", &self.sub, ENTITY_ID_MAX_CHARS)
            .text("anchor", &self.anchor, ENTITY_ID_MAX_CHARS)
            .errors()
    }
}

/// The resolved metadata of one of the installation's comuni (`sub`), with its trust
/// chain up to `anchor`, signed by the installation. Only the installation's own comuni
/// and the configured trust anchor are resolved.
#[utoipa::path(
    tag = "Federazione SPID/CIE",
    params(ResolveQuery),
    responses(
        (status = 200, description = "Resolve response (signed JWT)", body = String, content_type = "application/resolve-response+jwt"),
        (status = 404, response = crate::error::responses::NotFound),
    )
)]
#[get("/federation/resolve")]
pub async fn federation_resolve(
    state: web::Data<AppState>,
    query: Query<ResolveQuery>,
) -> ApiResult<HttpResponse> {
    let federation = federation(&state)?;
    if query.anchor != federation.chains.anchor().id {
        return Err(ApiError::NotFound);
    }
    let slug = federation.slug_of(&query.sub).ok_or(ApiError::NotFound)?;
    entes::by_slug(&state.db, slug).await?;
    let now = state.now();
    let chain = federation
        .chains
        .resolve(&query.sub, now)
        .await
        .map_err(|refusal| {
            tracing::warn!(%refusal, "trust chain of a comune not resolved");
            ApiError::NotFound
        })?;
    let aggregator = federation.aggregator_id();
    let mut claims = Map::new();
    claims.insert("iss".into(), aggregator.into());
    claims.insert("sub".into(), query.sub.clone().into());
    claims.insert("iat".into(), now.unix_timestamp().into());
    claims.insert("exp".into(), chain.expires_at.unix_timestamp().into());
    claims.insert("metadata".into(), Value::Object(chain.metadata));
    claims.insert("trust_chain".into(), json!(chain.statements));
    let jwt = jose::sign(claims, "resolve-response+jwt", &federation.keys.federation)
        .map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok()
        .content_type(RESOLVE_MEDIA_TYPE)
        .body(jwt))
}
