//! Slowing down and then refusing repeated failed logins, per codice fiscale and per
//! client address. Kept in the database so that every server replica sees the same counts.

use std::time::Duration;

use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use time::OffsetDateTime;

use super::entity::login_throttle;
use crate::error::{ApiError, ApiResult};

/// Failures are counted over this window.
const WINDOW: time::Duration = time::Duration::minutes(15);
/// How long a key stays locked once over its limit.
const LOCK_FOR: time::Duration = time::Duration::minutes(15);
/// From this many failures on, each further attempt is answered more slowly.
const SLOW_FROM: i32 = 3;
const MAX_DELAY: Duration = Duration::from_secs(3);

/// What a throttle key stands for, with its limit.
#[derive(Debug, Clone)]
pub struct ThrottleKey {
    pub key: String,
    pub limit: i32,
    message: &'static str,
}

impl ThrottleKey {
    pub fn fiscal_code(ente_id: i64, fiscal_code: &str) -> ThrottleKey {
        ThrottleKey {
            key: format!("cf:{ente_id}:{fiscal_code}"),
            limit: 5,
            message: "Troppi tentativi di accesso non riusciti per questo codice fiscale",
        }
    }

    pub fn client(ip: &str) -> ThrottleKey {
        ThrottleKey {
            key: format!("ip:{ip}"),
            limit: 30,
            message: "Troppi tentativi di accesso non riusciti da questo dispositivo",
        }
    }
}

fn locked_message(key: &ThrottleKey, until: OffsetDateTime, now: OffsetDateTime) -> ApiError {
    let minutes = ((until - now).whole_seconds() + 59) / 60;
    ApiError::TooManyRequests(format!(
        "{}: per sicurezza l'accesso è sospeso. Riprova tra {} minut{}.",
        key.message,
        minutes.max(1),
        if minutes.max(1) == 1 { "o" } else { "i" }
    ))
}

/// Refuses with 429 when any of `keys` is locked.
pub async fn ensure_not_locked(db: &DatabaseConnection, keys: &[ThrottleKey]) -> ApiResult<()> {
    let now = OffsetDateTime::now_utc();
    for key in keys {
        let row = login_throttle::Entity::find_by_id(key.key.clone())
            .one(db)
            .await?;
        if let Some(until) = row.and_then(|r| r.locked_until).filter(|u| *u > now) {
            return Err(locked_message(key, until, now));
        }
    }
    Ok(())
}

/// Counts one failure for `key`; locks it when over its limit. Returns the failure count.
async fn record_one(db: &DatabaseConnection, key: &ThrottleKey) -> ApiResult<i32> {
    let now = OffsetDateTime::now_utc();
    login_throttle::Entity::insert(login_throttle::ActiveModel {
        key: Set(key.key.clone()),
        failures: Set(0),
        window_started_at: Set(now),
        locked_until: Set(None),
    })
    .on_conflict(
        OnConflict::column(login_throttle::Column::Key)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    // A window that has passed starts again (unless the key is still locked).
    login_throttle::Entity::update_many()
        .col_expr(login_throttle::Column::Failures, Expr::value(0))
        .col_expr(login_throttle::Column::WindowStartedAt, Expr::value(now))
        .filter(login_throttle::Column::Key.eq(key.key.clone()))
        .filter(login_throttle::Column::WindowStartedAt.lt(now - WINDOW))
        .filter(
            login_throttle::Column::LockedUntil
                .is_null()
                .or(login_throttle::Column::LockedUntil.lt(now)),
        )
        .exec(db)
        .await?;
    login_throttle::Entity::update_many()
        .col_expr(
            login_throttle::Column::Failures,
            Expr::col(login_throttle::Column::Failures).add(1),
        )
        .filter(login_throttle::Column::Key.eq(key.key.clone()))
        .exec(db)
        .await?;
    let failures = login_throttle::Entity::find_by_id(key.key.clone())
        .one(db)
        .await?
        .map(|r| r.failures)
        .unwrap_or(1);
    if failures >= key.limit {
        login_throttle::Entity::update_many()
            .col_expr(
                login_throttle::Column::LockedUntil,
                Expr::value(now + LOCK_FOR),
            )
            .col_expr(login_throttle::Column::Failures, Expr::value(0))
            .col_expr(login_throttle::Column::WindowStartedAt, Expr::value(now))
            .filter(login_throttle::Column::Key.eq(key.key.clone()))
            .exec(db)
            .await?;
    }
    Ok(failures)
}

/// Records a failed attempt on every key, then waits longer the more failures there were.
pub async fn record_failure(db: &DatabaseConnection, keys: &[ThrottleKey]) -> ApiResult<()> {
    let mut worst = 0;
    for key in keys {
        worst = worst.max(record_one(db, key).await?);
    }
    if worst >= SLOW_FROM {
        let delay = Duration::from_millis(500 * u64::from((worst - SLOW_FROM + 1) as u32));
        tokio::time::sleep(delay.min(MAX_DELAY)).await;
    }
    Ok(())
}

/// Forgets the failures of `key` after a successful login.
pub async fn clear(db: &DatabaseConnection, key: &ThrottleKey) -> ApiResult<()> {
    login_throttle::Entity::delete_by_id(key.key.clone())
        .exec(db)
        .await?;
    Ok(())
}
