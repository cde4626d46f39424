//! The canteen's day: roster and attendance on the tablet, kitchen counts, and the daily
//! meal charging — with the server's clock at Tuesday 24/11/2026, 11:00 in Rome.

use e2e::{client, json, problem, TestServer, ANNA, GIULIA_OPERATOR, MARIO, PAOLO_CANTEEN};
use reqwest::StatusCode;
use sportello_model::bookings::{AttendanceRow, ChargeReport, KitchenCount};
use sportello_model::children::ChildDetail;
use sportello_model::paths;
use sportello_model::payments::{PaymentService, Statement};

async fn server(job: bool) -> TestServer {
    TestServer::start_with(&[
        ("SPORTELLO_FAKE_NOW", "2026-11-24T10:00:00Z"),
        ("SPORTELLO_CHARGE_JOB", if job { "true" } else { "false" }),
    ])
    .await
}

async fn refezione(server: &TestServer, token: &str) -> i64 {
    let services: Vec<PaymentService> = json(
        server.get(token, &paths::payment_services()).await,
        StatusCode::OK,
    )
    .await;
    services
        .iter()
        .find(|s| s.service_name == "Refezione Scolastica")
        .unwrap()
        .service_id
}

async fn roster(server: &TestServer, token: &str, service: i64, day: &str) -> Vec<AttendanceRow> {
    json(
        server
            .get(
                token,
                &format!("{}?service_id={service}&day={day}", paths::roster()),
            )
            .await,
        StatusCode::OK,
    )
    .await
}

fn mark(
    server: &TestServer,
    token: &str,
    child: i64,
    service: i64,
    day: &str,
    present: bool,
) -> reqwest::RequestBuilder {
    client()
        .put(server.api(&paths::attendance(child)))
        .bearer_auth(token)
        .json(&serde_json::json!({ "service_id": service, "day": day, "present": present }))
}

fn charge(server: &TestServer, token: &str, service: i64, day: &str) -> reqwest::RequestBuilder {
    client()
        .post(server.api(&paths::charges()))
        .bearer_auth(token)
        .json(&serde_json::json!({ "service_id": service, "day": day }))
}

async fn balance(server: &TestServer, token: &str, service: i64) -> String {
    let s: Statement = json(
        server.get(token, &paths::statement(service)).await,
        StatusCode::OK,
    )
    .await;
    s.account.balance.to_string()
}

#[tokio::test]
async fn staff_see_who_is_expected_and_their_record_overrides_the_booking() {
    let server = server(false).await;
    let mario = server.login("demo", MARIO).await;
    let paolo = server.login("demo", PAOLO_CANTEEN).await;
    let service = refezione(&server, &mario.access_token).await;
    let rows = roster(&server, &paolo.access_token, service, "2026-11-24").await;
    let names: Vec<_> = rows
        .iter()
        .map(|r| (r.class_name.as_str(), r.child_name.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            ("2a", "Sofia Albertini"),
            ("4b", "Luca Colombo"),
            ("5a", "Greta Albertini")
        ]
    );
    let sofia = rows[0].child_id;
    assert_eq!(rows[0].meal_type, "DIETA SANITARIA");
    assert!(rows.iter().all(|r| r.present && !r.recorded));

    // The family cancels today's meal before 15:00 …
    let cancelled = client()
        .put(server.api(&paths::booking_day(sofia, "2026-11-24")))
        .bearer_auth(&mario.access_token)
        .json(&serde_json::json!({ "service_id": service, "choice": "absent" }))
        .send()
        .await
        .unwrap();
    assert_eq!(cancelled.status(), StatusCode::OK);
    let rows = roster(&server, &paolo.access_token, service, "2026-11-24").await;
    assert!(!rows[0].present);
    let counts: Vec<KitchenCount> = json(
        server
            .get(
                &paolo.access_token,
                &format!(
                    "{}?service_id={service}&day=2026-11-24",
                    paths::kitchen_counts()
                ),
            )
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(counts.iter().map(|c| c.meals).sum::<u64>(), 2);

    // … but Sofia shows up: staff mark her present, and that is what counts.
    let marked: AttendanceRow = json(
        mark(
            &server,
            &paolo.access_token,
            sofia,
            service,
            "2026-11-24",
            true,
        )
        .send()
        .await
        .unwrap(),
        StatusCode::OK,
    )
    .await;
    assert!(marked.present && marked.recorded);
    let csv = server
        .get(
            &paolo.access_token,
            &format!(
                "{}?service_id={service}&day=2026-11-24&format=csv",
                paths::kitchen_counts()
            ),
        )
        .await;
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    let csv = csv.text().await.unwrap();
    assert!(
        csv.starts_with("Scuola;Classe;Tipologia pasto;Pasti"),
        "{csv}"
    );
    assert!(
        csv.contains("Scuola Primaria Pascoli;2a;DIETA SANITARIA;1"),
        "{csv}"
    );
    assert!(
        csv.contains("Scuola Primaria Pascoli;5a;PASTO BASE;1"),
        "{csv}"
    );

    // Families cannot see the roster (staff recording tomorrow: see the next journey).
    problem(
        server
            .get(
                &mario.access_token,
                &format!("{}?service_id={service}&day=2026-11-24", paths::roster()),
            )
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let sunday = problem(
        server
            .get(
                &paolo.access_token,
                &format!("{}?service_id={service}&day=2026-11-22", paths::roster()),
            )
            .await,
        StatusCode::CONFLICT,
    )
    .await;
    assert!(sunday.detail.contains("non è attivo"));
}

/// Every refusal names its reason in `detail` (what the SPA shows, even where no field of
/// the screen matches) under a title a parent understands.
#[tokio::test]
async fn refusals_say_the_reason_under_a_plain_italian_title() {
    let server = server(false).await;
    let mario = server.login("demo", MARIO).await;
    let paolo = server.login("demo", PAOLO_CANTEEN).await;
    let service = refezione(&server, &mario.access_token).await;
    let sofia = roster(&server, &paolo.access_token, service, "2026-11-24").await[0].child_id;

    let tomorrow = problem(
        mark(
            &server,
            &paolo.access_token,
            sofia,
            service,
            "2026-11-25",
            true,
        )
        .send()
        .await
        .unwrap(),
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(tomorrow.title, "Dati da correggere");
    assert_eq!(
        tomorrow.detail,
        "La presenza si registra il giorno stesso, non in anticipo."
    );
    assert_eq!(
        tomorrow.field_message("day"),
        Some(tomorrow.detail.as_str())
    );

    let sunday = problem(
        server
            .get(
                &paolo.access_token,
                &format!("{}?service_id={service}&day=2026-11-22", paths::roster()),
            )
            .await,
        StatusCode::CONFLICT,
    )
    .await;
    assert_eq!(sunday.title, "Operazione non possibile");
    let forbidden = problem(
        server
            .get(
                &mario.access_token,
                &format!("{}?service_id={service}&day=2026-11-24", paths::roster()),
            )
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_eq!(forbidden.title, "Operazione non consentita");
    let not_found = problem(
        server
            .get(&mario.access_token, &paths::child("999999"))
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(not_found.title, "Non trovato");
}

#[tokio::test]
async fn a_closed_day_is_charged_once_at_the_enrolment_meal_price() {
    let server = server(false).await;
    let anna = server.login("demo", ANNA).await;
    let giulia = server.login("demo", GIULIA_OPERATOR).await;
    let paolo = server.login("demo", PAOLO_CANTEEN).await;
    let service = refezione(&server, &anna.access_token).await;
    let before = balance(&server, &anna.access_token, service).await;
    assert_eq!(before, "0.00");

    let not_over = problem(
        charge(&server, &giulia.access_token, service, "2026-11-24")
            .send()
            .await
            .unwrap(),
        StatusCode::CONFLICT,
    )
    .await;
    assert!(
        not_over.detail.contains("non è ancora concluso"),
        "{}",
        not_over.detail
    );
    problem(
        charge(&server, &paolo.access_token, service, "2026-11-23")
            .send()
            .await
            .unwrap(),
        StatusCode::FORBIDDEN,
    )
    .await;

    let first: ChargeReport = json(
        charge(&server, &giulia.access_token, service, "2026-11-23")
            .send()
            .await
            .unwrap(),
        StatusCode::OK,
    )
    .await;
    assert_eq!(first.charged + first.already_charged, 3, "{first:?}");
    assert_eq!(first.absent, 0);
    // Luca's enrolment has a 4,20 € meal.
    assert_eq!(balance(&server, &anna.access_token, service).await, "-4.20");
    let again: ChargeReport = json(
        charge(&server, &giulia.access_token, service, "2026-11-23")
            .send()
            .await
            .unwrap(),
        StatusCode::OK,
    )
    .await;
    assert_eq!((again.charged, again.already_charged), (0, 3));
    assert_eq!(balance(&server, &anna.access_token, service).await, "-4.20");

    // Two runs at once (two replicas) on another day charge once too.
    let luca = {
        let rows = roster(&server, &paolo.access_token, service, "2026-11-20").await;
        rows.iter()
            .find(|r| r.child_name == "Luca Colombo")
            .unwrap()
            .child_id
    };
    let detail: ChildDetail = json(
        server.get(&anna.access_token, &paths::child(luca)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(detail.enrolments[0].meal_price.to_string(), "4.20");
    let (a, b) = tokio::join!(
        charge(&server, &giulia.access_token, service, "2026-11-20").send(),
        charge(&server, &giulia.access_token, service, "2026-11-20").send()
    );
    let a: ChargeReport = json(a.unwrap(), StatusCode::OK).await;
    let b: ChargeReport = json(b.unwrap(), StatusCode::OK).await;
    assert_eq!(
        a.charged + b.charged + a.already_charged.min(b.already_charged),
        3,
        "{a:?} {b:?}"
    );
    assert_eq!(balance(&server, &anna.access_token, service).await, "-8.40");

    // Staff recorded Luca absent on 19/11: he is not charged.
    json::<AttendanceRow>(
        mark(
            &server,
            &paolo.access_token,
            luca,
            service,
            "2026-11-19",
            false,
        )
        .send()
        .await
        .unwrap(),
        StatusCode::OK,
    )
    .await;
    let with_absence: ChargeReport = json(
        charge(&server, &giulia.access_token, service, "2026-11-19")
            .send()
            .await
            .unwrap(),
        StatusCode::OK,
    )
    .await;
    assert_eq!(with_absence.absent, 1);
    assert_eq!(balance(&server, &anna.access_token, service).await, "-8.40");
    let statement: Statement = json(
        server
            .get(&anna.access_token, &paths::statement(service))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(statement.movements.total, 2);
    assert_eq!(
        statement.movements.items[0].child_name.as_deref(),
        Some("Luca Colombo")
    );
    let descriptions: Vec<_> = statement
        .movements
        .items
        .iter()
        .map(|m| m.description.as_str())
        .collect();
    assert_eq!(
        descriptions,
        [
            "Pasto del 23/11/2026 - Luca Colombo",
            "Pasto del 20/11/2026 - Luca Colombo"
        ],
        "newest school day first, whatever the order of charging"
    );
}

#[tokio::test]
async fn the_server_charges_closed_days_on_its_own() {
    let server = server(true).await;
    let anna = server.login("demo", ANNA).await;
    let service = refezione(&server, &anna.access_token).await;
    // The job runs at start-up: Monday 23/11 and the school days of the week before.
    let mut seen = String::new();
    for _ in 0..50 {
        seen = balance(&server, &anna.access_token, service).await;
        if seen == "-21.00" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert_eq!(
        seen, "-21.00",
        "five school days (17–20/11 and 23/11) of 4,20 €"
    );
}
