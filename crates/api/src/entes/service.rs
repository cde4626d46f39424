//! Reading entes and mapping them to their public description.

use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use sportello_model::entes::{
    EnteContacts, EnteDetail, EnteSettings, EnteSummary, LoginProvider, RechargeRule, Service,
    ServiceKind,
};
use sportello_model::fee_bands::FeeBand;
use sportello_model::money::{cents_to_decimal, MAX_RECHARGE_CENTS};
use sportello_model::page::PageRequest;
use sportello_model::paths;
use sportello_model::Page;

use super::entity::{ente, ente_logo, fee_band, service};
use crate::db::{fetch_page, EnteId, TenantScoped};
use crate::error::{ApiError, ApiResult};

pub async fn list(db: &DatabaseConnection, paging: PageRequest) -> ApiResult<Page<EnteSummary>> {
    let paginator = ente::Entity::find()
        .order_by_asc(ente::Column::Name)
        .paginate(db, paging.per_page);
    Ok(fetch_page(paginator, paging, |e| EnteSummary {
        slug: e.slug,
        name: e.name,
    })
    .await?)
}

/// The ente with this slug, or 404.
pub async fn by_slug(db: &DatabaseConnection, slug: &str) -> ApiResult<ente::Model> {
    ente::Entity::find()
        .filter(ente::Column::Slug.eq(slug))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)
}

pub async fn by_id(db: &DatabaseConnection, id: EnteId) -> ApiResult<ente::Model> {
    ente::Entity::find_by_id(id.get())
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)
}

/// A prepaid service (e.g. Refezione Scolastica) of the ente, or 404.
pub async fn prepaid_service(
    db: &DatabaseConnection,
    ente_id: EnteId,
    service_id: i64,
) -> ApiResult<service::Model> {
    service_of_kind(db, ente_id, service_id, |kind| kind == ServiceKind::Prepaid).await
}

/// A service of the ente that serves meals (the canteen), or 404.
pub async fn meal_service(
    db: &DatabaseConnection,
    ente_id: EnteId,
    service_id: i64,
) -> ApiResult<service::Model> {
    service_of_kind(db, ente_id, service_id, ServiceKind::serves_meals).await
}

/// A service of the ente, of any kind, or 404.
pub async fn service_of_ente(
    db: &DatabaseConnection,
    ente_id: EnteId,
    service_id: i64,
) -> ApiResult<service::Model> {
    service_of_kind(db, ente_id, service_id, |_| true).await
}

async fn service_of_kind(
    db: &DatabaseConnection,
    ente_id: EnteId,
    service_id: i64,
    wanted: impl Fn(ServiceKind) -> bool,
) -> ApiResult<service::Model> {
    service::Entity::find_in_ente(ente_id)
        .filter(service::Column::Id.eq(service_id))
        .one(db)
        .await?
        .filter(|s| wanted(s.kind))
        .ok_or(ApiError::NotFound)
}

pub fn service_dto(s: service::Model) -> Service {
    Service {
        id: s.id,
        kind: s.kind,
        code: s.code,
        name: s.name,
        active: s.active,
        pro_rata: s.pro_rata,
    }
}

pub fn settings(e: &ente::Model) -> EnteSettings {
    EnteSettings {
        booking_cutoff_time: e.booking_cutoff_time.clone(),
        booking_cutoff_rule: e.booking_cutoff_rule,
        bookable_weekdays: e.bookable_weekdays.iso(),
        // The portal's bound caps whatever the comune's rule says, so that the SPA's
        // hint and the check agree.
        recharge: RechargeRule {
            min: cents_to_decimal(e.recharge_min_cents.min(MAX_RECHARGE_CENTS)),
            max: cents_to_decimal(e.recharge_max_cents.min(MAX_RECHARGE_CENTS)),
            step: e.recharge_step_cents.map(cents_to_decimal),
        },
        negative_balance_allowed: e.negative_balance_allowed,
        blank_meal_enabled: e.blank_meal_enabled,
        personal_meal_enabled: e.personal_meal_enabled,
    }
}

pub async fn detail(
    db: &DatabaseConnection,
    e: ente::Model,
    login_providers: Vec<LoginProvider>,
) -> ApiResult<EnteDetail> {
    let services = service::Entity::find_in_ente(e.ente_id())
        .order_by_asc(service::Column::Name)
        .all(db)
        .await?
        .into_iter()
        .map(service_dto)
        .collect();
    let logo = ente_logo::Entity::find_in_ente(e.ente_id())
        .select_only()
        .column(ente_logo::Column::UpdatedAt)
        .into_tuple::<time::OffsetDateTime>()
        .one(db)
        .await?
        // The time of the upload in the address: a new logo is a new address, so that
        // the browser's cache never shows the old one.
        .map(|at| paths::ente_logo(&e.slug, at.unix_timestamp()));
    Ok(EnteDetail {
        contacts: EnteContacts {
            email: e.contact_email.clone(),
            phone: e.contact_phone.clone(),
            address: e.contact_address.clone(),
        },
        logo,
        settings: settings(&e),
        slug: e.slug,
        name: e.name,
        fiscal_code: e.fiscal_code.to_string(),
        password_login_enabled: e.password_login_enabled,
        login_providers,
        services,
    })
}

/// The fee bands of a service of the comune, from the lowest ISEE.
pub async fn fee_bands<C: ConnectionTrait>(
    db: &C,
    ente_id: EnteId,
    service_id: i64,
) -> ApiResult<Vec<FeeBand>> {
    Ok(fee_band::Entity::find_in_ente(ente_id)
        .filter(fee_band::Column::ServiceId.eq(service_id))
        .order_by_asc(fee_band::Column::IseeFromCents)
        .order_by_asc(fee_band::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|band| FeeBand {
            id: band.id,
            service_id: band.service_id,
            name: band.name,
            isee_from: cents_to_decimal(band.isee_from_cents),
            isee_to: band.isee_to_cents.map(cents_to_decimal),
            meal_price: cents_to_decimal(band.meal_price_cents),
            quota: cents_to_decimal(band.quota_cents),
        })
        .collect())
}
