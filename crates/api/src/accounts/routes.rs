//! Login, session and account endpoints.

use actix_web::cookie::{Cookie, SameSite};
use actix_web::{get, post, put, web, HttpRequest, HttpResponse};
use sea_orm::EntityTrait;
use serde::Deserialize;
use sportello_model::auth::{
    return_path, LoginError, LoginRequest, Me, PasswordResetConfirm, PasswordResetRequest,
    RefreshRequest, TokenResponse,
};
use sportello_model::contacts::{
    ChannelPreferences, ContactChange, ContactConfirmation, Contacts, PendingChange,
};
use sportello_model::limits::{
    Limits, RequestLimits, CODE_MAX_CHARS, ENTITY_ID_MAX_CHARS, REDIRECT_MAX_CHARS,
};
use sportello_model::{spa, FieldError, Problem};
use utoipa_actix_web::service_config::ServiceConfig;

use super::entity::user;
use super::service::{self, Client, LoggedIn};
use super::{contacts, devices, oidc, sessions};
use crate::auth::{can, Allowed, Principal};
use crate::entes::service as entes;
use crate::error::{ApiError, ApiResult};
use crate::http::{client_ip, Json, OptionalJson, Query};
use crate::startup::AppState;

const REFRESH_COOKIE: &str = "sportello_refresh";
const REFRESH_COOKIE_PATH: &str = "/api/v1/auth";
/// Marks a browser that logged in to an account before (see `devices`); sent to the
/// password login and to the SPID/CIE callback.
const DEVICE_COOKIE: &str = "sportello_device";
const DEVICE_COOKIE_PATH: &str = "/api/v1";
const DEVICE_COOKIE_DAYS: i64 = 365;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(login)
        .service(refresh)
        .service(logout)
        .service(me)
        .service(password_reset_request)
        .service(password_reset_confirm)
        .service(oidc_start)
        .service(oidc_callback)
        .service(my_contacts)
        .service(set_channels)
        .service(request_contact_change)
        .service(confirm_contact_change);
}

fn refresh_cookie(state: &AppState, value: String, max_age_days: i64) -> Cookie<'static> {
    Cookie::build(REFRESH_COOKIE, value)
        .path(REFRESH_COOKIE_PATH)
        .http_only(true)
        .secure(state.config.secure_cookies)
        .same_site(SameSite::Lax)
        .max_age(actix_web::cookie::time::Duration::days(max_age_days))
        .finish()
}

/// Remembers the browser that just logged in to `user` and the cookie that says so.
async fn device_cookie(
    state: &AppState,
    req: &HttpRequest,
    user: &user::Model,
) -> ApiResult<Cookie<'static>> {
    let presented = req.cookie(DEVICE_COOKIE);
    let token = devices::remember(
        &state.db,
        user,
        presented.as_ref().map(Cookie::value),
        state.now(),
    )
    .await?;
    Ok(Cookie::build(DEVICE_COOKIE, token)
        .path(DEVICE_COOKIE_PATH)
        .http_only(true)
        .secure(state.config.secure_cookies)
        .same_site(SameSite::Lax)
        .max_age(actix_web::cookie::time::Duration::days(DEVICE_COOKIE_DAYS))
        .finish())
}

/// Access token, refresh token (body and HttpOnly cookie) and the user.
fn tokens_response(state: &AppState, logged_in: LoggedIn) -> ApiResult<HttpResponse> {
    let access_token = state
        .jwt
        .issue(&logged_in.user, &logged_in.session.family, state.now())?;
    let body = TokenResponse {
        access_token,
        token_type: "Bearer".into(),
        expires_in: state.jwt.ttl_seconds,
        refresh_token: logged_in.session.refresh_token.clone(),
        user: service::me(&logged_in.user, &logged_in.ente),
    };
    Ok(HttpResponse::Ok()
        .cookie(refresh_cookie(
            state,
            logged_in.session.refresh_token,
            state.config.refresh_token_ttl_days,
        ))
        .insert_header(("Cache-Control", "no-store"))
        .json(body))
}

fn presented_refresh_token(req: &HttpRequest, body: Option<RefreshRequest>) -> Option<String> {
    body.and_then(|b| b.refresh_token)
        .filter(|t| !t.trim().is_empty())
        .or_else(|| req.cookie(REFRESH_COOKIE).map(|c| c.value().to_string()))
        .filter(|t| !t.is_empty())
}

/// Log in with codice fiscale and password.
#[utoipa::path(
    tag = "Accesso",
    params(("slug" = String, Path, description = "Comune")),
    request_body = LoginRequest,
    responses(
        (status = 200, body = TokenResponse),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "Invalid codice fiscale or malformed body"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "Wrong codice fiscale or password"),
        (status = 429, body = Problem, content_type = "application/problem+json", description = "Too many failed attempts from this device or address, or for this account from devices it never logged in from",
            headers(("Retry-After" = u64, description = "Seconds until a new attempt is accepted"))),
    )
)]
#[post("/entes/{slug}/auth/login")]
pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    slug: web::Path<String>,
    body: Json<LoginRequest>,
) -> ApiResult<HttpResponse> {
    let ente = entes::by_slug(&state.db, &slug).await?;
    let ip = client_ip(&req);
    let device = req.cookie(DEVICE_COOKIE);
    let logged_in = service::login_with_password(
        &state.db,
        state.now(),
        ente,
        &body.fiscal_code,
        &body.password,
        &Client {
            ip: &ip,
            device: device.as_ref().map(Cookie::value),
        },
        state.config.refresh_token_ttl_days,
    )
    .await?;
    let device = device_cookie(&state, &req, &logged_in.user).await?;
    let mut response = tokens_response(&state, logged_in)?;
    response.add_cookie(&device).map_err(ApiError::internal)?;
    Ok(response)
}

/// Exchange a refresh token (body or cookie) for new tokens. The old one stops working;
/// presenting it again closes the whole session.
#[utoipa::path(
    tag = "Accesso",
    request_body(content = Option<RefreshRequest>, description = "Optional when the refresh cookie is sent"),
    responses(
        (status = 200, body = TokenResponse),
        (status = 401, response = crate::error::responses::Unauthorized),
    )
)]
#[post("/auth/refresh")]
pub async fn refresh(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: OptionalJson<RefreshRequest>,
) -> ApiResult<HttpResponse> {
    let token = presented_refresh_token(&req, body.into_inner()).ok_or_else(|| {
        ApiError::Unauthorized("Sessione non trovata: accedi all'area personale.".into())
    })?;
    let (user, session) = sessions::rotate(
        &state.db,
        &token,
        state.config.refresh_token_ttl_days,
        state.now(),
    )
    .await?;
    let ente = entes::by_id(&state.db, user.ente_id).await?;
    tokens_response(
        &state,
        LoggedIn {
            user,
            ente,
            session,
        },
    )
}

/// Close the session of the presented refresh token (body or cookie) or access token.
/// A SPID/CIE session's access token is also revoked at the identity provider.
#[utoipa::path(
    tag = "Accesso",
    request_body(content = Option<RefreshRequest>),
    responses((status = 204, description = "Session closed")),
    security((), ("bearer" = []))
)]
#[post("/auth/logout")]
pub async fn logout(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: OptionalJson<RefreshRequest>,
    principal: Option<Principal>,
) -> ApiResult<HttpResponse> {
    let mut family = principal.map(|p| p.session);
    if family.is_none() {
        if let Some(token) = presented_refresh_token(&req, body.into_inner()) {
            family = sessions::family_of(&state.db, &token).await?;
        }
    }
    if let Some(family) = family {
        sessions::revoke_family(&state.db, &family, state.now()).await?;
        if let Some(federation) = &state.federation {
            state
                .oidc
                .revoke(&state.db, federation, &family, state.now())
                .await?;
        }
    }
    let mut expired = refresh_cookie(&state, String::new(), 0);
    expired.make_removal();
    Ok(HttpResponse::NoContent().cookie(expired).finish())
}

/// The logged-in user.
#[utoipa::path(
    tag = "Accesso",
    responses(
        (status = 200, body = Me),
    ),
    security(("bearer" = []))
)]
#[get("/me")]
pub async fn me(state: web::Data<AppState>, principal: Principal) -> ApiResult<HttpResponse> {
    let user = user::Entity::find_by_id(principal.user_id)
        .one(&state.db)
        .await?
        .ok_or(ApiError::NotFound)?;
    let ente = entes::by_id(&state.db, principal.ente_id).await?;
    Ok(HttpResponse::Ok().json(service::me(&user, &ente)))
}

/// Ask for a password reset link by e-mail. Always answers 202 with no body, whether or
/// not the codice fiscale is registered and whether or not a link is sent: a few e-mails
/// an hour at most go to one account, and a client address may ask a few times an hour.
#[utoipa::path(
    tag = "Accesso",
    params(("slug" = String, Path, description = "Comune")),
    request_body = PasswordResetRequest,
    responses(
        (status = 202, description = "If the account exists, an e-mail is on its way"),
    )
)]
#[post("/entes/{slug}/auth/password-reset")]
pub async fn password_reset_request(
    state: web::Data<AppState>,
    req: HttpRequest,
    slug: web::Path<String>,
    body: Json<PasswordResetRequest>,
) -> ApiResult<HttpResponse> {
    let ente = entes::by_slug(&state.db, &slug).await?;
    service::request_password_reset(
        &state.db,
        state.now(),
        &ente,
        &body.fiscal_code,
        &client_ip(&req),
        &state.public_url,
    )
    .await?;
    Ok(HttpResponse::Accepted().finish())
}

/// Set a new password with the token from the e-mail. Every open session is closed.
#[utoipa::path(
    tag = "Accesso",
    request_body = PasswordResetConfirm,
    responses(
        (status = 204, description = "Password changed"),
    )
)]
#[post("/auth/password-reset/confirm")]
pub async fn password_reset_confirm(
    state: web::Data<AppState>,
    body: Json<PasswordResetConfirm>,
) -> ApiResult<HttpResponse> {
    service::confirm_password_reset(&state.db, state.now(), &body.token, &body.new_password)
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OidcStartQuery {
    /// Page of the comune to return to after login, e.g. `/demo/utenti`; anything else
    /// (another site, another comune, control characters) returns to the personal area.
    #[param(max_length = 2048)]
    pub redirect_to: Option<String>,
}

impl RequestLimits for OidcStartQuery {
    fn limit_errors(&self) -> Vec<FieldError> {
        Limits::default()
            .optional_text(
                "redirect_to",
                self.redirect_to.as_deref(),
                REDIRECT_MAX_CHARS,
            )
            .errors()
    }
}

/// Start a SPID or CIE login: redirects the browser to the identity provider with a
/// signed Request Object, or, when the provider cannot be trusted or reached, back to the
/// comune's login page with the reason as a code (`?errore=gestore_non_riconosciuto`).
#[utoipa::path(
    tag = "Accesso",
    params(
        ("slug" = String, Path, description = "Comune"),
        ("provider" = String, Path, description = "`spid` or `cie`"),
        OidcStartQuery,
    ),
    responses(
        (status = 302, description = "To the identity provider, or back to the login page with the reason"),
    )
)]
#[get("/entes/{slug}/auth/oidc/{provider}/start")]
pub async fn oidc_start(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    query: Query<OidcStartQuery>,
) -> ApiResult<HttpResponse> {
    let (slug, provider) = path.into_inner();
    let ente = entes::by_slug(&state.db, &slug).await?;
    let provider = state.oidc.provider(&provider)?;
    let federation = state.federation.as_ref().ok_or(ApiError::NotFound)?;
    let location = state
        .oidc
        .begin(
            &state.db,
            federation,
            &ente,
            provider,
            query.redirect_to.as_deref(),
            state.now(),
        )
        .await;
    Ok(match location {
        Ok(location) => HttpResponse::Found()
            .insert_header(("Location", location))
            .finish(),
        Err(error) => redirect_with_error(&spa::login(&ente.slug), error),
    })
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OidcCallbackQuery {
    #[param(max_length = 512)]
    pub code: Option<String>,
    #[param(max_length = 512)]
    pub state: Option<String>,
    #[param(max_length = 512)]
    pub error: Option<String>,
    /// The identity provider that answers (RFC 9207; CIE id sends it): when given, it
    /// must be the provider the login went to.
    #[param(max_length = 1024)]
    pub iss: Option<String>,
}

impl RequestLimits for OidcCallbackQuery {
    fn limit_errors(&self) -> Vec<FieldError> {
        Limits::default()
            .optional_text("code", self.code.as_deref(), CODE_MAX_CHARS)
            .optional_text("state", self.state.as_deref(), CODE_MAX_CHARS)
            .optional_text("error", self.error.as_deref(), CODE_MAX_CHARS)
            .optional_text("iss", self.iss.as_deref(), ENTITY_ID_MAX_CHARS)
            .errors()
    }
}

/// Where the identity provider returns the browser. On success the session cookie is set
/// and the browser goes back to the portal; on failure to the login page with the reason
/// as a code (`?errore=non_registrato`), never as free text.
#[utoipa::path(
    tag = "Accesso",
    params(OidcCallbackQuery),
    responses((status = 302, description = "Back to the portal"))
)]
#[get("/auth/oidc/callback")]
pub async fn oidc_callback(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: Query<OidcCallbackQuery>,
) -> ApiResult<HttpResponse> {
    let pending = match &query.state {
        Some(s) => state.oidc.take_state(&state.db, s, state.now()).await?,
        None => None,
    };
    let Some(pending) = pending else {
        return Ok(redirect_with_error("/", LoginError::Expired));
    };
    let ente = entes::by_id(&state.db, pending.ente_id).await?;
    let login_page = spa::login(&ente.slug);
    if let Some(error) = &query.error {
        return Ok(redirect_with_error(
            &login_page,
            oidc::refused_by_provider(&pending.provider, error),
        ));
    }
    let (Some(code), Some(federation)) = (query.code.as_deref(), state.federation.as_ref()) else {
        return Ok(redirect_with_error(&login_page, LoginError::Cancelled));
    };
    let outcome = state
        .oidc
        .complete(
            &state.db,
            federation,
            &pending,
            oidc::AuthorizationAnswer {
                code,
                iss: query.iss.as_deref(),
            },
            state.config.refresh_token_ttl_days,
            state.now(),
        )
        .await;
    match outcome {
        Ok(logged_in) => Ok(HttpResponse::Found()
            .cookie(device_cookie(&state, &req, &logged_in.user).await?)
            .cookie(refresh_cookie(
                &state,
                logged_in.session.refresh_token,
                state.config.refresh_token_ttl_days,
            ))
            .insert_header((
                "Location",
                return_path(Some(&pending.redirect_to), &ente.slug),
            ))
            .finish()),
        Err(error) => Ok(redirect_with_error(&login_page, error)),
    }
}

fn redirect_with_error(path: &str, error: LoginError) -> HttpResponse {
    HttpResponse::Found()
        .insert_header(("Location", format!("{path}?errore={}", error.code())))
        .finish()
}

// Contatti e preferenze.

/// Contatti e preferenze: the user's e-mail and mobile number, the channels letters come
/// by, and the changes waiting for their code.
#[utoipa::path(
    tag = "Contatti",
    responses(
        (status = 200, body = Contacts),
        (status = 403, response = crate::error::responses::Forbidden),
    ),
    security(("bearer" = []))
)]
#[get("/my/contacts")]
pub async fn my_contacts(
    state: web::Data<AppState>,
    principal: Allowed<can::ManageContacts>,
) -> ApiResult<HttpResponse> {
    let ente = entes::by_id(&state.db, principal.ente_id).await?;
    let settings = &state.config.channel_settings;
    let found =
        contacts::contacts(&state.db, settings, &ente, principal.user_id, state.now()).await?;
    Ok(HttpResponse::Ok().json(found))
}

/// Chooses the channels letters come by: e-mail, App IO (when the comune has it), and SMS
/// for every letter (urgent notices come by SMS to a confirmed number anyway). A channel
/// the user cannot be reached on is a field error.
#[utoipa::path(
    tag = "Contatti",
    request_body = ChannelPreferences,
    responses(
        (status = 200, body = Contacts),
        (status = 403, response = crate::error::responses::Forbidden),
    ),
    security(("bearer" = []))
)]
#[put("/my/contacts/channels")]
pub async fn set_channels(
    state: web::Data<AppState>,
    principal: Allowed<can::ManageContacts>,
    body: Json<ChannelPreferences>,
) -> ApiResult<HttpResponse> {
    let ente = entes::by_id(&state.db, principal.ente_id).await?;
    let settings = &state.config.channel_settings;
    let changed = contacts::set_channels(
        &state.db,
        settings,
        &ente,
        principal.user_id,
        *body,
        state.now(),
    )
    .await?;
    Ok(HttpResponse::Ok().json(changed))
}

/// Asks to change the e-mail or the mobile number: a 6-digit code, valid 15 minutes, goes
/// to the new address or number (a new request replaces it; a few an hour at most). The
/// old value stays until the code is confirmed.
#[utoipa::path(
    tag = "Contatti",
    request_body = ContactChange,
    responses(
        (status = 202, body = PendingChange, description = "The code is on its way"),
        (status = 403, response = crate::error::responses::Forbidden),
        (status = 429, response = crate::error::responses::TooManyRequests),
    ),
    security(("bearer" = []))
)]
#[post("/my/contacts/changes")]
pub async fn request_contact_change(
    state: web::Data<AppState>,
    principal: Allowed<can::ManageContacts>,
    body: Json<ContactChange>,
) -> ApiResult<HttpResponse> {
    let ente = entes::by_id(&state.db, principal.ente_id).await?;
    let pending =
        contacts::request_change(&state.db, &ente, principal.user_id, &body, state.now()).await?;
    Ok(HttpResponse::Accepted().json(pending))
}

/// Confirms the new e-mail or mobile number with the code received: the change applies
/// and the previous e-mail is told. Five wrong codes void the request.
#[utoipa::path(
    tag = "Contatti",
    request_body = ContactConfirmation,
    responses(
        (status = 200, body = Contacts),
        (status = 403, response = crate::error::responses::Forbidden),
    ),
    security(("bearer" = []))
)]
#[post("/my/contacts/changes/confirm")]
pub async fn confirm_contact_change(
    state: web::Data<AppState>,
    principal: Allowed<can::ManageContacts>,
    body: Json<ContactConfirmation>,
) -> ApiResult<HttpResponse> {
    let ente = entes::by_id(&state.db, principal.ente_id).await?;
    let settings = &state.config.channel_settings;
    let confirmed = contacts::confirm_change(
        &state.db,
        settings,
        &ente,
        principal.user_id,
        &body,
        state.now(),
    )
    .await?;
    Ok(HttpResponse::Ok().json(confirmed))
}
