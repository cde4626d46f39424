//! Fine anno scolastico: in May the office asks ahead the family of a child leaving
//! (the last class of the primaria), who answers with a refund before the credit is
//! known; the office closes the year (once), every account with credit and no child in
//! the service next year is listed, the answer given ahead applies; a family moves its
//! credit to the service a sibling attends next year (two movements, once); the office
//! records the refund asked for (once, however often it is recorded); bad IBANs,
//! other families, other comuni, a guardian at the office's pages and a choice after the
//! deadline are refused in Italian.

use std::time::Duration;

use e2e::{
    field_error, json, problem, TestServer, User, ANNA, CARLO_OPERATOR_ESEMPIO, GIULIA_OPERATOR,
    MARIO, MARTA_ADMIN,
};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sportello_model::entes::ServiceDetail;
use sportello_model::letters::{Letter, LetterKind};
use sportello_model::payments::MovementKind;
use sportello_model::year_end::{
    CreditChoice, CreditStatus, FamilyCredit, OfficeCredit, YearEndSummary,
};
use sportello_model::{paths, Page};

/// Monday 10/05/2027, 9:00 in Rome: May of the school year 2026/2027.
const MAY_2027: &str = "2027-05-10T07:00:00Z";
const YEAR: i32 = 2026;
const IBAN: &str = "IT60 X054 2811 1010 0000 0123 456";

fn terms() -> Value {
    json!({ "minimum_refund": "5,00", "choice_deadline": "2027-07-31" })
}

async fn credits(family: &User<'_>) -> Vec<FamilyCredit> {
    family.get_ok(&paths::family_year_end_credits()).await
}

async fn year_end_letters(family: &User<'_>) -> Vec<Letter> {
    let letters: Page<Letter> = family.get_ok(&paths::my_letters()).await;
    letters
        .items
        .into_iter()
        .filter(|l| l.kind == LetterKind::YearEnd)
        .collect()
}

/// Cents as on the wire: `-20.00`.
fn wire(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", cents.abs() / 100, cents.abs() % 100)
}

/// The sum of the account's movements: what the balance must always be.
async fn ledger_sum(server: &TestServer, guardian: &str, service: i64) -> i64 {
    server
        .scalar(&format!(
            "SELECT CAST(COALESCE(SUM(m.amount_cents), 0) AS BIGINT) FROM ledger_movements m \
             JOIN prepaid_accounts a ON a.id = m.account_id \
             JOIN users u ON u.id = a.guardian_id \
             WHERE u.fiscal_code = '{guardian}' AND a.service_id = {service}"
        ))
        .await
}

#[tokio::test]
async fn a_year_ends_with_every_credit_kept_moved_or_refunded_once() {
    let server = TestServer::start_with(&[("SPORTELLO_FAKE_NOW", MAY_2027)]).await;
    let mario = server.user("demo", MARIO).await;
    let anna = server.user("demo", ANNA).await;
    let giulia = server.user("demo", GIULIA_OPERATOR).await;
    let marta = server.user("demo", MARTA_ADMIN).await;
    let refezione = mario.refezione().await.service_id;

    // Anna settles last year's debt and tops up: 20,00 € left. Luca moves to the
    // fifth class of the primaria (Greta's), so he leaves it this year.
    server.recharge_at_counter(&anna, refezione, "43,40").await;
    assert_eq!(anna.balance(refezione).await, "20.00");
    server
        .query(
            "UPDATE enrolments SET class_id = \
             (SELECT MAX(class_id) FROM enrolments WHERE badge = '621493') \
             WHERE badge = '621502'",
        )
        .await;

    // The office's page is the office's.
    assert_eq!(
        mario.get(&paths::year_end(YEAR)).await.status(),
        StatusCode::FORBIDDEN
    );
    let early = problem(
        giulia.get(&paths::year_end(YEAR + 1)).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(early.detail, "Scegli un anno scolastico fino al 2026/2027.");

    // May: asked ahead. Greta leaves too, but Sofia stays in the canteen: Mario is not
    // asked. Bad terms are refused per field.
    let bad = giulia
        .post(
            &paths::year_end_ask_ahead(YEAR),
            &json!({ "minimum_refund": "-1", "choice_deadline": "2027-05-10" }),
        )
        .await;
    let bad = problem(bad, StatusCode::BAD_REQUEST).await;
    let fields: Vec<&str> = bad.errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["minimum_refund", "choice_deadline"]);
    let asked: YearEndSummary = json(
        giulia
            .post(&paths::year_end_ask_ahead(YEAR), &terms())
            .await,
        StatusCode::OK,
    )
    .await;
    assert!(asked.asked_at.is_some() && asked.closed_at.is_none());
    assert_eq!(asked.statuses.len(), 1);
    assert_eq!(
        (asked.statuses[0].status, asked.statuses[0].count),
        (CreditStatus::Awaiting, 1)
    );
    assert!(credits(&mario).await.is_empty());
    let ahead = credits(&anna).await;
    assert_eq!(ahead.len(), 1);
    let luca = &ahead[0];
    assert!(luca.asked_ahead && !luca.closed && luca.open);
    assert_eq!(luca.credit.to_string(), "20.00");
    assert_eq!(luca.school_year, "2026/2027");
    let letters = year_end_letters(&anna).await;
    assert_eq!(letters.len(), 1);
    assert_eq!(
        letters[0].title,
        "Credito del servizio Refezione Scolastica: scegli entro il 31/07/2027"
    );
    // Asked again: Anna is not asked twice.
    giulia
        .post(&paths::year_end_ask_ahead(YEAR), &terms())
        .await;
    assert_eq!(year_end_letters(&anna).await.len(), 1);

    // Anna answers: a refund needs an Italian IBAN and her word that it is hers.
    let choice = paths::family_year_end_credit(luca.id);
    let res = anna
        .put(&choice, &json!({ "choice": "refund", "iban": "DE89370400440532013000", "holder_confirmed": true }))
        .await;
    assert_eq!(
        field_error(res, "iban").await,
        "L'IBAN deve essere di un conto italiano (inizia con IT)."
    );
    let res = anna
        .put(&choice, &json!({ "choice": "refund", "iban": IBAN }))
        .await;
    assert_eq!(
        field_error(res, "holder_confirmed").await,
        "Conferma che il conto è intestato a te: il Comune rimborsa solo sul conto di chi ha pagato."
    );
    let chosen: FamilyCredit = json(
        anna.put(
            &choice,
            &json!({ "choice": "refund", "iban": IBAN, "holder_confirmed": true }),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(chosen.status, CreditStatus::Chosen);
    assert_eq!(chosen.iban.as_deref(), Some("IT60 •••• 3456"));
    // Nobody else's credit.
    assert_eq!(
        mario
            .put(&choice, &json!({ "choice": "carry_over" }))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );

    // Sofia goes to the summer centre next year, a prepaid service of its own.
    let service: ServiceDetail = json(
        marta
            .post(
                &paths::office_services(),
                &json!({ "code": "EST", "name": "Centro Estivo", "kind": "prepaid", "active": true }),
            )
            .await,
        StatusCode::CREATED,
    )
    .await;
    let estivo = service.service.id;
    server
        .query(&format!(
            "INSERT INTO enrolments (ente_id, child_id, service_id, badge, school_id, class_id, \
             fee_band, quota_cents, meal_price_cents, meal_type, active, school_year) \
             SELECT ente_id, child_id, {estivo}, '990001', school_id, NULL, \
             'Fascia unica', 0, 500, 'PASTO BASE', TRUE, '2027/2028' \
             FROM enrolments WHERE badge = '621494' AND service_id = {refezione}"
        ))
        .await;
    server.recharge_at_counter(&mario, refezione, "30").await;
    let mario_credit = mario.balance(refezione).await;
    assert!(
        !mario_credit.starts_with('-') && mario_credit != "0.00",
        "{mario_credit}"
    );

    // The office closes the year: once.
    let before: YearEndSummary = giulia.get_ok(&paths::year_end(YEAR)).await;
    assert_eq!(before.to_list, 2, "Mario's and Anna's canteen accounts");
    let closed: YearEndSummary = json(
        giulia.post(&paths::year_end_close(YEAR), &terms()).await,
        StatusCode::OK,
    )
    .await;
    assert!(closed.closed_at.is_some());
    let again = problem(
        giulia.post(&paths::year_end_close(YEAR), &terms()).await,
        StatusCode::CONFLICT,
    )
    .await;
    assert_eq!(
        again.detail,
        "L'anno scolastico 2026/2027 è già stato chiuso."
    );
    let requested = format!("{}?status=refund_requested", paths::year_end_credits(YEAR));
    let to_refund: Page<OfficeCredit> = giulia.get_ok(&requested).await;
    assert_eq!(to_refund.total, 1);
    let anna_credit = &to_refund.items[0];
    assert_eq!(anna_credit.guardian, "Anna Colombo");
    assert_eq!(
        anna_credit.credit.map(|c| c.to_string()).as_deref(),
        Some("20.00")
    );
    assert_eq!(
        anna_credit.iban.as_deref(),
        Some("IT60X0542811101000000123456")
    );
    assert!(anna_credit.asked_ahead);

    // Mario is asked now, and moves the credit to Sofia's summer centre.
    assert_eq!(year_end_letters(&mario).await.len(), 1);
    let mine = credits(&mario).await;
    assert_eq!(mine.len(), 1);
    let credit = &mine[0];
    assert_eq!(credit.credit.to_string(), mario_credit);
    assert!(credit.closed && credit.open && !credit.asked_ahead);
    assert_eq!(credit.transfer_targets.len(), 1);
    assert_eq!(credit.transfer_targets[0].service, "Centro Estivo");
    assert_eq!(credit.transfer_targets[0].children, "Sofia");
    let mario_choice = paths::family_year_end_credit(credit.id);
    let res = mario
        .put(
            &mario_choice,
            &json!({ "choice": "transfer", "target_service_id": refezione }),
        )
        .await;
    assert_eq!(
        field_error(res, "target_service_id").await,
        "Scegli il servizio a cui trasferire il credito."
    );
    let moved: FamilyCredit = json(
        mario
            .put(
                &mario_choice,
                &json!({ "choice": "transfer", "target_service_id": estivo }),
            )
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(moved.status, CreditStatus::Transferred);
    assert_eq!(moved.choice, Some(CreditChoice::Transfer));
    assert!(!moved.open);
    assert_eq!(mario.balance(refezione).await, "0.00");
    assert_eq!(mario.balance(estivo).await, mario_credit);
    let statement = mario.statement(estivo).await;
    assert_eq!(statement.movements.items.len(), 1);
    assert_eq!(statement.movements.items[0].kind, MovementKind::Transfer);
    let twice = problem(
        mario
            .put(
                &mario_choice,
                &json!({ "choice": "transfer", "target_service_id": estivo }),
            )
            .await,
        StatusCode::CONFLICT,
    )
    .await;
    assert_eq!(
        twice.detail,
        "Per questo credito non si può più scegliere: trasferito."
    );

    // The office records Anna's refund, once however often.
    let refund = paths::year_end_refund(anna_credit.id);
    let other_comune = server.spid_user("esempio", CARLO_OPERATOR_ESEMPIO).await;
    assert_eq!(
        other_comune.post_empty(&refund).await.status(),
        StatusCode::NOT_FOUND
    );
    let theirs: YearEndSummary = other_comune.get_ok(&paths::year_end(YEAR)).await;
    assert!(theirs.statuses.is_empty() && theirs.closed_at.is_none());
    let recorded: OfficeCredit = json(giulia.post_empty(&refund).await, StatusCode::CREATED).await;
    assert_eq!(recorded.status, CreditStatus::Refunded);
    let again: OfficeCredit = json(giulia.post_empty(&refund).await, StatusCode::OK).await;
    assert_eq!(again.status, CreditStatus::Refunded);
    assert_eq!(anna.balance(refezione).await, "0.00");
    let statement = anna.statement(refezione).await;
    let refunds: Vec<_> = statement
        .movements
        .items
        .iter()
        .filter(|m| m.kind == MovementKind::Refund)
        .collect();
    assert_eq!(refunds.len(), 1);
    assert_eq!(refunds[0].amount.to_string(), "-20.00");
    // Mario's credit was moved, not asked to be refunded.
    let mine = paths::year_end_refund(credit.id);
    let refused = problem(giulia.post_empty(&mine).await, StatusCode::CONFLICT).await;
    assert_eq!(
        refused.detail,
        "La famiglia non ha chiesto il rimborso: trasferito."
    );

    // Balances are the sums of their ledgers.
    for (family, service, balance) in [
        (MARIO, refezione, mario.balance(refezione).await),
        (MARIO, estivo, mario.balance(estivo).await),
        (ANNA, refezione, anna.balance(refezione).await),
    ] {
        let sum = ledger_sum(&server, family, service).await;
        assert_eq!(wire(sum), balance, "{family} on {service}");
    }

    let summary: YearEndSummary = giulia.get_ok(&paths::year_end(YEAR)).await;
    assert!(summary
        .statuses
        .iter()
        .any(|s| s.status == CreditStatus::Refunded));
}

#[tokio::test]
async fn a_choice_after_the_deadline_is_refused_and_the_credit_stays() {
    let server = TestServer::start_with(&[("SPORTELLO_FAKE_NOW", MAY_2027)]).await;
    let mario = server.user("demo", MARIO).await;
    let giulia = server.user("demo", GIULIA_OPERATOR).await;
    let refezione = mario.refezione().await.service_id;
    server.recharge_at_counter(&mario, refezione, "30").await;
    let balance = mario.balance(refezione).await;
    json::<YearEndSummary>(
        giulia
            .post(
                &paths::year_end_close(YEAR),
                &json!({ "minimum_refund": "100,00", "choice_deadline": "2027-06-30" }),
            )
            .await,
        StatusCode::OK,
    )
    .await;
    let credit = credits(&mario).await.pop().expect("Mario's credit");
    assert_eq!(credit.status, CreditStatus::Awaiting);
    let path = paths::family_year_end_credit(credit.id);
    // Below the minimum, no refund: the credit may stay.
    let res = mario
        .put(
            &path,
            &json!({ "choice": "refund", "iban": IBAN, "holder_confirmed": true }),
        )
        .await;
    assert_eq!(
        field_error(res, "choice").await,
        "Il Comune rimborsa crediti da 100,00 € in su: puoi mantenere il credito o trasferirlo."
    );
    let res = mario
        .put(
            &path,
            &json!({ "choice": "transfer", "target_service_id": refezione }),
        )
        .await;
    assert_eq!(
        field_error(res, "choice").await,
        "Nessun fratello o sorella è iscritto a un altro servizio il prossimo anno: il credito può restare o essere rimborsato."
    );
    server
        .advance_clock(Duration::from_secs(60 * 24 * 3600))
        .await;
    // A new session: the one of May has expired.
    let mario = server.user("demo", MARIO).await;
    let late = problem(
        mario.put(&path, &json!({ "choice": "carry_over" })).await,
        StatusCode::CONFLICT,
    )
    .await;
    assert_eq!(
        late.detail,
        "Il termine per scegliere era il 30/06/2027: il credito resta sul conto. Per un rimborso scrivi all'ufficio scuola."
    );
    assert_eq!(mario.balance(refezione).await, balance);
}

#[tokio::test]
async fn two_closings_at_once_close_the_year_once() {
    let server = TestServer::start_with(&[("SPORTELLO_FAKE_NOW", MAY_2027)]).await;
    let mario = server.user("demo", MARIO).await;
    let giulia = server.user("demo", GIULIA_OPERATOR).await;
    let marta = server.user("demo", MARTA_ADMIN).await;
    let refezione = mario.refezione().await.service_id;
    server.recharge_at_counter(&mario, refezione, "30").await;
    let (close, terms) = (paths::year_end_close(YEAR), terms());
    let (first, second) = tokio::join!(giulia.post(&close, &terms), marta.post(&close, &terms));
    let mut statuses = [first.status(), second.status()];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::CONFLICT]);
    assert_eq!(credits(&mario).await.len(), 1, "listed once");
    assert_eq!(year_end_letters(&mario).await.len(), 1, "asked once");
}
