//! Giulia, the comune's operator, on a desktop screen (1280 px) opens «Emissione rette»
//! from the menu: for Trasporto Scolastico and February 2027 the preview counts one
//! retta of 47,60 € (Greta's); «Emetti» issues it, and asked again the month has nothing
//! new. On Mario Albertini's family page she cancels it with a reason, which Mario then
//! reads on his retta.

use e2e::browser::Browser;
use e2e::{GIULIA_OPERATOR, MARIO};
use fantoccini::Locator;

use crate::{journey_with, TUESDAY_MORNING};

/// Chooses the service named `name` in the service list, as a person does.
async fn choose_service(browser: &Browser, name: &str) {
    browser
        .execute(&format!(
            "const s = document.querySelector('#rette-service'); \
             s.value = [...s.options].find(o => o.text === '{name}').value; \
             s.dispatchEvent(new Event('change', {{ bubbles: true }}));"
        ))
        .await;
}

#[tokio::test]
async fn an_operator_previews_and_issues_a_month_of_rette() {
    journey_with(&TUESDAY_MORNING, async |browser| {
        browser.log_in(GIULIA_OPERATOR).await;
        browser.emulate_desktop().await;
        browser.open_menu("rette").await;
        browser.find("#rette-form").await;
        browser.assert_accessible("Emissione rette").await;

        browser.click("#rette-preview-submit").await;
        browser
            .assert_field_error("rette-service", "Scegli il servizio.")
            .await;
        choose_service(browser, "Trasporto Scolastico").await;
        browser.fill("#rette-month", "2027-02").await;
        browser.click("#rette-preview-submit").await;
        browser
            .wait_for_text(
                "#rette-summary",
                "Retta Febbraio 2027: 1 retta da emettere, per 47,60 €.",
            )
            .await;
        let lines = browser.text("#rette-lines").await;
        assert!(lines.contains("Greta Albertini"), "{lines}");
        assert!(lines.contains("Mario Albertini"), "{lines}");
        assert!(lines.contains("Fascia unica"), "{lines}");
        browser.wait_for_text("#rette-total", "47,60 €").await;
        browser.assert_accessible("Anteprima delle rette").await;

        browser.click("#rette-issue").await;
        browser
            .assert_field_error("rette-due-date", "Indica la scadenza delle rette.")
            .await;
        browser.set_value("#rette-due-date", "2027-02-10").await;
        browser.click("#rette-issue").await;
        browser
            .wait_for_text(
                "#rette-done",
                "Emessa 1 retta (Retta Febbraio 2027) per 47,60 €.",
            )
            .await;
        browser.assert_accessible("Rette emesse").await;

        browser.click("#rette-preview-submit").await;
        browser
            .wait_for_text(
                "#rette-summary",
                "Retta Febbraio 2027: nessuna retta da emettere.",
            )
            .await;
        browser
            .wait_for_text(
                "#rette-skipped",
                "Greta Albertini (Mario Albertini, Fascia unica): Retta del mese già emessa",
            )
            .await;

        browser.open_family("albertini", "Mario Albertini").await;
        let rette = browser
            .wait_for_text("#family-emissions", "Retta Febbraio 2027")
            .await;
        assert!(rette.contains("10/02/2027"), "{rette}");
        browser
            .execute(
                "[...document.querySelectorAll('#family-emissions tr')] \
                 .find(r => r.textContent.includes('Retta Febbraio 2027')) \
                 .querySelector('button').click();",
            )
            .await;
        browser.find("#family-cancel-form").await;
        browser.click("#family-cancel-submit").await;
        browser
            .assert_field_error("family-cancel-reason", "Scrivi il motivo")
            .await;
        browser
            .fill("#family-cancel-reason", "Iscrizione al trasporto ritirata")
            .await;
        browser.click("#family-cancel-submit").await;
        browser
            .wait_for_text(
                "#family-emissions",
                "ANNULLATA: Iscrizione al trasporto ritirata",
            )
            .await;
        browser.wait_until_gone("#family-cancel-form").await;
        browser.assert_accessible("Famiglia, retta annullata").await;

        // Mario reads why on his retta.
        browser.click("#logout-button").await;
        browser.find("#header-login").await;
        browser.log_in(MARIO).await;
        browser.open_service("Trasporto Scolastico").await;
        let february = "//ul[@id='emissions']/li[.//h2[normalize-space(.)='Retta Febbraio 2027']]";
        let item = browser
            .find_by("Retta Febbraio 2027", Locator::XPath(february))
            .await;
        let id = item
            .attr("id")
            .await
            .expect("the item's id")
            .expect("an id");
        browser
            .wait_for_text(&format!("#{id}-status"), "ANNULLATA")
            .await;
        browser
            .wait_for_text(
                &format!("#{id}-cancel-reason"),
                "Annullata dal Comune: Iscrizione al trasporto ritirata",
            )
            .await;
        browser
            .assert_accessible("Emissioni, retta annullata")
            .await;
    })
    .await;
}
