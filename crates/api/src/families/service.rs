//! The office's search of families and the family page.

use std::collections::{BTreeMap, HashMap};

use sea_orm::sea_query::{Condition, Expr, Func, Query};
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
};
use sportello_model::auth::Role;
use sportello_model::money::cents_to_decimal;
use sportello_model::page::PageRequest;
use sportello_model::registry::{
    FamilyAccount, FamilyChild, FamilyDelegate, FamilyDetail, FamilyHit, FamilyPerson,
};
use sportello_model::Page;

use crate::accounts::entity::user;
use crate::children::entity::{child, child_delegate, enrolment};
use crate::children::service::cards;
use crate::communications::letters;
use crate::db::{fetch_page, EnteId, TenantScoped};
use crate::entes::entity::service;
use crate::error::{ApiError, ApiResult};
use crate::payments::emissions;
use crate::payments::entity::prepaid_account;

/// Rette and letters shown on the family page: the latest ones.
const LATEST: u64 = 10;

fn lower(column: impl sea_orm::sea_query::IntoColumnRef) -> Expr {
    Expr::expr(Func::lower(Expr::col(column)))
}

/// Families of the ente with every word of `text` in the guardian's name, surname or
/// codice fiscale, in a child's, or as a child's badge; by surname and name.
pub async fn search(
    db: &DatabaseConnection,
    ente_id: EnteId,
    text: &str,
    paging: PageRequest,
) -> ApiResult<Page<FamilyHit>> {
    let words: Vec<String> = text
        .split_whitespace()
        .map(|w| w.replace(['%', '_', '\\'], ""))
        .filter(|w| w.chars().count() >= 2)
        .collect();
    if words.is_empty() {
        return Err(ApiError::field(
            "q",
            "Scrivi almeno due lettere del nome, del cognome, del codice fiscale o del badge.",
        ));
    }
    let mut query =
        user::Entity::find_in_ente(ente_id).filter(user::Column::Role.eq(Role::Guardian));
    for word in words {
        let like = format!("%{}%", word.to_lowercase());
        // A badge as typed, or in capitals or small letters (through the badge index).
        let badges = [word.clone(), word.to_uppercase(), word.to_lowercase()];
        let by_child = Query::select()
            .column(child::Column::GuardianId)
            .from(child::Entity)
            .and_where(child::Column::EnteId.eq(ente_id))
            .cond_where(
                Condition::any()
                    .add(lower(child::Column::FirstName).like(like.clone()))
                    .add(lower(child::Column::LastName).like(like.clone()))
                    .add(lower(child::Column::FiscalCode).like(like.clone())),
            )
            .to_owned();
        let by_badge = Query::select()
            .column(child::Column::GuardianId)
            .from(child::Entity)
            .and_where(child::Column::EnteId.eq(ente_id))
            .and_where(
                child::Column::Id.in_subquery(
                    Query::select()
                        .column(enrolment::Column::ChildId)
                        .from(enrolment::Entity)
                        .and_where(enrolment::Column::EnteId.eq(ente_id))
                        .and_where(enrolment::Column::Badge.is_in(badges))
                        .to_owned(),
                ),
            )
            .to_owned();
        query = query.filter(
            Condition::any()
                .add(lower(user::Column::FirstName).like(like.clone()))
                .add(lower(user::Column::LastName).like(like.clone()))
                .add(lower(user::Column::FiscalCode).like(like))
                .add(user::Column::Id.in_subquery(by_child))
                .add(user::Column::Id.in_subquery(by_badge)),
        );
    }
    let paginator = query
        .order_by_asc(user::Column::LastName)
        .order_by_asc(user::Column::FirstName)
        .order_by_asc(user::Column::Id)
        .paginate(db, paging.per_page);
    let page = fetch_page(paginator, paging, |u| u).await?;
    let mut names: HashMap<i64, Vec<String>> = HashMap::new();
    for c in child::Entity::find_in_ente(ente_id)
        .filter(child::Column::GuardianId.is_in(page.items.iter().map(|u| u.id)))
        .order_by_asc(child::Column::LastName)
        .order_by_asc(child::Column::FirstName)
        .all(db)
        .await?
    {
        names
            .entry(c.guardian_id)
            .or_default()
            .push(format!("{} {}", c.first_name, c.last_name));
    }
    Ok(Page {
        items: page
            .items
            .into_iter()
            .map(|u| FamilyHit {
                guardian_id: u.id,
                guardian_name: u.full_name(),
                fiscal_code: u.fiscal_code.to_string(),
                children: names.remove(&u.id).unwrap_or_default(),
            })
            .collect(),
        page: page.page,
        per_page: page.per_page,
        total: page.total,
    })
}

fn person(u: user::Model) -> FamilyPerson {
    FamilyPerson {
        id: u.id,
        name: u.full_name(),
        first_name: u.first_name,
        last_name: u.last_name,
        fiscal_code: u.fiscal_code.to_string(),
        email: u.email,
        mobile: u.mobile.map(String::from),
        active: u.active,
    }
}

/// The family page of the ente's guardian with this id; anyone else is 404.
pub async fn family(
    db: &DatabaseConnection,
    ente_id: EnteId,
    guardian_id: i64,
) -> ApiResult<FamilyDetail> {
    let guardian = user::Entity::find_in_ente(ente_id)
        .filter(user::Column::Id.eq(guardian_id))
        .filter(user::Column::Role.eq(Role::Guardian))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)?;
    let children = child::Entity::find_in_ente(ente_id)
        .filter(child::Column::GuardianId.eq(guardian.id))
        .order_by_asc(child::Column::LastName)
        .order_by_asc(child::Column::FirstName)
        .all(db)
        .await?;
    let child_ids: Vec<i64> = children.iter().map(|c| c.id).collect();
    let child_names: HashMap<i64, String> = children
        .iter()
        .map(|c| (c.id, format!("{} {}", c.first_name, c.last_name)))
        .collect();
    let mut cards = cards(db, ente_id, &child_ids, true).await?;
    let mut delegated: BTreeMap<i64, Vec<(String, i64)>> = BTreeMap::new();
    for link in child_delegate::Entity::find()
        .filter(child_delegate::Column::EnteId.eq(ente_id))
        .filter(child_delegate::Column::ChildId.is_in(child_ids.iter().copied()))
        .all(db)
        .await?
    {
        if let Some(name) = child_names.get(&link.child_id) {
            delegated
                .entry(link.delegate_id)
                .or_default()
                .push((name.clone(), link.child_id));
        }
    }
    let delegates: Vec<FamilyDelegate> = user::Entity::find_in_ente(ente_id)
        .filter(user::Column::Id.is_in(delegated.keys().copied()))
        .order_by_asc(user::Column::LastName)
        .order_by_asc(user::Column::FirstName)
        .all(db)
        .await?
        .into_iter()
        .map(|u| {
            let mut children = delegated.remove(&u.id).unwrap_or_default();
            children.sort();
            let (children, child_ids) = children.into_iter().unzip();
            FamilyDelegate {
                children,
                child_ids,
                person: person(u),
            }
        })
        .collect();
    let services: HashMap<i64, String> = service::Entity::find_in_ente(ente_id)
        .all(db)
        .await?
        .into_iter()
        .map(|s| (s.id, s.name))
        .collect();
    let accounts = prepaid_account::Entity::find_in_ente(ente_id)
        .filter(prepaid_account::Column::GuardianId.eq(guardian.id))
        .order_by_asc(prepaid_account::Column::ServiceId)
        .all(db)
        .await?
        .into_iter()
        .map(|a| FamilyAccount {
            service_id: a.service_id,
            service_name: services.get(&a.service_id).cloned().unwrap_or_default(),
            balance: cents_to_decimal(a.balance_cents),
            movements: u64::try_from(a.movement_count).unwrap_or_default(),
        })
        .collect();
    let latest = PageRequest {
        page: 1,
        per_page: LATEST,
    };
    let emissions = emissions::list_of_family(db, ente_id, guardian.id, latest)
        .await?
        .items;
    let letters = letters::of_family(db, ente_id, guardian.id, latest)
        .await?
        .items;
    Ok(FamilyDetail {
        guardian: person(guardian),
        delegates,
        children: children
            .into_iter()
            .map(|c| FamilyChild {
                enrolments: cards.remove(&c.id).unwrap_or_default(),
                name: format!("{} {}", c.first_name, c.last_name),
                id: c.id,
                first_name: c.first_name,
                last_name: c.last_name,
                fiscal_code: c.fiscal_code.to_string(),
                birth_date: c.birth_date,
                birth_place: c.birth_place,
                sex: c.sex,
                address: c.address,
            })
            .collect(),
        accounts,
        emissions,
        letters,
    })
}
