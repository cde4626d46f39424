//! Solleciti: a family whose canteen account is negative for a week gets the first
//! reminder — a «Sollecito» letter whose e-mail (read from a real SMTP server) asks to
//! pay a fresh pagoPA notice of exactly the debt — once, however many runs there are at
//! once, and the second after three weeks with a fresh notice that replaces the first,
//! withdrawn; paying the notice stops further steps; an overdue retta is reminded with
//! its own notice; two replicas send a step once; the schedule is checked by its rule; a
//! guardian may neither see nor trigger reminders.

use std::time::Duration;

use e2e::smtp::{pairs, smtp_env, SmtpServer};
use e2e::{field_error, json, problem, TestServer, User, ANNA, GIULIA_OPERATOR, MARIO};
use futures_util::future::join_all;
use reqwest::StatusCode;
use serde_json::json;
use sportello_model::children::ChildDetail;
use sportello_model::letters::{Letter, LetterKind};
use sportello_model::payments::{EmissionSummary, Movement, Notice, NoticeStatus};
use sportello_model::reminders::{
    DebtKind, ReminderSchedule, RemindersOverview, RemindersRun, SentReminder,
};
use sportello_model::{paths, Page};
use time::format_description::well_known::Rfc3339;

/// Tuesday 24/11/2026, 09:00 in Rome.
const NOW: &str = "2026-11-24T08:00:00Z";
const ANNA_EMAIL: &str = "anna.colombo@example.it";
const MARIO_EMAIL: &str = "mario.albertini@example.it";
const DAY: Duration = Duration::from_secs(24 * 3600);

async fn turn_on(office: &User<'_>, steps: &[i32]) {
    let body = json!({ "enabled": true, "steps": steps });
    let saved: ReminderSchedule = json(
        office.put(&paths::reminder_schedule(), &body).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(saved.steps, steps);
    assert!(saved.enabled);
}

/// Anna settles last year's 23,40 € at the office, then a 12,50 € debit takes her
/// canteen account below zero today.
async fn anna_owes_12_50_from_today(server: &TestServer, office: &User<'_>) {
    let (_, service) = server.canteen_family(ANNA).await;
    let luca = server.child_named(office.token(), "Luca").await;
    let card: ChildDetail = office.get_ok(&paths::child(luca)).await;
    let movements = paths::family_movements(service, card.guardian_id);
    for (amount, reason, request) in [
        ("23,40", "Pasti non pagati saldati all'ufficio", "r-settled"),
        ("-12,50", "Pasti di novembre", "r-debit"),
    ] {
        let body = json!({ "kind": "adjustment", "amount": amount, "reason": reason, "request_id": request });
        json::<Movement>(office.post(&movements, &body).await, StatusCode::CREATED).await;
    }
}

async fn overview(office: &User<'_>) -> RemindersOverview {
    office.get_ok(&paths::reminders()).await
}

async fn sent_to(office: &User<'_>, family: &str) -> Vec<SentReminder> {
    overview(office)
        .await
        .sent
        .into_iter()
        .filter(|r| r.family == family)
        .collect()
}

async fn run(office: &User<'_>) -> u64 {
    json::<RemindersRun>(
        office.post_empty(&paths::reminders_run()).await,
        StatusCode::OK,
    )
    .await
    .sent
}

async fn reminder_letters(family: &User<'_>) -> Vec<Letter> {
    family
        .get_ok::<Page<Letter>>(&paths::my_letters())
        .await
        .items
        .into_iter()
        .filter(|l| l.kind == LetterKind::Reminder)
        .collect()
}

#[tokio::test]
async fn a_week_negative_brings_the_first_reminder_once_and_three_weeks_the_second() {
    let smtp = SmtpServer::start();
    let server = TestServer::with_smtp(smtp.port, &[("SPORTELLO_FAKE_NOW", NOW)]).await;
    let giulia = server.user("demo", GIULIA_OPERATOR).await;

    // Off until the comune turns it on, with a week and three weeks ready.
    let schedule: ReminderSchedule = giulia.get_ok(&paths::reminder_schedule()).await;
    assert_eq!((schedule.enabled, schedule.steps), (false, vec![7, 21]));
    turn_on(&giulia, &[7, 21]).await;
    anna_owes_12_50_from_today(&server, &giulia).await;

    // Six days: nothing due yet.
    server.advance_clock(6 * DAY).await;
    // The sessions ended with the days gone by.
    let giulia = server.user("demo", GIULIA_OPERATOR).await;
    assert!(overview(&giulia)
        .await
        .due
        .iter()
        .all(|d| d.family != "Anna Colombo"));
    server.advance_clock(2 * DAY).await;
    // The sessions ended with the days gone by.
    let giulia = server.user("demo", GIULIA_OPERATOR).await;
    let anna = server.user("demo", ANNA).await;
    let due = overview(&giulia).await.due;
    let anna_due = due
        .iter()
        .find(|d| d.family == "Anna Colombo")
        .expect("Anna's debt is due after eight days");
    assert_eq!(anna_due.kind, DebtKind::NegativeBalance);
    assert_eq!(anna_due.kind_label, "Conto negativo");
    assert_eq!(anna_due.debt, "Refezione Scolastica");
    assert_eq!(anna_due.amount.to_string(), "12.50");
    assert_eq!(anna_due.step, 1);

    // «Invia ora» four times at once: the step goes once.
    let runs = join_all((0..4).map(|_| run(&giulia))).await;
    let sent = sent_to(&giulia, "Anna Colombo").await;
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(
        runs.iter().sum::<u64>(),
        overview(&giulia).await.sent.len() as u64
    );
    let first = &sent[0];
    assert_eq!((first.step, first.paid), (1, false));
    assert_eq!(first.amount.to_string(), "12.50");
    assert_eq!(run(&giulia).await, 0, "run again: nothing more");

    // The letter, and its e-mail, ask to pay a fresh notice of exactly the debt.
    let letters = reminder_letters(&anna).await;
    assert_eq!(letters.len(), 1);
    assert_eq!(letters[0].kind_label, "Sollecito");
    assert_eq!(
        letters[0].title,
        "Sollecito di pagamento: conto Refezione Scolastica"
    );
    let mails = smtp.wait_for(ANNA_EMAIL, 1, Duration::from_secs(15)).await;
    assert_eq!(mails.len(), 1);
    assert_eq!(
        mails[0].subject(),
        "Comune di Demo: Sollecito di pagamento: conto Refezione Scolastica"
    );
    let text = mails[0].text();
    assert!(
        text.contains("negativo di 12,50 € dal 24/11/2026"),
        "{text}"
    );
    assert!(text.contains(&first.notice_number), "{text}");
    let (_, service) = server.canteen_family(ANNA).await;
    let notices: Page<Notice> = anna.get_ok(&paths::service_notices(service)).await;
    let notice = notices
        .items
        .iter()
        .find(|n| n.notice_number == first.notice_number)
        .expect("the reminder's notice among Anna's");
    assert_eq!(notice.amount.to_string(), "12.50");

    // Three weeks: the second step, once.
    server.advance_clock(13 * DAY).await;
    // The sessions ended with the days gone by.
    let giulia = server.user("demo", GIULIA_OPERATOR).await;
    let anna = server.user("demo", ANNA).await;
    run(&giulia).await;
    run(&giulia).await;
    let steps: Vec<i32> = sent_to(&giulia, "Anna Colombo")
        .await
        .iter()
        .map(|r| r.step)
        .collect();
    assert_eq!(steps, [2, 1]);
    assert_eq!(reminder_letters(&anna).await.len(), 2);
    assert_eq!(
        smtp.wait_for(ANNA_EMAIL, 2, Duration::from_secs(15))
            .await
            .len(),
        2
    );

    // The second step's fresh notice replaces the first, withdrawn: the debt cannot be
    // paid twice.
    let second = sent_to(&giulia, "Anna Colombo").await.remove(0);
    assert_ne!(second.notice_number, first.notice_number);
    let notices: Page<Notice> = anna.get_ok(&paths::service_notices(service)).await;
    let status = |number: &str| {
        notices
            .items
            .iter()
            .find(|n| n.notice_number == number)
            .map(|n| n.status)
    };
    assert_eq!(status(&first.notice_number), Some(NoticeStatus::Cancelled));
    assert_eq!(status(&second.notice_number), Some(NoticeStatus::Open));
}

#[tokio::test]
async fn a_family_that_pays_gets_no_further_reminder() {
    let server = TestServer::start_with(&[("SPORTELLO_FAKE_NOW", NOW)]).await;
    let giulia = server.user("demo", GIULIA_OPERATOR).await;
    turn_on(&giulia, &[7, 21]).await;
    anna_owes_12_50_from_today(&server, &giulia).await;
    server.advance_clock(8 * DAY).await;
    // The sessions ended with the days gone by.
    let giulia = server.user("demo", GIULIA_OPERATOR).await;
    run(&giulia).await;
    let first = sent_to(&giulia, "Anna Colombo").await.remove(0);

    // Anna pays the reminder's notice at a tobacconist: her account is back to zero.
    server.pay_at_counter(&first.notice_number).await;
    let (anna, service) = server.canteen_family(ANNA).await;
    assert_eq!(anna.balance(service).await, "0.00");

    server.advance_clock(14 * DAY).await;
    // The sessions ended with the days gone by.
    let giulia = server.user("demo", GIULIA_OPERATOR).await;
    assert!(overview(&giulia)
        .await
        .due
        .iter()
        .all(|d| d.family != "Anna Colombo"));
    run(&giulia).await;
    let sent = sent_to(&giulia, "Anna Colombo").await;
    assert_eq!(sent.len(), 1, "no second step: {sent:?}");
    assert!(sent[0].paid, "the office sees the debt settled");
}

#[tokio::test]
async fn an_overdue_retta_is_reminded_with_its_own_notice() {
    let smtp = SmtpServer::start();
    let server = TestServer::with_smtp(smtp.port, &[("SPORTELLO_FAKE_NOW", NOW)]).await;
    let giulia = server.user("demo", GIULIA_OPERATOR).await;
    let mario = server.user("demo", MARIO).await;
    turn_on(&giulia, &[7]).await;
    let rette: Page<EmissionSummary> = mario.get_ok(&paths::emissions()).await;
    let december = rette
        .items
        .iter()
        .find(|e| e.title == "Retta Dicembre 2026")
        .expect("the demo retta due in 35 days (November's is paid)")
        .clone();

    // Due in 35 days, then seven more: the first step.
    server.advance_clock(41 * DAY).await;
    // The sessions ended with the days gone by.
    let giulia = server.user("demo", GIULIA_OPERATOR).await;
    run(&giulia).await;
    assert!(
        sent_to(&giulia, "Mario Albertini").await.is_empty(),
        "six days late: not yet"
    );
    server.advance_clock(DAY).await;
    let giulia = server.user("demo", GIULIA_OPERATOR).await;
    run(&giulia).await;
    let sent = sent_to(&giulia, "Mario Albertini").await;
    let retta: Vec<&SentReminder> = sent
        .iter()
        .filter(|r| r.kind == DebtKind::OverdueEmission)
        .collect();
    assert_eq!(retta.len(), 1, "{sent:?}");
    assert_eq!(retta[0].debt, "Retta Dicembre 2026");
    assert_eq!(retta[0].kind_label, "Retta scaduta");
    assert_eq!(retta[0].amount, december.amount);
    // The retta's own notice, still payable: no second notice to pay it twice with.
    assert_eq!(retta[0].notice_number, december.document_number);
    let mails = smtp.wait_for(MARIO_EMAIL, 1, Duration::from_secs(15)).await;
    let text = mails
        .iter()
        .map(|m| m.text())
        .find(|t| t.contains("«Retta Dicembre 2026»"))
        .expect("the reminder's e-mail");
    assert!(text.contains("61,20 €"), "{text}");
    assert!(text.contains("entro il 29/12/2026"), "{text}");
    assert!(text.contains(&december.document_number), "{text}");
}

#[tokio::test]
async fn two_replicas_send_a_step_once() {
    let smtp = SmtpServer::start();
    let env = smtp_env(smtp.port);
    let mut first_env = pairs(&env);
    first_env.push(("SPORTELLO_FAKE_NOW", NOW));
    let server = TestServer::start_with(&first_env).await;
    let giulia = server.user("demo", GIULIA_OPERATOR).await;
    turn_on(&giulia, &[7, 21]).await;
    anna_owes_12_50_from_today(&server, &giulia).await;
    let later = server
        .advance_clock(8 * DAY)
        .await
        .format(&Rfc3339)
        .unwrap();
    // The sessions ended with the days gone by.
    let giulia = server.user("demo", GIULIA_OPERATOR).await;

    // The second replica's daily job runs as it starts, while the office presses «Invia
    // ora» on both.
    let mut second_env = pairs(&env);
    second_env.push(("SPORTELLO_FAKE_NOW", &later));
    let replica = server.replica(&second_env).await;
    let giulia_there = replica.user("demo", GIULIA_OPERATOR).await;
    tokio::join!(run(&giulia), run(&giulia_there));

    let anna_reminders = "SELECT COUNT(*) FROM reminders r JOIN users u ON u.id = r.guardian_id \
                          WHERE u.first_name = 'Anna'";
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    while server.scalar::<i64>(anna_reminders).await == 0 && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(server.scalar::<i64>(anna_reminders).await, 1);
    assert_eq!(
        server
            .scalar::<i64>("SELECT COUNT(*) FROM letters WHERE kind = 'reminder'")
            .await,
        server.scalar::<i64>("SELECT COUNT(*) FROM reminders").await,
        "no letter without its reminder"
    );
    smtp.wait_for(ANNA_EMAIL, 1, Duration::from_secs(15)).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let mails = smtp.wait_for(ANNA_EMAIL, 1, Duration::ZERO).await;
    assert_eq!(mails.len(), 1, "one e-mail to Anna");
}

#[tokio::test]
async fn the_schedule_is_checked_and_only_the_office_manages_reminders() {
    let server = TestServer::start().await;
    let giulia = server.user("demo", GIULIA_OPERATOR).await;
    let anna = server.user("demo", ANNA).await;
    let put = |steps: serde_json::Value| {
        let giulia = &giulia;
        async move {
            giulia
                .put(
                    &paths::reminder_schedule(),
                    &json!({ "enabled": true, "steps": steps }),
                )
                .await
        }
    };
    for (steps, expected) in [
        (json!([21, 7]), "ordine crescente"),
        (json!([7, 7]), "senza ripetizioni"),
        (json!([]), "Indica almeno un sollecito"),
        (json!([0, 7]), "tra 1 e 365 giorni"),
        (json!([7, 400]), "400 non è ammesso"),
        (json!([1, 2, 3, 4, 5, 6]), "al massimo 5"),
    ] {
        let message = field_error(put(steps.clone()).await, "steps").await;
        assert!(message.contains(expected), "{steps}: {message}");
    }
    // Nothing was stored.
    let schedule: ReminderSchedule = giulia.get_ok(&paths::reminder_schedule()).await;
    assert!(!schedule.enabled);

    for res in [
        anna.get(&paths::reminders()).await,
        anna.get(&paths::reminder_schedule()).await,
        anna.post_empty(&paths::reminders_run()).await,
        anna.put(
            &paths::reminder_schedule(),
            &json!({ "enabled": false, "steps": [7] }),
        )
        .await,
    ] {
        let refused = problem(res, StatusCode::FORBIDDEN).await;
        assert_eq!(
            refused.detail,
            "Il tuo profilo non consente questa operazione."
        );
    }
}
