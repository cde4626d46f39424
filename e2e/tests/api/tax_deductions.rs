//! Detrazione fiscale: two families pay through pagoPA across two years (a retta at the
//! counter in December, rette and recharges the next year, one receipt paid by someone
//! other than the account holder, a refund); the office reads the year (the previous
//! year's payment is not in it, the refund is netted, the other payer's receipt is
//! flagged), generates the certificates twice (one letter per family, one e-mail each),
//! the family's PDF names the codici fiscali with Italian amounts, the CSV's rows are
//! exact; a family gets 403, another comune sees nothing of it, an open year cannot be
//! generated.

use std::time::Duration;

use e2e::payments::{pdf_words, receipt};
use e2e::{json, problem, TestServer, User, ANNA, CARLO_OPERATOR_ESEMPIO, GIULIA_OPERATOR, MARIO};
use reqwest::StatusCode;
use serde_json::json;
use sportello_model::letters::{Letter, LetterKind};
use sportello_model::payments::{EmissionStatus, EmissionSummary, Movement};
use sportello_model::tax_deduction::{TaxDeductionGenerated, TaxDeductionReport};
use sportello_model::{paths, Page};
use time::macros::datetime;

/// Thursday 10/12/2025, 10:00 in Rome.
const DECEMBER_2025: &str = "2025-12-10T09:00:00Z";
const TITLE: &str = "Detrazione fiscale 2026: attestazione dei pagamenti";

async fn advance_to(server: &TestServer, to: time::OffsetDateTime) {
    let now = server.now().await;
    server
        .advance_clock(Duration::from_secs((to - now).whole_seconds() as u64))
        .await;
}

/// Pays the family's retta due first of those still to pay, at the counter.
async fn pay_retta(server: &TestServer, family: &User<'_>) {
    let rette: Page<EmissionSummary> = family.get_ok(&paths::emissions()).await;
    let retta = rette
        .items
        .into_iter()
        .filter(|e| e.status == EmissionStatus::ToPay)
        .min_by_key(|e| e.due_date)
        .expect("a retta to pay");
    let notice = family.notice(retta.notice_id).await;
    let page = server.pay_at_counter(&notice.notice_number).await;
    assert!(page.contains("Pagamento eseguito"), "{page}");
}

/// A recharge of `amount` paid at the counter by the account holder.
async fn recharge(server: &TestServer, family: &User<'_>, amount: &str) {
    let service = family.refezione().await.service_id;
    server.recharge_at_counter(family, service, amount).await;
}

#[tokio::test]
async fn the_office_certifies_a_year_of_payments_per_child_once() {
    let server = TestServer::start_with(&[("SPORTELLO_FAKE_NOW", DECEMBER_2025)]).await;
    // December 2025: a retta of Greta, a payment of the year before.
    let mario = server.user("demo", MARIO).await;
    pay_retta(&server, &mario).await;

    // January 2026: the next retta (47,60 €) and a 60,00 € recharge of the family.
    advance_to(&server, datetime!(2026-01-08 09:00 UTC)).await;
    let mario = server.user("demo", MARIO).await;
    pay_retta(&server, &mario).await;
    recharge(&server, &mario, "60,00").await;

    // November 2026: 10,00 € paid by someone else (the receipt's debtor is not Mario),
    // Anna recharges 42,00 € and the office refunds her 12,00 €.
    advance_to(&server, datetime!(2026-11-20 09:00 UTC)).await;
    let mario = server.user("demo", MARIO).await;
    let service = mario.refezione().await.service_id;
    let other = mario.new_notice(service, "10,00").await;
    let paid_by_other = receipt("RT-DETRAZIONE-1", &other, "10.00", "CP");
    assert_eq!(server.receipt_outcome(&paid_by_other).await, "OK");
    let anna = server.user("demo", ANNA).await;
    recharge(&server, &anna, "42,00").await;
    let giulia = server.user("demo", GIULIA_OPERATOR).await;
    let refund = json!({
        "kind": "refund", "amount": "12,00", "reason": "Trasferimento", "request_id": "rimborso-1"
    });
    let refunded = giulia
        .post(&paths::family_movements(service, anna.user.id), &refund)
        .await;
    json::<Movement>(refunded, StatusCode::CREATED).await;

    // The year is open: it can be read, not certified.
    let early = giulia
        .post_empty(&paths::tax_deduction_certificates(2026))
        .await;
    assert_eq!(
        problem(early, StatusCode::CONFLICT).await.detail,
        "Le attestazioni del 2026 si generano dal 1° gennaio 2027, a anno concluso."
    );

    advance_to(&server, datetime!(2027-01-11 09:00 UTC)).await;
    let giulia = server.user("demo", GIULIA_OPERATOR).await;
    let report: TaxDeductionReport = giulia.get_ok(&paths::tax_deductions(2026)).await;
    assert_eq!((report.families, report.children), (2, 3));
    assert_eq!(
        (
            report.paid.to_string(),
            report.refunded.to_string(),
            report.net.to_string()
        ),
        ("159.60".into(), "12.00".into(), "147.60".into()),
        "47,60 + 60,00 + 10,00 + 42,00 paid, Anna's refund netted, December 2025 left out"
    );
    assert_eq!(report.certificates, 0);
    assert_eq!(report.flagged.len(), 1);
    let flagged = &report.flagged[0];
    assert_eq!(flagged.receipt_id, "RT-DETRAZIONE-1");
    assert_eq!(flagged.guardian_fiscal_code, MARIO);
    assert_eq!(
        flagged.payer_fiscal_code.as_deref(),
        Some("CLMNNA85M41F205Z")
    );
    assert_eq!(flagged.amount.to_string(), "10.00");
    let last_year: TaxDeductionReport = giulia.get_ok(&paths::tax_deductions(2025)).await;
    assert_eq!(last_year.families, 1, "the retta paid in December 2025");

    let csv = giulia.get(&paths::tax_deductions_csv(2026)).await;
    assert_eq!(csv.status(), StatusCode::OK);
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    assert_eq!(
        csv.text().await.unwrap(),
        "\u{feff}Anno;Codice fiscale alunno;Alunno;Codice fiscale pagante;Servizio;Pagato;Rimborsato;Netto\n\
         2026;LBRGRT15C50F205H;Greta Albertini;LBRMRA80E12F205M;Refezione Scolastica;35.00;0.00;35.00\n\
         2026;LBRGRT15C50F205H;Greta Albertini;LBRMRA80E12F205M;Trasporto Scolastico;47.60;0.00;47.60\n\
         2026;LBRSFO17L61F205U;Sofia Albertini;LBRMRA80E12F205M;Refezione Scolastica;35.00;0.00;35.00\n\
         2026;CLMLCU16H03F205T;Luca Colombo;CLMNNA85M52F205M;Refezione Scolastica;42.00;12.00;30.00\n",
        "the family's 70,00 € of recharges split equally (no meals charged in 2026)"
    );

    // Genera attestazioni, twice: one letter per family.
    let first = giulia
        .post_empty(&paths::tax_deduction_certificates(2026))
        .await;
    let first: TaxDeductionGenerated = json(first, StatusCode::CREATED).await;
    assert_eq!((first.written, first.already), (2, 0));
    let again = giulia
        .post_empty(&paths::tax_deduction_certificates(2026))
        .await;
    let again: TaxDeductionGenerated = json(again, StatusCode::OK).await;
    assert_eq!((again.written, again.already), (0, 2));
    let after: TaxDeductionReport = giulia.get_ok(&paths::tax_deductions(2026)).await;
    assert_eq!(after.certificates, 2);
    let emails: i64 = server
        .scalar(&format!(
            "SELECT COUNT(*) FROM outbox_messages WHERE subject = 'Comune di Demo: {TITLE}'"
        ))
        .await;
    assert_eq!(emails, 2);

    let mario = server.user("demo", MARIO).await;
    let letters: Page<Letter> = mario.get_ok(&paths::my_letters()).await;
    let certificates: Vec<&Letter> = letters
        .items
        .iter()
        .filter(|l| l.kind == LetterKind::TaxDeduction)
        .collect();
    assert_eq!(certificates.len(), 1);
    assert_eq!(certificates[0].title, TITLE);
    let pdf = mario.get(&paths::my_letter_pdf(certificates[0].id)).await;
    assert_eq!(pdf.status(), StatusCode::OK);
    let words = pdf_words(&pdf.bytes().await.unwrap());
    for expected in [
        "Comune di Demo (codice fiscale",
        "Mario Albertini (codice fiscale LBRMRA80E12F205M)",
        "Greta Albertini (codice fiscale LBRGRT15C50F205H), Trasporto Scolastico, Scuola Primaria Pascoli: pagato 47,60 €, rimborsato 0,00 €, netto 47,60 €.",
        "Sofia Albertini (codice fiscale LBRSFO17L61F205U), Refezione Scolastica, Scuola Primaria Pascoli: pagato 35,00 €",
        "Totale pagato 117,60 €, rimborsato 0,00 €, netto 117,60 €.",
        "Refezione Scolastica, 10,00 € (ricevuta RT-DETRAZIONE-1, pagante CLMNNA85M41F205Z)",
        "Documento esente da imposta di bollo",
    ] {
        assert!(words.contains(expected), "{expected:?} not in {words}");
    }
    let anna = server.user("demo", ANNA).await;
    let letters: Page<Letter> = anna.get_ok(&paths::my_letters()).await;
    assert_eq!(
        letters
            .items
            .iter()
            .filter(|l| l.kind == LetterKind::TaxDeduction)
            .count(),
        1
    );

    // Families may not read or generate; another comune sees nothing of Demo's.
    let forbidden = mario.get(&paths::tax_deductions(2026)).await;
    assert_eq!(forbidden.status(), StatusCode::FORBIDDEN);
    let forbidden = mario
        .post_empty(&paths::tax_deduction_certificates(2026))
        .await;
    assert_eq!(forbidden.status(), StatusCode::FORBIDDEN);
    let carlo = server.spid_user("esempio", CARLO_OPERATOR_ESEMPIO).await;
    let esempio: TaxDeductionReport = carlo.get_ok(&paths::tax_deductions(2026)).await;
    assert_eq!((esempio.families, esempio.flagged.len()), (0, 0));
    let esempio_csv = carlo
        .get(&paths::tax_deductions_csv(2026))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(
        esempio_csv.lines().count(),
        1,
        "only the header: {esempio_csv}"
    );
    let nothing = carlo
        .post_empty(&paths::tax_deduction_certificates(2026))
        .await;
    assert_eq!(
        problem(nothing, StatusCode::CONFLICT).await.detail,
        "Nel 2026 non risultano pagamenti pagoPA dei servizi scolastici: nessuna attestazione da generare."
    );
    let too_old = giulia.get(&paths::tax_deductions(2019)).await;
    assert_eq!(
        problem(too_old, StatusCode::BAD_REQUEST).await.detail,
        "Scegli un anno dal 2020 al 2027."
    );
}
