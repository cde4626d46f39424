//! The comune's set-up: Marta Galli, Comune di Demo's administrator, changes the settings,
//! the logo, the services and their fee bands; Giulia Rossi (operatore) reads them,
//! Paolo Verdi (addetto mensa) reaches none of it, and another comune sees nothing — with
//! the server's clock at Tuesday 24/11/2026, 11:00 in Rome.

use e2e::{client, field_error, json, problem, TestServer, User};
use e2e::{CARLO_OPERATOR_ESEMPIO, GIULIA_OPERATOR, MARIO, MARTA_ADMIN, PAOLO_CANTEEN};
use reqwest::StatusCode;
use serde_json::json as body;
use sportello_model::bookings::MonthCalendar;
use sportello_model::children::{ChildDetail, ChildSummary};
use sportello_model::entes::{
    EnteDetail, EnteSettingsForm, LogoSaved, Service, ServiceDetail, ServiceKind,
};
use sportello_model::fee_bands::{FeeBandRow, FeeBandsForm};
use sportello_model::paths;
use sportello_model::Page;

async fn server() -> TestServer {
    TestServer::start_with(&[("SPORTELLO_FAKE_NOW", "2026-11-24T10:00:00Z")]).await
}

/// A band of the table as the administrator types it.
fn row(name: &str, from: &str, to: &str, meal_price: &str, quota: &str) -> FeeBandRow {
    FeeBandRow {
        id: None,
        name: name.into(),
        isee_from: from.into(),
        isee_to: to.into(),
        meal_price: meal_price.into(),
        quota: quota.into(),
    }
}

/// The id of the named service of the comune `slug`.
async fn service_named(server: &TestServer, slug: &str, name: &str) -> i64 {
    let ente: EnteDetail = server.public_ok(&paths::ente(slug)).await;
    ente.services
        .iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("{name} of {slug}"))
        .id
}

/// Mario's Sofia and the canteen service.
async fn sofia(mario: &User<'_>) -> (i64, i64) {
    let children: Page<ChildSummary> = mario.get_ok(&paths::children()).await;
    let child = children
        .items
        .iter()
        .find(|c| c.first_name == "Sofia")
        .expect("Sofia")
        .id;
    let detail: ChildDetail = mario.get_ok(&paths::child(child)).await;
    let service = detail
        .enrolments
        .iter()
        .find(|e| e.service_name == "Refezione Scolastica")
        .expect("the canteen card")
        .service_id;
    (child, service)
}

#[tokio::test]
async fn a_changed_cutoff_and_recharge_rule_apply_to_families_at_once() {
    let server = server().await;
    let marta = server.user("demo", MARTA_ADMIN).await;
    let mario = server.user("demo", MARIO).await;
    let (child, service) = sofia(&mario).await;
    let today = body!({ "service_id": service, "choice": "absent" });

    // 11:00 is before Comune di Demo's 15:00.
    let booked = mario
        .put(&paths::booking_day(child, "2026-11-24"), &today)
        .await;
    assert_eq!(booked.status(), StatusCode::OK);

    let mut settings: EnteSettingsForm = marta.get_ok(&paths::office_settings()).await;
    assert_eq!(settings.name, "Comune di Demo");
    assert_eq!(settings.booking_cutoff_time, "15:00");
    assert_eq!(settings.recharge_min, "5,00");
    assert_eq!(settings.contact_email, "ufficio.scuola@comune.demo.it");
    settings.booking_cutoff_time = "10:30".into();
    settings.recharge_min = "10".into();
    let saved: EnteSettingsForm = json(
        marta.put(&paths::office_settings(), &settings).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(saved.booking_cutoff_time, "10:30");
    assert_eq!(saved.recharge_min, "10,00");

    // The very next request of the family follows the new rules.
    let back = body!({ "service_id": service, "choice": "present" });
    let late = mario
        .put(&paths::booking_day(child, "2026-11-24"), &back)
        .await;
    assert_eq!(
        problem(late, StatusCode::CONFLICT).await.detail,
        "La modifica del pasto può essere effettuata entro le ore 10:30 del giorno stesso."
    );
    let month: MonthCalendar = mario.get_ok(&paths::month(child, service, "2026-11")).await;
    assert!(
        month.cutoff_message.contains("10:30"),
        "{}",
        month.cutoff_message
    );
    let small = mario
        .post(&paths::recharges(service), &body!({ "amount": "5" }))
        .await;
    let refusal = field_error(small, "amount").await;
    assert!(refusal.contains("10,00 €"), "{refusal}");
    let ente: EnteDetail = server.public_ok(&paths::ente("demo")).await;
    assert_eq!(ente.settings.recharge.min.to_string(), "10.00");
}

#[tokio::test]
async fn settings_are_refused_field_by_field_in_italian() {
    let server = server().await;
    let marta = server.user("demo", MARTA_ADMIN).await;
    let good: EnteSettingsForm = marta.get_ok(&paths::office_settings()).await;
    let refused = |field: &'static str, change: fn(&mut EnteSettingsForm)| {
        let mut form = good.clone();
        change(&mut form);
        let marta = &marta;
        async move { field_error(marta.put(&paths::office_settings(), &form).await, field).await }
    };
    assert_eq!(
        refused("pagopa_iban", |f| f.pagopa_iban = "IT60X0542811101000000123457".into()).await,
        "Scrivi un IBAN italiano valido: 27 caratteri che iniziano con IT (ad esempio IT60X0542811101000000123456)."
    );
    assert_eq!(
        refused("fiscal_code", |f| f.fiscal_code = "80012340155".into()).await,
        "Il codice fiscale del comune non è valido: controlla le cifre (l'ultima è di controllo)."
    );
    assert_eq!(
        refused("fiscal_code", |f| f.fiscal_code = "00412340234".into()).await,
        "Questo codice fiscale è di un altro comune del portale."
    );
    assert_eq!(
        refused("pagopa_segregation_code", |f| f.pagopa_segregation_code =
            "1".into())
        .await,
        "Con il codice ausiliario 3 serve il codice di segregazione di 2 cifre (ad esempio 01)."
    );
    assert_eq!(
        refused("pagopa_aux_digit", |f| f.pagopa_aux_digit = 1).await,
        "Il codice ausiliario degli avvisi pagoPA è 0 o 3."
    );
    assert_eq!(
        refused("booking_cutoff_time", |f| f.booking_cutoff_time =
            "25:00".into())
        .await,
        "Scrivi l'ora limite nel formato HH:MM (ad esempio 09:30)."
    );
    assert_eq!(
        refused("bookable_weekdays", |f| f.bookable_weekdays = vec![]).await,
        "Scegli almeno un giorno in cui le famiglie possono modificare i pasti."
    );
    assert_eq!(
        refused("recharge_max", |f| f.recharge_max = "4".into()).await,
        "La ricarica massima non può essere minore della minima (5,00 €)."
    );
    assert_eq!(
        refused("contact_email", |f| f.contact_email = "ufficio".into()).await,
        "Scrivi un indirizzo e-mail valido (ad esempio ufficio.scuola@comune.it)."
    );
    assert_eq!(
        refused("pagopa_taxonomy", |f| f.pagopa_taxonomy = "mensa".into()).await,
        "Scrivi il codice della tassonomia pagoPA dei servizi scolastici (ad esempio 9/0101108TS/)."
    );
    // Nothing was saved.
    let after: EnteSettingsForm = marta.get_ok(&paths::office_settings()).await;
    assert_eq!(after, good);
}

#[tokio::test]
async fn an_administrator_sets_up_a_service_with_two_bands() {
    let server = server().await;
    let marta = server.user("demo", MARTA_ADMIN).await;
    let new = body!({ "code": "nido", "name": "Asilo Nido", "kind": "emissions", "active": true });
    let created: ServiceDetail = json(
        marta.post(&paths::office_services(), &new).await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(created.service.code, "NIDO");
    assert!(created.bands.is_empty());
    let id = created.service.id;
    let twice = marta.post(&paths::office_services(), &new).await;
    assert_eq!(
        field_error(twice, "code").await,
        "Il codice NIDO è già del servizio «Asilo Nido»."
    );

    let overlapping = FeeBandsForm {
        bands: vec![
            row("Fascia 1", "0", "8.000,00", "0", "150"),
            row("Fascia 2", "7.500", "", "0", "300"),
        ],
    };
    let refused = marta
        .put(&paths::office_service_bands(id), &overlapping)
        .await;
    assert_eq!(
        field_error(refused, "bands.1.isee_from").await,
        "Si sovrappone alla fascia «Fascia 1», che arriva a 8.000,00 €: deve partire da 8.000,01 €."
    );
    let two = FeeBandsForm {
        bands: vec![
            row("Fascia 1", "0", "8.000,00", "0", "150"),
            row("Fascia 2", "8.000,01", "", "0", "300,50"),
        ],
    };
    let saved: ServiceDetail = json(
        marta.put(&paths::office_service_bands(id), &two).await,
        StatusCode::OK,
    )
    .await;
    let bands: Vec<(&str, String, Option<String>, String)> = saved
        .bands
        .iter()
        .map(|b| {
            (
                b.name.as_str(),
                b.isee_from.to_string(),
                b.isee_to.map(|to| to.to_string()),
                b.quota.to_string(),
            )
        })
        .collect();
    assert_eq!(
        bands,
        [
            (
                "Fascia 1",
                "0.00".into(),
                Some("8000.00".into()),
                "150.00".into()
            ),
            ("Fascia 2", "8000.01".into(), None, "300.50".into()),
        ]
    );
    // The operators read it; the families' comune page lists the service.
    let giulia = server.user("demo", GIULIA_OPERATOR).await;
    let read: ServiceDetail = giulia.get_ok(&paths::office_service(id)).await;
    assert_eq!(read, saved);
    let ente: EnteDetail = server.public_ok(&paths::ente("demo")).await;
    assert!(ente
        .services
        .iter()
        .any(|s| s.name == "Asilo Nido" && s.kind == ServiceKind::Emissions && s.active));

    // Out of force, then its kind cannot change.
    let off = body!({ "code": "NIDO", "name": "Asilo Nido", "kind": "emissions", "active": false });
    let off: ServiceDetail = json(
        marta.put(&paths::office_service(id), &off).await,
        StatusCode::OK,
    )
    .await;
    assert!(!off.service.active);
    let kind = body!({ "code": "NIDO", "name": "Asilo Nido", "kind": "prepaid", "active": true });
    assert_eq!(
        field_error(marta.put(&paths::office_service(id), &kind).await, "kind").await,
        "Il tipo di un servizio non si può cambiare: crea un nuovo servizio."
    );
    let all: Vec<Service> = marta.get_ok(&paths::office_services()).await;
    assert!(all.iter().any(|s| s.code == "NIDO" && !s.active));
}

#[tokio::test]
async fn a_band_some_enrolment_has_is_neither_deleted_nor_renamed() {
    let server = server().await;
    let marta = server.user("demo", MARTA_ADMIN).await;
    let refezione = service_named(&server, "demo", "Refezione Scolastica").await;
    let detail: ServiceDetail = marta.get_ok(&paths::office_service(refezione)).await;
    assert!(detail
        .bands_in_use
        .contains(&"Fascia c.p. 3 q.f80".to_string()));
    let rows: Vec<FeeBandRow> = detail.bands.iter().map(FeeBandRow::from).collect();

    // Without the middle band, the first one stretched over its values.
    let mut without = rows.clone();
    without.remove(1);
    without[0].isee_to = "15.000,00".into();
    let refused = marta
        .put(
            &paths::office_service_bands(refezione),
            &FeeBandsForm { bands: without },
        )
        .await;
    assert_eq!(
        problem(refused, StatusCode::CONFLICT).await.detail,
        "La fascia «Fascia c.p. 3 q.f80» è assegnata a 1 iscrizione e non si può eliminare."
    );
    let mut renamed = rows.clone();
    renamed[1].name = "Fascia media".into();
    let refused = marta
        .put(
            &paths::office_service_bands(refezione),
            &FeeBandsForm { bands: renamed },
        )
        .await;
    assert_eq!(
        field_error(refused, "bands.1.name").await,
        "La fascia «Fascia c.p. 3 q.f80» è assegnata a delle iscrizioni: non si può rinominare."
    );
    // Its price may change; the table is saved whole.
    let mut cheaper = rows.clone();
    cheaper[1].meal_price = "4,00".into();
    let saved: ServiceDetail = json(
        marta
            .put(
                &paths::office_service_bands(refezione),
                &FeeBandsForm { bands: cheaper },
            )
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(saved.bands.len(), 3);
    assert_eq!(saved.bands[1].meal_price.to_string(), "4.00");
    assert_eq!(saved.bands[1].id, detail.bands[1].id);
}

#[tokio::test]
async fn only_the_comunes_administrators_change_its_set_up() {
    let server = server().await;
    let giulia = server.user("demo", GIULIA_OPERATOR).await;
    let paolo = server.user("demo", PAOLO_CANTEEN).await;
    let marta = server.user("demo", MARTA_ADMIN).await;
    let carlo = server.spid_user("esempio", CARLO_OPERATOR_ESEMPIO).await;
    let refezione = service_named(&server, "demo", "Refezione Scolastica").await;
    let esempio_refezione = service_named(&server, "esempio", "Refezione Scolastica").await;

    let settings: EnteSettingsForm = giulia.get_ok(&paths::office_settings()).await;
    let put = giulia.put(&paths::office_settings(), &settings).await;
    assert_eq!(
        problem(put, StatusCode::FORBIDDEN).await.detail,
        "Il tuo profilo non consente questa operazione."
    );
    let bands = FeeBandsForm::default();
    let put = giulia
        .put(&paths::office_service_bands(refezione), &bands)
        .await;
    assert_eq!(put.status(), StatusCode::FORBIDDEN);
    for path in [
        paths::office_settings(),
        paths::office_services(),
        paths::office_service(refezione),
    ] {
        assert_eq!(
            paolo.get(&path).await.status(),
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
    assert_eq!(
        carlo.get(&paths::office_service(refezione)).await.status(),
        StatusCode::NOT_FOUND
    );
    let other = body!({ "code": "REF", "name": "Mensa", "kind": "prepaid", "active": true });
    assert_eq!(
        marta
            .put(&paths::office_service(esempio_refezione), &other)
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        marta
            .put(&paths::office_service_bands(esempio_refezione), &bands)
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    // Carlo reads his own comune's settings, not Comune di Demo's.
    let his: EnteSettingsForm = carlo.get_ok(&paths::office_settings()).await;
    assert_eq!(his.name, "Comune di Esempio");
}

/// A PNG of one pixel.
const PIXEL_PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
    0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0xcf, 0xc0, 0xf0,
    0x1f, 0x00, 0x05, 0x00, 0x01, 0xff, 0x89, 0x99, 0x3d, 0x1d, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45,
    0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

#[tokio::test]
async fn the_logo_shows_in_the_comunes_public_page() {
    let server = server().await;
    let marta = server.user("demo", MARTA_ADMIN).await;
    let upload = |content: Vec<u8>| {
        let marta = &marta;
        let server = &server;
        async move {
            client()
                .post(server.api(&paths::office_logo()))
                .bearer_auth(marta.token())
                .header("content-type", "application/octet-stream")
                .body(content)
                .send()
                .await
                .expect("request")
        }
    };
    let before: EnteDetail = server.public_ok(&paths::ente("demo")).await;
    assert_eq!(before.logo, None);
    let text = upload(b"non sono un'immagine".to_vec()).await;
    assert_eq!(
        field_error(text, "file").await,
        "Il logo deve essere un'immagine PNG, JPEG o SVG: il contenuto di questo file non lo è."
    );
    let big = upload(vec![0x89; 600 * 1024]).await;
    assert_eq!(big.status(), StatusCode::BAD_REQUEST);
    let saved: LogoSaved = json(upload(PIXEL_PNG.to_vec()).await, StatusCode::OK).await;
    let after: EnteDetail = server.public_ok(&paths::ente("demo")).await;
    let logo = after.logo.expect("the logo's address");
    assert_eq!(logo, saved.logo);
    let image = server.public(&logo).await;
    assert_eq!(image.status(), StatusCode::OK);
    assert_eq!(image.headers()["content-type"], "image/png");
    assert_eq!(image.bytes().await.unwrap().as_ref(), PIXEL_PNG);
    let svg =
        upload(br#"<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>"#.to_vec()).await;
    assert_eq!(svg.status(), StatusCode::OK);
    let svg_logo = server
        .public_ok::<EnteDetail>(&paths::ente("demo"))
        .await
        .logo
        .unwrap();
    let image = server.public(&svg_logo).await;
    assert_eq!(image.headers()["content-type"], "image/svg+xml");
    assert_eq!(
        server
            .public(&paths::ente_logo("esempio", 1))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}
