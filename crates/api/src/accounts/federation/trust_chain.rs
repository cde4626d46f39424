//! Trust chains (OpenID Federation 1.0, section 10): from an entity's self-signed Entity
//! Configuration, through the statements its superiors sign about it, up to the configured
//! trust anchor, whose keys come from configuration. Every signature and expiry is checked
//! with the server clock, the superiors' metadata policies are applied, and the resolved
//! metadata is cached until the chain expires or an hour passes.

use std::collections::HashMap;

use serde_json::{Map, Value};
use time::OffsetDateTime;
use tokio::sync::RwLock;

use super::jose::{self, Claims, JoseRefusal};
use super::{configuration_url, policy};

/// Longest chain followed, counting the subject (leaf, intermediate, anchor and one more).
const MAX_DEPTH: usize = 4;
/// A resolved chain is resolved again after this long even when it has not expired.
const CACHE_TTL: time::Duration = time::Duration::hours(1);

/// The trust anchor chains must end at: its entity id and its federation public keys.
#[derive(Debug, Clone)]
pub struct TrustAnchor {
    pub id: String,
    pub jwks: Value,
}

/// A resolved chain: the subject's metadata with the policies applied, and when the
/// chain stops being valid.
#[derive(Debug, Clone)]
pub struct TrustChain {
    pub metadata: Map<String, Value>,
    pub expires_at: OffsetDateTime,
    /// The statements, from the subject's Entity Configuration to the anchor's.
    pub statements: Vec<String>,
    /// The subject's federation keys, as its immediate superior vouches for them.
    pub jwks: Value,
    /// The trust marks the subject's Entity Configuration carries, not yet checked.
    trust_marks: Vec<Value>,
    /// The anchor's `trust_mark_issuers`: trust mark id → entities that may issue it.
    trust_mark_issuers: Map<String, Value>,
    resolved_at: OffsetDateTime,
}

impl TrustChain {
    /// The metadata of one entity type (`openid_provider`, `openid_relying_party`).
    pub fn metadata_of(&self, entity_type: &str) -> Option<&Map<String, Value>> {
        self.metadata.get(entity_type).and_then(Value::as_object)
    }
}

/// Why a chain could not be resolved. Logged for the operator.
#[derive(Debug, thiserror::Error)]
pub enum ChainRefusal {
    #[error("{url}: {reason}")]
    Unreachable { url: String, reason: String },
    #[error("statement about {subject} by {issuer}: {refusal}")]
    Statement {
        issuer: String,
        subject: String,
        refusal: JoseRefusal,
    },
    #[error("statement about {0} names another issuer or subject")]
    Mismatch(String),
    #[error("no authority of {0} leads to the trust anchor")]
    NoPathToAnchor(String),
    #[error("metadata policy refuses {0}")]
    Policy(String),
    #[error("no valid trust mark {id}: {reason}")]
    TrustMark { id: String, reason: String },
}

impl ChainRefusal {
    /// Whether the refusal is about a statement that expired (rather than a forged one).
    pub fn is_expiry(&self) -> bool {
        matches!(
            self,
            ChainRefusal::Statement {
                refusal: JoseRefusal::Expired,
                ..
            }
        )
    }
}

/// Resolves and caches trust chains to one trust anchor.
pub struct TrustChains {
    anchor: TrustAnchor,
    http: reqwest::Client,
    cache: RwLock<HashMap<String, TrustChain>>,
}

/// An Entity Configuration, its signature checked with the keys it carries.
struct Configuration {
    jwt: String,
    claims: Claims,
}

impl Configuration {
    fn jwks(&self) -> Value {
        self.claims.get("jwks").cloned().unwrap_or(Value::Null)
    }

    fn fetch_endpoint(&self) -> Option<&str> {
        self.claims
            .get("metadata")?
            .get("federation_entity")?
            .get("federation_fetch_endpoint")?
            .as_str()
    }

    fn authority_hints(&self) -> Vec<String> {
        self.claims
            .get("authority_hints")
            .and_then(Value::as_array)
            .map(|hints| {
                hints
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    }

    fn exp(&self) -> i64 {
        self.claims.get("exp").and_then(Value::as_i64).unwrap_or(0)
    }
}

/// `typ` of trust marks.
pub const TRUST_MARK_TYPE: &str = "trust-mark+jwt";

/// The id of a trust mark or of an entry of `trust_marks`: `trust_mark_type` in OpenID
/// Federation 1.0, `id` in the SPID/CIE rules.
pub fn trust_mark_id(mark: &Value) -> Option<&str> {
    ["trust_mark_type", "trust_mark_id", "id"]
        .iter()
        .find_map(|name| mark.get(*name)?.as_str())
}

fn claim_is(claims: &Claims, name: &str, expected: &str) -> bool {
    claims.get(name).and_then(Value::as_str) == Some(expected)
}

/// The subject's metadata as the chain resolves it (section 6.1.4): the parameters its
/// immediate superior sets, then the policies of the statements, from the anchor's down,
/// merged into one and applied. `statements` go from the one about the subject upwards.
fn resolve_metadata(
    metadata: &mut Map<String, Value>,
    statements: &[Claims],
) -> Result<(), policy::PolicyError> {
    let critical: Vec<String> = statements
        .iter()
        .filter_map(|claims| claims.get("metadata_policy_crit")?.as_array())
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect();
    let mut resolved: Option<policy::Policy> = None;
    for claims in statements.iter().rev() {
        let Some(next) = claims.get("metadata_policy") else {
            continue;
        };
        let next = policy::validate(next, &critical)?;
        resolved = Some(match resolved {
            Some(current) => policy::merge(current, next)?,
            None => next,
        });
    }
    if let Some(superior) = statements.first().and_then(|claims| claims.get("metadata")) {
        policy::override_metadata(metadata, superior);
    }
    match resolved {
        Some(resolved) => policy::apply(metadata, &resolved),
        None => Ok(()),
    }
}

impl TrustChains {
    pub fn new(anchor: TrustAnchor) -> TrustChains {
        TrustChains {
            anchor,
            http: super::http_client(),
            cache: RwLock::new(HashMap::new()),
        }
    }

    pub fn anchor(&self) -> &TrustAnchor {
        &self.anchor
    }

    /// The chain of `subject` (an entity id), from the cache while valid.
    pub async fn resolve(
        &self,
        subject: &str,
        now: OffsetDateTime,
    ) -> Result<TrustChain, ChainRefusal> {
        if let Some(chain) = self.cache.read().await.get(subject) {
            if chain.expires_at > now && now - chain.resolved_at < CACHE_TTL {
                return Ok(chain.clone());
            }
        }
        let chain = self.build(subject, now).await?;
        self.cache
            .write()
            .await
            .insert(subject.to_string(), chain.clone());
        Ok(chain)
    }

    /// Checks that `chain`'s subject carries a valid trust mark of each of the `required`
    /// ids (OpenID Federation 1.0 section 7; the "static validation" of the SPID/CIE
    /// rules): issued by an entity the anchor's `trust_mark_issuers` names for that id,
    /// signed with one of that issuer's federation keys, typed `trust-mark+jwt`, about
    /// the subject, not expired.
    pub async fn check_trust_marks(
        &self,
        subject: &str,
        chain: &TrustChain,
        required: &[String],
        now: OffsetDateTime,
    ) -> Result<(), ChainRefusal> {
        for id in required {
            let mut reason = "not carried".to_string();
            let mut valid = false;
            for mark in chain
                .trust_marks
                .iter()
                .filter(|mark| trust_mark_id(mark) == Some(id.as_str()))
            {
                match self.trust_mark(subject, chain, id, mark, now).await {
                    Ok(()) => {
                        valid = true;
                        break;
                    }
                    Err(why) => reason = why,
                }
            }
            if !valid {
                return Err(ChainRefusal::TrustMark {
                    id: id.clone(),
                    reason,
                });
            }
        }
        Ok(())
    }

    /// Why the trust mark `mark` of `chain`'s subject is not a valid one of `id`, if so.
    async fn trust_mark(
        &self,
        subject: &str,
        chain: &TrustChain,
        id: &str,
        mark: &Value,
        now: OffsetDateTime,
    ) -> Result<(), String> {
        let jwt = mark
            .get("trust_mark")
            .and_then(Value::as_str)
            .ok_or("no trust_mark JWT")?;
        let issuer = jose::unverified_claims(jwt)
            .map_err(|e| e.to_string())?
            .get("iss")
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or("no iss")?;
        // An empty list: anyone may issue it.
        let named = chain
            .trust_mark_issuers
            .get(id)
            .and_then(Value::as_array)
            .is_some_and(|issuers| {
                issuers.is_empty() || issuers.iter().any(|i| i.as_str() == Some(&issuer))
            });
        if !named {
            return Err(format!("{issuer} is not an issuer the trust anchor names"));
        }
        let keys = if issuer == self.anchor.id {
            self.anchor.jwks.clone()
        } else if issuer == subject {
            chain.jwks.clone()
        } else {
            self.resolve(&issuer, now)
                .await
                .map_err(|e| e.to_string())?
                .jwks
        };
        let (claims, typ) = jose::verify(jwt, &keys, now).map_err(|e| e.to_string())?;
        if typ.as_deref() != Some(TRUST_MARK_TYPE) {
            return Err("not typed trust-mark+jwt".into());
        }
        if !claim_is(&claims, "sub", subject) {
            return Err("issued to another entity".into());
        }
        if trust_mark_id(&Value::Object(claims)) != Some(id) {
            return Err("of another id".into());
        }
        Ok(())
    }

    /// Forgets a cached chain (the subject's keys may have rotated).
    pub async fn forget(&self, subject: &str) {
        self.cache.write().await.remove(subject);
    }

    async fn get(&self, url: &str) -> Result<String, ChainRefusal> {
        let unreachable = |reason: String| ChainRefusal::Unreachable {
            url: url.to_string(),
            reason,
        };
        self.http
            .get(url)
            .send()
            .await
            .and_then(|r| r.error_for_status())
            .map_err(|e| unreachable(e.to_string()))?
            .text()
            .await
            .map_err(|e| unreachable(e.to_string()))
    }

    /// The Entity Configuration of `entity`, checked with its own keys, or with the
    /// configured keys when `entity` is the trust anchor.
    async fn configuration(
        &self,
        entity: &str,
        now: OffsetDateTime,
    ) -> Result<Configuration, ChainRefusal> {
        let jwt = self.get(&configuration_url(entity)).await?;
        let refused = |refusal| ChainRefusal::Statement {
            issuer: entity.to_string(),
            subject: entity.to_string(),
            refusal,
        };
        let keys = if entity == self.anchor.id {
            self.anchor.jwks.clone()
        } else {
            jose::unverified_claims(&jwt)
                .map_err(refused)?
                .get("jwks")
                .cloned()
                .unwrap_or(Value::Null)
        };
        let (claims, _) = jose::verify(&jwt, &keys, now).map_err(refused)?;
        if !claim_is(&claims, "iss", entity) || !claim_is(&claims, "sub", entity) {
            return Err(ChainRefusal::Mismatch(entity.to_string()));
        }
        Ok(Configuration { jwt, claims })
    }

    async fn build(&self, subject: &str, now: OffsetDateTime) -> Result<TrustChain, ChainRefusal> {
        let leaf = self.configuration(subject, now).await?;
        let mut metadata = leaf
            .claims
            .get("metadata")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        let mut expires = leaf.exp();
        let leaf_claims = leaf.claims.clone();
        let mut statements = vec![leaf.jwt.clone()];
        // The superiors' statements, from the one about the subject up to the anchor's.
        let mut subordinate_statements: Vec<Claims> = Vec::new();
        let mut current_id = subject.to_string();
        let mut current = leaf;
        for _ in 1..MAX_DEPTH {
            let hints = current.authority_hints();
            let Some(superior_id) = hints
                .iter()
                .find(|h| **h == self.anchor.id)
                .or_else(|| hints.first())
                .cloned()
            else {
                break;
            };
            let superior = self.configuration(&superior_id, now).await?;
            let endpoint = superior
                .fetch_endpoint()
                .ok_or_else(|| ChainRefusal::Unreachable {
                    url: superior_id.clone(),
                    reason: "no federation_fetch_endpoint".into(),
                })?;
            let mut url = url::Url::parse(endpoint).map_err(|e| ChainRefusal::Unreachable {
                url: endpoint.to_string(),
                reason: e.to_string(),
            })?;
            url.query_pairs_mut().append_pair("sub", &current_id);
            let statement = self.get(url.as_str()).await?;
            let refused = |refusal| ChainRefusal::Statement {
                issuer: superior_id.clone(),
                subject: current_id.clone(),
                refusal,
            };
            let (claims, _) = jose::verify(&statement, &superior.jwks(), now).map_err(refused)?;
            if !claim_is(&claims, "iss", &superior_id) || !claim_is(&claims, "sub", &current_id) {
                return Err(ChainRefusal::Mismatch(current_id));
            }
            // The subject's own configuration must be signed by a key its superior vouches for.
            jose::verify(
                &current.jwt,
                claims.get("jwks").unwrap_or(&Value::Null),
                now,
            )
            .map_err(refused)?;
            expires = expires.min(claims.get("exp").and_then(Value::as_i64).unwrap_or(0));
            subordinate_statements.push(claims);
            statements.push(statement);
            if superior_id == self.anchor.id {
                statements.push(superior.jwt.clone());
                expires = expires.min(superior.exp());
                resolve_metadata(&mut metadata, &subordinate_statements)
                    .map_err(|e| ChainRefusal::Policy(e.to_string()))?;
                let array = |claims: &Claims, name: &str| {
                    claims
                        .get(name)
                        .and_then(Value::as_array)
                        .cloned()
                        .unwrap_or_default()
                };
                return Ok(TrustChain {
                    metadata,
                    expires_at: OffsetDateTime::from_unix_timestamp(expires)
                        .unwrap_or(OffsetDateTime::UNIX_EPOCH),
                    statements,
                    jwks: subordinate_statements
                        .first()
                        .and_then(|claims| claims.get("jwks"))
                        .cloned()
                        .unwrap_or(Value::Null),
                    trust_marks: array(&leaf_claims, "trust_marks"),
                    trust_mark_issuers: superior
                        .claims
                        .get("trust_mark_issuers")
                        .and_then(Value::as_object)
                        .cloned()
                        .unwrap_or_default(),
                    resolved_at: now,
                });
            }
            current_id = superior_id;
            current = superior;
        }
        Err(ChainRefusal::NoPathToAnchor(subject.to_string()))
    }
}
