//! Emissions (rette): bills issued by the ente to a guardian, each with its pagoPA
//! notice, paid online or at a counter like any notice.

use std::collections::HashMap;

use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, SqlErr, TransactionTrait,
};
use sportello_model::auth::Role;
use sportello_model::entes::ServiceKind;
use sportello_model::money::cents_to_decimal;
use sportello_model::page::PageRequest;
use sportello_model::paths;
use sportello_model::payments::{
    emission_description, CheckedEmission, EmissionDetail, EmissionLine, EmissionStatus,
    EmissionSummary, NewEmission, NoticePurpose, NoticeState,
};
use sportello_model::rette::{check_due_date, EmissionCancellation};
use sportello_model::{rome, FieldError, FiscalCode, Page};
use sportello_pagopa::PaymentGateway;
use time::{Date, OffsetDateTime};

use super::entity::{emission, emission_line, payment_notice};
use super::notices::{self, NewNotice};
use crate::accounts::entity::user;
use crate::auth::Principal;
use crate::children::entity::child;
use crate::db::{fetch_page, EnteId, TenantScoped};
use crate::entes::entity::{ente, service};
use crate::entes::service::by_id as ente_by_id;
use crate::error::{ApiError, ApiResult};

/// The value `result` holds, or its error recorded on `field`.
fn parsed<T, E: std::fmt::Display>(
    errors: &mut Vec<FieldError>,
    field: &str,
    result: Result<T, E>,
) -> Option<T> {
    result
        .map_err(|e| errors.push(FieldError::new(field, e.to_string())))
        .ok()
}

/// The record `field` names, or `missing` recorded on `field`.
fn found<T>(
    errors: &mut Vec<FieldError>,
    field: &str,
    record: Option<T>,
    missing: &str,
) -> Option<T> {
    if record.is_none() {
        errors.push(FieldError::new(field, missing));
    }
    record
}

async fn validate(
    db: &DatabaseConnection,
    ente_id: EnteId,
    new: &NewEmission,
    today: Date,
) -> ApiResult<Retta> {
    let (checked, mut errors) = match new.check() {
        Ok(checked) => (Some(checked), Vec::new()),
        Err(errors) => (None, errors),
    };
    let guardian_code = parsed(
        &mut errors,
        "guardian_fiscal_code",
        FiscalCode::parse(&new.guardian_fiscal_code),
    );
    let guardian = match guardian_code {
        Some(code) => {
            let guardian = user::Entity::find_in_ente(ente_id)
                .filter(user::Column::FiscalCode.eq(code))
                .filter(user::Column::Role.eq(Role::Guardian))
                .one(db)
                .await?;
            found(
                &mut errors,
                "guardian_fiscal_code",
                guardian,
                "Nessun intestatario registrato con questo codice fiscale.",
            )
        }
        None => None,
    };
    let child_code = new
        .child_fiscal_code
        .as_deref()
        .and_then(|code| parsed(&mut errors, "child_fiscal_code", FiscalCode::parse(code)));
    let child = match child_code {
        Some(code) => {
            let child = child::Entity::find_in_ente(ente_id)
                .filter(child::Column::FiscalCode.eq(code))
                .filter(child::Column::GuardianId.eq(guardian.as_ref().map_or(0, |g| g.id)))
                .one(db)
                .await?;
            found(
                &mut errors,
                "child_fiscal_code",
                child,
                "Nessun figlio di questo intestatario ha questo codice fiscale.",
            )
        }
        None => None,
    };
    let service = service::Entity::find_in_ente(ente_id)
        .filter(service::Column::Id.eq(new.service_id))
        .one(db)
        .await?
        .filter(|s| s.kind == ServiceKind::Emissions);
    let service = found(
        &mut errors,
        "service_id",
        service,
        "Il servizio non esiste o non è gestito a emissione retta.",
    );
    if let Err(error) = check_due_date("due_date", new.due_date, today) {
        errors.push(error);
    }
    match (guardian, service, checked) {
        (Some(guardian), Some(service), Some(checked)) if errors.is_empty() => Ok(Retta {
            guardian,
            service,
            child,
            checked,
            due_date: new.due_date,
            batch: None,
        }),
        _ => Err(ApiError::Validation(errors)),
    }
}

/// Issues an emission. With an `external_ref` already used, returns that emission
/// instead (`false` in the tuple: nothing new was created).
pub async fn create(
    db: &DatabaseConnection,
    gateway: &dyn PaymentGateway,
    principal: &Principal,
    new: NewEmission,
    now: OffsetDateTime,
) -> ApiResult<(EmissionDetail, bool)> {
    let external_ref = new
        .external_ref
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty());
    if let Some(existing) = by_external_ref(db, principal.ente_id, external_ref).await? {
        return Ok((detail_of(db, existing).await?, false));
    }
    let retta = validate(db, principal.ente_id, &new, rome::today(now)).await?;
    let ente = ente_by_id(db, principal.ente_id).await?;
    match issue(db, gateway, &ente, retta, now).await? {
        Some(created) => Ok((detail_of(db, created).await?, true)),
        // Two requests with the same external_ref at once: the unique key let only one
        // in; the other answers with the winner's emission.
        None => match by_external_ref(db, principal.ente_id, external_ref).await? {
            Some(existing) => Ok((detail_of(db, existing).await?, false)),
            None => Err(ApiError::internal("emission refused by a unique key")),
        },
    }
}

/// A retta to issue, every part of it checked.
pub struct Retta {
    pub guardian: user::Model,
    pub service: service::Model,
    pub child: Option<child::Model>,
    pub checked: CheckedEmission,
    pub due_date: Date,
    /// A batch's retta: its enrolment and month (`2026-12`).
    pub batch: Option<(i64, String)>,
}

/// Issues a retta: its notice, the emission and its lines are stored in one transaction
/// that commits only once pagoPA has registered the notice, so a refused request leaves
/// nothing behind. `None`: a unique key (the `external_ref`, or the batch's enrolment
/// and month) already holds a retta, made meanwhile; nothing was stored.
pub async fn issue(
    db: &DatabaseConnection,
    gateway: &dyn PaymentGateway,
    ente: &ente::Model,
    retta: Retta,
    now: OffsetDateTime,
) -> ApiResult<Option<emission::Model>> {
    let Retta {
        guardian,
        service,
        child,
        checked,
        due_date,
        batch,
    } = retta;
    let child_name = child
        .as_ref()
        .map(|c| format!("{} {}", c.first_name, c.last_name));
    let (enrolment_id, batch_month) = batch.unzip();
    let txn = db.begin().await?;
    let notice = notices::create(
        &txn,
        ente,
        NewNotice {
            guardian_id: guardian.id,
            service_id: service.id,
            purpose: NoticePurpose::Emission,
            amount_cents: checked.total_cents,
            description: emission_description(&checked.title, &service.name, child_name.as_deref()),
            due_date: Some(due_date),
            expires_on: None,
            online_only: false,
        },
        now,
    )
    .await?;
    let inserted = emission::ActiveModel {
        ente_id: Set(ente.ente_id()),
        guardian_id: Set(guardian.id),
        service_id: Set(service.id),
        child_id: Set(child.as_ref().map(|c| c.id)),
        notice_id: Set(notice.id),
        title: Set(checked.title),
        due_date: Set(due_date),
        amount_cents: Set(checked.total_cents),
        status: Set(EmissionStatus::ToPay),
        external_ref: Set(checked.external_ref),
        created_at: Set(now),
        enrolment_id: Set(enrolment_id),
        batch_month: Set(batch_month),
        cancel_reason: Set(None),
        cancelled_at: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await;
    let created = match inserted {
        Ok(created) => created,
        Err(err) if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            txn.rollback().await?;
            return Ok(None);
        }
        Err(err) => return Err(err.into()),
    };
    emission_line::Entity::insert_many(checked.lines.into_iter().enumerate().map(
        |(position, (description, amount_cents))| emission_line::ActiveModel {
            emission_id: Set(created.id),
            position: Set(position as i32),
            description: Set(description),
            amount_cents: Set(amount_cents),
            ..Default::default()
        },
    ))
    .exec_without_returning(&txn)
    .await?;
    notices::register_and_commit(txn, gateway, ente, &notice, &guardian).await?;
    Ok(Some(created))
}

/// Cancels an unpaid retta of the comune with the reason the family reads: its notice is
/// withdrawn from pagoPA and cancelled first (a payment arriving meanwhile wins: 409),
/// then the retta. Cancelling it again answers it as it is. Paid: 409. Another comune's:
/// 404.
pub async fn cancel(
    db: &DatabaseConnection,
    gateway: &dyn PaymentGateway,
    ente_id: EnteId,
    id: i64,
    cancellation: &EmissionCancellation,
    now: OffsetDateTime,
) -> ApiResult<EmissionDetail> {
    let e = find(db, ente_id, id).await?;
    let reason = cancellation
        .check()
        .map_err(|e| ApiError::Validation(vec![e]))?;
    match e.status {
        EmissionStatus::Cancelled => return detail_of(db, e).await,
        EmissionStatus::Paid => return Err(already_paid()),
        EmissionStatus::ToPay => {}
    }
    let ente = ente_by_id(db, ente_id).await?;
    let notice = payment_notice::Entity::find_in_ente(ente_id)
        .filter(payment_notice::Column::Id.eq(e.notice_id))
        .one(db)
        .await?
        .ok_or_else(|| ApiError::internal("emission without notice"))?;
    if notice.status != NoticeState::Cancelled {
        notices::cancel(db, gateway, &ente, &notice).await?;
    }
    emission::Entity::update_many()
        .col_expr(
            emission::Column::Status,
            Expr::value(EmissionStatus::Cancelled),
        )
        .col_expr(emission::Column::CancelReason, Expr::value(reason))
        .col_expr(emission::Column::CancelledAt, Expr::value(now))
        .filter(emission::Column::EnteId.eq(ente_id))
        .filter(emission::Column::Id.eq(e.id))
        .filter(emission::Column::Status.eq(EmissionStatus::ToPay))
        .exec(db)
        .await?;
    let stored = emission::Entity::find_in_ente(ente_id)
        .filter(emission::Column::Id.eq(e.id))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)?;
    match stored.status {
        EmissionStatus::Paid => Err(already_paid()),
        EmissionStatus::Cancelled | EmissionStatus::ToPay => detail_of(db, stored).await,
    }
}

async fn find(db: &DatabaseConnection, ente_id: EnteId, id: i64) -> ApiResult<emission::Model> {
    emission::Entity::find_in_ente(ente_id)
        .filter(emission::Column::Id.eq(id))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)
}

/// A retta of the comune as it is, with its family (the guardian's user id), for the
/// office (404 for another comune's).
pub async fn of_office(
    db: &DatabaseConnection,
    ente_id: EnteId,
    id: i64,
) -> ApiResult<(i64, EmissionDetail)> {
    let e = find(db, ente_id, id).await?;
    Ok((e.guardian_id, detail_of(db, e).await?))
}

fn already_paid() -> ApiError {
    ApiError::Conflict("Questa retta risulta già pagata: non può essere annullata.".into())
}

async fn by_external_ref(
    db: &DatabaseConnection,
    ente_id: EnteId,
    external_ref: Option<&str>,
) -> ApiResult<Option<emission::Model>> {
    let Some(external_ref) = external_ref else {
        return Ok(None);
    };
    Ok(emission::Entity::find_in_ente(ente_id)
        .filter(emission::Column::ExternalRef.eq(external_ref))
        .one(db)
        .await?)
}

fn summary(
    e: &emission::Model,
    notice: &payment_notice::Model,
    service_name: String,
) -> EmissionSummary {
    EmissionSummary {
        id: e.id,
        service_id: e.service_id,
        service_name,
        title: e.title.clone(),
        due_date: e.due_date,
        document_number: notice.notice_number.to_string(),
        amount: cents_to_decimal(e.amount_cents),
        status: e.status,
        notice_id: notice.id,
        cancel_reason: e.cancel_reason.clone(),
    }
}

async fn detail_of(db: &DatabaseConnection, e: emission::Model) -> ApiResult<EmissionDetail> {
    let notice = payment_notice::Entity::find_by_id(e.notice_id)
        .one(db)
        .await?
        .ok_or_else(|| ApiError::internal("emission without notice"))?;
    let service_name = service::Entity::find_by_id(e.service_id)
        .one(db)
        .await?
        .map(|s| s.name)
        .unwrap_or_default();
    let lines = emission_line::Entity::find()
        .filter(emission_line::Column::EmissionId.eq(e.id))
        .order_by_asc(emission_line::Column::Position)
        .all(db)
        .await?
        .into_iter()
        .map(|l| EmissionLine {
            description: l.description,
            amount: cents_to_decimal(l.amount_cents),
        })
        .collect();
    Ok(EmissionDetail {
        summary: summary(&e, &notice, service_name),
        iuv: notice.iuv.clone(),
        lines,
        document_url: paths::absolute(&paths::notice_pdf(notice.id)),
        receipt_url: notice
            .receipt_row_id
            .map(|id| paths::absolute(&paths::receipt_pdf(id))),
    })
}

/// The guardian's emissions, latest due date first.
pub async fn list_for_guardian(
    db: &DatabaseConnection,
    principal: &Principal,
    paging: PageRequest,
) -> ApiResult<Page<EmissionSummary>> {
    list_of_family(db, principal.ente_id, principal.user_id, paging).await
}

/// A family's emissions, latest due date first: the guardian's own list and the
/// office's family page.
pub async fn list_of_family(
    db: &DatabaseConnection,
    ente_id: EnteId,
    guardian_id: i64,
    paging: PageRequest,
) -> ApiResult<Page<EmissionSummary>> {
    let paginator = emission::Entity::find_in_ente(ente_id)
        .filter(emission::Column::GuardianId.eq(guardian_id))
        .order_by_desc(emission::Column::DueDate)
        .order_by_desc(emission::Column::Id)
        .paginate(db, paging.per_page);
    let rows = fetch_page(paginator, paging, |e| e).await?;
    let notices: HashMap<i64, payment_notice::Model> =
        payment_notice::Entity::find_in_ente(ente_id)
            .filter(payment_notice::Column::Id.is_in(rows.items.iter().map(|e| e.notice_id)))
            .all(db)
            .await?
            .into_iter()
            .map(|n| (n.id, n))
            .collect();
    let services: HashMap<i64, String> = service::Entity::find_in_ente(ente_id)
        .all(db)
        .await?
        .into_iter()
        .map(|s| (s.id, s.name))
        .collect();
    let items = rows
        .items
        .iter()
        .filter_map(|e| {
            let notice = notices.get(&e.notice_id)?;
            Some(summary(
                e,
                notice,
                services.get(&e.service_id).cloned().unwrap_or_default(),
            ))
        })
        .collect();
    Ok(Page {
        items,
        page: rows.page,
        per_page: rows.per_page,
        total: rows.total,
    })
}

/// One emission of the guardian, or 404.
pub async fn detail_for_guardian(
    db: &DatabaseConnection,
    principal: &Principal,
    id: i64,
) -> ApiResult<EmissionDetail> {
    let e = emission::Entity::find_in_ente(principal.ente_id)
        .filter(emission::Column::GuardianId.eq(principal.user_id))
        .filter(emission::Column::Id.eq(id))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)?;
    detail_of(db, e).await
}
