//! On a 1280 px screen an operator opens Notizie e documenti from the menu, writes a news
//! item with a preview of its formatting, saves it for today and attaches a timetable;
//! the comune's public page then shows it without login, with the attachment to download.
//! The operator also replaces the file of a published document, which the public list
//! then offers.

use e2e::browser::Browser;
use e2e::{workspace_root, TestServer, GIULIA_OPERATOR};
use sportello_model::content::DocumentItem;
use sportello_model::{paths, Page};

use crate::{journey, BROWSERS};

const TITLE: &str = "Mensa chiusa venerdì per assemblea";

#[tokio::test]
async fn an_operator_publishes_a_news_item_that_the_public_page_shows() {
    let timetable = workspace_root().join("e2e/fixtures/letters/orari-sciopero.pdf");
    let timetable = timetable.to_str().expect("a UTF-8 path").to_owned();
    journey(async |browser| {
        browser.log_in(GIULIA_OPERATOR).await;
        browser.emulate_desktop().await;
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
        browser.emulate_desktop().await;
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

#[tokio::test]
async fn an_operator_replaces_the_file_of_a_published_document() {
    let _slot = BROWSERS
        .acquire()
        .await
        .expect("the semaphore is never closed");
    let server = TestServer::start().await;
    let timetable = workspace_root().join("e2e/fixtures/letters/orari-sciopero.pdf");
    let timetable = timetable.to_str().expect("a UTF-8 path").to_owned();
    let before: Page<DocumentItem> = server.public_ok(&paths::documents("demo")).await;
    let document = before.items.first().expect("Comune di Demo's documents").id;
    Browser::run(&server.url, async |browser| {
        browser.log_in(GIULIA_OPERATOR).await;
        browser.emulate_desktop().await;
        browser.open_menu("notizie-e-documenti").await;
        browser
            .click(&format!("#office-document-{document}-edit"))
            .await;
        browser
            .find("#document-file")
            .await
            .send_keys(&timetable)
            .await
            .expect("choose the new file");
        browser.assert_accessible("the document's editor").await;
        browser.click("#document-save").await;
        browser.wait_for_text("#document-done", "salvato").await;
        browser
            .wait_for_text(
                &format!("#office-document-{document}"),
                "orari-sciopero.pdf",
            )
            .await;
    })
    .await;
    let after: Page<DocumentItem> = server.public_ok(&paths::documents("demo")).await;
    let replaced = after
        .items
        .iter()
        .find(|d| d.id == document)
        .expect("the document is still public");
    assert_eq!(replaced.file_name, "orari-sciopero.pdf");
    assert_eq!(replaced.size_bytes, 629);
}
