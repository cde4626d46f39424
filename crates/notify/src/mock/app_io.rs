//! App IO's Services API as published (`apps/io-functions-services/openapi/index.yaml`),
//! behind its API gateway: the subscription key checked first (401 with the gateway's
//! own body), `POST /api/v1/profiles` and `POST /api/v1/messages` with their payloads
//! checked as IO's generated decoders check them, and IO's ProblemJson answers.

use std::collections::{HashMap, VecDeque};

use serde_json::{json, Value};
use sportello_model::app_io::{io_length, MARKDOWN_LENGTH, SUBJECT_LENGTH};
use sportello_model::FiscalCode;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use super::Shared;
use crate::io::{MAX_AMOUNT_CENTS, TIME_TO_LIVE};

/// The API's path, as in IO's base URL.
const BASE: &str = "/api/v1";

/// An answer IO gives that a test can ask for on the next message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IoRefusal {
    /// The gateway's rate limit (429), asking to wait `retry_after` seconds.
    TooManyRequests { retry_after: u64 },
    /// "The message cannot be delivered" (500).
    InternalError,
    /// The gateway in maintenance (503), asking to come back in `retry_after` seconds.
    Unavailable { retry_after: u64 },
    /// A service in test mode writing to someone outside its authorised recipients (403).
    RecipientForbidden,
}

#[derive(Default)]
struct State {
    /// Citizens with an IO profile, and whether they let the service write.
    citizens: HashMap<String, bool>,
    refusals: VecDeque<IoRefusal>,
    accepted: Vec<Value>,
}

/// A running stand-in for App IO.
pub struct AppIoStandIn {
    server: MockServer,
    state: Shared<State>,
}

/// IO's error body: a ProblemJson.
fn problem(status: u16, title: &str, detail: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(
        json!({"title": title, "status": status, "detail": detail}).to_string(),
        "application/problem+json",
    )
}

/// The API gateway's own error body, before IO's functions are reached.
fn gateway(status: u16, message: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(json!({"statusCode": status, "message": message}))
}

/// How IO's decoders report a value that is not valid.
fn invalid(payload: &str, at: &str, value: &Value, expected: &str) -> ResponseTemplate {
    problem(
        400,
        &format!("Invalid {payload}"),
        &format!("value [{value}] at [root.{at}] is not a valid [{expected}]"),
    )
}

/// A codice fiscale as IO's `FiscalCode` pattern takes it (upper case, well formed).
fn fiscal_code(value: &Value) -> bool {
    value
        .as_str()
        .is_some_and(|text| FiscalCode::parse(text).is_ok_and(|code| code.as_str() == text))
}

/// The 400 IO answers to a `NewMessage` its decoders refuse; `None` for a valid one.
fn refusal_of_new_message(body: &Value) -> Option<ResponseTemplate> {
    let bad = |at: &str, expected: &str| {
        let value = at
            .split('.')
            .try_fold(body, |v, key| v.get(key))
            .cloned()
            .unwrap_or(Value::Null);
        invalid("NewMessage", at, &value, expected)
    };
    if !fiscal_code(&body["fiscal_code"]) {
        return Some(bad("fiscal_code", "FiscalCode"));
    }
    let content = &body["content"];
    let length = |key: &str| content[key].as_str().map(io_length);
    if !length("subject").is_some_and(|n| SUBJECT_LENGTH.contains(&n)) {
        return Some(bad("content.subject", "string of length >= 10 and < 121"));
    }
    if !length("markdown").is_some_and(|n| MARKDOWN_LENGTH.contains(&n)) {
        return Some(bad(
            "content.markdown",
            "string of length >= 80 and < 10001",
        ));
    }
    if let Some(payment) = content.get("payment_data") {
        let amount = payment["amount"].as_i64();
        if !amount.is_some_and(|a| (1..=MAX_AMOUNT_CENTS).contains(&a)) {
            return Some(bad(
                "content.payment_data.amount",
                "integer >= 1 and <= 9999999999",
            ));
        }
        let notice = payment["notice_number"].as_str().unwrap_or_default();
        let notice_ok = notice.len() == 18
            && notice.bytes().all(|b| b.is_ascii_digit())
            && notice.starts_with(['0', '1', '2', '3']);
        if !notice_ok {
            return Some(bad(
                "content.payment_data.notice_number",
                "^[0123][0-9]{17}$",
            ));
        }
        let flag = &payment["invalid_after_due_date"];
        if !(flag.is_null() || flag.is_boolean()) {
            return Some(bad(
                "content.payment_data.invalid_after_due_date",
                "boolean",
            ));
        }
        let payee = payment["payee"]["fiscal_code"].as_str().unwrap_or_default();
        if payee.len() != 11 || !payee.bytes().all(|b| b.is_ascii_digit()) {
            return Some(bad(
                "content.payment_data.payee.fiscal_code",
                "OrganizationFiscalCode",
            ));
        }
    }
    if let Some(due) = content.get("due_date") {
        let ok = due.as_str().is_some_and(|text| {
            time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
                .is_ok()
                && text.ends_with('Z')
        });
        if !ok {
            return Some(bad("content.due_date", "UTCISODateFromString"));
        }
    }
    if let Some(ttl) = body.get("time_to_live") {
        let ttl = ttl.as_u64().and_then(|t| u32::try_from(t).ok());
        if !ttl.is_some_and(|t| TIME_TO_LIVE.contains(&t)) {
            return Some(bad("time_to_live", "integer >= 3600 and <= 604800"));
        }
    }
    if let Some(level) = body.get("feature_level_type") {
        if !matches!(level.as_str(), Some("STANDARD" | "ADVANCED")) {
            return Some(bad("feature_level_type", "FeatureLevelType"));
        }
    }
    None
}

impl State {
    fn answer(&mut self, api_key: &str, request: &Request) -> ResponseTemplate {
        match request.headers.get("Ocp-Apim-Subscription-Key") {
            None => {
                return gateway(
                    401,
                    "Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API.",
                )
            }
            Some(key) if key.as_bytes() != api_key.as_bytes() => {
                return gateway(
                    401,
                    "Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription.",
                )
            }
            Some(_) => {}
        }
        let json_body = request
            .headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json"));
        let body: Value = match request.body_json() {
            Ok(body) if json_body => body,
            _ => return problem(400, "Invalid payload", "The request body is not JSON"),
        };
        match (request.method.as_str(), request.url.path()) {
            ("POST", p) if p == format!("{BASE}/profiles") => self.profile(&body),
            ("POST", p) if p == format!("{BASE}/messages") => self.message(body),
            _ => gateway(404, "Resource not found"),
        }
    }

    fn profile(&self, body: &Value) -> ResponseTemplate {
        if !fiscal_code(&body["fiscal_code"]) {
            return invalid(
                "FiscalCodePayload",
                "fiscal_code",
                &body["fiscal_code"],
                "FiscalCode",
            );
        }
        match body["fiscal_code"]
            .as_str()
            .and_then(|c| self.citizens.get(c))
        {
            Some(&sender_allowed) => ResponseTemplate::new(200).set_body_json(json!({
                "sender_allowed": sender_allowed,
                "preferred_languages": ["it_IT"],
            })),
            None => problem(
                404,
                "Profile not found",
                "The profile you requested was not found in the system.",
            ),
        }
    }

    fn message(&mut self, body: Value) -> ResponseTemplate {
        if let Some(answer) = refusal_of_new_message(&body) {
            return answer;
        }
        match self.refusals.pop_front() {
            Some(IoRefusal::TooManyRequests { retry_after }) => {
                return gateway(
                    429,
                    &format!("Rate limit is exceeded. Try again in {retry_after} seconds."),
                )
                .insert_header("Retry-After", retry_after.to_string().as_str())
            }
            Some(IoRefusal::Unavailable { retry_after }) => {
                return gateway(503, "Service Unavailable")
                    .insert_header("Retry-After", retry_after.to_string().as_str())
            }
            Some(IoRefusal::InternalError) => {
                return problem(
                    500,
                    "Internal server error",
                    "The message cannot be delivered.",
                )
            }
            Some(IoRefusal::RecipientForbidden) => {
                return problem(
                    403,
                    "Recipient forbidden",
                    "You are not allowed to issue requests for the recipient.",
                )
            }
            None => {}
        }
        let id = format!("01JD{:022}", self.accepted.len() + 1);
        let location = format!(
            "{BASE}/messages/{}/{id}",
            body["fiscal_code"].as_str().unwrap_or_default()
        );
        self.accepted.push(body);
        ResponseTemplate::new(201)
            .insert_header("Location", location.as_str())
            .set_body_json(json!({"id": id}))
    }
}

impl AppIoStandIn {
    /// Starts the stand-in, accepting only `api_key`.
    pub async fn start(api_key: &str) -> Self {
        let server = MockServer::start().await;
        let state = Shared::<State>::default();
        let shared = state.clone();
        let key = api_key.to_string();
        Mock::given(any())
            .respond_with(move |request: &Request| shared.lock().answer(&key, request))
            .mount(&server)
            .await;
        Self { server, state }
    }

    /// The base URL to configure the client with.
    pub fn base_url(&self) -> String {
        format!("{}{BASE}", self.server.uri())
    }

    /// A citizen with an IO profile, letting the service write or not.
    pub fn citizen(&self, fiscal_code: &str, sender_allowed: bool) {
        self.state
            .lock()
            .citizens
            .insert(fiscal_code.to_string(), sender_allowed);
    }

    /// The next valid message is refused this way (in the order asked).
    pub fn refuse_next(&self, refusal: IoRefusal) {
        self.state.lock().refusals.push_back(refusal);
    }

    /// The messages IO accepted, as they were sent.
    pub fn accepted(&self) -> Vec<Value> {
        self.state.lock().accepted.clone()
    }

    /// Every request received, accepted or not.
    pub async fn requests(&self) -> Vec<Request> {
        self.server.received_requests().await.unwrap_or_default()
    }
}
