//! The development sink: outside production, a channel without its real service
//! "delivers" by keeping the message in the outbox, marked sent, where the developer
//! reads it on the page `/dev/outbox`; the log says so with the message's id only (the
//! log never carries a person's data).

use super::{Channel, DeliveryError, Outgoing};

pub struct DevSink;

#[async_trait::async_trait]
impl Channel for DevSink {
    async fn deliver(&self, message: &Outgoing) -> Result<(), DeliveryError> {
        tracing::info!(
            outbox_id = message.id,
            channel = message.kind.as_str(),
            "development sink: message delivered, readable at /dev/outbox"
        );
        Ok(())
    }
}
