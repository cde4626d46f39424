//! Public endpoints, API conventions and start-up configuration.

use e2e::{client, json, problem, value, TestServer};
use reqwest::StatusCode;
use sportello_model::content::{DocumentItem, NewsItem};
use sportello_model::entes::{CutoffRule, EnteDetail, EnteSummary, ServiceKind};
use sportello_model::{paths, Page};

#[tokio::test]
async fn health_and_the_list_of_comuni_are_public() {
    let server = TestServer::start().await;
    let http = client();
    let health = http.get(server.api(&paths::health())).send().await.unwrap();
    assert!(health.headers().contains_key("x-request-id"));
    assert_eq!(value(health, StatusCode::OK).await["status"], "ok");

    let entes: Page<EnteSummary> = json(
        http.get(server.api(&paths::entes())).send().await.unwrap(),
        StatusCode::OK,
    )
    .await;
    let names: Vec<_> = entes.items.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["Comune di Demo", "Comune di Esempio"]);
    assert_eq!(entes.total, 2);
}

#[tokio::test]
async fn ente_detail_carries_its_rules_and_login_methods() {
    let server = TestServer::start().await;
    let http = client();
    let esempio: EnteDetail = json(
        http.get(server.api(&paths::ente("esempio")))
            .send()
            .await
            .unwrap(),
        StatusCode::OK,
    )
    .await;
    assert!(
        !esempio.password_login_enabled,
        "Mozzecane-like: SPID/CIE only"
    );
    assert_eq!(esempio.settings.booking_cutoff_time, "09:30");
    assert_eq!(esempio.settings.booking_cutoff_rule, CutoffRule::SameDay);
    assert_eq!(esempio.settings.bookable_weekdays, vec![2, 3, 4, 5]);
    assert_eq!(
        esempio.settings.recharge.step.map(|s| s.to_string()),
        Some("5.40".to_string())
    );
    let providers: Vec<_> = esempio
        .login_providers
        .iter()
        .map(|p| p.label.as_str())
        .collect();
    assert_eq!(providers, ["SPID", "CIE"]);

    let demo: EnteDetail = json(
        http.get(server.api(&paths::ente("demo")))
            .send()
            .await
            .unwrap(),
        StatusCode::OK,
    )
    .await;
    assert!(demo.password_login_enabled);
    let services: Vec<_> = demo
        .services
        .iter()
        .map(|s| (s.name.as_str(), s.kind))
        .collect();
    assert_eq!(
        services,
        [
            ("Refezione Scolastica", ServiceKind::Prepaid),
            ("Trasporto Scolastico", ServiceKind::Emissions)
        ]
    );

    problem(
        http.get(server.api(&paths::ente("nessuno")))
            .send()
            .await
            .unwrap(),
        StatusCode::NOT_FOUND,
    )
    .await;
}

#[tokio::test]
async fn news_and_documents_are_readable_without_login_and_paginated() {
    let server = TestServer::start().await;
    let http = client();
    let page1: Page<NewsItem> = json(
        http.get(server.api(&format!("{}?per_page=2", paths::news("demo"))))
            .send()
            .await
            .unwrap(),
        StatusCode::OK,
    )
    .await;
    assert_eq!((page1.total, page1.items.len()), (3, 2));
    assert_eq!(
        page1.items[0].title, "Iscrizioni al trasporto scolastico",
        "newest first"
    );
    let page2: Page<NewsItem> = json(
        http.get(server.api(&format!("{}?per_page=2&page=2", paths::news("demo"))))
            .send()
            .await
            .unwrap(),
        StatusCode::OK,
    )
    .await;
    assert_eq!(page2.items.len(), 1);

    let bad = problem(
        http.get(server.api(&format!("{}?per_page=0", paths::news("demo"))))
            .send()
            .await
            .unwrap(),
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(bad
        .field_message("per_page")
        .unwrap()
        .contains("tra 1 e 100"));
    problem(
        http.get(server.api(&format!("{}?page=abc", paths::news("demo"))))
            .send()
            .await
            .unwrap(),
        StatusCode::BAD_REQUEST,
    )
    .await;

    let docs: Page<DocumentItem> = json(
        http.get(server.api(&paths::documents("demo")))
            .send()
            .await
            .unwrap(),
        StatusCode::OK,
    )
    .await;
    assert_eq!(docs.total, 2);
    let menu = &docs.items[0];
    assert_eq!(menu.title, "Menù scolastico autunno-inverno 2026/2027");
    let file = http
        .get(format!("{}{}", server.url, menu.url))
        .send()
        .await
        .unwrap();
    assert_eq!(file.status(), StatusCode::OK);
    assert_eq!(file.headers()["content-type"], "application/pdf");
    let bytes = file.bytes().await.unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    assert_eq!(bytes.len() as i64, menu.size_bytes);
}

#[tokio::test]
async fn content_of_another_comune_is_not_found_through_this_one() {
    let server = TestServer::start().await;
    let http = client();
    let theirs: Page<NewsItem> = json(
        http.get(server.api(&paths::news("esempio")))
            .send()
            .await
            .unwrap(),
        StatusCode::OK,
    )
    .await;
    let id = theirs.items[0].id;
    problem(
        http.get(server.api(&paths::news_item("demo", id)))
            .send()
            .await
            .unwrap(),
        StatusCode::NOT_FOUND,
    )
    .await;
    let docs: Page<DocumentItem> = json(
        http.get(server.api(&paths::documents("esempio")))
            .send()
            .await
            .unwrap(),
        StatusCode::OK,
    )
    .await;
    let id = docs.items[0].id;
    problem(
        http.get(server.api(&paths::document_file("demo", id)))
            .send()
            .await
            .unwrap(),
        StatusCode::NOT_FOUND,
    )
    .await;
}

#[tokio::test]
async fn unknown_routes_and_malformed_input_answer_problem_json() {
    let server = TestServer::start().await;
    let http = client();
    problem(
        http.get(server.api("/non-esiste")).send().await.unwrap(),
        StatusCode::NOT_FOUND,
    )
    .await;
    problem(
        http.get(server.api(&paths::child("abc")))
            .bearer_auth("x")
            .send()
            .await
            .unwrap(),
        StatusCode::UNAUTHORIZED,
    )
    .await;
    let malformed = http
        .post(server.api(&paths::login("demo")))
        .header("content-type", "application/json")
        .body("{\"fiscal_code\": ")
        .send()
        .await
        .unwrap();
    let p = problem(malformed, StatusCode::BAD_REQUEST).await;
    assert!(p.detail.contains("JSON"), "{}", p.detail);
    let wrong_type = http
        .post(server.api(&paths::login("demo")))
        .json(&serde_json::json!({ "fiscal_code": 12 }))
        .send()
        .await
        .unwrap();
    problem(wrong_type, StatusCode::BAD_REQUEST).await;
}

#[tokio::test]
async fn openapi_document_and_offline_docs_page_are_served() {
    let server = TestServer::start().await;
    let http = client();
    let spec = value(
        http.get(format!("{}/api/openapi.json", server.url))
            .send()
            .await
            .unwrap(),
        StatusCode::OK,
    )
    .await;
    assert!(spec["openapi"].as_str().unwrap().starts_with("3.1"));
    assert!(spec["paths"]["/children/{id}"]["get"].is_object());
    assert!(spec["components"]["securitySchemes"]["bearer"].is_object());
    let docs = http
        .get(format!("{}/api/docs", server.url))
        .send()
        .await
        .unwrap();
    assert_eq!(docs.status(), StatusCode::OK);
    let html = docs.text().await.unwrap();
    assert!(html.contains("/swagger-ui/swagger-ui-bundle.js"));
    assert!(
        !html.contains("https://"),
        "no CDN: everything is served locally"
    );
}

#[test]
fn production_refuses_to_start_without_a_real_jwt_secret() {
    for secret in [None, Some("short")] {
        let mut command = std::process::Command::new(e2e::server_binary());
        command
            .env_clear()
            .env("SPORTELLO_ENV", "production")
            .env("DATABASE_URL", "sqlite::memory:")
            .env("SPORTELLO_BIND", "127.0.0.1:0");
        if let Some(secret) = secret {
            command.env("JWT_SECRET", secret);
        }
        let output = command.output().expect("run the binary");
        assert!(!output.status.success(), "must refuse to start");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("JWT_SECRET"), "{stderr}");
        assert!(stderr.contains("almeno 32 caratteri"), "{stderr}");
    }
}

#[tokio::test]
async fn production_serves_neither_the_pagopa_simulator_nor_the_development_provider() {
    let server = TestServer::start_with(&[
        ("SPORTELLO_ENV", "production"),
        ("SPORTELLO_SECURE_COOKIES", "false"),
    ])
    .await;
    let http = client();
    for path in [
        "/pagopa-sim/sportello".to_string(),
        "/dev-idp/.well-known/openid-federation".into(),
        "/dev-idp/ta/.well-known/openid-federation".into(),
        // Without federation keys and trust anchor, no statement is published either.
        paths::absolute(&paths::federation_configuration()),
        paths::absolute(&paths::comune_federation_configuration("demo")),
    ] {
        let res = http
            .get(format!("{}{path}", server.url))
            .send()
            .await
            .unwrap();
        assert_ne!(res.status(), StatusCode::OK, "{path}");
        let body = res.text().await.unwrap();
        assert!(!body.contains("Sportello pagoPA"), "{path}: {body}");
    }
    let ente: EnteDetail = json(
        http.get(server.api(&paths::ente("demo")))
            .send()
            .await
            .unwrap(),
        StatusCode::OK,
    )
    .await;
    assert!(
        ente.login_providers.is_empty(),
        "no SPID/CIE until configured"
    );
    // Without a pagoPA connection no notice can be made, and the family is told why.
    let mario = server.login("demo", e2e::MARIO).await;
    let services: Vec<sportello_model::payments::PaymentService> = json(
        server
            .get(&mario.access_token, &paths::payment_services())
            .await,
        StatusCode::OK,
    )
    .await;
    let refused = problem(
        http.post(server.api(&paths::service_notices(services[0].service_id)))
            .bearer_auth(&mario.access_token)
            .json(&serde_json::json!({ "amount": "10" }))
            .send()
            .await
            .unwrap(),
        StatusCode::CONFLICT,
    )
    .await;
    assert!(refused.detail.contains("non sono ancora attivi"));
    // The receipt callback is off without a configured key.
    problem(
        http.post(server.api(&paths::receipt_callback()))
            .header("X-Callback-Key", "sportello-dev-callback-key")
            .body("{}")
            .send()
            .await
            .unwrap(),
        StatusCode::NOT_FOUND,
    )
    .await;
}
