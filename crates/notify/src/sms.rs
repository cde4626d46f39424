//! Real SMS: a client of Twilio's Programmable Messaging, the HTTP SMS gateway a comune
//! configures with its own account and sender.
//!
//! Followed: Twilio's OpenAPI for its 2010 REST API (`spec/json/twilio_api_v2010.json`
//! in twilio/twilio-oai, server `https://api.twilio.com`) and its error dictionary:
//!
//! * `POST /2010-04-01/Accounts/{AccountSid}/Messages.json`, form-encoded: `To` (E.164),
//!   `From` (a Twilio number in E.164 or an alphanumeric sender ID of up to 11
//!   characters), `Body` (up to 1600 characters; above 160 GSM-7 or 70 UCS-2 units it is
//!   split into parts);
//! * authentication: HTTP Basic with an API key SID (`SK…`) and its secret, or the
//!   Account SID (`AC…`) and its auth token;
//! * `201` with the Message resource (`sid` `SM…`, `status` `queued` or `accepted`,
//!   `num_segments`); errors as `{"code", "message", "more_info", "status"}`: `400` with
//!   21211 (invalid `To`), 21408 (region not enabled), 21610 (recipient unsubscribed),
//!   21612 (not reachable by SMS), 21614 (not a mobile number); `401` 20003
//!   (authentication); `404` 20404 (no such account); `429` 20429 (too many requests);
//!   `5xx` for Twilio's own failures.

use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use sportello_model::sms::{check_sms_text, MobileNumber};

use crate::{http_client, Delivered, DeliveryError, Refusal, Service};

/// Twilio's address.
pub const BASE_URL: &str = "https://api.twilio.com";

/// Longest alphanumeric sender ID.
pub const MAX_SENDER_ID: usize = 11;

/// Twilio's error codes that mean the recipient's number cannot get the SMS: invalid,
/// not a mobile, not reachable, unsubscribed from the sender, or in a region the account
/// may not send to.
const RECIPIENT_CODES: [i64; 5] = [21211, 21408, 21610, 21612, 21614];

/// How to reach the comune's SMS gateway account.
#[derive(Debug, Clone)]
pub struct Config {
    /// Twilio's address: [`BASE_URL`].
    pub base_url: String,
    /// The account's SID, `AC` and 32 hexadecimal digits.
    pub account_sid: String,
    /// The API key's SID (`SK…`), or the account SID when authenticating with the
    /// account's auth token.
    pub api_key: String,
    /// The API key's secret, or the auth token.
    pub api_secret: SecretString,
    /// What the family's phone shows as sender: an alphanumeric sender ID (up to 11
    /// letters, digits and spaces, e.g. `ComuneDemo`) or a number in E.164.
    pub sender: String,
    /// How long one request may take before the gateway counts as unreachable.
    pub timeout: Duration,
}

/// One SMS to one family.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sms {
    pub to: MobileNumber,
    /// At most [`sportello_model::sms::MAX_SMS_SEGMENTS`] parts.
    pub text: String,
}

/// Whether `text` is a Twilio SID: `prefix` and 32 hexadecimal digits.
fn is_sid(text: &str, prefix: &str) -> bool {
    text.strip_prefix(prefix)
        .is_some_and(|hex| hex.len() == 32 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Checks a sender: an alphanumeric ID with at least one letter, or an E.164 number.
fn check_sender(sender: &str) -> Result<(), DeliveryError> {
    let number = sender.strip_prefix('+').is_some_and(|digits| {
        (8..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit())
    });
    let alphanumeric = (1..=MAX_SENDER_ID).contains(&sender.chars().count())
        && sender
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == ' ')
        && sender.chars().any(|c| c.is_ascii_alphabetic());
    if number || alphanumeric {
        Ok(())
    } else {
        Err(DeliveryError::Config(format!(
            "il mittente degli SMS deve essere un nome di al massimo {MAX_SENDER_ID} lettere e cifre o un numero con prefisso internazionale"
        )))
    }
}

/// Twilio's answer to a new message: the parts that matter here.
#[derive(Deserialize)]
struct MessageResource {
    sid: String,
}

/// Twilio's error body.
#[derive(Deserialize)]
struct TwilioError {
    code: i64,
}

/// The SMS gateway client of one comune.
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    messages_url: String,
    api_key: String,
    api_secret: SecretString,
    sender: String,
}

impl Client {
    /// Builds the client; refuses SIDs, secrets or senders Twilio would not take.
    pub fn new(config: Config) -> Result<Self, DeliveryError> {
        let (http, base_url) = http_client(&config.base_url, config.timeout, "il gateway SMS")?;
        let account_sid = config.account_sid.trim();
        if !is_sid(account_sid, "AC") {
            return Err(DeliveryError::Config(
                "l'account del gateway SMS deve essere un SID che inizia con AC seguito da 32 cifre esadecimali".into(),
            ));
        }
        let api_key = config.api_key.trim();
        if !is_sid(api_key, "SK") && !is_sid(api_key, "AC") {
            return Err(DeliveryError::Config(
                "la chiave API del gateway SMS deve essere un SID che inizia con SK (o AC)".into(),
            ));
        }
        if config.api_secret.expose_secret().trim().is_empty() {
            return Err(DeliveryError::Config(
                "manca il segreto della chiave API del gateway SMS".into(),
            ));
        }
        let sender = config.sender.trim();
        check_sender(sender)?;
        Ok(Self {
            http,
            messages_url: format!("{base_url}/2010-04-01/Accounts/{account_sid}/Messages.json"),
            api_key: api_key.to_string(),
            api_secret: config.api_secret,
            sender: sender.to_string(),
        })
    }

    /// Sends the SMS; a text longer than the parts allowed is refused before sending.
    pub async fn send(&self, sms: &Sms) -> Result<Delivered, DeliveryError> {
        check_sms_text(&sms.text).map_err(|e| DeliveryError::Invalid(e.to_string()))?;
        let response = self
            .http
            .post(&self.messages_url)
            .basic_auth(&self.api_key, Some(self.api_secret.expose_secret()))
            .form(&[
                ("To", sms.to.as_str()),
                ("From", self.sender.as_str()),
                ("Body", sms.text.as_str()),
            ])
            .send()
            .await
            .map_err(|source| DeliveryError::Unreachable {
                service: Service::Sms,
                source,
            })?;
        if response.status().as_u16() == 201 {
            // Twilio has queued the message: an unreadable body does not undo that.
            let sid = response.json::<MessageResource>().await.ok().map(|m| m.sid);
            return Ok(Delivered {
                provider_id: sid.unwrap_or_default(),
            });
        }
        let refusal = Refusal::read(response).await;
        let code = serde_json::from_str::<TwilioError>(&refusal.detail)
            .ok()
            .map(|e| e.code);
        Err(match code {
            Some(code) if RECIPIENT_CODES.contains(&code) => DeliveryError::RecipientRefused {
                code,
                detail: refusal.detail,
            },
            _ => refusal.into_error(Service::Sms),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn senders_twilio_takes() {
        for sender in ["ComuneDemo", "Comune 01", "+393331234567", "A"] {
            assert!(check_sender(sender).is_ok(), "{sender}");
        }
        for sender in [
            "Comune di Demo",
            "12345",
            "Comunè",
            "",
            "+39 333",
            "+3933312345678901",
        ] {
            assert!(check_sender(sender).is_err(), "{sender}");
        }
    }

    #[test]
    fn sids_are_a_prefix_and_32_hex_digits() {
        assert!(is_sid("AC0123456789abcdef0123456789ABCDEF", "AC"));
        assert!(!is_sid("AC0123456789abcdef0123456789ABCDE", "AC"));
        assert!(!is_sid("SK0123456789abcdef0123456789abcdef", "AC"));
        assert!(!is_sid("AC0123456789abcdef0123456789abcdeg", "AC"));
    }
}
