//! RSA keys from configuration (PEM) or generated for development, with rotation: a ring
//! publishes all its keys and uses the first. Key material never reaches `Debug` or the
//! logs: only the key ids are shown.

use base64::Engine;
use josekit::jwk::alg::rsa::RsaKeyPair;
use josekit::jwk::Jwk;
use josekit::jws::{JwsSigner, RS256};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// What a key of a ring is for, as published in its JWK `use`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyUse {
    Signature,
    Encryption,
}

impl KeyUse {
    fn as_str(self) -> &'static str {
        match self {
            KeyUse::Signature => "sig",
            KeyUse::Encryption => "enc",
        }
    }
}

/// One RSA private key and its public JWK (with `kid`, `use` and `alg`).
struct RingKey {
    pair: RsaKeyPair,
    public: Jwk,
}

/// Keys with one purpose: all are published, the first signs (or is the encryption key
/// others should use); the others stay published while they rotate in or out.
pub struct KeyRing {
    key_use: KeyUse,
    keys: Vec<RingKey>,
}

impl std::fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyRing")
            .field("use", &self.key_use)
            .field("kids", &self.kids())
            .finish()
    }
}

/// Bits of a generated development key.
const DEV_KEY_BITS: u32 = 2048;
/// Smallest configured key accepted, in bits.
const MIN_KEY_BITS: u32 = 2048;

/// The RFC 7638 thumbprint of an RSA public key: its stable key id.
fn thumbprint(public: &Jwk) -> String {
    let member = |name: &str| public.parameter(name).and_then(Value::as_str).unwrap_or("");
    // Members in lexicographic order, no whitespace, as RFC 7638 requires.
    let canonical = format!(
        r#"{{"e":"{}","kty":"RSA","n":"{}"}}"#,
        member("e"),
        member("n")
    );
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes()))
}

impl KeyRing {
    fn from_pairs(key_use: KeyUse, pairs: Vec<RsaKeyPair>) -> KeyRing {
        let keys = pairs
            .into_iter()
            .map(|pair| {
                let mut public = pair.to_jwk_public_key();
                let kid = thumbprint(&public);
                public.set_key_id(kid);
                public.set_key_use(key_use.as_str());
                public.set_algorithm(match key_use {
                    KeyUse::Signature => "RS256",
                    KeyUse::Encryption => "RSA-OAEP-256",
                });
                RingKey { pair, public }
            })
            .collect();
        KeyRing { key_use, keys }
    }

    /// A ring of one freshly generated key (development and tests).
    pub fn generate(key_use: KeyUse) -> Result<KeyRing, String> {
        let pair = RsaKeyPair::generate(DEV_KEY_BITS).map_err(|e| e.to_string())?;
        Ok(KeyRing::from_pairs(key_use, vec![pair]))
    }

    /// Puts a freshly generated key in use, keeping the others published (development
    /// and tests: an identity provider rotating its keys).
    pub fn rotate(&mut self) -> Result<(), String> {
        let mut fresh = KeyRing::generate(self.key_use)?;
        fresh.keys.append(&mut self.keys);
        self.keys = fresh.keys;
        Ok(())
    }

    /// A ring from one or more PEM private keys (PKCS#8 or PKCS#1), the first active.
    /// `name` names the setting in error messages.
    pub fn from_pem(key_use: KeyUse, name: &str, pems: &SecretString) -> Result<KeyRing, String> {
        let blocks = pem::parse_many(pems.expose_secret().as_bytes())
            .map_err(|_| format!("{name}: il contenuto non è un PEM valido"))?;
        if blocks.is_empty() {
            return Err(format!("{name}: nessuna chiave privata PEM trovata"));
        }
        let pairs = blocks
            .iter()
            .enumerate()
            .map(|(i, block)| {
                let pair = RsaKeyPair::from_der(block.contents()).map_err(|_| {
                    format!(
                        "{name}: la chiave n. {} non è una chiave privata RSA",
                        i + 1
                    )
                })?;
                if pair.key_len() * 8 < MIN_KEY_BITS {
                    return Err(format!(
                        "{name}: la chiave n. {} è più corta di {MIN_KEY_BITS} bit",
                        i + 1
                    ));
                }
                Ok(pair)
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(KeyRing::from_pairs(key_use, pairs))
    }

    /// The ids of the keys, the active one first.
    pub fn kids(&self) -> Vec<&str> {
        self.keys.iter().filter_map(|k| k.public.key_id()).collect()
    }

    /// The public keys as a JWK Set (`{"keys": [...]}`).
    pub fn jwks(&self) -> Value {
        json!({ "keys": self.keys.iter().map(|k| Value::Object(k.public.as_ref().clone())).collect::<Vec<_>>() })
    }

    fn active(&self) -> &RingKey {
        &self.keys[0]
    }

    /// The signer of the active key, with its key id.
    pub fn signer(&self) -> Result<(impl JwsSigner, String), josekit::JoseError> {
        let key = self.active();
        let signer = RS256.signer_from_der(key.pair.to_der_private_key())?;
        Ok((signer, key.public.key_id().unwrap_or_default().to_string()))
    }

    /// The private key named `kid` as DER (any key of the ring: a message may have been
    /// encrypted for a key that is rotating out), or the active one when none is named.
    pub fn private_der(&self, kid: Option<&str>) -> Option<Vec<u8>> {
        let key = match kid {
            Some(kid) => self.keys.iter().find(|k| k.public.key_id() == Some(kid))?,
            None => self.active(),
        };
        Some(key.pair.to_der_private_key())
    }
}

/// The installation's keys: federation keys sign Entity Statements; OIDC keys sign
/// request objects and client assertions, and decrypt UserInfo. The three are distinct.
#[derive(Debug)]
pub struct RelyingPartyKeys {
    pub federation: KeyRing,
    pub oidc_signing: KeyRing,
    pub oidc_encryption: KeyRing,
}

impl RelyingPartyKeys {
    pub fn generate() -> Result<RelyingPartyKeys, String> {
        Ok(RelyingPartyKeys {
            federation: KeyRing::generate(KeyUse::Signature)?,
            oidc_signing: KeyRing::generate(KeyUse::Signature)?,
            oidc_encryption: KeyRing::generate(KeyUse::Encryption)?,
        })
    }

    /// Keys from configuration; refuses a key used for two purposes.
    pub fn from_config(
        federation: &SecretString,
        oidc_signing: &SecretString,
        oidc_encryption: &SecretString,
    ) -> Result<RelyingPartyKeys, String> {
        let keys = RelyingPartyKeys {
            federation: KeyRing::from_pem(KeyUse::Signature, "FEDERATION_KEYS", federation)?,
            oidc_signing: KeyRing::from_pem(KeyUse::Signature, "OIDC_SIGNING_KEYS", oidc_signing)?,
            oidc_encryption: KeyRing::from_pem(
                KeyUse::Encryption,
                "OIDC_ENCRYPTION_KEYS",
                oidc_encryption,
            )?,
        };
        let mut all: Vec<&str> = keys.federation.kids();
        all.extend(keys.oidc_signing.kids());
        all.extend(keys.oidc_encryption.kids());
        let count = all.len();
        all.sort_unstable();
        all.dedup();
        if all.len() != count {
            return Err("FEDERATION_KEYS, OIDC_SIGNING_KEYS e OIDC_ENCRYPTION_KEYS devono contenere chiavi diverse: una stessa chiave non può servire a due scopi.".into());
        }
        Ok(keys)
    }

    /// The OIDC keys of the relying party's metadata: signature and encryption.
    pub fn oidc_jwks(&self) -> Value {
        let mut keys = self.oidc_signing.jwks()["keys"].clone();
        if let (Some(all), Some(enc)) = (
            keys.as_array_mut(),
            self.oidc_encryption.jwks()["keys"].as_array(),
        ) {
            all.extend(enc.iter().cloned());
        }
        json!({ "keys": keys })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pem_of(pairs: &[&RsaKeyPair]) -> SecretString {
        pairs
            .iter()
            .map(|p| String::from_utf8(p.to_pem_private_key()).unwrap())
            .collect::<String>()
            .into()
    }

    #[test]
    fn rings_publish_every_key_and_use_the_first() {
        let old = RsaKeyPair::generate(2048).unwrap();
        let new = RsaKeyPair::generate(2048).unwrap();
        let ring = KeyRing::from_pem(KeyUse::Signature, "K", &pem_of(&[&new, &old])).unwrap();
        let jwks = ring.jwks();
        assert_eq!(jwks["keys"].as_array().unwrap().len(), 2);
        assert_eq!(jwks["keys"][0]["use"], "sig");
        let (_, kid) = ring.signer().unwrap();
        assert_eq!(kid, ring.kids()[0]);
        assert_eq!(kid, thumbprint(&new.to_jwk_public_key()));
        assert!(!format!("{ring:?}").contains("BEGIN"));
        assert!(!jwks.to_string().contains("\"d\""));
    }

    #[test]
    fn one_key_may_not_serve_two_purposes() {
        let a = RsaKeyPair::generate(2048).unwrap();
        let b = RsaKeyPair::generate(2048).unwrap();
        let refused = RelyingPartyKeys::from_config(&pem_of(&[&a]), &pem_of(&[&b]), &pem_of(&[&a]));
        assert!(refused.unwrap_err().contains("chiavi diverse"));
        assert!(
            KeyRing::from_pem(KeyUse::Signature, "K", &"non una chiave".to_string().into())
                .is_err()
        );
    }

    #[test]
    fn thumbprint_follows_rfc_7638() {
        // The example of RFC 7638, section 3.1.
        let jwk = Jwk::from_bytes(br#"{"kty":"RSA","e":"AQAB","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"}"#).unwrap();
        assert_eq!(
            thumbprint(&jwk),
            "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
        );
    }
}
