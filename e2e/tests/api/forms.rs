//! Moduli online: an operator defines and publishes a form, a family fills, saves and
//! sends it, downloads its copy, the office accepts it into next school year's card, and
//! the child is on that year's roster and charged; the refusals a family meets (window,
//! account gate, wrong answers, wrong files, another family's submission, a delegate on a
//! guardian-only form); two operators accepting at once; sends at once of the same form
//! for the same child or family.

use std::time::Duration;

use e2e::payments::pdf_words;
use e2e::smtp::SmtpServer;
use e2e::{
    client, field_error, json, problem, TestServer, User, ANNA, GIULIA_OPERATOR, LAURA_DELEGATE,
    MARIO,
};
use reqwest::{Response, StatusCode};
use serde::Serialize;
use serde_json::{json, Value};
use sportello_model::bookings::{AttendanceRow, ChargeReport};
use sportello_model::children::ChildDetail;
use sportello_model::forms::{
    FormDetail, FormSummary, SubmissionDetail, SubmissionState, SubmissionSummary, UploadInfo,
};
use sportello_model::payments::{Movement, MovementKind, Statement};
use sportello_model::{paths, Page};

/// Tuesday 20/07/2027, 10:00 in Rome: summer, next year's enrolments are open.
pub(crate) const SUMMER: &str = "2027-07-20T08:00:00Z";

/// The smallest PNG: its content says PNG, whatever the name.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, 0x49, 0x48, 0x44, 0x52, 0, 0, 0,
    1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 0x1F, 0x15, 0xC4, 0x89,
];

/// A canteen enrolment form for 2027/2028 into `service`, open from 11/07 to 31/08.
pub(crate) fn canteen_form(service: i64, gate: bool) -> Value {
    json!({
        "title": "Refezione scolastica 2027/2028",
        "description": "Iscrizione al servizio mensa.",
        "school_year": "2027/2028",
        "opens_on": "2027-07-11",
        "closes_on": "2027-08-31",
        "scope": "per_child",
        "service_id": service,
        "requires_settled_account": gate,
        "sections": [{
            "title": "Alunno",
            "fields": [
                { "key": "alunno", "label": "Alunno", "required": true, "kind": { "type": "child" } },
                { "key": "scuola", "label": "Scuola e classe", "required": true,
                  "kind": { "type": "school_class", "schools": ["Scuola Primaria Pascoli"] } },
                { "key": "dieta", "label": "Tipologia pasto", "required": true, "kind": { "type": "diet" } },
                { "key": "privacy", "label": "Privacy", "required": true,
                  "kind": { "type": "consent", "text": "Ho letto l'informativa." } }
            ]
        }]
    })
}

pub(crate) async fn publish(office: &User<'_>, definition: &Value) -> FormDetail {
    let draft: FormDetail = json(
        office.post(&paths::forms(), definition).await,
        StatusCode::CREATED,
    )
    .await;
    json(
        office.post_empty(&paths::form_publish(draft.id)).await,
        StatusCode::OK,
    )
    .await
}

pub(crate) async fn start(family: &User<'_>, form: i64, answers: Value) -> SubmissionDetail {
    let started = family
        .post(
            &paths::start_submission(form),
            &json!({ "answers": answers }),
        )
        .await;
    json(started, StatusCode::CREATED).await
}

/// Salva with `answers`, then Invia: the submission as sent.
async fn save_and_send(
    family: &User<'_>,
    submission: i64,
    answers: impl Serialize,
) -> SubmissionDetail {
    let saved = family
        .put(
            &paths::my_submission(submission),
            &json!({ "answers": answers }),
        )
        .await;
    json::<SubmissionDetail>(saved, StatusCode::OK).await;
    let sent = family
        .post_empty(&paths::my_submission_send(submission))
        .await;
    json(sent, StatusCode::OK).await
}

/// Attaches the smallest PNG as the file `name` to the field `field` of a draft.
async fn attach_png(family: &User<'_>, submission: i64, field: &str, name: &str) -> UploadInfo {
    let attached = upload(family, submission, field, name, PNG.to_vec()).await;
    json(attached, StatusCode::CREATED).await
}

/// Attaches `body` as the file `name` to the field `field` of a draft.
async fn upload(
    family: &User<'_>,
    submission: i64,
    field: &str,
    name: &str,
    body: Vec<u8>,
) -> Response {
    let path = paths::my_submission_uploads(submission);
    client()
        .post(
            family
                .server
                .api(&format!("{path}?field={field}&name={name}")),
        )
        .bearer_auth(family.token())
        .header("content-type", "application/octet-stream")
        .body(body)
        .send()
        .await
        .expect("upload")
}

#[tokio::test]
async fn an_enrolment_goes_from_the_form_to_next_years_card_roster_and_charge() {
    let smtp = SmtpServer::start();
    let server = TestServer::with_smtp(
        smtp.port,
        &[
            ("SPORTELLO_FAKE_NOW", SUMMER),
            ("SPORTELLO_CHARGE_JOB", "false"),
        ],
    )
    .await;
    let giulia = server.user("demo", GIULIA_OPERATOR).await;
    let (mario, service) = server.canteen_family(MARIO).await;
    let sofia = server.child_named(mario.token(), "Sofia").await;

    let form = publish(&giulia, &canteen_form(service, true)).await;
    let open: Vec<FormSummary> = mario.get_ok(&paths::open_forms()).await;
    let offered = open
        .iter()
        .find(|f| f.id == form.id)
        .expect("the new form is offered");
    assert_eq!(offered.validity, "Validità dal 11/07/2027 al 31/08/2027");

    // A draft with half the answers, resumed later with the diet and its certificate.
    let draft = start(&mario, form.id, json!({ "alunno": { "child_id": sofia } })).await;
    assert_eq!(draft.summary.state, SubmissionState::Saved);
    let certificate = upload(
        &mario,
        draft.summary.id,
        "dieta",
        "certificato.png",
        PNG.to_vec(),
    )
    .await;
    let certificate: UploadInfo = json(certificate, StatusCode::CREATED).await;
    assert_eq!(certificate.content_type, "image/png");
    let answers = json!({
        "alunno": { "child_id": sofia },
        "scuola": { "school": "Scuola Primaria Pascoli", "class_name": "3a" },
        "dieta": { "meal_type": "DIETA SANITARIA", "notes": "Celiachia", "certificate": certificate.id },
        "privacy": true
    });
    let sent = save_and_send(&mario, draft.summary.id, answers).await;
    assert_eq!(sent.summary.state, SubmissionState::Sent);
    let protocol = sent
        .summary
        .protocol_number
        .clone()
        .expect("a protocol number");
    assert_eq!(protocol, format!("2027/{:06}", draft.summary.id));
    // The confirmation e-mail reaches the guardian's mailbox.
    let emails = smtp
        .wait_for("mario.albertini@example.it", 1, Duration::from_secs(15))
        .await;
    assert_eq!(emails.len(), 1, "one confirmation e-mail");
    assert_eq!(
        emails[0].subject(),
        "Domanda inviata: Refezione scolastica 2027/2028"
    );
    let text = emails[0].text();
    assert!(text.contains("Gentile Mario Albertini"), "{text}");
    assert!(
        text.contains(&format!(
            "è stata inviata al Comune di Demo il 20/07/2027 alle 10:00 con il numero di protocollo {protocol}"
        )),
        "{text}"
    );

    let pdf = mario.get(&paths::my_submission_pdf(draft.summary.id)).await;
    assert_eq!(pdf.status(), StatusCode::OK);
    let words = pdf_words(&pdf.bytes().await.expect("the PDF"));
    assert!(words.contains("Comune di Demo"), "{words}");
    assert!(
        words.contains(&format!(
            "Domanda n. {protocol} inviata il 20/07/2027 alle 10:00"
        )),
        "{words}"
    );
    assert!(
        words
            .contains("Tipologia pasto: DIETA SANITARIA: Celiachia (certificato: certificato.png)"),
        "{words}"
    );

    // The family downloads what it attached; another family finds nothing there.
    let own = paths::my_submission_upload(draft.summary.id, certificate.id);
    let file = mario.get(&own).await;
    assert_eq!(file.status(), StatusCode::OK);
    assert_eq!(
        file.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("image/png")
    );
    assert_eq!(file.bytes().await.expect("the file").as_ref(), PNG);
    let anna = server.user("demo", ANNA).await;
    assert_eq!(anna.get(&own).await.status(), StatusCode::NOT_FOUND);

    // The office finds it, reads the certificate and accepts it with the card's terms.
    let listed: Page<SubmissionSummary> = giulia
        .get_ok(&format!("{}?state=sent", paths::form_submissions(form.id)))
        .await;
    assert_eq!(listed.items.len(), 1);
    assert_eq!(
        listed.items[0].child_name.as_deref(),
        Some("Sofia Albertini")
    );
    let file = giulia
        .get(&paths::review_upload(draft.summary.id, certificate.id))
        .await;
    assert_eq!(file.bytes().await.expect("the file").as_ref(), PNG);
    let terms =
        json!({ "badge": "700001", "fee_band": "Fascia 2", "quota": "0", "meal_price": "4,80" });
    let accepted = giulia
        .post(&paths::review_accept(draft.summary.id), &terms)
        .await;
    let accepted: SubmissionDetail = json(accepted, StatusCode::OK).await;
    assert_eq!(accepted.summary.state, SubmissionState::Accepted);
    let history: Vec<_> = accepted
        .history
        .iter()
        .map(|e| (e.state, e.actor_name.as_str()))
        .collect();
    assert_eq!(
        history,
        [
            (SubmissionState::Saved, "Mario Albertini"),
            (SubmissionState::Sent, "Mario Albertini"),
            (SubmissionState::Accepted, "Giulia Rossi"),
        ]
    );
    let card: ChildDetail = mario.get_ok(&paths::child(sofia)).await;
    let next = card
        .enrolments
        .iter()
        .find(|e| e.school_year == "2027/2028")
        .expect("next year's card on the Utenti page");
    assert_eq!(
        (next.class_name.as_str(), next.badge.as_str()),
        ("3a", "700001")
    );
    assert_eq!(next.meal_price.to_string(), "4.80");
    let csv = giulia.get(&paths::form_export(form.id)).await;
    let csv = csv.bytes().await.expect("the CSV");
    assert!(csv.starts_with("\u{feff}Protocollo;Inviata il;Stato".as_bytes()));
    assert!(String::from_utf8_lossy(&csv).contains(&format!(
        "{protocol};20/07/2027 10:00;Accettata;Mario Albertini;Sofia Albertini"
    )));

    // September: with next year's calendar, Sofia is on the roster by her new card and
    // charged its price; last year's cards are not.
    let calendar = json!({ "first_day": "2027-09-13", "last_day": "2028-06-09", "serving_weekdays": [1, 2, 3, 4, 5] });
    let set = giulia.put(&paths::calendar(service), &calendar).await;
    assert_eq!(
        set.status(),
        StatusCode::OK,
        "{}",
        set.text().await.unwrap_or_default()
    );
    server
        .advance_clock(std::time::Duration::from_secs(57 * 24 * 3600))
        .await;
    let giulia = server.user("demo", GIULIA_OPERATOR).await;
    let roster: Vec<AttendanceRow> = giulia
        .get_ok(&format!(
            "{}?service_id={service}&day=2027-09-14",
            paths::roster()
        ))
        .await;
    let on_roster: Vec<_> = roster
        .iter()
        .map(|r| {
            (
                r.child_name.as_str(),
                r.class_name.as_str(),
                r.meal_type.as_str(),
            )
        })
        .collect();
    assert_eq!(on_roster, [("Sofia Albertini", "3a", "DIETA SANITARIA")]);
    let charged = giulia
        .post(
            &paths::charges(),
            &json!({ "service_id": service, "day": "2027-09-14" }),
        )
        .await;
    json::<ChargeReport>(charged, StatusCode::OK).await;
    let mario = server.user("demo", MARIO).await;
    let statement: Statement = mario.get_ok(&paths::statement(service)).await;
    let meal: &Movement = statement
        .movements
        .items
        .iter()
        .find(|m| {
            m.kind == MovementKind::Meal
                && m.day.map(|d| d.to_string()) == Some("2027-09-14".into())
        })
        .expect("the meal of 14/09/2027");
    assert_eq!(meal.amount.to_string(), "-4.80");
}

#[tokio::test]
async fn sending_is_refused_outside_the_window_and_while_the_account_is_negative() {
    let server = TestServer::start_with(&[("SPORTELLO_FAKE_NOW", SUMMER)]).await;
    let giulia = server.user("demo", GIULIA_OPERATOR).await;
    let (anna, service) = server.canteen_family(ANNA).await;
    let luca = server.child_named(anna.token(), "Luca").await;
    let form = publish(&giulia, &canteen_form(service, true)).await;
    let answers = json!({
        "alunno": { "child_id": luca },
        "scuola": { "school": "Scuola Primaria Pascoli", "class_name": "5b" },
        "dieta": { "meal_type": "PASTO BASE" },
        "privacy": true
    });
    let draft = start(&anna, form.id, answers).await;

    // Last year's meals left 23,40 € to pay on Anna's account (the demo data).
    let refused = anna
        .post_empty(&paths::my_submission_send(draft.summary.id))
        .await;
    assert_eq!(
        problem(refused, StatusCode::CONFLICT).await.detail,
        "Per iscriversi occorre saldare 23,40 € del conto Refezione Scolastica."
    );
    let mine: SubmissionDetail = anna.get_ok(&paths::my_submission(draft.summary.id)).await;
    assert_eq!(
        mine.summary.state,
        SubmissionState::Saved,
        "nothing was sent"
    );

    // A form that opens next month is not offered and cannot be filled yet.
    let mut later = canteen_form(service, false);
    later["title"] = json!("Trasporto estivo");
    later["opens_on"] = json!("2027-08-16");
    let later = publish(&giulia, &later).await;
    let open: Vec<FormSummary> = anna.get_ok(&paths::open_forms()).await;
    assert!(open.iter().all(|f| f.id != later.id));
    let early = anna
        .post(
            &paths::start_submission(later.id),
            &json!({ "answers": {} }),
        )
        .await;
    assert_eq!(
        problem(early, StatusCode::CONFLICT).await.detail,
        "Il modulo «Trasporto estivo» si potrà compilare dal 16/08/2027."
    );

    // After 31/08 (Rome) the draft can no longer be sent.
    server
        .advance_clock(std::time::Duration::from_secs(43 * 24 * 3600))
        .await;
    let anna = server.user("demo", ANNA).await;
    let late = anna
        .post_empty(&paths::my_submission_send(draft.summary.id))
        .await;
    assert_eq!(
        problem(late, StatusCode::CONFLICT).await.detail,
        "Il modulo «Refezione scolastica 2027/2028» si poteva compilare fino al 31/08/2027: i termini sono scaduti."
    );
}

#[tokio::test]
async fn wrong_answers_files_and_someone_elses_submission_are_refused() {
    let server = TestServer::start_with(&[("SPORTELLO_FAKE_NOW", SUMMER)]).await;
    let giulia = server.user("demo", GIULIA_OPERATOR).await;
    let mario = server.user("demo", MARIO).await;
    let form = publish(
        &giulia,
        &json!({
            "title": "Centro estivo 2027",
            "school_year": "2026/2027",
            "opens_on": "2027-07-01",
            "closes_on": "2027-07-31",
            "scope": "per_child",
            "sections": [{
                "title": "Iscrizione",
                "fields": [
                    { "key": "alunno", "label": "Alunno", "required": true, "kind": { "type": "child" } },
                    { "key": "nota", "label": "Note", "required": false, "kind": { "type": "short_text", "max_chars": 5 } },
                    { "key": "descrizione", "label": "Descrizione", "required": false, "kind": { "type": "long_text", "max_chars": 5 } },
                    { "key": "settimane", "label": "Settimane", "required": true, "kind": { "type": "integer", "min": 1, "max": 4 } },
                    { "key": "acconto", "label": "Acconto", "required": true, "kind": { "type": "amount", "max": "100.00" } },
                    { "key": "inizio", "label": "Inizio", "required": true, "kind": { "type": "date", "earliest": "2027-07-05", "latest": "2027-07-26" } },
                    { "key": "turno", "label": "Turno", "required": true, "kind": { "type": "single_choice", "options": ["Mattina", "Giornata"] } },
                    { "key": "attivita", "label": "Attività", "required": false, "kind": { "type": "multiple_choice", "options": ["Piscina", "Gite"] } },
                    { "key": "pranzo", "label": "Pranzo", "required": true, "kind": { "type": "yes_no" } },
                    { "key": "email", "label": "E-mail", "required": true, "kind": { "type": "email" } },
                    { "key": "telefono", "label": "Telefono", "required": true, "kind": { "type": "phone" } },
                    { "key": "iban", "label": "IBAN", "required": true, "kind": { "type": "iban" } },
                    { "key": "isee", "label": "ISEE", "required": true, "kind": { "type": "isee", "max": "100000.00" } },
                    { "key": "documento", "label": "Documento", "required": true, "kind": { "type": "upload", "max_bytes": 1024 } },
                    { "key": "scuola", "label": "Scuola", "required": true, "kind": { "type": "school_class", "schools": [] } },
                    { "key": "dieta", "label": "Dieta", "required": true, "kind": { "type": "diet" } },
                    { "key": "privacy", "label": "Privacy", "required": true, "kind": { "type": "consent", "text": "Accetto." } }
                ]
            }]
        }),
    )
    .await;
    let wrong = json!({
        "alunno": { "new_child": { "first_name": "Pietro", "last_name": "Albertini",
                                   "fiscal_code": "LBRPTR21A01F205X", "birth_date": "2021-01-01" } },
        "nota": "troppo lunga",
        "descrizione": "troppo lunga",
        "settimane": 5,
        "acconto": "100,01",
        "inizio": "2027-08-02",
        "turno": "Sera",
        "attivita": ["Piscina", "Calcio"],
        "pranzo": "sì",
        "email": "mario@",
        "telefono": "12",
        "iban": "IT60X0542811101000000123457",
        "isee": { "value": "12.000,00", "attested_on": "2026-05-01" },
        "documento": 999999,
        "scuola": { "school": "", "class_name": "2a" },
        "dieta": { "meal_type": "DIETA SANITARIA" },
        "privacy": false
    });
    let draft = start(&mario, form.id, wrong).await;
    let refused = mario
        .post_empty(&paths::my_submission_send(draft.summary.id))
        .await;
    let refused = problem(refused, StatusCode::BAD_REQUEST).await;
    let fields: Vec<&str> = refused.errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "answers.alunno.fiscal_code",
            "answers.nota",
            "answers.descrizione",
            "answers.settimane",
            "answers.acconto",
            "answers.inizio",
            "answers.turno",
            "answers.attivita",
            "answers.pranzo",
            "answers.email",
            "answers.telefono",
            "answers.iban",
            "answers.isee.attested_on",
            "answers.documento",
            "answers.scuola.school",
            "answers.dieta.certificate",
            "answers.privacy",
        ],
        "{refused:?}"
    );
    assert!(refused
        .field_message("answers.alunno.fiscal_code")
        .is_some_and(|m| m.contains("carattere di controllo")));
    assert_eq!(
        refused.field_message("answers.acconto"),
        Some("L'importo non può superare 100,00 €.")
    );

    // Files: the content decides the type, the field the size.
    let id = draft.summary.id;
    let text = upload(
        &mario,
        id,
        "documento",
        "documento.pdf",
        b"non sono un PDF".to_vec(),
    )
    .await;
    assert_eq!(
        field_error(text, "file").await,
        "Il file deve essere un PDF o un'immagine JPEG o PNG: il contenuto di questo file non lo è."
    );
    let mut large = b"%PDF-1.7\n".to_vec();
    large.resize(1025, b' ');
    let large = upload(&mario, id, "documento", "documento.pdf", large).await;
    assert_eq!(
        field_error(large, "file").await,
        "Il file è troppo grande: al massimo 1 kB."
    );

    // Another family's submission does not exist for them; a delegate cannot fill a
    // form for the guardian only.
    let anna = server.user("demo", ANNA).await;
    for path in [paths::my_submission(id), paths::my_submission_pdf(id)] {
        assert_eq!(anna.get(&path).await.status(), StatusCode::NOT_FOUND);
    }
    let theirs = anna.post_empty(&paths::my_submission_send(id)).await;
    assert_eq!(theirs.status(), StatusCode::NOT_FOUND);
    let laura = server.user("demo", LAURA_DELEGATE).await;
    let open: Vec<FormSummary> = laura.get_ok(&paths::open_forms()).await;
    assert!(
        open.iter().all(|f| f.id != form.id),
        "not offered to a delegate"
    );
    let delegate = laura
        .post(&paths::start_submission(form.id), &json!({ "answers": {} }))
        .await;
    assert_eq!(
        problem(delegate, StatusCode::FORBIDDEN).await.detail,
        "Questo modulo può essere compilato e inviato solo dall'intestatario."
    );
}

#[tokio::test]
async fn two_operators_accepting_at_once_make_one_enrolment_and_a_refusal_reaches_the_family() {
    let server = TestServer::start_with(&[("SPORTELLO_FAKE_NOW", SUMMER)]).await;
    let giulia = server.user("demo", GIULIA_OPERATOR).await;
    let second = server.user("demo", GIULIA_OPERATOR).await;
    let (mario, service) = server.canteen_family(MARIO).await;
    let form = publish(&giulia, &canteen_form(service, false)).await;
    let mut sent = Vec::new();
    for (child, class) in [("Nuovo", "1a"), ("Greta", "1b")] {
        let alunno = if child == "Nuovo" {
            json!({ "new_child": { "first_name": "Pietro", "last_name": "Albertini",
                                   "fiscal_code": "RSSMRA85T10A562S", "birth_date": "2021-10-10" } })
        } else {
            json!({ "child_id": server.child_named(mario.token(), child).await })
        };
        let draft = start(
            &mario,
            form.id,
            json!({
                "alunno": alunno,
                "scuola": { "school": "Scuola Primaria Pascoli", "class_name": class },
                "dieta": { "meal_type": "PASTO BASE" },
                "privacy": true
            }),
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
    let terms =
        json!({ "badge": "700002", "fee_band": "Fascia 1", "quota": "0", "meal_price": "4,50" });
    let path = paths::review_accept(sent[0]);
    let (one, two) = tokio::join!(giulia.post(&path, &terms), second.post(&path, &terms));
    let mut statuses = [one.status(), two.status()];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::CONFLICT]);
    let cards: i64 = server
        .scalar(&format!(
            "SELECT COUNT(*) FROM enrolments WHERE submission_id = {}",
            sent[0]
        ))
        .await;
    assert_eq!(cards, 1);
    let pietro = server.child_named(mario.token(), "Pietro").await;
    let card: ChildDetail = mario.get_ok(&paths::child(pietro)).await;
    assert_eq!(card.fiscal_code, "RSSMRA85T10A562S");
    assert_eq!(card.enrolments.len(), 1);

    // The second is refused with a reason the family reads in I miei moduli.
    let no_reason = giulia
        .post(&paths::review_refuse(sent[1]), &json!({ "note": " " }))
        .await;
    assert_eq!(
        field_error(no_reason, "note").await,
        "Scrivi il motivo: la famiglia lo leggerà in «I miei moduli»."
    );
    let reason = "Greta risulta già iscritta alla scuola secondaria.";
    let refused = giulia
        .post(&paths::review_refuse(sent[1]), &json!({ "note": reason }))
        .await;
    json::<SubmissionDetail>(refused, StatusCode::OK).await;
    let mine: Page<SubmissionSummary> = mario.get_ok(&paths::my_submissions()).await;
    let read = mine
        .items
        .iter()
        .find(|s| s.id == sent[1])
        .expect("in I miei moduli");
    assert_eq!(read.state_label, "Rifiutata");
    assert_eq!(read.operator_note.as_deref(), Some(reason));
    let cancel = mario
        .post_empty(&paths::my_submission_cancel(sent[1]))
        .await;
    assert_eq!(
        problem(cancel, StatusCode::CONFLICT).await.detail,
        "Non è possibile cancellare una domanda nello stato «Rifiutata»."
    );
}

#[tokio::test]
async fn sends_at_once_leave_one_submission_per_child_and_per_family() {
    let server = TestServer::start_with(&[("SPORTELLO_FAKE_NOW", SUMMER)]).await;
    let giulia = server.user("demo", GIULIA_OPERATOR).await;
    let (anna, service) = server.canteen_family(ANNA).await;
    let luca = server.child_named(anna.token(), "Luca").await;
    let per_child = publish(&giulia, &canteen_form(service, false)).await;
    let per_family = publish(
        &giulia,
        &json!({
            "title": "Contributo libri 2027",
            "school_year": "2027/2028",
            "opens_on": "2027-07-01",
            "closes_on": "2027-08-31",
            "scope": "per_family",
            "sections": [{ "title": "Dichiarazione", "fields": [
                { "key": "privacy", "label": "Privacy", "required": true,
                  "kind": { "type": "consent", "text": "Ho letto l'informativa." } }
            ]}]
        }),
    )
    .await;
    let for_luca = json!({
        "alunno": { "child_id": luca },
        "scuola": { "school": "Scuola Primaria Pascoli", "class_name": "5b" },
        "dieta": { "meal_type": "PASTO BASE" },
        "privacy": true
    });
    let cases = [
        (per_child.id, for_luca.clone()),
        (per_family.id, json!({ "privacy": true })),
    ];
    for (form, answers) in cases {
        let mut drafts = Vec::new();
        for _ in 0..4 {
            drafts.push(start(&anna, form, answers.clone()).await.summary.id);
        }
        let paths: Vec<String> = drafts
            .iter()
            .map(|id| paths::my_submission_send(*id))
            .collect();
        let sends = paths.iter().map(|path| anna.post_empty(path));
        let mut sent = Vec::new();
        for (id, response) in drafts
            .iter()
            .zip(futures_util::future::join_all(sends).await)
        {
            if response.status() == StatusCode::OK {
                sent.push(*id);
            } else {
                assert_eq!(
                    problem(response, StatusCode::CONFLICT).await.detail,
                    "Hai già inviato questo modulo: trovi la domanda in «I miei moduli»."
                );
            }
        }
        assert_eq!(sent.len(), 1, "one of four sends goes through");
        let in_force: i64 = server
            .scalar(&format!(
                "SELECT COUNT(*) FROM form_submissions WHERE form_id = {form} AND state = 'sent'"
            ))
            .await;
        assert_eq!(in_force, 1);

        // Once the family cancels it, another draft can be sent.
        let cancelled = anna.post_empty(&paths::my_submission_cancel(sent[0])).await;
        json::<SubmissionDetail>(cancelled, StatusCode::OK).await;
        let again = drafts.iter().find(|id| **id != sent[0]).expect("a draft");
        let again = anna.post_empty(&paths::my_submission_send(*again)).await;
        json::<SubmissionDetail>(again, StatusCode::OK).await;
    }
}

#[tokio::test]
async fn a_child_enrolled_this_year_starts_next_years_enrolment_with_this_years_answers() {
    let server = TestServer::start_with(&[("SPORTELLO_FAKE_NOW", SUMMER)]).await;
    let giulia = server.user("demo", GIULIA_OPERATOR).await;
    let (mario, service) = server.canteen_family(MARIO).await;
    let sofia = server.child_named(mario.token(), "Sofia").await;
    let greta = server.child_named(mario.token(), "Greta").await;
    let form = publish(&giulia, &canteen_form(service, false)).await;

    // Sofia is in 2a at the Pascoli this year with a medical diet: her draft says 3a,
    // the same school and the same diet, on any device that opens it.
    let draft = start(&mario, form.id, json!({ "alunno": { "child_id": sofia } })).await;
    assert_eq!(
        draft.answers["scuola"],
        json!({ "school": "Scuola Primaria Pascoli", "class_name": "3a" })
    );
    assert_eq!(
        draft.answers["dieta"],
        json!({ "meal_type": "DIETA SANITARIA", "notes": "" })
    );
    let resumed: SubmissionDetail = mario.get_ok(&paths::my_submission(draft.summary.id)).await;
    assert_eq!(resumed.answers, draft.answers);

    // The parent checks, attaches the certificate again, accepts the privacy and sends.
    let certificate = attach_png(&mario, draft.summary.id, "dieta", "certificato.png").await;
    // A file chosen by mistake is removed from the draft.
    let mistake = attach_png(&mario, draft.summary.id, "dieta", "foto.png").await;
    let removed = mario
        .delete(&paths::my_submission_upload(draft.summary.id, mistake.id))
        .await;
    let removed: SubmissionDetail = json(removed, StatusCode::OK).await;
    assert_eq!(removed.uploads, std::slice::from_ref(&certificate));
    let mut answers = resumed.answers.clone();
    answers.insert(
        "dieta".into(),
        json!({ "meal_type": "DIETA SANITARIA", "notes": "", "certificate": certificate.id }),
    );
    answers.insert("privacy".into(), json!(true));
    let sent = save_and_send(&mario, draft.summary.id, answers).await;
    assert_eq!(sent.summary.state, SubmissionState::Sent);
    let kept = mario
        .delete(&paths::my_submission_upload(
            draft.summary.id,
            certificate.id,
        ))
        .await;
    assert_eq!(
        problem(kept, StatusCode::CONFLICT).await.detail,
        "La domanda è «Inviata»: i documenti allegati non si possono più togliere."
    );

    // Greta ends the primaria in 5a: the office places her, her diet is kept; what the
    // parent already answered is never replaced.
    let given = json!({ "alunno": { "child_id": greta }, "dieta": { "meal_type": "DIETA ETICO-RELIGIOSA" } });
    let greta_draft = start(&mario, form.id, given).await;
    assert_eq!(greta_draft.answers.get("scuola"), None);
    assert_eq!(
        greta_draft.answers["dieta"],
        json!({ "meal_type": "DIETA ETICO-RELIGIOSA" })
    );

    // A new child starts with what the parent gave.
    let new_child = json!({ "alunno": { "new_child": { "first_name": "Leo", "last_name": "Albertini", "fiscal_code": "", "birth_date": "" } } });
    let fresh = start(&mario, form.id, new_child).await;
    assert_eq!(fresh.answers.len(), 1);

    // A cancelled draft stays in «I miei moduli» as Cancellata, named by its child.
    let cancelled = mario
        .post_empty(&paths::my_submission_cancel(greta_draft.summary.id))
        .await;
    json::<SubmissionDetail>(cancelled, StatusCode::OK).await;
    let mine: Page<SubmissionSummary> = mario.get_ok(&paths::my_submissions()).await;
    let listed = mine
        .items
        .iter()
        .find(|s| s.id == greta_draft.summary.id)
        .expect("the cancelled draft is listed");
    assert_eq!(
        (
            listed.state,
            listed.state_label.as_str(),
            listed.child_name.as_deref()
        ),
        (
            SubmissionState::Cancelled,
            "Cancellata",
            Some("Greta Albertini")
        )
    );
}
