//! Counting attempts per key (failed logins, password reset requests, confirmation codes
//! of new contacts), slowing down and then
//! refusing. Kept in the database so that every server replica sees the same counts; time
//! is the server's clock, passed in by the caller.
//!
//! Failed logins are counted per account *and* client, so that a stranger who guesses
//! from elsewhere locks only themselves out: per account and device for a browser that
//! has logged in to the account before (its device cookie), otherwise per account and
//! client address, plus a ceiling per account over every device it never logged in from
//! and a limit per address over every account. A known device is held only by its own
//! count, never by what strangers did.

use std::time::Duration;

use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter,
};
use time::OffsetDateTime;

use super::entity::login_throttle;
use crate::db::{upsert, EnteId};
use crate::error::{ApiError, ApiResult};

/// From this many failures of the most specific key on, each further failed login is
/// answered more slowly.
const SLOW_FROM: i32 = 3;
const MAX_DELAY: Duration = Duration::from_secs(3);

const LOGIN_WINDOW: time::Duration = time::Duration::minutes(15);
const LOGIN_LOCK: time::Duration = time::Duration::minutes(15);
const RESET_WINDOW: time::Duration = time::Duration::hours(1);

/// A counter: what it stands for, its limit over its window, and how long it stays
/// locked once over the limit.
#[derive(Debug, Clone)]
pub struct ThrottleKey {
    pub key: String,
    limit: i32,
    window: time::Duration,
    lock_for: time::Duration,
    message: &'static str,
}

const SAME_DEVICE: &str = "Troppi tentativi di accesso non riusciti per questo codice fiscale da questo dispositivo: per sicurezza l'accesso da qui è sospeso.";

impl ThrottleKey {
    fn login(key: String, limit: i32, message: &'static str) -> ThrottleKey {
        ThrottleKey {
            key,
            limit,
            window: LOGIN_WINDOW,
            lock_for: LOGIN_LOCK,
            message,
        }
    }

    fn reset(key: String, limit: i32) -> ThrottleKey {
        ThrottleKey {
            key,
            limit,
            window: RESET_WINDOW,
            lock_for: RESET_WINDOW,
            message: "Troppe richieste di reimpostazione della password.",
        }
    }

    /// Failed logins to one account from a browser that logged in to it before.
    pub fn account_on_device(ente_id: EnteId, fiscal_code: &str, device_hash: &str) -> ThrottleKey {
        Self::login(
            format!("cf:{ente_id}:{fiscal_code}:device:{device_hash}"),
            5,
            SAME_DEVICE,
        )
    }

    /// Failed logins to one account from one client address, on a device the account
    /// never logged in from.
    pub fn account_from_client(ente_id: EnteId, fiscal_code: &str, ip: &str) -> ThrottleKey {
        Self::login(
            format!("cf:{ente_id}:{fiscal_code}:ip:{ip}"),
            5,
            SAME_DEVICE,
        )
    }

    /// Failed logins to one account from every device it never logged in from: keeps
    /// guessing from many addresses slow, without holding a known device.
    pub fn account(ente_id: EnteId, fiscal_code: &str) -> ThrottleKey {
        Self::login(
            format!("cf:{ente_id}:{fiscal_code}"),
            20,
            "Troppi tentativi di accesso non riusciti per questo codice fiscale da dispositivi diversi: per sicurezza l'accesso con password è sospeso sui dispositivi da cui non hai mai effettuato l'accesso. Puoi entrare dal dispositivo che usi di solito o con SPID o CIE.",
        )
    }

    /// Failed logins from one client address, to any account.
    pub fn client(ip: &str) -> ThrottleKey {
        Self::login(
            format!("ip:{ip}"),
            30,
            "Troppi tentativi di accesso non riusciti da questo indirizzo: per sicurezza l'accesso da qui è sospeso.",
        )
    }

    /// Password reset e-mails for one account.
    pub fn reset_account(ente_id: EnteId, fiscal_code: &str) -> ThrottleKey {
        Self::reset(format!("reset:cf:{ente_id}:{fiscal_code}"), 3)
    }

    /// Confirmation codes one user asks for a new e-mail or mobile number.
    pub fn contact_change(ente_id: EnteId, user_id: i64) -> ThrottleKey {
        ThrottleKey {
            key: format!("contacts:{ente_id}:{user_id}"),
            limit: sportello_model::contacts::REQUESTS_PER_HOUR,
            window: RESET_WINDOW,
            lock_for: RESET_WINDOW,
            message: "Hai chiesto troppi codici di conferma.",
        }
    }

    /// Password reset requests from one client address, for any account.
    pub fn reset_client(ip: &str) -> ThrottleKey {
        Self::reset(format!("reset:ip:{ip}"), 10)
    }
}

fn locked_error(key: &ThrottleKey, until: OffsetDateTime, now: OffsetDateTime) -> ApiError {
    let seconds = (until - now).whole_seconds().max(1);
    let minutes = (seconds + 59) / 60;
    ApiError::TooManyRequests {
        detail: format!(
            "{} Riprova tra {minutes} minut{}.",
            key.message,
            if minutes == 1 { "o" } else { "i" }
        ),
        retry_after: seconds.unsigned_abs(),
    }
}

/// Refuses with 429 and `Retry-After` when any of `keys` is locked at `now`.
pub async fn ensure_not_locked(
    db: &DatabaseConnection,
    keys: &[ThrottleKey],
    now: OffsetDateTime,
) -> ApiResult<()> {
    for key in keys {
        let row = login_throttle::Entity::find_by_id(key.key.clone())
            .one(db)
            .await?;
        if let Some(until) = row.and_then(|r| r.locked_until).filter(|u| *u > now) {
            return Err(locked_error(key, until, now));
        }
    }
    Ok(())
}

/// A counter not locked at `now`.
fn unlocked(now: OffsetDateTime) -> Condition {
    Condition::any()
        .add(login_throttle::Column::LockedUntil.is_null())
        .add(login_throttle::Column::LockedUntil.lte(now))
}

/// Counts one attempt for `key`, locking it when it reaches its limit. Returns the count
/// in the current window, which only grows until the window starts again, so concurrent
/// attempts never read a count below their own.
async fn record_one(
    db: &DatabaseConnection,
    key: &ThrottleKey,
    now: OffsetDateTime,
) -> ApiResult<i32> {
    upsert(
        db,
        [login_throttle::ActiveModel {
            key: Set(key.key.clone()),
            failures: Set(0),
            window_started_at: Set(now),
            locked_until: Set(None),
        }],
        [login_throttle::Column::Key],
        [],
    )
    .await?;
    // A window that has passed starts again (unless the key is still locked).
    login_throttle::Entity::update_many()
        .col_expr(login_throttle::Column::Failures, Expr::value(0))
        .col_expr(login_throttle::Column::WindowStartedAt, Expr::value(now))
        .filter(login_throttle::Column::Key.eq(key.key.clone()))
        .filter(login_throttle::Column::WindowStartedAt.lt(now - key.window))
        .filter(unlocked(now))
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
    let count = login_throttle::Entity::find_by_id(key.key.clone())
        .one(db)
        .await?
        .map(|r| r.failures)
        .unwrap_or(1);
    if count >= key.limit {
        login_throttle::Entity::update_many()
            .col_expr(
                login_throttle::Column::LockedUntil,
                Expr::value(now + key.lock_for),
            )
            .filter(login_throttle::Column::Key.eq(key.key.clone()))
            .filter(unlocked(now))
            .exec(db)
            .await?;
    }
    Ok(count)
}

/// Records a failed login on every key, then waits longer the more failures the first
/// (most specific) key has had.
pub async fn record_failure(
    db: &DatabaseConnection,
    keys: &[ThrottleKey],
    now: OffsetDateTime,
) -> ApiResult<()> {
    let mut first = None;
    for key in keys {
        let count = record_one(db, key, now).await?;
        first.get_or_insert(count);
    }
    let failures = first.unwrap_or_default();
    if failures >= SLOW_FROM {
        let delay = Duration::from_millis(500 * u64::from((failures - SLOW_FROM + 1) as u32));
        tokio::time::sleep(delay.min(MAX_DELAY)).await;
    }
    Ok(())
}

/// Counts one attempt on each key in turn while they stay within their limit; whether all
/// of them did. A key over its limit stops the count, so that requests refused by a broad
/// key (a client address) do not use up a narrower one (an account).
pub async fn admit(
    db: &DatabaseConnection,
    keys: &[ThrottleKey],
    now: OffsetDateTime,
) -> ApiResult<bool> {
    for key in keys {
        if record_one(db, key, now).await? > key.limit {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Forgets the failures of `key` after a successful login.
pub async fn clear(db: &DatabaseConnection, key: &ThrottleKey) -> ApiResult<()> {
    login_throttle::Entity::delete_by_id(key.key.clone())
        .exec(db)
        .await?;
    Ok(())
}
