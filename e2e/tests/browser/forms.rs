//! Moduli online: a guardian finds the cedole librarie request he sent in «I miei
//! moduli», downloads its copy as PDF and cancels it before the comune processes it (a cancelled
//! request leaves the list).

use e2e::browser::Browser;
use e2e::MARIO;

use crate::journey;

#[tokio::test]
async fn guardian_downloads_and_cancels_a_sent_request_in_i_miei_moduli() {
    journey(async |browser: &Browser| {
        browser.log_in(MARIO).await;
        browser.click("#nav-moduli").await;
        browser.wait_for_path("/demo/moduli").await;
        let item = "#submissions li";
        let text = browser
            .wait_for_text(item, "Richiesta cedole librarie")
            .await;
        assert!(text.contains("Inviata"), "{text}");
        let protocol = text
            .split("Protocollo n. ")
            .nth(1)
            .and_then(|rest| rest.split(',').next())
            .expect("the protocol number")
            .to_owned();
        browser.assert_accessible("I miei moduli").await;

        browser.click(&format!("{item} button[id$='-pdf']")).await;
        let pdf = browser
            .downloaded(&format!("domanda-{}.pdf", protocol.replace('/', "-")))
            .await;
        let bytes = std::fs::read(&pdf).expect("read the downloaded copy");
        assert!(bytes.starts_with(b"%PDF-"), "the copy is a PDF");

        browser
            .click(&format!("{item} button[id$='-cancel']"))
            .await;
        // A cancelled request leaves «I miei moduli».
        browser
            .wait_for_text("#submissions-empty", "Non hai ancora compilato moduli.")
            .await;
        browser.emulate_phone(360, 740).await;
        browser.assert_accessible("I miei moduli at 360 px").await;
    })
    .await;
}
