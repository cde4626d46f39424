//! An operator at a desk (1280 px) opens Report from the menu, goes to Morosi and reads
//! Anna's family, 23,40 € below zero for 30 days, in Italian amounts; the page passes
//! axe; «Scarica CSV» saves the same row as plain data.

use e2e::browser::Browser;
use e2e::{TestServer, ANNA, GIULIA_OPERATOR};
use serde_json::json;

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
        browser
            .cdp(
                "Emulation.setDeviceMetricsOverride",
                json!({ "width": 1280, "height": 800, "deviceScaleFactor": 1, "mobile": false }),
            )
            .await;
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
