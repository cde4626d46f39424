//! Login (codice fiscale + password, SPID, CIE), sessions, throttling, password reset.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use e2e::{client, field_error, json, location, problem, TestServer, TEST_JWT_SECRET};
use e2e::{ANNA, DEMO_PASSWORD, GIUSEPPE_ESEMPIO, LAURA_DELEGATE, MARIO};
use jsonwebtoken::{encode, EncodingKey, Header};
use reqwest::cookie::Jar;
use reqwest::{Client, Response, StatusCode};
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use sportello_model::auth::{LoginError, Me, Role, TokenResponse};
use sportello_model::{paths, Problem};

/// `/me` with a bearer token.
async fn me(server: &TestServer, token: &str) -> Response {
    server.get(token, &paths::me()).await
}

/// Asserts that `/me` accepts the access token.
async fn accepted(server: &TestServer, token: &str) -> Me {
    json(me(server, token).await, StatusCode::OK).await
}

/// Asserts that `/me` refuses the access token (401): the problem.
async fn refused(server: &TestServer, token: &str) -> Problem {
    problem(me(server, token).await, StatusCode::UNAUTHORIZED).await
}

/// Logs in on Comune di Demo with `password`, asserting it succeeds.
async fn logs_in(
    server: &TestServer,
    http: &Client,
    fiscal_code: &str,
    password: &str,
) -> TokenResponse {
    json(
        server.try_login(http, "demo", fiscal_code, password).await,
        StatusCode::OK,
    )
    .await
}

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
    let me = accepted(&server, &tokens.access_token).await;
    assert_eq!(me.fiscal_code, MARIO);
    assert_eq!(me.ente_name, "Comune di Demo");
}

#[tokio::test]
async fn wrong_credentials_and_bad_codice_fiscale_get_italian_errors() {
    let server = TestServer::start().await;
    let http = client();
    let attempt = |slug: &'static str, fiscal_code: &'static str, password: &'static str| {
        server.try_login(&http, slug, fiscal_code, password)
    };
    let wrong = attempt("demo", MARIO, "sbagliata123").await;
    let wrong = problem(wrong, StatusCode::UNAUTHORIZED).await;
    assert_eq!(wrong.detail, "Codice fiscale o password non corretti.");
    // An unknown account answers exactly like a wrong password.
    let unknown = attempt("demo", "RSSMRA85T10A562S", DEMO_PASSWORD).await;
    let unknown = problem(unknown, StatusCode::UNAUTHORIZED).await;
    assert_eq!(unknown.detail, wrong.detail);

    let bad = attempt("demo", "LBRMRA80E12F205X", DEMO_PASSWORD).await;
    let bad = field_error(bad, "fiscal_code").await;
    assert!(bad.contains("carattere di controllo"), "{bad}");
    let empty = problem(attempt("demo", "", "").await, StatusCode::BAD_REQUEST).await;
    assert!(empty.field_message("fiscal_code").is_some());
    assert!(empty.field_message("password").is_some());

    // Comune di Esempio only allows SPID and CIE.
    let spid_only = attempt("esempio", GIUSEPPE_ESEMPIO, DEMO_PASSWORD).await;
    let spid_only = problem(spid_only, StatusCode::BAD_REQUEST).await;
    assert!(spid_only.detail.contains("solo con SPID o CIE"));
}

#[tokio::test]
async fn refresh_tokens_rotate_and_reuse_closes_the_session() {
    let server = TestServer::start().await;
    let http = client();
    let first = server.login("demo", MARIO).await;
    let second = server.refresh(&http, Some(&first.refresh_token)).await;
    let second: TokenResponse = json(second, StatusCode::OK).await;
    assert_ne!(second.refresh_token, first.refresh_token);
    accepted(&server, &second.access_token).await;

    // The rotated token presented again after the grace: someone copied it. The whole
    // session closes.
    server.advance_clock(Duration::from_secs(31)).await;
    let reuse = server.refresh(&http, Some(&first.refresh_token)).await;
    let reuse = problem(reuse, StatusCode::UNAUTHORIZED).await.detail;
    assert!(reuse.contains("per sicurezza"), "{reuse}");
    let closed = server.refresh(&http, Some(&second.refresh_token)).await;
    problem(closed, StatusCode::UNAUTHORIZED).await;
    refused(&server, &second.access_token).await;

    // Another login is a separate session and still works.
    let other = server.login("demo", MARIO).await;
    accepted(&server, &other.access_token).await;
}

/// A reload or a second tab sends the same refresh cookie again before the first answer's
/// cookie is stored: within the grace both exchanges succeed and the session stays open.
#[tokio::test]
async fn the_same_refresh_token_twice_at_once_keeps_the_session() {
    let server = TestServer::start().await;
    let http = client();
    let first = server.login("demo", MARIO).await;
    let (one, two) = tokio::join!(
        server.refresh(&http, Some(&first.refresh_token)),
        server.refresh(&http, Some(&first.refresh_token)),
    );
    let one: TokenResponse = json(one, StatusCode::OK).await;
    let two: TokenResponse = json(two, StatusCode::OK).await;
    let again = server.refresh(&http, Some(&first.refresh_token)).await;
    let again: TokenResponse = json(again, StatusCode::OK).await;
    for tokens in [one, two, again] {
        accepted(&server, &tokens.access_token).await;
        let next = server.refresh(&http, Some(&tokens.refresh_token)).await;
        json::<TokenResponse>(next, StatusCode::OK).await;
    }
}

#[tokio::test]
async fn refresh_works_from_the_cookie_and_logout_revokes() {
    let server = TestServer::start().await;
    let http = client(); // keeps the HttpOnly cookie, like a browser
    let tokens = logs_in(&server, &http, MARIO, DEMO_PASSWORD).await;
    let refreshed = server.refresh(&http, None).await;
    let refreshed: TokenResponse = json(refreshed, StatusCode::OK).await;
    assert_ne!(refreshed.refresh_token, tokens.refresh_token);

    let out = http
        .post(server.api(&paths::logout()))
        .bearer_auth(&refreshed.access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    refused(&server, &refreshed.access_token).await;
    let again = server
        .refresh(&client(), Some(&refreshed.refresh_token))
        .await;
    problem(again, StatusCode::UNAUTHORIZED).await;
    // The cookie was cleared too.
    let cookie = server.refresh(&http, None).await;
    problem(cookie, StatusCode::UNAUTHORIZED).await;
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
    accepted(&server, &good).await;

    let expired = sign(&claims(now - 120, "guardian"), TEST_JWT_SECRET);
    assert!(refused(&server, &expired).await.detail.contains("scaduta"));
    let wrong_key = sign(
        &claims(now + 300, "guardian"),
        "another-secret-another-secret-1234",
    );
    refused(&server, &wrong_key).await;
    // A role the user does not have, even correctly signed, is refused.
    let escalated = sign(&claims(now + 300, "operator"), TEST_JWT_SECRET);
    refused(&server, &escalated).await;

    let unsigned = format!(
        "{}.{}.",
        base64_encode(br#"{"alg":"none","typ":"JWT"}"#),
        parts[1]
    );
    refused(&server, &unsigned).await;
    let mut tampered_payload = payload.clone();
    tampered_payload["role"] = "operator".into();
    let tampered = format!(
        "{}.{}.{}",
        parts[0],
        base64_encode(tampered_payload.to_string().as_bytes()),
        parts[2]
    );
    refused(&server, &tampered).await;
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
    // Now even the right password is refused from here for a while, with an Italian
    // message and the seconds to wait.
    let locked = after_five_wrong_passwords(&server, &http).await;
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
        let tokens = server.refresh(&browser, None).await;
        let tokens: TokenResponse = json(tokens, StatusCode::OK).await;
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
    let facebook = server.public(&paths::oidc_start("demo", "facebook")).await;
    problem(facebook, StatusCode::NOT_FOUND).await;
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

/// Where a login must not return to, as written in the query string: `%09` reaches the
/// server as a tab, `%2509` as an encoded tab, `%0D%0A` as a line break.
const HOSTILE_RETURNS: [&str; 9] = [
    "/%09/evil.example",
    "/%2509/evil.example",
    "//evil.example",
    "/%5Cevil.example",
    "/%2F%2Fevil.example",
    "https://evil.example/",
    "javascript:alert(1)",
    "/demo/utenti%0D%0ASet-Cookie:%20x=1",
    "/esempio/utenti",
];

#[tokio::test]
async fn spid_login_returns_only_to_pages_of_the_comune() {
    let server = TestServer::start().await;
    for hostile in HOSTILE_RETURNS {
        let browser = client();
        let callback = server
            .oidc_login_with(&browser, "demo", "spid", MARIO, hostile, &[])
            .await;
        assert_eq!(callback.status(), StatusCode::FOUND, "{hostile}");
        assert_eq!(location(&callback), "/demo/area-personale", "{hostile}");
        // Logged in all the same.
        let tokens = server.refresh(&browser, None).await;
        json::<TokenResponse>(tokens, StatusCode::OK).await;
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
        let wrong = server.try_login(http, "demo", ANNA, "sbagliata123").await;
        problem(wrong, StatusCode::UNAUTHORIZED).await;
    }
}

/// Five wrong passwords for Anna from `http`, then her right one: the answer to that.
async fn after_five_wrong_passwords(server: &TestServer, http: &reqwest::Client) -> Response {
    five_wrong_passwords(server, http).await;
    server.try_login(http, "demo", ANNA, DEMO_PASSWORD).await
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
    logs_in(&server, &client_at(1, &home), ANNA, DEMO_PASSWORD).await;

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
        let tokens = logs_in(&server, &client_at(address, &home), ANNA, DEMO_PASSWORD).await;
        assert_eq!(tokens.user.fiscal_code, ANNA);
    }
    // Other accounts are not held by what happened to Anna's.
    server.login("demo", MARIO).await;

    // Locks are timed by the server's clock: fifteen minutes from its "now".
    let locks = "SELECT locked_until FROM login_throttle WHERE locked_until IS NOT NULL";
    let rows = server.query(locks).await;
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
            DbBackend::Postgres => "SELECT COUNT(*) AS n FROM outbox_messages WHERE recipient = $1",
            _ => "SELECT COUNT(*) AS n FROM outbox_messages WHERE recipient = ?",
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
    let newest = "SELECT recipient, subject, body FROM outbox_messages ORDER BY id DESC LIMIT 1";
    let rows = server.query(newest).await;
    let row = rows.first().expect("an e-mail in the outbox");
    let to: String = row.try_get("", "recipient").unwrap();
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

/// Sets a new password with the token of a reset link.
async fn confirm_reset(
    server: &TestServer,
    http: &Client,
    token: &str,
    password: &str,
) -> Response {
    let body = serde_json::json!({ "token": token, "new_password": password });
    let url = server.api(&paths::password_reset_confirm());
    http.post(url).json(&body).send().await.unwrap()
}

#[tokio::test]
async fn password_reset_by_codice_fiscale_with_a_one_time_token() {
    let server = TestServer::start().await;
    let http = client();
    let old_session = server.login("demo", MARIO).await;
    let ask = |fiscal_code: &'static str| server.ask_password_reset(&http, fiscal_code);
    assert_eq!(ask(MARIO).await.status(), StatusCode::ACCEPTED);
    // Unknown people get the same answer: the endpoint does not reveal who is registered.
    let unknown = ask("RSSMRA85T10A562S").await;
    assert_eq!(unknown.status(), StatusCode::ACCEPTED);
    problem(ask("RSSMRA85T10A562X").await, StatusCode::BAD_REQUEST).await;
    let token = outbox_reset_token(&server).await;

    let confirm = |password: &'static str| confirm_reset(&server, &http, &token, password);
    let weak = field_error(confirm("corta").await, "new_password").await;
    assert!(weak.contains("almeno 10 caratteri"), "{weak}");
    let done = confirm("NuovaPassword2026").await;
    assert_eq!(done.status(), StatusCode::NO_CONTENT);
    let reused = field_error(confirm("AltraPassword2026").await, "token").await;
    assert!(reused.contains("scaduto"), "{reused}");

    let old = server.try_login(&http, "demo", MARIO, DEMO_PASSWORD).await;
    problem(old, StatusCode::UNAUTHORIZED).await;
    logs_in(&server, &http, MARIO, "NuovaPassword2026").await;
    // Sessions opened before the reset are closed.
    refused(&server, &old_session.access_token).await;
}

#[tokio::test]
async fn a_password_reset_link_stops_working_after_its_hour() {
    let server = TestServer::start().await;
    let http = client();
    let new_password = "NuovaPassword2026";
    let reset = server.ask_password_reset(&http, MARIO).await;
    assert_eq!(reset.status(), StatusCode::ACCEPTED);
    let late = outbox_reset_token(&server).await;
    server.advance_clock(Duration::from_secs(61 * 60)).await;
    let expired = confirm_reset(&server, &http, &late, new_password).await;
    let expired = field_error(expired, "token").await;
    assert!(expired.contains("scaduto"), "{expired}");
    // The password did not change.
    server.login("demo", MARIO).await;

    // A new link still works 59 minutes after it was sent.
    let again = server.ask_password_reset(&http, MARIO).await;
    assert_eq!(again.status(), StatusCode::ACCEPTED);
    assert_eq!(
        settled_outbox_count(&server, "mario.albertini@example.it", 2).await,
        2
    );
    let in_time = outbox_reset_token(&server).await;
    server.advance_clock(Duration::from_secs(59 * 60)).await;
    let done = confirm_reset(&server, &http, &in_time, new_password).await;
    assert_eq!(done.status(), StatusCode::NO_CONTENT);
    logs_in(&server, &http, MARIO, new_password).await;
}

#[tokio::test]
async fn a_login_lock_out_ends_after_its_fifteen_minutes() {
    let server = TestServer::start().await;
    let http = client();
    let locked = after_five_wrong_passwords(&server, &http).await;
    assert_eq!(locked.status(), StatusCode::TOO_MANY_REQUESTS);
    // Fourteen minutes later: still held, with about a minute to wait.
    server.advance_clock(Duration::from_secs(14 * 60)).await;
    let still = server.try_login(&http, "demo", ANNA, DEMO_PASSWORD).await;
    let wait = retry_after(&still);
    assert!((50..=60).contains(&wait), "Retry-After {wait}");
    problem(still, StatusCode::TOO_MANY_REQUESTS).await;
    // Past the fifteen minutes, the right password logs in.
    server.advance_clock(Duration::from_secs(61)).await;
    let tokens = logs_in(&server, &http, ANNA, DEMO_PASSWORD).await;
    assert_eq!(tokens.user.fiscal_code, ANNA);
}

#[tokio::test]
async fn access_tokens_and_sessions_expire_by_the_server_clock() {
    let server = TestServer::start().await;
    let http = client();
    let refresh = |token: String| {
        let (server, http) = (&server, &http);
        async move {
            let res = server.refresh(http, Some(&token)).await;
            json::<TokenResponse>(res, StatusCode::OK).await
        }
    };
    let first = server.login("demo", MARIO).await;
    // Access tokens live 15 minutes (and a few seconds of leeway) on the server's clock.
    server.advance_clock(Duration::from_secs(14 * 60)).await;
    accepted(&server, &first.access_token).await;
    server.advance_clock(Duration::from_secs(2 * 60)).await;
    let expired = refused(&server, &first.access_token).await.detail;
    assert!(expired.contains("scaduta"), "{expired}");
    // The session goes on with its refresh token, for 30 days from the last use.
    let second = refresh(first.refresh_token).await;
    accepted(&server, &second.access_token).await;
    server.advance_clock(Duration::from_secs(29 * 86_400)).await;
    let third = refresh(second.refresh_token).await;
    server.advance_clock(Duration::from_secs(31 * 86_400)).await;
    let ended = server.refresh(&http, Some(&third.refresh_token)).await;
    let ended = problem(ended, StatusCode::UNAUTHORIZED).await.detail;
    assert!(ended.contains("scaduta"), "{ended}");
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
