//! Receipts: the one path through which every payment reaches the ente, whether it comes
//! from pagoPA (GPD callback), the simulator's checkout or the simulated counter.
//! Idempotent: the same receipt delivered twice counts once.

use sea_orm::sea_query::{Expr, OnConflict};
use std::collections::HashMap;

use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, TransactionTrait,
};
use sportello_model::money::cents_to_decimal;
use sportello_model::payments::{MovementKind, ReceiptSummary};
use sportello_model::Page;
use sportello_pagopa::{EnteFiscalCode, NoticeNumber, PaymentMethod, Receipt, ReceiptDocument};
use time::{OffsetDateTime, PrimitiveDateTime};

use super::entity::{emission, payment_notice, receipt};
use super::ledger::{self, NewMovement};
use super::notices;
use super::service::require_guardian;
use crate::accounts::entity::user;
use crate::auth::Principal;
use crate::db::{fetch_page, TenantScoped};
use crate::entes::entity::ente;
use crate::entes::service::by_id as ente_by_id;
use crate::error::{ApiError, ApiResult};

/// What was done with a receipt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReceiptOutcome {
    /// The notice is now paid (and a recharge credited).
    Accepted,
    /// This very receipt was processed before: nothing changed.
    AlreadyProcessed,
    /// Another payment of a notice already paid: refused, to be refunded.
    DuplicatePayment,
    /// The amount paid differs from the notice: refused.
    AmountMismatch,
    /// The notice had expired: refused.
    Expired,
    /// The notice was cancelled: refused.
    Cancelled,
    /// No such notice at that ente.
    UnknownNotice,
}

impl ReceiptOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            ReceiptOutcome::Accepted => "accepted",
            ReceiptOutcome::AlreadyProcessed => "already_processed",
            ReceiptOutcome::DuplicatePayment => "duplicate_payment",
            ReceiptOutcome::AmountMismatch => "amount_mismatch",
            ReceiptOutcome::Expired => "expired",
            ReceiptOutcome::Cancelled => "cancelled",
            ReceiptOutcome::UnknownNotice => "unknown_notice",
        }
    }

    /// Italian explanation of a refusal.
    pub fn refusal(self) -> Option<&'static str> {
        match self {
            ReceiptOutcome::Accepted | ReceiptOutcome::AlreadyProcessed => None,
            ReceiptOutcome::DuplicatePayment => Some("Questo avviso risulta già pagato."),
            ReceiptOutcome::AmountMismatch => {
                Some("L'importo pagato non corrisponde a quello dell'avviso.")
            }
            ReceiptOutcome::Expired => Some("L'avviso è scaduto e non può più essere pagato."),
            ReceiptOutcome::Cancelled => Some("L'avviso è stato annullato."),
            ReceiptOutcome::UnknownNotice => Some("Avviso di pagamento non trovato."),
        }
    }
}

/// Stores the receipt and applies it, all in one transaction.
pub async fn process(db: &DatabaseConnection, r: &Receipt) -> ApiResult<ReceiptOutcome> {
    let txn = db.begin().await?;
    let now = OffsetDateTime::now_utc();
    // The insert comes first: it takes the write lock, and its unique receipt id makes a
    // second delivery of the same receipt a no-op even across server replicas.
    let inserted = receipt::Entity::insert(receipt::ActiveModel {
        ente_id: Set(None),
        receipt_id: Set(r.receipt_id.clone()),
        notice_number: Set(r.notice_number.as_str().into()),
        ente_fiscal_code: Set(r.ente_fiscal_code.as_str().into()),
        amount_cents: Set(r.amount_cents),
        paid_at: Set(r.paid_at),
        method: Set(r.method.code().into()),
        psp: Set(r.psp_name.clone()),
        payer_fiscal_code: Set(r.payer.as_ref().map(|p| p.fiscal_code.clone())),
        outcome: Set("processing".into()),
        notice_id: Set(None),
        received_at: Set(now),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::column(receipt::Column::ReceiptId)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(&txn)
    .await?;
    if inserted == 0 {
        txn.rollback().await?;
        return Ok(ReceiptOutcome::AlreadyProcessed);
    }
    let stored = receipt::Entity::find()
        .filter(receipt::Column::ReceiptId.eq(&r.receipt_id))
        .one(&txn)
        .await?
        .ok_or_else(|| ApiError::internal("receipt vanished"))?;

    let notice = match ente::Entity::find()
        .filter(ente::Column::FiscalCode.eq(r.ente_fiscal_code.as_str()))
        .all(&txn)
        .await?
        .into_iter()
        .map(|e| e.id)
        .collect::<Vec<_>>()
    {
        ids if ids.is_empty() => None,
        ids => {
            payment_notice::Entity::find()
                .filter(payment_notice::Column::EnteId.is_in(ids))
                .filter(payment_notice::Column::NoticeNumber.eq(r.notice_number.as_str()))
                .one(&txn)
                .await?
        }
    };
    let paid_day = sportello_model::rome::today(r.paid_at);
    let outcome = match &notice {
        None => ReceiptOutcome::UnknownNotice,
        Some(n) if n.status == "paid" => ReceiptOutcome::DuplicatePayment,
        Some(n) if n.status == "cancelled" => ReceiptOutcome::Cancelled,
        Some(n) if n.amount_cents != r.amount_cents => ReceiptOutcome::AmountMismatch,
        Some(n) if notices::deadline(n).expired_on(paid_day) => ReceiptOutcome::Expired,
        Some(n) => {
            let claimed = payment_notice::Entity::update_many()
                .col_expr(payment_notice::Column::Status, Expr::value("paid"))
                .col_expr(payment_notice::Column::PaidAt, Expr::value(r.paid_at))
                .col_expr(payment_notice::Column::ReceiptRowId, Expr::value(stored.id))
                .filter(payment_notice::Column::Id.eq(n.id))
                .filter(payment_notice::Column::Status.eq("open"))
                .exec(&txn)
                .await?;
            if claimed.rows_affected == 1 {
                apply(&txn, n, &stored).await?;
                ReceiptOutcome::Accepted
            } else {
                // Paid or cancelled since it was read: say which.
                let current = payment_notice::Entity::find_by_id(n.id).one(&txn).await?;
                match current {
                    Some(n) if n.status == "cancelled" => ReceiptOutcome::Cancelled,
                    _ => ReceiptOutcome::DuplicatePayment,
                }
            }
        }
    };
    receipt::Entity::update_many()
        .col_expr(receipt::Column::Outcome, Expr::value(outcome.as_str()))
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
            notice_number = %r.notice_number.as_str(),
            amount_cents = r.amount_cents,
            outcome = outcome.as_str(),
            "receipt refused"
        );
    }
    Ok(outcome)
}

/// What a paid notice does: a recharge credits the account, an emission is settled.
async fn apply(
    txn: &sea_orm::DatabaseTransaction,
    notice: &payment_notice::Model,
    stored: &receipt::Model,
) -> ApiResult<()> {
    match notice.purpose.as_str() {
        "recharge" => {
            let account =
                ledger::account(txn, notice.ente_id, notice.guardian_id, notice.service_id).await?;
            ledger::append(
                txn,
                &account,
                NewMovement {
                    kind: MovementKind::Recharge,
                    amount_cents: notice.amount_cents,
                    description: format!("Ricarica pagoPA, avviso {}", notice.notice_number),
                    child_id: None,
                    service_day: None,
                    receipt_row_id: Some(stored.id),
                    meal_key: None,
                    request_key: None,
                    created_by: None,
                },
                stored.paid_at,
            )
            .await?;
        }
        _ => {
            emission::Entity::update_many()
                .col_expr(emission::Column::Status, Expr::value("paid"))
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
    page: u64,
    per_page: u64,
) -> ApiResult<Page<ReceiptSummary>> {
    require_guardian(principal)?;
    let paginator = payment_notice::Entity::find_in_ente(principal.ente_id)
        .filter(payment_notice::Column::GuardianId.eq(principal.user_id))
        .filter(payment_notice::Column::ReceiptRowId.is_not_null())
        .order_by_desc(payment_notice::Column::PaidAt)
        .order_by_desc(payment_notice::Column::Id)
        .paginate(db, per_page);
    let notices = fetch_page(paginator, page, per_page, |n| n).await?;
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
                notice_number: n.notice_number,
                description: n.description,
                amount: cents_to_decimal(r.amount_cents),
                paid_at: r.paid_at,
                method: PaymentMethod::from_code(&r.method).label().to_string(),
                pdf_url: format!("/api/v1/payments/receipts/{}/pdf", r.id),
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
    require_guardian(principal)?;
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
    let ente = ente_by_id(db, principal.ente_id).await?;
    let guardian = user::Entity::find_by_id(notice.guardian_id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)?;
    let local = sportello_model::rome::local(r.paid_at);
    let pdf = ReceiptDocument {
        ente_name: ente.name,
        ente_fiscal_code: EnteFiscalCode::parse(&ente.fiscal_code).map_err(ApiError::internal)?,
        payer_name: guardian.full_name(),
        payer_fiscal_code: guardian.fiscal_code,
        object: notice.description,
        amount_cents: r.amount_cents,
        paid_at: PrimitiveDateTime::new(local.date(), local.time()),
        method: PaymentMethod::from_code(&r.method),
        psp_name: r.psp.clone(),
        notice_number: NoticeNumber::parse(&notice.notice_number).map_err(ApiError::internal)?,
        receipt_id: r.receipt_id.clone(),
    }
    .render()
    .map_err(ApiError::internal)?;
    Ok((format!("ricevuta-{}.pdf", notice.notice_number), pdf))
}
