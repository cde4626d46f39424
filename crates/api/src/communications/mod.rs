//! Comunicazioni: the letters a comune writes to families (`letters`: the family's
//! inbox, the PDF, and writing letters with their e-mails and SMS), the operators'
//! compositions to an audience (`compose`), and the outboxes messages wait in:
//! [`enqueue_email`] and [`enqueue_sms`] are the only ways a message is queued.

pub mod compose;
pub mod entity;
pub mod letters;
pub mod routes;

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

/// Queues an SMS to a family's user, in the caller's transaction when it has one. The
/// SMS channel delivers it to the user's mobile number.
pub async fn enqueue_sms<C: ConnectionTrait>(
    db: &C,
    ente_id: EnteId,
    user_id: i64,
    body: &str,
    now: OffsetDateTime,
) -> ApiResult<()> {
    entity::outbox_sms::ActiveModel {
        ente_id: Set(ente_id),
        user_id: Set(user_id),
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
