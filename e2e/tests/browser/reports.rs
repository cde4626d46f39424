//! An operator at a desk (1280 px) opens Report from the menu, goes to Morosi and reads
//! Anna's family, 23,40 € below zero for 30 days, in Italian amounts; the page passes
//! axe; «Scarica CSV» saves the same row as plain data. Another reads the day's Incassi
//! (a period ending before it begins is refused next to its field), the balances of a
//! past Sunday and the month's meals per school.

use e2e::browser::Browser;
use e2e::{TestServer, ANNA, GIULIA_OPERATOR, MARIO};

use crate::{BROWSERS, TUESDAY_MORNING};

#[tokio::test]
async fn an_operator_reads_the_morosi_and_downloads_them() {
    let _slot = BROWSERS
        .acquire()
        .await
        .expect("the semaphore is never closed");
    let server = TestServer::start_with(&TUESDAY_MORNING).await;

    Browser::run(&server.url, async |browser| {
        browser.log_in(GIULIA_OPERATOR).await;
        browser.open_menu("report").await;
        browser.emulate_desktop().await;
        browser.find("#receipts-report-section").await;
        browser.click("#report-tab-morosi").await;
        browser.wait_for_path("/demo/report/morosi").await;
        let table = browser
            .wait_for_text("#debtors-report", "Anna Colombo")
            .await;
        assert!(table.contains(ANNA), "{table}");
        assert!(table.contains("-23,40 €"), "{table}");
        assert!(table.contains("Nessuno"), "{table}");
        browser.find("#debtors-remind").await;
        browser.assert_accessible("Morosi").await;

        browser.click("#debtors-report-csv").await;
        let file = browser.downloaded("morosi-2026-11-24.csv").await;
        let csv = std::fs::read_to_string(file).expect("the CSV");
        assert!(
            csv.starts_with("\u{feff}Intestatario;Codice fiscale;Saldo negativo;"),
            "{csv}"
        );
        assert!(
            csv.lines()
                .any(|l| l == format!("Anna Colombo;{ANNA};-23.40;0.00;30;Nessuno")),
            "{csv}"
        );
    })
    .await;
}

#[tokio::test]
async fn an_operator_reads_the_incassi_the_balances_and_the_meals() {
    let _slot = BROWSERS
        .acquire()
        .await
        .expect("the semaphore is never closed");
    let server = TestServer::start_with(&TUESDAY_MORNING).await;
    let (mario, service) = server.canteen_family(MARIO).await;
    let notice = mario.new_notice(service, "20").await;
    let page = server.pay_at_counter(&notice.notice_number).await;
    assert!(page.contains("Pagamento eseguito"), "{page}");

    Browser::run(&server.url, async |browser| {
        browser.log_in(GIULIA_OPERATOR).await;
        browser.open_menu("report").await;
        browser.emulate_desktop().await;
        browser
            .set_value("#receipts-report-from", "2026-11-24")
            .await;
        browser.set_value("#receipts-report-to", "2026-11-23").await;
        browser.click("#receipts-report-show").await;
        browser
            .assert_field_error("receipts-report-to", "non può precedere quella iniziale")
            .await;
        browser.set_value("#receipts-report-to", "2026-11-24").await;
        browser.click("#receipts-report-show").await;
        let table = browser
            .wait_for_text("#receipts-report", "24/11/2026")
            .await;
        assert!(table.contains("Sportello"), "{table}");
        assert!(table.contains("Pagamento allo sportello"), "{table}");
        // Mario's 20,00 € and the demo's retta paid at the counter today (47,60 €).
        assert!(table.contains("Totale 2 67,60 €"), "{table}");
        browser.find("#receipts-report-total").await;
        browser.assert_accessible("Incassi").await;

        browser.click("#report-tab-saldi").await;
        browser.wait_for_path("/demo/report/saldi").await;
        browser.set_value("#balances-report-on", "2026-11-22").await;
        browser.click("#balances-report-show").await;
        let balances = browser
            .wait_for_text("#balances-report", "Totale al 22/11/2026")
            .await;
        assert!(balances.contains("Anna Colombo"), "{balances}");
        assert!(balances.contains("-23,40 €"), "{balances}");
        browser.assert_accessible("Saldi").await;

        browser.click("#report-tab-pasti").await;
        browser.wait_for_path("/demo/report/pasti").await;
        browser.set_value("#meals-report-month", "2026-11").await;
        browser.click("#meals-report-show").await;
        let meals = browser
            .wait_for_text("#meals-report", "Scuola Primaria Pascoli")
            .await;
        assert!(meals.contains("Refezione Scolastica"), "{meals}");
        browser.find("#meals-report-total").await;
        browser.assert_accessible("Pasti serviti").await;
    })
    .await;
}
