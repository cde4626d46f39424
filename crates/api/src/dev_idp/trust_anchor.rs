//! The development federation's trust anchor: it vouches for the development identity
//! provider and for the portal (the aggregator of the comuni), as the SPID and CIE
//! registries do in production. Never served in production.

use actix_web::{get, web, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Value};
use time::OffsetDateTime;

use super::idp;
use crate::accounts::federation::jose;
use crate::accounts::federation::keys::{KeyRing, KeyUse};
use crate::accounts::federation::trust_chain::{TrustAnchor, TRUST_MARK_TYPE};
use crate::accounts::federation::{
    sign_statement, statement_response, SPID_L1, SPID_L2, SPID_L3, STATEMENT_TTL,
};
use crate::error::{ApiError, ApiResult};
use crate::startup::AppState;

/// What the trust anchor does wrong on purpose (test environment only,
/// `SPORTELLO_DEV_ANCHOR_FAULT`), for the tests of the portal's refusals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnchorFault {
    /// Its statement about the identity provider expired yesterday.
    ExpiredStatement,
    /// Its statement about the identity provider is signed with a key it does not publish.
    WrongSignature,
    /// Its policy for the identity provider requires an ID token algorithm the provider
    /// does not offer: the provider's metadata violates the chain's policy.
    PolicyViolation,
    /// The trust mark it issued to the identity provider expired yesterday.
    TrustMarkExpired,
    /// The trust mark the identity provider shows was issued to another entity.
    TrustMarkOtherSubject,
    /// It names another entity as the issuer of its trust mark.
    TrustMarkUnknownIssuer,
}

impl std::str::FromStr for AnchorFault {
    type Err = ();

    fn from_str(s: &str) -> Result<AnchorFault, ()> {
        match s {
            "expired_statement" => Ok(AnchorFault::ExpiredStatement),
            "wrong_signature" => Ok(AnchorFault::WrongSignature),
            "policy_violation" => Ok(AnchorFault::PolicyViolation),
            "trust_mark_expired" => Ok(AnchorFault::TrustMarkExpired),
            "trust_mark_other_subject" => Ok(AnchorFault::TrustMarkOtherSubject),
            "trust_mark_unknown_issuer" => Ok(AnchorFault::TrustMarkUnknownIssuer),
            _ => Err(()),
        }
    }
}

/// An entity the trust anchor vouches for.
struct Subordinate {
    id: String,
    jwks: Value,
    metadata_policy: Value,
}

pub struct DevTrustAnchor {
    id: String,
    keys: KeyRing,
    subordinates: Vec<Subordinate>,
    fault: Option<AnchorFault>,
}

impl DevTrustAnchor {
    /// The anchor at `id`, vouching for the identity provider and the portal with these
    /// federation keys.
    pub fn new(
        id: String,
        provider: (&str, Value),
        portal: (&str, Value),
        fault: Option<AnchorFault>,
    ) -> Result<DevTrustAnchor, String> {
        Ok(DevTrustAnchor {
            id,
            fault,
            keys: KeyRing::generate(KeyUse::Signature)?,
            subordinates: vec![
                Subordinate {
                    id: provider.0.to_string(),
                    jwks: provider.1,
                    metadata_policy: json!({
                        "openid_provider": {
                            "acr_values_supported": { "subset_of": [SPID_L1, SPID_L2, SPID_L3] },
                            "token_endpoint_auth_methods_supported": { "superset_of": ["private_key_jwt"] },
                        }
                    }),
                },
                Subordinate {
                    id: portal.0.to_string(),
                    jwks: portal.1,
                    metadata_policy: json!({
                        "openid_relying_party": {
                            "grant_types": { "subset_of": ["authorization_code", "refresh_token"] },
                        }
                    }),
                },
            ],
        })
    }

    /// The anchor as relying parties and providers are configured with it.
    pub fn trust_anchor(&self) -> TrustAnchor {
        TrustAnchor {
            id: self.id.clone(),
            jwks: self.keys.jwks(),
        }
    }

    /// The id of the trust mark it issues to identity providers, shaped as the SPID/CIE
    /// rules shape theirs.
    pub fn trust_mark_id(&self) -> String {
        format!("{}/openid_provider/public/", self.id)
    }

    /// The trust mark it issues to `sub`, valid from `now` as its statements are.
    pub fn trust_mark(&self, sub: &str, now: OffsetDateTime) -> ApiResult<String> {
        let issued = match self.fault {
            Some(AnchorFault::TrustMarkExpired) => now - time::Duration::days(2),
            _ => now,
        };
        let sub = match self.fault {
            Some(AnchorFault::TrustMarkOtherSubject) => &self.subordinates[1].id,
            _ => sub,
        };
        let id = self.trust_mark_id();
        let claims = jose::claims(json!({
            "iss": self.id,
            "sub": sub,
            "trust_mark_type": id,
            "id": id,
            "iat": issued.unix_timestamp(),
            "exp": (issued + STATEMENT_TTL).unix_timestamp(),
        }));
        jose::sign(claims, TRUST_MARK_TYPE, &self.keys).map_err(ApiError::internal)
    }

    fn configuration(&self, now: OffsetDateTime) -> ApiResult<String> {
        let issuer = match self.fault {
            Some(AnchorFault::TrustMarkUnknownIssuer) => "https://registry.example.it",
            _ => &self.id,
        };
        sign_statement(
            &self.id,
            &self.id,
            json!({
                "jwks": self.keys.jwks(),
                "trust_mark_issuers": { self.trust_mark_id(): [issuer] },
                "metadata": {
                    "federation_entity": {
                        "organization_name": "Trust anchor di sviluppo",
                        "federation_fetch_endpoint": format!("{}/fetch", self.id),
                        "federation_list_endpoint": format!("{}/list", self.id),
                    }
                }
            }),
            &self.keys,
            now,
        )
    }

    fn statement(&self, sub: &str, now: OffsetDateTime) -> ApiResult<String> {
        let subordinate = self
            .subordinates
            .iter()
            .find(|s| s.id == sub)
            .ok_or(ApiError::NotFound)?;
        let body = json!({
            "jwks": subordinate.jwks,
            "metadata_policy": subordinate.metadata_policy,
        });
        let provider = std::ptr::eq(subordinate, &self.subordinates[0]);
        match self.fault.filter(|_| provider) {
            None
            | Some(
                AnchorFault::TrustMarkExpired
                | AnchorFault::TrustMarkOtherSubject
                | AnchorFault::TrustMarkUnknownIssuer,
            ) => sign_statement(&self.id, &subordinate.id, body, &self.keys, now),
            Some(AnchorFault::ExpiredStatement) => sign_statement(
                &self.id,
                &subordinate.id,
                body,
                &self.keys,
                now - time::Duration::days(2),
            ),
            Some(AnchorFault::WrongSignature) => {
                let unpublished =
                    KeyRing::generate(KeyUse::Signature).map_err(ApiError::internal)?;
                sign_statement(&self.id, &subordinate.id, body, &unpublished, now)
            }
            Some(AnchorFault::PolicyViolation) => {
                let mut body = body;
                body["metadata_policy"]["openid_provider"]
                    ["id_token_signing_alg_values_supported"] = json!({ "superset_of": ["ES512"] });
                sign_statement(&self.id, &subordinate.id, body, &self.keys, now)
            }
        }
    }
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(configuration).service(fetch).service(list);
}

#[get("/ta/.well-known/openid-federation")]
async fn configuration(state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    let jwt = idp(&state)?.anchor.configuration(state.now())?;
    Ok(statement_response(jwt))
}

#[derive(Debug, Deserialize)]
struct FetchQuery {
    sub: String,
}

#[get("/ta/fetch")]
async fn fetch(
    state: web::Data<AppState>,
    query: web::Query<FetchQuery>,
) -> ApiResult<HttpResponse> {
    let jwt = idp(&state)?.anchor.statement(&query.sub, state.now())?;
    Ok(statement_response(jwt))
}

#[get("/ta/list")]
async fn list(state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    let anchor = &idp(&state)?.anchor;
    let ids: Vec<&str> = anchor.subordinates.iter().map(|s| s.id.as_str()).collect();
    Ok(HttpResponse::Ok().json(ids))
}
