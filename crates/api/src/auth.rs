//! Access tokens (JWT), the authenticated principal, and the typed extractors that
//! authorise a request against the permission table once.
//!
//! A handler asks for [`Principal`] (anyone logged in) or for [`Allowed<A>`], `A` one of
//! the markers in [`can`] naming an [`Action`] of `sportello_model::access`; it cannot run
//! without it. The rule (see `sportello_model::access`): no valid login is 401, a role the
//! table refuses is 403, and a record of another family or comune is 404, decided by the
//! data-scoped queries of the services (`crate::db::Tenant`, `children::service`).

use std::future::Future;
use std::marker::PhantomData;
use std::ops::Deref;
use std::pin::Pin;

use actix_web::{dev::Payload, web, FromRequest, HttpMessage, HttpRequest};
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, FromQueryResult, QueryFilter, QuerySelect, QueryTrait};
use serde::{Deserialize, Serialize};
use sportello_model::access::Action;
use sportello_model::auth::Role;
use sportello_model::integrations::{parse_scopes, scope_text, Scope};
use time::OffsetDateTime;

use crate::accounts::entity::{refresh_token, user};
use crate::db::EnteId;
use crate::error::{ApiError, ApiResult};
use crate::integrations::entity::api_client;
use crate::startup::AppState;

const ISSUER: &str = "sportello";
const AUDIENCE: &str = "sportello-api";
/// Clock skew allowed on `exp`.
const LEEWAY_SECONDS: u64 = 5;

/// Whether a token with this `exp` claim has expired at `now`, allowing `leeway_seconds`
/// of clock skew as `jsonwebtoken` does. Tokens are checked against the server clock, so
/// a test server with a moved clock issues and accepts tokens consistently.
pub fn expired(exp: i64, now: OffsetDateTime, leeway_seconds: u64) -> bool {
    exp < now.unix_timestamp() - leeway_seconds as i64
}

/// Claims of a Sportello access token.
#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    pub aud: String,
    /// User id.
    pub sub: String,
    /// Ente id of the user.
    pub ente: i64,
    pub role: Role,
    /// Session (refresh-token family) the token belongs to; for an API client
    /// `client:<id>:<secret version>`.
    pub sid: String,
    pub iat: i64,
    pub exp: i64,
    /// An API client's scopes, space-separated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
}

impl Claims {
    /// The API client whose token this is, if it is an API client's.
    pub fn client_id(&self) -> Option<i64> {
        self.sid
            .strip_prefix(CLIENT_SESSION)?
            .split(':')
            .next()?
            .parse()
            .ok()
    }

    /// The claims of a token for user `sub` of ente `ente` in session `sid`, issued at
    /// `now` for `ttl_seconds`, with no scopes.
    fn new(
        sub: i64,
        ente: i64,
        role: Role,
        sid: String,
        now: OffsetDateTime,
        ttl_seconds: i64,
    ) -> Claims {
        let now = now.unix_timestamp();
        Claims {
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            sub: sub.to_string(),
            ente,
            role,
            sid,
            iat: now,
            exp: now + ttl_seconds,
            scope: None,
        }
    }
}

pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    pub ttl_seconds: u64,
}

impl JwtKeys {
    pub fn new(secret: &str, ttl_seconds: u64) -> JwtKeys {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = LEEWAY_SECONDS;
        // `exp` is checked against the server clock, not the system time (see `verify`).
        validation.validate_exp = false;
        JwtKeys {
            encoding: EncodingKey::from_secret(secret.as_bytes()),
            decoding: DecodingKey::from_secret(secret.as_bytes()),
            validation,
            ttl_seconds,
        }
    }

    pub fn issue(
        &self,
        user: &user::Model,
        session: &str,
        now: OffsetDateTime,
    ) -> ApiResult<String> {
        self.sign(Claims::new(
            user.id,
            user.ente_id.get(),
            user.role,
            session.into(),
            now,
            self.ttl_seconds as i64,
        ))
    }

    /// The access token of an API client with `scopes`, for `ttl_seconds`.
    pub fn issue_for_client(
        &self,
        client: &api_client::Model,
        scopes: &[Scope],
        ttl_seconds: i64,
        now: OffsetDateTime,
    ) -> ApiResult<String> {
        self.sign(Claims {
            scope: Some(scope_text(scopes)),
            ..Claims::new(
                client.user_id,
                client.ente_id.get(),
                Role::Integrator,
                client_session(client.id, client.secret_version),
                now,
                ttl_seconds,
            )
        })
    }

    fn sign(&self, claims: Claims) -> ApiResult<String> {
        encode(&Header::new(Algorithm::HS256), &claims, &self.encoding).map_err(ApiError::internal)
    }

    pub fn verify(&self, token: &str, now: OffsetDateTime) -> ApiResult<Claims> {
        let claims = decode::<Claims>(token, &self.decoding, &self.validation)
            .map(|data| data.claims)
            .map_err(|_| {
                ApiError::Unauthorized("Credenziali di accesso non valide: accedi di nuovo.".into())
            })?;
        if expired(claims.exp, now, self.validation.leeway) {
            return Err(ApiError::Unauthorized(
                "La sessione è scaduta: accedi di nuovo.".into(),
            ));
        }
        Ok(claims)
    }
}

/// The authenticated user of a request: who, in which ente, with which role.
#[derive(Debug, Clone)]
pub struct Principal {
    pub user_id: i64,
    /// The user's name now, for the Registro attività.
    pub name: String,
    pub ente_id: EnteId,
    pub role: Role,
    pub session: String,
    /// An API client's scopes (what its token asked for that it still has); none for
    /// people.
    pub scopes: Vec<Scope>,
}

/// The session of an API client's tokens: its id and the version of its secret, so that
/// a new secret or a revocation ends them.
fn client_session(client_id: i64, secret_version: i32) -> String {
    format!("{CLIENT_SESSION}{client_id}:{secret_version}")
}

/// How an API client's session starts.
const CLIENT_SESSION: &str = "client:";

pub(crate) fn bearer(req: &HttpRequest) -> ApiResult<String> {
    let header = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .ok_or_else(|| {
            ApiError::Unauthorized("Per questa operazione devi accedere all'area personale.".into())
        })?;
    // The scheme is case-insensitive (RFC 7235): `Bearer`, `bearer`, `BEARER`.
    header
        .trim()
        .split_once(' ')
        .filter(|(scheme, token)| scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty())
        .map(|(_, token)| token.trim().to_string())
        .ok_or_else(|| ApiError::Unauthorized("Intestazione Authorization non valida.".into()))
}

fn invalid() -> ApiError {
    ApiError::Unauthorized("Credenziali di accesso non valide: accedi di nuovo.".into())
}

/// The principal of an API client's token: the client still there, not revoked, with
/// the secret the token was issued under, and the token's scopes it still has.
async fn authenticate_client(state: &AppState, claims: &Claims) -> ApiResult<Principal> {
    let id = claims.client_id().ok_or_else(invalid)?;
    let row = api_client::Entity::find_by_id(id)
        .one(&state.db)
        .await?
        .filter(|row| {
            row.ente_id.get() == claims.ente
                && row.user_id.to_string() == claims.sub
                && claims.role == Role::Integrator
                && client_session(row.id, row.secret_version) == claims.sid
        })
        .ok_or_else(invalid)?;
    if row.revoked_at.is_some() {
        return Err(ApiError::Unauthorized(
            "Il client API è stato revocato dal Comune.".into(),
        ));
    }
    let (asked, _) = parse_scopes(claims.scope.as_deref().unwrap_or_default());
    let granted = row.granted();
    Ok(Principal {
        user_id: row.user_id,
        name: format!("{} (client API)", row.name),
        ente_id: row.ente_id,
        role: Role::Integrator,
        session: claims.sid.clone(),
        scopes: asked.into_iter().filter(|s| granted.contains(s)).collect(),
    })
}

/// A token's user, and whether the token's session (refresh-token family) was closed.
#[derive(FromQueryResult)]
struct SessionUser {
    #[sea_orm(nested)]
    user: user::Model,
    session_closed: bool,
}

async fn authenticate(state: web::Data<AppState>, token: String) -> ApiResult<Principal> {
    let claims = state.jwt.verify(&token, state.now())?;
    if claims.sid.starts_with(CLIENT_SESSION) {
        return authenticate_client(&state, &claims).await;
    }
    let user_id: i64 = claims.sub.parse().map_err(|_| invalid())?;
    // One statement: the user and whether the token's session was closed.
    let closed = refresh_token::Entity::find()
        .select_only()
        .expr(Expr::val(1))
        .filter(refresh_token::Column::FamilyId.eq(&claims.sid))
        .filter(refresh_token::Column::RevokedAt.is_not_null())
        .into_query();
    let SessionUser {
        user,
        session_closed,
    } = user::Entity::find_by_id(user_id)
        .expr_as(Expr::exists(closed), "session_closed")
        .into_model::<SessionUser>()
        .one(&state.db)
        .await?
        .ok_or_else(invalid)?;
    if !user.active || user.ente_id.get() != claims.ente || user.role != claims.role {
        return Err(invalid());
    }
    if session_closed {
        return Err(ApiError::Unauthorized(
            "La sessione è stata chiusa: accedi di nuovo.".into(),
        ));
    }
    Ok(Principal {
        user_id,
        name: user.full_name(),
        ente_id: user.ente_id,
        role: user.role,
        session: claims.sid,
        scopes: Vec::new(),
    })
}

impl FromRequest for Principal {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Principal, ApiError>>>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = bearer(req);
        let req = req.clone();
        // Authenticated once per request: a middleware that needed the principal first
        // (the Idempotency-Key's) left it here.
        let known = req.extensions().get::<Principal>().cloned();
        Box::pin(async move {
            if let Some(principal) = known {
                return Ok(principal);
            }
            let state = state.ok_or_else(|| ApiError::internal("application state missing"))?;
            let principal = authenticate(state, token?).await?;
            // Who acted, for the Registro attività written after the handler.
            req.extensions_mut().insert(principal.clone());
            Ok(principal)
        })
    }
}

/// A type naming one [`Action`] of the permission table, for [`Allowed`].
pub trait ActionMarker {
    const ACTION: Action;
}

/// The markers of [`Allowed`], one per [`Action`], with the same names.
pub mod can {
    use super::{Action, ActionMarker};

    macro_rules! markers {
        ($($(#[doc = $doc:literal])* $name:ident,)*) => {$(
            #[doc = concat!("Marker of [`Action::", stringify!($name), "`].")]
            pub struct $name;
            impl ActionMarker for $name {
                const ACTION: Action = Action::$name;
            }
        )*};
    }

    sportello_model::with_actions!(markers);
}

/// A principal whose role the permission table allows to take `A::ACTION`; any other
/// role is refused with 403 before the handler runs.
pub struct Allowed<A: ActionMarker> {
    principal: Principal,
    action: PhantomData<A>,
}

impl<A: ActionMarker> Allowed<A> {
    fn check(principal: Principal) -> ApiResult<Allowed<A>> {
        if !principal.role.may(A::ACTION) {
            return Err(ApiError::Forbidden(A::ACTION.refusal().into()));
        }
        // An API client takes an action only with the scope that opens it.
        if principal.role == Role::Integrator {
            match A::ACTION.scope() {
                Some(scope) if principal.scopes.contains(&scope) => {}
                Some(scope) => {
                    return Err(ApiError::Forbidden(format!(
                        "Il client API non ha l'ambito «{}» ({}) che questa operazione richiede.",
                        scope.as_str(),
                        scope.label()
                    )))
                }
                None => return Err(ApiError::Forbidden(A::ACTION.refusal().into())),
            }
        }
        Ok(Allowed {
            principal,
            action: PhantomData,
        })
    }
}

impl<A: ActionMarker> Deref for Allowed<A> {
    type Target = Principal;

    fn deref(&self) -> &Principal {
        &self.principal
    }
}

impl<A: ActionMarker + 'static> FromRequest for Allowed<A> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Allowed<A>, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let principal = Principal::from_request(req, payload);
        Box::pin(async move { Allowed::check(principal.await?) })
    }
}
