//! The SPID and CIE id login of a comune, as the SPID/CIE OIDC rules describe it: the
//! identity provider's metadata comes from its trust chain to the federation's trust
//! anchor, with the trust marks its configuration requires; the authentication request is a signed Request Object with PKCE S256, state,
//! nonce, `acr_values` and a `claims` request; the token request authenticates with a
//! `private_key_jwt` client assertion; the ID token is checked with the keys of the chain;
//! UserInfo arrives signed and encrypted for the relying party's encryption key; the
//! `TINIT-` codice fiscale finds the family's account in that comune. The same code
//! serves production providers and the development provider.

use sea_orm::{ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use serde::Deserialize;
use serde_json::{json, Map, Value};
use sportello_model::auth::{return_path, LoginError};
use sportello_model::entes::LoginProvider;
use sportello_model::FiscalCode;
use time::OffsetDateTime;

use super::entity::{oidc_grant, oidc_state};
use super::federation::jose::{self, Claims};
use super::federation::trust_chain::ChainRefusal;
use super::federation::{acr_level, Federation, SPID_L2};
use super::secrets::{pkce_challenge, random_token};
use super::service::{find_by_fiscal_code, LoggedIn};
use super::sessions;
use crate::config::OidcProviderConfig;
use crate::entes::{entity::ente, service as entes};
use crate::error::{ApiError, ApiResult};

/// How long a login may stay at the identity provider.
const STATE_TTL: time::Duration = time::Duration::minutes(10);
/// How long a client assertion is valid.
const ASSERTION_TTL: time::Duration = time::Duration::minutes(5);
/// The level of assurance asked for and required: SPID level 2 (or CIE).
const REQUIRED_ACR: &str = SPID_L2;
/// `client_assertion_type` of a `private_key_jwt` assertion.
pub const CLIENT_ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// The claim carrying the codice fiscale.
pub const FISCAL_NUMBER: &str = "https://attributes.eid.gov.it/fiscal_number";

/// The identity provider's metadata, from its trust chain.
struct ProviderMeta {
    issuer: String,
    authorization_endpoint: String,
    token_endpoint: String,
    userinfo_endpoint: String,
    revocation_endpoint: Option<String>,
    jwks: Value,
}

#[derive(Debug, Deserialize)]
struct TokenEndpointResponse {
    id_token: String,
    access_token: String,
    expires_in: Option<i64>,
}

/// What the UserInfo step yields: the person's claims and the provider's access token.
struct Identity {
    claims: Claims,
    access_token: String,
    expires_at: OffsetDateTime,
}

/// The provider's successful authorization answer: the code, and who answers (`iss`,
/// RFC 9207; CIE id sends it, SPID need not).
pub struct AuthorizationAnswer<'a> {
    pub code: &'a str,
    pub iss: Option<&'a str>,
}

pub struct OidcClient {
    providers: Vec<OidcProviderConfig>,
    http: reqwest::Client,
}

/// A failed step of a login: what the parent is told, and what the operator reads in the
/// log (never personal data).
struct Failure {
    error: LoginError,
    detail: String,
}

impl Failure {
    fn new(error: LoginError, detail: impl std::fmt::Display) -> Failure {
        Failure {
            error,
            detail: detail.to_string(),
        }
    }

    fn invalid(detail: impl std::fmt::Display) -> Failure {
        Failure::new(LoginError::InvalidResponse, detail)
    }

    fn unreachable(detail: impl std::fmt::Display) -> Failure {
        Failure::new(LoginError::ProviderFailed, detail)
    }

    /// The reason for the identity provider's error code `code` (of its authorization,
    /// token, UserInfo or revocation answer); the operator's log names the code when the
    /// rules list it, never the free text of an unknown one.
    fn from_provider(code: &str, endpoint: &str) -> Failure {
        let (error, known) = LoginError::from_provider(code);
        Failure::new(
            error,
            format!(
                "{endpoint}: error {}",
                known.unwrap_or("not listed by the rules")
            ),
        )
    }

    fn log(self, provider: &str) -> LoginError {
        tracing::warn!(provider, error = self.error.code(), detail = %self.detail, "SPID/CIE login refused");
        self.error
    }
}

impl From<ChainRefusal> for Failure {
    fn from(refusal: ChainRefusal) -> Failure {
        Failure::new(LoginError::Untrusted, refusal)
    }
}

impl From<ApiError> for Failure {
    fn from(err: ApiError) -> Failure {
        Failure::new(LoginError::Unexpected, err)
    }
}

fn text(claims: &Map<String, Value>, name: &str) -> Option<String> {
    claims.get(name).and_then(Value::as_str).map(str::to_string)
}

/// Where the identity provider sent the browser back with an error: the reason for the
/// parent, logged for the operator.
pub fn refused_by_provider(provider: &str, code: &str) -> LoginError {
    Failure::from_provider(code, "authorization").log(provider)
}

impl OidcClient {
    pub fn new(providers: Vec<OidcProviderConfig>) -> OidcClient {
        OidcClient {
            providers,
            http: super::federation::http_client(),
        }
    }

    pub fn login_providers(&self) -> Vec<LoginProvider> {
        self.providers
            .iter()
            .map(|p| LoginProvider {
                id: p.id.clone(),
                label: p.label.clone(),
            })
            .collect()
    }

    /// The configured provider `id`, or 404.
    pub fn provider(&self, id: &str) -> ApiResult<&OidcProviderConfig> {
        self.providers
            .iter()
            .find(|p| p.id == id)
            .ok_or(ApiError::NotFound)
    }

    /// The provider's metadata from its trust chain.
    async fn meta(
        &self,
        federation: &Federation,
        p: &OidcProviderConfig,
        now: OffsetDateTime,
    ) -> Result<ProviderMeta, Failure> {
        let chain = federation.chains.resolve(&p.issuer, now).await?;
        federation
            .chains
            .check_trust_marks(&p.issuer, &chain, &p.trust_marks, now)
            .await?;
        let op = chain
            .metadata_of("openid_provider")
            .ok_or_else(|| Failure::from(ChainRefusal::Policy("openid_provider".into())))?;
        let field = |name: &str| {
            text(op, name).ok_or_else(|| Failure::invalid(format!("metadata without {name}")))
        };
        let meta = ProviderMeta {
            issuer: field("issuer")?,
            authorization_endpoint: field("authorization_endpoint")?,
            token_endpoint: field("token_endpoint")?,
            userinfo_endpoint: field("userinfo_endpoint")?,
            revocation_endpoint: text(op, "revocation_endpoint"),
            jwks: op.get("jwks").cloned().unwrap_or(Value::Null),
        };
        if meta.issuer != p.issuer {
            return Err(Failure::invalid("issuer differs from the entity id"));
        }
        Ok(meta)
    }

    /// Starts a login: remembers state, nonce and PKCE verifier, returns the provider's
    /// authorization address with the signed Request Object, or the reason it cannot.
    pub async fn begin(
        &self,
        db: &DatabaseConnection,
        federation: &Federation,
        ente: &ente::Model,
        p: &OidcProviderConfig,
        redirect_to: Option<&str>,
        now: OffsetDateTime,
    ) -> Result<String, LoginError> {
        let attempt: Result<String, Failure> = async {
            let meta = self.meta(federation, p, now).await?;
            let client_id = federation.relying_party_id(&ente.slug);
            let state = random_token();
            let nonce = random_token();
            let verifier = random_token();
            let challenge = pkce_challenge(&verifier);
            oidc_state::Entity::insert(oidc_state::ActiveModel {
                ente_id: Set(ente.ente_id()),
                state: Set(state.clone()),
                provider: Set(p.id.clone()),
                code_verifier: Set(verifier),
                nonce: Set(nonce.clone()),
                redirect_to: Set(return_path(redirect_to, &ente.slug)),
                expires_at: Set(now + STATE_TTL),
                ..Default::default()
            })
            .exec(db)
            .await
            .map_err(ApiError::from)?;
            let requested = json!({
                FISCAL_NUMBER: { "essential": true },
                "given_name": null,
                "family_name": null,
                "email": null,
            });
            let request = json!({
                "iss": client_id,
                "sub": client_id,
                "aud": [meta.issuer, meta.authorization_endpoint],
                "iat": now.unix_timestamp(),
                "exp": (now + STATE_TTL).unix_timestamp(),
                "jti": random_token(),
                "client_id": client_id,
                "response_type": "code",
                "scope": "openid",
                "redirect_uri": federation.callback_url(),
                "state": state,
                "nonce": nonce,
                "code_challenge": challenge,
                "code_challenge_method": "S256",
                "acr_values": REQUIRED_ACR,
                "prompt": "consent login",
                "claims": { "userinfo": requested },
            });
            let request = jose::sign(
                jose::claims(request),
                "oauth-authz-req+jwt",
                &federation.keys.oidc_signing,
            )
            .map_err(ApiError::internal)?;
            let mut url =
                url::Url::parse(&meta.authorization_endpoint).map_err(Failure::invalid)?;
            url.query_pairs_mut()
                .append_pair("client_id", &client_id)
                .append_pair("response_type", "code")
                .append_pair("scope", "openid")
                .append_pair("code_challenge", &challenge)
                .append_pair("code_challenge_method", "S256")
                .append_pair("request", &request);
            Ok(url.into())
        }
        .await;
        attempt.map_err(|failure| failure.log(&p.id))
    }

    /// Consumes the login state named by `state` (once), or `None` when unknown or expired.
    pub async fn take_state(
        &self,
        db: &DatabaseConnection,
        state: &str,
        now: OffsetDateTime,
    ) -> ApiResult<Option<oidc_state::Model>> {
        let Some(found) = oidc_state::Entity::find()
            .filter(oidc_state::Column::State.eq(state))
            .one(db)
            .await?
        else {
            return Ok(None);
        };
        let deleted = oidc_state::Entity::delete_by_id(found.id).exec(db).await?;
        Ok((deleted.rows_affected == 1 && found.expires_at > now).then_some(found))
    }

    /// Checks the answering provider (`iss`, when given), exchanges the authorization
    /// code, checks the ID token and the UserInfo, and logs the matching account in; on
    /// failure, the reason to show on the login page (details are logged).
    pub async fn complete(
        &self,
        db: &DatabaseConnection,
        federation: &Federation,
        login: &oidc_state::Model,
        answer: AuthorizationAnswer<'_>,
        refresh_ttl_days: i64,
        now: OffsetDateTime,
    ) -> Result<LoggedIn, LoginError> {
        let attempt: Result<LoggedIn, Failure> = async {
            // RFC 9207: an answer naming another provider is not this login's.
            let provider = self.provider(&login.provider)?;
            if answer.iss.is_some_and(|iss| iss != provider.issuer) {
                return Err(Failure::invalid(
                    "authorization response from another issuer",
                ));
            }
            let ente = entes::by_id(db, login.ente_id).await?;
            let identity = self
                .userinfo(federation, &ente, login, answer.code, now)
                .await?;
            let fiscal_code = fiscal_number(&identity.claims)
                .ok_or_else(|| Failure::new(LoginError::NoFiscalCode, "no valid fiscal_number"))?;
            let user = find_by_fiscal_code(db, ente.ente_id(), &fiscal_code)
                .await?
                .filter(|u| u.active)
                .ok_or_else(|| Failure::new(LoginError::NotRegistered, "no active account"))?;
            let session = sessions::start(db, &user, refresh_ttl_days, now).await?;
            oidc_grant::Entity::delete_many()
                .filter(oidc_grant::Column::EnteId.eq(ente.id))
                .filter(oidc_grant::Column::ExpiresAt.lt(now))
                .exec(db)
                .await
                .map_err(ApiError::from)?;
            oidc_grant::Entity::insert(oidc_grant::ActiveModel {
                ente_id: Set(ente.ente_id()),
                session_family: Set(session.family.clone()),
                provider: Set(login.provider.clone()),
                access_token: Set(identity.access_token),
                expires_at: Set(identity.expires_at),
                ..Default::default()
            })
            .exec(db)
            .await
            .map_err(ApiError::from)?;
            Ok(LoggedIn {
                user,
                ente,
                session,
            })
        }
        .await;
        attempt.map_err(|failure| failure.log(&login.provider))
    }

    /// The UserInfo claims obtained for `code`: token request with a client assertion,
    /// ID token checked, UserInfo decrypted and its signature checked.
    async fn userinfo(
        &self,
        federation: &Federation,
        ente: &ente::Model,
        login: &oidc_state::Model,
        code: &str,
        now: OffsetDateTime,
    ) -> Result<Identity, Failure> {
        let p = self.provider(&login.provider)?;
        let meta = self.meta(federation, p, now).await?;
        let client_id = federation.relying_party_id(&ente.slug);
        let assertion = client_assertion(federation, &client_id, &meta.token_endpoint, now)?;
        let callback = federation.callback_url();
        let form = [
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", callback.as_str()),
            ("client_id", client_id.as_str()),
            ("client_assertion_type", CLIENT_ASSERTION_TYPE),
            ("client_assertion", assertion.as_str()),
            ("code_verifier", login.code_verifier.as_str()),
        ];
        let tokens: TokenEndpointResponse = serde_json::from_str(
            &answer(self.http.post(&meta.token_endpoint).form(&form), "token").await?,
        )
        .map_err(Failure::invalid)?;
        // The provider may have rotated its keys since its chain was cached.
        let meta = if jose::signed_by_known_key(&tokens.id_token, &meta.jwks) {
            meta
        } else {
            federation.chains.forget(&p.issuer).await;
            self.meta(federation, p, now).await?
        };
        let id_token = check_id_token(&meta, &client_id, login, &tokens.id_token, now)?;
        let encrypted = answer(
            self.http
                .get(&meta.userinfo_endpoint)
                .bearer_auth(&tokens.access_token),
            "userinfo",
        )
        .await?;
        let signed = jose::decrypt(encrypted.trim(), &federation.keys.oidc_encryption)
            .map_err(Failure::invalid)?;
        let (claims, _) = jose::verify(&signed, &meta.jwks, now).map_err(Failure::invalid)?;
        if text(&claims, "iss").as_deref() != Some(meta.issuer.as_str())
            || !jose::audience_includes(&claims, &client_id)
            || claims.get("sub") != id_token.get("sub")
        {
            return Err(Failure::invalid("UserInfo iss, aud or sub mismatch"));
        }
        Ok(Identity {
            claims,
            expires_at: now + time::Duration::seconds(tokens.expires_in.unwrap_or(3600)),
            access_token: tokens.access_token,
        })
    }

    /// Ends the identity provider's side of a session being logged out: its access token
    /// is revoked at the provider. Failures are logged, never shown: the portal's session
    /// is closed all the same.
    pub async fn revoke(
        &self,
        db: &DatabaseConnection,
        federation: &Federation,
        family: &str,
        now: OffsetDateTime,
    ) -> ApiResult<()> {
        let Some(grant) = oidc_grant::Entity::find()
            .filter(oidc_grant::Column::SessionFamily.eq(family))
            .one(db)
            .await?
        else {
            return Ok(());
        };
        oidc_grant::Entity::delete_by_id(grant.id).exec(db).await?;
        if grant.expires_at <= now {
            return Ok(());
        }
        let attempt: Result<(), Failure> = async {
            let p = self.provider(&grant.provider)?;
            let meta = self.meta(federation, p, now).await?;
            let endpoint = meta
                .revocation_endpoint
                .ok_or_else(|| Failure::invalid("no revocation_endpoint"))?;
            let ente = entes::by_id(db, grant.ente_id).await?;
            let client_id = federation.relying_party_id(&ente.slug);
            let assertion = client_assertion(federation, &client_id, &endpoint, now)?;
            let form = [
                ("token", grant.access_token.as_str()),
                ("token_type_hint", "access_token"),
                ("client_id", client_id.as_str()),
                ("client_assertion_type", CLIENT_ASSERTION_TYPE),
                ("client_assertion", assertion.as_str()),
            ];
            answer(self.http.post(&endpoint).form(&form), "revocation").await?;
            Ok(())
        }
        .await;
        if let Err(failure) = attempt {
            tracing::warn!(provider = grant.provider, detail = %failure.detail, "access token not revoked at the identity provider");
        }
        Ok(())
    }
}

/// A `private_key_jwt` client assertion of `client_id` for `audience` (an endpoint of
/// the provider), signed with the relying party's OIDC key.
fn client_assertion(
    federation: &Federation,
    client_id: &str,
    audience: &str,
    now: OffsetDateTime,
) -> Result<String, Failure> {
    let assertion = json!({
        "iss": client_id,
        "sub": client_id,
        "aud": audience,
        "iat": now.unix_timestamp(),
        "exp": (now + ASSERTION_TTL).unix_timestamp(),
        "jti": random_token(),
    });
    Ok(jose::sign(
        jose::claims(assertion),
        "JWT",
        &federation.keys.oidc_signing,
    )
    .map_err(ApiError::internal)?)
}

/// An error answer of the token, UserInfo or revocation endpoint (RFC 6749 5.2).
#[derive(Debug, Deserialize)]
struct ErrorAnswer {
    error: String,
}

/// The body of a successful answer of the provider; an error answer's `error` code is
/// the reason of the failure (the provider's failure when it gives none).
async fn answer(request: reqwest::RequestBuilder, endpoint: &str) -> Result<String, Failure> {
    let response = request.send().await.map_err(Failure::unreachable)?;
    let status = response.status();
    let body = response.text().await.map_err(Failure::unreachable)?;
    if status.is_success() {
        return Ok(body);
    }
    Err(match serde_json::from_str::<ErrorAnswer>(&body) {
        Ok(answer) => Failure::from_provider(&answer.error, endpoint),
        Err(_) => Failure::unreachable(format!("{endpoint}: HTTP {status}")),
    })
}

/// The ID token's claims, signature (keys of the trust chain), issuer, audience, nonce,
/// level and expiry checked.
fn check_id_token(
    meta: &ProviderMeta,
    client_id: &str,
    login: &oidc_state::Model,
    id_token: &str,
    now: OffsetDateTime,
) -> Result<Claims, Failure> {
    let (claims, _) = jose::verify(id_token, &meta.jwks, now).map_err(Failure::invalid)?;
    if text(&claims, "iss").as_deref() != Some(meta.issuer.as_str()) {
        return Err(Failure::invalid("ID token from another issuer"));
    }
    if !jose::audience_includes(&claims, client_id) {
        return Err(Failure::invalid("ID token for another client"));
    }
    if text(&claims, "sub").is_none() {
        return Err(Failure::invalid("ID token without sub"));
    }
    if text(&claims, "nonce").as_deref() != Some(login.nonce.as_str()) {
        return Err(Failure::invalid("nonce mismatch"));
    }
    let acr = text(&claims, "acr").unwrap_or_default();
    if acr_level(&acr) < acr_level(REQUIRED_ACR) {
        return Err(Failure::new(
            LoginError::InsufficientLevel,
            format!("acr {acr} below {REQUIRED_ACR}"),
        ));
    }
    Ok(claims)
}

/// The codice fiscale in the UserInfo: SPID and CIE send it as `TINIT-<code>`.
fn fiscal_number(claims: &Claims) -> Option<FiscalCode> {
    let raw = [FISCAL_NUMBER, "fiscal_number"]
        .iter()
        .find_map(|k| claims.get(*k).and_then(|v| v.as_str()))?;
    let code = raw.strip_prefix("TINIT-").unwrap_or(raw);
    FiscalCode::parse(code).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_spid_fiscal_number() {
        let mut claims = serde_json::Map::new();
        claims.insert(FISCAL_NUMBER.into(), "TINIT-RSSMRA85T10A562S".into());
        assert_eq!(fiscal_number(&claims).unwrap().as_str(), "RSSMRA85T10A562S");
        claims.insert(FISCAL_NUMBER.into(), "TINIT-RSSMRA85T10A562X".into());
        assert!(fiscal_number(&claims).is_none());
    }
}
