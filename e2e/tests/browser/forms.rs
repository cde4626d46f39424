//! Moduli online: a guardian finds the cedole librarie request he sent in «I miei
//! moduli», downloads its copy as PDF and cancels it before the comune processes it (a cancelled
//! request leaves the list); a guardian whose canteen enrolment waits for the notice of
//! her unpaid account sees the amount, pays online or downloads the notice.

use e2e::browser::Browser;
use e2e::{json, TestServer, ANNA, MARIO};
use reqwest::StatusCode;
use serde_json::json;
use sportello_model::forms::{FormSummary, SubmissionDetail};
use sportello_model::paths;

use crate::{journey, BROWSERS};

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
