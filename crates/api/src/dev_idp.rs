//! A small OpenID Connect provider for development and tests, standing in for SPID and
//! CIE. It signs real RS256 ID tokens with a key generated at start-up, so the login path
//! runs end to end with the same relying-party code as production. Never served in
//! production.

use std::collections::HashMap;
use std::sync::Mutex;

use actix_web::{get, post, web, HttpResponse};
use base64::Engine;
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use rsa::pkcs1::EncodeRsaPrivateKey;
use rsa::traits::PublicKeyParts;
use rsa::RsaPrivateKey;
use serde::{Deserialize, Serialize};
use sportello_model::FiscalCode;
use time::OffsetDateTime;

use crate::accounts::secrets::{pkce_challenge, random_token};
use crate::error::{ApiError, ApiResult};
use crate::http::escape_html as escape;
use crate::startup::AppState;

/// Client id under which the portal is registered at the development provider.
pub const CLIENT_ID: &str = "sportello-dev";
const KEY_ID: &str = "sportello-dev-1";
const CODE_TTL: time::Duration = time::Duration::seconds(120);

struct PendingCode {
    client_id: String,
    redirect_uri: String,
    nonce: Option<String>,
    code_challenge: String,
    fiscal_code: String,
    given_name: String,
    family_name: String,
    issued: OffsetDateTime,
}

pub struct DevIdp {
    issuer: String,
    encoding: EncodingKey,
    /// Public key as JWK `n` and `e`.
    modulus: String,
    exponent: String,
    codes: Mutex<HashMap<String, PendingCode>>,
}

impl DevIdp {
    /// Generates a fresh 2048-bit RSA signing key.
    pub fn new(issuer: String) -> Result<DevIdp, String> {
        let key = RsaPrivateKey::new(&mut rand::rngs::OsRng, 2048).map_err(|e| e.to_string())?;
        let pem = key
            .to_pkcs1_pem(rsa::pkcs8::LineEnding::LF)
            .map_err(|e| e.to_string())?;
        let encoding = EncodingKey::from_rsa_pem(pem.as_bytes()).map_err(|e| e.to_string())?;
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        Ok(DevIdp {
            issuer,
            encoding,
            modulus: b64.encode(key.n().to_bytes_be()),
            exponent: b64.encode(key.e().to_bytes_be()),
            codes: Mutex::new(HashMap::new()),
        })
    }

    pub fn issuer(&self) -> &str {
        &self.issuer
    }
}

fn idp(state: &AppState) -> ApiResult<&DevIdp> {
    state.dev_idp.as_ref().ok_or(ApiError::NotFound)
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(discovery)
        .service(jwks)
        .service(authorize_form)
        .service(authorize_submit)
        .service(token);
}

#[get("/.well-known/openid-configuration")]
async fn discovery(state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    let idp = idp(&state)?;
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "issuer": idp.issuer,
        "authorization_endpoint": format!("{}/authorize", idp.issuer),
        "token_endpoint": format!("{}/token", idp.issuer),
        "jwks_uri": format!("{}/jwks", idp.issuer),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "code_challenge_methods_supported": ["S256"],
        "claims_supported": ["sub", "fiscal_number", "given_name", "family_name"],
    })))
}

#[get("/jwks")]
async fn jwks(state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    let idp = idp(&state)?;
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "keys": [{
            "kty": "RSA",
            "use": "sig",
            "alg": "RS256",
            "kid": KEY_ID,
            "n": idp.modulus,
            "e": idp.exponent,
        }]
    })))
}

#[derive(Debug, Deserialize, Serialize)]
struct AuthorizeParams {
    response_type: String,
    client_id: String,
    redirect_uri: String,
    state: String,
    nonce: Option<String>,
    code_challenge: String,
    code_challenge_method: String,
}

fn check_params(p: &AuthorizeParams) -> ApiResult<()> {
    if p.response_type != "code" || p.client_id != CLIENT_ID || p.code_challenge_method != "S256" {
        return Err(ApiError::BadRequest(
            "Richiesta di autorizzazione non valida (response_type, client_id o PKCE).".into(),
        ));
    }
    Ok(())
}

fn page(params: &AuthorizeParams, error: Option<&str>) -> HttpResponse {
    let hidden: String = [
        ("response_type", params.response_type.as_str()),
        ("client_id", &params.client_id),
        ("redirect_uri", &params.redirect_uri),
        ("state", &params.state),
        ("nonce", params.nonce.as_deref().unwrap_or("")),
        ("code_challenge", &params.code_challenge),
        ("code_challenge_method", &params.code_challenge_method),
    ]
    .iter()
    .map(|(k, v)| format!(r#"<input type="hidden" name="{k}" value="{}">"#, escape(v)))
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
label{{display:block;margin-top:1rem;font-weight:600}}input[type=text]{{width:100%;padding:.5rem;font-size:1rem}}
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
    idp(&state)?;
    check_params(&params)?;
    Ok(page(&params, None))
}

#[derive(Debug, Deserialize)]
struct AuthorizeSubmit {
    #[serde(flatten)]
    params: AuthorizeParams,
    fiscal_code: Option<String>,
    given_name: Option<String>,
    family_name: Option<String>,
    decision: Option<String>,
}

fn redirect_to(uri: &str, pairs: &[(&str, &str)]) -> ApiResult<HttpResponse> {
    let mut url = url::Url::parse(uri)
        .map_err(|_| ApiError::BadRequest("redirect_uri non valido.".into()))?;
    url.query_pairs_mut().extend_pairs(pairs);
    Ok(HttpResponse::Found()
        .insert_header(("Location", url.to_string()))
        .finish())
}

#[post("/authorize")]
async fn authorize_submit(
    state: web::Data<AppState>,
    form: web::Form<AuthorizeSubmit>,
) -> ApiResult<HttpResponse> {
    let idp = idp(&state)?;
    let form = form.into_inner();
    check_params(&form.params)?;
    let p = &form.params;
    if form.decision.as_deref() != Some("allow") {
        return redirect_to(
            &p.redirect_uri,
            &[("error", "access_denied"), ("state", &p.state)],
        );
    }
    let fiscal_code = match FiscalCode::parse(form.fiscal_code.as_deref().unwrap_or("")) {
        Ok(code) => code,
        Err(e) => return Ok(page(p, Some(&e.to_string()))),
    };
    let code = random_token();
    let mut codes = idp
        .codes
        .lock()
        .map_err(|_| ApiError::internal("dev idp lock poisoned"))?;
    let now = state.now();
    codes.retain(|_, c| now - c.issued < CODE_TTL);
    codes.insert(
        code.clone(),
        PendingCode {
            client_id: p.client_id.clone(),
            redirect_uri: p.redirect_uri.clone(),
            nonce: p.nonce.clone().filter(|n| !n.is_empty()),
            code_challenge: p.code_challenge.clone(),
            fiscal_code: fiscal_code.to_string(),
            given_name: form.given_name.unwrap_or_default(),
            family_name: form.family_name.unwrap_or_default(),
            issued: now,
        },
    );
    drop(codes);
    redirect_to(&p.redirect_uri, &[("code", &code), ("state", &p.state)])
}

#[derive(Debug, Deserialize)]
struct TokenForm {
    grant_type: String,
    code: String,
    redirect_uri: String,
    client_id: String,
    code_verifier: String,
}

#[derive(Serialize)]
struct IdTokenClaims<'a> {
    iss: &'a str,
    sub: &'a str,
    aud: &'a str,
    iat: i64,
    exp: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    nonce: Option<&'a str>,
    fiscal_number: String,
    given_name: &'a str,
    family_name: &'a str,
}

fn token_error(description: &str) -> HttpResponse {
    HttpResponse::BadRequest().json(serde_json::json!({
        "error": "invalid_grant",
        "error_description": description,
    }))
}

#[post("/token")]
async fn token(state: web::Data<AppState>, form: web::Form<TokenForm>) -> ApiResult<HttpResponse> {
    let idp = idp(&state)?;
    if form.grant_type != "authorization_code" {
        return Ok(token_error("unsupported grant_type"));
    }
    let now = state.now();
    let pending = idp
        .codes
        .lock()
        .map_err(|_| ApiError::internal("dev idp lock poisoned"))?
        .remove(&form.code);
    let Some(pending) = pending.filter(|c| now - c.issued < CODE_TTL) else {
        return Ok(token_error("unknown or expired code"));
    };
    if pending.client_id != form.client_id || pending.redirect_uri != form.redirect_uri {
        return Ok(token_error("client_id or redirect_uri mismatch"));
    }
    if pkce_challenge(&form.code_verifier) != pending.code_challenge {
        return Ok(token_error("PKCE verification failed"));
    }
    let claims = IdTokenClaims {
        iss: &idp.issuer,
        sub: &pending.fiscal_code,
        aud: &pending.client_id,
        iat: now.unix_timestamp(),
        exp: now.unix_timestamp() + 300,
        nonce: pending.nonce.as_deref(),
        fiscal_number: format!("TINIT-{}", pending.fiscal_code),
        given_name: &pending.given_name,
        family_name: &pending.family_name,
    };
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(KEY_ID.into());
    let id_token = encode(&header, &claims, &idp.encoding).map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(serde_json::json!({
            "access_token": random_token(),
            "token_type": "Bearer",
            "expires_in": 300,
            "id_token": id_token,
        })))
}
