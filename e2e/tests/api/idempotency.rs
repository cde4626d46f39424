//! `Idempotency-Key`: a POST sent again with the same key gets the first answer and is
//! not done twice, also when both arrive at once; the same key with another body is 422;
//! keys are each caller's own; a refusal for lack of login is not kept, so the retry
//! with a login runs.

use e2e::{problem, TestServer, User, ANNA, MARIO};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sportello_model::paths;
use sportello_model::payments::Notice;
use sportello_model::Page;

/// A recharge notice of `amount` for the canteen account, with `key`.
async fn notice(
    server: &TestServer,
    family: &User<'_>,
    service: i64,
    amount: &str,
    key: &str,
) -> reqwest::Response {
    e2e::client()
        .post(server.api(&paths::service_notices(service)))
        .bearer_auth(family.token())
        .header("Idempotency-Key", key)
        .json(&json!({ "amount": amount }))
        .send()
        .await
        .expect("request")
}

/// The family's open notices of the service.
async fn notices(family: &User<'_>, service: i64) -> Vec<Notice> {
    let path = format!("{}?per_page=100", paths::service_notices(service));
    let page: Page<Notice> = family.get_ok(&path).await;
    page.items
}

#[tokio::test]
async fn a_post_sent_again_with_its_key_is_done_once_and_answered_the_same() {
    let server = TestServer::start().await;
    let (anna, service) = server.canteen_family(ANNA).await;
    let before = notices(&anna, service).await.len();

    let first = notice(&server, &anna, service, "30", "ricarica-0001").await;
    assert_eq!(first.status(), StatusCode::CREATED);
    assert!(first.headers().get("idempotent-replayed").is_none());
    let first: Value = first.json().await.unwrap();
    let again = notice(&server, &anna, service, "30", "ricarica-0001").await;
    assert_eq!(again.status(), StatusCode::CREATED);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(again.json::<Value>().await.unwrap(), first);
    assert_eq!(
        notices(&anna, service).await.len(),
        before + 1,
        "one notice"
    );

    // The same key with another amount: refused, nothing made.
    let other = problem(
        notice(&server, &anna, service, "40", "ricarica-0001").await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(other.detail.contains("Idempotency-Key"), "{}", other.detail);
    // Another key is another request.
    assert_eq!(
        notice(&server, &anna, service, "30", "ricarica-0002")
            .await
            .status(),
        StatusCode::CREATED
    );
    assert_eq!(notices(&anna, service).await.len(), before + 2);

    // Two at once with one key: one notice, and no answer is a failure of ours.
    let (a, b) = tokio::join!(
        notice(&server, &anna, service, "25", "ricarica-0003"),
        notice(&server, &anna, service, "25", "ricarica-0003"),
    );
    let mut statuses = [a.status(), b.status()];
    statuses.sort();
    assert!(
        statuses == [StatusCode::CREATED, StatusCode::CREATED]
            || statuses == [StatusCode::CREATED, StatusCode::CONFLICT],
        "{statuses:?}"
    );
    assert_eq!(notices(&anna, service).await.len(), before + 3);
}

#[tokio::test]
async fn keys_are_each_callers_own_and_a_refusal_without_login_is_not_kept() {
    let server = TestServer::start().await;
    let (anna, service) = server.canteen_family(ANNA).await;
    let mario = server.user("demo", MARIO).await;
    let mario_service = mario.refezione().await.service_id;

    // Without a login: 401, and the key is not taken by it.
    let anonymous = e2e::client()
        .post(server.api(&paths::service_notices(service)))
        .header("Idempotency-Key", "chiave-comune")
        .json(&json!({ "amount": "30" }))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        notice(&server, &anna, service, "30", "chiave-comune")
            .await
            .status(),
        StatusCode::CREATED
    );
    // Mario's request with the same key is his own.
    let marios = notice(&server, &mario, mario_service, "15", "chiave-comune").await;
    assert_eq!(marios.status(), StatusCode::CREATED);
    assert!(marios.headers().get("idempotent-replayed").is_none());

    // A refused body is answered the same again.
    let bad = notice(&server, &anna, service, "dieci", "chiave-errata").await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    let bad_again = notice(&server, &anna, service, "dieci", "chiave-errata").await;
    assert_eq!(bad_again.headers()["idempotent-replayed"], "true");
    problem(bad_again, StatusCode::BAD_REQUEST).await;

    // A key that is too long is refused as such.
    problem(
        notice(&server, &anna, service, "30", &"k".repeat(256)).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
}
