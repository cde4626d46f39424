//! Comunicazioni: the letters a comune writes to families (`letters`: the family's
//! inbox, the PDF, and writing letters with their e-mails and SMS), the operators'
//! compositions to an audience (`compose`), and the outbox messages wait in. What causes
//! a message (a password reset, a sent form, a letter) queues it in its own transaction
//! ([`enqueue_emails`], [`enqueue_email`] for one, [`outbox::enqueue`] for any channel);
//! the worker ([`worker`]) delivers it through its channel ([`channels`]: e-mail over
//! SMTP, App IO, SMS, and the development sink), retrying with a growing wait and giving up
//! after the last attempt; operators see what did not go and send it again ([`routes`]).
//! Urgent notices' SMS to a family's users wait in `outbox_sms` ([`enqueue_sms`]) until
//! families have a confirmed mobile number to address them to.

pub mod channels;
pub mod compose;
pub mod dev_outbox;
pub mod entity;
pub mod letters;
pub mod outbox;
pub mod routes;
pub mod worker;

use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, EntityTrait, IntoActiveModel};
use time::OffsetDateTime;

use crate::db::EnteId;
use crate::error::ApiResult;
use outbox::NewMessage;

/// An e-mail to queue.
pub struct Email<'a> {
    pub to: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
}

/// An SMS to queue, to a family's user; the SMS channel delivers it to the user's
/// mobile number.
pub struct Sms<'a> {
    pub user_id: i64,
    pub body: &'a str,
}

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
    enqueue_emails(db, ente_id, &[Email { to, subject, body }], now).await
}

/// Queues e-mails in the outbox, a batch per statement, in the caller's transaction
/// when it has one: the one place e-mails enter the outbox.
pub async fn enqueue_emails<C: ConnectionTrait>(
    db: &C,
    ente_id: EnteId,
    emails: &[Email<'_>],
    now: OffsetDateTime,
) -> ApiResult<()> {
    let rows = emails.iter().map(|email| {
        outbox::pending(
            ente_id,
            NewMessage::email(email.to, email.subject, email.body),
            now,
        )
    });
    insert_batches(db, rows.collect()).await
}

/// Queues SMS in the outbox, a batch per statement, in the caller's transaction when it
/// has one: the one place SMS enter the outbox.
pub async fn enqueue_sms<C: ConnectionTrait>(
    db: &C,
    ente_id: EnteId,
    messages: &[Sms<'_>],
    now: OffsetDateTime,
) -> ApiResult<()> {
    let rows = messages.iter().map(|sms| entity::outbox_sms::ActiveModel {
        ente_id: Set(ente_id),
        user_id: Set(sms.user_id),
        body: Set(sms.body.into()),
        created_at: Set(now),
        sent_at: Set(None),
        attempts: Set(0),
        ..Default::default()
    });
    insert_batches(db, rows.collect()).await
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
