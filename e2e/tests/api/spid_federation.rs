//! SPID and CIE id as an OpenID Connect Federation: the Entity Configurations of the
//! installation (aggregator) and of each comune (relying party), the aggregator's fetch,
//! list and resolve endpoints, key rotation, each refusal of the login — with its Italian
//! message and no session — and the revocation at the provider on logout. Signatures are
//! checked here with `jsonwebtoken`, an implementation independent of the server's.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use e2e::{client, json, location, problem, TestServer, MARIO};
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{decode, decode_header, Algorithm, DecodingKey, Validation};
use reqwest::{Client, Response, StatusCode};
use rsa::pkcs8::{EncodePrivateKey, LineEnding};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{json, Value};
use sportello_model::auth::LoginError;
use sportello_model::paths;

const SPID_L1: &str = "https://www.spid.gov.it/SpidL1";
const SPID_L3: &str = "https://www.spid.gov.it/SpidL3";

/// The claims of a JWT, signature not checked.
fn payload(jwt: &str) -> Value {
    let part = jwt.split('.').nth(1).expect("a JWT");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).expect("base64url")).expect("JSON")
}

/// The claims of a JWT signed with the key of `jwks` its header names, and that kid.
fn verified(jwt: &str, jwks: &Value) -> (Value, String) {
    let header = decode_header(jwt).expect("JWS header");
    assert_eq!(header.alg, Algorithm::RS256);
    let kid = header.kid.expect("kid");
    let set: JwkSet = serde_json::from_value(jwks.clone()).expect("a JWK Set");
    let jwk = set
        .find(&kid)
        .unwrap_or_else(|| panic!("kid {kid} in {jwks}"));
    let mut validation = Validation::new(Algorithm::RS256);
    validation.validate_aud = false;
    validation.set_required_spec_claims(&["exp", "iat", "iss", "sub"]);
    let claims = decode::<Value>(jwt, &DecodingKey::from_jwk(jwk).unwrap(), &validation)
        .unwrap_or_else(|e| panic!("signature of {jwt}: {e}"))
        .claims;
    (claims, kid)
}

async fn get(http: &Client, url: impl reqwest::IntoUrl) -> Response {
    http.get(url).send().await.expect("GET")
}

/// A signed statement served at `url` with `media_type`.
async fn signed(http: &Client, url: &str, media_type: &str) -> String {
    let res = get(http, url).await;
    assert_eq!(res.status(), StatusCode::OK, "{url}");
    assert_eq!(
        res.headers()["content-type"].to_str().unwrap(),
        media_type,
        "{url}"
    );
    res.text().await.unwrap()
}

fn with_query(url: &str, pairs: &[(&str, &str)]) -> String {
    let mut url = url::Url::parse(url).unwrap();
    url.query_pairs_mut().extend_pairs(pairs);
    url.into()
}

fn kids(jwks: &Value) -> Vec<String> {
    jwks["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .map(|k| k["kid"].as_str().expect("kid").to_string())
        .collect()
}

const STATEMENT: &str = "application/entity-statement+jwt";

#[tokio::test]
async fn the_installation_and_each_comune_publish_signed_entity_configurations() {
    let server = TestServer::start().await;
    let http = client();
    let aggregator = server.api(&paths::federation());
    let anchor = format!("{}/dev-idp/ta", server.url);

    // The installation: an intermediate, signed with its own federation keys.
    let jwt = signed(
        &http,
        &server.api(&paths::federation_configuration()),
        STATEMENT,
    )
    .await;
    let jwks = payload(&jwt)["jwks"].clone();
    let (claims, _) = verified(&jwt, &jwks);
    assert_eq!(claims["iss"], aggregator);
    assert_eq!(claims["sub"], aggregator);
    assert_eq!(claims["authority_hints"], json!([anchor]));
    assert_eq!(claims["trust_marks"], json!([]));
    let entity = &claims["metadata"]["federation_entity"];
    assert_eq!(entity["organization_name"], "Sportello");
    for (endpoint, path) in [
        ("federation_fetch_endpoint", paths::federation_fetch()),
        ("federation_list_endpoint", paths::federation_list()),
        ("federation_resolve_endpoint", paths::federation_resolve()),
    ] {
        assert_eq!(entity[endpoint], server.api(&path), "{endpoint}");
    }
    assert_eq!(
        decode_header(&jwt).unwrap().typ.as_deref(),
        Some("entity-statement+jwt")
    );

    // A comune: a leaf relying party below the installation, signed by the same keys.
    let relying_party = server.api(&paths::comune_federation("demo"));
    let jwt = signed(
        &http,
        &server.api(&paths::comune_federation_configuration("demo")),
        STATEMENT,
    )
    .await;
    let (claims, _) = verified(&jwt, &jwks);
    assert_eq!(claims["iss"], relying_party);
    assert_eq!(claims["sub"], relying_party);
    assert_eq!(claims["authority_hints"], json!([aggregator]));
    assert_eq!(
        claims["metadata"]["federation_entity"]["organization_name"],
        "Comune di Demo"
    );
    let rp = &claims["metadata"]["openid_relying_party"];
    assert_eq!(rp["client_id"], relying_party);
    assert_eq!(rp["client_name"], "Comune di Demo");
    assert_eq!(rp["client_registration_types"], json!(["automatic"]));
    assert_eq!(rp["token_endpoint_auth_method"], "private_key_jwt");
    assert_eq!(
        rp["redirect_uris"],
        json!([server.api(&paths::oidc_callback())])
    );
    // OIDC keys: one to sign, one to encrypt, none of them a federation key.
    let uses: Vec<&str> = rp["jwks"]["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["use"].as_str().unwrap())
        .collect();
    assert_eq!(uses, ["sig", "enc"]);
    assert!(kids(&rp["jwks"]).iter().all(|k| !kids(&jwks).contains(k)));
    for key in rp["jwks"]["keys"].as_array().unwrap() {
        assert!(key.get("d").is_none(), "no private part is published");
    }

    // The aggregator's statement about the comune, and the list of its comuni.
    let jwt = signed(
        &http,
        &with_query(
            &server.api(&paths::federation_fetch()),
            &[("sub", &relying_party)],
        ),
        STATEMENT,
    )
    .await;
    let (claims, _) = verified(&jwt, &jwks);
    assert_eq!(claims["iss"], aggregator);
    assert_eq!(claims["sub"], relying_party);
    assert_eq!(claims["jwks"], jwks);
    let unknown = server.api(&paths::comune_federation("inesistente"));
    let fetched = get(
        &http,
        with_query(
            &server.api(&paths::federation_fetch()),
            &[("sub", &unknown)],
        ),
    );
    problem(fetched.await, StatusCode::NOT_FOUND).await;
    let listed: Vec<String> = json(
        get(&http, server.api(&paths::federation_list())).await,
        StatusCode::OK,
    )
    .await;
    assert!(listed.contains(&relying_party), "{listed:?}");
    assert!(listed.contains(&server.api(&paths::comune_federation("esempio"))));

    // Resolve: the comune's metadata through its whole chain, up to the trust anchor.
    let jwt = signed(
        &http,
        &with_query(
            &server.api(&paths::federation_resolve()),
            &[("sub", &relying_party), ("anchor", &anchor)],
        ),
        "application/resolve-response+jwt",
    )
    .await;
    let (claims, _) = verified(&jwt, &jwks);
    assert_eq!(claims["sub"], relying_party);
    assert_eq!(
        claims["metadata"]["openid_relying_party"]["client_id"],
        relying_party
    );
    let chain = claims["trust_chain"].as_array().expect("trust_chain");
    assert_eq!(
        chain.len(),
        4,
        "comune, installation, anchor's statement, anchor"
    );
    assert_eq!(payload(chain[3].as_str().unwrap())["iss"], anchor);
    problem(
        get(
            &http,
            with_query(
                &server.api(&paths::federation_resolve()),
                &[
                    ("sub", &relying_party),
                    ("anchor", "https://altro.example.it"),
                ],
            ),
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

fn refused_with(error: LoginError) -> String {
    assert!(!error.message().is_empty());
    format!("/demo/accedi?errore={}", error.code())
}

#[tokio::test]
async fn an_identity_provider_without_a_valid_trust_chain_is_not_used() {
    for env in [
        // A trust anchor the development provider's chain does not reach.
        vec![
            ("FEDERATION_TRUST_ANCHOR", "https://registry.example.it"),
            ("FEDERATION_TRUST_ANCHOR_JWKS", r#"{"keys": []}"#),
        ],
        // The anchor's statement about the provider expired.
        vec![("SPORTELLO_DEV_ANCHOR_FAULT", "expired_statement")],
        // The anchor's statement about the provider is not signed by the anchor's keys.
        vec![("SPORTELLO_DEV_ANCHOR_FAULT", "wrong_signature")],
        // The anchor's metadata policy requires what the provider does not offer.
        vec![("SPORTELLO_DEV_ANCHOR_FAULT", "policy_violation")],
        // The provider's required trust mark: expired, issued to another entity, or
        // signed by an entity the anchor does not name as its issuer.
        vec![("SPORTELLO_DEV_ANCHOR_FAULT", "trust_mark_expired")],
        vec![("SPORTELLO_DEV_ANCHOR_FAULT", "trust_mark_other_subject")],
        vec![("SPORTELLO_DEV_ANCHOR_FAULT", "trust_mark_unknown_issuer")],
    ] {
        let server = TestServer::start_with(&env).await;
        let browser = client();
        let start = get(&browser, server.api(&paths::oidc_start("demo", "spid"))).await;
        assert_eq!(start.status(), StatusCode::FOUND, "{env:?}");
        assert_eq!(
            location(&start),
            refused_with(LoginError::Untrusted),
            "{env:?}"
        );
        server.assert_no_session(&browser).await;
    }
    assert_eq!(
        LoginError::Untrusted.message(),
        "Il gestore dell'identità digitale non risulta riconosciuto dalla federazione SPID/CIE: per sicurezza l'accesso non è stato avviato."
    );
}

#[tokio::test]
async fn answers_failing_a_check_are_refused_without_a_session() {
    let server = TestServer::start().await;
    for (extra, error) in [
        (("fault", "wrong_nonce"), LoginError::InvalidResponse),
        (("fault", "bad_signature"), LoginError::InvalidResponse),
        // The authorization response names another provider (RFC 9207).
        (("fault", "wrong_issuer"), LoginError::InvalidResponse),
        // UserInfo: without expiry, from another issuer, for another relying party.
        (
            ("fault", "userinfo_without_exp"),
            LoginError::InvalidResponse,
        ),
        (
            ("fault", "userinfo_wrong_issuer"),
            LoginError::InvalidResponse,
        ),
        (
            ("fault", "userinfo_wrong_audience"),
            LoginError::InvalidResponse,
        ),
        (("acr", SPID_L1), LoginError::InsufficientLevel),
        (("decision", "deny"), LoginError::Cancelled),
    ] {
        let browser = client();
        let callback = server
            .oidc_login_with(&browser, "demo", "spid", MARIO, "/demo/utenti", &[extra])
            .await;
        assert_eq!(location(&callback), refused_with(error), "{extra:?}");
        server.assert_no_session(&browser).await;
    }
    // A level above the one asked for is welcome.
    let browser = client();
    let callback = server
        .oidc_login_with(
            &browser,
            "demo",
            "cie",
            MARIO,
            "/demo/utenti",
            &[("acr", SPID_L3)],
        )
        .await;
    assert_eq!(location(&callback), "/demo/utenti");
}

#[tokio::test]
async fn each_error_code_of_the_identity_provider_has_its_italian_message() {
    let folder = std::env::temp_dir().join(format!("sportello-spid-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&folder).unwrap();
    let path = folder.join("server.log");
    let log = std::fs::File::create(&path).unwrap();
    let server = TestServer::start_logging(&[("RUST_LOG", "warn")], log).await;
    let unknown = format!("sospeso_{MARIO}");
    for (extra, error) in [
        // The person cancels at the provider: access_denied.
        (("decision", "deny"), LoginError::Cancelled),
        (
            ("error", "unmet_authentication_requirements"),
            LoginError::InsufficientLevel,
        ),
        (("error", "login_required"), LoginError::LoginRequired),
        (("error", "consent_required"), LoginError::ConsentRequired),
        (("error", "invalid_request"), LoginError::RequestRefused),
        (("error", "server_error"), LoginError::ProviderFailed),
        (
            ("error", "temporarily_unavailable"),
            LoginError::ProviderUnavailable,
        ),
        // A code the rules do not list: the provider's failure.
        (("error", unknown.as_str()), LoginError::ProviderFailed),
        // The token endpoint's error answer (HTTP 503) is read the same way.
        (
            ("fault", "token_unavailable"),
            LoginError::ProviderUnavailable,
        ),
    ] {
        let browser = client();
        let callback = server
            .oidc_login_with(&browser, "demo", "spid", MARIO, "/demo/utenti", &[extra])
            .await;
        assert_eq!(location(&callback), refused_with(error), "{extra:?}");
        server.assert_no_session(&browser).await;
    }
    drop(server);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::remove_dir_all(&folder).ok();
    // The operator reads the provider's code and the reason, never personal data nor
    // the free text of a code outside the rules.
    for expected in [
        "authorization: error access_denied",
        "authorization: error consent_required",
        "authorization: error not listed by the rules",
        "token: error temporarily_unavailable",
        "gestore_temporaneamente_non_disponibile",
    ] {
        assert!(text.contains(expected), "{expected} in the log:\n{text}");
    }
    for personal in [MARIO, "sospeso_", "Autenticazione non completata"] {
        assert!(!text.contains(personal), "{personal} in the log:\n{text}");
    }
}

#[tokio::test]
async fn a_tampered_request_object_and_a_replayed_state_are_refused() {
    let server = TestServer::start().await;
    let http = client();
    let start = get(&http, server.api(&paths::oidc_start("demo", "spid"))).await;
    let authorize = url::Url::parse(location(&start)).unwrap();
    let request = authorize
        .query_pairs()
        .find(|(k, _)| k == "request")
        .map(|(_, v)| v.into_owned())
        .expect("a Request Object");
    let claims = payload(&request);
    assert_eq!(claims["acr_values"], "https://www.spid.gov.it/SpidL2");
    assert_eq!(claims["code_challenge_method"], "S256");
    assert_eq!(
        claims["client_id"],
        server.api(&paths::comune_federation("demo"))
    );
    assert!(claims["claims"]["userinfo"]
        .get("https://attributes.eid.gov.it/fiscal_number")
        .is_some());
    // Another return address in the same signature: the provider refuses it.
    let mut forged = claims.clone();
    forged["redirect_uri"] = json!("https://evil.example/callback");
    let parts: Vec<&str> = request.split('.').collect();
    let tampered = format!(
        "{}.{}.{}",
        parts[0],
        URL_SAFE_NO_PAD.encode(forged.to_string()),
        parts[2]
    );
    let mut address = authorize.clone();
    let pairs: Vec<(String, String)> = authorize
        .query_pairs()
        .map(|(k, v)| {
            let v = if k == "request" {
                tampered.clone()
            } else {
                v.into_owned()
            };
            (k.into_owned(), v)
        })
        .collect();
    address.query_pairs_mut().clear().extend_pairs(pairs);
    let page = get(&http, address).await;
    assert_eq!(page.status(), StatusCode::BAD_REQUEST);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("la firma dell'oggetto request non è valida"),
        "{html}"
    );

    // The callback address of a completed login, presented again elsewhere: refused.
    let browser = client();
    let done = server.oidc_login(&browser, "demo", "spid", MARIO).await;
    assert_eq!(location(&done), "/demo/utenti");
    let replayed = client();
    let again = get(&replayed, done.url().clone()).await;
    assert_eq!(location(&again), "/?errore=richiesta_scaduta");
    server.assert_no_session(&replayed).await;
}

fn pem_keys(count: usize) -> String {
    (0..count)
        .map(|_| {
            rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048)
                .unwrap()
                .to_pkcs8_pem(LineEnding::LF)
                .unwrap()
                .to_string()
        })
        .collect()
}

#[tokio::test]
async fn keys_from_configuration_rotate_without_downtime() {
    // Each variable: the new key first (in use), the old one still published.
    let (federation, signing, encryption) = (pem_keys(2), pem_keys(2), pem_keys(2));
    let server = TestServer::start_with(&[
        ("FEDERATION_KEYS", &federation),
        ("OIDC_SIGNING_KEYS", &signing),
        ("OIDC_ENCRYPTION_KEYS", &encryption),
    ])
    .await;
    let http = client();
    let jwt = signed(
        &http,
        &server.api(&paths::comune_federation_configuration("demo")),
        STATEMENT,
    )
    .await;
    let jwks = payload(&jwt)["jwks"].clone();
    let (claims, kid) = verified(&jwt, &jwks);
    assert_eq!(kids(&jwks).len(), 2);
    assert_eq!(kid, kids(&jwks)[0], "signed with the first key");
    assert_eq!(
        kids(&claims["metadata"]["openid_relying_party"]["jwks"]).len(),
        4
    );
    // The provider encrypts the UserInfo for the first encryption key, the portal
    // decrypts it: the login completes.
    let tokens = server.spid_login("demo", MARIO).await;
    assert_eq!(tokens.user.fiscal_code, MARIO);
}

/// The OIDC key ids the development provider publishes in its Entity Configuration.
async fn provider_oidc_kids(server: &TestServer) -> Vec<String> {
    let jwt = signed(
        &client(),
        &format!("{}/dev-idp/.well-known/openid-federation", server.url),
        STATEMENT,
    )
    .await;
    kids(&payload(&jwt)["metadata"]["openid_provider"]["jwks"])
}

#[tokio::test]
async fn a_provider_that_rotated_its_keys_has_its_chain_resolved_again() {
    let server = TestServer::start().await;
    let before = provider_oidc_kids(&server).await;
    assert_eq!(before.len(), 1);
    // The login starts with the provider's chain cached; the provider then rotates its
    // keys and signs the ID token with the new one: the portal resolves the chain again
    // and the login completes.
    let browser = client();
    let callback = server
        .oidc_login_with(
            &browser,
            "demo",
            "spid",
            MARIO,
            "/demo/utenti",
            &[("fault", "rotated_keys")],
        )
        .await;
    assert_eq!(location(&callback), "/demo/utenti");
    let after = provider_oidc_kids(&server).await;
    assert_eq!(
        after.len(),
        2,
        "the new key in use, the old one still published"
    );
    assert_eq!(after[1], before[0]);
    // An ID token signed with a key still unknown after resolving the chain again.
    let browser = client();
    let callback = server
        .oidc_login_with(
            &browser,
            "demo",
            "spid",
            MARIO,
            "/demo/utenti",
            &[("fault", "unknown_key")],
        )
        .await;
    assert_eq!(
        location(&callback),
        refused_with(LoginError::InvalidResponse)
    );
    server.assert_no_session(&browser).await;
}

/// The identity provider's access tokens the portal holds, one per open SPID/CIE session.
async fn provider_tokens(server: &TestServer) -> Vec<String> {
    let db = server.database().await;
    db.query_all(Statement::from_string(
        db.get_database_backend(),
        "SELECT access_token FROM oidc_grants",
    ))
    .await
    .unwrap()
    .iter()
    .map(|row| row.try_get::<String>("", "access_token").unwrap())
    .collect()
}

#[tokio::test]
async fn logging_out_revokes_the_access_token_at_the_identity_provider() {
    let server = TestServer::start().await;
    let http = client();
    let browser = client();
    let callback = server.oidc_login(&browser, "demo", "spid", MARIO).await;
    assert_eq!(location(&callback), "/demo/utenti");
    let tokens = provider_tokens(&server).await;
    assert_eq!(tokens.len(), 1);
    let userinfo = http
        .get(format!("{}/dev-idp/userinfo", server.url))
        .bearer_auth(&tokens[0]);
    let before = userinfo.try_clone().unwrap().send().await.unwrap();
    assert_eq!(
        before.status(),
        StatusCode::OK,
        "the token works at the provider"
    );

    let out = browser
        .post(server.api(&paths::logout()))
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    server.assert_no_session(&browser).await;
    let after = userinfo.send().await.unwrap();
    assert_eq!(
        after.status(),
        StatusCode::UNAUTHORIZED,
        "revoked at the provider"
    );
    assert!(provider_tokens(&server).await.is_empty());
}

#[test]
fn production_refuses_spid_without_federation_keys_and_trust_anchor() {
    let output = std::process::Command::new(e2e::server_binary())
        .env_clear()
        .env("SPORTELLO_ENV", "production")
        .env("DATABASE_URL", "sqlite::memory:")
        .env("SPORTELLO_BIND", "127.0.0.1:0")
        .env("JWT_SECRET", e2e::TEST_JWT_SECRET)
        .env("OIDC_PROVIDERS", "spid")
        .env("OIDC_SPID_ISSUER", "https://idp.example.it")
        .output()
        .expect("run the binary");
    assert!(!output.status.success(), "must refuse to start");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("OIDC_PROVIDERS richiede FEDERATION_KEYS"),
        "{stderr}"
    );
}
