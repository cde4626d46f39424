//! Meal bookings against the real server, with its clock set to Tuesday 24/11/2026 at
//! 11:00 in Rome (10:00 UTC): Comune di Demo allows changes until 15:00 of the same day,
//! Comune di Esempio until 09:30 and only Tuesday to Friday.

use e2e::{client, json, problem, TestServer, ANNA, GIUSEPPE_ESEMPIO, LAURA_DELEGATE, MARIO};
use reqwest::StatusCode;
use sportello_model::bookings::{BookingResult, MealChoice, MonthCalendar};
use sportello_model::children::{ChildDetail, ChildSummary};
use sportello_model::paths;
use sportello_model::Page;

const TUESDAY_11_IN_ROME: &str = "2026-11-24T10:00:00Z";

async fn server() -> TestServer {
    TestServer::start_with(&[("SPORTELLO_FAKE_NOW", TUESDAY_11_IN_ROME)]).await
}

/// (child id, Refezione Scolastica service id) of the named child visible to `token`.
async fn child_and_service(server: &TestServer, token: &str, name: &str) -> (i64, i64) {
    let list: Page<ChildSummary> =
        json(server.get(token, &paths::children()).await, StatusCode::OK).await;
    let child = list
        .items
        .iter()
        .find(|c| format!("{} {}", c.first_name, c.last_name) == name)
        .expect("child visible");
    let detail: ChildDetail = json(
        server.get(token, &paths::child(child.id)).await,
        StatusCode::OK,
    )
    .await;
    let service = detail
        .enrolments
        .iter()
        .find(|e| e.service_name == "Refezione Scolastica")
        .expect("enrolled in the canteen");
    (child.id, service.service_id)
}

fn set_day(
    server: &TestServer,
    token: &str,
    child: i64,
    service: i64,
    day: &str,
    choice: &str,
) -> reqwest::RequestBuilder {
    client()
        .put(server.api(&paths::booking_day(child, day)))
        .bearer_auth(token)
        .json(&serde_json::json!({ "service_id": service, "choice": choice }))
}

async fn month(
    server: &TestServer,
    token: &str,
    child: i64,
    service: i64,
    m: &str,
) -> MonthCalendar {
    json(
        server.get(token, &paths::month(child, service, m)).await,
        StatusCode::OK,
    )
    .await
}

fn choice_on(calendar: &MonthCalendar, day: u8) -> Option<MealChoice> {
    calendar
        .days
        .iter()
        .find(|d| d.date.day() == day)
        .unwrap()
        .choice
}

#[tokio::test]
async fn guardian_cancels_a_meal_before_the_cutoff_and_sees_it() {
    let server = server().await;
    let mario = server.login("demo", MARIO).await;
    let (sofia, refezione) =
        child_and_service(&server, &mario.access_token, "Sofia Albertini").await;
    let before = month(&server, &mario.access_token, sofia, refezione, "2026-11").await;
    assert_eq!(
        before.cutoff_message,
        "La modifica del pasto può essere effettuata entro le ore 15:00 del giorno stesso."
    );
    assert_eq!(before.days.len(), 30);
    let today = before.days.iter().find(|d| d.date.day() == 24).unwrap();
    assert!(today.editable, "11:00 is before 15:00");
    assert_eq!(
        today.choice,
        Some(MealChoice::Present),
        "present by default"
    );
    let sunday = before.days.iter().find(|d| d.date.day() == 22).unwrap();
    assert!(!sunday.school_day && !sunday.editable && sunday.choice.is_none());
    let monday = before.days.iter().find(|d| d.date.day() == 23).unwrap();
    assert!(!monday.editable);
    assert!(monday
        .locked_reason
        .as_deref()
        .unwrap()
        .contains("già passato"));
    assert!(before.choices.contains(&MealChoice::BlankMeal));

    for (day, choice) in [("2026-11-24", "absent"), ("2026-11-25", "blank_meal")] {
        let done: BookingResult = json(
            set_day(&server, &mario.access_token, sofia, refezione, day, choice)
                .send()
                .await
                .unwrap(),
            StatusCode::OK,
        )
        .await;
        assert_eq!(done.days.len(), 1);
    }
    let after = month(&server, &mario.access_token, sofia, refezione, "2026-11").await;
    assert_eq!(choice_on(&after, 24), Some(MealChoice::Absent));
    assert_eq!(choice_on(&after, 25), Some(MealChoice::BlankMeal));
    assert_eq!(choice_on(&after, 26), Some(MealChoice::Present));
    // And back to present.
    json::<BookingResult>(
        set_day(
            &server,
            &mario.access_token,
            sofia,
            refezione,
            "2026-11-24",
            "present",
        )
        .send()
        .await
        .unwrap(),
        StatusCode::OK,
    )
    .await;
    let reverted = month(&server, &mario.access_token, sofia, refezione, "2026-11").await;
    assert_eq!(choice_on(&reverted, 24), Some(MealChoice::Present));
}

#[tokio::test]
async fn changes_after_the_cutoff_past_days_and_holidays_are_refused_in_italian() {
    let server = server().await;
    let giuseppe = server.spid_login("esempio", GIUSEPPE_ESEMPIO).await;
    let token = &giuseppe.access_token;
    let (elena, refezione) = child_and_service(&server, token, "Elena Ferrari").await;
    let late = problem(
        set_day(&server, token, elena, refezione, "2026-11-24", "absent")
            .send()
            .await
            .unwrap(),
        StatusCode::CONFLICT,
    )
    .await;
    assert_eq!(
        late.detail,
        "La modifica del pasto può essere effettuata entro le ore 09:30 del giorno stesso, dal martedì al venerdì."
    );
    let monday = problem(
        set_day(&server, token, elena, refezione, "2026-11-30", "absent")
            .send()
            .await
            .unwrap(),
        StatusCode::CONFLICT,
    )
    .await;
    assert_eq!(
        monday.detail,
        "Il pasto può essere modificato solo dal martedì al venerdì."
    );
    let past = problem(
        set_day(&server, token, elena, refezione, "2026-11-20", "absent")
            .send()
            .await
            .unwrap(),
        StatusCode::CONFLICT,
    )
    .await;
    assert!(
        past.detail.contains("20/11/2026 è già passato"),
        "{}",
        past.detail
    );
    let sunday = problem(
        set_day(&server, token, elena, refezione, "2026-11-29", "absent")
            .send()
            .await
            .unwrap(),
        StatusCode::CONFLICT,
    )
    .await;
    assert!(sunday.detail.contains("non è attivo"), "{}", sunday.detail);
    // Comune di Esempio offers no blank meal.
    let blank = problem(
        set_day(&server, token, elena, refezione, "2026-11-25", "blank_meal")
            .send()
            .await
            .unwrap(),
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(blank
        .field_message("choice")
        .unwrap()
        .contains("Pasto bianco"));
    let bad_choice = problem(
        set_day(&server, token, elena, refezione, "2026-11-25", "pizza")
            .send()
            .await
            .unwrap(),
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(!bad_choice.detail.is_empty());
    // Wednesday is fine; nothing else changed.
    json::<BookingResult>(
        set_day(&server, token, elena, refezione, "2026-11-25", "absent")
            .send()
            .await
            .unwrap(),
        StatusCode::OK,
    )
    .await;
    let calendar = month(&server, token, elena, refezione, "2026-11").await;
    let absent: Vec<u8> = calendar
        .days
        .iter()
        .filter(|d| d.choice == Some(MealChoice::Absent))
        .map(|d| d.date.day())
        .collect();
    assert_eq!(absent, vec![25]);
    assert!(!calendar.choices.contains(&MealChoice::BlankMeal));
}

#[tokio::test]
async fn a_week_of_absence_in_one_request_changes_the_days_still_open() {
    let server = server().await;
    let mario = server.login("demo", MARIO).await;
    let (greta, refezione) =
        child_and_service(&server, &mario.access_token, "Greta Albertini").await;
    let range = |from: &str, to: &str| {
        client()
            .post(server.api(&paths::booking_range(greta)))
            .bearer_auth(&mario.access_token)
            .json(&serde_json::json!({ "service_id": refezione, "from": from, "to": to, "choice": "absent" }))
    };
    let done: BookingResult = json(
        range("2026-11-28", "2026-12-04").send().await.unwrap(),
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        done.days.len(),
        5,
        "Monday to Friday; the weekend is skipped"
    );
    let november = month(&server, &mario.access_token, greta, refezione, "2026-11").await;
    assert_eq!(choice_on(&november, 30), Some(MealChoice::Absent));
    let december = month(&server, &mario.access_token, greta, refezione, "2026-12").await;
    for day in 1..=4 {
        assert_eq!(choice_on(&december, day), Some(MealChoice::Absent));
    }
    // A range that starts in the past changes the days still open and says which not.
    let partly: BookingResult = json(
        range("2026-11-20", "2026-11-27").send().await.unwrap(),
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        partly.days.iter().map(|d| d.day()).collect::<Vec<_>>(),
        [24, 25, 26, 27]
    );
    assert_eq!(
        partly
            .skipped
            .iter()
            .map(|d| d.reason.as_str())
            .collect::<Vec<_>>(),
        [
            "Il 20/11/2026 è già passato: il pasto non può più essere modificato.",
            "Il 23/11/2026 è già passato: il pasto non può più essere modificato.",
        ]
    );
    let changed = month(&server, &mario.access_token, greta, refezione, "2026-11").await;
    assert_eq!(choice_on(&changed, 26), Some(MealChoice::Absent));
    assert_eq!(choice_on(&changed, 23), Some(MealChoice::Present));
    // A range with no day left to change changes nothing and says why.
    let past = problem(
        range("2026-11-16", "2026-11-20").send().await.unwrap(),
        StatusCode::CONFLICT,
    )
    .await;
    assert!(
        past.detail
            .starts_with("Nessun giorno dell'intervallo può essere modificato."),
        "{}",
        past.detail
    );
    let backwards = problem(
        range("2026-12-04", "2026-11-30").send().await.unwrap(),
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(backwards.field_message("to").is_some());
}

#[tokio::test]
async fn delegate_may_cancel_for_the_delegated_child_only() {
    let server = server().await;
    let mario = server.login("demo", MARIO).await;
    let (sofia, refezione) =
        child_and_service(&server, &mario.access_token, "Sofia Albertini").await;
    let (greta, _) = child_and_service(&server, &mario.access_token, "Greta Albertini").await;
    let laura = server.login("demo", LAURA_DELEGATE).await;
    json::<BookingResult>(
        set_day(
            &server,
            &laura.access_token,
            sofia,
            refezione,
            "2026-11-26",
            "absent",
        )
        .send()
        .await
        .unwrap(),
        StatusCode::OK,
    )
    .await;
    let seen_by_mario = month(&server, &mario.access_token, sofia, refezione, "2026-11").await;
    assert_eq!(choice_on(&seen_by_mario, 26), Some(MealChoice::Absent));
    problem(
        set_day(
            &server,
            &laura.access_token,
            greta,
            refezione,
            "2026-11-26",
            "absent",
        )
        .send()
        .await
        .unwrap(),
        StatusCode::NOT_FOUND,
    )
    .await;
    // Another family's child does not exist for Anna; nor its calendar.
    let anna = server.login("demo", ANNA).await;
    problem(
        set_day(
            &server,
            &anna.access_token,
            sofia,
            refezione,
            "2026-11-26",
            "present",
        )
        .send()
        .await
        .unwrap(),
        StatusCode::NOT_FOUND,
    )
    .await;
    problem(
        server
            .get(
                &anna.access_token,
                &paths::month(sofia, refezione, "2026-11"),
            )
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let still = month(&server, &mario.access_token, sofia, refezione, "2026-11").await;
    assert_eq!(choice_on(&still, 26), Some(MealChoice::Absent));
    let bad_month = problem(
        server
            .get(
                &mario.access_token,
                &paths::month(sofia, refezione, "2026-13"),
            )
            .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(bad_month.field_message("month").is_some());
}

#[tokio::test]
async fn a_week_of_illness_in_comune_di_esempio_skips_the_monday_and_says_why() {
    let server = server().await;
    let giuseppe = server.spid_login("esempio", GIUSEPPE_ESEMPIO).await;
    let token = &giuseppe.access_token;
    let (elena, refezione) = child_and_service(&server, token, "Elena Ferrari").await;
    let november = month(&server, token, elena, refezione, "2026-11").await;
    assert_eq!(
        november.cutoff_message,
        "La modifica del pasto può essere effettuata entro le ore 09:30 del giorno stesso, dal martedì al venerdì."
    );
    let range = |from: &str, to: &str| {
        client()
            .post(server.api(&paths::booking_range(elena)))
            .bearer_auth(token)
            .json(&serde_json::json!({ "service_id": refezione, "from": from, "to": to, "choice": "absent" }))
    };
    // Monday 30/11 to Friday 04/12: Tuesday to Friday change, Monday is skipped.
    let week: BookingResult = json(
        range("2026-11-30", "2026-12-04").send().await.unwrap(),
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        week.days.iter().map(|d| d.day()).collect::<Vec<_>>(),
        [1, 2, 3, 4]
    );
    assert_eq!(week.skipped.len(), 1);
    assert_eq!(week.skipped[0].date.day(), 30);
    assert_eq!(
        week.skipped[0].reason,
        "Il pasto può essere modificato solo dal martedì al venerdì."
    );
    let december = month(&server, token, elena, refezione, "2026-12").await;
    for day in 1..=4 {
        assert_eq!(choice_on(&december, day), Some(MealChoice::Absent));
    }
    let november = month(&server, token, elena, refezione, "2026-11").await;
    assert_eq!(choice_on(&november, 30), Some(MealChoice::Present));

    // This week, from Monday 23/11 at 11:00 on Tuesday: Monday is over, Tuesday is past
    // its 09:30 cutoff, Wednesday to Friday change.
    let this_week: BookingResult = json(
        range("2026-11-23", "2026-11-27").send().await.unwrap(),
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        this_week.days.iter().map(|d| d.day()).collect::<Vec<_>>(),
        [25, 26, 27]
    );
    assert_eq!(
        this_week
            .skipped
            .iter()
            .map(|d| (d.date.day(), d.reason.as_str()))
            .collect::<Vec<_>>(),
        [
            (
                23,
                "Il 23/11/2026 è già passato: il pasto non può più essere modificato."
            ),
            (
                24,
                "La modifica del pasto può essere effettuata entro le ore 09:30 del giorno stesso, dal martedì al venerdì."
            ),
        ]
    );
    // A lone Monday changes nothing: the answer names the rule.
    let monday = problem(
        range("2026-12-07", "2026-12-07").send().await.unwrap(),
        StatusCode::CONFLICT,
    )
    .await;
    assert_eq!(
        monday.detail,
        "Il pasto può essere modificato solo dal martedì al venerdì."
    );
}
