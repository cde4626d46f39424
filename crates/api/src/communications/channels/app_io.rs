//! App IO: a message of the outbox goes to the citizen's IO app through the App IO
//! service of the comune it comes from (`sportello_notify::io`), by codice fiscale,
//! with the pagoPA notice to pay when the letter carries one.

use std::sync::Arc;

use sportello_model::FiscalCode;
use sportello_notify::io::{FeatureLevel, Message, PaymentData};
use sportello_notify::Settings;

use super::{Channel, DeliveryError, Outgoing};

/// The comuni's App IO services.
pub struct AppIoChannel(pub Arc<Settings>);

#[async_trait::async_trait]
impl Channel for AppIoChannel {
    async fn deliver(&self, message: &Outgoing) -> Result<(), DeliveryError> {
        let client = self.0.app_io(&message.comune).ok_or_else(|| {
            DeliveryError::permanent(format!(
                "Il comune «{}» non ha un servizio App IO configurato.",
                message.sender_name
            ))
        })?;
        let fiscal_code = FiscalCode::parse(&message.recipient)
            .map_err(|e| DeliveryError::permanent(e.to_string()))?;
        let payment_data = message
            .payment_data
            .as_ref()
            .map(PaymentData::from_json)
            .transpose()
            .map_err(|e| DeliveryError::from_provider(&e))?;
        let io_message = Message {
            fiscal_code,
            subject: message.subject.clone(),
            markdown: message.body.clone(),
            payment_data,
            due_date: None,
            time_to_live: None,
            feature_level: FeatureLevel::Standard,
        };
        client
            .send(&io_message)
            .await
            .map(|_| ())
            .map_err(|e| DeliveryError::from_provider(&e))
    }
}
