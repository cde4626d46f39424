//! Comunicazioni: a guardian sees the unread count in the menu, opens his newest letter
//! (the count goes down, the letter's text shows) and downloads its PDF; an operator
//! writes an urgent service notice to one school's families with a PDF attached,
//! previews it with the number of families, sends it, and finds it in the history; a
//! family of that school opens it and downloads the PDF. Axe-clean, also at 360 px.

use e2e::browser::Browser;
use e2e::{workspace_root, TestServer, GIULIA_OPERATOR, MARIO};

use crate::{journey, BROWSERS};

/// The newest letter on Comunicazioni once its text holds `title`: its id and its text.
async fn newest_letter(browser: &Browser, title: &str) -> (String, String) {
    let newest = "#letters li:first-child";
    let text = browser.wait_for_text(newest, title).await;
    let id = browser
        .attr(newest, "id")
        .await
        .expect("the letter's id")
        .trim_start_matches("letter-")
        .to_owned();
    (id, text)
}

#[tokio::test]
async fn guardian_opens_an_unread_letter_and_downloads_its_pdf() {
    journey(async |browser: &Browser| {
        browser.log_in(MARIO).await;
        browser.emulate_phone(360, 740).await;
        // The demo family has two letters to read.
        browser
            .wait_for_text("#nav-comunicazioni-unread", "2")
            .await;
        browser.click("#nav-comunicazioni").await;
        browser.wait_for_path("/demo/comunicazioni").await;
        let (id, text) =
            newest_letter(browser, "Uscita anticipata per l'assemblea sindacale").await;
        assert!(text.contains("Avviso di servizio - "), "{text}");
        assert!(text.contains("Da leggere"), "{text}");
        assert!(
            text.contains("Comunicazione avvenuta tramite E-mail"),
            "{text}"
        );
        browser.assert_accessible("Comunicazioni at 360 px").await;

        browser.click(&format!("#letter-{id}-open")).await;
        browser
            .wait_for_text(&format!("#letter-{id}-text"), "la mensa non sarà servita")
            .await;
        browser
            .wait_for_text("#nav-comunicazioni-unread", "1")
            .await;
        browser
            .wait_until_gone(&format!("#letter-{id}-unread"))
            .await;
        browser
            .assert_accessible("an opened letter at 360 px")
            .await;

        browser.click(&format!("#letter-{id}-pdf")).await;
        let pdf = browser.downloaded(&format!("comunicazione-{id}.pdf")).await;
        let bytes = std::fs::read(&pdf).expect("read the downloaded letter");
        assert!(bytes.starts_with(b"%PDF-"), "the letter is a PDF");
    })
    .await;
}

#[tokio::test]
async fn operator_sends_an_urgent_notice_to_one_school() {
    let _slot = BROWSERS
        .acquire()
        .await
        .expect("the semaphore is never closed");
    let server = TestServer::start().await;
    let timetable = workspace_root().join("e2e/fixtures/letters/orari-sciopero.pdf");
    let timetable_bytes = std::fs::read(&timetable).expect("read the fixture");
    let timetable = timetable.to_str().expect("a UTF-8 path").to_owned();

    Browser::run(&server.url, async |browser: &Browser| {
        browser.log_in(GIULIA_OPERATOR).await;
        browser.open_menu("comunicazioni").await;
        browser.find("#compose-form").await;
        browser.assert_accessible("Nuova comunicazione").await;
        browser.choose("#compose-kind", "service_notice").await;
        browser
            .choose("#compose-school", "Scuola Primaria Pascoli")
            .await;
        browser
            .fill("#compose-subject", "Mensa chiusa domani per sciopero")
            .await;
        browser
            .fill(
                "#compose-body",
                "Gentile famiglia,\n\ndomani la mensa resta **chiusa** per lo sciopero del personale.",
            )
            .await;
        browser
            .wait_for_text("#compose-file-hint", "PDF, JPEG o PNG, al massimo 5 MB.")
            .await;
        // The timetable is attached; chosen by mistake first, it is removed and chosen again.
        for attempt in ["by mistake", "again"] {
            browser
                .find("#compose-file")
                .await
                .send_keys(&timetable)
                .await
                .expect("choose the timetable");
            browser
                .wait_for_text("#compose-file-file", "orari-sciopero.pdf (629 byte)")
                .await;
            if attempt == "by mistake" {
                browser.click("#compose-file-remove").await;
                browser.wait_until_gone("#compose-file-file").await;
            }
        }
        browser.click("label[for='compose-urgent']").await;
        browser.click("#compose-preview-submit").await;
        browser
            .wait_for_text(
                "#compose-recipients",
                "Famiglie della scuola Scuola Primaria Pascoli: 2 famiglie",
            )
            .await;
        browser
            .wait_for_text("#compose-preview strong", "chiusa")
            .await;
        browser
            .wait_for_text("#compose-preview-attachment", "Allegato: orari-sciopero.pdf")
            .await;
        browser.emulate_phone(360, 740).await;
        browser.assert_accessible("the preview at 360 px").await;

        browser.click("#compose-send").await;
        browser
            .wait_for_text(
                "#compose-done",
                "Comunicazione «Mensa chiusa domani per sciopero» inviata a 2 famiglie.",
            )
            .await;
        browser.wait_until_gone("#compose-file-file").await;
        let sent = browser
            .wait_for_text("#communications li:first-child", "Mensa chiusa domani per sciopero")
            .await;
        assert!(sent.contains("Urgente"), "{sent}");
        assert!(sent.contains("Destinatari: 2 · Lette: 0"), "{sent}");
        browser.assert_accessible("the history at 360 px").await;
    })
    .await;

    // Mario, whose daughters go to the Pascoli, reads it and downloads the timetable.
    Browser::run(&server.url, async |browser: &Browser| {
        browser.emulate_phone(360, 740).await;
        browser.log_in(MARIO).await;
        browser.click("#nav-comunicazioni").await;
        browser.wait_for_path("/demo/comunicazioni").await;
        let (id, _) = newest_letter(browser, "Mensa chiusa domani per sciopero").await;
        browser.click(&format!("#letter-{id}-open")).await;
        browser
            .wait_for_text(
                &format!("#letter-{id}-text"),
                "per lo sciopero del personale",
            )
            .await;
        browser
            .assert_accessible("a letter with an attachment at 360 px")
            .await;
        browser.click(&format!("#letter-{id}-attachment")).await;
        let downloaded = browser.downloaded("orari-sciopero.pdf").await;
        let bytes = std::fs::read(&downloaded).expect("read the downloaded attachment");
        assert_eq!(
            bytes, timetable_bytes,
            "the family gets the file the operator attached"
        );
    })
    .await;
}
