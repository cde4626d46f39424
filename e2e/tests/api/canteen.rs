//! The canteen's day: roster and attendance on the tablet, kitchen counts, and the daily
//! meal charging — with the server's clock at Tuesday 24/11/2026, 11:00 in Rome.

use e2e::{json, problem, TestServer, User, ANNA, GIULIA_OPERATOR, MARIO, PAOLO_CANTEEN};
use reqwest::{Response, StatusCode};
use sportello_model::bookings::{AttendanceRow, BookingResult, ChargeReport, KitchenCount};
use sportello_model::children::ChildDetail;
use sportello_model::paths;
use sportello_model::payments::Statement;

async fn server(job: bool) -> TestServer {
    TestServer::start_with(&[
        ("SPORTELLO_FAKE_NOW", "2026-11-24T10:00:00Z"),
        ("SPORTELLO_CHARGE_JOB", if job { "true" } else { "false" }),
    ])
    .await
}

/// The roster of a day's service, as staff read it.
fn roster_path(service: i64, day: &str) -> String {
    format!("{}?service_id={service}&day={day}", paths::roster())
}

async fn roster(staff: &User<'_>, service: i64, day: &str) -> Vec<AttendanceRow> {
    staff.get_ok(&roster_path(service, day)).await
}

/// Records a child present or absent on a day.
async fn mark(staff: &User<'_>, child: i64, service: i64, day: &str, present: bool) -> Response {
    let body = serde_json::json!({ "service_id": service, "day": day, "present": present });
    staff.put(&paths::attendance(child), &body).await
}

/// Charges the meals of a day.
async fn charge(office: &User<'_>, service: i64, day: &str) -> Response {
    let body = serde_json::json!({ "service_id": service, "day": day });
    office.post(&paths::charges(), &body).await
}

#[tokio::test]
async fn staff_see_who_is_expected_and_their_record_overrides_the_booking() {
    let server = server(false).await;
    let (mario, service) = server.canteen_family(MARIO).await;
    let paolo = server.user("demo", PAOLO_CANTEEN).await;
    let rows = roster(&paolo, service, "2026-11-24").await;
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
    let absent = serde_json::json!({ "service_id": service, "choice": "absent" });
    let cancelled = mario
        .put(&paths::booking_day(sofia, "2026-11-24"), &absent)
        .await;
    json::<BookingResult>(cancelled, StatusCode::OK).await;
    let rows = roster(&paolo, service, "2026-11-24").await;
    assert!(!rows[0].present);
    let kitchen = format!(
        "{}?service_id={service}&day=2026-11-24",
        paths::kitchen_counts()
    );
    let counts: Vec<KitchenCount> = paolo.get_ok(&kitchen).await;
    assert_eq!(counts.iter().map(|c| c.meals).sum::<u64>(), 2);

    // … but Sofia shows up: staff mark her present, and that is what counts.
    let marked = mark(&paolo, sofia, service, "2026-11-24", true).await;
    let marked: AttendanceRow = json(marked, StatusCode::OK).await;
    assert!(marked.present && marked.recorded);
    let csv = paolo.get(&format!("{kitchen}&format=csv")).await;
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    let csv = csv.text().await.unwrap();
    assert!(
        csv.starts_with("Scuola;Classe;Tipologia pasto;Pasti"),
        "{csv}"
    );
    for line in [
        "Scuola Primaria Pascoli;2a;DIETA SANITARIA;1",
        "Scuola Primaria Pascoli;5a;PASTO BASE;1",
    ] {
        assert!(csv.contains(line), "{line} not in {csv}");
    }

    // Families cannot see the roster (staff recording tomorrow: see the next journey).
    let theirs = mario.get(&roster_path(service, "2026-11-24")).await;
    problem(theirs, StatusCode::FORBIDDEN).await;
    let sunday = paolo.get(&roster_path(service, "2026-11-22")).await;
    let sunday = problem(sunday, StatusCode::CONFLICT).await.detail;
    assert!(sunday.contains("non è attivo"), "{sunday}");
}

/// Every refusal names its reason in `detail` (what the SPA shows, even where no field of
/// the screen matches) under a title a parent understands.
#[tokio::test]
async fn refusals_say_the_reason_under_a_plain_italian_title() {
    let server = server(false).await;
    let (mario, service) = server.canteen_family(MARIO).await;
    let paolo = server.user("demo", PAOLO_CANTEEN).await;
    let sofia = roster(&paolo, service, "2026-11-24").await[0].child_id;

    let tomorrow = mark(&paolo, sofia, service, "2026-11-25", true).await;
    let tomorrow = problem(tomorrow, StatusCode::BAD_REQUEST).await;
    assert_eq!(tomorrow.title, "Dati da correggere");
    assert_eq!(
        tomorrow.detail,
        "La presenza si registra il giorno stesso, non in anticipo."
    );
    assert_eq!(
        tomorrow.field_message("day"),
        Some(tomorrow.detail.as_str())
    );

    for (user, path, status, title) in [
        (
            &paolo,
            roster_path(service, "2026-11-22"),
            StatusCode::CONFLICT,
            "Operazione non possibile",
        ),
        (
            &mario,
            roster_path(service, "2026-11-24"),
            StatusCode::FORBIDDEN,
            "Operazione non consentita",
        ),
        (
            &mario,
            paths::child("999999"),
            StatusCode::NOT_FOUND,
            "Non trovato",
        ),
    ] {
        let refused = problem(user.get(&path).await, status).await;
        assert_eq!(refused.title, title, "{path}");
    }
}

#[tokio::test]
async fn a_closed_day_is_charged_once_at_the_enrolment_meal_price() {
    let server = server(false).await;
    let (anna, service) = server.canteen_family(ANNA).await;
    let giulia = server.user("demo", GIULIA_OPERATOR).await;
    let paolo = server.user("demo", PAOLO_CANTEEN).await;
    // Last year's meals left Anna's account 23,40 € short.
    assert_eq!(anna.balance(service).await, "-23.40");
    let charged = |day: &'static str| {
        let giulia = &giulia;
        async move { json::<ChargeReport>(charge(giulia, service, day).await, StatusCode::OK).await }
    };

    let not_over = charge(&giulia, service, "2026-11-24").await;
    let not_over = problem(not_over, StatusCode::CONFLICT).await.detail;
    assert!(not_over.contains("non è ancora concluso"), "{not_over}");
    let staff = charge(&paolo, service, "2026-11-23").await;
    problem(staff, StatusCode::FORBIDDEN).await;

    let first = charged("2026-11-23").await;
    assert_eq!(first.charged + first.already_charged, 3, "{first:?}");
    assert_eq!(first.absent, 0);
    // Luca's enrolment has a 4,20 € meal.
    assert_eq!(anna.balance(service).await, "-27.60");
    let again = charged("2026-11-23").await;
    assert_eq!((again.charged, again.already_charged), (0, 3));
    assert_eq!(anna.balance(service).await, "-27.60");

    // Two runs at once (two replicas) on another day charge once too.
    let rows = roster(&paolo, service, "2026-11-20").await;
    let luca = rows.iter().find(|r| r.child_name == "Luca Colombo");
    let luca = luca.unwrap().child_id;
    let detail: ChildDetail = anna.get_ok(&paths::child(luca)).await;
    assert_eq!(detail.enrolments[0].meal_price.to_string(), "4.20");
    let (a, b) = tokio::join!(charged("2026-11-20"), charged("2026-11-20"));
    assert_eq!(
        a.charged + b.charged + a.already_charged.min(b.already_charged),
        3,
        "{a:?} {b:?}"
    );
    assert_eq!(anna.balance(service).await, "-31.80");

    // Staff recorded Luca absent on 19/11: he is not charged.
    let absent = mark(&paolo, luca, service, "2026-11-19", false).await;
    json::<AttendanceRow>(absent, StatusCode::OK).await;
    assert_eq!(charged("2026-11-19").await.absent, 1);
    assert_eq!(anna.balance(service).await, "-31.80");
    let statement: Statement = anna.get_ok(&paths::statement(service)).await;
    assert_eq!(statement.movements.total, 3);
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
            "Pasto del 20/11/2026 - Luca Colombo",
            "Pasti dell'anno scolastico 2025/2026 non pagati"
        ],
        "newest school day first, whatever the order of charging"
    );
}

#[tokio::test]
async fn the_server_charges_closed_days_on_its_own() {
    let server = server(true).await;
    let (anna, service) = server.canteen_family(ANNA).await;
    // The job runs at start-up: Monday 23/11 and the school days of the week before.
    let mut seen = String::new();
    for _ in 0..50 {
        seen = anna.balance(service).await;
        if seen == "-44.40" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert_eq!(
        seen, "-44.40",
        "last year's 23,40 € and five school days (17–20/11 and 23/11) of 4,20 €"
    );
}
