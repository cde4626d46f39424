//! The outbox's worker: claims the due messages of the channels this server delivers,
//! sends them concurrently, records each result, and goes on at once while messages are
//! due, otherwise after a short wait. When the server stops, the messages in flight are
//! finished and recorded, and no new ones are claimed.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use futures_util::stream::{self, StreamExt};
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter};
use sportello_model::communications::Channel as Kind;
use tokio::sync::watch;

use super::channels::{Attachment, Channels, DeliveryError, Outgoing};
use super::entity::outbox_message;
use super::outbox::{claim, mark_failed, mark_sent};
use crate::entes::entity::ente;
use crate::startup::Clock;

/// Messages claimed at once.
const BATCH: u64 = 64;
/// Messages being sent at the same time (and so connections a channel keeps open).
pub const CONCURRENCY: usize = 8;
/// How long a claimed message is this worker's: longer than any batch takes (each send
/// is bounded by the channel's timeout); after it, another worker may take it again.
const LEASE: time::Duration = time::Duration::minutes(10);

pub struct Worker {
    pub db: DatabaseConnection,
    pub channels: Channels,
    pub clock: Arc<Clock>,
    pub max_attempts: i32,
    /// The wait when nothing is due.
    pub poll: Duration,
}

impl Worker {
    /// Delivers until `stopping` turns true.
    pub async fn run(self, mut stopping: watch::Receiver<bool>) {
        let kinds = self.channels.kinds();
        loop {
            if *stopping.borrow() {
                return;
            }
            let claimed = match self.round(&kinds).await {
                Ok(claimed) => claimed,
                Err(err) => {
                    tracing::error!(?err, "outbox: delivery round failed");
                    0
                }
            };
            if claimed == 0 {
                tokio::select! {
                    _ = tokio::time::sleep(self.poll) => {}
                    _ = stopping.wait_for(|stop| *stop) => return,
                }
            }
        }
    }

    /// Claims, sends and records one batch; returns how many messages it claimed.
    async fn round(&self, kinds: &[Kind]) -> Result<usize, DbErr> {
        let now = self.clock.now();
        let batch = claim(&self.db, kinds, now, now + LEASE, BATCH).await?;
        if batch.is_empty() {
            return Ok(0);
        }
        let names = sender_names(&self.db, &batch).await?;
        let results: Vec<_> = stream::iter(batch)
            .map(|message| {
                let names = &names;
                async move {
                    let result = self.deliver(&message, names).await;
                    (message, result)
                }
            })
            .buffer_unordered(CONCURRENCY)
            .collect()
            .await;
        let claimed = results.len();
        let now = self.clock.now();
        let mut sent = Vec::new();
        for (message, result) in results {
            match result {
                Ok(()) => {
                    ::metrics::counter!("outbox_sent_total", "channel" => message.channel.as_str())
                        .increment(1);
                    sent.push(message.id);
                }
                Err(error) => {
                    let status = mark_failed(
                        &self.db,
                        &message,
                        &error,
                        self.max_attempts,
                        rand::random::<f64>(),
                        now,
                    )
                    .await?;
                    ::metrics::counter!("outbox_failed_attempts_total", "channel" => message.channel.as_str())
                        .increment(1);
                    tracing::warn!(
                        outbox_id = message.id,
                        channel = message.channel.as_str(),
                        attempts = message.attempts,
                        status = status.as_str(),
                        error = %error.message,
                        "outbox: delivery failed"
                    );
                }
            }
        }
        mark_sent(&self.db, &sent, now).await?;
        Ok(claimed)
    }

    async fn deliver(
        &self,
        message: &outbox_message::Model,
        names: &HashMap<i64, Sender>,
    ) -> Result<(), DeliveryError> {
        let channel = self.channels.get(message.channel).ok_or_else(|| {
            DeliveryError::transient(format!(
                "Canale {} non configurato su questo server",
                message.channel.label()
            ))
        })?;
        channel.deliver(&outgoing(message, names)).await
    }
}

/// The comune a message comes from: its name, and its slug (which names its channels).
struct Sender {
    name: String,
    slug: String,
}

/// The comuni the messages of `batch` come from, by id.
async fn sender_names(
    db: &DatabaseConnection,
    batch: &[outbox_message::Model],
) -> Result<HashMap<i64, Sender>, DbErr> {
    let ids: Vec<i64> = batch.iter().map(|m| m.ente_id.get()).collect();
    Ok(ente::Entity::find()
        .filter(ente::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|e| {
            (
                e.id,
                Sender {
                    name: e.name,
                    slug: e.slug,
                },
            )
        })
        .collect())
}

fn outgoing(message: &outbox_message::Model, names: &HashMap<i64, Sender>) -> Outgoing {
    let attachment = match (
        &message.attachment_name,
        &message.attachment_content_type,
        &message.attachment,
    ) {
        (Some(name), Some(content_type), Some(bytes)) => Some(Attachment {
            name: name.clone(),
            content_type: content_type.clone(),
            bytes: bytes.clone(),
        }),
        _ => None,
    };
    let sender = names.get(&message.ente_id.get());
    Outgoing {
        id: message.id,
        sender_name: sender
            .map(|s| s.name.clone())
            .unwrap_or_else(|| "Sportello".into()),
        comune: sender.map(|s| s.slug.clone()).unwrap_or_default(),
        kind: message.channel,
        recipient: message.recipient.clone(),
        subject: message.subject.clone(),
        body: message.body.clone(),
        attachment,
        payment_data: message
            .payment_data
            .as_deref()
            .and_then(|data| serde_json::from_str(data).ok()),
    }
}
