//! On a 1280 px screen an operator opens Notizie e documenti from the menu, writes a news
//! item with a preview of its formatting, saves it for today and attaches a timetable;
//! the comune's public page then shows it without login, with the attachment to download.

use e2e::browser::Browser;
use e2e::{workspace_root, GIULIA_OPERATOR};
use serde_json::json;

use crate::journey;

const TITLE: &str = "Mensa chiusa venerdì per assemblea";

/// A desktop screen of 1280 × 800 CSS pixels until the next page load.
async fn desktop(browser: &Browser) {
    browser
        .cdp(
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": 1280, "height": 800, "deviceScaleFactor": 1, "mobile": false }),
        )
        .await;
}

#[tokio::test]
async fn an_operator_publishes_a_news_item_that_the_public_page_shows() {
    let timetable = workspace_root().join("e2e/fixtures/letters/orari-sciopero.pdf");
    let timetable = timetable.to_str().expect("a UTF-8 path").to_owned();
    journey(async |browser| {
        browser.log_in(GIULIA_OPERATOR).await;
        desktop(browser).await;
        browser.open_menu("notizie-e-documenti").await;
        browser.find("#office-news").await;
        browser.find("#office-documents").await;
        browser.assert_accessible("Notizie e documenti").await;

        browser.click("#news-new").await;
        browser.click("#news-save").await;
        browser
            .assert_field_error("news-title", "Scrivi il titolo della notizia.")
            .await;
        browser.fill("#news-title", TITLE).await;
        browser
            .fill("#news-summary", "Venerdì il pranzo non è servito.")
            .await;
        browser
            .fill(
                "#news-body",
                "Venerdì la mensa resta **chiusa** per l'assemblea del personale.",
            )
            .await;
        browser
            .wait_for_text("#news-preview strong", "chiusa")
            .await;
        browser.assert_accessible("Nuova notizia").await;
        browser.click("#news-save").await;
        browser
            .wait_for_text("#news-done", "salvata: pubblicata.")
            .await;
        browser
            .find("#news-file")
            .await
            .send_keys(&timetable)
            .await
            .expect("choose the timetable");
        browser
            .wait_for_text("#news-attachments", "orari-sciopero.pdf (629 byte)")
            .await;
        let listed = browser.wait_for_text("#office-news", TITLE).await;
        assert!(listed.contains("Pubblicata"), "{listed}");
        browser.assert_accessible("the news item saved").await;

        browser
            .open_page("/demo/notizie", "#news-list", TITLE)
            .await;
        desktop(browser).await;
        browser.follow_link("news-list", "Leggi la notizia").await;
        browser.wait_for_text("#news-detail h1", TITLE).await;
        browser
            .wait_for_text("#news-detail .news-body strong", "chiusa")
            .await;
        browser
            .wait_for_text("#news-attachments", "orari-sciopero.pdf")
            .await;
        browser.assert_accessible("the public news item").await;
    })
    .await;
}
