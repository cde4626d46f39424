//! Which children a principal may see, and their details.
//!
//! Who may read children at all is the permission table's (`Action::ReadChildren`, asked
//! by the handlers). Here the data is scoped: roles with the registry
//! (`Action::ReadChildrenRegistry`) see every child of their ente, guardians their own
//! children, delegates the children delegated to them; any other child is "not found".
//! Fee data is left out of the cards for roles without `Action::ReadFees` (delegates).

use std::collections::{HashMap, HashSet};

use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, FromQueryResult, JoinType, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, QueryTrait, Select,
};
use sportello_model::access::Action;
use sportello_model::auth::Role;
use sportello_model::children::{ChildDetail, ChildSummary, Enrolment};
use sportello_model::money::cents_to_decimal;
use sportello_model::page::PageRequest;
use sportello_model::school_year::SchoolYear;
use sportello_model::Page;
use time::Date;

use super::entity::{child, child_delegate, enrolment};
use crate::accounts::entity::user;
use crate::auth::Principal;
use crate::db::{fetch_page, foreign_key, EnteId, TenantScoped};
use crate::entes::entity::service;
use crate::error::{ApiError, ApiResult};
use crate::schools::service::Places;

/// The one rule for "is a child enrolled in the service on `day`": an active card whose
/// school year contains `day`. Bookings, the month calendar, the roster, attendance and
/// charging all ask it.
pub fn enrolled_on(ente_id: EnteId, service_id: i64, day: Date) -> Select<enrolment::Entity> {
    cards_on(ente_id, day).filter(enrolment::Column::ServiceId.eq(service_id))
}

/// The cards in force on `day`, of every service (the same rule as [`enrolled_on`]).
pub fn cards_on(ente_id: EnteId, day: Date) -> Select<enrolment::Entity> {
    cards_in_force(ente_id).filter(enrolment::Column::SchoolYear.eq(SchoolYear::containing(day)))
}

/// The active cards of every school year: a child is enrolled on a day when one of them
/// is of the day's school year ([`enrolled_on`], [`ChildCards::enrolled_on`]).
fn cards_in_force(ente_id: EnteId) -> Select<enrolment::Entity> {
    enrolment::Entity::find_in_ente(ente_id).filter(enrolment::Column::Active.eq(true))
}

/// A child's name with one school year of its cards in force, and the service's revision:
/// a row of [`child_cards_query`].
#[derive(FromQueryResult)]
pub struct CardRow {
    first_name: String,
    last_name: String,
    school_year: SchoolYear,
    service_revision: i64,
}

/// A child `principal` may see, with the school years of its cards of one service in
/// force.
pub struct ChildCards {
    pub name: String,
    years: HashSet<SchoolYear>,
    /// The service's revision, read in the same statement: whether what a replica keeps
    /// of the service is still the database's (`bookings::calendar::MealServices`).
    pub service_revision: i64,
}

impl ChildCards {
    /// The child of the rows of [`child_cards_query`]; none is "not found".
    pub fn of_rows<'a>(rows: impl IntoIterator<Item = &'a CardRow>) -> ApiResult<ChildCards> {
        let mut rows = rows.into_iter().peekable();
        let first = rows.peek().ok_or(ApiError::NotFound)?;
        let (name, service_revision) = (
            format!("{} {}", first.first_name, first.last_name),
            first.service_revision,
        );
        Ok(ChildCards {
            name,
            years: rows.map(|row| row.school_year).collect(),
            service_revision,
        })
    }

    /// Whether the child is enrolled in the service on `day` (the rule of [`enrolled_on`]).
    pub fn enrolled_on(&self, day: Date) -> bool {
        self.years.contains(&SchoolYear::containing(day))
    }
}

/// The statement of [`child_cards`], for a caller that reads more beside the cards: one
/// [`CardRow`] per card of `service_id` in force (of any school year) of the child
/// `child_id`, if `principal` may see it.
pub fn child_cards_query(
    principal: &Principal,
    child_id: i64,
    service_id: i64,
) -> Select<enrolment::Entity> {
    let visible = visible_children(principal)
        .select_only()
        .column(child::Column::Id)
        .filter(child::Column::Id.eq(child_id))
        .into_query();
    let to_child = foreign_key(enrolment::Column::ChildId, child::Column::Id);
    let to_service = foreign_key(enrolment::Column::ServiceId, service::Column::Id);
    cards_in_force(principal.ente_id)
        .filter(enrolment::Column::ServiceId.eq(service_id))
        // The child named too, not only through the subquery: the index finds its cards.
        .filter(enrolment::Column::ChildId.eq(child_id))
        .filter(enrolment::Column::ChildId.in_subquery(visible))
        .join(JoinType::InnerJoin, to_child)
        .join(JoinType::InnerJoin, to_service)
        .select_only()
        .column(child::Column::FirstName)
        .column(child::Column::LastName)
        .column(enrolment::Column::SchoolYear)
        .column_as(service::Column::Revision, "service_revision")
}

/// The child `child_id`, if `principal` may see it and it has a card of `service_id` in
/// force (of any school year), with those cards' school years and the service's
/// revision, in one statement; else "not found".
pub async fn child_cards(
    db: &DatabaseConnection,
    principal: &Principal,
    child_id: i64,
    service_id: i64,
) -> ApiResult<ChildCards> {
    let rows = child_cards_query(principal, child_id, service_id)
        .into_model::<CardRow>()
        .all(db)
        .await?;
    ChildCards::of_rows(&rows)
}

/// The children `principal` may see: the one place that decides it.
pub fn visible_children(principal: &Principal) -> Select<child::Entity> {
    let in_ente = child::Entity::find_in_ente(principal.ente_id);
    if principal.role.may(Action::ReadChildrenRegistry) {
        return in_ente;
    }
    match principal.role {
        Role::Guardian => in_ente.filter(child::Column::GuardianId.eq(principal.user_id)),
        Role::Delegate => in_ente.filter(
            child::Column::Id.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(child_delegate::Column::ChildId)
                    .from(child_delegate::Entity)
                    .and_where(child_delegate::Column::DelegateId.eq(principal.user_id))
                    .and_where(child_delegate::Column::EnteId.eq(principal.ente_id))
                    .to_owned(),
            ),
        ),
        // No family of their own: no child is theirs.
        Role::Operator | Role::Administrator | Role::CanteenStaff | Role::Integrator => {
            in_ente.filter(child::Column::Id.eq(-1))
        }
    }
}

pub async fn list(
    db: &DatabaseConnection,
    principal: &Principal,
    paging: PageRequest,
) -> ApiResult<Page<ChildSummary>> {
    let paginator = visible_children(principal)
        .order_by_asc(child::Column::LastName)
        .order_by_asc(child::Column::FirstName)
        .order_by_asc(child::Column::Id)
        .paginate(db, paging.per_page);
    Ok(fetch_page(paginator, paging, |c| ChildSummary {
        id: c.id,
        first_name: c.first_name,
        last_name: c.last_name,
    })
    .await?)
}

/// A child visible to `principal`, or 404.
pub async fn find_visible(
    db: &DatabaseConnection,
    principal: &Principal,
    id: i64,
) -> ApiResult<child::Model> {
    visible_children(principal)
        .filter(child::Column::Id.eq(id))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)
}

pub async fn detail(
    db: &DatabaseConnection,
    principal: &Principal,
    id: i64,
) -> ApiResult<ChildDetail> {
    let c = find_visible(db, principal, id).await?;
    let fees = principal.role.may(Action::ReadFees);
    let guardian = user::Entity::find_in_ente(principal.ente_id)
        .filter(user::Column::Id.eq(c.guardian_id))
        .one(db)
        .await?
        .map(|g| g.full_name())
        .unwrap_or_default();
    let enrolments = cards(db, principal.ente_id, &[c.id], fees)
        .await?
        .remove(&c.id)
        .unwrap_or_default();
    Ok(ChildDetail {
        id: c.id,
        first_name: c.first_name,
        last_name: c.last_name,
        fiscal_code: c.fiscal_code.to_string(),
        birth_date: c.birth_date,
        birth_place: c.birth_place,
        sex: c.sex,
        address: c.address,
        guardian_id: c.guardian_id,
        guardian_name: guardian,
        enrolments,
    })
}

/// The cards of these children, by child, by service name and school year; the fee band
/// and quota only when `fees` (the reader may see fee data).
pub async fn cards<C: ConnectionTrait>(
    db: &C,
    ente_id: EnteId,
    child_ids: &[i64],
    fees: bool,
) -> ApiResult<HashMap<i64, Vec<Enrolment>>> {
    let rows = enrolment::Entity::find_in_ente(ente_id)
        .filter(enrolment::Column::ChildId.is_in(child_ids.iter().copied()))
        .all(db)
        .await?;
    let services: HashMap<i64, service::Model> = service::Entity::find_in_ente(ente_id)
        .filter(service::Column::Id.is_in(rows.iter().map(|e| e.service_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    let places = Places::of_ente(db, ente_id).await?;
    let mut cards: HashMap<i64, Vec<Enrolment>> = HashMap::new();
    for e in rows {
        let Some(s) = services.get(&e.service_id) else {
            continue;
        };
        cards.entry(e.child_id).or_default().push(Enrolment {
            id: e.id,
            service_id: s.id,
            service_code: s.code.clone(),
            service_name: s.name.clone(),
            service_kind: s.kind,
            badge: e.badge,
            school_id: e.school_id,
            school: places.school(e.school_id),
            class_id: e.class_id,
            class_name: places.class(e.class_id),
            fee_band: fees.then_some(e.fee_band),
            quota: fees.then(|| cents_to_decimal(e.quota_cents)),
            meal_price: cents_to_decimal(e.meal_price_cents),
            meal_type: e.meal_type,
            active: e.active,
            school_year: e.school_year.to_string(),
        });
    }
    for enrolments in cards.values_mut() {
        enrolments.sort_by(|a, b| {
            (&a.service_name, &a.school_year).cmp(&(&b.service_name, &b.school_year))
        });
    }
    Ok(cards)
}
