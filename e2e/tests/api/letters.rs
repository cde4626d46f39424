//! Comunicazioni: an operator sends a communication to a school's, a class's and the
//! negative-balance families — exactly those families get one letter each, with its
//! e-mail queued, and a delegate reads only the letters about the children delegated to
//! them; the family's unread count, opening a letter marks it read at the server's time;
//! the PDF carries the text; another family's, another comune's or a forged letter is
//! 404; the same composition sent twice (one after the other, or four at once) creates
//! the letters once; an urgent notice goes by SMS to a confirmed number; a refused
//! submission writes the family an "Esito modulo" letter.

use e2e::payments::pdf_words;
use e2e::{
    client, field_error, json, problem, TestServer, User, ANNA, CARLO_OPERATOR_ESEMPIO,
    GIULIA_OPERATOR, GIUSEPPE_ESEMPIO, LAURA_DELEGATE, MARIO,
};
use reqwest::{Response, StatusCode};
use serde_json::{json, Value};
use sportello_model::forms::{SubmissionSummary, UploadInfo};
use sportello_model::letters::{
    AudienceChoices, Channel, CommunicationPreview, CommunicationSummary, FamilyChoice, Letter,
    LetterDetail, LetterKind, UnreadLetters,
};
use sportello_model::payments::PaymentService;
use sportello_model::{paths, Page};

const PASCOLI: &str = "Scuola Primaria Pascoli";
/// Tuesday 24/11/2026, 09:00 in Rome.
const NOW: &str = "2026-11-24T08:00:00Z";

pub(crate) fn composition(request_id: &str, title: &str, audience: Value) -> Value {
    json!({
        "request_id": request_id,
        "kind": "information",
        "title": title,
        "body": "Gentile famiglia,\n\nda lunedì la mensa serve il **menù invernale**.\n\n- frutta di stagione\n- pane integrale",
        "audience": audience,
    })
}

pub(crate) async fn send(office: &User<'_>, body: &Value) -> Response {
    office.post(&paths::communications(), body).await
}

async fn letters(family: &User<'_>) -> Vec<Letter> {
    family
        .get_ok::<Page<Letter>>(&paths::my_letters())
        .await
        .items
}

pub(crate) async fn titled(family: &User<'_>, title: &str) -> Vec<Letter> {
    letters(family)
        .await
        .into_iter()
        .filter(|l| l.title == title)
        .collect()
}

async fn unread(family: &User<'_>) -> u64 {
    family
        .get_ok::<UnreadLetters>(&paths::my_letters_unread())
        .await
        .unread
}

async fn count(server: &TestServer, sql: &str) -> i64 {
    server.scalar::<i64>(sql).await
}

#[tokio::test]
async fn a_school_communication_reaches_each_family_of_the_school_once() {
    let server = TestServer::start_with(&[("SPORTELLO_FAKE_NOW", NOW)]).await;
    let giulia = server.user("demo", GIULIA_OPERATOR).await;
    let mario = server.user("demo", MARIO).await;
    let anna = server.user("demo", ANNA).await;
    let laura = server.user("demo", LAURA_DELEGATE).await;
    let giuseppe = server.spid_user("esempio", GIUSEPPE_ESEMPIO).await;

    // What an audience is chosen from: this year's schools and their classes.
    let choices: AudienceChoices = giulia.get_ok(&paths::communication_audiences()).await;
    let pascoli = choices
        .schools
        .iter()
        .find(|s| s.school == PASCOLI)
        .expect("the demo school");
    assert_eq!(pascoli.classes, ["2a", "4b", "5a"]);

    let school = json!({ "kind": "school", "school": PASCOLI });
    let menu = composition("menu-1", "Menù invernale", school.clone());
    let preview: CommunicationPreview = json(
        giulia.post(&paths::communication_preview(), &menu).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(preview.recipients, 2, "Mario's and Anna's families");
    assert_eq!(
        preview.audience_label,
        format!("Famiglie della scuola {PASCOLI}")
    );
    assert!(preview
        .body_html
        .contains("<strong>menù invernale</strong>"));
    assert!(preview.body_html.contains("<li>frutta di stagione</li>"));

    let sent: CommunicationSummary = json(send(&giulia, &menu).await, StatusCode::CREATED).await;
    assert_eq!((sent.recipients, sent.read), (2, 0));
    assert_eq!(sent.kind_label, "Informativa");

    // Each family of the school has it once, newest first and unread; the e-mail is queued.
    for family in [&mario, &anna] {
        let list = letters(family).await;
        assert_eq!(list[0].title, "Menù invernale");
        assert_eq!(list[0].read_at, None);
        assert_eq!(list[0].channels, [Channel::Email]);
        assert_eq!(
            list[0].delivery_line,
            "Comunicazione avvenuta tramite E-mail"
        );
        assert_eq!(titled(family, "Menù invernale").await.len(), 1);
    }
    assert!(titled(&giuseppe, "Menù invernale").await.is_empty());
    let queued = count(
        &server,
        "SELECT COUNT(*) FROM outbox_messages WHERE subject = 'Comune di Demo: Menù invernale' \
         AND recipient IN ('mario.albertini@example.it', 'anna.colombo@example.it')",
    )
    .await;
    assert_eq!(queued, 2);

    // A class: only Greta's (5a) family; Laura follows Sofia (2a) and does not see it,
    // while she reads the school's letter, which is about Sofia too.
    let class = composition(
        "quinta-1",
        "Gita della 5a",
        json!({ "kind": "class", "school": PASCOLI, "class_name": "5a" }),
    );
    let trip: CommunicationSummary = json(send(&giulia, &class).await, StatusCode::CREATED).await;
    assert_eq!(trip.recipients, 1);
    assert_eq!(titled(&mario, "Gita della 5a").await.len(), 1);
    assert!(titled(&anna, "Gita della 5a").await.is_empty());
    assert!(titled(&laura, "Gita della 5a").await.is_empty());
    assert_eq!(titled(&laura, "Menù invernale").await.len(), 1);
    let hidden = titled(&mario, "Gita della 5a").await[0].id;
    problem(
        laura.get(&paths::my_letter(hidden)).await,
        StatusCode::NOT_FOUND,
    )
    .await;

    // The history: newest first, with recipients and reads.
    let opened = titled(&anna, "Menù invernale").await[0].id;
    anna.get_ok::<LetterDetail>(&paths::my_letter(opened)).await;
    let history: Page<CommunicationSummary> = giulia.get_ok(&paths::communications()).await;
    assert_eq!(history.items[0].title, "Gita della 5a");
    assert_eq!((history.items[1].recipients, history.items[1].read), (2, 1));

    // Nobody to write to, and an audience that is not the comune's, are refused in Italian.
    let nobody = composition(
        "nessuno",
        "Nessuno",
        json!({ "kind": "class", "school": PASCOLI, "class_name": "9z" }),
    );
    let message = field_error(send(&giulia, &nobody).await, "audience").await;
    assert!(message.starts_with("Nessuna famiglia"), "{message}");
    let foreign = composition(
        "straniero",
        "Straniero",
        json!({ "kind": "families", "guardian_ids": [giuseppe.user.id] }),
    );
    field_error(send(&giulia, &foreign).await, "audience.guardian_ids").await;
    let mut urgent_information = composition("urgente", "Urgente", school);
    urgent_information["urgent"] = json!(true);
    let message = field_error(send(&giulia, &urgent_information).await, "urgent").await;
    assert!(message.contains("avvisi di servizio"), "{message}");
    // Families and delegates do not compose.
    problem(send(&mario, &menu).await, StatusCode::FORBIDDEN).await;
}

#[tokio::test]
async fn opening_a_letter_marks_it_read_once_and_the_pdf_has_its_text() {
    let server = TestServer::start_with(&[("SPORTELLO_FAKE_NOW", NOW)]).await;
    let giulia = server.user("demo", GIULIA_OPERATOR).await;
    let mario = server.user("demo", MARIO).await;
    let before = unread(&mario).await;
    let chosen = composition(
        "mario-1",
        "Certificazione per la dichiarazione dei redditi",
        json!({ "kind": "families", "guardian_ids": [mario.user.id] }),
    );
    json::<CommunicationSummary>(send(&giulia, &chosen).await, StatusCode::CREATED).await;
    assert_eq!(unread(&mario).await, before + 1);

    let letter = letters(&mario).await.remove(0);
    assert_eq!(
        letter.title,
        "Certificazione per la dichiarazione dei redditi"
    );
    let before_opening = server.now().await;
    let detail: LetterDetail = mario.get_ok(&paths::my_letter(letter.id)).await;
    let read_at = detail.letter.read_at.expect("read once opened");
    assert!(
        before_opening <= read_at && read_at <= server.now().await,
        "read at the server's time of the opening: {read_at}"
    );
    assert!(detail.body_html.contains("<strong>menù invernale</strong>"));
    assert_eq!(unread(&mario).await, before);
    // Opened again five minutes later: the first reading stays.
    server
        .advance_clock(std::time::Duration::from_secs(300))
        .await;
    let again: LetterDetail = mario.get_ok(&paths::my_letter(letter.id)).await;
    assert_eq!(again.letter.read_at, Some(read_at));

    // Scarica: a real PDF with the comune, the kind and Italian date, the text.
    let res = mario.get(&paths::my_letter_pdf(letter.id)).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    let words = pdf_words(&res.bytes().await.unwrap());
    for expected in [
        "Certificazione per la dichiarazione dei redditi",
        "Comune di Demo",
        "Informativa del 24/11/2026",
        "da lunedì la mensa serve il menù invernale.",
        "• frutta di stagione",
        "Comunicazione avvenuta tramite E-mail",
    ] {
        assert!(words.contains(expected), "{expected} in {words}");
    }
}

#[tokio::test]
async fn another_familys_another_comunes_or_a_forged_letter_is_not_found() {
    let server = TestServer::start_with(&[("SPORTELLO_FAKE_NOW", NOW)]).await;
    let mario = server.user("demo", MARIO).await;
    let anna = server.user("demo", ANNA).await;
    let giuseppe = server.spid_user("esempio", GIUSEPPE_ESEMPIO).await;
    let theirs = letters(&mario).await;
    let with_file = theirs
        .iter()
        .find(|l| l.has_attachment)
        .expect("the demo notice with its timetable");
    // Mario reads his letter's attachment.
    let file = mario.get(&paths::my_letter_attachment(with_file.id)).await;
    assert_eq!(file.status(), StatusCode::OK);
    assert_eq!(file.headers()["content-type"], "application/pdf");
    let without = theirs.iter().find(|l| !l.has_attachment).unwrap();
    problem(
        mario.get(&paths::my_letter_attachment(without.id)).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    for stranger in [&anna, &giuseppe] {
        for path in [
            paths::my_letter(with_file.id),
            paths::my_letter_pdf(with_file.id),
            paths::my_letter_attachment(with_file.id),
        ] {
            problem(stranger.get(&path).await, StatusCode::NOT_FOUND).await;
        }
    }
    for forged in ["999999", "0", "-1"] {
        problem(
            mario.get(&paths::my_letter(forged)).await,
            StatusCode::NOT_FOUND,
        )
        .await;
    }
    // Nobody's reading marked anything.
    assert_eq!(
        letters(&mario)
            .await
            .iter()
            .find(|l| l.id == with_file.id)
            .unwrap()
            .read_at,
        None
    );
}

#[tokio::test]
async fn the_same_composition_sent_twice_or_four_times_at_once_writes_once() {
    let server = TestServer::start_with(&[("SPORTELLO_FAKE_NOW", NOW)]).await;
    let giulia = server.user("demo", GIULIA_OPERATOR).await;
    let mario = server.user("demo", MARIO).await;
    let body = composition(
        "doppio-clic",
        "Iscrizioni aperte",
        json!({ "kind": "school", "school": PASCOLI }),
    );
    let first: CommunicationSummary = json(send(&giulia, &body).await, StatusCode::CREATED).await;
    let again: CommunicationSummary = json(send(&giulia, &body).await, StatusCode::OK).await;
    assert_eq!(first.id, again.id);

    let at_once = composition(
        "quattro",
        "Sciopero",
        json!({ "kind": "school", "school": PASCOLI }),
    );
    let http = client();
    let sends = (0..4).map(|_| {
        http.post(server.api(&paths::communications()))
            .bearer_auth(giulia.token())
            .json(&at_once)
            .send()
    });
    let answers = futures_util::future::join_all(sends).await;
    let mut statuses: Vec<u16> = answers
        .into_iter()
        .map(|r| r.expect("an answer").status().as_u16())
        .collect();
    statuses.sort();
    assert_eq!(statuses, [200, 200, 200, 201]);
    for title in ["Iscrizioni aperte", "Sciopero"] {
        assert_eq!(titled(&mario, title).await.len(), 1, "{title}");
        let letters_written = count(
            &server,
            &format!("SELECT COUNT(*) FROM letters WHERE title = '{title}'"),
        )
        .await;
        assert_eq!(letters_written, 2, "{title}");
        let emails = count(
            &server,
            &format!(
                "SELECT COUNT(*) FROM outbox_messages WHERE subject = 'Comune di Demo: {title}'"
            ),
        )
        .await;
        assert_eq!(emails, 2, "{title}");
    }
}

#[tokio::test]
async fn the_negative_balance_families_and_an_urgent_notice_by_sms() {
    let server = TestServer::start_with(&[("SPORTELLO_FAKE_NOW", NOW)]).await;
    let giulia = server.user("demo", GIULIA_OPERATOR).await;
    let anna = server.user("demo", ANNA).await;
    let services: Vec<PaymentService> = anna.get_ok(&paths::payment_services()).await;
    let refezione = services[0].service_id;
    // Anna's account goes below zero with an operator's adjustment.
    let adjustment = json!({
        "kind": "adjustment", "amount": "-30", "reason": "Pasti di ottobre non registrati",
        "request_id": "negativo-1"
    });
    let res = giulia
        .post(
            &paths::family_movements(refezione, anna.user.id),
            &adjustment,
        )
        .await;
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    let negative = count(
        &server,
        "SELECT COUNT(DISTINCT guardian_id) FROM prepaid_accounts WHERE balance_cents < 0",
    )
    .await;
    assert!(negative >= 1);

    let mut reminder = composition(
        "solleciti-1",
        "Saldo negativo",
        json!({ "kind": "negative_balance" }),
    );
    reminder["kind"] = json!("reminder");
    let sent: CommunicationSummary =
        json(send(&giulia, &reminder).await, StatusCode::CREATED).await;
    assert_eq!(sent.recipients as i64, negative);
    assert_eq!(sent.audience_label, "Famiglie con saldo negativo");
    let letter = &titled(&anna, "Saldo negativo").await[0];
    assert_eq!(letter.kind, LetterKind::Reminder);

    // An urgent service notice goes by SMS as well, through the outbox's SMS channel, to
    // each family of the school with a confirmed mobile number: Anna's.
    anna.confirm_mobile("333 123 4567").await;
    let mut strike = composition(
        "sciopero-1",
        "Mensa chiusa domani per sciopero",
        json!({ "kind": "school", "school": PASCOLI }),
    );
    strike["kind"] = json!("service_notice");
    strike["urgent"] = json!(true);
    json::<CommunicationSummary>(send(&giulia, &strike).await, StatusCode::CREATED).await;
    let notice = &titled(&anna, "Mensa chiusa domani per sciopero").await[0];
    assert_eq!(notice.channels, [Channel::Email, Channel::Sms]);
    assert_eq!(
        notice.delivery_line,
        "Comunicazione avvenuta tramite E-mail, SMS"
    );
    let sms = count(
        &server,
        "SELECT COUNT(*) FROM outbox_messages WHERE channel = 'sms' AND body = 'Comune di Demo: Mensa chiusa domani per sciopero. Dettagli nell''area personale del portale.'",
    )
    .await;
    assert_eq!(sms, 1, "only Anna has a confirmed number");
    let to_anna = count(
        &server,
        "SELECT COUNT(*) FROM outbox_messages WHERE channel = 'sms' AND recipient = '+393331234567' AND subject = 'Comune di Demo: Mensa chiusa domani per sciopero'",
    )
    .await;
    assert_eq!(to_anna, 1);
}

#[tokio::test]
async fn chosen_families_are_found_by_name_and_an_attachment_is_checked_and_delivered() {
    let server = TestServer::start_with(&[("SPORTELLO_FAKE_NOW", NOW)]).await;
    let giulia = server.user("demo", GIULIA_OPERATOR).await;
    let carlo = server.spid_user("esempio", CARLO_OPERATOR_ESEMPIO).await;
    let anna = server.user("demo", ANNA).await;
    let found: Vec<FamilyChoice> = giulia
        .get_ok(&format!("{}?q=colombo", paths::communication_families()))
        .await;
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].name, "Anna Colombo");
    // Another comune's operator does not find Comune di Demo's families.
    let none: Vec<FamilyChoice> = carlo
        .get_ok(&format!("{}?q=colombo", paths::communication_families()))
        .await;
    assert!(none.is_empty());

    let upload = |name: &str, body: Vec<u8>| {
        client()
            .post(server.api(&format!(
                "{}?name={name}",
                paths::communication_attachments()
            )))
            .bearer_auth(giulia.token())
            .header("content-type", "application/octet-stream")
            .body(body)
            .send()
    };
    let refused = upload("menu.pdf", b"not really a pdf".to_vec())
        .await
        .unwrap();
    let message = field_error(refused, "file").await;
    assert!(
        message.contains("PDF o un'immagine JPEG o PNG"),
        "{message}"
    );
    let pdf = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n".to_vec();
    let saved: UploadInfo = json(
        upload("menu.pdf", pdf.clone()).await.unwrap(),
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(saved.content_type, "application/pdf");

    let mut body = composition(
        "allegato-1",
        "Menù con allegato",
        json!({ "kind": "families", "guardian_ids": [found[0].guardian_id] }),
    );
    body["attachment_id"] = json!(saved.id);
    json::<CommunicationSummary>(send(&giulia, &body).await, StatusCode::CREATED).await;
    let letter = &titled(&anna, "Menù con allegato").await[0];
    assert!(letter.has_attachment);
    let detail: LetterDetail = anna.get_ok(&paths::my_letter(letter.id)).await;
    assert_eq!(detail.attachment.unwrap().file_name, "menu.pdf");
    let file = anna.get(&paths::my_letter_attachment(letter.id)).await;
    assert_eq!(file.bytes().await.unwrap().to_vec(), pdf);
    // Another comune's attachment id cannot be named.
    let mut theirs = body.clone();
    theirs["request_id"] = json!("allegato-esempio");
    theirs["audience"] = json!({ "kind": "negative_balance" });
    field_error(send(&carlo, &theirs).await, "attachment_id").await;
}

#[tokio::test]
async fn a_refused_submission_writes_the_family_an_outcome_letter() {
    let server = TestServer::start_with(&[("SPORTELLO_FAKE_NOW", NOW)]).await;
    let giulia = server.user("demo", GIULIA_OPERATOR).await;
    let mario = server.user("demo", MARIO).await;
    let mine: Page<SubmissionSummary> = mario.get_ok(&paths::my_submissions()).await;
    let sent = &mine.items[0];
    let res = giulia
        .post(
            &paths::review_refuse(sent.id),
            &json!({ "note": "Manca l'ISEE in corso di validità." }),
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    let letter = letters(&mario).await.remove(0);
    assert_eq!(letter.kind, LetterKind::FormOutcome);
    assert_eq!(letter.kind_label, "Esito modulo");
    assert_eq!(
        letter.title,
        format!("Esito della domanda: {}", sent.form_title)
    );
    let detail: LetterDetail = mario.get_ok(&paths::my_letter(letter.id)).await;
    assert!(
        detail.body_html.contains("<strong>Rifiutata</strong>"),
        "{}",
        detail.body_html
    );
    assert!(
        detail.body_html.contains("Manca l&#39;ISEE") || detail.body_html.contains("Manca l'ISEE"),
        "{}",
        detail.body_html
    );
}
