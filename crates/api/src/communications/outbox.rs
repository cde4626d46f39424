//! The outbox: every message to a family is a row written in the transaction of what
//! caused it, and delivered later by the worker ([`super::worker`]). A message is
//! claimed by one worker at a time — a conditional update that sets its lease, skipping
//! rows another replica is claiming on PostgreSQL (`FOR UPDATE SKIP LOCKED`; SQLite has
//! one writer) — then marked sent, or failed with the next attempt after a growing wait,
//! or dead after the last attempt. Operators list what failed and send a dead message
//! again.

use sea_orm::prelude::Expr;
use sea_orm::sea_query::{LockBehavior, LockType, Query, SelectStatement};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseBackend,
    DatabaseConnection, DbErr, EntityTrait, Order, PaginatorTrait, QueryFilter, QueryOrder,
    QueryTrait,
};
use sportello_model::communications::{
    next_attempt_delay, Channel as Kind, OutboxMessage, OutboxStatus,
};
use sportello_model::page::PageRequest;
use sportello_model::Page;
use time::OffsetDateTime;

use super::channels::{Attachment, DeliveryError};
use super::entity::outbox_message;
use crate::db::{fetch_page, EnteId, TenantScoped};
use crate::error::{ApiError, ApiResult};

/// A message to queue.
#[derive(Debug, Clone)]
pub struct NewMessage {
    pub channel: Kind,
    /// E-mail address, mobile number or codice fiscale, as the channel needs.
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub attachment: Option<Attachment>,
    /// App IO's `payment_data`.
    pub payment_data: Option<serde_json::Value>,
}

impl NewMessage {
    /// A plain e-mail.
    pub fn email(to: &str, subject: &str, body: &str) -> NewMessage {
        NewMessage {
            channel: Kind::Email,
            recipient: to.into(),
            subject: subject.into(),
            body: body.into(),
            attachment: None,
            payment_data: None,
        }
    }
}

/// Queues `message`, in the caller's transaction when it has one; due at once.
pub async fn enqueue<C: ConnectionTrait>(
    db: &C,
    ente_id: EnteId,
    message: NewMessage,
    now: OffsetDateTime,
) -> ApiResult<i64> {
    Ok(pending(ente_id, message, now).insert(db).await?.id)
}

/// The outbox row of `message`, waiting and due at once.
pub fn pending(
    ente_id: EnteId,
    message: NewMessage,
    now: OffsetDateTime,
) -> outbox_message::ActiveModel {
    let (attachment_name, attachment_content_type, attachment) = match message.attachment {
        Some(file) => (Some(file.name), Some(file.content_type), Some(file.bytes)),
        None => (None, None, None),
    };
    outbox_message::ActiveModel {
        ente_id: Set(ente_id),
        channel: Set(message.channel),
        recipient: Set(message.recipient),
        subject: Set(message.subject),
        body: Set(message.body),
        attachment_name: Set(attachment_name),
        attachment_content_type: Set(attachment_content_type),
        attachment: Set(attachment),
        payment_data: Set(message.payment_data.map(|data| data.to_string())),
        status: Set(OutboxStatus::Pending),
        attempts: Set(0),
        next_attempt_at: Set(Some(now)),
        locked_until: Set(None),
        last_error: Set(None),
        created_at: Set(now),
        sent_at: Set(None),
        dead_at: Set(None),
        ..Default::default()
    }
}

/// Whether a message may be sent now: waiting, and not being sent by a worker.
fn due(now: OffsetDateTime) -> Condition {
    Condition::all()
        .add(outbox_message::Column::Status.is_in([OutboxStatus::Pending, OutboxStatus::Failed]))
        .add(outbox_message::Column::NextAttemptAt.lte(now))
        .add(
            Condition::any()
                .add(outbox_message::Column::LockedUntil.is_null())
                .add(outbox_message::Column::LockedUntil.lte(now)),
        )
}

/// Claims up to `limit` due messages of the channels `kinds` for this worker until
/// `lease_until`, counting the attempt: no other worker claims them meanwhile.
pub async fn claim(
    db: &DatabaseConnection,
    kinds: &[Kind],
    now: OffsetDateTime,
    lease_until: OffsetDateTime,
    limit: u64,
) -> Result<Vec<outbox_message::Model>, DbErr> {
    if kinds.is_empty() {
        return Ok(Vec::new());
    }
    let backend = db.get_database_backend();
    let mut candidates: SelectStatement = Query::select()
        .column(outbox_message::Column::Id)
        .from(outbox_message::Entity)
        .cond_where(due(now))
        .and_where(outbox_message::Column::Channel.is_in(kinds.iter().copied()))
        .order_by(outbox_message::Column::NextAttemptAt, Order::Asc)
        .order_by(outbox_message::Column::Id, Order::Asc)
        .limit(limit)
        .to_owned();
    if backend == DatabaseBackend::Postgres {
        candidates.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
    }
    let mut update = outbox_message::Entity::update_many()
        .col_expr(
            outbox_message::Column::LockedUntil,
            Expr::value(lease_until),
        )
        .col_expr(
            outbox_message::Column::Attempts,
            Expr::col(outbox_message::Column::Attempts).add(1),
        )
        .filter(outbox_message::Column::Id.in_subquery(candidates))
        .filter(due(now))
        .into_query();
    update.returning_all();
    outbox_message::Entity::find()
        .from_raw_sql(backend.build(&update))
        .all(db)
        .await
}

/// Marks the messages `ids`, claimed by this worker, sent.
pub async fn mark_sent(
    db: &DatabaseConnection,
    ids: &[i64],
    now: OffsetDateTime,
) -> Result<(), DbErr> {
    if ids.is_empty() {
        return Ok(());
    }
    outbox_message::Entity::update_many()
        .col_expr(
            outbox_message::Column::Status,
            Expr::value(OutboxStatus::Sent),
        )
        .col_expr(outbox_message::Column::SentAt, Expr::value(Some(now)))
        .col_expr(
            outbox_message::Column::NextAttemptAt,
            Expr::value(None::<OffsetDateTime>),
        )
        .col_expr(
            outbox_message::Column::LockedUntil,
            Expr::value(None::<OffsetDateTime>),
        )
        .col_expr(
            outbox_message::Column::LastError,
            Expr::value(None::<String>),
        )
        .filter(outbox_message::Column::Id.is_in(ids.iter().copied()))
        .exec(db)
        .await?;
    Ok(())
}

/// Records a failed attempt of `message` (claimed by this worker, its `attempts`
/// counting this one): tried again after the wait the service asked for, or else after a
/// growing wait ([`next_attempt_delay`]), or dead after `max_attempts` or when trying
/// again cannot help. Returns the new status.
pub async fn mark_failed(
    db: &DatabaseConnection,
    message: &outbox_message::Model,
    error: &DeliveryError,
    max_attempts: i32,
    jitter: f64,
    now: OffsetDateTime,
) -> Result<OutboxStatus, DbErr> {
    let dead = error.permanent || message.attempts >= max_attempts;
    let (status, next_attempt_at, dead_at) = if dead {
        (OutboxStatus::Dead, None, Some(now))
    } else {
        (
            OutboxStatus::Failed,
            Some(
                now + next_attempt_delay(
                    message.attempts,
                    jitter,
                    error
                        .retry_after
                        .and_then(|wait| time::Duration::try_from(wait).ok()),
                ),
            ),
            None,
        )
    };
    outbox_message::Entity::update_many()
        .col_expr(outbox_message::Column::Status, Expr::value(status))
        .col_expr(
            outbox_message::Column::NextAttemptAt,
            Expr::value(next_attempt_at),
        )
        .col_expr(outbox_message::Column::DeadAt, Expr::value(dead_at))
        .col_expr(
            outbox_message::Column::LockedUntil,
            Expr::value(None::<OffsetDateTime>),
        )
        .col_expr(
            outbox_message::Column::LastError,
            Expr::value(Some(error.message.clone())),
        )
        .filter(outbox_message::Column::Id.eq(message.id))
        .exec(db)
        .await?;
    Ok(status)
}

fn view(m: outbox_message::Model) -> OutboxMessage {
    OutboxMessage {
        id: m.id,
        channel: m.channel,
        channel_label: m.channel.label().into(),
        recipient: m.recipient,
        subject: m.subject,
        status: m.status,
        status_label: m.status.label().into(),
        attempts: m.attempts,
        last_error: m.last_error,
        created_at: m.created_at,
        next_attempt_at: m.next_attempt_at,
        sent_at: m.sent_at,
    }
}

/// The comune's messages with `status`, or the ones that did not go (failed and dead)
/// when none is asked; newest first.
pub async fn list(
    db: &DatabaseConnection,
    ente_id: EnteId,
    status: Option<OutboxStatus>,
    paging: PageRequest,
) -> ApiResult<Page<OutboxMessage>> {
    let statuses = match status {
        Some(status) => vec![status],
        None => vec![OutboxStatus::Failed, OutboxStatus::Dead],
    };
    let paginator = outbox_message::Entity::find_in_ente(ente_id)
        .filter(outbox_message::Column::Status.is_in(statuses))
        .order_by_desc(outbox_message::Column::CreatedAt)
        .order_by_desc(outbox_message::Column::Id)
        .paginate(db, paging.per_page);
    Ok(fetch_page(paginator, paging, view).await?)
}

/// An operator's "Invia di nuovo": a dead message of the comune is due at once with all
/// its attempts again. A message that is not dead is left as it is (409).
pub async fn retry(
    db: &DatabaseConnection,
    ente_id: EnteId,
    id: i64,
    now: OffsetDateTime,
) -> ApiResult<OutboxMessage> {
    let updated = outbox_message::Entity::update_many()
        .col_expr(
            outbox_message::Column::Status,
            Expr::value(OutboxStatus::Pending),
        )
        .col_expr(outbox_message::Column::Attempts, Expr::value(0))
        .col_expr(
            outbox_message::Column::NextAttemptAt,
            Expr::value(Some(now)),
        )
        .col_expr(
            outbox_message::Column::DeadAt,
            Expr::value(None::<OffsetDateTime>),
        )
        .filter(outbox_message::Column::EnteId.eq(ente_id))
        .filter(outbox_message::Column::Id.eq(id))
        .filter(outbox_message::Column::Status.eq(OutboxStatus::Dead))
        .exec(db)
        .await?;
    let message = outbox_message::Entity::find_in_ente(ente_id)
        .filter(outbox_message::Column::Id.eq(id))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)?;
    if updated.rows_affected == 0 {
        return Err(ApiError::Conflict(format!(
            "Il messaggio non può essere inviato di nuovo: il suo stato è «{}».",
            message.status.label()
        )));
    }
    Ok(view(message))
}
