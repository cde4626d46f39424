//! Emissions (rette): bills issued by the ente to a guardian, each with its pagoPA
//! notice, paid online or at a counter like any notice.

use std::collections::HashMap;

use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, TransactionTrait,
};
use sportello_model::auth::Role;
use sportello_model::entes::ServiceKind;
use sportello_model::money::{cents_to_decimal, decimal_to_cents};
use sportello_model::payments::{
    parse_amount, EmissionDetail, EmissionLine, EmissionStatus, EmissionSummary, NewEmission,
};
use sportello_model::{rome, FieldError, FiscalCode, Page};
use sportello_pagopa::PaymentGateway;
use time::OffsetDateTime;

use super::entity::{emission, emission_line, payment_notice};
use super::notices::{self, NewNotice};
use super::service::require_guardian;
use crate::accounts::entity::user;
use crate::auth::Principal;
use crate::db::{fetch_page, TenantScoped};
use crate::entes::entity::service;
use crate::entes::service::{by_id as ente_by_id, service_kind};
use crate::error::{ApiError, ApiResult};

/// pagoPA allows 140 characters of description: the title plus the payer's name.
const MAX_TITLE: usize = 100;

struct ValidEmission {
    guardian: user::Model,
    service: service::Model,
    title: String,
    lines: Vec<(String, i64)>,
}

async fn validate(
    db: &DatabaseConnection,
    ente_id: i64,
    new: &NewEmission,
) -> ApiResult<ValidEmission> {
    let mut errors = Vec::new();
    let guardian = match FiscalCode::parse(&new.guardian_fiscal_code) {
        Err(e) => {
            errors.push(FieldError::new("guardian_fiscal_code", e.to_string()));
            None
        }
        Ok(code) => {
            let found = user::Entity::find_in_ente(ente_id)
                .filter(user::Column::FiscalCode.eq(code.as_str()))
                .filter(user::Column::Role.eq(Role::Guardian.as_str()))
                .one(db)
                .await?;
            if found.is_none() {
                errors.push(FieldError::new(
                    "guardian_fiscal_code",
                    "Nessun intestatario registrato con questo codice fiscale.",
                ));
            }
            found
        }
    };
    let service = service::Entity::find_in_ente(ente_id)
        .filter(service::Column::Id.eq(new.service_id))
        .one(db)
        .await?
        .filter(|s| service_kind(&s.kind) == ServiceKind::Emissions);
    if service.is_none() {
        errors.push(FieldError::new(
            "service_id",
            "Il servizio non esiste o non è gestito a emissione retta.",
        ));
    }
    let title = new.title.trim().to_string();
    if title.is_empty() {
        errors.push(FieldError::new("title", "Il titolo è obbligatorio."));
    } else if title.chars().count() > MAX_TITLE {
        errors.push(FieldError::new(
            "title",
            "Il titolo può contenere al massimo 100 caratteri.",
        ));
    }
    if new.due_date < rome::today(OffsetDateTime::now_utc()) {
        errors.push(FieldError::new(
            "due_date",
            "La scadenza non può essere una data passata.",
        ));
    }
    if new.lines.is_empty() {
        errors.push(FieldError::new(
            "lines",
            "Indica almeno una voce di dettaglio.",
        ));
    }
    let mut lines = Vec::new();
    for (i, line) in new.lines.iter().enumerate() {
        let description = line.description.trim();
        if description.is_empty() {
            errors.push(FieldError::new(
                format!("lines[{i}].description"),
                "La descrizione della voce è obbligatoria.",
            ));
        }
        match parse_amount(&line.amount).map(decimal_to_cents) {
            Ok(Some(cents)) if cents > 0 => lines.push((description.to_string(), cents)),
            Ok(Some(_)) => errors.push(FieldError::new(
                format!("lines[{i}].amount"),
                "L'importo deve essere maggiore di zero.",
            )),
            Ok(None) => errors.push(FieldError::new(
                format!("lines[{i}].amount"),
                "L'importo può avere al massimo due decimali.",
            )),
            Err(message) => errors.push(FieldError::new(format!("lines[{i}].amount"), message)),
        }
    }
    match (guardian, service) {
        (Some(guardian), Some(service)) if errors.is_empty() => Ok(ValidEmission {
            guardian,
            service,
            title,
            lines,
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
) -> ApiResult<(EmissionDetail, bool)> {
    principal.require(&[Role::Operator, Role::Integrator])?;
    let external_ref = new
        .external_ref
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty());
    if let Some(existing) = by_external_ref(db, principal.ente_id, external_ref).await? {
        return Ok((detail_of(db, existing).await?, false));
    }
    let valid = validate(db, principal.ente_id, &new).await?;
    let ente = ente_by_id(db, principal.ente_id).await?;
    let total: i64 = valid.lines.iter().map(|(_, cents)| cents).sum();
    let txn = db.begin().await?;
    let notice = notices::create(
        &txn,
        &ente,
        NewNotice {
            guardian_id: valid.guardian.id,
            service_id: valid.service.id,
            purpose: "emission",
            amount_cents: total,
            description: format!("{} - {}", valid.title, valid.guardian.full_name()),
            due_date: Some(new.due_date),
            expires_on: None,
            online_only: false,
        },
    )
    .await?;
    let inserted = emission::ActiveModel {
        ente_id: Set(ente.id),
        guardian_id: Set(valid.guardian.id),
        service_id: Set(valid.service.id),
        notice_id: Set(notice.id),
        title: Set(valid.title),
        due_date: Set(new.due_date),
        amount_cents: Set(total),
        status: Set("to_pay".into()),
        external_ref: Set(external_ref.map(Into::into)),
        created_at: Set(OffsetDateTime::now_utc()),
        ..Default::default()
    }
    .insert(&txn)
    .await;
    let created = match inserted {
        Ok(created) => created,
        Err(err) => {
            // Two requests with the same external_ref at once: the unique key lets only
            // one in; the other answers with the winner's emission.
            txn.rollback().await?;
            if let Some(existing) = by_external_ref(db, principal.ente_id, external_ref).await? {
                return Ok((detail_of(db, existing).await?, false));
            }
            return Err(err.into());
        }
    };
    for (position, (description, amount_cents)) in valid.lines.into_iter().enumerate() {
        emission_line::ActiveModel {
            emission_id: Set(created.id),
            position: Set(position as i32),
            description: Set(description),
            amount_cents: Set(amount_cents),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    }
    txn.commit().await?;
    notices::register(db, gateway, &ente, notice, &valid.guardian).await?;
    Ok((detail_of(db, created).await?, true))
}

async fn by_external_ref(
    db: &DatabaseConnection,
    ente_id: i64,
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

fn status(e: &emission::Model) -> EmissionStatus {
    if e.status == "paid" {
        EmissionStatus::Paid
    } else {
        EmissionStatus::ToPay
    }
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
        document_number: notice.notice_number.clone(),
        amount: cents_to_decimal(e.amount_cents),
        status: status(e),
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
        document_url: format!("/api/v1/payments/notices/{}/pdf", notice.id),
        receipt_url: notice
            .receipt_row_id
            .map(|id| format!("/api/v1/payments/receipts/{id}/pdf")),
        notice_id: notice.id,
    })
}

/// The guardian's emissions, latest due date first.
pub async fn list_for_guardian(
    db: &DatabaseConnection,
    principal: &Principal,
    page: u64,
    per_page: u64,
) -> ApiResult<Page<EmissionSummary>> {
    require_guardian(principal)?;
    let paginator = emission::Entity::find_in_ente(principal.ente_id)
        .filter(emission::Column::GuardianId.eq(principal.user_id))
        .order_by_desc(emission::Column::DueDate)
        .order_by_desc(emission::Column::Id)
        .paginate(db, per_page);
    let rows = fetch_page(paginator, page, per_page, |e| e).await?;
    let notices: HashMap<i64, payment_notice::Model> =
        payment_notice::Entity::find_in_ente(principal.ente_id)
            .filter(payment_notice::Column::Id.is_in(rows.items.iter().map(|e| e.notice_id)))
            .all(db)
            .await?
            .into_iter()
            .map(|n| (n.id, n))
            .collect();
    let services: HashMap<i64, String> = service::Entity::find_in_ente(principal.ente_id)
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
    require_guardian(principal)?;
    let e = emission::Entity::find_in_ente(principal.ente_id)
        .filter(emission::Column::GuardianId.eq(principal.user_id))
        .filter(emission::Column::Id.eq(id))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)?;
    detail_of(db, e).await
}
