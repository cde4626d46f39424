//! The comune's set-up by its administrators: the settings (checked whole by
//! `EnteSettingsForm::check`), the logo, the services and their fee bands (the table
//! checked whole by `model::fee_bands::check_fee_bands`). A change of the settings or of a
//! service raises the revision of the services it concerns in its transaction
//! (`bookings::calendar::revise`), so every replica reads them again and families'
//! next requests follow it.

use std::collections::{BTreeMap, BTreeSet};

use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ActiveValue::Unchanged, ColumnTrait, ConnectionTrait,
    DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};
use sportello_model::entes::{
    CheckedEnteSettings, EnteSettingsForm, LogoSaved, Service, ServiceDetail, ServiceForm,
};
use sportello_model::fee_bands::{check_fee_bands, CheckedBand, FeeBandsForm};
use sportello_model::format::amount_as_typed;
use sportello_model::money::cents_to_decimal;
use sportello_model::{paths, FieldError};
use sportello_pagopa::EnteFiscalCode;
use time::OffsetDateTime;

use super::entity::{ente, ente_logo, fee_band, service};
use super::service::{by_id, by_slug, fee_bands, service_dto};
use crate::bookings::calendar::revise;
use crate::children::entity::enrolment;
use crate::db::{EnteId, TenantScoped};
use crate::error::{ApiError, ApiResult};

/// The comune's settings as the administrators' form shows them.
pub async fn settings_form(
    db: &DatabaseConnection,
    ente_id: EnteId,
) -> ApiResult<EnteSettingsForm> {
    Ok(form_of(&by_id(db, ente_id).await?))
}

fn form_of(e: &ente::Model) -> EnteSettingsForm {
    let typed = |cents: i64| amount_as_typed(cents_to_decimal(cents));
    EnteSettingsForm {
        name: e.name.clone(),
        contact_email: e.contact_email.clone().unwrap_or_default(),
        contact_phone: e.contact_phone.clone().unwrap_or_default(),
        contact_address: e.contact_address.clone().unwrap_or_default(),
        password_login_enabled: e.password_login_enabled,
        booking_cutoff_time: e.booking_cutoff_time.clone(),
        booking_cutoff_rule: e.booking_cutoff_rule,
        bookable_weekdays: e.bookable_weekdays.iso(),
        recharge_min: typed(e.recharge_min_cents),
        recharge_max: typed(e.recharge_max_cents),
        recharge_step: e.recharge_step_cents.map(typed).unwrap_or_default(),
        negative_balance_allowed: e.negative_balance_allowed,
        blank_meal_enabled: e.blank_meal_enabled,
        personal_meal_enabled: e.personal_meal_enabled,
        fiscal_code: e.fiscal_code.as_str().to_owned(),
        pagopa_aux_digit: u8::try_from(e.pagopa_aux_digit).unwrap_or_default(),
        pagopa_application_code: e.pagopa_application_code.clone().unwrap_or_default(),
        pagopa_segregation_code: e.pagopa_segregation_code.clone().unwrap_or_default(),
        pagopa_iban: e.pagopa_iban.clone().unwrap_or_default(),
        pagopa_taxonomy: e.pagopa_taxonomy.clone().unwrap_or_default(),
        pagopa_gpd_only: e.pagopa_gpd_only,
        flow_grace_days: u8::try_from(e.flow_grace_days).unwrap_or(u8::MAX),
    }
}

/// Saves the settings, every value checked; the fiscal code may not be another comune's
/// of this portal (receipts find their comune by it).
pub async fn save_settings(
    db: &DatabaseConnection,
    ente_id: EnteId,
    form: &EnteSettingsForm,
) -> ApiResult<EnteSettingsForm> {
    let checked: CheckedEnteSettings = form.check().map_err(ApiError::Validation)?;
    let fiscal_code = EnteFiscalCode::parse(&checked.fiscal_code).map_err(|_| {
        ApiError::field("fiscal_code", "Il codice fiscale del comune è di 11 cifre.")
    })?;
    let taken = ente::Entity::find()
        .filter(ente::Column::FiscalCode.eq(fiscal_code.as_str()))
        .filter(ente::Column::Id.ne(ente_id.get()))
        .one(db)
        .await?;
    if taken.is_some() {
        return Err(ApiError::field(
            "fiscal_code",
            "Questo codice fiscale è di un altro comune del portale.",
        ));
    }
    let txn = db.begin().await?;
    revise(&txn, service::Column::EnteId.eq(ente_id)).await?;
    let saved = ente::ActiveModel {
        id: Unchanged(ente_id.get()),
        name: Set(checked.name),
        contact_email: Set(checked.contact_email),
        contact_phone: Set(checked.contact_phone),
        contact_address: Set(checked.contact_address),
        password_login_enabled: Set(checked.password_login_enabled),
        booking_cutoff_time: Set(checked.booking_cutoff_time),
        booking_cutoff_rule: Set(checked.booking_cutoff_rule),
        bookable_weekdays: Set(checked.bookable_weekdays),
        recharge_min_cents: Set(checked.recharge_min_cents),
        recharge_max_cents: Set(checked.recharge_max_cents),
        recharge_step_cents: Set(checked.recharge_step_cents),
        negative_balance_allowed: Set(checked.negative_balance_allowed),
        blank_meal_enabled: Set(checked.blank_meal_enabled),
        personal_meal_enabled: Set(checked.personal_meal_enabled),
        fiscal_code: Set(fiscal_code),
        pagopa_aux_digit: Set(i32::from(checked.pagopa_aux_digit)),
        pagopa_application_code: Set(checked.pagopa_application_code),
        pagopa_segregation_code: Set(checked.pagopa_segregation_code),
        pagopa_iban: Set(Some(checked.pagopa_iban)),
        pagopa_taxonomy: Set(Some(checked.pagopa_taxonomy)),
        pagopa_gpd_only: Set(checked.pagopa_gpd_only),
        flow_grace_days: Set(i32::from(checked.flow_grace_days)),
        ..Default::default()
    }
    .update(&txn)
    .await?;
    txn.commit().await?;
    Ok(form_of(&saved))
}

/// The type of a logo by its content: PNG and JPEG by their signature, SVG by its
/// opening element; anything else is `None`.
fn logo_type(content: &[u8]) -> Option<&'static str> {
    if let Some(kind) = infer::get(content) {
        return ["image/png", "image/jpeg"]
            .into_iter()
            .find(|mime| *mime == kind.mime_type());
    }
    let text = std::str::from_utf8(content).ok()?;
    let text = text.trim_start_matches('\u{feff}').trim_start();
    let svg = text.starts_with("<svg") || (text.starts_with("<?xml") && text.contains("<svg"));
    svg.then_some("image/svg+xml")
}

/// Replaces the comune's logo with `content` (PNG, JPEG or SVG); the answer is the new
/// logo's address.
pub async fn save_logo(
    db: &DatabaseConnection,
    ente_id: EnteId,
    content: Vec<u8>,
    now: OffsetDateTime,
) -> ApiResult<LogoSaved> {
    let content_type = logo_type(&content).ok_or_else(|| {
        ApiError::field(
            "file",
            "Il logo deve essere un'immagine PNG, JPEG o SVG: il contenuto di questo file non lo è.",
        )
    })?;
    let txn = db.begin().await?;
    let existing = ente_logo::Entity::find_in_ente(ente_id).one(&txn).await?;
    match existing {
        Some(logo) => {
            let mut logo: ente_logo::ActiveModel = logo.into();
            logo.content_type = Set(content_type.into());
            logo.content = Set(content);
            logo.updated_at = Set(now);
            logo.update(&txn).await?;
        }
        None => {
            ente_logo::ActiveModel {
                ente_id: Set(ente_id),
                content_type: Set(content_type.into()),
                content: Set(content),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
        }
    }
    txn.commit().await?;
    let ente = by_id(db, ente_id).await?;
    Ok(LogoSaved {
        logo: paths::ente_logo(&ente.slug, now.unix_timestamp()),
    })
}

/// The logo of the comune `slug`: its type and content, or 404.
pub async fn logo(db: &DatabaseConnection, slug: &str) -> ApiResult<(String, Vec<u8>)> {
    let ente = by_slug(db, slug).await?;
    let logo = ente_logo::Entity::find_in_ente(ente.ente_id())
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok((logo.content_type, logo.content))
}

/// Every service of the comune, those no longer in force too, by name.
pub async fn services(db: &DatabaseConnection, ente_id: EnteId) -> ApiResult<Vec<Service>> {
    Ok(service::Entity::find_in_ente(ente_id)
        .order_by_asc(service::Column::Name)
        .all(db)
        .await?
        .into_iter()
        .map(service_dto)
        .collect())
}

async fn find_service<C: ConnectionTrait>(
    db: &C,
    ente_id: EnteId,
    id: i64,
) -> ApiResult<service::Model> {
    service::Entity::find_in_ente(ente_id)
        .filter(service::Column::Id.eq(id))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)
}

/// How many enrolments of the service have each band, by band name.
async fn bands_in_use<C: ConnectionTrait>(
    db: &C,
    ente_id: EnteId,
    service_id: i64,
) -> ApiResult<BTreeMap<String, u64>> {
    let names: Vec<String> = enrolment::Entity::find_in_ente(ente_id)
        .filter(enrolment::Column::ServiceId.eq(service_id))
        .select_only()
        .column(enrolment::Column::FeeBand)
        .into_tuple()
        .all(db)
        .await?;
    let mut used = BTreeMap::new();
    for name in names {
        *used.entry(name).or_insert(0) += 1;
    }
    Ok(used)
}

/// The service with its bands, or 404.
pub async fn service_detail<C: ConnectionTrait>(
    db: &C,
    ente_id: EnteId,
    id: i64,
) -> ApiResult<ServiceDetail> {
    let service = find_service(db, ente_id, id).await?;
    let bands = fee_bands(db, ente_id, id).await?;
    let used = bands_in_use(db, ente_id, id).await?;
    Ok(ServiceDetail {
        bands_in_use: bands
            .iter()
            .filter(|b| used.contains_key(&b.name))
            .map(|b| b.name.clone())
            .collect(),
        bands,
        service: service_dto(service),
    })
}

/// A service of the comune with the same code, other than `except`.
async fn code_taken(
    db: &DatabaseConnection,
    ente_id: EnteId,
    code: &str,
    except: Option<i64>,
) -> ApiResult<()> {
    let mut query = service::Entity::find_in_ente(ente_id).filter(service::Column::Code.eq(code));
    if let Some(id) = except {
        query = query.filter(service::Column::Id.ne(id));
    }
    match query.one(db).await? {
        Some(other) => Err(ApiError::field(
            "code",
            format!("Il codice {code} è già del servizio «{}».", other.name),
        )),
        None => Ok(()),
    }
}

/// Creates a service of the comune, with no bands yet.
pub async fn create_service(
    db: &DatabaseConnection,
    ente_id: EnteId,
    form: &ServiceForm,
) -> ApiResult<ServiceDetail> {
    let (code, name) = form.check().map_err(ApiError::Validation)?;
    code_taken(db, ente_id, &code, None).await?;
    let created = service::ActiveModel {
        ente_id: Set(ente_id),
        code: Set(code),
        name: Set(name),
        kind: Set(form.kind),
        active: Set(form.active),
        pro_rata: Set(form.pro_rata),
        ..Default::default()
    }
    .insert(db)
    .await?;
    service_detail(db, ente_id, created.id).await
}

/// Changes a service's code, name and whether it is in force; its kind stays.
pub async fn update_service(
    db: &DatabaseConnection,
    ente_id: EnteId,
    id: i64,
    form: &ServiceForm,
) -> ApiResult<ServiceDetail> {
    let (code, name) = form.check().map_err(ApiError::Validation)?;
    let existing = find_service(db, ente_id, id).await?;
    if existing.kind != form.kind {
        return Err(ApiError::field(
            "kind",
            "Il tipo di un servizio non si può cambiare: crea un nuovo servizio.",
        ));
    }
    code_taken(db, ente_id, &code, Some(id)).await?;
    let mut active: service::ActiveModel = existing.into();
    active.code = Set(code);
    active.name = Set(name);
    active.active = Set(form.active);
    active.pro_rata = Set(form.pro_rata);
    let txn = db.begin().await?;
    revise(&txn, service::Column::Id.eq(id)).await?;
    active.update(&txn).await?;
    txn.commit().await?;
    service_detail(db, ente_id, id).await
}

/// Saves the service's whole bands table in one transaction: a band of the table with an
/// id is changed, one without is added, a stored band left out is deleted. A band some
/// enrolment has can be neither deleted (409) nor renamed (the enrolments name it).
pub async fn save_bands(
    db: &DatabaseConnection,
    ente_id: EnteId,
    id: i64,
    form: &FeeBandsForm,
) -> ApiResult<ServiceDetail> {
    let checked = check_fee_bands(form).map_err(ApiError::Validation)?;
    let txn = db.begin().await?;
    find_service(&txn, ente_id, id).await?;
    let stored: BTreeMap<i64, fee_band::Model> = fee_band::Entity::find_in_ente(ente_id)
        .filter(fee_band::Column::ServiceId.eq(id))
        .all(&txn)
        .await?
        .into_iter()
        .map(|band| (band.id, band))
        .collect();
    let used = bands_in_use(&txn, ente_id, id).await?;
    let row_of = |band_id: i64| {
        form.bands
            .iter()
            .position(|row| row.id == Some(band_id))
            .unwrap_or_default()
    };

    let mut errors = Vec::new();
    for band in &checked {
        let Some(band_id) = band.id else { continue };
        let row = row_of(band_id);
        match stored.get(&band_id) {
            None => errors.push(FieldError::new(
                format!("bands.{row}.name"),
                "Questa fascia non c'è più: ricarica la pagina.",
            )),
            Some(old) if old.name != band.name && used.contains_key(&old.name) => {
                errors.push(FieldError::new(
                    format!("bands.{row}.name"),
                    format!(
                        "La fascia «{}» è assegnata a delle iscrizioni: non si può rinominare.",
                        old.name
                    ),
                ))
            }
            Some(_) => {}
        }
    }
    ApiError::check(errors)?;
    let kept: BTreeSet<i64> = checked.iter().filter_map(|band| band.id).collect();
    let removed: Vec<&fee_band::Model> = stored
        .values()
        .filter(|band| !kept.contains(&band.id))
        .collect();
    if let Some((band, count)) = removed
        .iter()
        .find_map(|band| used.get(&band.name).map(|count| (band, count)))
    {
        return Err(ApiError::Conflict(format!(
            "La fascia «{}» è assegnata a {} e non si può eliminare.",
            band.name,
            match count {
                1 => "1 iscrizione".to_string(),
                n => format!("{n} iscrizioni"),
            }
        )));
    }
    if !removed.is_empty() {
        fee_band::Entity::delete_many()
            .filter(fee_band::Column::EnteId.eq(ente_id.get()))
            .filter(fee_band::Column::Id.is_in(removed.iter().map(|band| band.id)))
            .exec(&txn)
            .await?;
    }
    // A renamed band first takes a name no band has, so that two bands may swap names.
    for band in &checked {
        if let Some(old) = band.id.and_then(|band_id| stored.get(&band_id)) {
            if old.name != band.name {
                let mut renamed: fee_band::ActiveModel = old.clone().into();
                renamed.name = Set(format!("\u{1}{}", old.id));
                renamed.update(&txn).await?;
            }
        }
    }
    for band in &checked {
        write_band(&txn, ente_id, id, band, &stored).await?;
    }
    let detail = service_detail(&txn, ente_id, id).await?;
    txn.commit().await?;
    Ok(detail)
}

async fn write_band<C: ConnectionTrait>(
    txn: &C,
    ente_id: EnteId,
    service_id: i64,
    band: &CheckedBand,
    stored: &BTreeMap<i64, fee_band::Model>,
) -> ApiResult<()> {
    match band.id.and_then(|band_id| stored.get(&band_id)) {
        Some(old) => {
            let mut changed: fee_band::ActiveModel = old.clone().into();
            changed.name = Set(band.name.clone());
            changed.isee_from_cents = Set(band.isee_from_cents);
            changed.isee_to_cents = Set(band.isee_to_cents);
            changed.meal_price_cents = Set(band.meal_price_cents);
            changed.quota_cents = Set(band.quota_cents);
            changed.update(txn).await?;
        }
        None => {
            fee_band::ActiveModel {
                ente_id: Set(ente_id),
                service_id: Set(service_id),
                name: Set(band.name.clone()),
                isee_from_cents: Set(band.isee_from_cents),
                isee_to_cents: Set(band.isee_to_cents),
                meal_price_cents: Set(band.meal_price_cents),
                quota_cents: Set(band.quota_cents),
                ..Default::default()
            }
            .insert(txn)
            .await?;
        }
    }
    Ok(())
}
