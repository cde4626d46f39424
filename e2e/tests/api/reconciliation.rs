//! Reconciliation with the treasury and receipts fetched from pagoPA: flussi di
//! rendicontazione uploaded or imported from the FdR service and matched against the
//! receipts, and the receipts of a comune that uses only GPD fetched from GPD-payments.
//! pagoPA's services are wiremock stand-ins answering as their published OpenAPI
//! documents say (pagopa-gpd-payments `openapi/openapi.json`, pagopa-api
//! `openapi/fdr_organization.json`).

use std::collections::BTreeSet;
use std::time::Duration;

use e2e::payments::{flow_xml, gpd_receipt_xml, ENTE_DEMO};
use e2e::{json, problem, TestServer, User, CARLO_OPERATOR_ESEMPIO, GIULIA_OPERATOR, MARIO};
use reqwest::StatusCode;
use sea_orm::ConnectionTrait;
use serde_json::json as body;
use sportello_model::payments::{Notice, NoticeStatus, ReceiptSummary};
use sportello_model::reconciliation::{
    Discrepancy, DiscrepancyKind, FlowImported, FlowSource, FlowSummary,
};
use sportello_model::{paths, Page};
use wiremock::matchers::{header, method, path, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A Tuesday: the grace days of the report count from here.
const NOW: &str = "2026-11-24T08:00:00Z";
/// The key the stand-ins expect in `Ocp-Apim-Subscription-Key`.
const KEY: &str = "chiave-di-prova";

async fn report(operator: &User<'_>, kind: DiscrepancyKind) -> Page<Discrepancy> {
    operator
        .get_ok(&format!(
            "{}?kind={}",
            paths::reconciliation_discrepancies(),
            kind.as_str()
        ))
        .await
}

async fn flows(operator: &User<'_>) -> Page<FlowSummary> {
    operator.get_ok(&paths::reconciliation_flows()).await
}

#[tokio::test]
async fn an_uploaded_flow_is_matched_against_the_receipts() {
    let server = TestServer::start_with(&[("SPORTELLO_FAKE_NOW", NOW)]).await;
    let (mario, service) = server.canteen_family(MARIO).await;
    // Three recharges paid at a counter: the flow reports the first right, the second
    // with another amount, the third not at all; it also reports a payment the comune
    // has no receipt of.
    let mut paid = Vec::new();
    for amount in ["10", "20", "30"] {
        let notice = mario.new_notice(service, amount).await;
        server.pay_at_counter(&notice.notice_number).await;
        assert_eq!(mario.notice(notice.id).await.status, NoticeStatus::Paid);
        paid.push(notice);
    }
    let [right, wrong, missing] = paid.as_slice() else {
        unreachable!()
    };
    let unknown_iuv = "01999999999999999";
    let xml = flow_xml(
        "2026-11-25BCITITMM-S0000001",
        ENTE_DEMO,
        &[
            (&right.iuv, "IUR-1", "10.00", "0"),
            (&wrong.iuv, "IUR-2", "25.00", "0"),
            (unknown_iuv, "IUR-3", "5.00", "9"),
        ],
    );

    let giulia = server.user("demo", GIULIA_OPERATOR).await;
    let imported: FlowImported = json(giulia.upload_flow(&xml).await, StatusCode::CREATED).await;
    assert!(imported.created);
    assert_eq!(imported.flow.payments, 3);
    assert_eq!(imported.flow.total.to_string(), "40.00");
    assert_eq!(imported.flow.source, FlowSource::Upload);
    // The same file again (a second click, a retried upload) changes nothing.
    let again: FlowImported = json(giulia.upload_flow(&xml).await, StatusCode::OK).await;
    assert!(!again.created);
    assert_eq!(again.flow.id, imported.flow.id);
    assert_eq!(flows(&giulia).await.total, 1);

    let mismatched = report(&giulia, DiscrepancyKind::AmountMismatch).await;
    assert_eq!(mismatched.total, 1, "{mismatched:?}");
    let line = &mismatched.items[0];
    assert_eq!(line.iuv, wrong.iuv);
    assert_eq!(
        line.notice_number.as_deref(),
        Some(wrong.notice_number.as_str())
    );
    assert_eq!(
        line.receipt_amount.map(|a| a.to_string()).as_deref(),
        Some("20.00")
    );
    assert_eq!(
        line.flow_amount.map(|a| a.to_string()).as_deref(),
        Some("25.00")
    );
    assert_eq!(line.flow_id.as_deref(), Some("2026-11-25BCITITMM-S0000001"));

    let without_receipt = report(&giulia, DiscrepancyKind::PaymentWithoutReceipt).await;
    assert_eq!(without_receipt.total, 1, "{without_receipt:?}");
    assert_eq!(without_receipt.items[0].iuv, unknown_iuv);
    assert_eq!(without_receipt.items[0].receipt_id, None);
    assert_eq!(without_receipt.items[0].iur.as_deref(), Some("IUR-3"));

    // Paid today: still within the comune's three working days of grace.
    assert_eq!(
        report(&giulia, DiscrepancyKind::ReceiptWithoutFlow)
            .await
            .total,
        0
    );
    // A week later the receipts no flow reported are listed: the third recharge and the
    // demo retta paid at the counter when the comune was set up.
    server
        .advance_clock(Duration::from_secs(7 * 24 * 3600))
        .await;
    let (mario, giulia) = (
        server.user("demo", MARIO).await,
        server.user("demo", GIULIA_OPERATOR).await,
    );
    let demo_retta: Page<ReceiptSummary> = mario.get_ok(&paths::receipts()).await;
    let demo_retta = demo_retta
        .items
        .iter()
        .find(|r| !paid.iter().any(|p| p.notice_number == r.notice_number))
        .expect("the demo retta's receipt")
        .notice_number
        .clone();
    let unreported = report(&giulia, DiscrepancyKind::ReceiptWithoutFlow).await;
    let numbers: BTreeSet<String> = unreported
        .items
        .iter()
        .filter_map(|d| d.notice_number.clone())
        .collect();
    assert_eq!(
        numbers,
        BTreeSet::from([missing.notice_number.clone(), demo_retta]),
        "{unreported:?}"
    );
    let line = unreported
        .items
        .iter()
        .find(|d| d.iuv == missing.iuv)
        .expect("the unreported recharge");
    assert_eq!(
        line.receipt_amount.map(|a| a.to_string()).as_deref(),
        Some("30.00")
    );
    assert!(line.receipt_id.is_some());

    // A malformed file is refused in Italian and nothing is stored.
    let broken = giulia
        .upload_flow(&xml.replace(
            "<pay_i:numeroTotalePagamenti>3<",
            "<pay_i:numeroTotalePagamenti>4<",
        ))
        .await;
    let refused = problem(broken, StatusCode::BAD_REQUEST).await;
    assert_eq!(
        refused.detail,
        "Il flusso di rendicontazione non è valido: il numero totale dei pagamenti (4) non corrisponde ai pagamenti elencati (3)."
    );
    let not_xml = problem(
        giulia.upload_flow("non è XML").await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(
        not_xml
            .detail
            .starts_with("Il flusso di rendicontazione non è valido: il file non è un FlussoRiversamento leggibile"),
        "{}",
        not_xml.detail
    );
    assert_eq!(flows(&giulia).await.total, 1);

    // Another comune sees none of it, and cannot import the demo comune's flow.
    let carlo = server.spid_user("esempio", CARLO_OPERATOR_ESEMPIO).await;
    assert_eq!(flows(&carlo).await.total, 0);
    for kind in DiscrepancyKind::ALL {
        let theirs = report(&carlo, kind).await;
        assert!(
            theirs
                .items
                .iter()
                .all(|d| !paid.iter().any(|p| p.iuv == d.iuv) && d.iuv != unknown_iuv),
            "{kind:?}: {theirs:?}"
        );
    }
    let elsewhere = problem(carlo.upload_flow(&xml).await, StatusCode::BAD_REQUEST).await;
    assert!(elsewhere
        .detail
        .contains("è destinato all'ente con codice fiscale 80012340156"));
    assert_eq!(flows(&carlo).await.total, 0);

    // Families do not reconcile.
    problem(
        mario.get(&paths::reconciliation_flows()).await,
        StatusCode::FORBIDDEN,
    )
    .await;
}

/// A stand-in for pagoPA's FdR service for organizations publishing one flow of the demo
/// comune (revision `revision`, its payments `payments`: IUV, IUR, euro), and no flow for
/// any other comune.
async fn mount_fdr(fdr: &MockServer, revision: i64, payments: &[(&str, &str, f64)]) {
    let base = "/fdr-org/service/v1/organizations";
    let flow = "2026-11-25BCITITMM-S0000002";
    Mock::given(method("GET"))
        .and(path(format!("{base}/{ENTE_DEMO}/fdrs")))
        .and(header("Ocp-Apim-Subscription-Key", KEY))
        .respond_with(ResponseTemplate::new(200).set_body_json(body!({
            "metadata": { "pageSize": 1000, "pageNumber": 1, "totPage": 1 },
            "count": 1,
            "data": [{
                "fdr": flow,
                "pspId": "BCITITMM",
                "revision": revision,
                "published": "2026-11-25T07:00:00Z",
                "flowDate": "2026-11-25T06:00:00Z"
            }]
        })))
        .with_priority(1)
        .mount(fdr)
        .await;
    let single = format!("{base}/{ENTE_DEMO}/fdrs/{flow}/revisions/{revision}/psps/BCITITMM");
    let total: f64 = payments.iter().map(|p| p.2).sum();
    Mock::given(method("GET"))
        .and(path(single.clone()))
        .respond_with(ResponseTemplate::new(200).set_body_json(body!({
            "status": "PUBLISHED",
            "revision": revision,
            "created": "2026-11-25T06:00:00Z",
            "updated": "2026-11-25T07:00:00Z",
            "fdr": flow,
            "fdrDate": "2026-11-25T06:00:00Z",
            "regulation": "SEPA - Bonifico 0002",
            "regulationDate": "2026-11-25",
            "bicCodePouringBank": "UNCRITMMXXX",
            "sender": {
                "type": "ABI_CODE", "id": "BCITITMM", "pspId": "BCITITMM",
                "pspName": "Banca di Prova", "pspBrokerId": "BCITITMM", "channelId": "BCITITMM_01"
            },
            "receiver": { "id": "APPBIT2B", "organizationId": ENTE_DEMO, "organizationName": "Comune di Demo" },
            "published": "2026-11-25T07:00:00Z",
            "computedTotPayments": payments.len(),
            "computedSumPayments": total,
            "totPayments": payments.len(),
            "sumPayments": total
        })))
        .mount(fdr)
        .await;
    let data: Vec<_> = payments
        .iter()
        .enumerate()
        .map(|(i, (iuv, iur, pay))| {
            body!({
                "index": i + 1, "iuv": iuv, "iur": iur, "idTransfer": 1, "pay": pay,
                "payStatus": "EXECUTED", "payDate": "2026-11-24T09:15:00Z"
            })
        })
        .collect();
    Mock::given(method("GET"))
        .and(path(format!("{single}/payments")))
        .respond_with(ResponseTemplate::new(200).set_body_json(body!({
            "metadata": { "pageSize": 1000, "pageNumber": 1, "totPage": 1 },
            "count": data.len(),
            "data": data
        })))
        .mount(fdr)
        .await;
}

/// Requests the FdR stand-in received for the demo comune's flow (not the listings).
async fn flow_requests(fdr: &MockServer) -> usize {
    fdr.received_requests()
        .await
        .expect("recording is on")
        .iter()
        .filter(|r| r.url.path().contains("/revisions/"))
        .count()
}

async fn eventually<F: std::future::Future<Output = bool>>(
    what: &str,
    mut check: impl FnMut() -> F,
) {
    for _ in 0..100 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("not within 20 s: {what}");
}

/// Other comuni have no flows published (a fallback below the mocks of Comune di Demo).
async fn no_flows_elsewhere(fdr: &MockServer) {
    Mock::given(method("GET"))
        .and(path_regex(
            r"^/fdr-org/service/v1/organizations/[0-9]+/fdrs$",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(body!({
            "metadata": { "pageSize": 1000, "pageNumber": 1, "totPage": 0 },
            "count": 0,
            "data": []
        })))
        .with_priority(5)
        .mount(fdr)
        .await;
}

#[tokio::test]
async fn flows_are_imported_from_the_fdr_service_once_per_revision() {
    let fdr = MockServer::start().await;
    no_flows_elsewhere(&fdr).await;
    let url = format!("{}/fdr-org/service/v1", fdr.uri());
    let server = TestServer::start_with(&[
        ("SPORTELLO_FAKE_NOW", NOW),
        ("PAGOPA_FDR_URL", url.as_str()),
        ("PAGOPA_FDR_KEY", KEY),
        ("SPORTELLO_FLOWS_JOB_SECONDS", "1"),
    ])
    .await;
    let (mario, service) = server.canteen_family(MARIO).await;
    let notice = mario.new_notice(service, "12,50").await;
    server.pay_at_counter(&notice.notice_number).await;
    mount_fdr(&fdr, 1, &[(&notice.iuv, "IUR-A", 12.5)]).await;

    let giulia = server.user("demo", GIULIA_OPERATOR).await;
    eventually("the flow is imported", || async {
        flows(&giulia).await.total == 1
    })
    .await;
    let listed = flows(&giulia).await;
    assert_eq!(listed.items[0].source, FlowSource::Api);
    assert_eq!(listed.items[0].revision, 1);
    assert_eq!(listed.items[0].total.to_string(), "12.50");
    assert_eq!(
        report(&giulia, DiscrepancyKind::AmountMismatch).await.total,
        0
    );
    // Later runs list it again but fetch nothing more: it is stored.
    let fetched = flow_requests(&fdr).await;
    assert_eq!(fetched, 2, "the flow and its payments");
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(flow_requests(&fdr).await, fetched);
    assert_eq!(flows(&giulia).await.total, 1);

    // A second revision with another amount replaces the first.
    fdr.reset().await;
    no_flows_elsewhere(&fdr).await;
    mount_fdr(&fdr, 2, &[(&notice.iuv, "IUR-A", 12.0)]).await;
    eventually("the second revision is imported", || async {
        flows(&giulia).await.total == 2
    })
    .await;
    let listed = flows(&giulia).await;
    let superseded: Vec<(i64, bool)> = listed
        .items
        .iter()
        .map(|f| (f.revision, f.superseded))
        .collect();
    assert!(
        superseded.contains(&(1, true)) && superseded.contains(&(2, false)),
        "{superseded:?}"
    );
    let mismatched = report(&giulia, DiscrepancyKind::AmountMismatch).await;
    assert_eq!(mismatched.total, 1);
    assert_eq!(
        mismatched.items[0]
            .flow_amount
            .map(|a| a.to_string())
            .as_deref(),
        Some("12.00")
    );
}

/// A stand-in for GPD-payments: every receipt asked for is not there (404, ProblemJson)
/// unless a test mounts another answer for its IUV.
async fn gpd_payments() -> MockServer {
    let gpd = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path_regex(
            r"^/gpd-payments/api/v1/payments/[0-9]+/receipts/[0-9]+$",
        ))
        .respond_with(ResponseTemplate::new(404).set_body_json(body!({
            "title": "Not Found", "status": 404, "detail": "No receipt found"
        })))
        .with_priority(10)
        .mount(&gpd)
        .await;
    gpd
}

fn receipt_path(notice: &Notice) -> String {
    format!(
        "/gpd-payments/api/v1/payments/{ENTE_DEMO}/receipts/{}",
        notice.iuv
    )
}

async fn asked(gpd: &MockServer, notice: &Notice) -> usize {
    gpd.received_requests()
        .await
        .expect("recording is on")
        .iter()
        .filter(|r| r.url.path() == receipt_path(notice))
        .inspect(|r| {
            assert_eq!(
                r.headers
                    .get("Ocp-Apim-Subscription-Key")
                    .and_then(|v| v.to_str().ok()),
                Some(KEY)
            );
        })
        .count()
}

async fn server_with_gpd_payments(gpd: &MockServer, job_seconds: &str) -> TestServer {
    let url = format!("{}/gpd-payments/api/v1", gpd.uri());
    TestServer::start_with(&[
        ("SPORTELLO_FAKE_NOW", NOW),
        ("PAGOPA_GPD_PAYMENTS_URL", url.as_str()),
        ("PAGOPA_GPD_PAYMENTS_KEY", KEY),
        ("SPORTELLO_RECEIPTS_JOB_SECONDS", job_seconds),
    ])
    .await
}

/// From now on the demo comune has no station of its own: it uses only GPD.
async fn use_only_gpd(server: &TestServer) {
    server
        .database()
        .await
        .execute_unprepared("UPDATE entes SET pagopa_gpd_only = TRUE WHERE slug = 'demo'")
        .await
        .expect("comune set to GPD only");
}

#[tokio::test]
async fn receipts_of_a_gpd_only_comune_are_fetched_with_backoff_and_credited_once() {
    let gpd = gpd_payments().await;
    let server = server_with_gpd_payments(&gpd, "1").await;
    let (mario, service) = server.canteen_family(MARIO).await;
    let before = mario.balance(service).await;
    let notice = mario.new_notice(service, "10").await;
    // pagoPA fails once (500), then has no receipt (404), then has it.
    Mock::given(method("GET"))
        .and(path(receipt_path(&notice)))
        .respond_with(ResponseTemplate::new(500).set_body_json(body!({
            "title": "Internal Server Error", "status": 500, "detail": "An unexpected error has occurred"
        })))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&gpd)
        .await;
    Mock::given(method("GET"))
        .and(path(receipt_path(&notice)))
        .respond_with(ResponseTemplate::new(404).set_body_json(body!({
            "title": "Not Found", "status": 404, "detail": "No receipt found"
        })))
        .up_to_n_times(1)
        .with_priority(2)
        .mount(&gpd)
        .await;
    Mock::given(method("GET"))
        .and(path(receipt_path(&notice)))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-type", "application/xml")
                .set_body_string(gpd_receipt_xml("GPDRECEIPT0001", &notice, "10.00")),
        )
        .with_priority(3)
        .mount(&gpd)
        .await;
    use_only_gpd(&server).await;

    eventually("the first question", || async {
        asked(&gpd, &notice).await == 1
    })
    .await;
    // After the failure the notice waits: no storm of questions, nothing credited.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(asked(&gpd, &notice).await, 1);
    assert_eq!(mario.notice(notice.id).await.status, NoticeStatus::Open);
    server.advance_clock(Duration::from_secs(5 * 60)).await;
    eventually("the retry", || async { asked(&gpd, &notice).await == 2 }).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(mario.notice(notice.id).await.status, NoticeStatus::Open);
    assert_eq!(mario.balance(service).await, before);
    // The wait doubles: five minutes are not enough now, ten are.
    server.advance_clock(Duration::from_secs(5 * 60)).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(asked(&gpd, &notice).await, 2);
    server.advance_clock(Duration::from_secs(5 * 60)).await;
    // Access tokens last a quarter of an hour of the moved clock.
    let mario = server.user("demo", MARIO).await;
    eventually("the receipt is credited", || async {
        mario.notice(notice.id).await.status == NoticeStatus::Paid
    })
    .await;
    let expected = before.parse::<f64>().unwrap() + 10.0;
    assert_eq!(mario.balance(service).await, format!("{expected:.2}"));
    // A paid notice is asked about no more; the return page finds it paid and the
    // receipt counts once.
    server.advance_clock(Duration::from_secs(24 * 3600)).await;
    let mario = server.user("demo", MARIO).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(asked(&gpd, &notice).await, 3);
    let verified: Notice = json(
        mario.post_empty(&paths::notice_verify(notice.id)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(verified.status, NoticeStatus::Paid);
    assert_eq!(asked(&gpd, &notice).await, 3);
    assert_eq!(mario.balance(service).await, format!("{expected:.2}"));
}

#[tokio::test]
async fn the_return_from_checkout_asks_pagopa_for_the_receipt() {
    let gpd = gpd_payments().await;
    // The job runs once at start and then hourly: only the return page asks here.
    let server = server_with_gpd_payments(&gpd, "3600").await;
    let (mario, service) = server.canteen_family(MARIO).await;
    let before = mario.balance(service).await;
    let notice = mario.new_notice(service, "15").await;
    let verify = paths::notice_verify(notice.id);
    // Before the comune uses only GPD, the node delivers receipts: nothing is asked.
    json::<Notice>(mario.post_empty(&verify).await, StatusCode::OK).await;
    assert_eq!(asked(&gpd, &notice).await, 0);
    use_only_gpd(&server).await;

    // Not paid yet: "pagamento in verifica".
    let pending: Notice = json(mario.post_empty(&verify).await, StatusCode::OK).await;
    assert_eq!(pending.status, NoticeStatus::Open);
    assert_eq!(asked(&gpd, &notice).await, 1);
    // A reload right away does not ask pagoPA again.
    json::<Notice>(mario.post_empty(&verify).await, StatusCode::OK).await;
    assert_eq!(asked(&gpd, &notice).await, 1);

    Mock::given(method("GET"))
        .and(path(receipt_path(&notice)))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-type", "application/xml")
                .set_body_string(gpd_receipt_xml("GPDRECEIPT0002", &notice, "15.00")),
        )
        .with_priority(1)
        .mount(&gpd)
        .await;
    server.advance_clock(Duration::from_secs(11)).await;
    let paid: Notice = json(mario.post_empty(&verify).await, StatusCode::OK).await;
    assert_eq!(paid.status, NoticeStatus::Paid);
    assert_eq!(asked(&gpd, &notice).await, 2);
    let expected = before.parse::<f64>().unwrap() + 15.0;
    assert_eq!(mario.balance(service).await, format!("{expected:.2}"));

    // pagoPA failing is said in Italian, and changes nothing.
    let other = mario.new_notice(service, "5").await;
    Mock::given(method("GET"))
        .and(path(receipt_path(&other)))
        .respond_with(ResponseTemplate::new(500).set_body_json(body!({
            "title": "Internal Server Error", "status": 500, "detail": "An unexpected error has occurred"
        })))
        .with_priority(1)
        .mount(&gpd)
        .await;
    let failed = problem(
        mario.post_empty(&paths::notice_verify(other.id)).await,
        StatusCode::CONFLICT,
    )
    .await;
    assert!(failed
        .detail
        .starts_with("Non è stato possibile verificare ora il pagamento con pagoPA"));
    assert_eq!(mario.notice(other.id).await.status, NoticeStatus::Open);
    assert_eq!(mario.balance(service).await, format!("{expected:.2}"));
}
