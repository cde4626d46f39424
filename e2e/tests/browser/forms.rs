//! Moduli online: a guardian finds the canteen enrolment among the forms open now, fills
//! it for Sofia (renewed from this year: next class, same school, her medical diet),
//! attaches the medical certificate (removing one chosen by mistake), saves, resumes the
//! draft from «I miei moduli», sends, downloads the copy and finds it sent
//! in «I miei moduli», an Italian error showing next to a wrong codice fiscale as it is
//! typed; and he downloads and cancels the cedole librarie request he had sent, which
//! stays in «I miei moduli» as cancelled. A guardian whose canteen enrolment waits for
//! the notice of her unpaid account sees the amount, downloads the notice and pays it
//! online, and the enrolment moves on by itself.

use e2e::browser::{Browser, NotYet};
use e2e::payments::pdf_words;
use e2e::{json, workspace_root, TestServer, ANNA, MARIO};
use fantoccini::Locator;
use reqwest::StatusCode;
use serde_json::json;
use sportello_model::forms::{FormSummary, SubmissionDetail};
use sportello_model::paths;

use crate::{journey, BROWSERS};

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

        // The certificate goes to the draft; a file chosen by mistake is removed.
        let certificate = workspace_root().join("e2e/fixtures/forms/certificato-medico.pdf");
        let certificate = certificate.to_str().expect("a UTF-8 path");
        for attempt in ["by mistake", "again"] {
            browser
                .find("#field-dieta-certificate")
                .await
                .send_keys(certificate)
                .await
                .expect("choose the certificate");
            browser
                .wait_for_text("#field-dieta-certificate-file", "certificato-medico.pdf (")
                .await;
            if attempt == "by mistake" {
                browser.click("#field-dieta-certificate-remove").await;
                browser
                    .wait_until_gone("#field-dieta-certificate-file")
                    .await;
            }
        }
        browser.fill("#field-telefono", "+39 333 123 4567").await;
        browser.click("label[for='field-privacy']").await;
        browser.click("#fill-save").await;
        browser
            .wait_for_text("#fill-saved", "Bozza salvata alle")
            .await;

        // The draft lives on the server: «Riprendi» in I miei moduli opens it again.
        browser
            .follow_link("fill-form", "Torna a I miei moduli")
            .await;
        browser.wait_for_path("/demo/moduli").await;
        browser.wait_for_text("#submissions", "Salvata").await;
        browser.click("#submissions a[id$='-resume']").await;
        browser
            .wait_for_text("#field-dieta-certificate-file", "certificato-medico.pdf")
            .await;
        assert_eq!(value_of(browser, "field-scuola-class_name").await, "3a");
        assert_eq!(
            value_of(browser, "field-telefono").await,
            "+39 333 123 4567"
        );

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

#[tokio::test]
async fn a_submission_suspended_for_an_unpaid_account_shows_its_notice_to_pay() {
    let _slot = BROWSERS
        .acquire()
        .await
        .expect("the semaphore is never closed");
    let server = TestServer::start().await;
    // Anna sends the demo canteen enrolment for Luca with «Paga e invia»: her account is
    // 23,40 € short.
    let anna = server.user("demo", ANNA).await;
    let luca = server.child_named(anna.token(), "Luca").await;
    let open: Vec<FormSummary> = anna.get_ok(&paths::open_forms()).await;
    let canteen = open
        .iter()
        .find(|f| f.title.starts_with("Refezione scolastica"))
        .expect("the canteen enrolment is open");
    let answers = json!({ "answers": {
        "alunno": { "child_id": luca },
        "scuola": { "school": "Scuola Primaria Pascoli", "class_name": "5b" },
        "dieta": { "meal_type": "PASTO BASE" },
        "telefono": "3331234567",
        "privacy": true
    }});
    let draft: SubmissionDetail = json(
        anna.post(&paths::start_submission(canteen.id), &answers)
            .await,
        StatusCode::CREATED,
    )
    .await;
    let id = draft.summary.id;
    let suspended: SubmissionDetail = json(
        anna.post_empty(&paths::my_submission_pay_and_send(id))
            .await,
        StatusCode::OK,
    )
    .await;
    let number = suspended
        .summary
        .notice
        .expect("the notice")
        .notice
        .notice_number;

    Browser::run(&server.url, async |browser| {
        browser.log_in(ANNA).await;
        browser.click("#nav-moduli").await;
        browser.wait_for_path("/demo/moduli").await;
        browser.emulate_phone(360, 740).await;
        let unpaid = format!("#submission-{id}-unpaid");
        browser
            .wait_for_text(&unpaid, "Sospesa per insoluto: paga l'avviso di 23,40 €")
            .await;
        let state = format!("#submission-{id}-state");
        assert_eq!(browser.text(&state).await, "Sospesa per insoluto");
        let pay = format!("#submission-{id}-pay");
        assert_eq!(browser.text(&pay).await, "Paga online");
        browser
            .assert_accessible("I miei moduli, sospesa per insoluto, at 360 px")
            .await;

        browser.click(&format!("#submission-{id}-notice")).await;
        let pdf = browser.downloaded(&format!("avviso-{number}.pdf")).await;
        let bytes = std::fs::read(&pdf).expect("read the downloaded notice");
        assert!(bytes.starts_with(b"%PDF-"), "the notice is a PDF");

        // «Paga online»: pagoPA's checkout of the notice; once paid, the enrolment has
        // moved on by itself.
        browser.click(&pay).await;
        browser.find("#metodo-satispay").await;
        browser.click("#metodo-satispay").await;
        browser
            .submit("#paga", "#payment-outcome", "Pagamento ricevuto.")
            .await;
        browser.goto("/demo/moduli").await;
        browser.wait_for_text(&state, "Da validare").await;
        assert_eq!(browser.count(&unpaid).await, 0, "nothing left to pay");
    })
    .await;
}
