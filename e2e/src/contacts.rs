//! Shared steps of the journeys about a user's contacts: the comune's channels file, the
//! code the outbox sent to a new e-mail address or mobile number, and a new mobile number
//! confirmed with it.

use std::path::PathBuf;

use reqwest::StatusCode;
use serde_json::json;
use sportello_model::contacts::{Contacts, PendingChange};
use sportello_model::paths;

use crate::{json, TestServer, User};

/// A channels file giving Comune di Demo `channels` (`app_io`, `sms`), in the temporary
/// folder, for `SPORTELLO_CHANNELS_FILE`.
pub fn channels_file(channels: serde_json::Value) -> PathBuf {
    let file =
        std::env::temp_dir().join(format!("sportello-channels-{}.json", uuid::Uuid::new_v4()));
    std::fs::write(&file, json!({ "demo": channels }).to_string()).expect("the channels file");
    file
}

impl TestServer {
    /// The 6-digit code of the last message the outbox holds for `recipient` (an e-mail
    /// address, or a mobile number in E.164), as the development sink keeps it.
    pub async fn last_code_to(&self, recipient: &str) -> String {
        let body: String = self
            .scalar(&format!(
                "SELECT body FROM outbox_messages WHERE recipient = '{recipient}' ORDER BY id DESC LIMIT 1"
            ))
            .await;
        code_in(&body)
    }
}

/// The first run of six digits in `text`: the code of a confirmation message.
pub fn code_in(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    chars
        .windows(6)
        .enumerate()
        .find(|(at, window)| {
            window.iter().all(char::is_ascii_digit)
                && !chars.get(at + 6).is_some_and(char::is_ascii_digit)
                && (*at == 0 || !chars[at - 1].is_ascii_digit())
        })
        .map(|(_, window)| window.iter().collect())
        .unwrap_or_else(|| panic!("no code in {text}"))
}

impl User<'_> {
    /// Asks for a new contact of `kind` (`email`, `mobile`), asserting that the code is
    /// on its way.
    pub async fn ask_contact_change(&self, kind: &str, value: &str) -> PendingChange {
        let res = self
            .post(
                &paths::my_contact_changes(),
                &json!({"kind": kind, "value": value}),
            )
            .await;
        json(res, StatusCode::ACCEPTED).await
    }

    /// Sets `number` as the user's confirmed mobile number with the code the SMS channel
    /// sent to it.
    pub async fn confirm_mobile(&self, number: &str) -> Contacts {
        let pending = self.ask_contact_change("mobile", number).await;
        let e164: String = pending
            .value
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        let code = self.server.last_code_to(&e164).await;
        let res = self
            .post(
                &paths::my_contact_confirmation(),
                &json!({"kind": "mobile", "code": code}),
            )
            .await;
        json(res, StatusCode::OK).await
    }
}
