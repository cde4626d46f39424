//! A SPID/CIE identity provider for development and tests: a federation OpenID Provider
//! with its own trust anchor ([`trust_anchor`]). It publishes its Entity Configuration,
//! resolves the portal's trust chain, verifies its request objects and client assertions,
//! signs ID tokens and returns UserInfo signed and encrypted for the portal — so the login
//! runs end to end through the same relying-party code as production. Never served in
//! production.

pub mod trust_anchor;

use std::collections::HashMap;
use std::sync::{Mutex, RwLock};

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use sportello_model::FiscalCode;
use time::OffsetDateTime;

use self::trust_anchor::{AnchorFault, DevTrustAnchor};
use crate::accounts::federation::jose::{self, Claims, JoseRefusal};
use crate::accounts::federation::keys::{KeyRing, KeyUse};
use crate::accounts::federation::trust_chain::{TrustAnchor, TrustChains};
use crate::accounts::federation::{sign_statement, statement_response, SPID_L1, SPID_L2, SPID_L3};
use crate::accounts::oidc::{CLIENT_ASSERTION_TYPE, FISCAL_NUMBER};
use crate::accounts::secrets::{pkce_challenge, random_token};
use crate::error::render::OtherProtocol;
use crate::error::{ApiError, ApiResult};
use crate::http::escape_html as escape;
use crate::startup::AppState;

const CODE_TTL: time::Duration = time::Duration::seconds(120);
const TOKEN_TTL: time::Duration = time::Duration::minutes(5);

/// Who logs in, as typed on the provider's page.
#[derive(Clone)]
struct Person {
    fiscal_code: String,
    given_name: String,
    family_name: String,
}

/// What the provider does wrong on purpose, for the tests of the portal's refusals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Fault {
    /// The ID token carries another nonce.
    WrongNonce,
    /// The ID token's signature does not verify.
    BadSignature,
    /// The token endpoint answers `temporarily_unavailable` (HTTP 503).
    TokenUnavailable,
    /// The UserInfo JWT has no `exp`.
    UserinfoWithoutExp,
    /// The UserInfo JWT names another issuer.
    UserinfoWrongIssuer,
    /// The UserInfo JWT is addressed to another relying party.
    UserinfoWrongAudience,
    /// The provider rotates its OIDC keys and signs the ID token with the new key, which
    /// the relying party's cached trust chain does not know yet.
    RotatedKeys,
    /// The ID token is signed with a key the provider does not publish.
    UnknownKey,
    /// The authorization response names another issuer (`iss`, RFC 9207).
    WrongIssuer,
}

struct PendingCode {
    client_id: String,
    redirect_uri: String,
    nonce: String,
    code_challenge: String,
    acr: String,
    person: Person,
    fault: Option<Fault>,
    issued: OffsetDateTime,
}

struct Grant {
    client_id: String,
    subject: String,
    person: Person,
    fault: Option<Fault>,
    issued: OffsetDateTime,
}

pub struct DevIdp {
    /// Entity id, also the OpenID issuer.
    issuer: String,
    federation_keys: KeyRing,
    /// OIDC signature keys, rotated by the [`Fault::RotatedKeys`] tests.
    oidc_keys: RwLock<KeyRing>,
    anchor: DevTrustAnchor,
    /// The relying parties' chains, to the development trust anchor.
    chains: TrustChains,
    codes: Mutex<HashMap<String, PendingCode>>,
    grants: Mutex<HashMap<String, Grant>>,
}

impl DevIdp {
    /// The provider at `issuer`, with its trust anchor vouching for it and for the portal
    /// (entity id `portal_id`, federation keys `portal_jwks`).
    pub fn new(
        issuer: String,
        portal_id: &str,
        portal_jwks: Value,
        fault: Option<AnchorFault>,
    ) -> Result<DevIdp, String> {
        let federation_keys = KeyRing::generate(KeyUse::Signature)?;
        let anchor = DevTrustAnchor::new(
            format!("{issuer}/ta"),
            (&issuer, federation_keys.jwks()),
            (portal_id, portal_jwks),
            fault,
        )?;
        let chains = TrustChains::new(anchor.trust_anchor());
        Ok(DevIdp {
            oidc_keys: RwLock::new(KeyRing::generate(KeyUse::Signature)?),
            federation_keys,
            anchor,
            chains,
            issuer,
            codes: Mutex::new(HashMap::new()),
            grants: Mutex::new(HashMap::new()),
        })
    }

    fn oidc_jwks(&self) -> ApiResult<Value> {
        Ok(self.oidc_keys()?.jwks())
    }

    fn oidc_keys(&self) -> ApiResult<std::sync::RwLockReadGuard<'_, KeyRing>> {
        self.oidc_keys
            .read()
            .map_err(|_| ApiError::internal("dev idp lock poisoned"))
    }

    /// Signs with the active OIDC key.
    fn sign(&self, claims: Claims) -> ApiResult<String> {
        jose::sign(claims, "JWT", &*self.oidc_keys()?).map_err(ApiError::internal)
    }

    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The id of the trust mark its trust anchor issues it.
    pub fn trust_mark_id(&self) -> String {
        self.anchor.trust_mark_id()
    }

    /// The development trust anchor, for the portal's configuration.
    pub fn trust_anchor(&self) -> TrustAnchor {
        self.anchor.trust_anchor()
    }

    fn endpoint(&self, name: &str) -> String {
        format!("{}/{name}", self.issuer)
    }

    fn configuration(&self, now: OffsetDateTime) -> ApiResult<String> {
        sign_statement(
            &self.issuer,
            &self.issuer,
            json!({
                "jwks": self.federation_keys.jwks(),
                "authority_hints": [self.anchor.trust_anchor().id],
                "trust_marks": [{
                    "trust_mark_type": self.trust_mark_id(),
                    "id": self.trust_mark_id(),
                    "trust_mark": self.anchor.trust_mark(&self.issuer, now)?,
                }],
                "metadata": {
                    "federation_entity": {
                        "organization_name": "Identity provider di sviluppo",
                    },
                    "openid_provider": {
                        "issuer": self.issuer,
                        "authorization_endpoint": self.endpoint("authorize"),
                        "token_endpoint": self.endpoint("token"),
                        "userinfo_endpoint": self.endpoint("userinfo"),
                        "revocation_endpoint": self.endpoint("revoke"),
                        "jwks": self.oidc_jwks()?,
                        "client_registration_types_supported": ["automatic"],
                        "response_types_supported": ["code"],
                        "scopes_supported": ["openid"],
                        "acr_values_supported": [SPID_L1, SPID_L2, SPID_L3],
                        "subject_types_supported": ["pairwise"],
                        "id_token_signing_alg_values_supported": ["RS256"],
                        "request_object_signing_alg_values_supported": ["RS256"],
                        "userinfo_signing_alg_values_supported": ["RS256"],
                        "userinfo_encryption_alg_values_supported": ["RSA-OAEP-256", "RSA-OAEP"],
                        "userinfo_encryption_enc_values_supported": ["A256CBC-HS512"],
                        "token_endpoint_auth_methods_supported": ["private_key_jwt"],
                        "code_challenge_methods_supported": ["S256"],
                        "claims_supported": [FISCAL_NUMBER, "given_name", "family_name", "email"],
                    }
                }
            }),
            &self.federation_keys,
            now,
        )
    }

    /// The relying party `client_id`'s metadata, from its trust chain.
    async fn relying_party(
        &self,
        client_id: &str,
        now: OffsetDateTime,
    ) -> Result<Map<String, Value>, String> {
        let chain = self
            .chains
            .resolve(client_id, now)
            .await
            .map_err(|e| e.to_string())?;
        chain
            .metadata_of("openid_relying_party")
            .cloned()
            .ok_or_else(|| "no openid_relying_party metadata".into())
    }
}

fn idp(state: &AppState) -> ApiResult<&DevIdp> {
    state.dev_idp.as_ref().ok_or(ApiError::NotFound)
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(configuration)
        .service(authorize_form)
        .service(authorize_submit)
        .service(token)
        .service(userinfo)
        .service(revoke)
        .configure(trust_anchor::configure);
}

#[get("/.well-known/openid-federation")]
async fn configuration(state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    let jwt = idp(&state)?.configuration(state.now())?;
    Ok(statement_response(jwt))
}

/// The parameters of the authorization address, kept in the form as they came.
#[derive(Debug, Deserialize, Serialize)]
struct AuthorizeParams {
    client_id: String,
    response_type: String,
    scope: String,
    code_challenge: String,
    code_challenge_method: String,
    request: String,
}

/// An authentication request whose Request Object checked out.
struct AuthRequest {
    client_id: String,
    redirect_uri: String,
    state: String,
    nonce: String,
    code_challenge: String,
    acr: String,
}

/// Why an authentication request is refused: shown on the provider's page, or sent back
/// to the relying party when its redirect address is known to be its own.
enum Refusal {
    Page(String),
    Redirect {
        redirect_uri: String,
        state: String,
        error: &'static str,
    },
}

fn claim(claims: &Claims, name: &str) -> String {
    claims
        .get(name)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// Checks the Request Object: signed by a key of the relying party's trust chain, for
/// this provider, consistent with the address, with a registered redirect address.
async fn check_request(
    idp: &DevIdp,
    p: &AuthorizeParams,
    now: OffsetDateTime,
) -> Result<AuthRequest, Refusal> {
    let page = |why: &str| Refusal::Page(format!("Richiesta di autenticazione non valida: {why}."));
    if p.response_type != "code" || p.code_challenge_method != "S256" || p.scope != "openid" {
        return Err(page("response_type, scope o metodo PKCE non ammessi"));
    }
    let rp = idp
        .relying_party(&p.client_id, now)
        .await
        .map_err(|_| page("il servizio richiedente non è riconosciuto dalla federazione"))?;
    let jwks = rp.get("jwks").cloned().unwrap_or(Value::Null);
    let (claims, expired) = match jose::verify(&p.request, &jwks, now) {
        Ok((claims, _)) => (claims, false),
        // The signature did verify: only the time is wrong.
        Err(JoseRefusal::Expired) => (
            jose::unverified_claims(&p.request).map_err(|_| page("oggetto request illeggibile"))?,
            true,
        ),
        Err(_) => return Err(page("la firma dell'oggetto request non è valida")),
    };
    let redirect_uri = claim(&claims, "redirect_uri");
    let registered = rp
        .get("redirect_uris")
        .and_then(Value::as_array)
        .is_some_and(|uris| {
            uris.iter()
                .any(|u| u.as_str() == Some(redirect_uri.as_str()))
        });
    if !registered {
        return Err(page("indirizzo di ritorno non registrato"));
    }
    let state = claim(&claims, "state");
    let back = |error| Refusal::Redirect {
        redirect_uri: redirect_uri.clone(),
        state: state.clone(),
        error,
    };
    if expired {
        return Err(back("invalid_request_object"));
    }
    let for_us = jose::audience_includes(&claims, &idp.issuer);
    if claim(&claims, "iss") != p.client_id
        || claim(&claims, "client_id") != p.client_id
        || claim(&claims, "code_challenge") != p.code_challenge
        || !for_us
        || state.is_empty()
        || claim(&claims, "nonce").is_empty()
    {
        return Err(back("invalid_request_object"));
    }
    let acr = claim(&claims, "acr_values")
        .split_whitespace()
        .next()
        .unwrap_or(SPID_L2)
        .to_string();
    Ok(AuthRequest {
        client_id: p.client_id.clone(),
        nonce: claim(&claims, "nonce"),
        code_challenge: p.code_challenge.clone(),
        redirect_uri,
        state,
        acr,
    })
}

fn redirect_to(uri: &str, pairs: &[(&str, &str)]) -> ApiResult<HttpResponse> {
    let mut url = url::Url::parse(uri)
        .map_err(|_| ApiError::BadRequest("redirect_uri non valido.".into()))?;
    url.query_pairs_mut().extend_pairs(pairs);
    Ok(HttpResponse::Found()
        .insert_header(("Location", url.to_string()))
        .finish())
}

fn refused(idp: &DevIdp, refusal: Refusal) -> ApiResult<HttpResponse> {
    match refusal {
        Refusal::Page(message) => Ok(HttpResponse::BadRequest()
            .content_type("text/html; charset=utf-8")
            .body(format!(
                r#"<!doctype html><html lang="it"><head><meta charset="utf-8"><title>Identity provider di sviluppo</title></head><body><main><h1>Identity provider di sviluppo</h1><p role="alert">{}</p></main></body></html>"#,
                escape(&message)
            ))),
        Refusal::Redirect {
            redirect_uri,
            state,
            error,
        } => redirect_to(
            &redirect_uri,
            &[("error", error), ("state", &state), ("iss", &idp.issuer)],
        ),
    }
}

fn page(params: &AuthorizeParams, acr: &str, error: Option<&str>) -> HttpResponse {
    let hidden: String = [
        ("client_id", params.client_id.as_str()),
        ("response_type", &params.response_type),
        ("scope", &params.scope),
        ("code_challenge", &params.code_challenge),
        ("code_challenge_method", &params.code_challenge_method),
        ("request", &params.request),
    ]
    .iter()
    .map(|(k, v)| format!(r#"<input type="hidden" name="{k}" value="{}">"#, escape(v)))
    .collect();
    let levels: String = [
        (SPID_L1, "SPID livello 1"),
        (SPID_L2, "SPID livello 2"),
        (SPID_L3, "SPID livello 3"),
    ]
    .iter()
    .map(|(value, label)| {
        let selected = if *value == acr { " selected" } else { "" };
        format!(r#"<option value="{value}"{selected}>{label}</option>"#)
    })
    .collect();
    let error = error
        .map(|e| {
            format!(
                r#"<p class="errore" role="alert" id="errore-cf">{}</p>"#,
                escape(e)
            )
        })
        .unwrap_or_default();
    let html = format!(
        r#"<!doctype html>
<html lang="it"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Identity provider di sviluppo</title>
<style>body{{font-family:sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}}
label{{display:block;margin-top:1rem;font-weight:600}}input[type=text],select{{width:100%;padding:.5rem;font-size:1rem}}
button{{margin-top:1.5rem;padding:.6rem 1.2rem;font-size:1rem;background:#0066cc;color:#fff;border:0;border-radius:4px}}
.annulla{{background:#5c6f82}}.errore{{color:#a61d1d;font-weight:600}}.nota{{background:#fff3cd;padding:.75rem;border-radius:4px}}</style></head>
<body><main>
<h1>Identity provider di sviluppo</h1>
<p class="nota">Questo gestore simula SPID e CIE solo in sviluppo e nei test: non è attivo in produzione.</p>
{error}
<form method="post" action="authorize">
{hidden}
<label for="fiscal_code">Codice fiscale</label>
<input type="text" id="fiscal_code" name="fiscal_code" autocomplete="off" required>
<label for="given_name">Nome</label>
<input type="text" id="given_name" name="given_name" value="Mario">
<label for="family_name">Cognome</label>
<input type="text" id="family_name" name="family_name" value="Albertini">
<label for="acr">Livello di sicurezza</label>
<select id="acr" name="acr">{levels}</select>
<button type="submit" name="decision" value="allow" id="autorizza">Autorizza l'accesso</button>
<button type="submit" name="decision" value="deny" class="annulla" formnovalidate>Annulla</button>
</form></main></body></html>"#
    );
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(html)
}

#[get("/authorize")]
async fn authorize_form(
    state: web::Data<AppState>,
    params: web::Query<AuthorizeParams>,
) -> ApiResult<HttpResponse> {
    let idp = idp(&state)?;
    match check_request(idp, &params, state.now()).await {
        Ok(request) => Ok(page(&params, &request.acr, None)),
        Err(refusal) => refused(idp, refusal),
    }
}

#[derive(Debug, Deserialize)]
struct AuthorizeSubmit {
    #[serde(flatten)]
    params: AuthorizeParams,
    fiscal_code: Option<String>,
    given_name: Option<String>,
    family_name: Option<String>,
    acr: Option<String>,
    decision: Option<String>,
    fault: Option<Fault>,
    /// The error code to answer the authentication request with, as a provider refusing
    /// it would (tests of the portal's messages for each code).
    error: Option<String>,
}

#[post("/authorize")]
async fn authorize_submit(
    state: web::Data<AppState>,
    form: web::Form<AuthorizeSubmit>,
) -> ApiResult<HttpResponse> {
    let idp = idp(&state)?;
    let form = form.into_inner();
    let now = state.now();
    let request = match check_request(idp, &form.params, now).await {
        Ok(request) => request,
        Err(refusal) => return refused(idp, refusal),
    };
    let error = match form.decision.as_deref() {
        Some("allow") => form.error.as_deref(),
        _ => Some("access_denied"),
    };
    if let Some(error) = error {
        return redirect_to(
            &request.redirect_uri,
            &[
                ("error", error),
                ("error_description", "Autenticazione non completata"),
                ("state", &request.state),
                ("iss", &idp.issuer),
            ],
        );
    }
    let fiscal_code = match FiscalCode::parse(form.fiscal_code.as_deref().unwrap_or("")) {
        Ok(code) => code,
        Err(e) => return Ok(page(&form.params, &request.acr, Some(&e.to_string()))),
    };
    let code = random_token();
    let mut codes = idp
        .codes
        .lock()
        .map_err(|_| ApiError::internal("dev idp lock poisoned"))?;
    codes.retain(|_, c| now - c.issued < CODE_TTL);
    codes.insert(
        code.clone(),
        PendingCode {
            client_id: request.client_id,
            redirect_uri: request.redirect_uri.clone(),
            nonce: request.nonce,
            code_challenge: request.code_challenge,
            acr: form.acr.filter(|a| !a.is_empty()).unwrap_or(request.acr),
            person: Person {
                fiscal_code: fiscal_code.to_string(),
                given_name: form.given_name.unwrap_or_default(),
                family_name: form.family_name.unwrap_or_default(),
            },
            fault: form.fault,
            issued: now,
        },
    );
    drop(codes);
    let issuer = match form.fault {
        Some(Fault::WrongIssuer) => idp.anchor.trust_anchor().id,
        _ => idp.issuer.clone(),
    };
    redirect_to(
        &request.redirect_uri,
        &[("code", &code), ("state", &request.state), ("iss", &issuer)],
    )
}

#[derive(Debug, Deserialize)]
struct TokenForm {
    grant_type: String,
    code: String,
    redirect_uri: String,
    code_verifier: String,
    #[serde(flatten)]
    client: ClientAuth,
}

/// An OAuth error answer (RFC 6749 5.2), as the provider's endpoints give it: kept in
/// that format rather than made a problem+json answer of the portal.
fn oauth_error(status: StatusCode, error: &str, description: &str) -> HttpResponse {
    let mut answer = HttpResponse::build(status).json(json!({
        "error": error,
        "error_description": description,
    }));
    answer.extensions_mut().insert(OtherProtocol);
    answer
}

fn token_error(error: &str, description: &str) -> HttpResponse {
    oauth_error(StatusCode::BAD_REQUEST, error, description)
}

/// How a client authenticates at the token and revocation endpoints.
#[derive(Debug, Deserialize)]
struct ClientAuth {
    client_id: String,
    client_assertion_type: String,
    client_assertion: String,
}

/// Checks a `private_key_jwt` client assertion for the `endpoint` with the keys of the
/// client's chain.
async fn check_assertion(
    idp: &DevIdp,
    client: &ClientAuth,
    endpoint: &str,
    now: OffsetDateTime,
) -> bool {
    if client.client_assertion_type != CLIENT_ASSERTION_TYPE {
        return false;
    }
    let Ok(rp) = idp.relying_party(&client.client_id, now).await else {
        return false;
    };
    let Ok((claims, _)) = jose::verify(
        &client.client_assertion,
        rp.get("jwks").unwrap_or(&Value::Null),
        now,
    ) else {
        return false;
    };
    jose::audience_includes(&claims, &idp.endpoint(endpoint))
        && claim(&claims, "iss") == client.client_id
        && claim(&claims, "sub") == client.client_id
}

/// The subject the provider gives a person at one relying party (pairwise).
fn pairwise_subject(client_id: &str, fiscal_code: &str) -> String {
    let digest = Sha256::digest(format!("{client_id}|{fiscal_code}").as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

#[post("/token")]
async fn token(state: web::Data<AppState>, form: web::Form<TokenForm>) -> ApiResult<HttpResponse> {
    let idp = idp(&state)?;
    let now = state.now();
    if form.grant_type != "authorization_code" {
        return Ok(token_error(
            "unsupported_grant_type",
            "unsupported grant_type",
        ));
    }
    if !check_assertion(idp, &form.client, "token", now).await {
        return Ok(token_error("invalid_client", "client assertion not valid"));
    }
    let pending = idp
        .codes
        .lock()
        .map_err(|_| ApiError::internal("dev idp lock poisoned"))?
        .remove(&form.code);
    let Some(pending) = pending.filter(|c| now - c.issued < CODE_TTL) else {
        return Ok(token_error("invalid_grant", "unknown or expired code"));
    };
    if pending.client_id != form.client.client_id || pending.redirect_uri != form.redirect_uri {
        return Ok(token_error(
            "invalid_grant",
            "client_id or redirect_uri mismatch",
        ));
    }
    if pkce_challenge(&form.code_verifier) != pending.code_challenge {
        return Ok(token_error("invalid_grant", "PKCE verification failed"));
    }
    if pending.fault == Some(Fault::TokenUnavailable) {
        return Ok(oauth_error(
            StatusCode::SERVICE_UNAVAILABLE,
            "temporarily_unavailable",
            "service temporarily unavailable",
        ));
    }
    let subject = pairwise_subject(&pending.client_id, &pending.person.fiscal_code);
    let nonce = match pending.fault {
        Some(Fault::WrongNonce) => random_token(),
        _ => pending.nonce.clone(),
    };
    let claims = jose::claims(json!({
        "iss": idp.issuer,
        "sub": subject,
        "aud": [pending.client_id],
        "iat": now.unix_timestamp(),
        "exp": (now + TOKEN_TTL).unix_timestamp(),
        "jti": random_token(),
        "nonce": nonce,
        "acr": pending.acr,
    }));
    let mut id_token = match pending.fault {
        Some(Fault::RotatedKeys) => {
            idp.oidc_keys
                .write()
                .map_err(|_| ApiError::internal("dev idp lock poisoned"))?
                .rotate()
                .map_err(ApiError::internal)?;
            idp.sign(claims)?
        }
        Some(Fault::UnknownKey) => {
            let unpublished = KeyRing::generate(KeyUse::Signature).map_err(ApiError::internal)?;
            jose::sign(claims, "JWT", &unpublished).map_err(ApiError::internal)?
        }
        _ => idp.sign(claims)?,
    };
    if pending.fault == Some(Fault::BadSignature) {
        // Another signature of the same length: it cannot verify.
        let signature_start = id_token.rfind('.').map_or(0, |i| i + 1);
        id_token.replace_range(
            signature_start..,
            &"A".repeat(id_token.len() - signature_start),
        );
    }
    let access_token = random_token();
    idp.grants
        .lock()
        .map_err(|_| ApiError::internal("dev idp lock poisoned"))?
        .insert(
            access_token.clone(),
            Grant {
                client_id: pending.client_id,
                subject,
                person: pending.person,
                fault: pending.fault,
                issued: now,
            },
        );
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(json!({
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": TOKEN_TTL.whole_seconds(),
            "id_token": id_token,
        })))
}

/// The person's attributes, signed by the provider and encrypted for the relying party's
/// encryption key (from its trust chain).
#[get("/userinfo")]
async fn userinfo(state: web::Data<AppState>, req: HttpRequest) -> ApiResult<HttpResponse> {
    let idp = idp(&state)?;
    let now = state.now();
    let bearer = req
        .headers()
        .get("Authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default()
        .to_string();
    let grant = {
        let grants = idp
            .grants
            .lock()
            .map_err(|_| ApiError::internal("dev idp lock poisoned"))?;
        grants
            .get(&bearer)
            .filter(|g| now - g.issued < TOKEN_TTL)
            .map(|g| {
                (
                    g.client_id.clone(),
                    g.subject.clone(),
                    g.person.clone(),
                    g.fault,
                )
            })
    };
    let Some((client_id, subject, person, fault)) = grant else {
        return Ok(HttpResponse::Unauthorized()
            .insert_header(("WWW-Authenticate", "Bearer error=\"invalid_token\""))
            .finish());
    };
    let rp = idp
        .relying_party(&client_id, now)
        .await
        .map_err(ApiError::internal)?;
    let mut claims = jose::claims(json!({
        "iss": idp.issuer,
        "sub": subject,
        "aud": client_id,
        "iat": now.unix_timestamp(),
        "exp": (now + TOKEN_TTL).unix_timestamp(),
        FISCAL_NUMBER: format!("TINIT-{}", person.fiscal_code),
        "given_name": person.given_name,
        "family_name": person.family_name,
    }));
    match fault {
        Some(Fault::UserinfoWithoutExp) => {
            claims.remove("exp");
        }
        Some(Fault::UserinfoWrongIssuer) => {
            claims.insert("iss".into(), idp.anchor.trust_anchor().id.into());
        }
        Some(Fault::UserinfoWrongAudience) => {
            claims.insert("aud".into(), idp.issuer.clone().into());
        }
        _ => {}
    }
    let signed = idp.sign(claims)?;
    let encrypted = jose::encrypt_for(&signed, rp.get("jwks").unwrap_or(&Value::Null))
        .map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok()
        .content_type("application/jose")
        .insert_header(("Cache-Control", "no-store"))
        .body(encrypted))
}

#[derive(Debug, Deserialize)]
struct RevokeForm {
    token: String,
    #[serde(flatten)]
    client: ClientAuth,
}

/// Token revocation (RFC 7009): the client's own access token stops working.
#[post("/revoke")]
async fn revoke(
    state: web::Data<AppState>,
    form: web::Form<RevokeForm>,
) -> ApiResult<HttpResponse> {
    let idp = idp(&state)?;
    if !check_assertion(idp, &form.client, "revoke", state.now()).await {
        return Ok(token_error("invalid_client", "client assertion not valid"));
    }
    let mut grants = idp
        .grants
        .lock()
        .map_err(|_| ApiError::internal("dev idp lock poisoned"))?;
    if grants
        .get(&form.token)
        .is_some_and(|g| g.client_id == form.client.client_id)
    {
        grants.remove(&form.token);
    }
    Ok(HttpResponse::Ok().finish())
}
