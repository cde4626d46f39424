//! Notizie e documenti: an operator writes a news item for a later day, attaches a file,
//! and the public pages show neither until that day comes (the server clock moves), then
//! both; edited, withdrawn and published again, the public pages follow. Documents the
//! same. The forms are checked by their rules (Italian field errors); another comune's
//! operator gets 404 for every item of Comune di Demo, and canteen staff and families
//! get 403 for every office endpoint.

use std::time::Duration;

use e2e::{
    field_error, json, problem, TestServer, User, CARLO_OPERATOR_ESEMPIO, GIULIA_OPERATOR, MARIO,
    PAOLO_CANTEEN,
};
use reqwest::StatusCode;
use serde_json::json;
use sportello_model::content::{
    DocumentItem, NewsAttachment, NewsItem, OfficeDocument, OfficeNews, PublicationState,
};
use sportello_model::{paths, Page};

/// Tuesday 24/11/2026, 11:00 in Rome.
const NOW: &str = "2026-11-24T10:00:00Z";
const DAY: Duration = Duration::from_secs(24 * 3600);
/// A small PDF, as its content says.
const PDF: &str =
    "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

async fn public_news(server: &TestServer) -> Vec<NewsItem> {
    server
        .public_ok::<Page<NewsItem>>(&paths::news("demo"))
        .await
        .items
}

async fn public_documents(server: &TestServer) -> Vec<DocumentItem> {
    server
        .public_ok::<Page<DocumentItem>>(&paths::documents("demo"))
        .await
        .items
}

async fn office_news_item(office: &User<'_>, id: i64) -> OfficeNews {
    office
        .get_ok::<Page<OfficeNews>>(&paths::office_news())
        .await
        .items
        .into_iter()
        .find(|n| n.item.id == id)
        .expect("the item in the office's list")
}

#[tokio::test]
async fn a_scheduled_news_item_goes_public_on_its_day_and_follows_the_office() {
    let server = TestServer::start_with(&[("SPORTELLO_FAKE_NOW", NOW)]).await;
    let office = server.user("demo", GIULIA_OPERATOR).await;
    let form = json!({
        "title": "Menù di dicembre",
        "summary": "Dal 26/11 il menù invernale.",
        "body": "Il nuovo menù vale da **giovedì 26 novembre**.\n\n- pasta\n- verdure",
        "published_on": "2026-11-26",
    });
    let created: OfficeNews = json(
        office.post(&paths::office_news(), &form).await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(created.state, PublicationState::Scheduled);
    assert_eq!(created.state_label, "Programmata");
    assert!(created
        .item
        .body_html
        .contains("<strong>giovedì 26 novembre</strong>"));
    let id = created.item.id;

    let attached: NewsAttachment = json(
        office
            .post_file(
                &format!("{}?name=menu.pdf", paths::office_news_attachments(id)),
                "application/octet-stream",
                PDF.into(),
            )
            .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(attached.content_type, "application/pdf");
    let not_a_pdf = office
        .post_file(
            &format!("{}?name=menu.pdf", paths::office_news_attachments(id)),
            "application/octet-stream",
            "solo testo".into(),
        )
        .await;
    assert_eq!(
        field_error(not_a_pdf, "file").await,
        "Il file deve essere un PDF o un'immagine JPEG o PNG: il contenuto di questo file non lo è."
    );

    // Not public before its day: not listed, not readable, its file not downloadable.
    assert!(public_news(&server).await.iter().all(|n| n.id != id));
    problem(
        server.public(&paths::news_item("demo", id)).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(
        server.page(&attached.url).await.status(),
        StatusCode::NOT_FOUND
    );

    server.advance_clock(2 * DAY).await;
    let office = server.user("demo", GIULIA_OPERATOR).await;
    let listed = public_news(&server).await;
    assert_eq!(listed[0].id, id, "the newest first");
    assert_eq!(listed[0].attachments, std::slice::from_ref(&attached));
    let file = server.page(&attached.url).await;
    assert_eq!(file.status(), StatusCode::OK);
    assert_eq!(file.headers()["content-type"], "application/pdf");
    assert_eq!(file.text().await.unwrap(), PDF);
    assert_eq!(
        office_news_item(&office, id).await.state_label,
        "Pubblicata"
    );

    let edited = json!({
        "title": "Menù invernale",
        "summary": "",
        "body": "Il menù invernale.",
        "published_on": "2026-11-26",
    });
    let saved: OfficeNews = json(
        office.put(&paths::office_news_item(id), &edited).await,
        StatusCode::OK,
    )
    .await;
    assert!(saved.updated_at.is_some());
    let public: NewsItem = server.public_ok(&paths::news_item("demo", id)).await;
    assert_eq!(public.title, "Menù invernale");
    assert_eq!(public.body_html, "<p>Il menù invernale.</p>\n");

    let withdrawn: OfficeNews = json(
        office.post_empty(&paths::office_news_unpublish(id)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(withdrawn.state_label, "Ritirata");
    problem(
        server.public(&paths::news_item("demo", id)).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(
        server.page(&attached.url).await.status(),
        StatusCode::NOT_FOUND
    );
    assert!(public_news(&server).await.iter().all(|n| n.id != id));
    // Withdrawn twice is still withdrawn, and the office still lists it.
    json::<OfficeNews>(
        office.post_empty(&paths::office_news_unpublish(id)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        office_news_item(&office, id).await.state,
        PublicationState::Withdrawn
    );

    let again: OfficeNews = json(
        office.post_empty(&paths::office_news_republish(id)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(again.state, PublicationState::Published);
    let detached: OfficeNews = json(
        office
            .delete(&paths::office_news_attachment(id, attached.id))
            .await,
        StatusCode::OK,
    )
    .await;
    assert!(detached.item.attachments.is_empty());
    let public: NewsItem = server.public_ok(&paths::news_item("demo", id)).await;
    assert!(public.attachments.is_empty());
    problem(
        office
            .delete(&paths::office_news_attachment(id, attached.id))
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

#[tokio::test]
async fn a_news_item_is_checked_by_its_rule() {
    let server = TestServer::start_with(&[("SPORTELLO_FAKE_NOW", NOW)]).await;
    let office = server.user("demo", GIULIA_OPERATOR).await;
    let blank = json!({
        "title": " ",
        "summary": "",
        "body": "",
        "published_on": "2028-01-01",
    });
    let refused = problem(
        office.post(&paths::office_news(), &blank).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    let errors: Vec<(String, String)> = refused
        .errors
        .into_iter()
        .map(|e| (e.field, e.message))
        .collect();
    assert_eq!(
        errors,
        [
            ("title".into(), "Scrivi il titolo della notizia.".into()),
            ("body".into(), "Scrivi il testo della notizia.".into()),
            (
                "published_on".into(),
                "La pubblicazione si può programmare al massimo fino al 24/11/2027.".into()
            ),
        ]
    );
    let long = json!({
        "title": "T".repeat(151),
        "summary": "",
        "body": "Testo",
        "published_on": "2026-11-24",
    });
    assert_eq!(
        field_error(office.post(&paths::office_news(), &long).await, "title").await,
        "Il campo può contenere al massimo 150 caratteri."
    );
    let bad_day =
        json!({ "title": "T", "summary": "", "body": "Testo", "published_on": "24/11/2026" });
    problem(
        office.post(&paths::office_news(), &bad_day).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
}

#[tokio::test]
async fn a_scheduled_document_goes_public_on_its_day_and_can_be_withdrawn() {
    let server = TestServer::start_with(&[("SPORTELLO_FAKE_NOW", NOW)]).await;
    let office = server.user("demo", GIULIA_OPERATOR).await;
    let create = format!(
        "{}?title=Regolamento%20mensa&description=Le%20regole&published_on=2026-11-25&name=regolamento.pdf",
        paths::office_documents()
    );
    let created: OfficeDocument = json(
        office
            .post_file(&create, "application/octet-stream", PDF.into())
            .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(created.state_label, "Programmata");
    assert_eq!(created.item.file_name, "regolamento.pdf");
    let id = created.item.id;
    assert!(public_documents(&server).await.iter().all(|d| d.id != id));
    assert_eq!(
        server.page(&created.item.url).await.status(),
        StatusCode::NOT_FOUND
    );

    let refused = problem(
        office
            .post_file(
                &format!(
                    "{}?title=&published_on=2026-11-25&name=x.pdf",
                    paths::office_documents()
                ),
                "application/octet-stream",
                "testo".into(),
            )
            .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    let fields: Vec<String> = refused.errors.into_iter().map(|e| e.field).collect();
    assert_eq!(fields, ["title", "file"]);

    server.advance_clock(DAY).await;
    let office = server.user("demo", GIULIA_OPERATOR).await;
    assert_eq!(public_documents(&server).await[0].id, id);
    let file = server.page(&created.item.url).await;
    assert_eq!(file.status(), StatusCode::OK);
    assert_eq!(file.text().await.unwrap(), PDF);

    // The wrong file was sent: the office replaces it, and the public page serves the
    // new one at once; a file that is not a PDF or an image is refused.
    let replace = format!(
        "{}?name=regolamento-2026.pdf",
        paths::office_document_file(id)
    );
    let refused = office
        .put_file(&replace, "application/octet-stream", "testo".into())
        .await;
    assert_eq!(
        field_error(refused, "file").await,
        "Il file deve essere un PDF o un'immagine JPEG o PNG: il contenuto di questo file non lo è."
    );
    let corrected = format!("{PDF}% rev. 2\n");
    let replaced: OfficeDocument = json(
        office
            .put_file(&replace, "application/octet-stream", corrected.clone())
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(replaced.item.file_name, "regolamento-2026.pdf");
    assert_eq!(replaced.item.title, created.item.title);
    let file = server.page(&replaced.item.url).await;
    assert_eq!(file.text().await.unwrap(), corrected);

    let edited: OfficeDocument = json(
        office
            .put(
                &paths::office_document(id),
                &json!({ "title": "Regolamento del servizio mensa", "description": "", "published_on": "2026-11-25" }),
            )
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(edited.state, PublicationState::Published);
    assert_eq!(
        public_documents(&server).await[0].title,
        "Regolamento del servizio mensa"
    );

    let withdrawn: OfficeDocument = json(
        office
            .post_empty(&paths::office_document_unpublish(id))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(withdrawn.state_label, "Ritirata");
    assert!(public_documents(&server).await.iter().all(|d| d.id != id));
    assert_eq!(
        server.page(&created.item.url).await.status(),
        StatusCode::NOT_FOUND
    );
    let listed: Page<OfficeDocument> = office.get_ok(&paths::office_documents()).await;
    assert!(listed.items.iter().any(|d| d.item.id == id));

    json::<OfficeDocument>(
        office
            .post_empty(&paths::office_document_republish(id))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(public_documents(&server).await[0].id, id);
}

#[tokio::test]
async fn another_comune_gets_404_and_canteen_staff_and_families_403() {
    let server = TestServer::start_with(&[("SPORTELLO_FAKE_NOW", NOW)]).await;
    let office = server.user("demo", GIULIA_OPERATOR).await;
    let news: OfficeNews = json(
        office
            .post(
                &paths::office_news(),
                &json!({ "title": "Avviso", "summary": "", "body": "Testo", "published_on": "2026-11-24" }),
            )
            .await,
        StatusCode::CREATED,
    )
    .await;
    let id = news.item.id;
    let attachment: NewsAttachment = json(
        office
            .post_file(
                &format!("{}?name=a.pdf", paths::office_news_attachments(id)),
                "application/octet-stream",
                PDF.into(),
            )
            .await,
        StatusCode::CREATED,
    )
    .await;
    let documents: Page<OfficeDocument> = office.get_ok(&paths::office_documents()).await;
    let document = documents.items[0].item.id;
    let news_form =
        json!({ "title": "Mio", "summary": "", "body": "Mio", "published_on": "2026-11-24" });
    let document_form = json!({ "title": "Mio", "description": "", "published_on": "2026-11-24" });

    let carlo = server.spid_user("esempio", CARLO_OPERATOR_ESEMPIO).await;
    let theirs: Page<OfficeNews> = carlo.get_ok(&paths::office_news()).await;
    assert!(theirs.items.iter().all(|n| n.item.id != id));
    assert!(!theirs.items.is_empty(), "Comune di Esempio's own news");
    let theirs: Page<OfficeDocument> = carlo.get_ok(&paths::office_documents()).await;
    assert!(theirs.items.iter().all(|d| d.item.id != document));
    for res in [
        carlo.put(&paths::office_news_item(id), &news_form).await,
        carlo.post_empty(&paths::office_news_unpublish(id)).await,
        carlo.post_empty(&paths::office_news_republish(id)).await,
        carlo
            .post_file(
                &format!("{}?name=a.pdf", paths::office_news_attachments(id)),
                "application/octet-stream",
                PDF.into(),
            )
            .await,
        carlo
            .delete(&paths::office_news_attachment(id, attachment.id))
            .await,
        carlo
            .put(&paths::office_document(document), &document_form)
            .await,
        carlo
            .post_empty(&paths::office_document_unpublish(document))
            .await,
        carlo
            .post_empty(&paths::office_document_republish(document))
            .await,
        carlo
            .put_file(
                &format!("{}?name=a.pdf", paths::office_document_file(document)),
                "application/octet-stream",
                PDF.into(),
            )
            .await,
    ] {
        problem(res, StatusCode::NOT_FOUND).await;
    }
    // Nothing of Comune di Demo changed.
    let still = office_news_item(&office, id).await;
    assert_eq!(still.item.title, "Avviso");
    assert_eq!(still.item.attachments, std::slice::from_ref(&attachment));

    for fiscal_code in [PAOLO_CANTEEN, MARIO] {
        let user = server.user("demo", fiscal_code).await;
        for res in [
            user.get(&paths::office_news()).await,
            user.post(&paths::office_news(), &news_form).await,
            user.put(&paths::office_news_item(id), &news_form).await,
            user.post_empty(&paths::office_news_unpublish(id)).await,
            user.post_empty(&paths::office_news_republish(id)).await,
            user.post_file(
                &format!("{}?name=a.pdf", paths::office_news_attachments(id)),
                "application/octet-stream",
                PDF.into(),
            )
            .await,
            user.delete(&paths::office_news_attachment(id, attachment.id))
                .await,
            user.get(&paths::office_documents()).await,
            user.post_file(
                &format!(
                    "{}?title=Mio&published_on=2026-11-24&name=a.pdf",
                    paths::office_documents()
                ),
                "application/octet-stream",
                PDF.into(),
            )
            .await,
            user.put(&paths::office_document(document), &document_form)
                .await,
            user.post_empty(&paths::office_document_unpublish(document))
                .await,
            user.post_empty(&paths::office_document_republish(document))
                .await,
        ] {
            problem(res, StatusCode::FORBIDDEN).await;
        }
    }
}
