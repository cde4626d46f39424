//! Twilio's Messages API as published (`twilio_api_v2010.json`): HTTP Basic with the API
//! key and its secret, `POST /2010-04-01/Accounts/{AccountSid}/Messages.json` with a
//! form (`To`, `From`, `Body`) checked as Twilio checks it, the Message resource on 201
//! and Twilio's error bodies (`code`, `message`, `more_info`, `status`).

use std::collections::{HashMap, VecDeque};

use serde_json::json;
use sportello_model::sms::sms_length;
use wiremock::matchers::{any, basic_auth, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use super::Shared;

/// Longest `Body` Twilio takes, in characters.
const MAX_BODY: usize = 1600;

/// An answer Twilio gives that a test can ask for on the next message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TwilioRefusal {
    /// 20429, "Too Many Requests" (429).
    TooManyRequests,
    /// 20500, "Internal Server Error" (500).
    InternalError,
    /// 503, "Service Unavailable" (Twilio's edge, no JSON body).
    Unavailable,
}

/// An SMS Twilio queued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedSms {
    pub to: String,
    pub from: String,
    pub body: String,
    pub segments: usize,
}

#[derive(Default)]
struct State {
    /// Numbers Twilio refuses, with the error code it gives.
    refused_numbers: HashMap<String, u32>,
    refusals: VecDeque<TwilioRefusal>,
    queued: Vec<QueuedSms>,
}

/// A running stand-in for Twilio.
pub struct TwilioStandIn {
    server: MockServer,
    state: Shared<State>,
}

/// Twilio's error body.
fn error(status: u16, code: u32, message: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(json!({
        "code": code,
        "message": message,
        "more_info": format!("https://www.twilio.com/docs/errors/{code}"),
        "status": status,
    }))
}

/// What Twilio says for a number it will not send to.
fn refused_number(code: u32, to: &str, from: &str) -> ResponseTemplate {
    let message = match code {
        21211 => format!("The 'To' number {to} is not a valid phone number."),
        21408 => format!("Permission to send an SMS has not been enabled for the region indicated by the 'To' number: {to}."),
        21610 => "Attempt to send to unsubscribed recipient".to_string(),
        21612 => format!("The 'To' phone number: {to}, is not currently reachable using the 'From' phone number: {from} via SMS."),
        _ => "'To' number is not a valid mobile number".to_string(),
    };
    error(400, code, &message)
}

/// E.164: `+`, then up to 15 digits, the first not 0.
fn e164(number: &str) -> bool {
    number.strip_prefix('+').is_some_and(|digits| {
        (2..=15).contains(&digits.len())
            && digits.bytes().all(|b| b.is_ascii_digit())
            && !digits.starts_with('0')
    })
}

impl State {
    fn answer(&mut self, sender: &str, sid: &str, request: &Request) -> ResponseTemplate {
        let form_encoded = request
            .headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        if !form_encoded {
            return error(400, 20001, "Unsupported Media Type");
        }
        let form: HashMap<String, String> = String::from_utf8(request.body.clone())
            .ok()
            .and_then(|body| reqwest::Url::parse(&format!("http://form/?{body}")).ok())
            .map(|url| url.query_pairs().into_owned().collect())
            .unwrap_or_default();
        let field = |name: &str| form.get(name).map(String::as_str).unwrap_or_default();
        let (to, from, body) = (field("To"), field("From"), field("Body"));
        if to.is_empty() {
            return error(400, 21604, "A 'To' phone number is required.");
        }
        if !e164(to) {
            return refused_number(21211, to, from);
        }
        if from != sender {
            return error(400, 21212, &format!("The 'From' number {from} is not a valid phone number, shortcode, or alphanumeric sender ID."));
        }
        if body.is_empty() {
            return error(400, 21602, "Message body is required.");
        }
        if body.chars().count() > MAX_BODY {
            return error(
                400,
                21617,
                "The concatenated message body exceeds the 1600 character limit.",
            );
        }
        if let Some(&code) = self.refused_numbers.get(to) {
            return refused_number(code, to, from);
        }
        match self.refusals.pop_front() {
            Some(TwilioRefusal::TooManyRequests) => return error(429, 20429, "Too Many Requests"),
            Some(TwilioRefusal::InternalError) => {
                return error(500, 20500, "Internal Server Error")
            }
            Some(TwilioRefusal::Unavailable) => {
                return ResponseTemplate::new(503).set_body_string("Service Unavailable")
            }
            None => {}
        }
        let segments = sms_length(body).segments;
        let message_sid = format!("SM{:032x}", self.queued.len() + 1);
        self.queued.push(QueuedSms {
            to: to.to_string(),
            from: from.to_string(),
            body: body.to_string(),
            segments,
        });
        ResponseTemplate::new(201).set_body_json(json!({
            "account_sid": sid,
            "api_version": "2010-04-01",
            "body": body,
            "date_created": "Tue, 01 Dec 2026 08:00:00 +0000",
            "date_sent": null,
            "date_updated": "Tue, 01 Dec 2026 08:00:00 +0000",
            "direction": "outbound-api",
            "error_code": null,
            "error_message": null,
            "from": from,
            "messaging_service_sid": null,
            "num_media": "0",
            "num_segments": segments.to_string(),
            "price": null,
            "price_unit": null,
            "sid": message_sid,
            "status": "queued",
            "to": to,
            "uri": format!("/2010-04-01/Accounts/{sid}/Messages/{message_sid}.json"),
        }))
    }
}

impl TwilioStandIn {
    /// Starts the stand-in for the account `account_sid`, accepting only the API key
    /// `api_key` with `api_secret`, and only `sender` as `From`.
    pub async fn start(account_sid: &str, api_key: &str, api_secret: &str, sender: &str) -> Self {
        let server = MockServer::start().await;
        let state = Shared::<State>::default();
        let shared = state.clone();
        let (sender, sid) = (sender.to_string(), account_sid.to_string());
        Mock::given(method("POST"))
            .and(path(format!(
                "/2010-04-01/Accounts/{account_sid}/Messages.json"
            )))
            .and(basic_auth(api_key, api_secret))
            .respond_with(move |request: &Request| shared.lock().answer(&sender, &sid, request))
            .with_priority(1)
            .mount(&server)
            .await;
        Mock::given(any())
            .respond_with(error(401, 20003, "Authenticate"))
            .mount(&server)
            .await;
        Self { server, state }
    }

    /// The base URL to configure the client with.
    pub fn base_url(&self) -> String {
        self.server.uri()
    }

    /// Twilio refuses to send to `number` with error `code` (21211, 21408, 21610,
    /// 21612 or 21614).
    pub fn refuse_number(&self, number: &str, code: u32) {
        self.state
            .lock()
            .refused_numbers
            .insert(number.to_string(), code);
    }

    /// The next valid message is refused this way (in the order asked).
    pub fn refuse_next(&self, refusal: TwilioRefusal) {
        self.state.lock().refusals.push_back(refusal);
    }

    /// The SMS Twilio queued.
    pub fn queued(&self) -> Vec<QueuedSms> {
        self.state.lock().queued.clone()
    }

    /// Every request received, accepted or not.
    pub async fn requests(&self) -> Vec<Request> {
        self.server.received_requests().await.unwrap_or_default()
    }
}
