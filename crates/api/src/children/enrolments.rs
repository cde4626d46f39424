//! The office's enrolment editor: a child's card of a service added, changed or ended,
//! each checked by `model::schools::EnrolmentForm::check` against the service, its fee
//! bands and the comune's school and class. An ended card (`active: false`) is no longer
//! in force (`service::enrolled_on`): from then the family cannot book, and the roster,
//! the kitchen counts and the daily charge no longer count the child, whatever bookings
//! were stored for later days.

use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, PaginatorTrait,
    QueryFilter, TransactionTrait,
};
use sportello_model::children::Enrolment;
use sportello_model::schools::{CheckedEnrolment, EnrolmentChoices, EnrolmentForm};

use super::entity::{child, enrolment};
use super::service::cards;
use crate::db::{EnteId, TenantScoped};
use crate::entes::entity::service;
use crate::entes::service::fee_bands;
use crate::error::{ApiError, ApiResult};
use crate::schools::entity::{school, school_class};
use crate::schools::service::{class_dto, school_dto};

/// A child of the comune, or 404.
async fn find_child<C: sea_orm::ConnectionTrait>(
    db: &C,
    ente_id: EnteId,
    child_id: i64,
) -> ApiResult<child::Model> {
    child::Entity::find_in_ente(ente_id)
        .filter(child::Column::Id.eq(child_id))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)
}

/// A card of the child, or 404.
async fn find_card<C: sea_orm::ConnectionTrait>(
    db: &C,
    ente_id: EnteId,
    child_id: i64,
    id: i64,
) -> ApiResult<enrolment::Model> {
    enrolment::Entity::find_in_ente(ente_id)
        .filter(enrolment::Column::Id.eq(id))
        .filter(enrolment::Column::ChildId.eq(child_id))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)
}

/// Checks the form against the comune's records: the service (another comune's is the
/// field's error, as one that does not exist), its bands, the school and class; then
/// that no other child has the badge and the child has no other card of the service for
/// the year.
async fn check<C: sea_orm::ConnectionTrait>(
    db: &C,
    ente_id: EnteId,
    child: &child::Model,
    form: &EnrolmentForm,
    except: Option<i64>,
) -> ApiResult<(service::Model, CheckedEnrolment)> {
    let service = service::Entity::find_in_ente(ente_id)
        .filter(service::Column::Id.eq(form.service_id))
        .one(db)
        .await?
        .ok_or_else(|| ApiError::field("service_id", "Il servizio scelto non c'è."))?;
    let bands = fee_bands(db, ente_id, service.id).await?;
    let school = match form.school_id {
        Some(id) => school::Entity::find_in_ente(ente_id)
            .filter(school::Column::Id.eq(id))
            .one(db)
            .await?
            .map(|s| school_dto(&s)),
        None => None,
    };
    let class = match (form.class_id, &school) {
        (Some(id), Some(s)) => school_class::Entity::find_in_ente(ente_id)
            .filter(school_class::Column::Id.eq(id))
            .one(db)
            .await?
            .map(|c| class_dto(&c, s.cycle)),
        _ => None,
    };
    let checked = form
        .check(&EnrolmentChoices {
            kind: service.kind,
            bands: &bands,
            school: school.as_ref(),
            class: class.as_ref(),
        })
        .map_err(ApiError::Validation)?;
    let badge_taken = enrolment::Entity::find_in_ente(ente_id)
        .filter(enrolment::Column::Badge.eq(checked.badge.as_str()))
        .filter(enrolment::Column::ChildId.ne(child.id))
        .count(db)
        .await?;
    if badge_taken > 0 {
        return Err(ApiError::field(
            "badge",
            format!(
                "La tessera {} è già di un altro alunno: indicane un'altra.",
                checked.badge
            ),
        ));
    }
    let mut same_year = enrolment::Entity::find_in_ente(ente_id)
        .filter(enrolment::Column::ChildId.eq(child.id))
        .filter(enrolment::Column::ServiceId.eq(service.id))
        .filter(enrolment::Column::SchoolYear.eq(checked.school_year));
    if let Some(id) = except {
        same_year = same_year.filter(enrolment::Column::Id.ne(id));
    }
    if same_year.count(db).await? > 0 {
        return Err(ApiError::field(
            "school_year",
            format!(
                "{} {} ha già la scheda del servizio {} per l'anno scolastico {}.",
                child.first_name, child.last_name, service.name, checked.school_year
            ),
        ));
    }
    Ok((service, checked))
}

/// The card `id` of the child as the family page shows it.
async fn card_of<C: sea_orm::ConnectionTrait>(
    db: &C,
    ente_id: EnteId,
    child_id: i64,
    id: i64,
) -> ApiResult<Enrolment> {
    cards(db, ente_id, &[child_id], true)
        .await?
        .remove(&child_id)
        .unwrap_or_default()
        .into_iter()
        .find(|card| card.id == id)
        .ok_or(ApiError::NotFound)
}

/// The card `id` of the child as it is, with the child's family (its guardian): what
/// the Registro attività keeps of a card before a change.
pub async fn card_with_family(
    db: &DatabaseConnection,
    ente_id: EnteId,
    child_id: i64,
    id: i64,
) -> ApiResult<(i64, Enrolment)> {
    let child = find_child(db, ente_id, child_id).await?;
    Ok((child.guardian_id, card_of(db, ente_id, child.id, id).await?))
}

/// Adds a card, in force, to the child.
pub async fn add(
    db: &DatabaseConnection,
    ente_id: EnteId,
    child_id: i64,
    form: &EnrolmentForm,
) -> ApiResult<Enrolment> {
    let txn = db.begin().await?;
    let child = find_child(&txn, ente_id, child_id).await?;
    let (service, checked) = check(&txn, ente_id, &child, form, None).await?;
    let inserted = enrolment::ActiveModel {
        ente_id: Set(ente_id),
        child_id: Set(child.id),
        service_id: Set(service.id),
        badge: Set(checked.badge),
        school_id: Set(checked.school_id),
        class_id: Set(checked.class_id),
        fee_band: Set(checked.fee_band),
        quota_cents: Set(checked.quota_cents),
        meal_price_cents: Set(checked.meal_price_cents),
        meal_type: Set(checked.meal_type),
        active: Set(true),
        school_year: Set(checked.school_year),
        submission_id: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let card = card_of(&txn, ente_id, child.id, inserted.id).await?;
    txn.commit().await?;
    Ok(card)
}

/// Changes a card of the child; its service stays.
pub async fn update(
    db: &DatabaseConnection,
    ente_id: EnteId,
    child_id: i64,
    id: i64,
    form: &EnrolmentForm,
) -> ApiResult<Enrolment> {
    let txn = db.begin().await?;
    let child = find_child(&txn, ente_id, child_id).await?;
    let existing = find_card(&txn, ente_id, child.id, id).await?;
    if existing.service_id != form.service_id {
        return Err(ApiError::field(
            "service_id",
            "Il servizio di una scheda non si cambia: termina questa e aggiungine una nuova.",
        ));
    }
    let (_, checked) = check(&txn, ente_id, &child, form, Some(id)).await?;
    let mut card: enrolment::ActiveModel = existing.into();
    card.badge = Set(checked.badge);
    card.school_id = Set(checked.school_id);
    card.class_id = Set(checked.class_id);
    card.fee_band = Set(checked.fee_band);
    card.quota_cents = Set(checked.quota_cents);
    card.meal_price_cents = Set(checked.meal_price_cents);
    card.meal_type = Set(checked.meal_type);
    card.school_year = Set(checked.school_year);
    card.update(&txn).await?;
    let card = card_of(&txn, ente_id, child.id, id).await?;
    txn.commit().await?;
    Ok(card)
}

/// Ends a card of the child: it is no longer in force from now.
pub async fn end(
    db: &DatabaseConnection,
    ente_id: EnteId,
    child_id: i64,
    id: i64,
) -> ApiResult<Enrolment> {
    let existing = find_card(db, ente_id, child_id, id).await?;
    let mut card: enrolment::ActiveModel = existing.into();
    card.active = Set(false);
    card.update(db).await?;
    card_of(db, ente_id, child_id, id).await
}
