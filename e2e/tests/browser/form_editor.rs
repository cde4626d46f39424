//! An operator builds a small form in the editor — a section, a single choice and a
//! short text shown only for one of its answers — meets a field error from the API next
//! to its input, previews the form, publishes it, and families find it among the forms
//! open now.

use e2e::browser::Browser;
use e2e::{TestServer, GIULIA_OPERATOR, MARIO};
use sportello_model::forms::FormSummary;
use sportello_model::paths;

use crate::{BROWSERS, TUESDAY_MORNING};

const TITLE: &str = "Richiesta pre-scuola e post-scuola";

#[tokio::test]
async fn an_operator_builds_previews_and_publishes_a_form() {
    let _slot = BROWSERS
        .acquire()
        .await
        .expect("the semaphore is never closed");
    let server = TestServer::start_with(&TUESDAY_MORNING).await;
    Browser::run(&server.url, async |browser| {
        browser.log_in(GIULIA_OPERATOR).await;
        browser.open_menu("moduli-comune").await;
        browser
            .wait_for_text("#office-forms", "Graduatoria asilo nido")
            .await;
        browser.assert_accessible("Moduli online (operatori)").await;
        browser.click("#office-forms-new").await;
        browser.wait_for_path("/demo/moduli-comune/nuovo").await;

        browser.fill("#editor-school_year", "2026/2027").await;
        browser.set_value("#editor-opens_on", "2026-11-20").await;
        browser.set_value("#editor-closes_on", "2026-12-31").await;
        browser
            .fill("#editor-sections-0-title", "Servizio richiesto")
            .await;
        // A single choice, then a short text shown only for one of its answers.
        browser
            .click("#editor-section-1-kind option[value='single_choice']")
            .await;
        browser.click("#editor-section-1-add").await;
        browser
            .fill("#editor-sections-0-fields-0-label", "Servizio")
            .await;
        browser
            .fill(
                "#editor-sections-0-fields-0-kind-options",
                "Pre-scuola\nPost-scuola",
            )
            .await;
        browser
            .click("#editor-section-1-kind option[value='short_text']")
            .await;
        browser.click("#editor-section-1-add").await;
        browser
            .fill(
                "#editor-sections-0-fields-1-label",
                "Chi ritira il bambino all'uscita",
            )
            .await;
        browser
            .click("#editor-sections-0-fields-1-shown_when option[value='domanda_2']")
            .await;
        browser
            .click("#editor-sections-0-fields-1-shown_when-equals option[value='Post-scuola']")
            .await;

        // Without a title the API refuses it, and says so next to the title.
        browser.click("#editor-save").await;
        browser
            .assert_field_error("editor-title", "Il campo è obbligatorio.")
            .await;
        assert_eq!(browser.focused_id().await, "editor-title");
        browser.fill("#editor-title", TITLE).await;

        browser.click("#editor-preview").await;
        let preview = browser
            .wait_for_text("#editor-preview-section", &format!("Anteprima: {TITLE}"))
            .await;
        assert!(
            preview.contains("Validità dal 20/11/2026 al 31/12/2026"),
            "{preview}"
        );
        assert!(preview.contains("Servizio"), "{preview}");
        // As for a family: the short text shows once its answer is chosen.
        assert_eq!(browser.count("#field-domanda_4").await, 0);
        browser
            .click("#field-domanda_2 option[value='Post-scuola']")
            .await;
        browser.find("#field-domanda_4").await;
        browser
            .assert_accessible("the form editor with its preview")
            .await;
        browser.emulate_phone(360, 740).await;
        browser.assert_accessible("the form editor at 360 px").await;

        browser.click("#editor-publish").await;
        browser.wait_for_path("/demo/moduli-comune").await;
        let listed = browser.wait_for_text("#office-forms", TITLE).await;
        assert!(listed.contains("Pubblicato"), "{listed}");
    })
    .await;

    let mario = server.user("demo", MARIO).await;
    let open: Vec<FormSummary> = mario.get_ok(&paths::open_forms()).await;
    let offered = open
        .iter()
        .find(|form| form.title == TITLE)
        .expect("the published form is open to families");
    assert_eq!(offered.validity, "Validità dal 20/11/2026 al 31/12/2026");
}
