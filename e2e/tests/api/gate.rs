//! The enrolment gate's «Paga e invia»: Anna Colombo's canteen account is 23,40 € short
//! (the demo data), so sending the enrolment is refused with the amount due; paying and
//! sending gives the submission its protocol number and ONE notice of exactly that
//! amount (asked again, or twice at once, the same one); once pagoPA reports it paid the
//! submission is «Da validare» by itself and the account is zero. Cancelling a suspended
//! submission withdraws its notice.

use e2e::payments::submit_checkout;
use e2e::{field_error, json, problem, TestServer, User, ANNA, GIULIA_OPERATOR, MARIO};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sportello_model::forms::{SubmissionDetail, SubmissionState};
use sportello_model::payments::{CheckoutStarted, Notice, NoticeStatus};
use sportello_model::{paths, Page};

use crate::forms::{canteen_form, publish, start, SUMMER};

/// The enrolment of the child `child` for next year.
fn answers(child: i64) -> Value {
    json!({
        "alunno": { "child_id": child },
        "scuola": { "school": "Scuola Primaria Pascoli", "class_name": "5b" },
        "dieta": { "meal_type": "PASTO BASE" },
        "privacy": true
    })
}

/// «Paga e invia» of the submission `id` (200 expected).
async fn pay_and_send(family: &User<'_>, id: i64) -> SubmissionDetail {
    json(
        family
            .post_empty(&paths::my_submission_pay_and_send(id))
            .await,
        StatusCode::OK,
    )
    .await
}

/// The family's notices of the account `service` a counter can take.
async fn notices(family: &User<'_>, service: i64) -> Vec<Notice> {
    let path = format!("{}?per_page=100", paths::service_notices(service));
    family.get_ok::<Page<Notice>>(&path).await.items
}

/// Anna with her canteen account: a published canteen form with the gate on, and her
/// draft of it for Luca.
struct Annas<'a> {
    anna: User<'a>,
    service: i64,
    luca: i64,
    draft: SubmissionDetail,
}

async fn annas_draft(server: &TestServer) -> Annas<'_> {
    let giulia = server.user("demo", GIULIA_OPERATOR).await;
    let (anna, service) = server.canteen_family(ANNA).await;
    let luca = server.child_named(anna.token(), "Luca").await;
    let form = publish(&giulia, &canteen_form(service, true)).await;
    let draft = start(&anna, form.id, answers(luca)).await;
    Annas {
        anna,
        service,
        luca,
        draft,
    }
}

#[tokio::test]
async fn pay_and_send_waits_for_one_notice_and_moves_on_when_pagopa_reports_it_paid() {
    let server = TestServer::start_with(&[("SPORTELLO_FAKE_NOW", SUMMER)]).await;
    let Annas {
        anna,
        service,
        luca,
        draft,
    } = annas_draft(&server).await;
    let id = draft.summary.id;
    assert_eq!(anna.balance(service).await, "-23.40");

    let refused = anna.post_empty(&paths::my_submission_send(id)).await;
    assert_eq!(
        problem(refused, StatusCode::CONFLICT).await.detail,
        "Per iscriversi occorre saldare 23,40 € del conto Refezione Scolastica."
    );

    let suspended = pay_and_send(&anna, id).await;
    assert_eq!(suspended.summary.state, SubmissionState::SuspendedUnpaid);
    assert_eq!(suspended.summary.state_label, "Sospesa per insoluto");
    assert!(suspended.summary.protocol_number.is_some());
    assert!(suspended.summary.sent_at.is_some());
    let awaited = suspended.summary.notice.clone().expect("the notice");
    let notice = &awaited.notice;
    assert_eq!(notice.amount.to_string(), "23.40");
    assert_eq!(notice.status, NoticeStatus::Open);
    assert_eq!(notice.notice_number.len(), 18);
    assert!(notice.notice_number.ends_with(&notice.iuv));
    assert_eq!(
        awaited.checkout_url,
        paths::absolute(&paths::notice_checkout(notice.id))
    );

    // A retry, and two more at once: the same submission with the same notice.
    let path = paths::my_submission_pay_and_send(id);
    let (first, second) = tokio::join!(anna.post_empty(&path), anna.post_empty(&path));
    for again in [
        pay_and_send(&anna, id).await,
        json(first, StatusCode::OK).await,
        json(second, StatusCode::OK).await,
    ] {
        assert_eq!(again.summary.notice, suspended.summary.notice);
        assert_eq!(
            again.summary.protocol_number,
            suspended.summary.protocol_number
        );
    }
    let listed: Vec<i64> = notices(&anna, service).await.iter().map(|n| n.id).collect();
    assert_eq!(listed, [notice.id], "one notice, kept to pay later");
    let pdf = anna.document(&notice.pdf_url).await;
    assert_eq!(
        pdf.status(),
        StatusCode::OK,
        "the notice prints for a counter"
    );

    // Sent for Luca: another draft of the same form cannot be sent for him.
    let other = start(&anna, draft.summary.form_id, answers(luca)).await;
    let twice = anna
        .post_empty(&paths::my_submission_pay_and_send(other.summary.id))
        .await;
    assert_eq!(
        problem(twice, StatusCode::CONFLICT).await.detail,
        "Hai già inviato questo modulo: trovi la domanda in «I miei moduli»."
    );

    // Anna pays it online; pagoPA's receipt moves the submission on.
    let started: CheckoutStarted = json(anna.checkout(notice.id).await, StatusCode::OK).await;
    submit_checkout(&started.checkout_url, "pay", "carta").await;
    let moved: SubmissionDetail = anna.get_ok(&paths::my_submission(id)).await;
    assert_eq!(moved.summary.state, SubmissionState::ToValidate);
    assert_eq!(
        moved.summary.notice.expect("the notice").notice.status,
        NoticeStatus::Paid
    );
    let last = moved.history.last().expect("the history");
    assert_eq!(last.state, SubmissionState::ToValidate);
    assert_eq!(last.actor_name, "pagoPA");
    assert_eq!(anna.balance(service).await, "0.00");
    let giulia = server.user("demo", GIULIA_OPERATOR).await;
    let seen: SubmissionDetail = giulia.get_ok(&paths::review(id)).await;
    assert_eq!(seen.summary.state, SubmissionState::ToValidate);
}

#[tokio::test]
async fn pay_and_send_needs_a_debt_and_valid_answers_and_cancelling_withdraws_the_notice() {
    let server = TestServer::start_with(&[("SPORTELLO_FAKE_NOW", SUMMER)]).await;
    let Annas {
        anna,
        service,
        draft,
        ..
    } = annas_draft(&server).await;
    let form = draft.summary.form_id;

    // Answers missing: refused with a field error, nothing made.
    let incomplete = start(&anna, form, json!({ "privacy": true })).await;
    let missing = anna
        .post_empty(&paths::my_submission_pay_and_send(incomplete.summary.id))
        .await;
    assert!(!field_error(missing, "answers.alunno").await.is_empty());
    assert!(notices(&anna, service).await.is_empty());

    // Mario's account is in credit: nothing to pay, he sends it.
    let mario = server.user("demo", MARIO).await;
    let sofia = server.child_named(mario.token(), "Sofia").await;
    let his = start(&mario, form, answers(sofia)).await;
    let settled = mario
        .post_empty(&paths::my_submission_pay_and_send(his.summary.id))
        .await;
    assert_eq!(
        problem(settled, StatusCode::CONFLICT).await.detail,
        "Il conto del servizio è in regola: invia la domanda con «Invia»."
    );

    // Anna pays and sends, then cancels: the notice is withdrawn, the debt stays.
    let suspended = pay_and_send(&anna, draft.summary.id).await;
    let notice = suspended.summary.notice.expect("the notice").notice;
    let cancelled: SubmissionDetail = json(
        anna.post_empty(&paths::my_submission_cancel(draft.summary.id))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(cancelled.summary.state, SubmissionState::Cancelled);
    assert_eq!(anna.notice(notice.id).await.status, NoticeStatus::Cancelled);
    let counter = server.pay_at_counter(&notice.notice_number).await;
    assert!(!counter.contains("Incassa"), "a counter cannot take it");
    assert_eq!(anna.balance(service).await, "-23.40");
}
