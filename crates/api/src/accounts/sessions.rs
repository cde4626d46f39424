//! Refresh-token sessions: issued at login, rotated on every use, revoked on logout.
//! Presenting a token that was rotated more than [`REUSE_GRACE`] ago means it leaked: the
//! whole session (token family) is revoked.

use sea_orm::sea_query::{Expr, SimpleExpr};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, QueryFilter, TransactionTrait,
};
use time::OffsetDateTime;

use super::entity::{refresh_token, user};
use super::secrets::{random_token, token_hash};
use crate::error::{ApiError, ApiResult};

/// A refresh token handed to the client, and the session it belongs to.
pub struct IssuedSession {
    pub refresh_token: String,
    pub family: String,
}

fn expired_session() -> ApiError {
    ApiError::Unauthorized("La sessione è scaduta o non è più valida: accedi di nuovo.".into())
}

async fn insert_token<C: ConnectionTrait>(
    db: &C,
    user: &user::Model,
    family: String,
    ttl_days: i64,
    now: OffsetDateTime,
) -> ApiResult<IssuedSession> {
    let token = random_token();
    refresh_token::ActiveModel {
        ente_id: Set(user.ente_id),
        user_id: Set(user.id),
        family_id: Set(family.clone()),
        token_hash: Set(token_hash(&token)),
        created_at: Set(now),
        expires_at: Set(now + time::Duration::days(ttl_days)),
        replaced_at: Set(None),
        revoked_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(IssuedSession {
        refresh_token: token,
        family,
    })
}

/// Starts a new session for `user`.
pub async fn start(
    db: &DatabaseConnection,
    user: &user::Model,
    ttl_days: i64,
    now: OffsetDateTime,
) -> ApiResult<IssuedSession> {
    insert_token(db, user, uuid::Uuid::new_v4().to_string(), ttl_days, now).await
}

/// Revokes the tokens `which` selects that are not revoked yet.
async fn revoke<C: ConnectionTrait>(
    db: &C,
    which: SimpleExpr,
    now: OffsetDateTime,
) -> ApiResult<()> {
    refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::RevokedAt, Expr::value(now))
        .filter(which)
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// Revokes every token of a session.
pub async fn revoke_family<C: ConnectionTrait>(
    db: &C,
    family: &str,
    now: OffsetDateTime,
) -> ApiResult<()> {
    revoke(db, refresh_token::Column::FamilyId.eq(family), now).await
}

/// Revokes every session of a user (after a password change).
pub async fn revoke_user<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
    now: OffsetDateTime,
) -> ApiResult<()> {
    revoke(db, refresh_token::Column::UserId.eq(user_id), now).await
}

/// The stored refresh token presented, if it is known.
async fn presented(
    db: &DatabaseConnection,
    token: &str,
) -> ApiResult<Option<refresh_token::Model>> {
    Ok(refresh_token::Entity::find()
        .filter(refresh_token::Column::TokenHash.eq(token_hash(token)))
        .one(db)
        .await?)
}

/// The session a refresh token belongs to, if the token is known.
pub async fn family_of(db: &DatabaseConnection, token: &str) -> ApiResult<Option<String>> {
    Ok(presented(db, token).await?.map(|t| t.family_id))
}

/// How long after a refresh token was exchanged it may be exchanged again without
/// closing the session: a browser that reloads, or two tabs, can send the same cookie
/// twice before the first answer's cookie is stored. Later, the token can only have been
/// copied (the "reuse interval" of refresh-token rotation).
pub const REUSE_GRACE: time::Duration = time::Duration::seconds(30);

/// Exchanges a refresh token for a new one in the same session.
pub async fn rotate(
    db: &DatabaseConnection,
    token: &str,
    ttl_days: i64,
    now: OffsetDateTime,
) -> ApiResult<(user::Model, IssuedSession)> {
    // A second pass sees the token replaced by a concurrent exchange that claimed it first.
    for _ in 0..2 {
        let stored = presented(db, token).await?.ok_or_else(expired_session)?;
        if stored.revoked_at.is_some() || stored.expires_at <= now {
            return Err(expired_session());
        }
        if let Some(replaced_at) = stored.replaced_at {
            if now - replaced_at > REUSE_GRACE {
                return reuse_detected(db, &stored.family_id, now).await;
            }
            return next_token(db, &stored, ttl_days, now).await;
        }
        let txn = db.begin().await?;
        // Only one request can move the token from unused to replaced.
        let claimed = refresh_token::Entity::update_many()
            .col_expr(refresh_token::Column::ReplacedAt, Expr::value(now))
            .filter(refresh_token::Column::Id.eq(stored.id))
            .filter(refresh_token::Column::ReplacedAt.is_null())
            .filter(refresh_token::Column::RevokedAt.is_null())
            .exec(&txn)
            .await?;
        if claimed.rows_affected == 1 {
            let rotated = next_token(&txn, &stored, ttl_days, now).await?;
            txn.commit().await?;
            return Ok(rotated);
        }
        txn.rollback().await?;
    }
    Err(expired_session())
}

/// A new token of `stored`'s session for its user, while the user is active.
async fn next_token<C: ConnectionTrait>(
    db: &C,
    stored: &refresh_token::Model,
    ttl_days: i64,
    now: OffsetDateTime,
) -> ApiResult<(user::Model, IssuedSession)> {
    let user = user::Entity::find_by_id(stored.user_id)
        .one(db)
        .await?
        .filter(|u| u.active)
        .ok_or_else(expired_session)?;
    let issued = insert_token(db, &user, stored.family_id.clone(), ttl_days, now).await?;
    Ok((user, issued))
}

async fn reuse_detected<T>(
    db: &DatabaseConnection,
    family: &str,
    now: OffsetDateTime,
) -> ApiResult<T> {
    tracing::warn!(family, "refresh token reuse detected: revoking the session");
    revoke_family(db, family, now).await?;
    Err(ApiError::Unauthorized(
        "Questa sessione è stata usata da un altro dispositivo: per sicurezza è stata chiusa. Accedi di nuovo."
            .into(),
    ))
}
