//! Moduli online, the office's side: an operator accepts one of the canteen
//! enrolment's submissions with «Accetta selezionate», narrows them to one family's
//! child, opens it, tries to refuse it without a reason, then refuses it with one; the
//! family reads that reason in «I miei moduli». Every page is audited at 360 px.

use e2e::browser::Browser;
use e2e::{json, TestServer, GIULIA_OPERATOR, MARIO};
use reqwest::StatusCode;
use serde_json::json;
use sportello_model::forms::{FormSummary, SubmissionDetail};
use sportello_model::{paths, spa};

use crate::BROWSERS;

const REASON: &str = "Sofia risulta già iscritta al servizio di un altro comune.";

#[tokio::test]
async fn an_operator_refuses_a_submission_with_a_reason_the_family_reads() {
    let _slot = BROWSERS
        .acquire()
        .await
        .expect("the semaphore is never closed");
    let server = TestServer::start().await;
    // Mario sends the canteen enrolment for Sofia.
    let mario = server.user("demo", MARIO).await;
    let open: Vec<FormSummary> = mario.get_ok(&paths::open_forms()).await;
    let canteen = open
        .iter()
        .find(|f| f.title.starts_with("Refezione scolastica"))
        .expect("the demo canteen enrolment is open");
    // Sofia's without ISEE, Greta's with one of this year (its band sets her card's terms).
    let attested_on = format!("{}-01-01", server.today().await.year());
    let mut sent = Vec::new();
    for (child, isee) in [("Sofia", None), ("Greta", Some("8.500,00"))] {
        let child = server.child_named(mario.token(), child).await;
        let mut answers = json!({
            "alunno": { "child_id": child },
            "scuola": { "school": "Scuola Primaria Pascoli", "class_name": "4a" },
            "dieta": { "meal_type": "PASTO BASE" },
            "telefono": "+39 333 1234567",
            "privacy": true
        });
        if let Some(value) = isee {
            answers["isee"] = json!({ "value": value, "attested_on": attested_on });
        }
        let draft: SubmissionDetail = json(
            mario
                .post(
                    &paths::start_submission(canteen.id),
                    &json!({ "answers": answers }),
                )
                .await,
            StatusCode::CREATED,
        )
        .await;
        let done = mario
            .post_empty(&paths::my_submission_send(draft.summary.id))
            .await;
        sent.push(
            json::<SubmissionDetail>(done, StatusCode::OK)
                .await
                .summary
                .id,
        );
    }
    let (id, greta) = (sent[0], sent[1]);
    let form = canteen.id;

    Browser::run(&server.url, async |browser: &Browser| {
        browser.emulate_phone(360, 740).await;
        browser.log_in(GIULIA_OPERATOR).await;
        browser.goto(&spa::form_review("demo", form)).await;
        browser
            .wait_for_text("#review-title", "Refezione scolastica")
            .await;
        browser
            .wait_for_text("#review-count-sent", "2 Inviata")
            .await;
        browser.assert_accessible("the submissions of a form").await;

        // Greta's is accepted with «Accetta selezionate» (ticked alone here).
        browser.click(&format!("#select-{greta}")).await;
        browser
            .wait_for_text("#bulk-accept", "Accetta selezionate (1)")
            .await;
        browser.click("#bulk-accept").await;
        browser
            .wait_for_text("#bulk-result", "1 domanda accettata.")
            .await;
        browser
            .wait_for_text("#review-count-accepted", "1 Accettata")
            .await;
        browser
            .assert_accessible("the result of Accetta selezionate")
            .await;

        // Narrowed to Sofia's, sent to Pascoli.
        browser
            .click("#review-school option[value='Scuola Primaria Pascoli']")
            .await;
        browser.fill("#review-text", "sofia").await;
        browser.click("#review-filter").await;
        browser
            .wait_for_text("#submissions-total", "1 domanda")
            .await;
        browser
            .wait_for_text(&format!("#submission-{id}"), "Sofia Albertini")
            .await;
        browser.click(&format!("#submission-{id}-open")).await;
        browser
            .wait_for_path(&spa::submission_review("demo", id))
            .await;
        browser.wait_for_text("#answer-dieta", "PASTO BASE").await;
        browser.wait_for_text("#submission-state", "Inviata").await;
        browser.assert_accessible("a submission").await;

        // No reason: refused next to the field.
        browser.click("#refuse-submit").await;
        browser
            .assert_field_error(
                "refuse-note",
                "Scrivi il motivo: la famiglia lo leggerà in «I miei moduli».",
            )
            .await;
        browser.fill("#refuse-note", REASON).await;
        browser.click("#refuse-submit").await;
        browser
            .wait_for_text("#submission-state", "Rifiutata")
            .await;
        browser.wait_for_text("#submission-note", REASON).await;
        browser
            .wait_for_text("#submission-events", "Rifiutata – Giulia Rossi")
            .await;
        browser
            .wait_for_text("#submission-no-actions", "non ci sono altre azioni")
            .await;
        browser.assert_accessible("a refused submission").await;
    })
    .await;

    Browser::run(&server.url, async |browser: &Browser| {
        browser.emulate_phone(360, 740).await;
        browser.log_in(MARIO).await;
        browser.goto(&spa::page("demo", "moduli")).await;
        browser
            .wait_for_text(&format!("#submission-{id}-state"), "Rifiutata")
            .await;
        browser
            .wait_for_text(&format!("#submission-{id}-note"), REASON)
            .await;
        browser
            .assert_accessible("I miei moduli with a refusal")
            .await;
    })
    .await;
}
