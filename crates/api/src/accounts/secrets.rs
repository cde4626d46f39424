//! Passwords (argon2id) and opaque tokens (random, stored as SHA-256).

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::sync::LazyLock;
use tokio::sync::Semaphore;

use crate::error::{ApiError, ApiResult};

/// Password hashes computed at once: argon2 takes a core for tens of milliseconds by
/// design, so a burst of logins (the morning of a cutoff) may use half the cores, and the
/// async workers keep the rest for every other request.
static HASHING: LazyLock<Semaphore> = LazyLock::new(|| {
    Semaphore::new(std::thread::available_parallelism().map_or(1, |cores| (cores.get() / 2).max(1)))
});

/// Runs an argon2 computation on the blocking threads, at most [`HASHING`] at once.
async fn hashing<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> ApiResult<T> {
    let _permit = HASHING.acquire().await.map_err(ApiError::internal)?;
    tokio::task::spawn_blocking(work)
        .await
        .map_err(ApiError::internal)
}

/// An argon2id PHC string for `password`.
pub async fn hash_password(password: &str) -> ApiResult<String> {
    let password = password.to_string();
    hashing(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(ApiError::internal)
    })
    .await?
}

/// Whether `password` matches `hash`. With no hash, a dummy one is checked so that an
/// unknown account takes as long as a wrong password.
pub async fn verify_password(password: &str, hash: Option<&str>) -> ApiResult<bool> {
    const DUMMY: &str = "$argon2id$v=19$m=19456,t=2,p=1$c3BvcnRlbGxvZHVtbXk$1GHm+Pn3dU7b3XJ8xPkl6Xk1nxYmQwq6v9X8o5yOQxA";
    let (password, hash) = (password.to_string(), hash.map(str::to_string));
    hashing(move || {
        let Ok(parsed) = PasswordHash::new(hash.as_deref().unwrap_or(DUMMY)) else {
            return false;
        };
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
            && hash.is_some()
    })
    .await
}

/// Whether a secret presented in a request (a header, a bearer token) is the configured
/// one, compared in constant time.
pub fn same_secret(presented: &str, expected: &str) -> bool {
    use subtle::ConstantTimeEq;
    bool::from(presented.as_bytes().ct_eq(expected.as_bytes()))
}

/// A fresh random token (256 bits, URL-safe base64).
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Hex SHA-256, the form in which tokens are stored.
pub fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// URL-safe base64 of SHA-256, as PKCE's S256 challenge.
pub fn pkce_challenge(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn password_round_trip() {
        let hash = hash_password("Sicura2024!").await.unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("Sicura2024!", Some(&hash)).await.unwrap());
        assert!(!verify_password("sbagliata", Some(&hash)).await.unwrap());
        assert!(!verify_password("Sicura2024!", None).await.unwrap());
    }

    #[test]
    fn pkce_matches_rfc7636_example() {
        assert_eq!(
            pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn tokens_are_random_and_hashed() {
        let a = random_token();
        assert_ne!(a, random_token());
        assert_eq!(token_hash(&a).len(), 64);
    }
}
