//! Comunicazioni: messages to families through the outbox. What causes a message (a
//! password reset, a sent form) queues it in its own transaction ([`outbox::enqueue`]);
//! the worker ([`worker`]) delivers it through its channel ([`channels`]: e-mail over
//! SMTP, and the development sink), retrying with a growing wait and giving up after the
//! last attempt; operators see what did not go and send it again ([`routes`]).

pub mod channels;
pub mod dev_outbox;
pub mod entity;
pub mod outbox;
pub mod routes;
pub mod worker;

use sea_orm::ConnectionTrait;
use time::OffsetDateTime;

use crate::db::EnteId;
use crate::error::ApiResult;
use outbox::NewMessage;

/// Queues an e-mail in the outbox, in the caller's transaction when it has one.
pub async fn enqueue_email<C: ConnectionTrait>(
    db: &C,
    ente_id: EnteId,
    to: &str,
    subject: &str,
    body: &str,
    now: OffsetDateTime,
) -> ApiResult<()> {
    outbox::enqueue(db, ente_id, NewMessage::email(to, subject, body), now).await?;
    Ok(())
}
