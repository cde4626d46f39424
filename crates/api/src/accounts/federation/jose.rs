//! Signed and encrypted JWTs (josekit): sign with a key ring, verify against a JWK Set
//! with the server clock, encrypt for a published key, decrypt with a key ring.

use josekit::jwe::{JweHeader, RSA_OAEP, RSA_OAEP_256};
use josekit::jwk::{Jwk, JwkSet};
use josekit::jws::{JwsHeader, JwsVerifier, ES256, PS256, RS256};
use josekit::jwt::{self, JwtPayload};
use serde_json::{Map, Value};
use time::OffsetDateTime;

use super::keys::KeyRing;

/// Claims of a JWT as a JSON object.
pub type Claims = Map<String, Value>;

/// The claims of a JSON object literal (anything else has none).
pub fn claims(value: Value) -> Claims {
    match value {
        Value::Object(map) => map,
        _ => Claims::new(),
    }
}

/// Whether the `aud` claim (a string or a list) names `audience`.
pub fn audience_includes(claims: &Claims, audience: &str) -> bool {
    match claims.get("aud") {
        Some(Value::String(aud)) => aud == audience,
        Some(Value::Array(all)) => all.iter().any(|a| a.as_str() == Some(audience)),
        _ => false,
    }
}

/// Seconds of clock difference tolerated on `iat` and `exp`.
const LEEWAY_SECONDS: i64 = 60;

/// Why a JWT was not accepted. Logged for the operator; never shown as such.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum JoseRefusal {
    #[error("not a well-formed JWT: {0}")]
    Malformed(String),
    #[error("signed with an unknown key or an algorithm not accepted")]
    UnknownKey,
    #[error("signature not valid")]
    BadSignature,
    #[error("expired or not yet valid")]
    Expired,
    #[error("cannot be decrypted with our keys")]
    Undecryptable,
}

/// Signs `claims` with the ring's active key; `typ` goes in the header
/// (`entity-statement+jwt`, `JWT`, …).
pub fn sign(claims: Claims, typ: &str, ring: &KeyRing) -> Result<String, josekit::JoseError> {
    let (signer, kid) = ring.signer()?;
    let mut header = JwsHeader::new();
    header.set_token_type(typ);
    header.set_key_id(kid);
    let payload = JwtPayload::from_map(claims)?;
    jwt::encode_with_signer(&payload, &header, &signer)
}

/// The claims of a JWT before its signature is checked: only to find the keys that
/// check it (an Entity Configuration carries its own).
pub fn unverified_claims(token: &str) -> Result<Claims, JoseRefusal> {
    segment(token, 1)
}

/// The JSON object in the `index`th dot-separated part of a compact JWS or JWE.
fn segment(token: &str, index: usize) -> Result<Claims, JoseRefusal> {
    let part = token
        .split('.')
        .nth(index)
        .ok_or_else(|| JoseRefusal::Malformed("missing part".into()))?;
    let bytes = base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, part)
        .map_err(|e| JoseRefusal::Malformed(e.to_string()))?;
    serde_json::from_slice(&bytes).map_err(|e| JoseRefusal::Malformed(e.to_string()))
}

fn verifier_for(header: &JwsHeader, keys: &JwkSet) -> Option<Box<dyn JwsVerifier>> {
    let kid = header.key_id()?;
    let jwk: &Jwk = keys.get(kid).into_iter().next()?;
    let alg = header.algorithm()?;
    let verifier: Box<dyn JwsVerifier> = match alg {
        "RS256" => Box::new(RS256.verifier_from_jwk(jwk).ok()?),
        "PS256" => Box::new(PS256.verifier_from_jwk(jwk).ok()?),
        "ES256" => Box::new(ES256.verifier_from_jwk(jwk).ok()?),
        _ => return None,
    };
    Some(verifier)
}

/// Whether the key the header of `token` names is one of `keys`.
pub fn signed_by_known_key(token: &str, keys: &Value) -> bool {
    let (Ok(header), Ok(keys)) = (segment(token, 0), jwk_set(keys)) else {
        return false;
    };
    header
        .get("kid")
        .and_then(Value::as_str)
        .is_some_and(|kid| !keys.get(kid).is_empty())
}

/// A JWK Set from its JSON (`{"keys": [...]}`).
pub fn jwk_set(jwks: &Value) -> Result<JwkSet, JoseRefusal> {
    let map = jwks
        .as_object()
        .cloned()
        .ok_or_else(|| JoseRefusal::Malformed("jwks is not an object".into()))?;
    JwkSet::from_map(map).map_err(|e| JoseRefusal::Malformed(e.to_string()))
}

/// Checks the signature of `token` with the key of `keys` its header names (asymmetric
/// algorithms only), then `exp`, `iat` (both required) and `nbf` against `now`. Returns the claims and the
/// header's `typ`.
pub fn verify(
    token: &str,
    keys: &Value,
    now: OffsetDateTime,
) -> Result<(Claims, Option<String>), JoseRefusal> {
    let keys = jwk_set(keys)?;
    let header = JwsHeader::from_map(segment(token, 0)?)
        .map_err(|e| JoseRefusal::Malformed(e.to_string()))?;
    let verifier = verifier_for(&header, &keys).ok_or(JoseRefusal::UnknownKey)?;
    let (payload, header) = jwt::decode_with_verifier(token, verifier.as_ref())
        .map_err(|_| JoseRefusal::BadSignature)?;
    let claims = payload.claims_set().clone();
    let now = now.unix_timestamp();
    let time = |name: &str| claims.get(name).and_then(Value::as_i64);
    // `exp` and `iat` are required by the rules in every JWT they define (statements, ID
    // token, UserInfo, request objects, client assertions); `nbf` is checked when given.
    if time("exp").is_none_or(|exp| exp + LEEWAY_SECONDS < now)
        || time("iat").is_none_or(|iat| iat - LEEWAY_SECONDS > now)
        || time("nbf").is_some_and(|nbf| nbf - LEEWAY_SECONDS > now)
    {
        return Err(JoseRefusal::Expired);
    }
    Ok((claims, header.token_type().map(str::to_string)))
}

/// Encrypts `plaintext` (a signed JWT) for the first encryption key of `keys`
/// (RSA-OAEP-256 and A256CBC-HS512), as the relying party's metadata publishes it.
pub fn encrypt_for(plaintext: &str, keys: &Value) -> Result<String, JoseRefusal> {
    let set = jwk_set(keys)?;
    let jwk = set
        .keys()
        .into_iter()
        .find(|k| k.key_use() == Some("enc"))
        .ok_or(JoseRefusal::UnknownKey)?;
    let encrypter = RSA_OAEP_256
        .encrypter_from_jwk(jwk)
        .map_err(|e| JoseRefusal::Malformed(e.to_string()))?;
    let mut header = JweHeader::new();
    header.set_content_encryption("A256CBC-HS512");
    header.set_content_type("JWT");
    if let Some(kid) = jwk.key_id() {
        header.set_key_id(kid);
    }
    josekit::jwe::serialize_compact(plaintext.as_bytes(), &header, &encrypter)
        .map_err(|e| JoseRefusal::Malformed(e.to_string()))
}

/// Decrypts a compact JWE that carries a JWT (`cty` `JWT`, as the rules require of the
/// UserInfo) with the ring's key named in its header (RSA-OAEP-256, or RSA-OAEP which
/// the rules also allow).
pub fn decrypt(token: &str, ring: &KeyRing) -> Result<String, JoseRefusal> {
    let header = JweHeader::from_map(segment(token, 0)?)
        .map_err(|e| JoseRefusal::Malformed(e.to_string()))?;
    if !header
        .content_type()
        .is_some_and(|cty| cty.eq_ignore_ascii_case("JWT"))
    {
        return Err(JoseRefusal::Malformed("JWE without cty JWT".into()));
    }
    let der = ring
        .private_der(header.key_id())
        .ok_or(JoseRefusal::Undecryptable)?;
    let decrypter: Box<dyn josekit::jwe::JweDecrypter> = match header.algorithm() {
        Some("RSA-OAEP-256") => Box::new(
            RSA_OAEP_256
                .decrypter_from_der(&der)
                .map_err(|_| JoseRefusal::Undecryptable)?,
        ),
        Some("RSA-OAEP") => Box::new(
            RSA_OAEP
                .decrypter_from_der(&der)
                .map_err(|_| JoseRefusal::Undecryptable)?,
        ),
        _ => return Err(JoseRefusal::Undecryptable),
    };
    let (plaintext, _) = josekit::jwe::deserialize_compact(token, decrypter.as_ref())
        .map_err(|_| JoseRefusal::Undecryptable)?;
    String::from_utf8(plaintext).map_err(|_| JoseRefusal::Undecryptable)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::keys::KeyUse;
    use super::*;

    fn now() -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap()
    }

    fn token(ring: &KeyRing, exp: i64) -> String {
        let claims = claims(json!({
            "iss": "https://op.example.it",
            "iat": now().unix_timestamp() - 600,
            "exp": exp,
        }));
        sign(claims, "JWT", ring).unwrap()
    }

    #[test]
    fn expiry_and_issue_time_are_required() {
        let ring = KeyRing::generate(KeyUse::Signature).unwrap();
        let at = now().unix_timestamp();
        for claims_of in [
            json!({ "iat": at }),
            json!({ "exp": at + 300 }),
            json!({ "iat": at + 600, "exp": at + 900 }),
            json!({ "iat": at, "exp": at + 300, "nbf": at + 600 }),
        ] {
            let token = sign(claims(claims_of.clone()), "JWT", &ring).unwrap();
            assert_eq!(
                verify(&token, &ring.jwks(), now()),
                Err(JoseRefusal::Expired),
                "{claims_of}"
            );
        }
    }

    #[test]
    fn signatures_are_checked_with_the_named_key_and_the_server_clock() {
        let ring = KeyRing::generate(KeyUse::Signature).unwrap();
        let other = KeyRing::generate(KeyUse::Signature).unwrap();
        let valid = token(&ring, now().unix_timestamp() + 300);
        let (claims, typ) = verify(&valid, &ring.jwks(), now()).unwrap();
        assert_eq!(claims["iss"], "https://op.example.it");
        assert_eq!(typ.as_deref(), Some("JWT"));
        assert!(signed_by_known_key(&valid, &ring.jwks()));
        assert!(!signed_by_known_key(&valid, &other.jwks()));
        assert_eq!(
            verify(&valid, &other.jwks(), now()),
            Err(JoseRefusal::UnknownKey)
        );
        let expired = token(&ring, now().unix_timestamp() - 120);
        assert_eq!(
            verify(&expired, &ring.jwks(), now()),
            Err(JoseRefusal::Expired)
        );
        let mut forged = valid.clone();
        forged.push('A');
        assert_eq!(
            verify(&forged, &ring.jwks(), now()),
            Err(JoseRefusal::BadSignature)
        );
    }

    #[test]
    fn encrypted_for_a_published_key_decrypts_with_the_ring() {
        let ring = KeyRing::generate(KeyUse::Encryption).unwrap();
        let other = KeyRing::generate(KeyUse::Encryption).unwrap();
        let sealed = encrypt_for("header.payload.signature", &ring.jwks()).unwrap();
        assert_eq!(sealed.split('.').count(), 5);
        assert_eq!(decrypt(&sealed, &ring).unwrap(), "header.payload.signature");
        assert_eq!(decrypt(&sealed, &other), Err(JoseRefusal::Undecryptable));
        // Encrypted for the right key, but not declared as carrying a JWT.
        let jwk = jwk_set(&ring.jwks()).unwrap().keys()[0].clone();
        let mut header = JweHeader::new();
        header.set_content_encryption("A256CBC-HS512");
        header.set_key_id(jwk.key_id().unwrap());
        let encrypter = RSA_OAEP_256.encrypter_from_jwk(&jwk).unwrap();
        let untyped = josekit::jwe::serialize_compact(b"a.b.c", &header, &encrypter).unwrap();
        assert!(matches!(
            decrypt(&untyped, &ring),
            Err(JoseRefusal::Malformed(_))
        ));
    }
}
