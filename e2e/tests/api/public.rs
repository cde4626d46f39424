//! Public endpoints, API conventions and start-up configuration.

use e2e::payments::NODE_SUBJECT;
use e2e::{client, field_error, problem, value, TestServer};
use reqwest::StatusCode;
use sportello_model::content::{DocumentItem, NewsItem};
use sportello_model::entes::{CutoffRule, EnteDetail, EnteSummary, ServiceKind};
use sportello_model::{paths, Page};

#[tokio::test]
async fn health_and_the_list_of_comuni_are_public() {
    let server = TestServer::start().await;
    let health = server.public(&paths::health()).await;
    assert!(health.headers().contains_key("x-request-id"));
    assert_eq!(value(health, StatusCode::OK).await["status"], "ok");

    let entes: Page<EnteSummary> = server.public_ok(&paths::entes()).await;
    let names: Vec<_> = entes.items.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["Comune di Demo", "Comune di Esempio"]);
    assert_eq!(entes.total, 2);

    // Paged like every list: the second page of one comune is the next by name.
    let second: Page<EnteSummary> = server
        .public_ok(&format!("{}?page=2&per_page=1", paths::entes()))
        .await;
    let names: Vec<_> = second.items.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["Comune di Esempio"]);
    assert_eq!((second.page, second.total_pages()), (2, 2));
}

#[tokio::test]
async fn ente_detail_carries_its_rules_and_login_methods() {
    let server = TestServer::start().await;
    let esempio: EnteDetail = server.public_ok(&paths::ente("esempio")).await;
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

    let demo: EnteDetail = server.public_ok(&paths::ente("demo")).await;
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

    let nessuno = server.public(&paths::ente("nessuno")).await;
    problem(nessuno, StatusCode::NOT_FOUND).await;
}

#[tokio::test]
async fn news_and_documents_are_readable_without_login_and_paginated() {
    let server = TestServer::start().await;
    let news = paths::news("demo");
    let page1: Page<NewsItem> = server.public_ok(&format!("{news}?per_page=2")).await;
    assert_eq!((page1.total, page1.items.len()), (3, 2));
    assert_eq!(
        page1.items[0].title, "Iscrizioni al trasporto scolastico",
        "newest first"
    );
    let page2: Page<NewsItem> = server.public_ok(&format!("{news}?per_page=2&page=2")).await;
    assert_eq!(page2.items.len(), 1);

    let bad = server.public(&format!("{news}?per_page=0")).await;
    let bad = field_error(bad, "per_page").await;
    assert!(bad.contains("tra 1 e 100"), "{bad}");
    let bad = server.public(&format!("{news}?page=abc")).await;
    problem(bad, StatusCode::BAD_REQUEST).await;

    let docs: Page<DocumentItem> = server.public_ok(&paths::documents("demo")).await;
    assert_eq!(docs.total, 2);
    let menu = &docs.items[0];
    assert_eq!(menu.title, "Menù scolastico autunno-inverno 2026/2027");
    let file = server.page(&menu.url).await;
    assert_eq!(file.status(), StatusCode::OK);
    assert_eq!(file.headers()["content-type"], "application/pdf");
    let bytes = file.bytes().await.unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    assert_eq!(bytes.len() as i64, menu.size_bytes);
}

#[tokio::test]
async fn content_of_another_comune_is_not_found_through_this_one() {
    let server = TestServer::start().await;
    let theirs: Page<NewsItem> = server.public_ok(&paths::news("esempio")).await;
    let news = server
        .public(&paths::news_item("demo", theirs.items[0].id))
        .await;
    problem(news, StatusCode::NOT_FOUND).await;
    let docs: Page<DocumentItem> = server.public_ok(&paths::documents("esempio")).await;
    let file = server
        .public(&paths::document_file("demo", docs.items[0].id))
        .await;
    problem(file, StatusCode::NOT_FOUND).await;
}

#[tokio::test]
async fn unknown_routes_and_malformed_input_answer_problem_json() {
    let server = TestServer::start().await;
    let http = client();
    problem(server.public("/non-esiste").await, StatusCode::NOT_FOUND).await;
    let forged = server.get("x", &paths::child("abc")).await;
    problem(forged, StatusCode::UNAUTHORIZED).await;
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
    let spec = value(server.page("/api/openapi.json").await, StatusCode::OK).await;
    assert!(spec["openapi"].as_str().unwrap().starts_with("3.1"));
    assert!(spec["paths"]["/children/{id}"]["get"].is_object());
    assert!(spec["components"]["securitySchemes"]["bearer"].is_object());
    let docs = server.page("/api/docs").await;
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
    for path in [
        "/pagopa-sim/sportello".to_string(),
        "/dev-idp/.well-known/openid-federation".into(),
        "/dev-idp/ta/.well-known/openid-federation".into(),
        // Without federation keys and trust anchor, no statement is published either.
        paths::absolute(&paths::federation_configuration()),
        paths::absolute(&paths::comune_federation_configuration("demo")),
    ] {
        let res = server.page(&path).await;
        assert_ne!(res.status(), StatusCode::OK, "{path}");
        let body = res.text().await.unwrap();
        assert!(!body.contains("Sportello pagoPA"), "{path}: {body}");
    }
    let ente: EnteDetail = server.public_ok(&paths::ente("demo")).await;
    assert!(
        ente.login_providers.is_empty(),
        "no SPID/CIE until configured"
    );
    // Without a pagoPA connection no notice can be made, and the family is told why.
    let (mario, service) = server.canteen_family(e2e::MARIO).await;
    let amount = serde_json::json!({ "amount": "10" });
    let refused = mario.post(&paths::service_notices(service), &amount).await;
    let refused = problem(refused, StatusCode::CONFLICT).await.detail;
    assert!(refused.contains("non sono ancora attivi"), "{refused}");
    // The pagoPA station is off without a configured one.
    let receipt = server
        .post_to_station(Some(NODE_SUBJECT), "paSendRTV2", String::new())
        .await;
    problem(receipt, StatusCode::NOT_FOUND).await;
}
