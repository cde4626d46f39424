//! An operator opens Riconciliazione from the menu, uploads the XML file of a flusso di
//! rendicontazione, and reads the flow and the payment it reports with another amount
//! than its receipt, in Italian amounts and dates.

use e2e::browser::Browser;
use e2e::payments::{flow_xml, ENTE_DEMO};
use e2e::{TestServer, GIULIA_OPERATOR, MARIO};
use fantoccini::Locator;

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
    let flow = "2026-11-25BCITITMM-S0000001";
    let file = std::env::temp_dir().join(format!("flusso-{}.xml", notice.iuv));
    let xml = flow_xml(flow, ENTE_DEMO, &[(&notice.iuv, "IUR-1", "25.00", "0")]);
    std::fs::write(&file, xml).expect("the flow's file");

    Browser::run(&server.url, async |browser| {
        browser.log_in(GIULIA_OPERATOR).await;
        browser.open_menu("riconciliazione").await;
        browser.find("#flows-empty").await;
        browser
            .client()
            .find(Locator::Css("#flow-file"))
            .await
            .expect("the file field")
            .send_keys(file.to_str().expect("a UTF-8 path"))
            .await
            .expect("choose the file");
        browser.click("#flow-upload").await;
        browser
            .wait_for_text(
                "#flow-uploaded",
                &format!("Flusso {flow} importato: 1 pagamento per 25,00 €."),
            )
            .await;
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
        // The same file again changes nothing, and says so.
        browser.click("#flow-upload").await;
        browser
            .wait_for_text(
                "#flow-uploaded",
                "era già stato importato: nulla è cambiato",
            )
            .await;
        assert_eq!(browser.count("#flows tbody tr").await, 1);
    })
    .await;
    std::fs::remove_file(&file).ok();
}
