//! Personale: the comune's staff accounts, managed by its administrators. An invitation
//! creates the account and e-mails it the link to choose a password (SPID and CIE id
//! work at once, by codice fiscale); a change sets the role or turns the account off,
//! closing its sessions — the next request of a turned-off account is refused, because
//! every request reads the account (`auth`).

use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, SqlErr, TransactionTrait,
};
use sportello_model::staff::{
    is_staff, state_label, StaffChange, StaffInvite, StaffMember, INVITE_DAYS, STAFF_ROLES,
};
use time::OffsetDateTime;

use super::entity::user;
use super::service::password_link;
use super::sessions;
use crate::auth::Principal;
use crate::communications::enqueue_email;
use crate::db::{EnteId, TenantScoped};
use crate::entes::entity::ente;
use crate::error::{ApiError, ApiResult};

fn member(row: user::Model) -> StaffMember {
    let password_set = row.password_hash.is_some();
    StaffMember {
        id: row.id,
        role_label: row.role.label().into(),
        state_label: state_label(row.active, password_set, row.invited_at.is_some()).into(),
        first_name: row.first_name,
        last_name: row.last_name,
        fiscal_code: row.fiscal_code.to_string(),
        email: row.email,
        role: row.role,
        active: row.active,
        password_set,
        invited_at: row.invited_at,
    }
}

/// The comune's staff, by name.
pub async fn list(db: &DatabaseConnection, ente_id: EnteId) -> ApiResult<Vec<StaffMember>> {
    Ok(user::Entity::find_in_ente(ente_id)
        .filter(user::Column::Role.is_in(STAFF_ROLES))
        .order_by_asc(user::Column::LastName)
        .order_by_asc(user::Column::FirstName)
        .order_by_asc(user::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(member)
        .collect())
}

/// A staff account of the comune (404 for anyone else's account).
async fn find(db: &DatabaseConnection, ente_id: EnteId, id: i64) -> ApiResult<user::Model> {
    user::Entity::find_in_ente(ente_id)
        .filter(user::Column::Id.eq(id))
        .one(db)
        .await?
        .filter(|u| is_staff(u.role))
        .ok_or(ApiError::NotFound)
}

/// The invitation e-mail: the role, the link to choose a password, SPID and CIE.
fn invitation_text(ente: &ente::Model, row: &user::Model, link: &str) -> String {
    format!(
        "Gentile {},\n\nil {} ti ha creato un account sul portale dei servizi scolastici con il ruolo di {}.\n\nPer scegliere la tua password apri questo collegamento entro {INVITE_DAYS} giorni:\n{link}\n\nPuoi accedere anche con SPID o CIE, con il tuo codice fiscale {}.\n",
        row.full_name(),
        ente.name,
        row.role.label(),
        row.fiscal_code
    )
}

/// Stamps the invitation and queues its e-mail in the caller's transaction.
pub(crate) async fn send_invitation<C: sea_orm::ConnectionTrait>(
    txn: &C,
    ente: &ente::Model,
    row: &user::Model,
    email: &str,
    public_url: &str,
    now: OffsetDateTime,
) -> ApiResult<()> {
    let ttl = time::Duration::days(INVITE_DAYS);
    let link = password_link(txn, ente, row, ttl, public_url, now).await?;
    user::Entity::update_many()
        .col_expr(user::Column::InvitedAt, Expr::value(now))
        .filter(user::Column::EnteId.eq(ente.ente_id()))
        .filter(user::Column::Id.eq(row.id))
        .exec(txn)
        .await?;
    enqueue_email(
        txn,
        ente.ente_id(),
        email,
        &format!("{}: invito al portale dei servizi scolastici", ente.name),
        &invitation_text(ente, row, link.as_str()),
        now,
    )
    .await
}

/// Invites a new staff member: the account and its e-mail, in one transaction. A codice
/// fiscale the comune already has an account for is refused (409).
pub async fn invite(
    db: &DatabaseConnection,
    ente: &ente::Model,
    request: &StaffInvite,
    public_url: &str,
    now: OffsetDateTime,
) -> ApiResult<StaffMember> {
    let checked = request.check().map_err(ApiError::Validation)?;
    let taken = || {
        ApiError::Conflict(format!(
            "Il codice fiscale {} ha già un account del Comune: cercalo nell'elenco del personale o tra le famiglie.",
            checked.fiscal_code
        ))
    };
    let txn = db.begin().await?;
    let inserted = user::ActiveModel {
        ente_id: Set(ente.ente_id()),
        role: Set(checked.role),
        fiscal_code: Set(checked.fiscal_code.clone()),
        first_name: Set(checked.first_name.clone()),
        last_name: Set(checked.last_name.clone()),
        email: Set(Some(checked.email.clone())),
        mobile: Set(None),
        password_hash: Set(None),
        active: Set(true),
        created_at: Set(now),
        channel_email: Set(true),
        channel_sms: Set(false),
        channel_app_io: Set(false),
        invited_at: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await;
    let row = match inserted {
        Ok(row) => row,
        Err(err) if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            return Err(taken());
        }
        Err(err) => return Err(err.into()),
    };
    send_invitation(&txn, ente, &row, &checked.email, public_url, now).await?;
    txn.commit().await?;
    get(db, ente.ente_id(), row.id).await
}

/// Sends the invitation again, with a new link (the old ones still work until they
/// expire or a password is chosen).
pub async fn invite_again(
    db: &DatabaseConnection,
    ente: &ente::Model,
    id: i64,
    public_url: &str,
    now: OffsetDateTime,
) -> ApiResult<StaffMember> {
    let row = find(db, ente.ente_id(), id).await?;
    if !row.active {
        return Err(ApiError::Conflict(
            "L'account è disattivato: riattivalo prima di inviare l'invito.".into(),
        ));
    }
    let Some(email) = row.email.clone() else {
        return Err(ApiError::Conflict(
            "L'account non ha un indirizzo e-mail a cui inviare l'invito.".into(),
        ));
    };
    let txn = db.begin().await?;
    send_invitation(&txn, ente, &row, &email, public_url, now).await?;
    txn.commit().await?;
    get(db, ente.ente_id(), id).await
}

/// Changes a staff member's role and whether they may log in. Turning an account off,
/// or giving it another role, closes its sessions.
pub async fn change(
    db: &DatabaseConnection,
    principal: &Principal,
    id: i64,
    request: &StaffChange,
    now: OffsetDateTime,
) -> ApiResult<StaffMember> {
    let row = find(db, principal.ente_id, id).await?;
    request
        .check(row.id == principal.user_id)
        .map_err(ApiError::Validation)?;
    let txn = db.begin().await?;
    user::Entity::update_many()
        .col_expr(user::Column::Role, Expr::value(request.role))
        .col_expr(user::Column::Active, Expr::value(request.active))
        .filter(user::Column::EnteId.eq(principal.ente_id))
        .filter(user::Column::Id.eq(id))
        .exec(&txn)
        .await?;
    if !request.active || request.role != row.role {
        sessions::revoke_user(&txn, id, now).await?;
    }
    txn.commit().await?;
    get(db, principal.ente_id, id).await
}

/// A staff account of the comune as the office sees it (404 for anyone else's).
pub async fn get(db: &DatabaseConnection, ente_id: EnteId, id: i64) -> ApiResult<StaffMember> {
    Ok(member(find(db, ente_id, id).await?))
}
