//! Comunicazioni: the letters a comune writes to families (`letters`: the family's
//! inbox, the PDF, and writing letters with their messages), the operators.
//! compositions to an audience (`compose`), and the outbox messages wait in. What causes
//! a message (a password reset, a sent form, a letter) queues it in its own transaction
//! ([`enqueue_email`], [`enqueue_messages`] for many of any channel, [`outbox::enqueue`]
//! for one);
//! the worker ([`worker`]) delivers it through its channel ([`channels`]: e-mail over
//! SMTP, App IO, SMS, and the development sink), retrying after the wait the channel's
//! service asked for (`Retry-After`) or else a growing one, and giving up after the last
//! attempt; operators see what did not go and send it again ([`routes`]).

pub mod channels;
pub mod compose;
pub mod dev_outbox;
pub mod entity;
pub mod letters;
pub mod outbox;
pub mod routes;
pub mod worker;

use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, IntoActiveModel};
use time::OffsetDateTime;

use crate::db::EnteId;
use crate::error::ApiResult;
use outbox::NewMessage;

/// Rows per insert statement when writing many rows (letters, messages), within every
/// database's limit of parameters per statement.
const BATCH: usize = 500;

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

/// Queues messages of any channel in the outbox, a batch per statement, in the caller's
/// transaction when it has one.
pub async fn enqueue_messages<C: ConnectionTrait>(
    db: &C,
    ente_id: EnteId,
    messages: Vec<NewMessage>,
    now: OffsetDateTime,
) -> ApiResult<()> {
    let rows = messages
        .into_iter()
        .map(|message| outbox::pending(ente_id, message, now));
    insert_batches(db, rows.collect()).await
}

/// Whether the comune `slug` writes to families through App IO: it has its App IO
/// service in the channels file.
pub fn app_io_available(settings: &sportello_notify::Settings, slug: &str) -> bool {
    settings.app_io(slug).is_some()
}

/// Inserts `rows` of one table, [`BATCH`] per statement.
async fn insert_batches<A, C>(db: &C, rows: Vec<A>) -> ApiResult<()>
where
    A: ActiveModelTrait + Clone,
    <A::Entity as EntityTrait>::Model: IntoActiveModel<A>,
    C: ConnectionTrait,
{
    for batch in rows.chunks(BATCH) {
        <A::Entity as EntityTrait>::insert_many(batch.to_vec())
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}
