//! Messages to families. For now: the persisted e-mail outbox that account e-mails
//! (password reset) are written to; delivery arrives with the communications capability.

pub mod entity;

use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait};
use time::OffsetDateTime;

use crate::db::EnteId;
use crate::error::ApiResult;

/// Queues an e-mail in the outbox, in the caller's transaction when it has one.
pub async fn enqueue_email<C: ConnectionTrait>(
    db: &C,
    ente_id: EnteId,
    to: &str,
    subject: &str,
    body: &str,
    now: OffsetDateTime,
) -> ApiResult<()> {
    entity::outbox_email::ActiveModel {
        ente_id: Set(ente_id),
        to_address: Set(to.into()),
        subject: Set(subject.into()),
        body: Set(body.into()),
        created_at: Set(now),
        sent_at: Set(None),
        attempts: Set(0),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}
