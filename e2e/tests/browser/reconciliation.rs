//! An operator opens Riconciliazione from the menu: the flows received, and the payment a
//! flow reports with another amount than its receipt, in Italian amounts and dates.

use e2e::browser::Browser;
use e2e::payments::{flow_xml, ENTE_DEMO};
use e2e::{json, TestServer, GIULIA_OPERATOR, MARIO};
use reqwest::StatusCode;
use sportello_model::reconciliation::FlowImported;

use crate::{BROWSERS, TUESDAY_MORNING};

#[tokio::test]
async fn an_operator_reads_the_differences_between_flows_and_receipts() {
    let _slot = BROWSERS
        .acquire()
        .await
        .expect("the semaphore is never closed");
    let server = TestServer::start_with(&TUESDAY_MORNING).await;
    let (mario, service) = server.canteen_family(MARIO).await;
    let notice = mario.new_notice(service, "20").await;
    server.pay_at_counter(&notice.notice_number).await;
    let giulia = server.user("demo", GIULIA_OPERATOR).await;
    let flow = "2026-11-25BCITITMM-S0000001";
    let xml = flow_xml(flow, ENTE_DEMO, &[(&notice.iuv, "IUR-1", "25.00", "0")]);
    json::<FlowImported>(giulia.upload_flow(&xml).await, StatusCode::CREATED).await;

    Browser::run(&server.url, async |browser| {
        browser.log_in(GIULIA_OPERATOR).await;
        browser.open_menu("riconciliazione").await;
        let listed = browser.wait_for_text("#flows", flow).await;
        assert!(listed.contains("25,00 €"), "{listed}");
        assert!(listed.contains("25/11/2026"), "{listed}");
        browser.find("#discrepancies-empty").await;
        browser.assert_accessible("Riconciliazione").await;

        browser.click("#discrepancy-kind-amount-mismatch").await;
        let row = format!("#discrepancy-{}", notice.iuv);
        let line = browser.wait_for_text(&row, "25,00 €").await;
        assert!(line.contains("20,00 €"), "{line}");
        assert!(line.contains("24/11/2026"), "{line}");
        assert!(line.contains("Eseguito"), "{line}");
        assert_eq!(
            browser
                .attr("#discrepancy-kind-amount-mismatch", "aria-pressed")
                .await
                .as_deref(),
            Some("true")
        );
    })
    .await;
}
