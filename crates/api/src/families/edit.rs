//! The office's edits of a family: a new family (its guardian, with the prepaid
//! accounts of the comune's prepaid services and, when asked, the e-mail with the link
//! to choose a password), the guardian's details, a child, a delegate with the children
//! they may act for.
//!
//! Every value is checked by `sportello_model::family_edit`; here what depends on the
//! comune's records: a codice fiscale is one person's in the comune (a user's or a
//! child's), a child and a delegate are the family's (another family's or comune's are
//! 404), a delegate's children are the family's (a field error otherwise), and a
//! delegate the comune already has (same codice fiscale) is linked, not made twice.

use std::collections::HashSet;

use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr,
    EntityTrait, QueryFilter, SqlErr, TransactionTrait,
};
use sportello_model::auth::Role;
use sportello_model::family_edit::{
    CheckedChild, CheckedPerson, ChildForm, DelegateChildren, DelegateForm, PersonForm,
    FAMILY_EXISTS,
};
use sportello_model::{FieldError, FiscalCode};
use time::OffsetDateTime;

use crate::accounts::entity::{contact_code, user};
use crate::accounts::staff::send_invitation;
use crate::children::entity::{child, child_delegate};
use crate::db::{EnteId, TenantScoped};
use crate::entes::entity::{ente, service};
use crate::error::{ApiError, ApiResult};
use crate::payments::ledger;

/// Who in the comune has a codice fiscale: a user (with their role) or a child.
enum Holder {
    User(i64, Role),
    Child(i64),
}

async fn holder<C: ConnectionTrait>(
    db: &C,
    ente_id: EnteId,
    code: &FiscalCode,
) -> ApiResult<Option<Holder>> {
    if let Some(found) = user::Entity::find_in_ente(ente_id)
        .filter(user::Column::FiscalCode.eq(code.as_str()))
        .one(db)
        .await?
    {
        return Ok(Some(Holder::User(found.id, found.role)));
    }
    Ok(child::Entity::find_in_ente(ente_id)
        .filter(child::Column::FiscalCode.eq(code.as_str()))
        .one(db)
        .await?
        .map(|c| Holder::Child(c.id)))
}

fn code_taken(message: impl Into<String>) -> ApiError {
    ApiError::Validation(vec![FieldError::new("fiscal_code", message)])
}

/// The refusal of a codice fiscale someone else in the comune has.
fn taken_by(holder: &Holder) -> ApiError {
    code_taken(match holder {
        Holder::User(_, Role::Guardian) => FAMILY_EXISTS.to_owned(),
        Holder::User(_, role) => format!(
            "Questo codice fiscale è già di un utente del Comune ({}).",
            role.label()
        ),
        Holder::Child(_) => "Questo codice fiscale è di un alunno del Comune.".to_owned(),
    })
}

/// The codice fiscale is free for the user `me` (`None` for a new one).
async fn free_for_user<C: ConnectionTrait>(
    db: &C,
    ente_id: EnteId,
    code: &FiscalCode,
    me: Option<i64>,
) -> ApiResult<()> {
    match holder(db, ente_id, code).await? {
        Some(Holder::User(id, _)) if Some(id) == me => Ok(()),
        Some(other) => Err(taken_by(&other)),
        None => Ok(()),
    }
}

/// The codice fiscale is free for the child `me` (`None` for a new one).
async fn free_for_child<C: ConnectionTrait>(
    db: &C,
    ente_id: EnteId,
    code: &FiscalCode,
    me: Option<i64>,
) -> ApiResult<()> {
    match holder(db, ente_id, code).await? {
        Some(Holder::Child(id)) if Some(id) == me => Ok(()),
        Some(Holder::Child(_)) => Err(code_taken(
            "Esiste già un alunno con questo codice fiscale.",
        )),
        Some(other) => Err(taken_by(&other)),
        None => Ok(()),
    }
}

/// A unique index refusing the write: someone took the codice fiscale meanwhile.
fn unique(err: DbErr) -> ApiError {
    if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) {
        code_taken("Questo codice fiscale è appena stato registrato per un'altra persona.")
    } else {
        err.into()
    }
}

/// The family's guardian (404 for anyone else, another comune's included).
async fn guardian<C: ConnectionTrait>(
    db: &C,
    ente_id: EnteId,
    guardian_id: i64,
) -> ApiResult<user::Model> {
    user::Entity::find_in_ente(ente_id)
        .filter(user::Column::Id.eq(guardian_id))
        .filter(user::Column::Role.eq(Role::Guardian))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)
}

/// The family's children's ids.
async fn children_of<C: ConnectionTrait>(
    db: &C,
    ente_id: EnteId,
    guardian_id: i64,
) -> ApiResult<HashSet<i64>> {
    Ok(child::Entity::find_in_ente(ente_id)
        .filter(child::Column::GuardianId.eq(guardian_id))
        .all(db)
        .await?
        .into_iter()
        .map(|c| c.id)
        .collect())
}

/// A new user of the family (guardian or delegate), with the channels they can be
/// reached on.
fn new_user(
    ente_id: EnteId,
    role: Role,
    person: &CheckedPerson,
    now: OffsetDateTime,
) -> user::ActiveModel {
    user::ActiveModel {
        ente_id: Set(ente_id),
        role: Set(role),
        fiscal_code: Set(person.fiscal_code.clone()),
        first_name: Set(person.first_name.clone()),
        last_name: Set(person.last_name.clone()),
        email: Set(person.email.clone()),
        mobile: Set(person.mobile.clone()),
        password_hash: Set(None),
        active: Set(true),
        created_at: Set(now),
        channel_email: Set(person.email.is_some()),
        channel_sms: Set(false),
        channel_app_io: Set(false),
        invited_at: Set(None),
        ..Default::default()
    }
}

/// Queues the e-mail with the link to choose a password, when the office asked for it.
async fn invite_if_asked<C: ConnectionTrait>(
    txn: &C,
    ente: &ente::Model,
    row: &user::Model,
    person: &CheckedPerson,
    public_url: &str,
    now: OffsetDateTime,
) -> ApiResult<()> {
    match (&person.email, person.send_invitation) {
        (Some(email), true) => send_invitation(txn, ente, row, email, public_url, now).await,
        _ => Ok(()),
    }
}

/// A new family: its guardian, the prepaid accounts of the comune's prepaid services,
/// and, when asked, the invitation e-mail. Returns the guardian's id.
pub async fn create_family(
    db: &DatabaseConnection,
    ente: &ente::Model,
    form: &PersonForm,
    public_url: &str,
    now: OffsetDateTime,
) -> ApiResult<i64> {
    let person = form.check().map_err(ApiError::Validation)?;
    let ente_id = ente.ente_id();
    let txn = db.begin().await?;
    free_for_user(&txn, ente_id, &person.fiscal_code, None).await?;
    let row = new_user(ente_id, Role::Guardian, &person, now)
        .insert(&txn)
        .await
        .map_err(unique)?;
    for prepaid in service::Entity::find_in_ente(ente_id)
        .all(&txn)
        .await?
        .into_iter()
        .filter(|s| s.kind.serves_meals())
    {
        ledger::accounts_of(&txn, ente_id, prepaid.id, &[row.id], now).await?;
    }
    invite_if_asked(&txn, ente, &row, &person, public_url, now).await?;
    txn.commit().await?;
    Ok(row.id)
}

/// Writes a person's details over a user of the family. The office's word is final:
/// no confirmation code; a channel the person can no longer be reached on is turned off
/// and a change the person was confirming of a contact the office set is dropped.
async fn update_person<C: ConnectionTrait>(
    txn: &C,
    ente_id: EnteId,
    row: &user::Model,
    person: &CheckedPerson,
) -> ApiResult<()> {
    user::Entity::update_many()
        .col_expr(
            user::Column::FiscalCode,
            Expr::value(person.fiscal_code.as_str()),
        )
        .col_expr(
            user::Column::FirstName,
            Expr::value(person.first_name.clone()),
        )
        .col_expr(
            user::Column::LastName,
            Expr::value(person.last_name.clone()),
        )
        .col_expr(user::Column::Email, Expr::value(person.email.clone()))
        .col_expr(
            user::Column::Mobile,
            Expr::value(person.mobile.as_ref().map(|m| m.as_str().to_owned())),
        )
        .col_expr(
            user::Column::ChannelEmail,
            Expr::value(person.email.is_some() && (row.channel_email || row.email.is_none())),
        )
        .col_expr(
            user::Column::ChannelSms,
            Expr::value(person.mobile.is_some() && row.channel_sms),
        )
        .filter(user::Column::EnteId.eq(ente_id))
        .filter(user::Column::Id.eq(row.id))
        .exec(txn)
        .await
        .map_err(unique)?;
    contact_code::Entity::delete_many()
        .filter(contact_code::Column::EnteId.eq(ente_id))
        .filter(contact_code::Column::UserId.eq(row.id))
        .exec(txn)
        .await?;
    Ok(())
}

/// Corrects the guardian's details (the codice fiscale too, when no one else in the
/// comune has the new one).
pub async fn update_guardian(
    db: &DatabaseConnection,
    ente: &ente::Model,
    guardian_id: i64,
    form: &PersonForm,
    public_url: &str,
    now: OffsetDateTime,
) -> ApiResult<()> {
    let ente_id = ente.ente_id();
    let row = guardian(db, ente_id, guardian_id).await?;
    let person = form.check().map_err(ApiError::Validation)?;
    let txn = db.begin().await?;
    free_for_user(&txn, ente_id, &person.fiscal_code, Some(row.id)).await?;
    update_person(&txn, ente_id, &row, &person).await?;
    invite_if_asked(&txn, ente, &row, &person, public_url, now).await?;
    txn.commit().await?;
    Ok(())
}

fn child_values(child: &CheckedChild, model: &mut child::ActiveModel) {
    model.first_name = Set(child.first_name.clone());
    model.last_name = Set(child.last_name.clone());
    model.fiscal_code = Set(child.fiscal_code.clone());
    model.birth_date = Set(child.birth_date);
    model.birth_place = Set(child.birth_place.clone());
    model.sex = Set(child.sex);
    model.address = Set(child.address.clone());
}

/// Adds a child to the family; returns the child's id.
pub async fn add_child(
    db: &DatabaseConnection,
    ente_id: EnteId,
    guardian_id: i64,
    form: &ChildForm,
) -> ApiResult<i64> {
    let row = guardian(db, ente_id, guardian_id).await?;
    let checked = form.check().map_err(ApiError::Validation)?;
    let txn = db.begin().await?;
    free_for_child(&txn, ente_id, &checked.fiscal_code, None).await?;
    let mut model = child::ActiveModel {
        ente_id: Set(ente_id),
        guardian_id: Set(row.id),
        ..Default::default()
    };
    child_values(&checked, &mut model);
    let inserted = model.insert(&txn).await.map_err(unique)?;
    txn.commit().await?;
    Ok(inserted.id)
}

/// Corrects a child of the family (404 for another family's child).
pub async fn update_child(
    db: &DatabaseConnection,
    ente_id: EnteId,
    guardian_id: i64,
    child_id: i64,
    form: &ChildForm,
) -> ApiResult<()> {
    let existing = child::Entity::find_in_ente(ente_id)
        .filter(child::Column::Id.eq(child_id))
        .filter(child::Column::GuardianId.eq(guardian_id))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)?;
    let checked = form.check().map_err(ApiError::Validation)?;
    let txn = db.begin().await?;
    free_for_child(&txn, ente_id, &checked.fiscal_code, Some(existing.id)).await?;
    let mut model: child::ActiveModel = existing.into();
    child_values(&checked, &mut model);
    model.update(&txn).await.map_err(unique)?;
    txn.commit().await?;
    Ok(())
}

/// The chosen children, when they are all the family's; a field error otherwise.
async fn family_children<C: ConnectionTrait>(
    db: &C,
    ente_id: EnteId,
    guardian_id: i64,
    chosen: &[i64],
) -> ApiResult<()> {
    let own = children_of(db, ente_id, guardian_id).await?;
    if chosen.iter().all(|id| own.contains(id)) {
        Ok(())
    } else {
        Err(ApiError::Validation(vec![FieldError::new(
            "children",
            "Scegli tra i figli di questa famiglia.",
        )]))
    }
}

/// Links the delegate to exactly these children of the family.
async fn link<C: ConnectionTrait>(
    txn: &C,
    ente_id: EnteId,
    guardian_id: i64,
    delegate_id: i64,
    children: &[i64],
) -> ApiResult<()> {
    let own = children_of(txn, ente_id, guardian_id).await?;
    child_delegate::Entity::delete_many()
        .filter(child_delegate::Column::EnteId.eq(ente_id))
        .filter(child_delegate::Column::DelegateId.eq(delegate_id))
        .filter(child_delegate::Column::ChildId.is_in(own))
        .exec(txn)
        .await?;
    if children.is_empty() {
        return Ok(());
    }
    child_delegate::Entity::insert_many(children.iter().map(|&child_id| {
        child_delegate::ActiveModel {
            ente_id: Set(ente_id),
            child_id: Set(child_id),
            delegate_id: Set(delegate_id),
            ..Default::default()
        }
    }))
    .exec(txn)
    .await?;
    Ok(())
}

/// Adds a delegate for some of the family's children: a new user with role Delegate,
/// or the comune's delegate with the same codice fiscale (their details kept).
pub async fn add_delegate(
    db: &DatabaseConnection,
    ente: &ente::Model,
    guardian_id: i64,
    form: &DelegateForm,
    public_url: &str,
    now: OffsetDateTime,
) -> ApiResult<()> {
    let ente_id = ente.ente_id();
    let family = guardian(db, ente_id, guardian_id).await?;
    let (person, children) = form.check().map_err(ApiError::Validation)?;
    let txn = db.begin().await?;
    family_children(&txn, ente_id, family.id, &children).await?;
    let delegate = match holder(&txn, ente_id, &person.fiscal_code).await? {
        Some(Holder::User(id, Role::Delegate)) => user::Entity::find_in_ente(ente_id)
            .filter(user::Column::Id.eq(id))
            .one(&txn)
            .await?
            .ok_or(ApiError::NotFound)?,
        Some(other) => return Err(taken_by(&other)),
        None => {
            let row = new_user(ente_id, Role::Delegate, &person, now)
                .insert(&txn)
                .await
                .map_err(unique)?;
            invite_if_asked(&txn, ente, &row, &person, public_url, now).await?;
            row
        }
    };
    let mut all: Vec<i64> = linked(&txn, ente_id, family.id, delegate.id).await?;
    all.extend(children);
    all.sort_unstable();
    all.dedup();
    link(&txn, ente_id, family.id, delegate.id, &all).await?;
    txn.commit().await?;
    Ok(())
}

/// The family's children the delegate acts for now.
async fn linked<C: ConnectionTrait>(
    db: &C,
    ente_id: EnteId,
    guardian_id: i64,
    delegate_id: i64,
) -> ApiResult<Vec<i64>> {
    let own = children_of(db, ente_id, guardian_id).await?;
    Ok(child_delegate::Entity::find()
        .filter(child_delegate::Column::EnteId.eq(ente_id))
        .filter(child_delegate::Column::DelegateId.eq(delegate_id))
        .all(db)
        .await?
        .into_iter()
        .map(|l| l.child_id)
        .filter(|id| own.contains(id))
        .collect())
}

/// Sets which of the family's children the comune's delegate acts for (404 for anyone
/// who is not a delegate of the comune).
pub async fn set_delegate_children(
    db: &DatabaseConnection,
    ente_id: EnteId,
    guardian_id: i64,
    delegate_id: i64,
    form: &DelegateChildren,
) -> ApiResult<()> {
    guardian(db, ente_id, guardian_id).await?;
    user::Entity::find_in_ente(ente_id)
        .filter(user::Column::Id.eq(delegate_id))
        .filter(user::Column::Role.eq(Role::Delegate))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)?;
    let children = form.check().map_err(ApiError::Validation)?;
    let txn = db.begin().await?;
    family_children(&txn, ente_id, guardian_id, &children).await?;
    link(&txn, ente_id, guardian_id, delegate_id, &children).await?;
    txn.commit().await?;
    Ok(())
}

/// Removes the delegate from every child of the family (404 for one who acts for none
/// of them); the delegate's account stays (they may act for another family's children).
pub async fn remove_delegate(
    db: &DatabaseConnection,
    ente_id: EnteId,
    guardian_id: i64,
    delegate_id: i64,
) -> ApiResult<()> {
    guardian(db, ente_id, guardian_id).await?;
    if linked(db, ente_id, guardian_id, delegate_id)
        .await?
        .is_empty()
    {
        return Err(ApiError::NotFound);
    }
    let txn = db.begin().await?;
    link(&txn, ente_id, guardian_id, delegate_id, &[]).await?;
    txn.commit().await?;
    Ok(())
}
