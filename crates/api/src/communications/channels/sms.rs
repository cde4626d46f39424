//! SMS: a message of the outbox goes to the family's mobile through the SMS gateway
//! account of the comune it comes from (`sportello_notify::sms`).

use std::sync::Arc;

use sportello_model::sms::MobileNumber;
use sportello_notify::sms::Sms;
use sportello_notify::Settings;

use super::{Channel, DeliveryError, Outgoing};

/// The comuni's SMS gateway accounts.
pub struct SmsChannel(pub Arc<Settings>);

#[async_trait::async_trait]
impl Channel for SmsChannel {
    async fn deliver(&self, message: &Outgoing) -> Result<(), DeliveryError> {
        let client = self.0.sms(&message.comune).ok_or_else(|| {
            DeliveryError::permanent(format!(
                "Il comune «{}» non ha un gateway SMS configurato.",
                message.sender_name
            ))
        })?;
        let to = MobileNumber::parse(&message.recipient)
            .map_err(|e| DeliveryError::permanent(e.to_string()))?;
        client
            .send(&Sms {
                to,
                text: message.body.clone(),
            })
            .await
            .map(|_| ())
            .map_err(|e| DeliveryError::from_provider(&e))
    }
}
