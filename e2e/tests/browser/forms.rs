//! Moduli online: a guardian finds the canteen enrolment among the forms open now, fills
//! it for Sofia (renewed from this year: next class, same school, her medical diet),
//! attaches the medical certificate, saves, sends, downloads the copy and finds it sent
//! in «I miei moduli», an Italian error showing next to a wrong codice fiscale as it is
//! typed; and he downloads and cancels the cedole librarie request he had sent, which
//! stays in «I miei moduli» as cancelled.

use e2e::browser::{Browser, NotYet};
use e2e::payments::pdf_words;
use e2e::{workspace_root, MARIO};
use fantoccini::Locator;

use crate::journey;

/// The value of the input with id `id` as the page holds it.
async fn value_of(browser: &Browser, id: &str) -> String {
    let value = browser
        .execute(&format!("return document.getElementById('{id}').value;"))
        .await;
    value.as_str().unwrap_or_default().to_owned()
}

/// Chooses the option whose text is `label` in the drop-down list `css`.
async fn choose(browser: &Browser, css: &str, label: &str) {
    browser
        .find(css)
        .await
        .select_by_label(label)
        .await
        .unwrap_or_else(|e| panic!("choose {label} in {css}: {e}"));
}

#[tokio::test]
async fn guardian_fills_and_sends_the_canteen_enrolment_for_sofia_with_a_medical_diet() {
    journey(async |browser: &Browser| {
        browser.log_in(MARIO).await;
        browser.click("#nav-moduli").await;
        browser.wait_for_path("/demo/moduli").await;
        let offered = browser
            .wait_for_text("#open-forms", "Refezione scolastica")
            .await;
        assert!(offered.contains("Validità dal"), "{offered}");
        browser.assert_accessible("Compila").await;
        browser
            .click_by(
                "Compila of the canteen enrolment",
                Locator::XPath(
                    "//a[starts-with(@aria-label, 'Compila il modulo Refezione scolastica')]",
                ),
            )
            .await;
        browser
            .wait_for_text("#fill-title", "Refezione scolastica")
            .await;
        browser.emulate_phone(360, 740).await;

        // A new child's codice fiscale is checked by the model's rule once it is typed.
        choose(browser, "#field-alunno", "Nuovo figlio").await;
        browser
            .fill("#field-alunno-fiscal_code", "RSSMRA85T10A562T")
            .await;
        browser.fill("#field-alunno-first_name", "Leo").await;
        browser
            .assert_field_error("field-alunno-fiscal_code", "carattere di controllo")
            .await;
        browser
            .assert_accessible("Compila, a field error at 360 px")
            .await;

        // Sofia is in 2a at the Pascoli with a medical diet: the draft is renewed.
        choose(browser, "#field-alunno", "Sofia Albertini").await;
        browser
            .wait_for("the renewal's class", async |_| {
                match value_of(browser, "field-scuola-class_name").await.as_str() {
                    "3a" => Ok(()),
                    other => Err(NotYet(format!("the class reads {other:?}"))),
                }
            })
            .await;
        assert_eq!(
            value_of(browser, "field-scuola-school").await,
            "Scuola Primaria Pascoli"
        );
        assert_eq!(
            value_of(browser, "field-dieta-meal_type").await,
            "DIETA SANITARIA"
        );
        // The draft is on the server: its address resumes it, from any device.
        browser
            .wait_for("the draft's address", async |client| {
                let url = client.current_url().await?;
                match url.query() {
                    Some(query) if query.starts_with("domanda=") => Ok(()),
                    _ => Err(NotYet(format!("the address is {url}"))),
                }
            })
            .await;

        let certificate = workspace_root().join("e2e/fixtures/forms/certificato-medico.pdf");
        browser
            .find("#field-dieta-certificate")
            .await
            .send_keys(certificate.to_str().expect("a UTF-8 path"))
            .await
            .expect("choose the certificate");
        browser
            .wait_for_text("#field-dieta-certificate-file", "certificato-medico.pdf")
            .await;
        browser.fill("#field-telefono", "+39 333 123 4567").await;
        browser.click("label[for='field-privacy']").await;
        browser.click("#fill-save").await;
        browser
            .wait_for_text("#fill-saved", "Bozza salvata alle")
            .await;

        browser.click("#fill-send").await;
        let sent = browser
            .wait_for_text("#submission-sent-protocol", "Protocollo n.")
            .await;
        let protocol = sent
            .split("Protocollo n. ")
            .nth(1)
            .and_then(|rest| rest.split(' ').next())
            .expect("the protocol number")
            .to_owned();
        browser.assert_accessible("Domanda inviata at 360 px").await;

        browser.click("#submission-sent-pdf").await;
        let pdf = browser
            .downloaded(&format!("domanda-{}.pdf", protocol.replace('/', "-")))
            .await;
        let words = pdf_words(&std::fs::read(&pdf).expect("read the downloaded copy"));
        assert!(words.contains("Comune di Demo"), "{words}");
        assert!(words.contains(&format!("Domanda n. {protocol}")), "{words}");
        assert!(
            words.contains("Scuola e classe: Scuola Primaria Pascoli, classe 3a"),
            "{words}"
        );
        assert!(
            words.contains("DIETA SANITARIA (certificato: certificato-medico.pdf)"),
            "{words}"
        );

        browser.click("#fill-back").await;
        browser.wait_for_path("/demo/moduli").await;
        let item = browser
            .wait_for_text("#submissions", "Refezione scolastica")
            .await;
        assert!(item.contains("Inviata"), "{item}");
        assert!(item.contains(&protocol), "{item}");
    })
    .await;
}

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
        // A cancelled request stays in «I miei moduli», cancelled, and cannot be
        // cancelled again.
        browser.wait_for_text(item, "Cancellata").await;
        browser
            .wait_until_gone(&format!("{item} button[id$='-cancel']"))
            .await;
        browser.emulate_phone(360, 740).await;
        browser.assert_accessible("I miei moduli at 360 px").await;
    })
    .await;
}
