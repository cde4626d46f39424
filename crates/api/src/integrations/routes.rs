//! `/api/v1/office/api-clients…` (Integrazioni, for the comune's administrators) and
//! `/api/v1/oauth/token`, the client-credentials token endpoint of the API clients.

use actix_web::http::header;
use actix_web::{get, post, put, web, HttpRequest, HttpResponse};
use sportello_model::integrations::{
    ApiClient, ApiClientForm, ApiClientSecret, ClientToken, ClientTokenRequest, OAuthError,
};
use utoipa_actix_web::service_config::ServiceConfig;

use super::{clients, token};
use crate::audit::record::Trail;
use crate::auth::{can, Allowed};
use crate::error::render::OtherProtocol;
use crate::error::ApiResult;
use crate::http::Json;
use crate::startup::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_api_clients)
        .service(create_api_client)
        .service(change_api_client)
        .service(rotate_api_client_secret)
        .service(revoke_api_client)
        .service(oauth_token);
}

/// The comune's API clients: name, scopes, when each last got a token; the revoked
/// ones last.
#[utoipa::path(
    tag = "Integrazioni",
    responses(
        (status = 200, body = Vec<ApiClient>),
        (status = 403, response = crate::error::responses::Forbidden),
    ),
    security(("bearer" = []))
)]
#[get("/office/api-clients")]
pub async fn list_api_clients(
    state: web::Data<AppState>,
    principal: Allowed<can::ManageApiClients>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(clients::list(&state.db, principal.ente_id).await?))
}

/// Creates an API client with its scopes. The answer holds its secret, shown this once
/// and stored only as a hash.
#[utoipa::path(
    tag = "Integrazioni",
    request_body = ApiClientForm,
    responses(
        (status = 201, body = ApiClientSecret),
        (status = 403, response = crate::error::responses::Forbidden),
    ),
    security(("bearer" = []))
)]
#[post("/office/api-clients")]
pub async fn create_api_client(
    state: web::Data<AppState>,
    principal: Allowed<can::ManageApiClients>,
    body: Json<ApiClientForm>,
) -> ApiResult<HttpResponse> {
    let made = clients::create(
        &state.db,
        principal.ente_id,
        principal.user_id,
        &body,
        state.now(),
    )
    .await?;
    Ok(HttpResponse::Created().json(made))
}

/// Changes a client's name and scopes; scopes taken away stop working at once, for the
/// tokens already issued too. A revoked client cannot be changed (409).
#[utoipa::path(
    tag = "Integrazioni",
    params(("id" = i64, Path, description = "API client id")),
    request_body = ApiClientForm,
    responses(
        (status = 200, body = ApiClient),
        (status = 403, response = crate::error::responses::Forbidden),
        (status = 409, response = crate::error::responses::Conflict),
    ),
    security(("bearer" = []))
)]
#[put("/office/api-clients/{id}")]
pub async fn change_api_client(
    state: web::Data<AppState>,
    principal: Allowed<can::ManageApiClients>,
    id: web::Path<i64>,
    body: Json<ApiClientForm>,
    trail: Trail,
) -> ApiResult<HttpResponse> {
    trail.before(&clients::get(&state.db, principal.ente_id, *id).await?);
    Ok(HttpResponse::Ok().json(clients::change(&state.db, principal.ente_id, *id, &body).await?))
}

/// Gives the client a new secret, shown this once: the earlier secret and every token
/// issued with it stop working at once.
#[utoipa::path(
    tag = "Integrazioni",
    params(("id" = i64, Path, description = "API client id")),
    responses(
        (status = 200, body = ApiClientSecret),
        (status = 403, response = crate::error::responses::Forbidden),
        (status = 409, response = crate::error::responses::Conflict),
    ),
    security(("bearer" = []))
)]
#[post("/office/api-clients/{id}/secret")]
pub async fn rotate_api_client_secret(
    state: web::Data<AppState>,
    principal: Allowed<can::ManageApiClients>,
    id: web::Path<i64>,
    trail: Trail,
) -> ApiResult<HttpResponse> {
    trail.before(&clients::get(&state.db, principal.ente_id, *id).await?);
    Ok(HttpResponse::Ok()
        .json(clients::rotate(&state.db, principal.ente_id, *id, state.now()).await?))
}

/// Revokes the client for good: no more tokens, and its tokens stop working at once.
#[utoipa::path(
    tag = "Integrazioni",
    params(("id" = i64, Path, description = "API client id")),
    responses(
        (status = 200, body = ApiClient),
        (status = 403, response = crate::error::responses::Forbidden),
    ),
    security(("bearer" = []))
)]
#[post("/office/api-clients/{id}/revocation")]
pub async fn revoke_api_client(
    state: web::Data<AppState>,
    principal: Allowed<can::ManageApiClients>,
    id: web::Path<i64>,
    trail: Trail,
) -> ApiResult<HttpResponse> {
    trail.before(&clients::get(&state.db, principal.ente_id, *id).await?);
    Ok(HttpResponse::Ok()
        .json(clients::revoke(&state.db, principal.ente_id, *id, state.now()).await?))
}

/// OAuth 2.0 client credentials (RFC 6749 §4.4): the client's id and secret (form
/// fields, or HTTP Basic) for an access token of its comune, valid 15 minutes, with the
/// scopes asked for (`scope`, space-separated) or all those granted. Errors are those
/// of RFC 6749 §5.2 with an Italian `error_description`.
#[utoipa::path(
    tag = "Integrazioni",
    request_body(content = ClientTokenRequest, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, body = ClientToken),
        (status = 400, body = OAuthError, description = "invalid_request, unsupported_grant_type or invalid_scope"),
        (status = 401, body = OAuthError, description = "invalid_client"),
    )
)]
#[post("/oauth/token")]
pub async fn oauth_token(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Bytes,
) -> ApiResult<HttpResponse> {
    let authorization = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok());
    let outcome = match token::basic_credentials(authorization) {
        Ok(basic) => token::exchange(&state.db, &state.jwt, &body, basic, state.now()).await?,
        Err(refusal) => Err(refusal),
    };
    let mut response = match outcome {
        Ok(token) => HttpResponse::Ok().json(token),
        Err(refusal) if refusal.is_client() => HttpResponse::Unauthorized()
            .insert_header((header::WWW_AUTHENTICATE, "Basic realm=\"sportello\""))
            .json(refusal.0),
        Err(refusal) => HttpResponse::BadRequest().json(refusal.0),
    };
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    // OAuth's error format reaches the client as it is, not as problem+json.
    response.extensions_mut().insert(OtherProtocol);
    Ok(response)
}
