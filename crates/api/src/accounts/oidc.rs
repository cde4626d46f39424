//! OpenID Connect relying party for SPID and CIE: authorization code with PKCE, ID token
//! signature checked against the provider's JWKS, `fiscal_number` mapped to the account.
//! The same code serves production providers and the development provider.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{decode, decode_header, Algorithm, DecodingKey, Validation};
use sea_orm::{ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use secrecy::ExposeSecret;
use serde::Deserialize;
use sportello_model::auth::{return_path, LoginError};
use sportello_model::entes::LoginProvider;
use sportello_model::FiscalCode;
use time::OffsetDateTime;
use tokio::sync::RwLock;

use super::entity::oidc_state;
use super::secrets::{pkce_challenge, random_token};
use super::service::{find_by_fiscal_code, LoggedIn};
use super::sessions;
use crate::config::OidcProviderConfig;
use crate::entes::{entity::ente, service as entes};
use crate::error::{ApiError, ApiResult};

/// How long a login may stay at the identity provider.
const STATE_TTL: time::Duration = time::Duration::minutes(10);
/// Provider metadata and keys are read again after this long.
const METADATA_TTL: Duration = Duration::from_secs(3600);

#[derive(Debug, Clone, Deserialize)]
struct Discovery {
    issuer: String,
    authorization_endpoint: String,
    token_endpoint: String,
    jwks_uri: String,
}

#[derive(Clone)]
struct ProviderMeta {
    discovery: Discovery,
    keys: JwkSet,
    fetched: Instant,
}

#[derive(Debug, Deserialize)]
struct TokenEndpointResponse {
    id_token: String,
}

pub struct OidcClient {
    providers: Vec<OidcProviderConfig>,
    http: reqwest::Client,
    cache: RwLock<HashMap<String, ProviderMeta>>,
}

fn provider_error(detail: impl std::fmt::Display) -> ApiError {
    tracing::warn!(%detail, "identity provider error");
    ApiError::BadRequest(
        "Non è stato possibile completare l'accesso con il gestore dell'identità digitale. Riprova."
            .into(),
    )
}

/// The provider's JSON answer to `request`; a failed request, an error status or an
/// unreadable answer is the provider's error.
async fn answer<T: serde::de::DeserializeOwned>(request: reqwest::RequestBuilder) -> ApiResult<T> {
    request
        .send()
        .await
        .and_then(|r| r.error_for_status())
        .map_err(provider_error)?
        .json()
        .await
        .map_err(provider_error)
}

impl OidcClient {
    pub fn new(providers: Vec<OidcProviderConfig>) -> OidcClient {
        OidcClient {
            providers,
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap_or_default(),
            cache: RwLock::new(HashMap::new()),
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

    fn provider(&self, id: &str) -> ApiResult<&OidcProviderConfig> {
        self.providers
            .iter()
            .find(|p| p.id == id)
            .ok_or(ApiError::NotFound)
    }

    async fn fetch_meta(&self, p: &OidcProviderConfig) -> ApiResult<ProviderMeta> {
        let discovery: Discovery = answer(
            self.http
                .get(format!("{}/.well-known/openid-configuration", p.issuer)),
        )
        .await?;
        if discovery.issuer.trim_end_matches('/') != p.issuer {
            return Err(provider_error(format!(
                "issuer mismatch: {} vs {}",
                discovery.issuer, p.issuer
            )));
        }
        let keys: JwkSet = answer(self.http.get(&discovery.jwks_uri)).await?;
        let meta = ProviderMeta {
            discovery,
            keys,
            fetched: Instant::now(),
        };
        self.cache.write().await.insert(p.id.clone(), meta.clone());
        Ok(meta)
    }

    async fn meta(&self, p: &OidcProviderConfig) -> ApiResult<ProviderMeta> {
        if let Some(meta) = self.cache.read().await.get(&p.id) {
            if meta.fetched.elapsed() < METADATA_TTL {
                return Ok(meta.clone());
            }
        }
        self.fetch_meta(p).await
    }

    /// Starts a login: remembers state, nonce and PKCE verifier, returns the provider's
    /// authorization address to send the browser to.
    pub async fn begin(
        &self,
        db: &DatabaseConnection,
        ente: &ente::Model,
        provider_id: &str,
        redirect_to: Option<&str>,
        callback_url: &str,
        now: OffsetDateTime,
    ) -> ApiResult<String> {
        let p = self.provider(provider_id)?;
        let meta = self.meta(p).await?;
        let state = random_token();
        let nonce = random_token();
        let verifier = random_token();
        oidc_state::Entity::insert(oidc_state::ActiveModel {
            ente_id: Set(ente.ente_id()),
            state: Set(state.clone()),
            provider: Set(p.id.clone()),
            code_verifier: Set(verifier.clone()),
            nonce: Set(nonce.clone()),
            redirect_to: Set(return_path(redirect_to, &ente.slug)),
            expires_at: Set(now + STATE_TTL),
            ..Default::default()
        })
        .exec(db)
        .await?;
        let mut url =
            url::Url::parse(&meta.discovery.authorization_endpoint).map_err(provider_error)?;
        url.query_pairs_mut()
            .append_pair("response_type", "code")
            .append_pair("client_id", &p.client_id)
            .append_pair("redirect_uri", callback_url)
            .append_pair("scope", "openid profile")
            .append_pair("state", &state)
            .append_pair("nonce", &nonce)
            .append_pair("code_challenge", &pkce_challenge(&verifier))
            .append_pair("code_challenge_method", "S256")
            .append_pair("prompt", "login");
        Ok(url.into())
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

    /// Exchanges the authorization code, verifies the ID token and logs the matching
    /// account in; on failure, the reason to show on the login page (details are logged).
    pub async fn complete(
        &self,
        db: &DatabaseConnection,
        login: &oidc_state::Model,
        code: &str,
        callback_url: &str,
        refresh_ttl_days: i64,
        now: OffsetDateTime,
    ) -> Result<LoggedIn, LoginError> {
        let unexpected = |err: ApiError| {
            tracing::error!(%err, "SPID/CIE login failed on our side");
            LoginError::Unexpected
        };
        let claims = self
            .verified_claims(login, code, callback_url, now)
            .await
            .map_err(|_| LoginError::ProviderFailed)?;
        let fiscal_code = fiscal_number(&claims).ok_or(LoginError::NoFiscalCode)?;
        let ente = entes::by_id(db, login.ente_id).await.map_err(unexpected)?;
        let user = find_by_fiscal_code(db, ente.ente_id(), &fiscal_code)
            .await
            .map_err(unexpected)?
            .filter(|u| u.active)
            .ok_or(LoginError::NotRegistered)?;
        let session = sessions::start(db, &user, refresh_ttl_days, now)
            .await
            .map_err(unexpected)?;
        Ok(LoggedIn {
            user,
            ente,
            session,
        })
    }

    /// The claims of the ID token obtained for `code`, signature, audience and nonce checked.
    async fn verified_claims(
        &self,
        login: &oidc_state::Model,
        code: &str,
        callback_url: &str,
        now: OffsetDateTime,
    ) -> ApiResult<serde_json::Map<String, serde_json::Value>> {
        let p = self.provider(&login.provider)?;
        let meta = self.meta(p).await?;
        let mut form = vec![
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", callback_url),
            ("client_id", p.client_id.as_str()),
            ("code_verifier", login.code_verifier.as_str()),
        ];
        if let Some(secret) = &p.client_secret {
            form.push(("client_secret", secret.expose_secret()));
        }
        let tokens: TokenEndpointResponse =
            answer(self.http.post(&meta.discovery.token_endpoint).form(&form)).await?;
        let claims = self.verify_id_token(p, meta, &tokens.id_token, now).await?;
        if claims.get("nonce").and_then(|n| n.as_str()) != Some(login.nonce.as_str()) {
            return Err(provider_error("nonce mismatch"));
        }
        Ok(claims)
    }

    async fn verify_id_token(
        &self,
        p: &OidcProviderConfig,
        mut meta: ProviderMeta,
        id_token: &str,
        now: OffsetDateTime,
    ) -> ApiResult<serde_json::Map<String, serde_json::Value>> {
        let header = decode_header(id_token).map_err(provider_error)?;
        let kid = header.kid.clone();
        let find_key = |keys: &JwkSet| match &kid {
            Some(kid) => keys.find(kid).cloned(),
            None => keys.keys.first().cloned(),
        };
        let jwk = match find_key(&meta.keys) {
            Some(jwk) => jwk,
            None => {
                // The provider may have rotated its keys since we cached them.
                meta = self.fetch_meta(p).await?;
                find_key(&meta.keys).ok_or_else(|| provider_error("unknown signing key"))?
            }
        };
        let key = DecodingKey::from_jwk(&jwk).map_err(provider_error)?;
        // Asymmetric signatures only: `none` and shared-secret algorithms are refused.
        if !matches!(
            header.alg,
            Algorithm::RS256 | Algorithm::PS256 | Algorithm::ES256
        ) {
            return Err(provider_error(format!(
                "unsupported algorithm {:?}",
                header.alg
            )));
        }
        let mut validation = Validation::new(header.alg);
        validation.set_issuer(&[p.issuer.as_str()]);
        validation.set_audience(&[p.client_id.as_str()]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        // `exp` is checked against the server clock, not the system time.
        validation.validate_exp = false;
        let claims =
            decode::<serde_json::Map<String, serde_json::Value>>(id_token, &key, &validation)
                .map(|d| d.claims)
                .map_err(provider_error)?;
        match claims.get("exp").and_then(|exp| exp.as_i64()) {
            Some(exp) if !crate::auth::expired(exp, now, validation.leeway) => Ok(claims),
            _ => Err(provider_error("ID token expired")),
        }
    }
}

/// The codice fiscale in an ID token: SPID and CIE send `fiscal_number` as `TINIT-<code>`.
fn fiscal_number(claims: &serde_json::Map<String, serde_json::Value>) -> Option<FiscalCode> {
    let raw = [
        "fiscal_number",
        "https://attributes.eid.gov.it/fiscal_number",
    ]
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
        claims.insert("fiscal_number".into(), "TINIT-RSSMRA85T10A562S".into());
        assert_eq!(fiscal_number(&claims).unwrap().as_str(), "RSSMRA85T10A562S");
        claims.insert("fiscal_number".into(), "TINIT-RSSMRA85T10A562X".into());
        assert!(fiscal_number(&claims).is_none());
    }
}
