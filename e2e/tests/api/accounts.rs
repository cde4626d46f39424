//! Login (codice fiscale + password, SPID, CIE), sessions, throttling, password reset.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use e2e::{
    client, json, location, problem, TestServer, ANNA, DEMO_PASSWORD, GIUSEPPE_ESEMPIO,
    LAURA_DELEGATE, MARIO, TEST_JWT_SECRET,
};
use jsonwebtoken::{encode, EncodingKey, Header};
use reqwest::cookie::Jar;
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use sportello_model::auth::{LoginError, Me, Role, TokenResponse};
use sportello_model::paths;

#[tokio::test]
async fn guardian_logs_in_with_codice_fiscale_and_password() {
    let server = TestServer::start().await;
    // Lower-case input with spaces is the same codice fiscale.
    let res = server
        .try_login(&client(), "demo", " lbrmra80e12f205m ", DEMO_PASSWORD)
        .await;
    assert!(res.headers().get_all("set-cookie").iter().any(|c| c
        .to_str()
        .unwrap()
        .starts_with("sportello_refresh=")
        && c.to_str().unwrap().contains("HttpOnly")));
    let tokens: TokenResponse = json(res, StatusCode::OK).await;
    assert_eq!(tokens.token_type, "Bearer");
    assert_eq!(tokens.user.role, Role::Guardian);
    assert_eq!(tokens.user.first_name, "Mario");
    let me: Me = json(
        server.get(&tokens.access_token, &paths::me()).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(me.fiscal_code, MARIO);
    assert_eq!(me.ente_name, "Comune di Demo");
}

#[tokio::test]
async fn wrong_credentials_and_bad_codice_fiscale_get_italian_errors() {
    let server = TestServer::start().await;
    let http = client();
    let wrong = problem(
        server.try_login(&http, "demo", MARIO, "sbagliata123").await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_eq!(wrong.detail, "Codice fiscale o password non corretti.");
    // An unknown account answers exactly like a wrong password.
    let unknown = problem(
        server
            .try_login(&http, "demo", "RSSMRA85T10A562S", DEMO_PASSWORD)
            .await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_eq!(unknown.detail, wrong.detail);

    let bad = problem(
        server
            .try_login(&http, "demo", "LBRMRA80E12F205X", DEMO_PASSWORD)
            .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(bad
        .field_message("fiscal_code")
        .unwrap()
        .contains("carattere di controllo"));
    let empty = problem(
        server.try_login(&http, "demo", "", "").await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(empty.field_message("fiscal_code").is_some());
    assert!(empty.field_message("password").is_some());

    // Comune di Esempio only allows SPID and CIE.
    let spid_only = problem(
        server
            .try_login(&http, "esempio", GIUSEPPE_ESEMPIO, DEMO_PASSWORD)
            .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(spid_only.detail.contains("solo con SPID o CIE"));
}

#[tokio::test]
async fn refresh_tokens_rotate_and_reuse_closes_the_session() {
    let server = TestServer::start().await;
    let http = client();
    let first = server.login("demo", MARIO).await;
    let refresh = |token: String| {
        let http = http.clone();
        let url = server.api(&paths::refresh());
        async move {
            http.post(url)
                .json(&serde_json::json!({ "refresh_token": token }))
                .send()
                .await
                .unwrap()
        }
    };
    let second: TokenResponse =
        json(refresh(first.refresh_token.clone()).await, StatusCode::OK).await;
    assert_ne!(second.refresh_token, first.refresh_token);
    json::<Me>(
        server.get(&second.access_token, &paths::me()).await,
        StatusCode::OK,
    )
    .await;

    // The rotated token presented again: someone copied it. The whole session closes.
    let reuse = problem(
        refresh(first.refresh_token.clone()).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert!(reuse.detail.contains("per sicurezza"), "{}", reuse.detail);
    problem(
        refresh(second.refresh_token.clone()).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    problem(
        server.get(&second.access_token, &paths::me()).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;

    // Another login is a separate session and still works.
    let other = server.login("demo", MARIO).await;
    json::<Me>(
        server.get(&other.access_token, &paths::me()).await,
        StatusCode::OK,
    )
    .await;
}

#[tokio::test]
async fn refresh_works_from_the_cookie_and_logout_revokes() {
    let server = TestServer::start().await;
    let http = client(); // keeps the HttpOnly cookie, like a browser
    let tokens: TokenResponse = json(
        server.try_login(&http, "demo", MARIO, DEMO_PASSWORD).await,
        StatusCode::OK,
    )
    .await;
    let refreshed: TokenResponse = json(
        http.post(server.api(&paths::refresh()))
            .send()
            .await
            .unwrap(),
        StatusCode::OK,
    )
    .await;
    assert_ne!(refreshed.refresh_token, tokens.refresh_token);

    let out = http
        .post(server.api(&paths::logout()))
        .bearer_auth(&refreshed.access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    problem(
        server.get(&refreshed.access_token, &paths::me()).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    let again = client()
        .post(server.api(&paths::refresh()))
        .json(&serde_json::json!({ "refresh_token": refreshed.refresh_token }))
        .send()
        .await
        .unwrap();
    problem(again, StatusCode::UNAUTHORIZED).await;
    // The cookie was cleared too.
    problem(
        http.post(server.api(&paths::refresh()))
            .send()
            .await
            .unwrap(),
        StatusCode::UNAUTHORIZED,
    )
    .await;
}

#[derive(serde::Serialize)]
struct Claims<'a> {
    iss: &'a str,
    aud: &'a str,
    sub: String,
    ente: i64,
    role: &'a str,
    sid: &'a str,
    iat: i64,
    exp: i64,
}

#[tokio::test]
async fn forged_expired_and_tampered_access_tokens_are_rejected() {
    let server = TestServer::start().await;
    let tokens = server.login("demo", MARIO).await;
    // Tokens are timed by the server's clock.
    let now = server.now().await.unix_timestamp();
    let sign = |claims: &Claims, secret: &str| {
        encode(
            &Header::default(),
            claims,
            &EncodingKey::from_secret(secret.as_bytes()),
        )
        .unwrap()
    };
    let parts: Vec<&str> = tokens.access_token.split('.').collect();
    let payload: serde_json::Value = serde_json::from_slice(&base64_decode(parts[1])).unwrap();
    let sid = payload["sid"].as_str().unwrap().to_string();
    let ente = payload["ente"].as_i64().unwrap();
    let claims = |exp: i64, role: &'static str| Claims {
        iss: "sportello",
        aud: "sportello-api",
        sub: tokens.user.id.to_string(),
        ente,
        role,
        sid: Box::leak(sid.clone().into_boxed_str()),
        iat: now - 10,
        exp,
    };
    // Control: a token we sign with the right key and claims is accepted.
    let good = sign(&claims(now + 300, "guardian"), TEST_JWT_SECRET);
    json::<Me>(server.get(&good, &paths::me()).await, StatusCode::OK).await;

    let expired = sign(&claims(now - 120, "guardian"), TEST_JWT_SECRET);
    let p = problem(
        server.get(&expired, &paths::me()).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert!(p.detail.contains("scaduta"));
    let wrong_key = sign(
        &claims(now + 300, "guardian"),
        "another-secret-another-secret-1234",
    );
    problem(
        server.get(&wrong_key, &paths::me()).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    // A role the user does not have, even correctly signed, is refused.
    let escalated = sign(&claims(now + 300, "operator"), TEST_JWT_SECRET);
    problem(
        server.get(&escalated, &paths::me()).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;

    let unsigned = format!(
        "{}.{}.",
        base64_encode(br#"{"alg":"none","typ":"JWT"}"#),
        parts[1]
    );
    problem(
        server.get(&unsigned, &paths::me()).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    let mut tampered_payload = payload.clone();
    tampered_payload["role"] = "operator".into();
    let tampered = format!(
        "{}.{}.{}",
        parts[0],
        base64_encode(tampered_payload.to_string().as_bytes()),
        parts[2]
    );
    problem(
        server.get(&tampered, &paths::me()).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
}

fn base64_decode(s: &str) -> Vec<u8> {
    URL_SAFE_NO_PAD.decode(s).unwrap()
}

fn base64_encode(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

#[tokio::test]
async fn repeated_failures_are_slowed_then_refused() {
    let server = TestServer::start().await;
    let http = client();
    five_wrong_passwords(&server, &http).await;
    // Now even the right password is refused from here for a while, with an Italian
    // message and the seconds to wait.
    let locked = server.try_login(&http, "demo", ANNA, DEMO_PASSWORD).await;
    assert!((880..=900).contains(&retry_after(&locked)));
    let locked = problem(locked, StatusCode::TOO_MANY_REQUESTS).await;
    assert!(
        locked.detail.contains("Riprova tra 15 minuti"),
        "{}",
        locked.detail
    );
    // Another person is not affected.
    server.login("demo", MARIO).await;
}

#[tokio::test]
async fn spid_and_cie_logins_go_through_the_identity_provider() {
    let server = TestServer::start().await;
    for provider in ["spid", "cie"] {
        let browser = client();
        let callback = server.oidc_login(&browser, "demo", provider, MARIO).await;
        assert_eq!(callback.status(), StatusCode::FOUND);
        assert_eq!(location(&callback), "/demo/utenti");
        // The SPA obtains its tokens from the session cookie.
        let tokens: TokenResponse = json(
            browser
                .post(server.api(&paths::refresh()))
                .send()
                .await
                .unwrap(),
            StatusCode::OK,
        )
        .await;
        assert_eq!(tokens.user.fiscal_code, MARIO);
        assert_eq!(tokens.user.role, Role::Guardian);
    }

    // Comune di Esempio: SPID is its only way in.
    let browser = client();
    let callback = server
        .oidc_login(&browser, "esempio", "spid", GIUSEPPE_ESEMPIO)
        .await;
    assert_eq!(location(&callback), "/esempio/utenti");

    // A codice fiscale with no account in that comune: back to the login page, explained.
    let browser = client();
    let callback = server.oidc_login(&browser, "esempio", "spid", MARIO).await;
    // The reason travels as a code the login page turns into the portal's own message.
    assert_eq!(location(&callback), "/esempio/accedi?errore=non_registrato");
    assert_eq!(
        LoginError::parse("non_registrato").map(LoginError::message),
        Some("Il tuo codice fiscale non risulta registrato presso questo Comune. Rivolgiti all'ufficio scuola del Comune.")
    );
    server.assert_no_session(&browser).await;
}

#[tokio::test]
async fn oidc_state_is_single_use_and_unknown_providers_are_not_found() {
    let server = TestServer::start().await;
    let http = client();
    problem(
        http.get(server.api(&paths::oidc_start("demo", "facebook")))
            .send()
            .await
            .unwrap(),
        StatusCode::NOT_FOUND,
    )
    .await;
    let forged = http
        .get(server.api(&format!(
            "{}?code=abc&state=inventato",
            paths::oidc_callback()
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(location(&forged), "/?errore=richiesta_scaduta");
    // An open redirect is not possible through redirect_to.
    let start = http
        .get(server.api(&format!(
            "{}?redirect_to=https://evil.example/",
            paths::oidc_start("demo", "spid")
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(start.status(), StatusCode::FOUND);
    let browser = client();
    let done = server.oidc_login(&browser, "demo", "spid", MARIO).await;
    assert_eq!(done.status(), StatusCode::FOUND);
}

#[tokio::test]
async fn spid_login_returns_only_to_pages_of_the_comune() {
    let server = TestServer::start().await;
    // As written in the query string: `%09` reaches the server as a tab, `%2509` as an
    // encoded tab, `%0D%0A` as a line break.
    for hostile in [
        "/%09/evil.example",
        "/%2509/evil.example",
        "//evil.example",
        "/%5Cevil.example",
        "/%2F%2Fevil.example",
        "https://evil.example/",
        "javascript:alert(1)",
        "/demo/utenti%0D%0ASet-Cookie:%20x=1",
        "/esempio/utenti",
    ] {
        let browser = client();
        let callback = server
            .oidc_login_with(&browser, "demo", "spid", MARIO, hostile, &[])
            .await;
        assert_eq!(callback.status(), StatusCode::FOUND, "{hostile}");
        assert_eq!(location(&callback), "/demo/area-personale", "{hostile}");
        // Logged in all the same.
        json::<TokenResponse>(
            browser
                .post(server.api(&paths::refresh()))
                .send()
                .await
                .unwrap(),
            StatusCode::OK,
        )
        .await;
    }
    // A page of the comune, with its query, is where the parent goes back to.
    let callback = server
        .oidc_login_with(
            &client(),
            "demo",
            "cie",
            MARIO,
            "/demo/pagamenti/1%3Fmese%3D2026-11",
            &[],
        )
        .await;
    assert_eq!(location(&callback), "/demo/pagamenti/1?mese=2026-11");
}

/// A client on another address of this machine (the whole 127/8 network is local),
/// keeping its cookies in `jar`: the same browser may move between addresses.
fn client_at(last_octet: u8, jar: &Arc<Jar>) -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_provider(jar.clone())
        .local_address(IpAddr::from([127, 0, 0, last_octet]))
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .unwrap()
}

/// Five wrong passwords for Anna from `http`'s address and device, each refused.
async fn five_wrong_passwords(server: &TestServer, http: &reqwest::Client) {
    for _ in 0..5 {
        problem(
            server.try_login(http, "demo", ANNA, "sbagliata123").await,
            StatusCode::UNAUTHORIZED,
        )
        .await;
    }
}

fn retry_after(res: &reqwest::Response) -> u64 {
    res.headers()
        .get("retry-after")
        .expect("429 with Retry-After")
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

#[tokio::test]
async fn strangers_guessing_cannot_lock_a_parent_out_of_a_known_device() {
    let server = TestServer::start_with(&[("SPORTELLO_FAKE_NOW", "2027-03-01T08:00:00Z")]).await;
    let home = Arc::new(Jar::default());
    json::<TokenResponse>(
        server
            .try_login(&client_at(1, &home), "demo", ANNA, DEMO_PASSWORD)
            .await,
        StatusCode::OK,
    )
    .await;

    // Strangers guess Anna's password from four addresses: each is held after five tries.
    for address in 2..=5 {
        let stranger = client_at(address, &Arc::new(Jar::default()));
        five_wrong_passwords(&server, &stranger).await;
        let refused = server
            .try_login(&stranger, "demo", ANNA, "sbagliata123")
            .await;
        let wait = retry_after(&refused);
        assert!((880..=900).contains(&wait), "Retry-After {wait}");
        let p = problem(refused, StatusCode::TOO_MANY_REQUESTS).await;
        assert!(p.detail.contains("Riprova tra 15 minuti"), "{}", p.detail);
    }
    // Twenty failures in all: a device Anna never used is refused, right password or not.
    let newcomer = server
        .try_login(
            &client_at(6, &Arc::new(Jar::default())),
            "demo",
            ANNA,
            DEMO_PASSWORD,
        )
        .await;
    assert!(retry_after(&newcomer) > 0);
    let p = problem(newcomer, StatusCode::TOO_MANY_REQUESTS).await;
    assert!(
        p.detail.contains("dispositivo che usi di solito"),
        "{}",
        p.detail
    );

    // Anna's own browser still logs in, at home and even from a stranger's address.
    for address in [1, 2] {
        let tokens: TokenResponse = json(
            server
                .try_login(&client_at(address, &home), "demo", ANNA, DEMO_PASSWORD)
                .await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(tokens.user.fiscal_code, ANNA);
    }
    // Other accounts are not held by what happened to Anna's.
    server.login("demo", MARIO).await;

    // Locks are timed by the server's clock: fifteen minutes from its "now".
    let db = server.database().await;
    let rows = db
        .query_all(Statement::from_string(
            db.get_database_backend(),
            "SELECT locked_until FROM login_throttle WHERE locked_until IS NOT NULL",
        ))
        .await
        .unwrap();
    assert_eq!(
        rows.len(),
        5,
        "four address locks and the account's ceiling"
    );
    let fake_now = time::macros::datetime!(2027-03-01 08:00 UTC);
    for row in rows {
        let until: time::OffsetDateTime = row.try_get("", "locked_until").unwrap();
        let lock = until - fake_now;
        assert!(
            lock >= time::Duration::minutes(15) && lock < time::Duration::minutes(16),
            "locked until {until}"
        );
    }
}

async fn outbox_count(server: &TestServer, to: &str) -> i64 {
    let db = server.database().await;
    db.query_one(Statement::from_sql_and_values(
        db.get_database_backend(),
        match db.get_database_backend() {
            DbBackend::Postgres => "SELECT COUNT(*) AS n FROM outbox_emails WHERE to_address = $1",
            _ => "SELECT COUNT(*) AS n FROM outbox_emails WHERE to_address = ?",
        },
        [to.into()],
    ))
    .await
    .unwrap()
    .unwrap()
    .try_get("", "n")
    .unwrap()
}

/// The e-mails queued for `to` once the server has done with the requests it accepted
/// (the work happens after the answer).
async fn settled_outbox_count(server: &TestServer, to: &str, expected: i64) -> i64 {
    for _ in 0..50 {
        if outbox_count(server, to).await >= expected {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    outbox_count(server, to).await
}

#[tokio::test]
async fn password_reset_requests_are_limited_and_answer_alike() {
    let server = TestServer::start().await;
    let ask = |address: u8, fiscal_code: &'static str| {
        let http = client_at(address, &Arc::new(Jar::default()));
        let url = server.api(&paths::password_reset("demo"));
        async move {
            let res = http
                .post(url)
                .json(&serde_json::json!({ "fiscal_code": fiscal_code }))
                .send()
                .await
                .unwrap();
            let status = res.status();
            let content_type = res.headers().get("content-type").cloned();
            (status, content_type, res.bytes().await.unwrap())
        }
    };
    let unknown = ask(1, "RSSMRA85T10A562S").await;
    assert_eq!(unknown.0, StatusCode::ACCEPTED);
    // Twenty requests for Mario's account from one address: the same answer every time,
    // and three e-mails at most.
    for _ in 0..20 {
        assert_eq!(ask(1, MARIO).await, unknown);
    }
    assert_eq!(
        settled_outbox_count(&server, "mario.albertini@example.it", 3).await,
        3
    );
    // The account has had its e-mails for the hour, whoever asks.
    assert_eq!(ask(2, MARIO).await, unknown);
    // The first address has asked too often, even for someone else.
    assert_eq!(ask(1, ANNA).await, unknown);
    // Another parent asking from another address gets the link.
    assert_eq!(ask(3, LAURA_DELEGATE).await, unknown);
    assert_eq!(
        settled_outbox_count(&server, "laura.bianchi@example.it", 1).await,
        1
    );
    assert_eq!(outbox_count(&server, "mario.albertini@example.it").await, 3);
    assert_eq!(outbox_count(&server, "anna.colombo@example.it").await, 0);
    assert_eq!(ask(4, "RSSMRA85T10A562S").await, unknown);
}

async fn outbox_reset_token(server: &TestServer) -> String {
    settled_outbox_count(server, "mario.albertini@example.it", 1).await;
    let db = server.database().await;
    let row = db
        .query_one(Statement::from_string(
            db.get_database_backend(),
            "SELECT to_address, subject, body FROM outbox_emails ORDER BY id DESC LIMIT 1",
        ))
        .await
        .unwrap()
        .expect("an e-mail in the outbox");
    let to: String = row.try_get("", "to_address").unwrap();
    let subject: String = row.try_get("", "subject").unwrap();
    let body: String = row.try_get("", "body").unwrap();
    assert_eq!(to, "mario.albertini@example.it");
    assert_eq!(subject, "Reimpostazione della password");
    assert!(body.contains("Gentile Mario Albertini"));
    body.split("token=")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .expect("link with token")
        .to_string()
}

#[tokio::test]
async fn password_reset_by_codice_fiscale_with_a_one_time_token() {
    let server = TestServer::start().await;
    let http = client();
    let old_session = server.login("demo", MARIO).await;
    let ask = |cf: &'static str| {
        http.post(server.api(&paths::password_reset("demo")))
            .json(&serde_json::json!({ "fiscal_code": cf }))
            .send()
    };
    assert_eq!(ask(MARIO).await.unwrap().status(), StatusCode::ACCEPTED);
    // Unknown people get the same answer: the endpoint does not reveal who is registered.
    assert_eq!(
        ask("RSSMRA85T10A562S").await.unwrap().status(),
        StatusCode::ACCEPTED
    );
    problem(
        ask("RSSMRA85T10A562X").await.unwrap(),
        StatusCode::BAD_REQUEST,
    )
    .await;
    let token = outbox_reset_token(&server).await;

    let confirm = |token: String, password: &'static str| {
        http.post(server.api(&paths::password_reset_confirm()))
            .json(&serde_json::json!({ "token": token, "new_password": password }))
            .send()
    };
    let weak = problem(
        confirm(token.clone(), "corta").await.unwrap(),
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(weak
        .field_message("new_password")
        .unwrap()
        .contains("almeno 10 caratteri"));
    let done = confirm(token.clone(), "NuovaPassword2026").await.unwrap();
    assert_eq!(done.status(), StatusCode::NO_CONTENT);
    let reused = problem(
        confirm(token, "AltraPassword2026").await.unwrap(),
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(reused.field_message("token").unwrap().contains("scaduto"));

    problem(
        server.try_login(&http, "demo", MARIO, DEMO_PASSWORD).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    json::<TokenResponse>(
        server
            .try_login(&http, "demo", MARIO, "NuovaPassword2026")
            .await,
        StatusCode::OK,
    )
    .await;
    // Sessions opened before the reset are closed.
    problem(
        server.get(&old_session.access_token, &paths::me()).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
}

#[tokio::test]
async fn a_password_reset_link_stops_working_after_its_hour() {
    let server = TestServer::start().await;
    let http = client();
    let ask = || {
        http.post(server.api(&paths::password_reset("demo")))
            .json(&serde_json::json!({ "fiscal_code": MARIO }))
            .send()
    };
    let confirm = |token: String| {
        http.post(server.api(&paths::password_reset_confirm()))
            .json(&serde_json::json!({ "token": token, "new_password": "NuovaPassword2026" }))
            .send()
    };
    assert_eq!(ask().await.unwrap().status(), StatusCode::ACCEPTED);
    let late = outbox_reset_token(&server).await;
    server.advance_clock(Duration::from_secs(61 * 60)).await;
    let expired = problem(confirm(late).await.unwrap(), StatusCode::BAD_REQUEST).await;
    assert!(
        expired.field_message("token").unwrap().contains("scaduto"),
        "{expired:?}"
    );
    // The password did not change.
    server.login("demo", MARIO).await;

    // A new link still works 59 minutes after it was sent.
    assert_eq!(ask().await.unwrap().status(), StatusCode::ACCEPTED);
    assert_eq!(
        settled_outbox_count(&server, "mario.albertini@example.it", 2).await,
        2
    );
    let in_time = outbox_reset_token(&server).await;
    server.advance_clock(Duration::from_secs(59 * 60)).await;
    assert_eq!(
        confirm(in_time).await.unwrap().status(),
        StatusCode::NO_CONTENT
    );
    json::<TokenResponse>(
        server
            .try_login(&http, "demo", MARIO, "NuovaPassword2026")
            .await,
        StatusCode::OK,
    )
    .await;
}

#[tokio::test]
async fn a_login_lock_out_ends_after_its_fifteen_minutes() {
    let server = TestServer::start().await;
    let http = client();
    five_wrong_passwords(&server, &http).await;
    let locked = server.try_login(&http, "demo", ANNA, DEMO_PASSWORD).await;
    assert_eq!(locked.status(), StatusCode::TOO_MANY_REQUESTS);
    // Fourteen minutes later: still held, with about a minute to wait.
    server.advance_clock(Duration::from_secs(14 * 60)).await;
    let still = server.try_login(&http, "demo", ANNA, DEMO_PASSWORD).await;
    let wait = retry_after(&still);
    assert!((50..=60).contains(&wait), "Retry-After {wait}");
    problem(still, StatusCode::TOO_MANY_REQUESTS).await;
    // Past the fifteen minutes, the right password logs in.
    server.advance_clock(Duration::from_secs(61)).await;
    let tokens: TokenResponse = json(
        server.try_login(&http, "demo", ANNA, DEMO_PASSWORD).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(tokens.user.fiscal_code, ANNA);
}

#[tokio::test]
async fn access_tokens_and_sessions_expire_by_the_server_clock() {
    let server = TestServer::start().await;
    let http = client();
    let refresh = |token: String| {
        http.post(server.api(&paths::refresh()))
            .json(&serde_json::json!({ "refresh_token": token }))
            .send()
    };
    let first = server.login("demo", MARIO).await;
    // Access tokens live 15 minutes (and a few seconds of leeway) on the server's clock.
    server.advance_clock(Duration::from_secs(14 * 60)).await;
    json::<Me>(
        server.get(&first.access_token, &paths::me()).await,
        StatusCode::OK,
    )
    .await;
    server.advance_clock(Duration::from_secs(2 * 60)).await;
    let expired = problem(
        server.get(&first.access_token, &paths::me()).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert!(expired.detail.contains("scaduta"), "{}", expired.detail);
    // The session goes on with its refresh token, for 30 days from the last use.
    let second: TokenResponse =
        json(refresh(first.refresh_token).await.unwrap(), StatusCode::OK).await;
    json::<Me>(
        server.get(&second.access_token, &paths::me()).await,
        StatusCode::OK,
    )
    .await;
    server.advance_clock(Duration::from_secs(29 * 86_400)).await;
    let third: TokenResponse =
        json(refresh(second.refresh_token).await.unwrap(), StatusCode::OK).await;
    server.advance_clock(Duration::from_secs(31 * 86_400)).await;
    let ended = problem(
        refresh(third.refresh_token).await.unwrap(),
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert!(ended.detail.contains("scaduta"), "{}", ended.detail);
}

#[tokio::test]
async fn spid_login_is_timed_by_the_server_clock() {
    // A server clock far from the machine's: the provider's ID token and the login state
    // are both timed by it.
    let server = TestServer::start_with(&[("SPORTELLO_FAKE_NOW", "2025-03-03T08:00:00Z")]).await;
    let done = server.oidc_login(&client(), "demo", "spid", MARIO).await;
    assert_eq!(location(&done), "/demo/utenti");

    // A login left on the provider's page for more than ten minutes is not completed.
    let http = client();
    let start = http
        .get(server.api(&paths::oidc_start("demo", "spid")))
        .send()
        .await
        .unwrap();
    let authorize = url::Url::parse(location(&start)).unwrap();
    server.advance_clock(Duration::from_secs(11 * 60)).await;
    let mut form: Vec<(String, String)> = authorize.query_pairs().into_owned().collect();
    form.push(("fiscal_code".into(), MARIO.into()));
    form.push(("decision".into(), "allow".into()));
    let mut action = authorize.clone();
    action.set_query(None);
    let approved = http.post(action).form(&form).send().await.unwrap();
    let callback = http
        .get(location(&approved).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(location(&callback), "/?errore=richiesta_scaduta");
}
