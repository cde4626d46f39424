//! The OAuth 2.0 client-credentials grant (RFC 6749 §4.4): an API client's id and
//! secret, in the form or by HTTP Basic, for an access token of its comune with the
//! scopes it asked for among those granted. Refusals are RFC 6749 §5.2 errors, each with
//! its Italian description.

use base64::Engine;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use sportello_model::integrations::{
    parse_scopes, scope_text, ClientToken, ClientTokenRequest, OAuthError, CLIENT_TOKEN_MINUTES,
};
use time::OffsetDateTime;

use super::entity::api_client;
use crate::accounts::secrets::{same_secret, token_hash};
use crate::auth::JwtKeys;
use crate::error::ApiError;

/// A refusal of the token endpoint: 400, or 401 for `invalid_client`.
#[derive(Debug)]
pub struct Refusal(pub OAuthError);

impl Refusal {
    fn new(error: &str, description: impl Into<String>) -> Refusal {
        Refusal(OAuthError {
            error: error.into(),
            error_description: description.into(),
        })
    }

    fn bad_client() -> Refusal {
        Refusal::new(
            "invalid_client",
            "Credenziali del client non valide, oppure client revocato.",
        )
    }

    pub fn is_client(&self) -> bool {
        self.0.error == "invalid_client"
    }
}

/// The credentials of an `Authorization: Basic` header (each part form-decoded, as RFC
/// 6749 §2.3.1 says), if there is one.
pub fn basic_credentials(header: Option<&str>) -> Result<Option<(String, String)>, Refusal> {
    let Some(value) = header else {
        return Ok(None);
    };
    let Some((scheme, encoded)) = value.trim().split_once(' ') else {
        return Err(Refusal::bad_client());
    };
    if !scheme.eq_ignore_ascii_case("basic") {
        return Ok(None);
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .ok_or_else(Refusal::bad_client)?;
    let (id, secret) = decoded.split_once(':').ok_or_else(Refusal::bad_client)?;
    let part = |text: &str| {
        form_urlencoded::parse(format!("x={text}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default()
    };
    Ok(Some((part(id), part(secret))))
}

/// Exchanges the client's credentials for an access token.
pub async fn exchange(
    db: &DatabaseConnection,
    jwt: &JwtKeys,
    body: &[u8],
    basic: Option<(String, String)>,
    now: OffsetDateTime,
) -> Result<Result<ClientToken, Refusal>, ApiError> {
    let request: ClientTokenRequest = match serde_urlencoded::from_bytes(body) {
        Ok(request) => request,
        Err(_) => {
            return Ok(Err(Refusal::new(
                "invalid_request",
                "La richiesta va inviata come application/x-www-form-urlencoded con grant_type, client_id e client_secret.",
            )))
        }
    };
    if request.grant_type != "client_credentials" {
        return Ok(Err(Refusal::new(
            "unsupported_grant_type",
            "Questo endpoint rilascia token solo per grant_type=client_credentials.",
        )));
    }
    let form = request.client_id.zip(request.client_secret);
    let (client_id, secret) = match (basic, form) {
        (Some(_), Some(_)) => {
            return Ok(Err(Refusal::new(
                "invalid_request",
                "Invia le credenziali del client in un solo modo: intestazione Authorization oppure campi del modulo.",
            )))
        }
        (Some(credentials), None) | (None, Some(credentials)) => credentials,
        (None, None) => return Ok(Err(Refusal::bad_client())),
    };
    let Some(client) = api_client::Entity::find()
        .filter(api_client::Column::ClientId.eq(client_id.as_str()))
        .one(db)
        .await?
    else {
        return Ok(Err(Refusal::bad_client()));
    };
    if !same_secret(&token_hash(&secret), &client.secret_hash) || client.revoked_at.is_some() {
        return Ok(Err(Refusal::bad_client()));
    }
    let granted = client.granted();
    let scopes = match request.scope.as_deref().map(parse_scopes) {
        None => granted,
        Some((asked, unknown)) => {
            if let Some(name) = unknown.first() {
                return Ok(Err(Refusal::new(
                    "invalid_scope",
                    format!("L'ambito «{name}» non esiste."),
                )));
            }
            if let Some(missing) = asked.iter().find(|s| !granted.contains(s)) {
                return Ok(Err(Refusal::new(
                    "invalid_scope",
                    format!(
                        "Il Comune non ha concesso al client l'ambito «{}».",
                        missing.as_str()
                    ),
                )));
            }
            if asked.is_empty() {
                return Ok(Err(Refusal::new(
                    "invalid_scope",
                    "Chiedi almeno un ambito.",
                )));
            }
            asked
        }
    };
    api_client::Entity::update_many()
        .col_expr(api_client::Column::LastUsedAt, Some(now).into())
        .filter(api_client::Column::EnteId.eq(client.ente_id))
        .filter(api_client::Column::Id.eq(client.id))
        .exec(db)
        .await?;
    let ttl = CLIENT_TOKEN_MINUTES * 60;
    Ok(Ok(ClientToken {
        access_token: jwt.issue_for_client(&client, &scopes, ttl, now)?,
        token_type: "Bearer".into(),
        expires_in: ttl as u64,
        scope: scope_text(&scopes),
    }))
}
