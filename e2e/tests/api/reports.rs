//! Report: Incassi count a payment at a counter and one online (delivered twice) once
//! each, per day and channel, and their CSV says the same; Morosi lists the family whose
//! account is below zero and the one whose retta is past its due date, with the days
//! and the reminder sent from it; the meals charged for a day are the month's meals served, and
//! the balances at a past date differ from today's by what the ledger moved since; a
//! period is checked; canteen staff and families get 403, no login 401, and another
//! comune's operator sees nothing of Comune di Demo's.

use std::time::Duration;

use e2e::payments::receipt;
use e2e::{
    client, field_error, json, problem, TestServer, ANNA, CARLO_OPERATOR_ESEMPIO, GIULIA_OPERATOR,
    MARIO, PAOLO_CANTEEN,
};
use reqwest::{Response, StatusCode};
use serde_json::json;
use sportello_model::bookings::ChargeReport;
use sportello_model::children::ChildDetail;
use sportello_model::paths;
use sportello_model::payments::Movement;
use sportello_model::reminders::RemindersRun;
use sportello_model::reports::{
    BalancesReport, DebtorsReport, MealsReport, ReceiptChannel, ReceiptsReport,
};

/// Tuesday 24/11/2026, 10:00 in Rome.
const NOW: &str = "2026-11-24T09:00:00Z";
const DAY: Duration = Duration::from_secs(24 * 3600);

async fn server() -> TestServer {
    TestServer::start_with(&[
        ("SPORTELLO_FAKE_NOW", NOW),
        ("SPORTELLO_CHARGE_JOB", "false"),
    ])
    .await
}

fn receipts_path(csv: bool, from: &str, to: &str) -> String {
    let path = if csv {
        paths::report_receipts_csv()
    } else {
        paths::report_receipts()
    };
    format!("{path}?from={from}&to={to}")
}

fn meals_path(csv: bool, month: &str) -> String {
    let path = if csv {
        paths::report_meals_csv()
    } else {
        paths::report_meals()
    };
    format!("{path}?month={month}")
}

fn balances_path(csv: bool, on: &str) -> String {
    let path = if csv {
        paths::report_balances_csv()
    } else {
        paths::report_balances()
    };
    format!("{path}?on={on}")
}

/// The CSV body of an answer, asserting its type.
async fn csv(res: Response) -> String {
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "text/csv; charset=utf-8");
    res.text().await.unwrap()
}

/// A channel's (count, amount) in the report.
fn channel(report: &ReceiptsReport, channel: ReceiptChannel) -> (u64, String) {
    report
        .channels
        .iter()
        .find(|c| c.channel == channel)
        .map_or((0, "0.00".into()), |c| (c.count, c.amount.to_string()))
}

/// Cents of an amount on the wire (`"-12.50"`).
fn cents(amount: &str) -> i64 {
    let (units, decimals) = amount.split_once('.').expect("two decimals");
    let value = units.trim_start_matches('-').parse::<i64>().unwrap() * 100
        + decimals.parse::<i64>().unwrap();
    if amount.starts_with('-') {
        -value
    } else {
        value
    }
}

#[tokio::test]
async fn incassi_count_each_payment_once_per_day_and_channel() {
    let server = server().await;
    let giulia = server.user("demo", GIULIA_OPERATOR).await;
    let carlo = server.spid_user("esempio", CARLO_OPERATOR_ESEMPIO).await;
    let period = receipts_path(false, "2026-11-23", "2026-11-24");
    let before: ReceiptsReport = giulia.get_ok(&period).await;
    let esempio_before: ReceiptsReport = carlo.get_ok(&period).await;

    // Anna recharges 25,00 € at a tobacconist today; Mario's 10,00 € notice is paid
    // by card, its receipt delivered twice by the node (paid on 23/11).
    let (anna, service) = server.canteen_family(ANNA).await;
    let at_counter = anna.new_notice(service, "25,00").await;
    let page = server.pay_at_counter(&at_counter.notice_number).await;
    assert!(page.contains("Pagamento eseguito"), "{page}");
    let mario = server.user("demo", MARIO).await;
    let online = mario.new_notice(service, "10,00").await;
    let paid = receipt("RT-REPORT-1", &online, "10.00", "CP");
    assert_eq!(server.receipt_outcome(&paid).await, "OK");
    assert_eq!(server.receipt_outcome(&paid).await, "PAA_RECEIPT_DUPLICATA");

    let after: ReceiptsReport = giulia.get_ok(&period).await;
    assert_eq!(after.count, before.count + 2, "{after:?}");
    assert_eq!(
        cents(&after.amount.to_string()),
        cents(&before.amount.to_string()) + 3500
    );
    let (counter_before, online_before) = (
        channel(&before, ReceiptChannel::Counter),
        channel(&before, ReceiptChannel::Online),
    );
    let (counter_after, online_after) = (
        channel(&after, ReceiptChannel::Counter),
        channel(&after, ReceiptChannel::Online),
    );
    assert_eq!(counter_after.0, counter_before.0 + 1);
    assert_eq!(cents(&counter_after.1), cents(&counter_before.1) + 2500);
    assert_eq!(online_after.0, online_before.0 + 1);
    assert_eq!(cents(&online_after.1), cents(&online_before.1) + 1000);
    let card = after
        .rows
        .iter()
        .find(|r| r.psp == "Banca di Prova" && r.method == "Carta di pagamento")
        .expect("the card payment's row");
    assert_eq!(card.day.to_string(), "2026-11-23");
    assert_eq!(card.channel_label, "Online");
    let counter = after
        .rows
        .iter()
        .find(|r| r.channel == ReceiptChannel::Counter && r.day.to_string() == "2026-11-24")
        .expect("today's counter row");
    assert_eq!(counter.channel_label, "Sportello");
    assert_eq!(counter.method, "Pagamento allo sportello");

    // The CSV: the same rows.
    let body = csv(giulia
        .get(&receipts_path(true, "2026-11-23", "2026-11-24"))
        .await)
    .await;
    let lines: Vec<&str> = body.lines().collect();
    assert_eq!(
        lines[0],
        "\u{feff}Giorno;Canale;Metodo;PSP;Pagamenti;Importo"
    );
    assert_eq!(lines.len(), after.rows.len() + 1, "{body}");
    let counter_line = format!(
        "2026-11-24;Sportello;Pagamento allo sportello;{};{};{}",
        counter.psp, counter.count, counter.amount
    );
    assert!(lines.contains(&counter_line.as_str()), "{body}");

    // Another comune's office sees none of it.
    let esempio_after: ReceiptsReport = carlo.get_ok(&period).await;
    assert_eq!(esempio_after, esempio_before);
    assert!(esempio_after.rows.iter().all(|r| r.psp != "Banca di Prova"));

    // The period is checked, in Italian, on its field.
    let backwards = giulia
        .get(&receipts_path(false, "2026-11-24", "2026-11-01"))
        .await;
    assert!(field_error(backwards, "to")
        .await
        .contains("non può precedere quella iniziale"));
    let too_long = giulia
        .get(&receipts_path(false, "2026-01-01", "2027-01-02"))
        .await;
    assert!(field_error(too_long, "to")
        .await
        .contains("al massimo un anno"));
    let not_a_day = giulia
        .get(&receipts_path(false, "2026-11-31", "2026-12-01"))
        .await;
    assert!(field_error(not_a_day, "from").await.contains("AAAA-MM-GG"));
}

#[tokio::test]
async fn morosi_lists_the_family_below_zero_with_its_days_and_reminder() {
    let server = server().await;
    let giulia = server.user("demo", GIULIA_OPERATOR).await;
    let anna_row =
        |report: &DebtorsReport| report.rows.iter().find(|d| d.fiscal_code == ANNA).cloned();

    // Last school year's meals left Anna 23,40 € below zero.
    let report: DebtorsReport = giulia.get_ok(&paths::report_debtors()).await;
    let anna = anna_row(&report).expect("Anna is in debt");
    assert_eq!(anna.family, "Anna Colombo");
    assert_eq!(anna.balance.to_string(), "-23.40");
    assert_eq!(anna.last_reminder_step, None);
    assert_eq!(anna.days_overdue, 30, "since the demo's correction");

    // She settles it at the office, then a 12,50 € debit takes her below zero today.
    let luca = server.child_named(giulia.token(), "Luca").await;
    let card: ChildDetail = giulia.get_ok(&paths::child(luca)).await;
    let (_, service) = server.canteen_family(ANNA).await;
    let movements = paths::family_movements(service, card.guardian_id);
    for (amount, reason, request) in [
        ("23,40", "Pasti non pagati saldati all'ufficio", "r-settled"),
        ("-12,50", "Pasti di novembre", "r-debit"),
    ] {
        let body = json!({ "kind": "adjustment", "amount": amount, "reason": reason, "request_id": request });
        json::<Movement>(giulia.post(&movements, &body).await, StatusCode::CREATED).await;
    }
    // Mario's family gets a 30,00 € retta due on Friday.
    let mario = server.user("demo", MARIO).await;
    let retta = json!({
        "guardian_fiscal_code": MARIO,
        "service_id": mario.trasporto().await.service_id,
        "title": "Retta Dicembre 2026",
        "due_date": "2026-11-27",
        "lines": [{ "description": "Trasporto scolastico", "amount": "30,00" }]
    });
    let issued = giulia.post(&paths::emit(), &retta).await;
    assert_eq!(issued.status(), StatusCode::CREATED);
    let report: DebtorsReport = giulia.get_ok(&paths::report_debtors()).await;
    assert!(
        report.rows.iter().all(|d| d.fiscal_code != MARIO),
        "not due yet"
    );
    let anna = anna_row(&report).expect("Anna is in debt again");
    assert_eq!(
        (anna.balance.to_string(), anna.days_overdue),
        ("-12.50".into(), 0)
    );

    // Eight days on: Mario's retta is five days overdue, and the office sends the
    // reminders due from the report's page.
    server.advance_clock(8 * DAY).await;
    let giulia = server.user("demo", GIULIA_OPERATOR).await;
    let schedule = json!({ "enabled": true, "steps": [7, 21] });
    let saved = giulia.put(&paths::reminder_schedule(), &schedule).await;
    assert_eq!(saved.status(), StatusCode::OK);
    let run: RemindersRun = json(
        giulia.post_empty(&paths::reminders_run()).await,
        StatusCode::OK,
    )
    .await;
    assert!(run.sent >= 1, "{run:?}");
    let report: DebtorsReport = giulia.get_ok(&paths::report_debtors()).await;
    let anna = anna_row(&report).expect("Anna is still in debt");
    assert_eq!(anna.days_overdue, 8);
    assert_eq!(anna.last_reminder_step, Some(1));
    assert_eq!(anna.overdue.to_string(), "0.00");
    let mario = report
        .rows
        .iter()
        .find(|d| d.fiscal_code == MARIO)
        .expect("Mario's retta is overdue");
    assert_eq!(
        (mario.overdue.to_string(), mario.days_overdue),
        ("30.00".into(), 5)
    );
    assert_eq!(mario.last_reminder_step, None, "five days: no step yet");
    let total: i64 = report
        .rows
        .iter()
        .map(|d| cents(&d.balance.to_string()))
        .sum();
    assert_eq!(total, cents(&report.balance.to_string()));

    let body = csv(giulia.get(&paths::report_debtors_csv()).await).await;
    let lines: Vec<&str> = body.lines().collect();
    assert_eq!(
        lines[0],
        "\u{feff}Intestatario;Codice fiscale;Saldo negativo;Rette scadute;Giorni di ritardo;Ultimo sollecito"
    );
    assert_eq!(lines.len(), report.rows.len() + 1);
    assert!(
        lines.contains(&format!("Anna Colombo;{ANNA};-12.50;0.00;8;1° sollecito").as_str()),
        "{body}"
    );

    // Another comune's office sees none of Demo's families.
    let carlo = server.spid_user("esempio", CARLO_OPERATOR_ESEMPIO).await;
    let esempio: DebtorsReport = carlo.get_ok(&paths::report_debtors()).await;
    assert!(esempio
        .rows
        .iter()
        .all(|d| d.fiscal_code != ANNA && d.fiscal_code != MARIO));
}

#[tokio::test]
async fn meals_served_and_balances_follow_the_ledger() {
    let server = server().await;
    let giulia = server.user("demo", GIULIA_OPERATOR).await;
    let before: MealsReport = giulia.get_ok(&meals_path(false, "2026-11")).await;
    let pascoli: i64 = before
        .rows
        .iter()
        .filter(|r| r.school == "Scuola Primaria Pascoli")
        .map(|r| r.meals)
        .sum();
    assert!(pascoli > 0, "the demo week's meals: {before:?}");

    // Monday's meals: Luca's is not charged yet (4,20 €).
    let (anna, service) = server.canteen_family(ANNA).await;
    let body = json!({ "service_id": service, "day": "2026-11-23" });
    let charged: ChargeReport =
        json(giulia.post(&paths::charges(), &body).await, StatusCode::OK).await;
    assert_eq!(charged.charged, 1, "{charged:?}");
    let after: MealsReport = giulia.get_ok(&meals_path(false, "2026-11")).await;
    assert_eq!(after.meals, before.meals + 1);
    assert_eq!(
        cents(&after.amount.to_string()),
        cents(&before.amount.to_string()) + 420
    );
    assert!(after.rows.iter().all(|r| !r.band.is_empty()));
    let october: MealsReport = giulia.get_ok(&meals_path(false, "2026-10")).await;
    assert_eq!(october.meals, 0, "{october:?}");
    let body = csv(giulia.get(&meals_path(true, "2026-11")).await).await;
    let lines: Vec<&str> = body.lines().collect();
    assert_eq!(lines[0], "\u{feff}Servizio;Scuola;Fascia;Pasti;Importo");
    assert_eq!(lines.len(), after.rows.len() + 1);
    let first = &after.rows[0];
    assert_eq!(
        lines[1],
        format!(
            "{};{};{};{};{}",
            first.service, first.school, first.band, first.meals, first.amount
        )
    );

    // Balances: today's are the statements'; a week ago, before the demo's recharge,
    // Mario's was nothing, the day of it 50,00 €; on Sunday Anna's did not have
    // Monday's meal yet.
    let today: BalancesReport = giulia.get_ok(&balances_path(false, "2026-11-24")).await;
    let sunday: BalancesReport = giulia.get_ok(&balances_path(false, "2026-11-22")).await;
    let week_ago: BalancesReport = giulia.get_ok(&balances_path(false, "2026-11-15")).await;
    let recharged: BalancesReport = giulia.get_ok(&balances_path(false, "2026-11-16")).await;
    let of = |report: &BalancesReport, fiscal_code: &str| {
        report
            .rows
            .iter()
            .find(|b| b.fiscal_code == fiscal_code && b.service == "Refezione Scolastica")
            .map(|b| b.balance.to_string())
            .unwrap_or_else(|| panic!("{fiscal_code}'s account: {report:?}"))
    };
    assert_eq!(of(&today, ANNA), anna.balance(service).await);
    assert_eq!(of(&today, ANNA), "-27.60");
    assert_eq!(of(&sunday, ANNA), "-23.40");
    let mario = server.user("demo", MARIO).await;
    assert_eq!(of(&today, MARIO), mario.balance(service).await);
    assert_eq!(of(&week_ago, MARIO), "0.00");
    assert_eq!(of(&recharged, MARIO), "50.00");
    assert_ne!(today.total, week_ago.total);
    let total: i64 = today
        .rows
        .iter()
        .map(|b| cents(&b.balance.to_string()))
        .sum();
    assert_eq!(total, cents(&today.total.to_string()));
    let body = csv(giulia.get(&balances_path(true, "2026-11-22")).await).await;
    let lines: Vec<&str> = body.lines().collect();
    assert_eq!(
        lines[0],
        "\u{feff}Data;Intestatario;Codice fiscale;Servizio;Saldo"
    );
    assert!(
        lines.contains(
            &format!("2026-11-22;Anna Colombo;{ANNA};Refezione Scolastica;-23.40").as_str()
        ),
        "{body}"
    );

    // Another comune's office sees none of Demo's accounts or meals.
    let carlo = server.spid_user("esempio", CARLO_OPERATOR_ESEMPIO).await;
    let esempio: BalancesReport = carlo.get_ok(&balances_path(false, "2026-11-24")).await;
    assert!(esempio
        .rows
        .iter()
        .all(|b| b.fiscal_code != ANNA && b.fiscal_code != MARIO));
    let esempio_meals: MealsReport = carlo.get_ok(&meals_path(false, "2026-11")).await;
    assert!(esempio_meals
        .rows
        .iter()
        .all(|r| r.school != "Scuola Primaria Pascoli"));
    let bad_month = giulia.get(&meals_path(false, "2026-13")).await;
    assert!(field_error(bad_month, "month").await.contains("AAAA-MM"));
}

#[tokio::test]
async fn only_the_office_reads_the_reports() {
    let server = server().await;
    let paolo = server.user("demo", PAOLO_CANTEEN).await;
    let mario = server.user("demo", MARIO).await;
    let every = [
        receipts_path(false, "2026-11-01", "2026-11-24"),
        receipts_path(true, "2026-11-01", "2026-11-24"),
        paths::report_debtors(),
        paths::report_debtors_csv(),
        meals_path(false, "2026-11"),
        meals_path(true, "2026-11"),
        balances_path(false, "2026-11-24"),
        balances_path(true, "2026-11-24"),
    ];
    for path in &every {
        for user in [&paolo, &mario] {
            let refused = problem(user.get(path).await, StatusCode::FORBIDDEN).await;
            assert_eq!(
                refused.detail, "Il tuo profilo non consente questa operazione.",
                "{path}"
            );
        }
        let anonymous = client().get(server.api(path)).send().await.unwrap();
        assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED, "{path}");
    }
}
