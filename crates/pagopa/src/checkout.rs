//! Real pagoPA: a client of Checkout's "carts" API, where an ente sends the payer with up
//! to five notices to pay in one go.
//!
//! Followed: the OpenAPI "Pagopa Checkout for EC" (`checkout_ec/v1/_openapi.json.tpl` in
//! the pagopa-infra repository, served at `https://api.platform.pagopa.it/checkout/ec/v1`
//! and `https://api.uat.platform.pagopa.it/checkout/ec/v1` for UAT, no subscription key)
//! and SANP's "Integration of the creditor touch point with Checkout":
//!
//! * `POST /carts` with a `CartRequest`: `paymentNotices` (1 to 5 `PaymentNotice`, each
//!   `noticeNumber` of 18 digits, `fiscalCode` of 11, `amount` in cents ≥ 1,
//!   `companyName` and `description` of at most 140 characters), `returnUrls`
//!   (`returnOkUrl`, `returnCancelUrl`, `returnErrorUrl`), `emailNotice`, `idCart`;
//! * answer `302` with the Checkout page in `Location`, where the payer's browser goes;
//!   `400` for a formally invalid request, `422` when a notice cannot be paid (the node's
//!   checkPosition said KO), is repeated, or there are too many (the payment-requests
//!   service behind the API), `500` for Checkout's own failures, each with a ProblemJson
//!   (`title`, `status`, `detail`) written in English for engineers.

use std::time::Duration;

use reqwest::header::{ACCEPT, LOCATION};
use reqwest::redirect::Policy;
use serde::Serialize;
use sportello_model::payments::MAX_CART_NOTICES;

use crate::gateway::MAX_TEXT;
use crate::{require, EnteFiscalCode, Error, NoticeNumber};

/// One notice of a cart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CartNotice {
    #[serde(serialize_with = "as_text")]
    pub notice_number: NoticeNumber,
    /// The ente creditore's fiscal code.
    #[serde(serialize_with = "as_text")]
    pub fiscal_code: EnteFiscalCode,
    /// Euro cents.
    pub amount: i64,
    /// The ente creditore's name.
    pub company_name: String,
    /// What the payment is for.
    pub description: String,
}

/// Codes go on the wire as their digits.
fn as_text<S: serde::Serializer>(code: &impl std::fmt::Display, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(code)
}

/// Where Checkout sends the payer back to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReturnUrls {
    pub return_ok_url: String,
    pub return_cancel_url: String,
    pub return_error_url: String,
}

/// A cart: the notices to pay in one go and where the payer comes back to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CartRequest {
    pub payment_notices: Vec<CartNotice>,
    pub return_urls: ReturnUrls,
    /// Where Checkout sends the outcome; the payer may change it there.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email_notice: Option<String>,
    /// The ente's own identifier of the cart.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_cart: Option<String>,
}

impl CartRequest {
    /// Checks what Checkout checks before asking the node: one to five notices, none
    /// twice, positive amounts, names and descriptions within pagoPA's limits.
    pub fn validate(&self) -> Result<(), Error> {
        let count = self.payment_notices.len();
        if count == 0 || count > MAX_CART_NOTICES {
            return Err(Error::CartSize);
        }
        for (i, notice) in self.payment_notices.iter().enumerate() {
            if notice.amount <= 0 {
                return Err(Error::Amount);
            }
            require(&notice.company_name, "nome dell'ente")?;
            require(&notice.description, "causale del pagamento")?;
            if notice.company_name.chars().count() > MAX_TEXT {
                return Err(Error::TooLong("nome dell'ente"));
            }
            if notice.description.chars().count() > MAX_TEXT {
                return Err(Error::TooLong("causale del pagamento"));
            }
            let repeated = self.payment_notices[..i].iter().any(|earlier| {
                earlier.fiscal_code == notice.fiscal_code
                    && earlier.notice_number == notice.notice_number
            });
            if repeated {
                return Err(Error::CartRepeated);
            }
        }
        Ok(())
    }
}

/// How to reach Checkout.
#[derive(Debug, Clone)]
pub struct CheckoutConfig {
    /// The API's base URL, up to and including the version, e.g.
    /// `https://api.platform.pagopa.it/checkout/ec/v1`.
    pub base_url: String,
    /// How long one request may take before it counts as unreachable.
    pub timeout: Duration,
}

/// The Checkout carts client.
#[derive(Debug, Clone)]
pub struct CheckoutClient {
    http: reqwest::Client,
    carts_url: reqwest::Url,
}

impl CheckoutClient {
    /// Builds the client; refuses a base URL that is not http(s).
    pub fn new(config: CheckoutConfig) -> Result<Self, Error> {
        let base = config.base_url.trim().trim_end_matches('/');
        let carts_url = reqwest::Url::parse(&format!("{base}/carts")).map_err(|_| {
            Error::Config("l'indirizzo di pagoPA Checkout non è un URL valido".into())
        })?;
        if !matches!(carts_url.scheme(), "http" | "https") {
            return Err(Error::Config(
                "l'indirizzo di pagoPA Checkout deve iniziare con https://".into(),
            ));
        }
        // The 302 is the answer: it is read, never followed.
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .redirect(Policy::none())
            .build()
            .map_err(|e| Error::Config(format!("impossibile preparare il client HTTP ({e})")))?;
        Ok(Self { http, carts_url })
    }

    /// Creates the cart; returns the Checkout page to send the payer's browser to.
    pub async fn create_cart(&self, cart: &CartRequest) -> Result<String, Error> {
        cart.validate()?;
        let response = self
            .http
            .post(self.carts_url.clone())
            .header(ACCEPT, "application/json")
            .json(cart)
            .send()
            .await
            .map_err(Error::Unreachable)?;
        let status = response.status().as_u16();
        if status == 302 {
            let location = response
                .headers()
                .get(LOCATION)
                .and_then(|value| value.to_str().ok())
                .and_then(|value| self.carts_url.join(value).ok())
                .ok_or_else(|| Error::CartRefused {
                    status,
                    detail: "302 without a usable Location".into(),
                })?;
            return Ok(location.into());
        }
        let detail = response.text().await.unwrap_or_default();
        Err(match status {
            422 => Error::CartNotPayable { detail },
            _ => Error::CartRefused { status, detail },
        })
    }
}

#[cfg(test)]
mod tests {
    use wiremock::matchers::{header, method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    use super::*;
    use crate::NoticeConfig;

    fn cart(notices: usize) -> CartRequest {
        let config = NoticeConfig::new(3, 2).expect("a numbering");
        CartRequest {
            payment_notices: (1..=notices as u64)
                .map(|n| CartNotice {
                    notice_number: NoticeNumber::generate(config, n).expect("a notice number"),
                    fiscal_code: EnteFiscalCode::parse("80012340155").expect("a fiscal code"),
                    amount: 4760,
                    company_name: "Comune di Demo".into(),
                    description: "Retta Dicembre 2026".into(),
                })
                .collect(),
            return_urls: ReturnUrls {
                return_ok_url: "https://scuola.example.it/demo/pagamenti?esito=ok".into(),
                return_cancel_url: "https://scuola.example.it/demo/pagamenti?esito=annullato"
                    .into(),
                return_error_url: "https://scuola.example.it/demo/pagamenti?esito=errore".into(),
            },
            email_notice: Some("anna.colombo@example.it".into()),
            id_cart: Some("80012340155-7".into()),
        }
    }

    /// The PagoPA stand-in: answers `POST /checkout/ec/v1/carts` with `answer`.
    async fn checkout(answer: ResponseTemplate) -> (MockServer, CheckoutClient) {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/checkout/ec/v1/carts"))
            .and(header("content-type", "application/json"))
            .respond_with(answer)
            .mount(&server)
            .await;
        let client = CheckoutClient::new(CheckoutConfig {
            base_url: format!("{}/checkout/ec/v1/", server.uri()),
            timeout: Duration::from_secs(5),
        })
        .expect("a client");
        (server, client)
    }

    /// A ProblemJson as Checkout's payment-requests service writes it.
    fn problem(status: u16, title: &str, detail: &str) -> ResponseTemplate {
        ResponseTemplate::new(status).set_body_json(serde_json::json!({
            "title": title, "detail": detail, "status": status,
        }))
    }

    #[tokio::test]
    async fn sends_the_cart_as_the_openapi_defines_it_and_follows_no_redirect() {
        let (server, client) = checkout(
            ResponseTemplate::new(302)
                .insert_header("Location", "https://checkout.pagopa.it/c/5f7e1c2a"),
        )
        .await;
        let url = client.create_cart(&cart(2)).await.expect("a cart");
        assert_eq!(url, "https://checkout.pagopa.it/c/5f7e1c2a");
        let sent = &server.received_requests().await.expect("recorded")[0];
        let body: serde_json::Value = sent.body_json().expect("JSON");
        let sent_cart = cart(2);
        let [first, second] = [0, 1].map(|i| sent_cart.payment_notices[i].notice_number.as_str());
        assert_eq!(first.len(), 18);
        assert_eq!(
            body,
            serde_json::json!({
                "paymentNotices": [
                    {"noticeNumber": first, "fiscalCode": "80012340155", "amount": 4760,
                     "companyName": "Comune di Demo", "description": "Retta Dicembre 2026"},
                    {"noticeNumber": second, "fiscalCode": "80012340155", "amount": 4760,
                     "companyName": "Comune di Demo", "description": "Retta Dicembre 2026"},
                ],
                "returnUrls": {
                    "returnOkUrl": "https://scuola.example.it/demo/pagamenti?esito=ok",
                    "returnCancelUrl": "https://scuola.example.it/demo/pagamenti?esito=annullato",
                    "returnErrorUrl": "https://scuola.example.it/demo/pagamenti?esito=errore",
                },
                "emailNotice": "anna.colombo@example.it",
                "idCart": "80012340155-7",
            })
        );
    }

    #[tokio::test]
    async fn a_relative_location_is_resolved_against_the_api() {
        let (server, client) =
            checkout(ResponseTemplate::new(302).insert_header("Location", "/c/5f7e1c2a")).await;
        let url = client.create_cart(&cart(1)).await.expect("a cart");
        assert_eq!(url, format!("{}/c/5f7e1c2a", server.uri()));
    }

    #[tokio::test]
    async fn checkouts_refusals_become_italian_errors() {
        for (status, title, detail, expected) in [
            (400, "Request validation error", "The input request is invalid",
             "pagoPA Checkout ha rifiutato il carrello (HTTP 400). Riprova più tardi."),
            (422, "Invalid payment info", "Invalid payment notice data",
             "pagoPA non accetta il pagamento di uno degli avvisi: potrebbe essere già pagato, annullato o scaduto."),
            (404, "Not Found", "Resource not found",
             "pagoPA Checkout ha rifiutato il carrello (HTTP 404). Riprova più tardi."),
            (500, "Error processing the request", "An internal error occurred processing the request",
             "pagoPA Checkout ha rifiutato il carrello (HTTP 500). Riprova più tardi."),
        ] {
            let (_server, client) = checkout(problem(status, title, detail)).await;
            let err = client.create_cart(&cart(1)).await.expect_err("refused");
            assert_eq!(err.to_string(), expected);
            match err {
                Error::CartRefused { detail: kept, .. } | Error::CartNotPayable { detail: kept } => {
                    assert!(kept.contains(detail), "{kept}")
                }
                other => panic!("{other:?}"),
            }
        }
    }

    #[tokio::test]
    async fn a_cart_checkout_would_refuse_is_never_sent() {
        let (server, client) = checkout(ResponseTemplate::new(302)).await;
        let six = client.create_cart(&cart(6)).await.expect_err("too many");
        assert_eq!(
            six.to_string(),
            "Si possono pagare insieme da 1 a 5 avvisi."
        );
        let mut twice = cart(2);
        twice.payment_notices[1] = twice.payment_notices[0].clone();
        let twice = client.create_cart(&twice).await.expect_err("repeated");
        assert_eq!(
            twice.to_string(),
            "Lo stesso avviso compare più volte nel carrello."
        );
        assert!(server
            .received_requests()
            .await
            .expect("recorded")
            .is_empty());
    }
}
