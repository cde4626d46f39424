//! Giulia Rossi, an operator of Comune di Demo, on a desktop screen (1280 px): she
//! starts a new family with Mario's codice fiscale and is told, with a link to his
//! family, that it exists already; she creates Gilda Neri's family, adds her daughter
//! Sara (a birth date the codice fiscale does not record is refused in Italian) and
//! sees her on the family page; she corrects Gilda's surname, adds a delegate for Sara
//! (who must be given a child) and removes him.

use e2e::browser::Browser;
use e2e::{GIULIA_OPERATOR, MARIO};
use sportello_model::family_edit::FAMILY_EXISTS;

use crate::journey;

#[tokio::test]
async fn an_operator_creates_a_family_adds_a_child_and_a_delegate() {
    journey(async |browser: &Browser| {
        browser.log_in(GIULIA_OPERATOR).await;
        browser.emulate_desktop().await;
        browser.open_menu("famiglie").await;
        browser.click("#new-family").await;
        browser.fill("#new-family-fiscal-code", MARIO).await;
        browser.fill("#new-family-first-name", "Gilda").await;
        browser.fill("#new-family-last-name", "Neri").await;
        browser
            .fill("#new-family-email", "gilda.neri@example.it")
            .await;
        browser.click("#new-family-save").await;
        browser
            .assert_field_error("new-family-fiscal-code", FAMILY_EXISTS)
            .await;
        browser
            .wait_for_text("#family-exists", "Apri la famiglia di Mario Albertini")
            .await;
        browser
            .assert_accessible("a new family whose codice fiscale exists")
            .await;

        browser
            .fill("#new-family-fiscal-code", "NRIGLI88H49F205K")
            .await;
        browser
            .submit("#new-family-save", "#family-name", "Famiglia di Gilda Neri")
            .await;
        browser
            .wait_for_text("#family-guardian-line", "gilda.neri@example.it")
            .await;

        browser.click("#family-child-add").await;
        browser.fill("#child-fiscal-code", "BNCSRA18E55F205Y").await;
        browser.fill("#child-first-name", "Sara").await;
        browser.fill("#child-last-name", "Neri").await;
        browser.set_value("#child-birth-date", "2018-05-16").await;
        browser.click("#child-save").await;
        browser
            .assert_field_error(
                "child-birth-date",
                "La data di nascita non corrisponde a quella del codice fiscale.",
            )
            .await;
        browser.assert_accessible("a child with an error").await;
        browser.set_value("#child-birth-date", "2018-05-15").await;
        browser
            .submit(
                "#child-save",
                "#family-saved-note",
                "Figlio/a aggiunto/a alla famiglia.",
            )
            .await;
        let children = browser.wait_for_text("#family-children", "Sara Neri").await;
        assert!(children.contains("15/05/2018"), "{children}");
        browser
            .assert_accessible("the family page with its new child")
            .await;

        // The guardian corrected, then a delegate for Sara, removed again.
        browser.click("#family-guardian-edit").await;
        browser.fill("#guardian-last-name", "Neri Bassi").await;
        browser
            .submit(
                "#guardian-save",
                "#family-saved-note",
                "Dati di Gilda Neri Bassi salvati.",
            )
            .await;
        browser
            .wait_for_text("#family-name", "Famiglia di Gilda Neri Bassi")
            .await;
        browser.click("#family-delegate-add").await;
        browser
            .fill("#delegate-fiscal-code", "ZNNLSS79M10F205K")
            .await;
        browser.fill("#delegate-first-name", "Alessio").await;
        browser.fill("#delegate-last-name", "Zanni").await;
        browser.click("#delegate-save").await;
        browser
            .wait_for_text(
                "#delegate-children-error",
                "Scegli almeno un figlio o una figlia",
            )
            .await;
        browser
            .assert_accessible("a delegate without children")
            .await;
        browser.click("#delegate-children label").await;
        browser
            .submit("#delegate-save", "#family-saved-note", "Delegato aggiunto.")
            .await;
        browser
            .wait_for_text(
                "#family-delegates",
                "Alessio Zanni — ZNNLSS79M10F205K — per Sara Neri",
            )
            .await;
        browser
            .submit(
                "#family-delegates .btn-outline-danger",
                "#family-saved-note",
                "Alessio Zanni non è più delegato/a della famiglia.",
            )
            .await;
        browser.find("#family-delegates-empty").await;
        browser
            .assert_accessible("the family page after the delegate left")
            .await;
    })
    .await;
}
