//! Payment notices: numbering per ente, creation for recharges, listing, status,
//! cancellation.

use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    DatabaseTransaction, EntityTrait, QueryFilter, TransactionTrait,
};
use sportello_model::money::cents_to_decimal;
use sportello_model::paths;
use sportello_model::payments::{
    recharge_notice_expiry, Notice, NoticeDeadline, NoticePurpose, NoticeState, NoticeStatus,
};
use sportello_notify::io::PaymentData;
use sportello_pagopa::{
    DebtPosition, Error as PagopaError, NoticeConfig, NoticeNumber, Payer, Payment, PaymentGateway,
};
use time::{Date, OffsetDateTime};

use super::carts;
use super::entity::{notice_counter, payment_notice};
use crate::accounts::entity::user;
use crate::db::{upsert, EnteId, TenantScoped};
use crate::entes::entity::{ente, service};
use crate::entes::service::by_id as ente_by_id;
use crate::error::{ApiError, ApiResult};

/// The ente's numbering configuration (aux digit with application or segregation code).
pub fn notice_config(ente: &ente::Model) -> ApiResult<NoticeConfig> {
    let code = if ente.pagopa_aux_digit == 0 {
        ente.pagopa_application_code.as_deref()
    } else {
        ente.pagopa_segregation_code.as_deref()
    };
    let code: u8 = code
        .and_then(|c| c.trim().parse().ok())
        .ok_or_else(|| ApiError::internal(format!("ente {} has no pagoPA code", ente.slug)))?;
    let aux = u8::try_from(ente.pagopa_aux_digit).map_err(ApiError::internal)?;
    NoticeConfig::new(aux, code).map_err(ApiError::internal)
}

/// The next notice number of the ente, from its counter (a write first, so concurrent
/// transactions queue on it and never share a number).
pub async fn next_notice_number<C: ConnectionTrait>(
    txn: &C,
    ente: &ente::Model,
) -> ApiResult<NoticeNumber> {
    upsert(
        txn,
        [notice_counter::ActiveModel {
            ente_id: Set(ente.ente_id().get()),
            next_value: Set(0),
        }],
        [notice_counter::Column::EnteId],
        [],
    )
    .await?;
    notice_counter::Entity::update_many()
        .col_expr(
            notice_counter::Column::NextValue,
            Expr::col(notice_counter::Column::NextValue).add(1),
        )
        .filter(notice_counter::Column::EnteId.eq(ente.ente_id()))
        .exec(txn)
        .await?;
    let value = notice_counter::Entity::find_in_ente(ente.ente_id())
        .one(txn)
        .await?
        .ok_or_else(|| ApiError::internal("notice counter vanished"))?
        .next_value;
    NoticeNumber::generate(notice_config(ente)?, value as u64).map_err(ApiError::internal)
}

/// What a new notice is for.
pub struct NewNotice {
    pub guardian_id: i64,
    pub service_id: i64,
    pub purpose: NoticePurpose,
    pub amount_cents: i64,
    pub description: String,
    pub due_date: Option<Date>,
    pub expires_on: Option<Date>,
    /// Made only for one online payment attempt, not for the family to keep.
    pub online_only: bool,
}

impl NewNotice {
    /// A recharge of `cents` into the guardian's account of the prepaid service `s`,
    /// payable until the recharge notice's expiry counted from `today`.
    pub fn recharge(
        s: &service::Model,
        guardian: &user::Model,
        cents: i64,
        online_only: bool,
        today: Date,
    ) -> NewNotice {
        NewNotice {
            guardian_id: guardian.id,
            service_id: s.id,
            purpose: NoticePurpose::Recharge,
            amount_cents: cents,
            description: format!("Ricarica {} - {}", s.name, guardian.full_name()),
            due_date: None,
            expires_on: Some(recharge_notice_expiry(today)),
            online_only,
        }
    }
}

pub async fn create<C: ConnectionTrait>(
    txn: &C,
    ente: &ente::Model,
    new: NewNotice,
    now: OffsetDateTime,
) -> ApiResult<payment_notice::Model> {
    let number = next_notice_number(txn, ente).await?;
    Ok(payment_notice::ActiveModel {
        ente_id: Set(ente.ente_id()),
        guardian_id: Set(new.guardian_id),
        service_id: Set(new.service_id),
        purpose: Set(new.purpose),
        iuv: Set(number.iuv().as_str().into()),
        notice_number: Set(number),
        amount_cents: Set(new.amount_cents),
        description: Set(new.description),
        due_date: Set(new.due_date),
        expires_on: Set(new.expires_on),
        status: Set(NoticeState::Open),
        created_at: Set(now),
        paid_at: Set(None),
        receipt_row_id: Set(None),
        online_only: Set(new.online_only),
        ..Default::default()
    }
    .insert(txn)
    .await?)
}

/// App IO's `payment_data` of a letter asking to pay `notice`: the family pays it from
/// the app.
pub fn payment_data(ente: &ente::Model, notice: &payment_notice::Model) -> serde_json::Value {
    PaymentData {
        amount_cents: notice.amount_cents,
        notice_number: notice.notice_number.clone(),
        invalid_after_due_date: deadline(notice).expires(),
        payee: ente.fiscal_code.clone(),
    }
    .to_json()
}

/// The notice's one date, as the portal shows it, the PDF prints it and pagoPA knows it.
pub fn deadline(notice: &payment_notice::Model) -> NoticeDeadline {
    NoticeDeadline::of(notice.due_date, notice.expires_on)
}

pub fn status(notice: &payment_notice::Model, today: Date) -> NoticeStatus {
    notice.status.seen_on(deadline(notice), today)
}

pub fn dto(notice: payment_notice::Model, today: Date) -> Notice {
    Notice {
        status: status(&notice, today),
        pdf_url: paths::absolute(&paths::notice_pdf(notice.id)),
        id: notice.id,
        service_id: notice.service_id,
        notice_number: notice.notice_number.to_string(),
        iuv: notice.iuv,
        amount: cents_to_decimal(notice.amount_cents),
        description: notice.description,
        due_date: notice.due_date,
        expires_on: notice.expires_on,
        created_at: notice.created_at,
    }
}

/// What the notice's documents show of it: its ente, the guardian it is addressed to, its
/// object, and `amount_cents` (to pay, or paid).
pub async fn document_payment(
    db: &DatabaseConnection,
    notice: &payment_notice::Model,
    amount_cents: i64,
) -> ApiResult<Payment> {
    let ente = ente_by_id(db, notice.ente_id).await?;
    let guardian = guardian(db, notice).await?;
    Ok(Payment {
        ente_name: ente.name,
        ente_fiscal_code: ente.fiscal_code,
        payer_name: guardian.full_name(),
        payer_fiscal_code: guardian.fiscal_code.into(),
        object: notice.description.clone(),
        amount_cents,
    })
}

/// The guardian a notice is addressed to.
pub async fn guardian(
    db: &DatabaseConnection,
    notice: &payment_notice::Model,
) -> ApiResult<user::Model> {
    user::Entity::find_by_id(notice.guardian_id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)
}

/// The notice as pagoPA knows it: its debt position.
pub fn debt_position(
    ente: &ente::Model,
    notice: &payment_notice::Model,
    payer: &user::Model,
) -> DebtPosition {
    DebtPosition {
        ente_fiscal_code: ente.fiscal_code.clone(),
        ente_name: ente.name.clone(),
        notice_number: notice.notice_number.clone(),
        amount_cents: notice.amount_cents,
        description: notice.description.clone(),
        deadline: deadline(notice),
        payer: Payer {
            full_name: payer.full_name(),
            fiscal_code: payer.fiscal_code.to_string(),
        },
        iban: ente.pagopa_iban.clone().unwrap_or_default(),
        taxonomy: ente.pagopa_taxonomy.clone().unwrap_or_default(),
    }
}

/// A notice of the guardian, or 404.
pub async fn find_for_guardian(
    db: &DatabaseConnection,
    ente_id: EnteId,
    guardian_id: i64,
    id: i64,
) -> ApiResult<payment_notice::Model> {
    payment_notice::Entity::find_in_ente(ente_id)
        .filter(payment_notice::Column::GuardianId.eq(guardian_id))
        .filter(payment_notice::Column::Id.eq(id))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)
}

/// Registers a new notice with pagoPA as a debt position and commits `txn`, which
/// stored it (and whatever it is for). pagoPA is asked last, before the commit: if it
/// refuses, the transaction is rolled back and nothing is left; if the commit then
/// fails, the position is withdrawn. (The cost: the ente's notice counter stays locked
/// while pagoPA answers.)
pub async fn register_and_commit(
    txn: DatabaseTransaction,
    gateway: &dyn PaymentGateway,
    ente: &ente::Model,
    notice: &payment_notice::Model,
    payer: &user::Model,
) -> ApiResult<()> {
    let position = debt_position(ente, notice, payer);
    if let Err(err) = gateway.create_debt_position(&position).await {
        tracing::warn!(notice = %notice.notice_number, %err, "pagoPA refused the debt position");
        txn.rollback().await?;
        return Err(ApiError::Conflict(format!(
            "Non è stato possibile registrare l'avviso su pagoPA ({err}). Riprova più tardi."
        )));
    }
    if let Err(err) = txn.commit().await {
        if let Err(withdrawn) = gateway
            .cancel_debt_position(&ente.fiscal_code, &notice.notice_number)
            .await
        {
            tracing::error!(notice = %notice.notice_number, %withdrawn, "a debt position of a notice not stored could not be withdrawn");
        }
        return Err(err.into());
    }
    Ok(())
}

/// Answer when no pagoPA connection is configured.
pub fn pagopa_unavailable() -> ApiError {
    ApiError::Conflict(
        "I pagamenti pagoPA non sono ancora attivi per questo Comune: rivolgiti all'ufficio scuola."
            .into(),
    )
}

/// Why a notice cannot be printed to pay at a counter, if it cannot: one made for an
/// online attempt, or one no longer payable. A paid notice stays printable as a record.
pub fn printable(notice: &payment_notice::Model, today: Date) -> ApiResult<()> {
    if notice.online_only {
        return Err(ApiError::Conflict(
            "Questo avviso è stato creato per un pagamento online e non si paga allo sportello: per pagare più tardi crea un nuovo avviso di pagamento.".into(),
        ));
    }
    match status(notice, today) {
        NoticeStatus::Cancelled => Err(ApiError::Conflict(
            "Questo avviso è stato annullato e non può più essere pagato.".into(),
        )),
        NoticeStatus::Expired => Err(ApiError::Conflict(
            "Questo avviso è scaduto e non può più essere pagato.".into(),
        )),
        NoticeStatus::Open | NoticeStatus::Paid => Ok(()),
    }
}

/// Withdraws an open notice. pagoPA first, so that no counter or Checkout can take money
/// for it afterwards; then the notice (only if still open). A receipt arriving meanwhile takes the same status guard: the notice ends
/// paid (and this answers 409) or cancelled (and the receipt is refused), never both.
pub async fn cancel(
    db: &DatabaseConnection,
    gateway: &dyn PaymentGateway,
    ente: &ente::Model,
    notice: &payment_notice::Model,
) -> ApiResult<payment_notice::Model> {
    match gateway
        .cancel_debt_position(&ente.fiscal_code, &notice.notice_number)
        .await
    {
        Ok(()) | Err(PagopaError::PositionNotFound) => {}
        Err(err) => {
            tracing::warn!(notice = %notice.notice_number, %err, "pagoPA did not withdraw the debt position");
            return Err(ApiError::Conflict(format!(
                "Non è stato possibile annullare l'avviso su pagoPA ({err}). Se lo hai appena pagato, la ricevuta arriverà a breve; altrimenti riprova più tardi."
            )));
        }
    }
    let txn = db.begin().await?;
    payment_notice::Entity::update_many()
        .col_expr(
            payment_notice::Column::Status,
            Expr::value(NoticeState::Cancelled),
        )
        .filter(payment_notice::Column::Id.eq(notice.id))
        .filter(payment_notice::Column::Status.eq(NoticeState::Open))
        .exec(&txn)
        .await?;
    let now = payment_notice::Entity::find_by_id(notice.id)
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound)?;
    txn.commit().await?;
    match now.status {
        NoticeState::Cancelled => Ok(now),
        NoticeState::Open | NoticeState::Paid => Err(ApiError::Conflict(
            "Questo avviso risulta già pagato: non può essere annullato.".into(),
        )),
    }
}

/// Cancels the notices made for an online attempt that ended without payment: no cart
/// of theirs is still being paid at Checkout. Only `notice_id` when given. Returns how
/// many were cancelled.
pub async fn cancel_abandoned(
    db: &DatabaseConnection,
    gateway: &dyn PaymentGateway,
    now: OffsetDateTime,
    notice_id: Option<i64>,
) -> ApiResult<usize> {
    let live = carts::being_paid(now);
    let mut abandoned = payment_notice::Entity::find()
        .filter(payment_notice::Column::OnlineOnly.eq(true))
        .filter(payment_notice::Column::Status.eq(NoticeState::Open))
        .filter(payment_notice::Column::Id.not_in_subquery(live));
    if let Some(id) = notice_id {
        abandoned = abandoned.filter(payment_notice::Column::Id.eq(id));
    }
    let mut cancelled = 0;
    for notice in abandoned.all(db).await? {
        let ente = ente_by_id(db, notice.ente_id).await?;
        match cancel(db, gateway, &ente, &notice).await {
            Ok(_) => cancelled += 1,
            // Paid meanwhile, or pagoPA unreachable: the next run looks again.
            Err(ApiError::Conflict(reason)) => {
                tracing::info!(notice = notice.id, %reason, "abandoned notice not cancelled")
            }
            Err(err) => return Err(err),
        }
    }
    Ok(cancelled)
}
