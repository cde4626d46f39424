//! SPID and CIE id as an OpenID Connect Federation 1.0 relying party, the installation
//! acting as aggregator (Soggetto Aggregatore) of its comuni: the installation is an
//! intermediate entity, each comune a leaf relying party below it. Entity Configurations,
//! subordinate statements, trust chains to the configured anchor, and the keys.

pub mod jose;
pub mod keys;
pub mod policy;
pub mod routes;
pub mod trust_chain;

use actix_web::HttpResponse;
use sea_orm::{DatabaseConnection, EntityTrait, QueryOrder};
use serde_json::{json, Map, Value};
use sportello_model::paths;
use time::OffsetDateTime;

use self::keys::{KeyRing, RelyingPartyKeys};
use self::trust_chain::{TrustAnchor, TrustChains};
use crate::entes::entity::ente;
use crate::error::{ApiError, ApiResult};

/// Where an entity publishes its Entity Configuration, below its entity id.
pub const WELL_KNOWN: &str = "/.well-known/openid-federation";
/// `typ` of Entity Statements, and their media type.
pub const STATEMENT_TYPE: &str = "entity-statement+jwt";
pub const STATEMENT_MEDIA_TYPE: &str = "application/entity-statement+jwt";
/// How long the statements we sign stay valid.
pub const STATEMENT_TTL: time::Duration = time::Duration::hours(24);

/// The Entity Configuration address of `entity_id`.
pub fn configuration_url(entity_id: &str) -> String {
    format!("{}{WELL_KNOWN}", entity_id.trim_end_matches('/'))
}

/// Signs an Entity Statement by `iss` about `sub` with `body`'s claims (`jwks`,
/// `metadata`, `authority_hints`, …), valid from `now` for [`STATEMENT_TTL`].
pub fn sign_statement(
    iss: &str,
    sub: &str,
    body: Value,
    ring: &KeyRing,
    now: OffsetDateTime,
) -> ApiResult<String> {
    let mut claims = Map::new();
    claims.insert("iss".into(), iss.into());
    claims.insert("sub".into(), sub.into());
    claims.insert("iat".into(), now.unix_timestamp().into());
    claims.insert("exp".into(), (now + STATEMENT_TTL).unix_timestamp().into());
    if let Value::Object(body) = body {
        claims.extend(body);
    }
    jose::sign(claims, STATEMENT_TYPE, ring).map_err(ApiError::internal)
}

/// The HTTP client for other entities of the federation: short timeout, no redirects.
pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap_or_default()
}

/// An Entity Statement as an HTTP answer.
pub fn statement_response(jwt: String) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(STATEMENT_MEDIA_TYPE)
        .body(jwt)
}

/// The SPID levels of assurance, as `acr` values.
pub const SPID_L1: &str = "https://www.spid.gov.it/SpidL1";
pub const SPID_L2: &str = "https://www.spid.gov.it/SpidL2";
pub const SPID_L3: &str = "https://www.spid.gov.it/SpidL3";

/// The level (1 to 3) of an `acr` value; 0 for an unknown one.
pub fn acr_level(acr: &str) -> u8 {
    match acr {
        SPID_L1 => 1,
        SPID_L2 => 2,
        SPID_L3 => 3,
        _ => 0,
    }
}

/// The comuni of the installation, by slug: the relying parties below it.
pub async fn comuni(db: &DatabaseConnection) -> ApiResult<Vec<ente::Model>> {
    Ok(ente::Entity::find()
        .order_by_asc(ente::Column::Slug)
        .all(db)
        .await?)
}

/// The installation's entity id (as aggregator) when the portal is at `public_url`.
pub fn aggregator_id(public_url: &str) -> String {
    format!("{public_url}{}", paths::absolute(&paths::federation()))
}

/// Who the installation is in the federation, with its keys and its trust anchor.
pub struct Federation {
    pub keys: RelyingPartyKeys,
    /// The portal's public base address.
    public_url: String,
    authority_hints: Vec<String>,
    /// Trust marks the federation issued, published as given.
    trust_marks: Value,
    organization_name: String,
    contacts: Vec<String>,
    /// Chains of the identity providers, to the trust anchor.
    pub chains: TrustChains,
}

/// What the federation needs from configuration.
pub struct FederationSettings {
    pub public_url: String,
    pub anchor: TrustAnchor,
    pub authority_hints: Vec<String>,
    pub trust_marks: Value,
    pub organization_name: String,
    pub contacts: Vec<String>,
}

impl Federation {
    pub fn new(keys: RelyingPartyKeys, settings: FederationSettings) -> Federation {
        let authority_hints = if settings.authority_hints.is_empty() {
            vec![settings.anchor.id.clone()]
        } else {
            settings.authority_hints
        };
        Federation {
            keys,
            public_url: settings.public_url,
            authority_hints,
            trust_marks: settings.trust_marks,
            organization_name: settings.organization_name,
            contacts: settings.contacts,
            chains: TrustChains::new(settings.anchor),
        }
    }

    fn api_url(&self, path: &str) -> String {
        format!("{}{}", self.public_url, paths::absolute(path))
    }

    /// The installation's entity id, as intermediate (aggregator).
    pub fn aggregator_id(&self) -> String {
        aggregator_id(&self.public_url)
    }

    /// A comune's entity id, as leaf relying party: also its `client_id`.
    pub fn relying_party_id(&self, slug: &str) -> String {
        self.api_url(&paths::comune_federation(slug))
    }

    /// The comune whose relying party `entity_id` is, by slug.
    pub fn slug_of<'a>(&self, entity_id: &'a str) -> Option<&'a str> {
        let prefix = self.api_url(&paths::entes());
        let rest = entity_id.strip_prefix(&prefix)?.strip_prefix('/')?;
        let slug = rest.strip_suffix("/federation")?;
        (!slug.is_empty() && !slug.contains('/')).then_some(slug)
    }

    /// Where identity providers send the browser back.
    pub fn callback_url(&self) -> String {
        self.api_url(&paths::oidc_callback())
    }

    /// The installation's Entity Configuration: an intermediate with the federation
    /// endpoints.
    pub fn aggregator_configuration(&self, now: OffsetDateTime) -> ApiResult<String> {
        let id = self.aggregator_id();
        sign_statement(
            &id,
            &id,
            json!({
                "jwks": self.keys.federation.jwks(),
                "authority_hints": self.authority_hints,
                "trust_marks": self.trust_marks,
                "metadata": {
                    "federation_entity": {
                        "organization_name": self.organization_name,
                        "homepage_uri": self.public_url,
                        "contacts": self.contacts,
                        "federation_fetch_endpoint": self.api_url(&paths::federation_fetch()),
                        "federation_list_endpoint": self.api_url(&paths::federation_list()),
                        "federation_resolve_endpoint": self.api_url(&paths::federation_resolve()),
                    }
                }
            }),
            &self.keys.federation,
            now,
        )
    }

    /// The relying party metadata of a comune.
    fn relying_party_metadata(&self, ente: &ente::Model) -> Value {
        json!({
            "client_id": self.relying_party_id(&ente.slug),
            "client_name": ente.name,
            "client_registration_types": ["automatic"],
            "application_type": "web",
            "redirect_uris": [self.callback_url()],
            "response_types": ["code"],
            "grant_types": ["authorization_code"],
            "token_endpoint_auth_method": "private_key_jwt",
            "id_token_signed_response_alg": "RS256",
            "userinfo_signed_response_alg": "RS256",
            "userinfo_encrypted_response_alg": "RSA-OAEP-256",
            "userinfo_encrypted_response_enc": "A256CBC-HS512",
            "jwks": self.keys.oidc_jwks(),
            "contacts": self.contacts,
        })
    }

    fn comune_entity(&self, ente: &ente::Model) -> Value {
        json!({
            "organization_name": ente.name,
            "homepage_uri": format!("{}/{}", self.public_url, ente.slug),
            "policy_uri": format!("{}/{}/privacy", self.public_url, ente.slug),
            "contacts": self.contacts,
            "fiscal_number": ente.fiscal_code.to_string(),
        })
    }

    /// A comune's Entity Configuration, as leaf relying party below the installation.
    pub fn relying_party_configuration(
        &self,
        ente: &ente::Model,
        now: OffsetDateTime,
    ) -> ApiResult<String> {
        let id = self.relying_party_id(&ente.slug);
        sign_statement(
            &id,
            &id,
            json!({
                "jwks": self.keys.federation.jwks(),
                "authority_hints": [self.aggregator_id()],
                "trust_marks": self.trust_marks,
                "metadata": {
                    "federation_entity": self.comune_entity(ente),
                    "openid_relying_party": self.relying_party_metadata(ente),
                }
            }),
            &self.keys.federation,
            now,
        )
    }

    /// The installation's statement about one of its comuni (the fetch endpoint).
    pub fn subordinate_statement(
        &self,
        ente: &ente::Model,
        now: OffsetDateTime,
    ) -> ApiResult<String> {
        sign_statement(
            &self.aggregator_id(),
            &self.relying_party_id(&ente.slug),
            json!({
                "jwks": self.keys.federation.jwks(),
                "metadata_policy": {
                    "openid_relying_party": {
                        "client_registration_types": { "subset_of": ["automatic"], "essential": true },
                        "token_endpoint_auth_method": { "one_of": ["private_key_jwt"] },
                    }
                }
            }),
            &self.keys.federation,
            now,
        )
    }
}
