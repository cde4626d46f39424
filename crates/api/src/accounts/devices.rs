//! Known devices: a browser that logged in to an account keeps a random HttpOnly cookie;
//! the account remembers its hash. Failed logins from elsewhere never lock a known device
//! out (see `throttle`).

use sea_orm::{ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use time::OffsetDateTime;

use super::entity::{known_device, user};
use super::secrets::{random_token, token_hash};
use crate::db::upsert;
use crate::error::ApiResult;

/// The device cookie as a browser presents it, when it has the shape of one we issue.
pub fn presented(value: Option<&str>) -> Option<&str> {
    value.filter(|v| {
        v.len() == 43
            && v.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    })
}

/// The stored form of a device cookie, also used in throttle keys.
pub fn device_hash(token: &str) -> String {
    token_hash(token)
}

/// Whether the browser with this device cookie logged in to `user_id` before. The same
/// query runs whether or not there is such an account, so that its timing tells nothing.
pub async fn is_known(
    db: &DatabaseConnection,
    user_id: Option<i64>,
    token: &str,
) -> ApiResult<bool> {
    let accounts = known_device::Entity::find()
        .filter(known_device::Column::DeviceHash.eq(device_hash(token)))
        .all(db)
        .await?;
    Ok(accounts.iter().any(|d| Some(d.user_id) == user_id))
}

/// Remembers the browser that just logged in to `user`: its device cookie, or a new one.
/// Returns the cookie value to (re)set.
pub async fn remember(
    db: &DatabaseConnection,
    user: &user::Model,
    token: Option<&str>,
    now: OffsetDateTime,
) -> ApiResult<String> {
    let token = presented(token).map_or_else(random_token, str::to_owned);
    upsert(
        db,
        [known_device::ActiveModel {
            ente_id: Set(user.ente_id),
            user_id: Set(user.id),
            device_hash: Set(device_hash(&token)),
            created_at: Set(now),
            last_login_at: Set(now),
            ..Default::default()
        }],
        [
            known_device::Column::UserId,
            known_device::Column::DeviceHash,
        ],
        [known_device::Column::LastLoginAt],
    )
    .await?;
    Ok(token)
}
