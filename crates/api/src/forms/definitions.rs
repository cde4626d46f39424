//! Operators define forms: a draft is edited freely; a published version without
//! submissions may still be corrected; one with submissions is never changed again — a
//! new version is made from it and publishing that closes it.

use std::collections::HashMap;

use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, SqlErr, TransactionTrait,
};
use sportello_model::forms::{
    check_definition, FormDefinition, FormDetail, FormOverview, FormStatus, FormSummary,
};
use sportello_model::page::PageRequest;
use sportello_model::Page;
use time::OffsetDateTime;

use super::entity::{form, submission};
use crate::db::{fetch_page, EnteId, TenantScoped};
use crate::entes::entity::service;
use crate::error::{ApiError, ApiResult};

/// The definition stored in a form row.
pub fn definition_of(row: &form::Model) -> ApiResult<FormDefinition> {
    serde_json::from_str(&row.definition)
        .map_err(|e| ApiError::internal(format!("form {} definition: {e}", row.id)))
}

pub fn summary(row: &form::Model) -> ApiResult<FormSummary> {
    let definition = definition_of(row)?;
    Ok(FormSummary {
        id: row.id,
        version: row.version,
        status: row.status,
        title: row.title.clone(),
        school_year: row.school_year,
        opens_on: row.opens_on,
        closes_on: row.closes_on,
        validity: definition.validity(),
        scope: definition.scope,
        delegates_allowed: definition.delegates_allowed,
        service_id: row.service_id,
    })
}

async fn submissions_of<C: ConnectionTrait>(db: &C, row: &form::Model) -> ApiResult<u64> {
    Ok(submission::Entity::find_in_ente(row.ente_id)
        .filter(submission::Column::FormId.eq(row.id))
        .count(db)
        .await?)
}

pub async fn detail_of<C: ConnectionTrait>(db: &C, row: form::Model) -> ApiResult<FormDetail> {
    let definition = definition_of(&row)?;
    Ok(FormDetail {
        id: row.id,
        version: row.version,
        previous_id: row.previous_id,
        status: row.status,
        validity: definition.validity(),
        submissions: submissions_of(db, &row).await?,
        definition,
    })
}

/// A form of the ente, or 404.
pub async fn find<C: ConnectionTrait>(db: &C, ente_id: EnteId, id: i64) -> ApiResult<form::Model> {
    form::Entity::find_in_ente(ente_id)
        .filter(form::Column::Id.eq(id))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)
}

/// The definition's own rules, and a service that is the comune's.
async fn check<C: ConnectionTrait>(
    db: &C,
    ente_id: EnteId,
    definition: &FormDefinition,
) -> ApiResult<()> {
    let mut errors = check_definition(definition);
    if let Some(service_id) = definition.service_id {
        let known = service::Entity::find_in_ente(ente_id)
            .filter(service::Column::Id.eq(service_id))
            .one(db)
            .await?;
        if known.is_none() {
            errors.push(sportello_model::FieldError::new(
                "service_id",
                "Il servizio indicato non esiste.",
            ));
        }
    }
    ApiError::check(errors)
}

fn stored(definition: &FormDefinition) -> ApiResult<String> {
    serde_json::to_string(definition).map_err(ApiError::internal)
}

/// Every version of the ente's forms, newest window first, with its submissions.
pub async fn list(
    db: &DatabaseConnection,
    ente_id: EnteId,
    paging: PageRequest,
) -> ApiResult<Page<FormOverview>> {
    let paginator = form::Entity::find_in_ente(ente_id)
        .order_by_desc(form::Column::OpensOn)
        .order_by_desc(form::Column::Id)
        .paginate(db, paging.per_page);
    let page = fetch_page(paginator, paging, |row| row).await?;
    let counts: HashMap<i64, i64> = submission::Entity::find_in_ente(ente_id)
        .filter(submission::Column::FormId.is_in(page.items.iter().map(|row| row.id)))
        .select_only()
        .column(submission::Column::FormId)
        .column_as(Expr::col(submission::Column::Id).count(), "submissions")
        .group_by(submission::Column::FormId)
        .into_tuple::<(i64, i64)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let overview = |row: form::Model| {
        Ok(FormOverview {
            form: summary(&row)?,
            submissions: counts.get(&row.id).copied().unwrap_or_default() as u64,
            ranking: definition_of(&row)?.is_ranking(),
        })
    };
    Ok(Page {
        items: page
            .items
            .into_iter()
            .map(overview)
            .collect::<ApiResult<_>>()?,
        page: page.page,
        per_page: page.per_page,
        total: page.total,
    })
}

pub async fn detail(db: &DatabaseConnection, ente_id: EnteId, id: i64) -> ApiResult<FormDetail> {
    detail_of(db, find(db, ente_id, id).await?).await
}

/// The first version of a form, in `status` (a draft, or published by the demo data).
pub fn new_row(
    ente_id: EnteId,
    definition: &FormDefinition,
    status: FormStatus,
    now: OffsetDateTime,
) -> ApiResult<form::ActiveModel> {
    let published = status != FormStatus::Draft;
    Ok(form::ActiveModel {
        ente_id: Set(ente_id),
        previous_id: Set(None),
        version: Set(1),
        status: Set(status),
        title: Set(definition.title.trim().to_owned()),
        school_year: Set(definition.school_year),
        opens_on: Set(definition.opens_on),
        closes_on: Set(definition.closes_on),
        service_id: Set(definition.service_id),
        delegates_allowed: Set(definition.delegates_allowed),
        definition: Set(stored(definition)?),
        created_at: Set(now),
        published_at: Set(published.then_some(now)),
        closed_at: Set((status == FormStatus::Closed).then_some(now)),
        ..Default::default()
    })
}

/// A new form, as a draft (version 1).
pub async fn create(
    db: &DatabaseConnection,
    ente_id: EnteId,
    definition: FormDefinition,
    now: OffsetDateTime,
) -> ApiResult<FormDetail> {
    check(db, ente_id, &definition).await?;
    let row = new_row(ente_id, &definition, FormStatus::Draft, now)?
        .insert(db)
        .await?;
    detail_of(db, row).await
}

/// Replaces the definition of a draft, or of a published version nobody has filled yet.
pub async fn update(
    db: &DatabaseConnection,
    ente_id: EnteId,
    id: i64,
    definition: FormDefinition,
) -> ApiResult<FormDetail> {
    check(db, ente_id, &definition).await?;
    let txn = db.begin().await?;
    let row = find(&txn, ente_id, id).await?;
    if row.status == FormStatus::Closed {
        return Err(ApiError::Conflict(
            "Il modulo è chiuso: per riaprirlo crea una nuova versione.".into(),
        ));
    }
    if submissions_of(&txn, &row).await? > 0 {
        return Err(ApiError::Conflict(
            "Il modulo ha già delle domande: per cambiarlo crea una nuova versione e pubblicala."
                .into(),
        ));
    }
    let mut active: form::ActiveModel = row.into();
    active.title = Set(definition.title.trim().to_owned());
    active.school_year = Set(definition.school_year);
    active.opens_on = Set(definition.opens_on);
    active.closes_on = Set(definition.closes_on);
    active.service_id = Set(definition.service_id);
    active.delegates_allowed = Set(definition.delegates_allowed);
    active.definition = Set(stored(&definition)?);
    let row = active.update(&txn).await?;
    let detail = detail_of(&txn, row).await?;
    txn.commit().await?;
    Ok(detail)
}

/// Publishes a draft; the version it replaces, if still published, closes.
pub async fn publish(
    db: &DatabaseConnection,
    ente_id: EnteId,
    id: i64,
    now: OffsetDateTime,
) -> ApiResult<FormDetail> {
    let txn = db.begin().await?;
    let row = find(&txn, ente_id, id).await?;
    if row.status != FormStatus::Draft {
        return Err(ApiError::Conflict(format!(
            "Si pubblica solo una bozza: questo modulo è «{}».",
            row.status.label()
        )));
    }
    if let Some(previous) = row.previous_id {
        close_row(&txn, ente_id, previous, now).await?;
    }
    let mut active: form::ActiveModel = row.into();
    active.status = Set(FormStatus::Published);
    active.published_at = Set(Some(now));
    let row = active.update(&txn).await?;
    let detail = detail_of(&txn, row).await?;
    txn.commit().await?;
    Ok(detail)
}

/// Closes a published version now, whatever its window says.
async fn close_row<C: ConnectionTrait>(
    db: &C,
    ente_id: EnteId,
    id: i64,
    now: OffsetDateTime,
) -> ApiResult<u64> {
    Ok(form::Entity::update_many()
        .col_expr(
            form::Column::Status,
            sea_orm::sea_query::Expr::value(FormStatus::Closed.as_str()),
        )
        .col_expr(form::Column::ClosedAt, sea_orm::sea_query::Expr::value(now))
        .filter(form::Column::EnteId.eq(ente_id))
        .filter(form::Column::Id.eq(id))
        .filter(form::Column::Status.eq(FormStatus::Published))
        .exec(db)
        .await?
        .rows_affected)
}

/// Closes a published form early: families can no longer fill or send it.
pub async fn close(
    db: &DatabaseConnection,
    ente_id: EnteId,
    id: i64,
    now: OffsetDateTime,
) -> ApiResult<FormDetail> {
    let row = find(db, ente_id, id).await?;
    if close_row(db, ente_id, row.id, now).await? == 0 {
        return Err(ApiError::Conflict(format!(
            "Si chiude solo un modulo pubblicato: questo è «{}».",
            row.status.label()
        )));
    }
    detail(db, ente_id, id).await
}

/// A draft copy of a version, to change and publish in its place. A version has at most
/// one successor (a unique key): a second request gets 409.
pub async fn new_version(
    db: &DatabaseConnection,
    ente_id: EnteId,
    id: i64,
    now: OffsetDateTime,
) -> ApiResult<FormDetail> {
    let row = find(db, ente_id, id).await?;
    if row.status == FormStatus::Draft {
        return Err(ApiError::Conflict(
            "Il modulo è ancora una bozza: modificalo direttamente.".into(),
        ));
    }
    let inserted = form::ActiveModel {
        ente_id: Set(ente_id),
        previous_id: Set(Some(row.id)),
        version: Set(row.version + 1),
        status: Set(FormStatus::Draft),
        title: Set(row.title),
        school_year: Set(row.school_year),
        opens_on: Set(row.opens_on),
        closes_on: Set(row.closes_on),
        service_id: Set(row.service_id),
        delegates_allowed: Set(row.delegates_allowed),
        definition: Set(row.definition),
        created_at: Set(now),
        published_at: Set(None),
        closed_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await;
    match inserted {
        Ok(row) => detail_of(db, row).await,
        Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => Err(
            ApiError::Conflict("Esiste già una versione successiva di questo modulo.".into()),
        ),
        Err(e) => Err(e.into()),
    }
}
