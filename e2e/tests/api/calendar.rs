//! The canteen's school calendar: operators set the period, the serving weekdays and the
//! closures, and families' calendars and bookings follow — with the server's clock at
//! Tuesday 24/11/2026, 11:00 in Rome.

use e2e::{field_error, json, problem, TestServer, User};
use e2e::{ANNA, CARLO_OPERATOR_ESEMPIO, GIULIA_OPERATOR, MARIO, MARTA_ADMIN};
use reqwest::StatusCode;
use serde_json::json as body;
use sportello_model::bookings::{
    BookingResult, CalendarDay, ChargeReport, ClosureAdded, MonthCalendar, ServiceCalendar,
};
use sportello_model::entes::{EnteDetail, EnteSettingsForm, ServiceDetail, ServiceKind};
use sportello_model::paths;
use sportello_model::payments::{MovementKind, Statement};
use time::macros::date;

async fn refezione(server: &TestServer) -> i64 {
    let ente: EnteDetail = server.public_ok(&paths::ente("demo")).await;
    let prepaid = ente
        .services
        .iter()
        .find(|s| s.kind == ServiceKind::Prepaid);
    prepaid.unwrap().id
}

fn day_of(calendar: &MonthCalendar, day: u8) -> &CalendarDay {
    calendar.days.iter().find(|d| d.date.day() == day).unwrap()
}

/// Adds a closure of the canteen (200 expected).
async fn close(office: &User<'_>, service: i64, closure: &serde_json::Value) -> ClosureAdded {
    json(
        office.post(&paths::closures(service), closure).await,
        StatusCode::OK,
    )
    .await
}

#[tokio::test]
async fn operators_close_the_canteen_and_families_see_it_on_their_calendar() {
    let server = TestServer::start_with(&[("SPORTELLO_FAKE_NOW", "2026-11-24T10:00:00Z")]).await;
    let giulia = server.user("demo", GIULIA_OPERATOR).await;
    let mario = server.user("demo", MARIO).await;
    let service = refezione(&server).await;
    let path = paths::calendar(service);

    // The demo school year: the Christmas break is one closure of 15 days; the national
    // holidays, Easter Monday included, are closed without one.
    let calendar: ServiceCalendar = giulia.get_ok(&path).await;
    assert!(calendar.configured);
    assert_eq!(
        (calendar.first_day, calendar.last_day),
        (date!(2026 - 09 - 14), date!(2027 - 06 - 08))
    );
    assert_eq!(calendar.serving_weekdays, [1, 2, 3, 4, 5]);
    let closures: Vec<_> = calendar
        .closures
        .iter()
        .map(|c| (c.from, c.to, c.description.as_str()))
        .collect();
    assert_eq!(
        closures,
        [(
            date!(2026 - 12 - 23),
            date!(2027 - 01 - 06),
            "Vacanze di Natale"
        )]
    );
    let holiday = |day| {
        calendar
            .national_holidays
            .iter()
            .find(|h| h.day == day)
            .map(|h| h.name.as_str())
    };
    assert_eq!(
        holiday(date!(2026 - 12 - 08)),
        Some("Immacolata Concezione")
    );
    assert_eq!(holiday(date!(2027 - 03 - 29)), Some("Lunedì dell'Angelo"));

    // Families may neither read nor change it.
    problem(mario.get(&path).await, StatusCode::FORBIDDEN).await;

    // A strike on Thursday 26 and Friday 27 November: one closure of two days.
    let strike = body!({ "from": "2026-11-26", "to": "2026-11-27", "description": " Sciopero del personale mensa " });
    let with_strike = close(&giulia, service, &strike).await;
    assert_eq!(
        with_strike.reversed_meals, 0,
        "days to come were not charged"
    );
    let strike: Vec<_> = with_strike
        .calendar
        .closures
        .iter()
        .filter(|c| c.description == "Sciopero del personale mensa")
        .collect();
    assert_eq!(strike.len(), 1);
    assert_eq!(
        (strike[0].from, strike[0].to),
        (date!(2026 - 11 - 26), date!(2026 - 11 - 27))
    );

    let sofia = server.child_named(mario.token(), "Sofia").await;
    let month = |m: &str| paths::month(sofia, service, m);
    let november: MonthCalendar = mario.get_ok(&month("2026-11")).await;
    assert!(!day_of(&november, 26).school_day);
    // The family reads why the canteen is closed.
    let closure = |calendar: &MonthCalendar, day| day_of(calendar, day).closure.clone();
    assert_eq!(
        closure(&november, 26).as_deref(),
        Some("Sciopero del personale mensa")
    );
    assert_eq!(closure(&november, 28), None, "a Saturday");
    assert!(day_of(&november, 25).school_day && day_of(&november, 25).editable);
    assert_eq!(closure(&november, 25), None);
    let december: MonthCalendar = mario.get_ok(&month("2026-12")).await;
    assert_eq!(
        closure(&december, 8).as_deref(),
        Some("Immacolata Concezione")
    );
    assert_eq!(closure(&december, 23).as_deref(), Some("Vacanze di Natale"));
    let march: MonthCalendar = mario.get_ok(&month("2027-03")).await;
    assert!(!day_of(&march, 29).school_day);
    assert_eq!(closure(&march, 29).as_deref(), Some("Lunedì dell'Angelo"));
    let absent = body!({ "service_id": service, "choice": "absent" });
    let booking = paths::booking_day(sofia, "2026-11-26");
    let refused = problem(mario.put(&booking, &absent).await, StatusCode::CONFLICT).await;
    assert_eq!(
        refused.detail,
        "Il 26/11/2026 il servizio mensa non è attivo (festivo o chiusura)."
    );

    // The strike is called off: one Rimuovi reopens both days.
    let strike = paths::closure(service, strike[0].id);
    let reopened = giulia.delete(&strike).await;
    let reopened: ServiceCalendar = json(reopened, StatusCode::OK).await;
    assert_eq!(reopened.closures.len(), 1, "only the Christmas break");
    let november: MonthCalendar = mario.get_ok(&month("2026-11")).await;
    assert!(day_of(&november, 26).school_day && day_of(&november, 27).school_day);
    json::<BookingResult>(mario.put(&booking, &absent).await, StatusCode::OK).await;
    problem(giulia.delete(&strike).await, StatusCode::NOT_FOUND).await;

    // The canteen stops serving on Fridays from now on.
    let weekdays = body!({ "first_day": "2026-09-14", "last_day": "2027-06-08", "serving_weekdays": [4, 1, 2, 3, 1] });
    let no_fridays = giulia.put(&path, &weekdays).await;
    let no_fridays: ServiceCalendar = json(no_fridays, StatusCode::OK).await;
    assert_eq!(no_fridays.serving_weekdays, [1, 2, 3, 4]);
    let november: MonthCalendar = mario.get_ok(&month("2026-11")).await;
    assert!(!day_of(&november, 20).school_day);
}

#[tokio::test]
async fn bad_calendars_are_refused_field_by_field_and_other_comuni_see_nothing() {
    let server = TestServer::start().await;
    let giulia = server.user("demo", GIULIA_OPERATOR).await;
    let service = refezione(&server).await;
    let path = paths::calendar(service);
    let closures = paths::closures(service);
    let backwards =
        body!({ "first_day": "2027-06-08", "last_day": "2026-09-14", "serving_weekdays": [] });
    let bad = problem(giulia.put(&path, &backwards).await, StatusCode::BAD_REQUEST).await;
    assert_eq!(
        bad.field_message("last_day"),
        Some("La data di fine non può precedere quella di inizio.")
    );
    assert_eq!(
        bad.field_message("serving_weekdays"),
        Some("Scegli almeno un giorno della settimana in cui la mensa è attiva.")
    );
    let blank = body!({ "from": "2026-12-01", "to": "2026-12-01", "description": "  " });
    field_error(giulia.post(&closures, &blank).await, "description").await;
    let italian_date = body!({ "from": "01/12/2026", "to": "2026-12-01", "description": "Gita" });
    let malformed = giulia.post(&closures, &italian_date).await;
    problem(malformed, StatusCode::BAD_REQUEST).await;

    // Comune di Esempio's operator cannot see or touch Comune di Demo's calendar.
    let carlo = server.spid_user("esempio", CARLO_OPERATOR_ESEMPIO).await;
    problem(carlo.get(&path).await, StatusCode::NOT_FOUND).await;
    let trip = body!({ "from": "2026-12-01", "to": "2026-12-01", "description": "Gita" });
    problem(carlo.post(&closures, &trip).await, StatusCode::NOT_FOUND).await;
    let unchanged: ServiceCalendar = giulia.get_ok(&path).await;
    assert!(unchanged
        .closures
        .iter()
        .all(|c| c.from != date!(2026 - 12 - 01)));
}

#[tokio::test]
async fn a_closure_over_a_charged_day_credits_each_meal_back_once() {
    // The charging job is off: the office charges the days itself.
    let server = TestServer::start_with(&[("SPORTELLO_FAKE_NOW", "2026-11-24T10:00:00Z")]).await;
    let service = refezione(&server).await;
    let giulia = server.user("demo", GIULIA_OPERATOR).await;
    let anna = server.user("demo", ANNA).await;
    let strike = body!({ "from": "2026-11-23", "to": "2026-11-23", "description": "Sciopero del personale mensa" });
    let monday = body!({ "service_id": service, "day": "2026-11-23" });
    let statement = || {
        let path = format!("{}?per_page=100", paths::statement(service));
        let anna = &anna;
        async move { anna.get_ok::<Statement>(&path).await }
    };
    let charge = || {
        let (giulia, monday) = (&giulia, &monday);
        async move {
            let res = giulia.post(&paths::charges(), monday).await;
            json::<ChargeReport>(res, StatusCode::OK).await
        }
    };
    let balance = |s: &Statement| s.account.balance.to_string();
    let of_kind = |s: &Statement, kind| s.movements.items.iter().filter(|m| m.kind == kind).count();

    // Monday 23/11 is over and charged: Luca's 4,20 €, and Sofia's and Greta's 5,00 €.
    // Anna's account starts 23,40 € short (last year's meals).
    let before = statement().await;
    assert_eq!(balance(&before), "-23.40");
    let first = charge().await;
    assert_eq!(first.charged + first.already_charged, 3, "{first:?}");
    assert_eq!(balance(&statement().await), "-27.60");

    // The canteen was closed that day after all: each meal is credited back, naming it.
    let closed = close(&giulia, service, &strike).await;
    assert_eq!(closed.reversed_meals, 3);
    assert_eq!(closed.reversed_amount.to_string(), "14.20");
    let credited = statement().await;
    assert_eq!(balance(&credited), balance(&before));
    assert_eq!(
        credited.movements.total, 3,
        "last year's debt and the meal stay, its storno is added"
    );
    let storno = credited
        .movements
        .items
        .iter()
        .find(|m| m.kind == MovementKind::MealReversal)
        .expect("one storno");
    assert_eq!(storno.amount.to_string(), "4.20");
    assert_eq!(
        storno.description,
        "Storno pasto del 23/11/2026 - Luca Colombo (Sciopero del personale mensa)"
    );
    assert_eq!(storno.child_name.as_deref(), Some("Luca Colombo"));
    assert_eq!(storno.day, Some(date!(2026 - 11 - 23)));
    assert_eq!(of_kind(&credited, MovementKind::Meal), 1);

    // The same closure again (or a retried request) credits nothing more.
    let again = close(&giulia, service, &strike).await;
    assert_eq!(again.reversed_meals, 0);
    let same = statement().await;
    assert_eq!((balance(&same), same.movements.total), ("-23.40".into(), 3));
    // A closed day is not charged.
    let closed_day = giulia.post(&paths::charges(), &monday).await;
    problem(closed_day, StatusCode::CONFLICT).await;

    // The closure is removed: the day, over, is charged again once, as a new meal.
    let range = again
        .calendar
        .closures
        .iter()
        .find(|c| c.from == date!(2026 - 11 - 23))
        .unwrap()
        .id;
    let removed = giulia.delete(&paths::closure(service, range)).await;
    json::<ServiceCalendar>(removed, StatusCode::OK).await;
    assert_eq!(
        balance(&statement().await),
        "-23.40",
        "removing charges nothing by itself"
    );
    let recharged = charge().await;
    assert_eq!((recharged.charged, recharged.already_charged), (3, 0));
    let twice = charge().await;
    assert_eq!((twice.charged, twice.already_charged), (0, 3));
    let charged_again = statement().await;
    assert_eq!(balance(&charged_again), "-27.60");
    assert_eq!(of_kind(&charged_again, MovementKind::Meal), 2);

    // Closed once more: the second charge is credited back too, and only it.
    let reclosed = close(&giulia, service, &strike).await;
    assert_eq!(reclosed.reversed_meals, 3);
    let last = statement().await;
    assert_eq!(balance(&last), "-23.40");
    assert_eq!(of_kind(&last, MovementKind::MealReversal), 2);
    assert_eq!(last.movements.total, 5);
}

/// Whatever a server keeps between requests, two replicas on one database answer as one
/// server: a closure, its removal, the serving weekdays, the service's name, a new cutoff
/// and a logout made through the first apply to the very next request on the second.
#[tokio::test]
async fn what_one_replica_changes_applies_on_the_other_at_the_next_request() {
    let clock = [("SPORTELLO_FAKE_NOW", "2026-11-24T10:00:00Z")];
    let first = TestServer::start_with(&clock).await;
    let second = first.replica(&clock).await;
    let service = refezione(&first).await;
    let giulia = first.user("demo", GIULIA_OPERATOR).await;
    let marta = first.user("demo", MARTA_ADMIN).await;
    let mario = second.user("demo", MARIO).await;
    let sofia = second.child_named(mario.token(), "Sofia").await;
    let month = paths::month(sofia, service, "2026-11");
    let read = || {
        let (mario, month) = (&mario, &month);
        async move { mario.get_ok::<MonthCalendar>(month).await }
    };
    let absent = |day: &str| {
        let (mario, path) = (&mario, paths::booking_day(sofia, day));
        let change = body!({ "service_id": service, "choice": "absent" });
        async move { mario.put(&path, &change).await }
    };

    // Thursday 26/11 is a school day Mario may still change; he reads his month twice
    // on the second replica.
    for _ in 0..2 {
        let thursday = day_of(&read().await, 26).clone();
        assert!(thursday.school_day && thursday.editable, "{thursday:?}");
    }

    // Giulia closes it on the first: closed on the second, with its reason.
    let assembly =
        body!({ "from": "2026-11-26", "to": "2026-11-26", "description": "Assemblea sindacale" });
    let closed = close(&giulia, service, &assembly).await;
    let calendar = read().await;
    let thursday = day_of(&calendar, 26);
    assert!(!thursday.school_day && !thursday.editable, "{thursday:?}");
    assert_eq!(thursday.closure.as_deref(), Some("Assemblea sindacale"));
    assert!(calendar.calendar.closures.contains(&date!(2026 - 11 - 26)));
    problem(absent("2026-11-26").await, StatusCode::CONFLICT).await;

    // Reopened on the first: open again on the second.
    let range = closed
        .calendar
        .closures
        .iter()
        .find(|c| c.from == date!(2026 - 11 - 26))
        .expect("the new closure")
        .id;
    let reopened = giulia.delete(&paths::closure(service, range)).await;
    assert_eq!(reopened.status(), StatusCode::OK);
    let thursday = day_of(&read().await, 26).clone();
    assert!(thursday.school_day && thursday.editable, "{thursday:?}");
    assert_eq!(thursday.closure, None);

    // Giulia serves Monday to Thursday from now on: Friday 27/11 is no school day on
    // the second.
    let calendar: ServiceCalendar = giulia.get_ok(&paths::calendar(service)).await;
    assert!(day_of(&read().await, 27).school_day);
    let four_days = body!({
        "first_day": calendar.first_day,
        "last_day": calendar.last_day,
        "serving_weekdays": [1, 2, 3, 4],
    });
    let set = giulia.put(&paths::calendar(service), &four_days).await;
    json::<ServiceCalendar>(set, StatusCode::OK).await;
    assert!(!day_of(&read().await, 27).school_day);

    // Marta renames the canteen on the first: the second names it so.
    let detail: ServiceDetail = marta.get_ok(&paths::office_service(service)).await;
    let renamed = body!({ "code": detail.service.code, "name": "Mensa scolastica", "kind": "prepaid", "active": true });
    let saved = marta.put(&paths::office_service(service), &renamed).await;
    json::<ServiceDetail>(saved, StatusCode::OK).await;
    assert_eq!(read().await.service_name, "Mensa scolastica");

    // At 11:00 today may still be changed until Marta moves the cutoff from 15:00 to
    // 10:30 on the first; then the second refuses it.
    assert!(day_of(&read().await, 24).editable);
    let mut settings: EnteSettingsForm = marta.get_ok(&paths::office_settings()).await;
    settings.booking_cutoff_time = "10:30".into();
    let saved = marta.put(&paths::office_settings(), &settings).await;
    json::<EnteSettingsForm>(saved, StatusCode::OK).await;
    let calendar = read().await;
    assert!(!day_of(&calendar, 24).editable);
    let rule = "La modifica del pasto può essere effettuata entro le ore 10:30 del giorno stesso.";
    assert_eq!(calendar.cutoff_message, rule);
    assert_eq!(
        problem(absent("2026-11-24").await, StatusCode::CONFLICT)
            .await
            .detail,
        rule
    );

    // Mario logs out through the first: the second refuses his token at once.
    let out = mario.on(&first).post_bare(&paths::logout()).await;
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    problem(mario.get(&month).await, StatusCode::UNAUTHORIZED).await;
}
