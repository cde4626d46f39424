//! Registro attività: Giulia Rossi (operatore) closes the canteen for a day, corrects a
//! family's account, writes a news item, cancels a retta and asks a family's request to
//! be validated; Marta Galli
//! (amministratore) changes the comune's settings, a staff account and the logo; Mario
//! books a meal. Marta reads who did what, when, for which family, before and after,
//! filtered by person, family and days; secrets and files are not kept; Giulia may not
//! read the log, and another comune's administrator sees none of it — with the server's
//! clock at Tuesday 24/11/2026, 11:00 in Rome. A change the log cannot record is made all
//! the same (the failure is logged). A card ended and a document withdrawn are kept as
//! they were before.

use e2e::{field_error, json, problem, TestServer};
use e2e::{CARLO_OPERATOR_ESEMPIO, GIULIA_OPERATOR, MARIO, MARTA_ADMIN, PAOLO_CANTEEN};
use reqwest::StatusCode;
use serde_json::json as body;
use sportello_model::audit::{self, AuditEvent};
use sportello_model::auth::Role;
use sportello_model::children::ChildDetail;
use sportello_model::entes::EnteSettingsForm;
use sportello_model::forms::SubmissionSummary;
use sportello_model::payments::{EmissionSummary, Movement};
use sportello_model::{format, paths, Page};

async fn server() -> TestServer {
    TestServer::start_with(&[("SPORTELLO_FAKE_NOW", "2026-11-24T10:00:00Z")]).await
}

fn filtered(query: &str) -> String {
    format!("{}?{query}", paths::audit())
}

fn operations(page: &Page<AuditEvent>) -> Vec<&str> {
    page.items.iter().map(|e| e.operation.as_str()).collect()
}

#[tokio::test]
async fn the_administrator_reads_who_changed_what_before_and_after() {
    let server = server().await;
    let giulia = server.user("demo", GIULIA_OPERATOR).await;
    let marta = server.user("demo", MARTA_ADMIN).await;
    let mario = server.user("demo", MARIO).await;

    // Mario's Sofia and her canteen card: the family of the changes below.
    let sofia = server.child_named(mario.token(), "Sofia").await;
    let detail: ChildDetail = mario.get_ok(&paths::child(sofia)).await;
    let canteen = detail
        .enrolments
        .iter()
        .find(|e| e.service_name == "Refezione Scolastica")
        .expect("the canteen card");
    let (service, family) = (canteen.service_id, detail.guardian_id);
    assert_eq!(family, mario.user.id);

    // The family's own change is not the office's log.
    let booked = mario
        .put(
            &paths::booking_day(sofia, "2026-11-25"),
            &body!({ "service_id": service, "choice": "absent" }),
        )
        .await;
    assert_eq!(booked.status(), StatusCode::OK);

    // Giulia's changes.
    let closed = giulia
        .post(
            &paths::closures(service),
            &body!({ "from": "2026-12-07", "to": "2026-12-07", "description": "Ponte dell'Immacolata" }),
        )
        .await;
    assert_eq!(closed.status(), StatusCode::OK);
    let correction = body!({
        "kind": "adjustment", "amount": "4,20", "reason": "Pasto non consumato", "request_id": "audit-1"
    });
    json::<Movement>(
        giulia
            .post(&paths::family_movements(service, family), &correction)
            .await,
        StatusCode::CREATED,
    )
    .await;
    let news = body!({
        "title": "Menù di dicembre", "summary": "Il menù invernale.", "body": "Dal 1° dicembre.",
        "published_on": "2026-11-24"
    });
    let created = giulia.post(&paths::office_news(), &news).await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let rette: Page<EmissionSummary> = mario.get_ok(&paths::emissions()).await;
    let retta = rette
        .items
        .iter()
        .find(|e| e.status == sportello_model::payments::EmissionStatus::ToPay)
        .expect("Mario's retta to pay");
    let cancelled = giulia
        .post(
            &paths::emission_cancel(retta.id),
            &body!({ "reason": "Emessa due volte" }),
        )
        .await;
    assert_eq!(cancelled.status(), StatusCode::OK);
    // Mario's request to validate: the family is the submission's.
    let submissions: Page<SubmissionSummary> = mario.get_ok(&paths::my_submissions()).await;
    let submission = submissions
        .items
        .first()
        .expect("Mario's cedole request")
        .id;
    let asked = giulia
        .post(
            &paths::review_to_validate(submission),
            &body!({ "note": "Manca l'ISEE" }),
        )
        .await;
    assert_eq!(asked.status(), StatusCode::OK);
    // A refused change changed nothing: it is not recorded.
    let refused = giulia
        .post(
            &paths::closures(service),
            &body!({ "from": "2026-12-09", "to": "2026-12-08", "description": "Al contrario" }),
        )
        .await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);

    // Marta's changes: the settings, Paolo's account, the logo.
    let mut settings: EnteSettingsForm = marta.get_ok(&paths::office_settings()).await;
    settings.booking_cutoff_time = "10:30".into();
    let saved = marta.put(&paths::office_settings(), &settings).await;
    assert_eq!(saved.status(), StatusCode::OK);
    let paolo: i64 = server
        .scalar(&format!(
            "SELECT id FROM users WHERE fiscal_code = '{PAOLO_CANTEEN}'"
        ))
        .await;
    let changed = marta
        .put(
            &paths::office_staff_member(paolo),
            &body!({ "role": "canteen_staff", "active": false }),
        )
        .await;
    assert_eq!(changed.status(), StatusCode::OK);
    let svg = r#"<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>"#;
    let logo = marta
        .post_file(&paths::office_logo(), "image/svg+xml", svg.into())
        .await;
    assert_eq!(logo.status(), StatusCode::OK);

    // The whole log, newest first: the office's changes only, each once.
    let all: Page<AuditEvent> = marta.get_ok(&paths::audit()).await;
    assert_eq!(
        operations(&all),
        [
            "upload_logo",
            "change_staff",
            "save_settings",
            "to_validate_submission",
            "cancel_emission",
            "create_news",
            "correct_account",
            "add_closure"
        ]
    );
    assert_eq!(all.total, 8);

    // Who, when, what: the closure.
    let closure = &all.items[7];
    assert_eq!(
        (
            closure.actor_id,
            closure.actor_name.as_str(),
            closure.actor_role
        ),
        (giulia.user.id, "Giulia Rossi", Role::Operator)
    );
    assert_eq!(format::date_time(closure.at).get(..10), Some("24/11/2026"));
    assert_eq!(closure.label, "Chiusura della mensa");
    assert_eq!(closure.method, "POST");
    assert_eq!(closure.route, "/services/{service_id}/closures");
    assert_eq!(closure.target["service_id"], service.to_string());
    assert_eq!(closure.status, 200);
    let after = closure.after.as_ref().expect("the closure sent");
    assert_eq!(after["description"], "Ponte dell'Immacolata");
    assert_eq!(closure.family_id, None);

    // The correction: the family from the route, the balance before.
    let corrected = &all.items[6];
    assert_eq!(corrected.family_id, Some(family));
    assert_eq!(corrected.family_name.as_deref(), Some("Mario Albertini"));
    assert_eq!(corrected.label, "Rettifica del conto");
    let before = corrected.before.as_ref().expect("the account before");
    assert_eq!(before["service_id"], service);
    assert!(before.get("balance").is_some(), "{before}");
    assert_eq!(corrected.after.as_ref().unwrap()["amount"], "4,20");

    // The retta cancelled: its family attached by the service, the retta before.
    let retta_row = &all.items[4];
    assert_eq!(retta_row.family_id, Some(family));
    let before = retta_row.before.as_ref().expect("the retta before");
    assert_eq!(before["status"], "to_pay");
    assert_eq!(
        retta_row.after.as_ref().unwrap()["reason"],
        "Emessa due volte"
    );

    // The settings: before and after, the changed field readable.
    let settings_row = &all.items[2];
    assert_eq!(settings_row.actor_name, "Marta Galli");
    assert_eq!(settings_row.label, "Impostazioni del comune");
    let changes = audit::changes(settings_row.before.as_ref(), settings_row.after.as_ref());
    assert_eq!(
        changes,
        [audit::Change {
            field: "booking_cutoff_time".into(),
            before: Some("15:00".into()),
            after: Some("10:30".into()),
        }]
    );

    // Paolo's account: active before, off after.
    let staff_row = &all.items[1];
    assert_eq!(staff_row.target["id"], paolo.to_string());
    assert_eq!(staff_row.before.as_ref().unwrap()["active"], true);
    assert_eq!(staff_row.after.as_ref().unwrap()["active"], false);

    // A file is not kept.
    assert_eq!(all.items[0].after, Some(body!({ "file": audit::FILE })));

    // By person, by family, by days.
    let by_giulia: Page<AuditEvent> = marta
        .get_ok(&filtered(&format!("actor={}", giulia.user.id)))
        .await;
    assert_eq!(
        operations(&by_giulia),
        [
            "to_validate_submission",
            "cancel_emission",
            "create_news",
            "correct_account",
            "add_closure"
        ]
    );
    let by_family: Page<AuditEvent> = marta.get_ok(&filtered(&format!("family={family}"))).await;
    assert_eq!(
        operations(&by_family),
        [
            "to_validate_submission",
            "cancel_emission",
            "correct_account"
        ]
    );
    let today: Page<AuditEvent> = marta
        .get_ok(&filtered("from=2026-11-24&to=2026-11-24"))
        .await;
    assert_eq!(today.total, 8);
    let tomorrow: Page<AuditEvent> = marta.get_ok(&filtered("from=2026-11-25")).await;
    assert_eq!(tomorrow.total, 0);
    let yesterday: Page<AuditEvent> = marta.get_ok(&filtered("to=2026-11-23")).await;
    assert_eq!(yesterday.total, 0);
    let paged: Page<AuditEvent> = marta.get_ok(&filtered("per_page=2&page=2")).await;
    assert_eq!(
        operations(&paged),
        ["save_settings", "to_validate_submission"]
    );

    // Bad days are refused in Italian.
    assert_eq!(
        field_error(
            marta.get(&filtered("from=2026-11-25&to=2026-11-24")).await,
            "to"
        )
        .await,
        "La data finale non può precedere quella iniziale."
    );
    let bad = marta.get(&filtered("from=24/11/2026")).await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);

    // The CSV: a line per row, with the names and the Italian labels.
    let csv = marta.get(&paths::audit_csv()).await;
    assert_eq!(csv.status(), StatusCode::OK);
    let text = csv.text().await.expect("csv");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 9, "{text}");
    assert!(lines[0].contains("Data e ora;Persona;Ruolo;Operazione;Famiglia"));
    assert!(text.contains("Giulia Rossi;Operatore;Rettifica del conto;Mario Albertini"));

    // Only administrators read it; no one writes it.
    let refused = problem(giulia.get(&paths::audit()).await, StatusCode::FORBIDDEN).await;
    assert_eq!(
        refused.detail,
        "Il tuo profilo non consente questa operazione."
    );
    assert_eq!(
        mario.get(&paths::audit()).await.status(),
        StatusCode::FORBIDDEN
    );
    let written = marta.post(&paths::audit(), &body!({})).await;
    assert_eq!(written.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn another_comunes_administrator_sees_none_of_it() {
    let server = server().await;
    let marta = server.user("demo", MARTA_ADMIN).await;
    let mut settings: EnteSettingsForm = marta.get_ok(&paths::office_settings()).await;
    settings.booking_cutoff_time = "11:30".into();
    let saved = marta.put(&paths::office_settings(), &settings).await;
    assert_eq!(saved.status(), StatusCode::OK);
    let mine: Page<AuditEvent> = marta.get_ok(&paths::audit()).await;
    assert_eq!(mine.total, 1);

    // Carlo, made Comune di Esempio's administrator.
    server
        .query(&format!(
            "UPDATE users SET role = 'administrator' WHERE fiscal_code = '{CARLO_OPERATOR_ESEMPIO}'"
        ))
        .await;
    let carlo = server.spid_user("esempio", CARLO_OPERATOR_ESEMPIO).await;
    assert_eq!(carlo.user.role, Role::Administrator);
    let theirs: Page<AuditEvent> = carlo.get_ok(&paths::audit()).await;
    assert_eq!(theirs.total, 0);
    let by_marta: Page<AuditEvent> = carlo
        .get_ok(&filtered(&format!("actor={}", marta.user.id)))
        .await;
    assert!(by_marta.items.is_empty());
}

#[tokio::test]
async fn a_change_is_made_even_when_the_log_cannot_record_it() {
    let server = server().await;
    let marta = server.user("demo", MARTA_ADMIN).await;
    // The log's table out of reach: its row cannot be written.
    server
        .query("ALTER TABLE audit_events RENAME TO audit_events_away")
        .await;
    let mut settings: EnteSettingsForm = marta.get_ok(&paths::office_settings()).await;
    settings.booking_cutoff_time = "12:00".into();
    let saved = marta.put(&paths::office_settings(), &settings).await;
    assert_eq!(saved.status(), StatusCode::OK);
    let now: EnteSettingsForm = marta.get_ok(&paths::office_settings()).await;
    assert_eq!(now.booking_cutoff_time, "12:00");
}

#[tokio::test]
async fn a_card_ended_and_a_document_withdrawn_are_kept_as_they_were() {
    let server = server().await;
    let giulia = server.user("demo", GIULIA_OPERATOR).await;
    let marta = server.user("demo", MARTA_ADMIN).await;
    let mario = server.user("demo", MARIO).await;
    let sofia = server.child_named(mario.token(), "Sofia").await;
    let detail: ChildDetail = mario.get_ok(&paths::child(sofia)).await;
    let canteen = detail
        .enrolments
        .iter()
        .find(|e| e.service_name == "Refezione Scolastica")
        .expect("the canteen card");
    let ended = giulia
        .post_empty(&paths::child_enrolment_end(sofia, canteen.id))
        .await;
    assert_eq!(ended.status(), StatusCode::OK);
    let documents: Page<sportello_model::content::OfficeDocument> =
        giulia.get_ok(&paths::office_documents()).await;
    let document = &documents.items[0].item;
    let withdrawn = giulia
        .post_empty(&paths::office_document_unpublish(document.id))
        .await;
    assert_eq!(withdrawn.status(), StatusCode::OK);

    let of_family: Page<AuditEvent> = marta
        .get_ok(&filtered(&format!("family={}", detail.guardian_id)))
        .await;
    let card = of_family
        .items
        .iter()
        .find(|e| e.operation == "end_enrolment")
        .expect("the card ended, under Mario's family");
    assert_eq!(card.label, "Iscrizione terminata");
    let before = card.before.as_ref().expect("the card before");
    assert_eq!(before["active"], true);
    assert_eq!(before["badge"], canteen.badge.as_str());
    let all: Page<AuditEvent> = marta.get_ok(&paths::audit()).await;
    let row = all
        .items
        .iter()
        .find(|e| e.operation == "unpublish_document")
        .expect("the document withdrawn");
    let before = row.before.as_ref().expect("the document before");
    assert_eq!(before["title"], document.title.as_str());
    assert_eq!(before["state"], "published");
}
