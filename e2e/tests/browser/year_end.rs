//! At 1280 px an operator closes the school year from Fine anno scolastico (a missing
//! deadline is refused next to its field) and Mario's canteen credit is listed; Mario
//! finds it on Pagamenti and asks for the refund (a foreign IBAN is refused next to its
//! field); the operator records the refund once and the credit reads Rimborsato.

use e2e::browser::Browser;
use e2e::{TestServer, GIULIA_OPERATOR, MARIO};

use crate::{BROWSERS, TUESDAY_MORNING};

#[tokio::test]
async fn a_year_is_closed_and_a_family_credit_refunded() {
    let _slot = BROWSERS
        .acquire()
        .await
        .expect("the semaphore is never closed");
    let server = TestServer::start_with(&TUESDAY_MORNING).await;
    let (mario, service) = server.canteen_family(MARIO).await;
    server.recharge_at_counter(&mario, service, "100").await;
    let balance = mario.balance(service).await.replace('.', ",");

    Browser::run(&server.url, async |browser| {
        browser.log_in(GIULIA_OPERATOR).await;
        browser.emulate_desktop().await;
        browser.open_menu("fine-anno").await;
        browser
            .wait_for_text("#year-end-preview", "Alla chiusura: 1 conto")
            .await;
        browser.assert_accessible("Fine anno scolastico").await;
        browser.click("#year-end-close").await;
        browser
            .assert_field_error(
                "year-end-deadline",
                "Indica fino a quando le famiglie possono scegliere.",
            )
            .await;
        browser.set_value("#year-end-deadline", "2027-07-31").await;
        browser.click("#year-end-close").await;
        browser
            .wait_for_text("#year-end-done", "Anno scolastico 2026/2027 chiuso")
            .await;
        browser
            .wait_for_text("#year-end-state", "Anno chiuso il 24/11/2026")
            .await;
        let listed = browser
            .wait_for_text("#year-end-credits", "Mario Albertini")
            .await;
        assert!(listed.contains("In attesa della scelta"), "{listed}");
        assert!(listed.contains(&balance), "{listed} holds {balance}");
        browser
            .assert_accessible("Fine anno scolastico, anno chiuso")
            .await;
    })
    .await;

    Browser::run(&server.url, async |browser| {
        browser.log_in(MARIO).await;
        browser.open_menu("pagamenti").await;
        let credit = browser
            .wait_for_text("#year-end-credits", "Refezione Scolastica — anno 2026/2027")
            .await;
        assert!(
            credit.contains("Puoi scegliere fino al 31/07/2027"),
            "{credit}"
        );
        browser.click("label[for='year-end-choice-refund']").await;
        browser
            .fill("#year-end-iban", "DE89370400440532013000")
            .await;
        browser.click("label[for='year-end-holder']").await;
        browser.click("#year-end-choice-save").await;
        browser
            .assert_field_error(
                "year-end-iban",
                "L'IBAN deve essere di un conto italiano (inizia con IT).",
            )
            .await;
        browser
            .assert_accessible("Pagamenti, credito di fine anno")
            .await;
        browser
            .fill("#year-end-iban", "IT60 X054 2811 1010 0000 0123 456")
            .await;
        browser.click("#year-end-choice-save").await;
        browser
            .wait_for_text(
                "#year-end-credits",
                "Rimborso richiesto; scelta: Rimborso sul conto corrente.",
            )
            .await;
    })
    .await;

    Browser::run(&server.url, async |browser| {
        browser.log_in(GIULIA_OPERATOR).await;
        browser.emulate_desktop().await;
        browser.open_menu("fine-anno").await;
        browser
            .wait_for_text("#year-end-credits", "Mario Albertini")
            .await;
        browser.click("#year-end-filter-refund").await;
        browser
            .find("#year-end-filter-refund[aria-pressed='true']")
            .await;
        let row = browser
            .wait_for_text("#year-end-credits", "IT60X0542811101000000123456")
            .await;
        assert!(row.contains("Mario Albertini"), "{row}");
        browser.click("button[id^='year-end-refund-']").await;
        browser
            .wait_for_text("#year-end-refunded", "a Mario Albertini registrato.")
            .await;
        browser.click("#year-end-filter-refunded").await;
        browser
            .wait_for_text("#year-end-credits", "Rimborsato")
            .await;
        browser
            .assert_accessible("Fine anno scolastico, rimborsi")
            .await;
    })
    .await;
    assert_eq!(mario.balance(service).await, "0.00");
}
