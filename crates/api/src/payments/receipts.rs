//! Receipts: the one path through which every payment reaches the ente, whether pagoPA's
//! node delivers it to the station or the simulator's checkout and counter do, as the
//! node would.
//! Idempotent: the same receipt delivered twice counts once.

use sea_orm::sea_query::Expr;
use std::collections::HashMap;

use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, TransactionTrait,
};
use sportello_model::money::cents_to_decimal;
use sportello_model::page::PageRequest;
use sportello_model::paths;
use sportello_model::payments::{
    EmissionStatus, MovementKind, NoticePurpose, NoticeState, ReceiptOutcome, ReceiptSummary,
};
use sportello_model::Page;
use sportello_pagopa::node::{self, Fault, FaultCode, Primitive};
use sportello_pagopa::{PaymentMethod, Receipt, ReceiptDocument};
use time::{OffsetDateTime, PrimitiveDateTime};

use super::entity::{emission, payment_notice, receipt};
use super::ledger::{self, NewMovement};
use super::notices;
use crate::auth::Principal;
use crate::config::PagopaStation;
use crate::db::{fetch_page, upsert, TenantScoped};
use crate::entes::entity::ente;
use crate::error::{ApiError, ApiResult};

/// A receipt delivered by pagoPA's node to `station` (the envelope `xml`), processed:
/// which primitive to answer with and, unless the answer is `OK`, its fault. Nothing is
/// written for an envelope that cannot be read or is addressed elsewhere.
pub async fn from_node(
    db: &DatabaseConnection,
    station: &PagopaStation,
    xml: &[u8],
    soap_action: Option<&str>,
    now: OffsetDateTime,
) -> (Primitive, Option<Fault>) {
    let delivered = match node::read_receipt(xml, soap_action, now) {
        Ok(delivered) => delivered,
        Err((primitive, fault)) => {
            tracing::warn!(fault = %fault.code, "receipt envelope refused");
            return (primitive, Some(fault));
        }
    };
    let primitive = delivered.primitive;
    let address = &delivered.station;
    let misaddressed = if address.id_broker_pa != station.broker_id {
        Some(Fault::new(
            FaultCode::IdIntermediarioErrato,
            "idBrokerPA non è l'intermediario di questa stazione",
        ))
    } else if address.id_station != station.station_id {
        Some(Fault::new(
            FaultCode::StazioneIntErrata,
            "idStation non è questa stazione",
        ))
    } else {
        None
    };
    if let Some(fault) = misaddressed {
        tracing::warn!(fault = %fault.code, "receipt for another station refused");
        return (primitive, Some(fault));
    }
    let outcome = match known_ente(db, &delivered.receipt).await {
        Ok(true) => process(db, &delivered.receipt, now).await,
        Ok(false) => {
            tracing::warn!(fault = %FaultCode::IdDominioErrato, "receipt for an unknown comune refused");
            return (
                primitive,
                Some(Fault::new(
                    FaultCode::IdDominioErrato,
                    "idPA non è un comune di questa stazione",
                )),
            );
        }
        Err(err) => Err(err),
    };
    match outcome {
        Ok(outcome) => (primitive, Fault::for_outcome(outcome)),
        Err(err) => {
            tracing::error!(%err, receipt_id = %delivered.receipt.receipt_id, "receipt not processed");
            (primitive, Some(Fault::system_error()))
        }
    }
}

/// Whether the receipt's comune (`idPA`, the same as its fiscal code) is one of this
/// installation's.
async fn known_ente(db: &DatabaseConnection, r: &Receipt) -> ApiResult<bool> {
    Ok(ente::Entity::find()
        .filter(ente::Column::FiscalCode.eq(r.ente_fiscal_code.clone()))
        .count(db)
        .await?
        > 0)
}

/// Stores the receipt and applies it, all in one transaction.
pub async fn process(
    db: &DatabaseConnection,
    r: &Receipt,
    now: OffsetDateTime,
) -> ApiResult<ReceiptOutcome> {
    let txn = db.begin().await?;
    // The insert comes first: it takes the write lock, and its unique receipt id makes a
    // second delivery of the same receipt a no-op even across server replicas.
    let inserted = upsert(
        &txn,
        [receipt::ActiveModel {
            ente_id: Set(None),
            receipt_id: Set(r.receipt_id.clone()),
            notice_number: Set(r.notice_number.clone()),
            ente_fiscal_code: Set(r.ente_fiscal_code.clone()),
            amount_cents: Set(r.amount_cents),
            paid_at: Set(r.paid_at),
            method: Set(r.method.code().into()),
            psp: Set(r.psp_name.clone()),
            payer_fiscal_code: Set(r.payer.as_ref().map(|p| p.fiscal_code.clone())),
            outcome: Set(ReceiptOutcome::Processing),
            notice_id: Set(None),
            received_at: Set(now),
            ..Default::default()
        }],
        [receipt::Column::ReceiptId],
        [],
    )
    .await?;
    if inserted == 0 {
        txn.rollback().await?;
        crate::operations::metrics::receipt_processed(ReceiptOutcome::AlreadyProcessed);
        return Ok(ReceiptOutcome::AlreadyProcessed);
    }
    let stored = receipt::Entity::find()
        .filter(receipt::Column::ReceiptId.eq(&r.receipt_id))
        .one(&txn)
        .await?
        .ok_or_else(|| ApiError::internal("receipt vanished"))?;

    let notice = match ente::Entity::find()
        .filter(ente::Column::FiscalCode.eq(r.ente_fiscal_code.clone()))
        .all(&txn)
        .await?
        .iter()
        .map(ente::Model::ente_id)
        .collect::<Vec<_>>()
    {
        ids if ids.is_empty() => None,
        ids => {
            payment_notice::Entity::find()
                .filter(payment_notice::Column::EnteId.is_in(ids))
                .filter(payment_notice::Column::NoticeNumber.eq(r.notice_number.clone()))
                .one(&txn)
                .await?
        }
    };
    let paid_day = sportello_model::rome::today(r.paid_at);
    let outcome = match &notice {
        None => ReceiptOutcome::UnknownNotice,
        Some(n) if n.status == NoticeState::Paid => ReceiptOutcome::DuplicatePayment,
        Some(n) if n.status == NoticeState::Cancelled => ReceiptOutcome::Cancelled,
        Some(n) if n.amount_cents != r.amount_cents => ReceiptOutcome::AmountMismatch,
        Some(n) if notices::deadline(n).expired_on(paid_day) => ReceiptOutcome::Expired,
        Some(n) => {
            let claimed = payment_notice::Entity::update_many()
                .col_expr(
                    payment_notice::Column::Status,
                    Expr::value(NoticeState::Paid),
                )
                .col_expr(payment_notice::Column::PaidAt, Expr::value(r.paid_at))
                .col_expr(payment_notice::Column::ReceiptRowId, Expr::value(stored.id))
                .filter(payment_notice::Column::Id.eq(n.id))
                .filter(payment_notice::Column::Status.eq(NoticeState::Open))
                .exec(&txn)
                .await?;
            if claimed.rows_affected == 1 {
                apply(&txn, n, &stored).await?;
                ReceiptOutcome::Accepted
            } else {
                // Another transaction settled the notice after it was read here (paid
                // by another receipt, or cancelled): its state now says why.
                let now_state = payment_notice::Entity::find_in_ente(n.ente_id)
                    .filter(payment_notice::Column::Id.eq(n.id))
                    .one(&txn)
                    .await?
                    .map(|n| n.status);
                match now_state {
                    Some(NoticeState::Cancelled) => ReceiptOutcome::Cancelled,
                    _ => ReceiptOutcome::DuplicatePayment,
                }
            }
        }
    };
    receipt::Entity::update_many()
        .col_expr(receipt::Column::Outcome, Expr::value(outcome))
        .col_expr(
            receipt::Column::EnteId,
            Expr::value(notice.as_ref().map(|n| n.ente_id)),
        )
        .col_expr(
            receipt::Column::NoticeId,
            Expr::value(notice.as_ref().map(|n| n.id)),
        )
        .filter(receipt::Column::Id.eq(stored.id))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    if outcome != ReceiptOutcome::Accepted {
        tracing::warn!(
            receipt_id = %r.receipt_id,
            notice_number = %r.notice_number,
            ?outcome,
            "receipt refused"
        );
    }
    crate::operations::metrics::receipt_processed(outcome);
    Ok(outcome)
}

/// What a paid notice does: a recharge credits the account (and moves on the submission
/// sent by «Paga e invia» that waits for it), an emission is settled.
async fn apply(
    txn: &sea_orm::DatabaseTransaction,
    notice: &payment_notice::Model,
    stored: &receipt::Model,
) -> ApiResult<()> {
    match notice.purpose {
        NoticePurpose::Recharge => {
            let account = ledger::account(
                txn,
                notice.ente_id,
                notice.guardian_id,
                notice.service_id,
                stored.received_at,
            )
            .await?;
            ledger::append(
                txn,
                &account,
                NewMovement {
                    receipt_row_id: Some(stored.id),
                    ..NewMovement::new(
                        MovementKind::Recharge,
                        notice.amount_cents,
                        format!("Ricarica pagoPA, avviso {}", notice.notice_number),
                    )
                },
                stored.paid_at,
            )
            .await?;
            crate::forms::submissions::notice_paid(txn, notice, stored.received_at).await?;
        }
        NoticePurpose::Emission => {
            emission::Entity::update_many()
                .col_expr(emission::Column::Status, Expr::value(EmissionStatus::Paid))
                .filter(emission::Column::NoticeId.eq(notice.id))
                .exec(txn)
                .await?;
        }
    }
    Ok(())
}

/// The guardian's completed payments, newest first.
pub async fn list_for_guardian(
    db: &DatabaseConnection,
    principal: &Principal,
    paging: PageRequest,
) -> ApiResult<Page<ReceiptSummary>> {
    let paginator = payment_notice::Entity::find_in_ente(principal.ente_id)
        .filter(payment_notice::Column::GuardianId.eq(principal.user_id))
        .filter(payment_notice::Column::ReceiptRowId.is_not_null())
        .order_by_desc(payment_notice::Column::PaidAt)
        .order_by_desc(payment_notice::Column::Id)
        .paginate(db, paging.per_page);
    let notices = fetch_page(paginator, paging, |n| n).await?;
    let receipts: HashMap<i64, receipt::Model> = receipt::Entity::find()
        .filter(receipt::Column::Id.is_in(notices.items.iter().filter_map(|n| n.receipt_row_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.id, r))
        .collect();
    let items = notices
        .items
        .into_iter()
        .filter_map(|n| {
            let r = receipts.get(&n.receipt_row_id?)?;
            Some(ReceiptSummary {
                id: r.id,
                receipt_id: r.receipt_id.clone(),
                notice_number: n.notice_number.to_string(),
                description: n.description,
                amount: cents_to_decimal(r.amount_cents),
                paid_at: r.paid_at,
                method: PaymentMethod::from_code(&r.method).label().to_string(),
                pdf_url: paths::absolute(&paths::receipt_pdf(r.id)),
            })
        })
        .collect();
    Ok(Page {
        items,
        page: notices.page,
        per_page: notices.per_page,
        total: notices.total,
    })
}

/// The receipt (ricevuta) of one of the guardian's payments as PDF.
pub async fn pdf_for_guardian(
    db: &DatabaseConnection,
    principal: &Principal,
    receipt_row_id: i64,
) -> ApiResult<(String, Vec<u8>)> {
    let notice = payment_notice::Entity::find_in_ente(principal.ente_id)
        .filter(payment_notice::Column::GuardianId.eq(principal.user_id))
        .filter(payment_notice::Column::ReceiptRowId.eq(receipt_row_id))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)?;
    let r = receipt::Entity::find_by_id(receipt_row_id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)?;
    let local = sportello_model::rome::local(r.paid_at);
    let pdf = ReceiptDocument {
        payment: notices::document_payment(db, &notice, r.amount_cents).await?,
        paid_at: PrimitiveDateTime::new(local.date(), local.time()),
        method: PaymentMethod::from_code(&r.method),
        psp_name: r.psp.clone(),
        notice_number: notice.notice_number.clone(),
        receipt_id: r.receipt_id.clone(),
    }
    .render()
    .map_err(ApiError::internal)?;
    Ok((format!("ricevuta-{}.pdf", notice.notice_number), pdf))
}
