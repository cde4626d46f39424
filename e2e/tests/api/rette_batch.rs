//! Rette in one batch: a month of Trasporto Scolastico previewed (count, total, the
//! enrolments left out), issued, issued again (nothing new), a retta cancelled with the
//! reason the family reads, a paid one that cannot be; pro rata of the days the service
//! runs; and who may: the comune's office only, on its own rette.

use e2e::{
    field_error, json, problem, TestServer, User, CARLO_OPERATOR_ESEMPIO, GIULIA_OPERATOR, MARIO,
    MARTA_ADMIN, PAOLO_CANTEEN,
};
use reqwest::StatusCode;
use serde_json::json as body;
use sportello_model::entes::ServiceDetail;
use sportello_model::fee_bands::FeeBandRow;
use sportello_model::paths;
use sportello_model::payments::{EmissionDetail, EmissionStatus, EmissionSummary, NoticeStatus};
use sportello_model::registry::{FamilyDetail, FamilyHit, ImportReport};
use sportello_model::rette::{RetteBatchIssued, RetteBatchPreview, SkipReason};
use sportello_model::Page;

const HEADER: &str = "cf_intestatario;nome_intestatario;cognome_intestatario;email_intestatario;cf_alunno;nome_alunno;cognome_alunno;data_nascita;servizio;anno_scolastico;scuola;classe;fascia;dieta;badge;saldo_iniziale";

/// Two more families on the school bus: Pietro Rossi pays the whole quota, Matteo Verdi
/// is exempt.
const BUS: [&str; 2] = [
    "RSSMRC80A01F205Z;Marco;Rossi;marco.rossi@example.it;RSSPTR15B10F205K;Pietro;Rossi;10/02/2015;TRA;2026/2027;Scuola Primaria Pascoli;5a;Fascia unica;;900001;",
    "VRDLCA79D15F205Q;Luca;Verdi;;VRDMTT16E20F205Q;Matteo;Verdi;20/05/2016;TRA;2026/2027;Scuola Primaria Rodari;4b;Esente;;900003;",
];

/// Trasporto Scolastico's id, with an exempt band below 10.000 € of ISEE (Marta, the
/// administrator, sets it) and the two families above enrolled (Giulia imports them).
async fn bus_with_three_families(server: &TestServer) -> i64 {
    let marta = server.user("demo", MARTA_ADMIN).await;
    let giulia = server.user("demo", GIULIA_OPERATOR).await;
    let mario = server.user("demo", MARIO).await;
    let bus = mario.trasporto().await.service_id;
    let detail: ServiceDetail = marta.get_ok(&paths::office_service(bus)).await;
    let mut unica = FeeBandRow::from(&detail.bands[0]);
    unica.isee_from = "10.000,01".into();
    let exempt = FeeBandRow {
        id: None,
        name: "Esente".into(),
        isee_from: "0".into(),
        isee_to: "10.000,00".into(),
        meal_price: "0".into(),
        quota: "0".into(),
    };
    let saved = marta
        .put(
            &paths::office_service_bands(bus),
            &body!({ "bands": [exempt, unica] }),
        )
        .await;
    json::<ServiceDetail>(saved, StatusCode::OK).await;
    let file = std::iter::once(HEADER)
        .chain(BUS)
        .collect::<Vec<_>>()
        .join("\r\n");
    let imported: ImportReport = json(
        giulia
            .post_file(&paths::registry_import(), "text/csv", file)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(imported.new_enrolments, 2);
    bus
}

fn batch(bus: i64, month: &str, due_date: time::Date, request_id: &str) -> serde_json::Value {
    body!({
        "service_id": bus,
        "month": month,
        "due_date": due_date.to_string(),
        "request_id": request_id,
    })
}

/// The rette of a family, as the office reads them on its page.
async fn family_rette(office: &User<'_>, surname: &str) -> Vec<EmissionSummary> {
    let found: Page<FamilyHit> = office
        .get_ok(&format!("{}?q={surname}", paths::families()))
        .await;
    let family: FamilyDetail = office
        .get_ok(&paths::family(found.items[0].guardian_id))
        .await;
    family.emissions
}

#[tokio::test]
async fn a_month_is_previewed_issued_once_and_a_retta_cancelled_with_its_reason() {
    let server = TestServer::start().await;
    let bus = bus_with_three_families(&server).await;
    let giulia = server.user("demo", GIULIA_OPERATOR).await;
    let mario = server.user("demo", MARIO).await;

    let preview: RetteBatchPreview = json(
        giulia
            .post(
                &paths::emission_batch_preview(),
                &body!({ "service_id": bus, "month": "2027-02" }),
            )
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(preview.title, "Retta Febbraio 2027");
    assert_eq!(
        (preview.count, preview.total.to_string()),
        (2, "95.20".into())
    );
    let lines: Vec<(&str, &str, String)> = preview
        .lines
        .iter()
        .map(|l| {
            (
                l.child_name.as_str(),
                l.guardian_name.as_str(),
                l.amount.to_string(),
            )
        })
        .collect();
    assert_eq!(
        lines,
        [
            ("Greta Albertini", "Mario Albertini", "47.60".into()),
            ("Pietro Rossi", "Marco Rossi", "47.60".into()),
        ]
    );
    assert_eq!(preview.skipped.len(), 1);
    assert_eq!(preview.skipped[0].child_name, "Matteo Verdi");
    assert_eq!(preview.skipped[0].reason, SkipReason::NoQuota);

    let due = server.today().await + time::Duration::days(20);
    let issued: RetteBatchIssued = json(
        giulia
            .post(
                &paths::emission_batches(),
                &batch(bus, "2027-02", due, "r-1"),
            )
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (
            issued.issued,
            issued.total.to_string(),
            issued.already_issued,
            issued.not_due
        ),
        (2, "95.20".into(), 0, 1)
    );
    // Again, even with another request id: nothing new, and it says so.
    let again: RetteBatchIssued = json(
        giulia
            .post(
                &paths::emission_batches(),
                &batch(bus, "2027-02", due, "r-2"),
            )
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!((again.issued, again.already_issued), (0, 2));
    let preview: RetteBatchPreview = json(
        giulia
            .post(
                &paths::emission_batch_preview(),
                &body!({ "service_id": bus, "month": "2027-02" }),
            )
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(preview.count, 0);
    let reasons: Vec<SkipReason> = preview.skipped.iter().map(|s| s.reason).collect();
    assert_eq!(
        reasons,
        [
            SkipReason::AlreadyIssued,
            SkipReason::AlreadyIssued,
            SkipReason::NoQuota
        ]
    );

    // Mario's family reads its retta with its pagoPA notice.
    let list: Page<EmissionSummary> = mario.get_ok(&paths::emissions()).await;
    let february = list
        .items
        .iter()
        .find(|e| e.title == "Retta Febbraio 2027")
        .expect("the batch's retta among Mario's")
        .clone();
    assert_eq!(february.amount.to_string(), "47.60");
    assert_eq!(february.status, EmissionStatus::ToPay);
    assert_eq!(february.due_date, due);
    let detail: EmissionDetail = mario.get_ok(&paths::emission(february.id)).await;
    assert_eq!(detail.lines[0].description, "Quota mensile Fascia unica");
    assert_eq!(
        mario.notice(february.notice_id).await.status,
        NoticeStatus::Open
    );

    // Cancelled with a reason the family reads; its notice goes with it.
    let cancel = paths::emission_cancel(february.id);
    let missing = field_error(
        giulia.post(&cancel, &body!({ "reason": " " })).await,
        "reason",
    )
    .await;
    assert_eq!(
        missing,
        "Scrivi il motivo dell'annullamento: la famiglia lo leggerà sulla retta."
    );
    let reason = "Iscrizione al trasporto ritirata a novembre";
    let cancelled: EmissionDetail = json(
        giulia.post(&cancel, &body!({ "reason": reason })).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(cancelled.summary.status, EmissionStatus::Cancelled);
    let seen: EmissionDetail = mario.get_ok(&paths::emission(february.id)).await;
    assert_eq!(seen.summary.status.label(), "ANNULLATA");
    assert_eq!(seen.summary.cancel_reason.as_deref(), Some(reason));
    assert_eq!(
        mario.notice(february.notice_id).await.status,
        NoticeStatus::Cancelled
    );
    // Asked again, the answer is the same retta; the month is still issued once.
    let twice: EmissionDetail = json(
        giulia.post(&cancel, &body!({ "reason": "Altro" })).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(twice.summary.cancel_reason.as_deref(), Some(reason));
    let after: RetteBatchIssued = json(
        giulia
            .post(
                &paths::emission_batches(),
                &batch(bus, "2027-02", due, "r-3"),
            )
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!((after.issued, after.already_issued), (0, 2));

    // Pietro's retta, paid at a counter, cannot be cancelled.
    let rossi = family_rette(&giulia, "rossi").await;
    let pietro = rossi
        .iter()
        .find(|e| e.title == "Retta Febbraio 2027")
        .expect("Pietro's retta");
    let page = server.pay_at_counter(&pietro.document_number).await;
    assert!(page.contains("47,60"), "{page}");
    let refused = problem(
        giulia
            .post(
                &paths::emission_cancel(pietro.id),
                &body!({ "reason": "Errore" }),
            )
            .await,
        StatusCode::CONFLICT,
    )
    .await;
    assert_eq!(
        refused.detail,
        "Questa retta risulta già pagata: non può essere annullata."
    );
}

/// Greta's retta of `month` in the preview: the days paid for, of the month's, and the
/// amount.
async fn greta_pays(office: &User<'_>, bus: i64, month: &str) -> (u8, u8, String) {
    let preview: RetteBatchPreview = json(
        office
            .post(
                &paths::emission_batch_preview(),
                &body!({ "service_id": bus, "month": month }),
            )
            .await,
        StatusCode::OK,
    )
    .await;
    let line = &preview.lines[0];
    (line.days, line.month_days, line.amount.to_string())
}

#[tokio::test]
async fn pro_rata_pays_the_days_of_the_month_the_service_runs() {
    let server = TestServer::start().await;
    let marta = server.user("demo", MARTA_ADMIN).await;
    let giulia = server.user("demo", GIULIA_OPERATOR).await;
    let bus = server
        .user("demo", MARIO)
        .await
        .trasporto()
        .await
        .service_id;
    let saved = marta
        .put(
            &paths::office_service(bus),
            &body!({
                "code": "TRA",
                "name": "Trasporto Scolastico",
                "kind": "emissions",
                "active": true,
                "pro_rata": true
            }),
        )
        .await;
    let saved: ServiceDetail = json(saved, StatusCode::OK).await;
    assert!(saved.service.pro_rata);
    // The bus runs from Monday 14 September to Wednesday 9 June.
    let calendar = body!({
        "first_day": "2026-09-14",
        "last_day": "2027-06-09",
        "serving_weekdays": [1, 2, 3, 4, 5]
    });
    let set = giulia.put(&paths::calendar(bus), &calendar).await;
    assert_eq!(set.status(), StatusCode::OK);
    // 47,60 € × 17/30 = 26,973… → 26,97 €; × 9/30 = 14,28 €; a whole month, all of it.
    assert_eq!(
        greta_pays(&giulia, bus, "2026-09").await,
        (17, 30, "26.97".into())
    );
    assert_eq!(
        greta_pays(&giulia, bus, "2027-06").await,
        (9, 30, "14.28".into())
    );
    assert_eq!(
        greta_pays(&giulia, bus, "2026-12").await,
        (31, 31, "47.60".into())
    );
    let july: RetteBatchPreview = json(
        giulia
            .post(
                &paths::emission_batch_preview(),
                &body!({ "service_id": bus, "month": "2027-07" }),
            )
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(july.count, 0);
    assert_eq!(july.skipped[0].reason, SkipReason::OutsidePeriod);
}

#[tokio::test]
async fn only_the_comune_s_office_issues_and_cancels_its_own_rette() {
    let server = TestServer::start().await;
    let giulia = server.user("demo", GIULIA_OPERATOR).await;
    let mario = server.user("demo", MARIO).await;
    let bus = mario.trasporto().await.service_id;
    let canteen = mario.refezione().await.service_id;
    let retta = mario
        .get_ok::<Page<EmissionSummary>>(&paths::emissions())
        .await
        .items[0]
        .id;
    let due = server.today().await + time::Duration::days(10);
    let preview = body!({ "service_id": bus, "month": "2026-12" });
    let issue = batch(bus, "2026-12", due, "r-1");
    let cancel = body!({ "reason": "Prova" });

    // The canteen's staff and the family may not (403).
    let paolo = server.user("demo", PAOLO_CANTEEN).await;
    for user in [&paolo, &mario] {
        for (path, request) in [
            (paths::emission_batch_preview(), &preview),
            (paths::emission_batches(), &issue),
            (paths::emission_cancel(retta), &cancel),
        ] {
            problem(user.post(&path, request).await, StatusCode::FORBIDDEN).await;
        }
    }
    // Another comune's operator does not find Demo's service or retta (404).
    let carlo = server.spid_user("esempio", CARLO_OPERATOR_ESEMPIO).await;
    for (path, request) in [
        (paths::emission_batch_preview(), &preview),
        (paths::emission_batches(), &issue),
        (paths::emission_cancel(retta), &cancel),
    ] {
        problem(carlo.post(&path, request).await, StatusCode::NOT_FOUND).await;
    }
    let untouched: EmissionDetail = mario.get_ok(&paths::emission(retta)).await;
    assert_ne!(untouched.summary.status, EmissionStatus::Cancelled);

    // The office's bad input: each field in Italian.
    let past = server.today().await - time::Duration::days(1);
    let refused = problem(
        giulia
            .post(
                &paths::emission_batches(),
                &batch(bus, "dicembre", past, " "),
            )
            .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    let fields: Vec<&str> = refused.errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["month", "due_date", "request_id"]);
    assert_eq!(
        refused.errors[1].message,
        "La scadenza non può essere una data passata."
    );
    let prepaid = field_error(
        giulia
            .post(
                &paths::emission_batch_preview(),
                &body!({ "service_id": canteen, "month": "2026-12" }),
            )
            .await,
        "service_id",
    )
    .await;
    assert_eq!(
        prepaid,
        "Il servizio non è gestito a emissione retta: le sue iscrizioni non pagano rette."
    );
}
