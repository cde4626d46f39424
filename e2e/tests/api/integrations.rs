//! Integrazioni: the administrator makes an API client with its scopes; the program gets
//! a token with its credentials (form fields or HTTP Basic) and reaches what its scopes
//! open, of its own comune only; the token endpoint's refusals are OAuth's; a new secret
//! ends the earlier secret and its tokens, a scope taken away applies at once, and a
//! revoked client is shut out. What the client changes is in the Registro attività
//! under its name.

use base64::Engine;
use e2e::{
    json, problem, value, TestServer, GIULIA_OPERATOR, GIUSEPPE_ESEMPIO, MARIO, MARTA_ADMIN,
};
use reqwest::StatusCode;
use serde_json::json;
use sportello_model::audit::AuditEvent;
use sportello_model::integrations::{ApiClient, ApiClientSecret, ClientToken, Scope};
use sportello_model::payments::EmissionDetail;
use sportello_model::registry::FamilyHit;
use sportello_model::{paths, Page};

/// A retta for Mario's daughter on the school bus, as an accounting program sends it.
fn retta(service_id: i64, due_date: &str) -> serde_json::Value {
    json!({
        "guardian_fiscal_code": MARIO,
        "service_id": service_id,
        "child_fiscal_code": "LBRGRT15C50F205H",
        "title": "Retta Aprile 2027",
        "due_date": due_date,
        "lines": [{ "description": "Trasporto Greta Albertini - aprile", "amount": "42,00" }],
        "external_ref": "CONT-2027-04-0001"
    })
}

#[tokio::test]
async fn a_client_gets_a_token_and_reaches_only_what_its_scopes_open_in_its_comune() {
    let server = TestServer::start().await;
    let marta = server.user("demo", MARTA_ADMIN).await;
    let client = server
        .api_client(
            marta.token(),
            "Contabilità Rossi",
            &[Scope::FamiliesRead, Scope::PaymentsWrite],
        )
        .await;
    let made = &client.made;
    assert_eq!(
        made.client.scopes,
        [Scope::FamiliesRead, Scope::PaymentsWrite]
    );
    assert!(made.client.active && made.client.last_used_at.is_none());
    assert!(made.client_secret.len() >= 40, "a long random secret");
    let listed: Vec<ApiClient> = marta.get_ok(&paths::office_api_clients()).await;
    assert_eq!(listed, std::slice::from_ref(&made.client));
    let stored: String = server
        .scalar(&format!(
            "SELECT secret_hash FROM api_clients WHERE id = {}",
            made.client.id
        ))
        .await;
    assert!(
        !stored.contains(&made.client_secret),
        "only its hash is stored"
    );

    // The token: with the form's fields, and with HTTP Basic.
    let token = server.client_token(&client).await;
    assert_eq!(
        (token.token_type.as_str(), token.expires_in),
        ("Bearer", 900)
    );
    assert_eq!(token.scope, "families:read payments:write");
    let basic = base64::engine::general_purpose::STANDARD
        .encode(format!("{}:{}", made.client.client_id, made.client_secret));
    let by_basic = e2e::client()
        .post(server.api(&paths::oauth_token()))
        .header("Authorization", format!("Basic {basic}"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("scope", "families:read"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        by_basic.headers()["cache-control"].to_str().unwrap(),
        "no-store"
    );
    let narrow: ClientToken = json(by_basic, StatusCode::OK).await;
    assert_eq!(narrow.scope, "families:read");
    let listed: Vec<ApiClient> = marta.get_ok(&paths::office_api_clients()).await;
    assert!(listed[0].last_used_at.is_some(), "the last use is shown");

    // What families:read opens, in its own comune only.
    let search = format!("{}?q=albertini", paths::families());
    let found: Page<FamilyHit> = json(
        server.get(&token.access_token, &search).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(found.items[0].guardian_name, "Mario Albertini");
    let giuseppe: i64 = server
        .scalar(&format!(
            "SELECT id FROM users WHERE fiscal_code = '{GIUSEPPE_ESEMPIO}'"
        ))
        .await;
    problem(
        server
            .get(&token.access_token, &paths::family(giuseppe))
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;

    // payments:write issues a retta; the token asked only for families:read cannot.
    let giulia = server.user("demo", GIULIA_OPERATOR).await;
    let trasporto = server
        .user("demo", MARIO)
        .await
        .trasporto()
        .await
        .service_id;
    let due = (server.today().await + time::Duration::days(30)).to_string();
    let refused = problem(
        server
            .post_json(
                &narrow.access_token,
                &paths::emit(),
                &retta(trasporto, &due),
            )
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert!(
        refused.detail.contains("«payments:write»"),
        "{}",
        refused.detail
    );
    let issued: EmissionDetail = json(
        server
            .post_json(&token.access_token, &paths::emit(), &retta(trasporto, &due))
            .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(issued.summary.amount.to_string(), "42.00");
    // Outside its scopes, and what no client may do.
    for path in [
        paths::office_staff(),
        paths::audit(),
        paths::payment_services(),
    ] {
        problem(
            server.get(&token.access_token, &path).await,
            StatusCode::FORBIDDEN,
        )
        .await;
    }
    let mario_id: i64 = server
        .scalar(&format!(
            "SELECT id FROM users WHERE fiscal_code = '{MARIO}'"
        ))
        .await;
    problem(
        server
            .get(
                &token.access_token,
                &paths::family_statement(trasporto, mario_id),
            )
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;

    // The Registro attività names the client.
    let events: Page<AuditEvent> = marta
        .get_ok(&format!("{}?actor={}", paths::audit(), client.user_id))
        .await;
    let event = events
        .items
        .iter()
        .find(|e| e.operation == "create_emission")
        .expect("the client's retta in the Registro attività");
    assert_eq!(event.actor_name, "Contabilità Rossi (client API)");
    assert_eq!(event.actor_role.label(), "Integratore");
    // Only the administrators manage clients.
    problem(
        giulia.get(&paths::office_api_clients()).await,
        StatusCode::FORBIDDEN,
    )
    .await;
}

#[tokio::test]
async fn the_token_endpoint_refuses_as_oauth_says_in_italian() {
    let server = TestServer::start().await;
    let marta = server.user("demo", MARTA_ADMIN).await;
    let client = server
        .api_client(marta.token(), "Cucina", &[Scope::CanteenWrite])
        .await;
    let id = client.made.client.client_id.as_str();
    let secret = client.made.client_secret.as_str();
    for (form, status, error) in [
        (
            vec![
                ("grant_type", "password"),
                ("client_id", id),
                ("client_secret", secret),
            ],
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
        ),
        (
            vec![
                ("grant_type", "client_credentials"),
                ("client_id", id),
                ("client_secret", "sbagliato"),
            ],
            StatusCode::UNAUTHORIZED,
            "invalid_client",
        ),
        (
            vec![
                ("grant_type", "client_credentials"),
                ("client_id", "nessuno"),
                ("client_secret", secret),
            ],
            StatusCode::UNAUTHORIZED,
            "invalid_client",
        ),
        (
            vec![("grant_type", "client_credentials")],
            StatusCode::UNAUTHORIZED,
            "invalid_client",
        ),
        (
            vec![
                ("grant_type", "client_credentials"),
                ("client_id", id),
                ("client_secret", secret),
                ("scope", "payments:write"),
            ],
            StatusCode::BAD_REQUEST,
            "invalid_scope",
        ),
        (
            vec![
                ("grant_type", "client_credentials"),
                ("client_id", id),
                ("client_secret", secret),
                ("scope", "tutto"),
            ],
            StatusCode::BAD_REQUEST,
            "invalid_scope",
        ),
    ] {
        let answer = value(server.oauth_token(&form).await, status).await;
        assert_eq!(answer["error"], error, "{form:?}");
        let description = answer["error_description"].as_str().unwrap();
        assert!(!description.is_empty(), "{form:?}");
    }
    let bad_json = e2e::client()
        .post(server.api(&paths::oauth_token()))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("grant_type=client_credentials&client_id=%ZZ")
        .send()
        .await
        .unwrap();
    assert!(bad_json.status().is_client_error());

    // A client form without name or scopes: each field named in Italian.
    let refused = problem(
        marta
            .post(
                &paths::office_api_clients(),
                &json!({ "name": " ", "scopes": [] }),
            )
            .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    let fields: Vec<&str> = refused.errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["name", "scopes"]);
}

#[tokio::test]
async fn a_new_secret_a_scope_taken_away_and_a_revocation_apply_at_once() {
    let server = TestServer::start().await;
    let marta = server.user("demo", MARTA_ADMIN).await;
    let client = server
        .api_client(
            marta.token(),
            "Tesoreria",
            &[Scope::FamiliesRead, Scope::PaymentsRead],
        )
        .await;
    let id = client.made.client.id;
    let old = server.client_token(&client).await;
    let search = format!("{}?q=albertini", paths::families());
    json::<serde_json::Value>(server.get(&old.access_token, &search).await, StatusCode::OK).await;

    // A scope taken away: the token issued before loses it at once.
    let changed: ApiClient = json(
        marta
            .put(
                &paths::office_api_client(id),
                &json!({ "name": "Tesoreria comunale", "scopes": ["payments:read"] }),
            )
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(changed.name, "Tesoreria comunale");
    problem(
        server.get(&old.access_token, &search).await,
        StatusCode::FORBIDDEN,
    )
    .await;

    // A new secret: the old secret and the old token stop working, the new one works.
    let rotated: ApiClientSecret = json(
        marta.post_empty(&paths::office_api_client_secret(id)).await,
        StatusCode::OK,
    )
    .await;
    assert_ne!(rotated.client_secret, client.made.client_secret);
    assert!(rotated.client.rotated_at.is_some());
    let refused = value(
        server
            .oauth_token(&[
                ("grant_type", "client_credentials"),
                ("client_id", &client.made.client.client_id),
                ("client_secret", &client.made.client_secret),
            ])
            .await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_eq!(refused["error"], "invalid_client");
    let reports = format!("{}?on=2026-11-30", paths::report_balances());
    problem(
        server.get(&old.access_token, &reports).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    let renewed = e2e::integrations::Client {
        made: rotated,
        user_id: client.user_id,
    };
    let fresh = server.client_token(&renewed).await;
    json::<serde_json::Value>(
        server.get(&fresh.access_token, &reports).await,
        StatusCode::OK,
    )
    .await;

    // Revoked: its token stops, it gets no new one, and it cannot be changed.
    let revoked: ApiClient = json(
        marta
            .post_empty(&paths::office_api_client_revocation(id))
            .await,
        StatusCode::OK,
    )
    .await;
    assert!(!revoked.active && revoked.revoked_at.is_some());
    let shut = problem(
        server.get(&fresh.access_token, &reports).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert!(shut.detail.contains("revocato"), "{}", shut.detail);
    let refused = value(
        server
            .oauth_token(&[
                ("grant_type", "client_credentials"),
                ("client_id", &renewed.made.client.client_id),
                ("client_secret", &renewed.made.client_secret),
            ])
            .await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_eq!(refused["error"], "invalid_client");
    problem(
        marta.post_empty(&paths::office_api_client_secret(id)).await,
        StatusCode::CONFLICT,
    )
    .await;
    let listed: Vec<ApiClient> = marta.get_ok(&paths::office_api_clients()).await;
    assert_eq!(listed, [revoked]);
}

#[tokio::test]
async fn a_client_over_its_rate_limit_is_told_to_wait_and_the_status_says_the_service_is_up() {
    let server = TestServer::start_with(&[("SPORTELLO_CLIENT_RATE_LIMIT", "5")]).await;
    let marta = server.user("demo", MARTA_ADMIN).await;
    let client = server
        .api_client(marta.token(), "Tesoreria", &[Scope::FamiliesRead])
        .await;
    let token = server.client_token(&client).await.access_token;
    let search = format!("{}?q=albertini", paths::families());
    for left in (0..5).rev() {
        let answer = server.get(&token, &search).await;
        assert_eq!(answer.status(), StatusCode::OK);
        assert_eq!(answer.headers()["x-ratelimit-limit"], "5");
        assert_eq!(
            answer.headers()["x-ratelimit-remaining"],
            left.to_string().as_str()
        );
        let reset: u64 = answer.headers()["x-ratelimit-reset"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=60).contains(&reset), "{reset}");
    }
    let over = server.get(&token, &search).await;
    assert_eq!(over.headers()["x-ratelimit-remaining"], "0");
    assert!(over.headers().contains_key("retry-after"));
    let refused = problem(over, StatusCode::TOO_MANY_REQUESTS).await;
    assert!(
        refused.detail.contains("5 richieste al minuto"),
        "{}",
        refused.detail
    );
    // People are not limited by it.
    for _ in 0..8 {
        assert_eq!(marta.get(&search).await.status(), StatusCode::OK);
    }
    // The next minute the client may go on.
    server
        .advance_clock(std::time::Duration::from_secs(61))
        .await;
    let token = server.client_token(&client).await.access_token;
    assert_eq!(server.get(&token, &search).await.status(), StatusCode::OK);

    // ModI's /status: problem+json with status 200.
    let status = server.public(&paths::status()).await;
    assert_eq!(status.status(), StatusCode::OK);
    assert_eq!(status.headers()["content-type"], "application/problem+json");
    let body: serde_json::Value = status.json().await.unwrap();
    assert_eq!(body["status"], 200);
}
