//! The canteen's school calendar: operators set the period, the serving weekdays and the
//! closures, and families' calendars and bookings follow — with the server's clock at
//! Tuesday 24/11/2026, 11:00 in Rome.

use e2e::{json, problem, TestServer, CARLO_OPERATOR_ESEMPIO, GIULIA_OPERATOR, MARIO};
use reqwest::StatusCode;
use serde_json::json as body;
use sportello_model::bookings::{CalendarDay, MonthCalendar, ServiceCalendar};
use sportello_model::entes::{EnteDetail, ServiceKind};
use time::macros::date;

async fn refezione(server: &TestServer) -> i64 {
    let ente: EnteDetail = json(
        e2e::client()
            .get(server.api("/entes/demo"))
            .send()
            .await
            .unwrap(),
        StatusCode::OK,
    )
    .await;
    ente.services
        .iter()
        .find(|s| s.kind == ServiceKind::Prepaid)
        .unwrap()
        .id
}

fn day_of(calendar: &MonthCalendar, day: u8) -> &CalendarDay {
    calendar.days.iter().find(|d| d.date.day() == day).unwrap()
}

#[tokio::test]
async fn operators_close_the_canteen_and_families_see_it_on_their_calendar() {
    let server = TestServer::start_with(&[("SPORTELLO_FAKE_NOW", "2026-11-24T10:00:00Z")]).await;
    let giulia = server.login("demo", GIULIA_OPERATOR).await;
    let mario = server.login("demo", MARIO).await;
    let service = refezione(&server).await;
    let path = format!("/services/{service}/calendar");

    // The demo school year, with the national holidays and the Christmas break.
    let calendar: ServiceCalendar = json(
        server.get(&giulia.access_token, &path).await,
        StatusCode::OK,
    )
    .await;
    assert!(calendar.configured);
    assert_eq!(
        (calendar.first_day, calendar.last_day),
        (date!(2026 - 09 - 14), date!(2027 - 06 - 08))
    );
    assert_eq!(calendar.serving_weekdays, [1, 2, 3, 4, 5]);
    let immacolata = calendar
        .closures
        .iter()
        .find(|c| c.day == date!(2026 - 12 - 08))
        .expect("8 December closed");
    assert_eq!(immacolata.description, "Immacolata Concezione");

    // Families may neither read nor change it.
    problem(
        server.get(&mario.access_token, &path).await,
        StatusCode::FORBIDDEN,
    )
    .await;

    // A strike on Thursday 26 and Friday 27 November.
    let with_strike: ServiceCalendar = json(
        server
            .post_json(
                &giulia.access_token,
                &format!("/services/{service}/closures"),
                &body!({ "from": "2026-11-26", "to": "2026-11-27", "description": " Sciopero " }),
            )
            .await,
        StatusCode::OK,
    )
    .await;
    let strike: Vec<_> = with_strike
        .closures
        .iter()
        .filter(|c| c.description == "Sciopero")
        .collect();
    assert_eq!(strike.len(), 2);

    let sofia = server.child_named(&mario.access_token, "Sofia").await;
    let month_path = format!("/bookings/children/{sofia}/services/{service}/months/2026-11");
    let november: MonthCalendar = json(
        server.get(&mario.access_token, &month_path).await,
        StatusCode::OK,
    )
    .await;
    assert!(!day_of(&november, 26).school_day);
    assert!(day_of(&november, 25).school_day && day_of(&november, 25).editable);
    let refused = problem(
        server
            .put_json(
                &mario.access_token,
                &format!("/bookings/children/{sofia}/days/2026-11-26"),
                &body!({ "service_id": service, "choice": "absent" }),
            )
            .await,
        StatusCode::CONFLICT,
    )
    .await;
    assert_eq!(
        refused.detail,
        "Il 26/11/2026 il servizio mensa non è attivo (festivo o chiusura)."
    );

    // The strike on Thursday is called off: the day is bookable again.
    let thursday = strike
        .iter()
        .find(|c| c.day == date!(2026 - 11 - 26))
        .unwrap()
        .id;
    let reopened: ServiceCalendar = json(
        server
            .delete(
                &giulia.access_token,
                &format!("/services/{service}/closures/{thursday}"),
            )
            .await,
        StatusCode::OK,
    )
    .await;
    assert!(reopened.closures.iter().all(|c| c.id != thursday));
    json::<serde_json::Value>(
        server
            .put_json(
                &mario.access_token,
                &format!("/bookings/children/{sofia}/days/2026-11-26"),
                &body!({ "service_id": service, "choice": "absent" }),
            )
            .await,
        StatusCode::OK,
    )
    .await;
    problem(
        server
            .delete(
                &giulia.access_token,
                &format!("/services/{service}/closures/{thursday}"),
            )
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;

    // The canteen stops serving on Fridays from now on.
    let no_fridays: ServiceCalendar = json(
        server
            .put_json(
                &giulia.access_token,
                &path,
                &body!({ "first_day": "2026-09-14", "last_day": "2027-06-08", "serving_weekdays": [4, 1, 2, 3, 1] }),
            )
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(no_fridays.serving_weekdays, [1, 2, 3, 4]);
    let november: MonthCalendar = json(
        server.get(&mario.access_token, &month_path).await,
        StatusCode::OK,
    )
    .await;
    assert!(!day_of(&november, 20).school_day);
}

#[tokio::test]
async fn bad_calendars_are_refused_field_by_field_and_other_comuni_see_nothing() {
    let server = TestServer::start().await;
    let giulia = server.login("demo", GIULIA_OPERATOR).await;
    let service = refezione(&server).await;
    let path = format!("/services/{service}/calendar");
    let bad = problem(
        server
            .put_json(
                &giulia.access_token,
                &path,
                &body!({ "first_day": "2027-06-08", "last_day": "2026-09-14", "serving_weekdays": [] }),
            )
            .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(
        bad.field_message("last_day"),
        Some("La data di fine non può precedere quella di inizio.")
    );
    assert_eq!(
        bad.field_message("serving_weekdays"),
        Some("Scegli almeno un giorno della settimana in cui la mensa è attiva.")
    );
    let bad = problem(
        server
            .post_json(
                &giulia.access_token,
                &format!("/services/{service}/closures"),
                &body!({ "from": "2026-12-01", "to": "2026-12-01", "description": "  " }),
            )
            .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(bad.field_message("description").is_some());
    let malformed = problem(
        server
            .post_json(
                &giulia.access_token,
                &format!("/services/{service}/closures"),
                &body!({ "from": "01/12/2026", "to": "2026-12-01", "description": "Gita" }),
            )
            .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(!malformed.detail.is_empty());

    // Comune di Esempio's operator cannot see or touch Comune di Demo's calendar.
    let carlo = server.spid_login("esempio", CARLO_OPERATOR_ESEMPIO).await;
    problem(
        server.get(&carlo.access_token, &path).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    problem(
        server
            .post_json(
                &carlo.access_token,
                &format!("/services/{service}/closures"),
                &body!({ "from": "2026-12-01", "to": "2026-12-01", "description": "Gita" }),
            )
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let unchanged: ServiceCalendar = json(
        server.get(&giulia.access_token, &path).await,
        StatusCode::OK,
    )
    .await;
    assert!(unchanged
        .closures
        .iter()
        .all(|c| c.day != date!(2026 - 12 - 01)));
}
