//! Messages to families: the channels they go through and the outbox that delivers them.

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

text_enum! {
    /// How a message reaches a family.
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub enum Channel {
        /// E-mail over SMTP.
        Email = "email" => "E-mail",
        /// A text message through the comune's SMS gateway.
        Sms = "sms" => "SMS",
        /// A message in App IO, the public-services app, by codice fiscale.
        AppIo = "app_io" => "App IO",
    }
}

text_enum! {
    /// Where a message of the outbox stands.
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub enum OutboxStatus {
        /// Waiting for its first attempt.
        Pending = "pending" => "In attesa di invio",
        /// An attempt failed; another is planned (`next_attempt_at`).
        Failed = "failed" => "Invio non riuscito, nuovo tentativo previsto",
        /// Delivered to the channel's service.
        Sent = "sent" => "Inviato",
        /// Every attempt failed: no more are made until an operator asks for one.
        Dead = "dead" => "Non recapitato",
    }
}

/// Attempts after which a message is dead, unless the installation sets another number.
pub const DEFAULT_MAX_ATTEMPTS: i32 = 6;

/// The wait before attempt `attempts + 1` after `attempts` failed ones: one minute, then
/// doubling (2, 4, 8… minutes) up to six hours, spread by `jitter` (0.0–1.0) over up to a
/// quarter more, so that messages failed together are not retried together.
pub fn retry_delay(attempts: i32, jitter: f64) -> Duration {
    const FIRST_SECONDS: i64 = 60;
    const MAX_SECONDS: i64 = 6 * 3600;
    let doublings = u32::try_from(attempts.saturating_sub(1).clamp(0, 20)).unwrap_or(0);
    let base = FIRST_SECONDS
        .saturating_mul(1_i64 << doublings)
        .min(MAX_SECONDS);
    let spread = (base as f64 * 0.25 * jitter.clamp(0.0, 1.0)) as i64;
    Duration::seconds(base + spread)
}

/// The wait before the next attempt after `attempts` failed ones: the wait the channel's
/// service asked for (`Retry-After`), up to the longest [`retry_delay`], or else
/// [`retry_delay`].
pub fn next_attempt_delay(attempts: i32, jitter: f64, asked: Option<Duration>) -> Duration {
    match asked {
        Some(asked) => asked.clamp(Duration::seconds(1), retry_delay(i32::MAX, 0.0)),
        None => retry_delay(attempts, jitter),
    }
}

/// A message of the outbox as operators see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OutboxMessage {
    pub id: i64,
    pub channel: Channel,
    /// `E-mail`, `SMS`, `App IO`.
    pub channel_label: String,
    /// E-mail address, mobile number or codice fiscale.
    pub recipient: String,
    pub subject: String,
    pub status: OutboxStatus,
    /// `Non recapitato`, …
    pub status_label: String,
    /// Attempts made so far.
    pub attempts: i32,
    /// Why the last attempt failed, as the channel's service said.
    pub last_error: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: OffsetDateTime,
    /// When the next attempt is due (pending and failed messages).
    #[serde(with = "time::serde::rfc3339::option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub next_attempt_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub sent_at: Option<OffsetDateTime>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_wait_longer_each_time_up_to_six_hours() {
        assert_eq!(retry_delay(1, 0.0), Duration::minutes(1));
        assert_eq!(retry_delay(2, 0.0), Duration::minutes(2));
        assert_eq!(retry_delay(4, 0.0), Duration::minutes(8));
        assert_eq!(retry_delay(30, 0.0), Duration::hours(6));
        assert_eq!(retry_delay(3, 1.0), Duration::minutes(5));
        assert!(retry_delay(3, 0.5) > retry_delay(3, 0.0));
    }

    #[test]
    fn the_wait_the_service_asks_for_comes_first_within_six_hours() {
        assert_eq!(
            next_attempt_delay(1, 0.5, Some(Duration::seconds(30))),
            Duration::seconds(30)
        );
        assert_eq!(
            next_attempt_delay(1, 0.0, Some(Duration::days(2))),
            Duration::hours(6)
        );
        assert_eq!(next_attempt_delay(2, 0.0, None), Duration::minutes(2));
    }

    #[test]
    fn statuses_and_channels_are_stored_as_their_text() {
        assert_eq!(Channel::parse("app_io"), Some(Channel::AppIo));
        assert_eq!(OutboxStatus::Dead.label(), "Non recapitato");
    }
}
