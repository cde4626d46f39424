//! Meal bookings against the real server, with its clock set to Tuesday 24/11/2026 at
//! 11:00 in Rome (10:00 UTC): Comune di Demo allows changes until 15:00 of the same day,
//! Comune di Esempio until 09:30 and only Tuesday to Friday; a child books the days of
//! the school years of their cards only.

use e2e::{field_error, json, problem, TestServer, User};
use e2e::{ANNA, GIULIA_OPERATOR, GIUSEPPE_ESEMPIO, LAURA_DELEGATE, MARIO};
use reqwest::{Response, StatusCode};
use sportello_model::bookings::{AttendanceRow, BookingResult, MealChoice, MonthCalendar};
use sportello_model::children::{ChildDetail, ChildSummary};
use sportello_model::paths;
use sportello_model::Page;

const TUESDAY_11_IN_ROME: &str = "2026-11-24T10:00:00Z";
const ESEMPIO_CUTOFF: &str = "La modifica del pasto può essere effettuata entro le ore 09:30 del giorno stesso, dal martedì al venerdì.";
const ESEMPIO_WEEKDAYS: &str = "Il pasto può essere modificato solo dal martedì al venerdì.";

async fn server() -> TestServer {
    TestServer::start_with(&[("SPORTELLO_FAKE_NOW", TUESDAY_11_IN_ROME)]).await
}

/// (child id, Refezione Scolastica service id) of the named child visible to `user`.
async fn child_and_service(user: &User<'_>, name: &str) -> (i64, i64) {
    let list: Page<ChildSummary> = user.get_ok(&paths::children()).await;
    let child = list
        .items
        .iter()
        .find(|c| format!("{} {}", c.first_name, c.last_name) == name)
        .expect("child visible");
    let detail: ChildDetail = user.get_ok(&paths::child(child.id)).await;
    let service = detail
        .enrolments
        .iter()
        .find(|e| e.service_name == "Refezione Scolastica")
        .expect("enrolled in the canteen");
    (child.id, service.service_id)
}

/// Sets one day's meal choice of a child.
async fn set_day(
    user: &User<'_>,
    (child, service): (i64, i64),
    day: &str,
    choice: &str,
) -> Response {
    let body = serde_json::json!({ "service_id": service, "choice": choice });
    user.put(&paths::booking_day(child, day), &body).await
}

/// Sets one day's meal choice of a child, asserting it is done.
async fn book(user: &User<'_>, meals: (i64, i64), day: &str, choice: &str) -> BookingResult {
    json(set_day(user, meals, day, choice).await, StatusCode::OK).await
}

/// Marks a child absent from `from` to `to`.
async fn absent(user: &User<'_>, (child, service): (i64, i64), from: &str, to: &str) -> Response {
    let body =
        serde_json::json!({ "service_id": service, "from": from, "to": to, "choice": "absent" });
    user.post(&paths::booking_range(child), &body).await
}

async fn month(user: &User<'_>, (child, service): (i64, i64), m: &str) -> MonthCalendar {
    user.get_ok(&paths::month(child, service, m)).await
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
    let mario = server.user("demo", MARIO).await;
    let sofia = child_and_service(&mario, "Sofia Albertini").await;
    let before = month(&mario, sofia, "2026-11").await;
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
    let locked = monday.locked_reason.as_deref().unwrap();
    assert!(locked.contains("già passato"), "{locked}");
    assert!(before.choices.contains(&MealChoice::BlankMeal));

    for (day, choice) in [("2026-11-24", "absent"), ("2026-11-25", "blank_meal")] {
        assert_eq!(book(&mario, sofia, day, choice).await.days.len(), 1);
    }
    let after = month(&mario, sofia, "2026-11").await;
    assert_eq!(choice_on(&after, 24), Some(MealChoice::Absent));
    assert_eq!(choice_on(&after, 25), Some(MealChoice::BlankMeal));
    assert_eq!(choice_on(&after, 26), Some(MealChoice::Present));
    // And back to present.
    book(&mario, sofia, "2026-11-24", "present").await;
    let reverted = month(&mario, sofia, "2026-11").await;
    assert_eq!(choice_on(&reverted, 24), Some(MealChoice::Present));
}

#[tokio::test]
async fn changes_after_the_cutoff_past_days_and_holidays_are_refused_in_italian() {
    let server = server().await;
    let giuseppe = server.spid_user("esempio", GIUSEPPE_ESEMPIO).await;
    let elena = child_and_service(&giuseppe, "Elena Ferrari").await;
    let refused = |day: &'static str| {
        let giuseppe = &giuseppe;
        async move {
            let res = set_day(giuseppe, elena, day, "absent").await;
            problem(res, StatusCode::CONFLICT).await.detail
        }
    };
    assert_eq!(refused("2026-11-24").await, ESEMPIO_CUTOFF);
    assert_eq!(refused("2026-11-30").await, ESEMPIO_WEEKDAYS);
    let past = refused("2026-11-20").await;
    assert!(past.contains("20/11/2026 è già passato"), "{past}");
    let sunday = refused("2026-11-29").await;
    assert!(sunday.contains("non è attivo"), "{sunday}");
    // Comune di Esempio offers no blank meal.
    let blank = set_day(&giuseppe, elena, "2026-11-25", "blank_meal").await;
    let blank = field_error(blank, "choice").await;
    assert!(blank.contains("Pasto bianco"), "{blank}");
    let bad_choice = set_day(&giuseppe, elena, "2026-11-25", "pizza").await;
    problem(bad_choice, StatusCode::BAD_REQUEST).await;
    // Wednesday is fine; nothing else changed.
    book(&giuseppe, elena, "2026-11-25", "absent").await;
    let calendar = month(&giuseppe, elena, "2026-11").await;
    let absent: Vec<u8> = calendar
        .days
        .iter()
        .filter(|d| d.choice == Some(MealChoice::Absent))
        .map(|d| d.date.day())
        .collect();
    assert_eq!(absent, vec![25]);
    assert!(!calendar.choices.contains(&MealChoice::BlankMeal));
}

/// Sends `PUT path` with `body` over a connection of its own, its body held back until
/// `meanwhile` has run: the status of the answer. The request has arrived when its head
/// has; the body follows in a chunk of its own.
async fn put_slowly(
    server: &TestServer,
    token: &str,
    path: &str,
    body: &serde_json::Value,
    meanwhile: impl std::future::Future<Output = ()>,
) -> u16 {
    use std::io::{Read, Write};
    let url = url::Url::parse(&server.api(path)).unwrap();
    let address = format!("{}:{}", url.host_str().unwrap(), url.port().unwrap());
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    write!(
        stream,
        "PUT {} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\
         Connection: close\r\n\r\n",
        url.path(),
        url.host_str().unwrap()
    )
    .unwrap();
    stream.flush().unwrap();
    meanwhile.await;
    let body = body.to_string();
    write!(stream, "{:x}\r\n{body}\r\n0\r\n\r\n", body.len()).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("no status in {answer:?}"))
}

#[tokio::test]
async fn the_cutoff_is_judged_when_the_change_arrives() {
    let server = server().await;
    // Comune di Demo's cutoff: 15:00 in Rome.
    let cutoff = time::macros::datetime!(2026-11-24 14:00 UTC);
    let seconds_before = |seconds: i64| {
        let server = &server;
        async move {
            let ahead = (cutoff - server.now().await).whole_seconds() - seconds;
            let by = std::time::Duration::from_secs(ahead as u64);
            server.advance_clock(by).await;
        }
    };
    // Logged in shortly before it (an access token lasts minutes), then at 14:59:58.
    seconds_before(60).await;
    let mario = server.user("demo", MARIO).await;
    let (sofia, service) = child_and_service(&mario, "Sofia Albertini").await;
    seconds_before(2).await;
    let body = serde_json::json!({ "service_id": service, "choice": "absent" });
    let path = paths::booking_day(sofia, "2026-11-24");
    // A change that arrived before the cutoff, whose handling ends after it (as on a
    // busy server), is accepted.
    let status = put_slowly(&server, mario.token(), &path, &body, async {
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        let passed = server
            .advance_clock(std::time::Duration::from_secs(5))
            .await;
        assert!(passed > cutoff);
    })
    .await;
    assert_eq!(status, 200, "arrived at 14:59:58, answered after 15:00");
    let calendar = month(&mario, (sofia, service), "2026-11").await;
    assert_eq!(choice_on(&calendar, 24), Some(MealChoice::Absent));
    // One that arrives after it is refused.
    let late = set_day(&mario, (sofia, service), "2026-11-24", "present").await;
    let late = problem(late, StatusCode::CONFLICT).await.detail;
    assert_eq!(
        late,
        "La modifica del pasto può essere effettuata entro le ore 15:00 del giorno stesso."
    );
}

#[tokio::test]
async fn a_week_of_absence_in_one_request_changes_the_days_still_open() {
    let server = server().await;
    let mario = server.user("demo", MARIO).await;
    let greta = child_and_service(&mario, "Greta Albertini").await;
    let done = absent(&mario, greta, "2026-11-28", "2026-12-04").await;
    let done: BookingResult = json(done, StatusCode::OK).await;
    assert_eq!(
        done.days.len(),
        5,
        "Monday to Friday; the weekend is skipped"
    );
    let november = month(&mario, greta, "2026-11").await;
    assert_eq!(choice_on(&november, 30), Some(MealChoice::Absent));
    let december = month(&mario, greta, "2026-12").await;
    for day in 1..=4 {
        assert_eq!(choice_on(&december, day), Some(MealChoice::Absent));
    }
    // A range that starts in the past changes the days still open and says which not.
    let partly = absent(&mario, greta, "2026-11-20", "2026-11-27").await;
    let partly: BookingResult = json(partly, StatusCode::OK).await;
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
    let changed = month(&mario, greta, "2026-11").await;
    assert_eq!(choice_on(&changed, 26), Some(MealChoice::Absent));
    assert_eq!(choice_on(&changed, 23), Some(MealChoice::Present));
    // A range with no day left to change changes nothing and says why.
    let past = absent(&mario, greta, "2026-11-16", "2026-11-20").await;
    let past = problem(past, StatusCode::CONFLICT).await.detail;
    assert!(
        past.starts_with("Nessun giorno dell'intervallo può essere modificato."),
        "{past}"
    );
    field_error(
        absent(&mario, greta, "2026-12-04", "2026-11-30").await,
        "to",
    )
    .await;
}

#[tokio::test]
async fn delegate_may_cancel_for_the_delegated_child_only() {
    let server = server().await;
    let mario = server.user("demo", MARIO).await;
    let sofia = child_and_service(&mario, "Sofia Albertini").await;
    let (greta, _) = child_and_service(&mario, "Greta Albertini").await;
    let laura = server.user("demo", LAURA_DELEGATE).await;
    book(&laura, sofia, "2026-11-26", "absent").await;
    let seen_by_mario = month(&mario, sofia, "2026-11").await;
    assert_eq!(choice_on(&seen_by_mario, 26), Some(MealChoice::Absent));
    let greta = (greta, sofia.1);
    let not_delegated = set_day(&laura, greta, "2026-11-26", "absent").await;
    problem(not_delegated, StatusCode::NOT_FOUND).await;
    // Another family's child does not exist for Anna; nor its calendar.
    let anna = server.user("demo", ANNA).await;
    let theirs = set_day(&anna, sofia, "2026-11-26", "present").await;
    problem(theirs, StatusCode::NOT_FOUND).await;
    let calendar = anna.get(&paths::month(sofia.0, sofia.1, "2026-11")).await;
    problem(calendar, StatusCode::NOT_FOUND).await;
    let still = month(&mario, sofia, "2026-11").await;
    assert_eq!(choice_on(&still, 26), Some(MealChoice::Absent));
    let bad_month = mario.get(&paths::month(sofia.0, sofia.1, "2026-13")).await;
    field_error(bad_month, "month").await;
}

#[tokio::test]
async fn a_week_of_illness_in_comune_di_esempio_skips_the_monday_and_says_why() {
    let server = server().await;
    let giuseppe = server.spid_user("esempio", GIUSEPPE_ESEMPIO).await;
    let elena = child_and_service(&giuseppe, "Elena Ferrari").await;
    let cutoff = month(&giuseppe, elena, "2026-11").await.cutoff_message;
    assert_eq!(cutoff, ESEMPIO_CUTOFF);
    // Monday 30/11 to Friday 04/12: Tuesday to Friday change, Monday is skipped.
    let week = absent(&giuseppe, elena, "2026-11-30", "2026-12-04").await;
    let week: BookingResult = json(week, StatusCode::OK).await;
    assert_eq!(
        week.days.iter().map(|d| d.day()).collect::<Vec<_>>(),
        [1, 2, 3, 4]
    );
    assert_eq!(week.skipped.len(), 1);
    assert_eq!(week.skipped[0].date.day(), 30);
    assert_eq!(week.skipped[0].reason, ESEMPIO_WEEKDAYS);
    let december = month(&giuseppe, elena, "2026-12").await;
    for day in 1..=4 {
        assert_eq!(choice_on(&december, day), Some(MealChoice::Absent));
    }
    let november = month(&giuseppe, elena, "2026-11").await;
    assert_eq!(choice_on(&november, 30), Some(MealChoice::Present));

    // This week, from Monday 23/11 at 11:00 on Tuesday: Monday is over, Tuesday is past
    // its 09:30 cutoff, Wednesday to Friday change.
    let this_week = absent(&giuseppe, elena, "2026-11-23", "2026-11-27").await;
    let this_week: BookingResult = json(this_week, StatusCode::OK).await;
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
            (24, ESEMPIO_CUTOFF),
        ]
    );
    // A lone Monday changes nothing: the answer names the rule.
    let monday = absent(&giuseppe, elena, "2026-12-07", "2026-12-07").await;
    let monday = problem(monday, StatusCode::CONFLICT).await.detail;
    assert_eq!(monday, ESEMPIO_WEEKDAYS);
}

#[tokio::test]
async fn a_child_with_only_next_years_card_books_next_years_meals_only() {
    let server = TestServer::start_with(&[
        ("SPORTELLO_FAKE_NOW", TUESDAY_11_IN_ROME),
        ("SPORTELLO_CHARGE_JOB", "false"),
    ])
    .await;
    let mario = server.user("demo", MARIO).await;
    let sofia = child_and_service(&mario, "Sofia Albertini").await;
    let moved: i64 = server
        .scalar(&format!(
            "UPDATE enrolments SET school_year = '2027/2028' WHERE child_id = {} AND service_id = {} RETURNING id",
            sofia.0, sofia.1
        ))
        .await;
    assert!(moved > 0);
    let not_enrolled = "Per l'anno scolastico 2026/2027 non c'è l'iscrizione al servizio: il pasto non può essere prenotato.";

    // This year: no booking, the month says why, and she is not on the roster.
    let refused = set_day(&mario, sofia, "2026-11-25", "absent").await;
    assert_eq!(
        problem(refused, StatusCode::CONFLICT).await.detail,
        not_enrolled
    );
    let range = absent(&mario, sofia, "2026-11-25", "2026-11-27").await;
    assert_eq!(
        problem(range, StatusCode::CONFLICT).await.detail,
        not_enrolled
    );
    let november = month(&mario, sofia, "2026-11").await;
    let day = november.days.iter().find(|d| d.date.day() == 25).unwrap();
    assert!(!day.editable);
    assert_eq!(day.locked_reason.as_deref(), Some(not_enrolled));
    let giulia = server.user("demo", GIULIA_OPERATOR).await;
    let roster = |day: &'static str| {
        let giulia = &giulia;
        async move {
            let rows: Vec<AttendanceRow> = giulia
                .get_ok(&format!(
                    "{}?service_id={}&day={day}",
                    paths::roster(),
                    sofia.1
                ))
                .await;
            rows.iter().any(|r| r.child_id == sofia.0)
        }
    };
    assert!(!roster("2026-11-25").await);

    // With next year's calendar, in September her card's days are booked.
    let calendar = serde_json::json!({ "first_day": "2027-09-13", "last_day": "2028-06-09", "serving_weekdays": [1, 2, 3, 4, 5] });
    let set = giulia.put(&paths::calendar(sofia.1), &calendar).await;
    assert_eq!(set.status(), StatusCode::OK);
    server
        .advance_clock(std::time::Duration::from_secs(294 * 24 * 3600))
        .await;
    let mario = server.user("demo", MARIO).await;
    let booked = book(&mario, sofia, "2027-09-15", "absent").await;
    assert_eq!(booked.days.len(), 1);
    let september = month(&mario, sofia, "2027-09").await;
    assert_eq!(choice_on(&september, 15), Some(MealChoice::Absent));
    let giulia = server.user("demo", GIULIA_OPERATOR).await;
    let rows: Vec<AttendanceRow> = giulia
        .get_ok(&format!(
            "{}?service_id={}&day=2027-09-16",
            paths::roster(),
            sofia.1
        ))
        .await;
    assert!(rows.iter().any(|r| r.child_id == sofia.0));
}
