//! Real pagoPA: a client of GPD ("Gestione Posizioni Debitorie"), the pagoPA service
//! where an ente registers the debt positions behind its notices.
//!
//! Followed: pagoPA's GPD OpenAPI `openapi/openapi_external_v1.json` in the
//! pagopa-debt-position repository ("PagoPA API Debt Position", servers
//! `https://api.uat.platform.pagopa.it/gpd/debt-positions-service/v1` for UAT and
//! `https://api.platform.pagopa.it/gpd/debt-positions-service/v1` for production), and
//! the SANP "Posizioni debitorie — Operazioni disponibili" pages:
//!
//! * authentication: API key in the `Ocp-Apim-Subscription-Key` header;
//! * create: `POST /organizations/{organizationfiscalcode}/debtpositions?toPublish=true`
//!   with a `PaymentPositionModel` (required: `iupd`, `type`, `fiscalCode`, `fullName`,
//!   `companyName`, `switchToExpired`); each `PaymentOptionModel` requires `iuv`,
//!   `amount` (cents, ≥ 1), `description` (≤ 140), `isPartialPayment`, `dueDate`; each
//!   `TransferModel` requires `idTransfer`, `amount`, `remittanceInformation`,
//!   `category` (taxonomy) and, for a bank transfer, `iban`. `toPublish=true` with no
//!   `validityDate` makes the position VALID, payable at once. 201 created, 409
//!   duplicate (same IUPD or IUV);
//! * cancel: a published position is withdrawn with
//!   `POST /organizations/{organizationfiscalcode}/debtpositions/{iupd}/invalidate`
//!   (200; 404 unknown; 409 not invalidable, e.g. already paid).
//!
//! GPD reads `dueDate` as a local date-time without offset; the notice number (`nav`) is
//! sent explicitly so GPD does not derive it from its own aux-digit setting.

use std::time::Duration;

use async_trait::async_trait;
use reqwest::header::{HeaderValue, ACCEPT};
use secrecy::{ExposeSecret, SecretString};
use sportello_model::payments::NoticeDeadline;

use crate::{require, DebtPosition, EnteFiscalCode, Error, NoticeNumber, PaymentGateway};

/// The header GPD reads the subscription key from.
pub const SUBSCRIPTION_KEY_HEADER: &str = "Ocp-Apim-Subscription-Key";

/// The due date sent for a notice without one: GPD requires a due date.
const NO_DUE_DATE: &str = "2099-12-31T23:59:59";

/// Longest part of an error body kept for the logs.
const MAX_DETAIL: usize = 2000;

/// How to reach GPD, or another pagoPA REST service with the same kind of access
/// (GPD-payments, FdR).
#[derive(Debug, Clone)]
pub struct GpdConfig {
    /// The service's base URL, up to and including the version, e.g.
    /// `https://api.uat.platform.pagopa.it/gpd/debt-positions-service/v1`.
    pub base_url: String,
    /// The subscription key pagoPA issued to the ente or its intermediary.
    pub subscription_key: SecretString,
    /// How long one request may take before it counts as unreachable.
    pub timeout: Duration,
}

/// The GPD REST client, a [`PaymentGateway`] for production.
#[derive(Debug, Clone)]
pub struct GpdClient {
    http: reqwest::Client,
    base_url: String,
    subscription_key: HeaderValue,
}

/// The debt position identifier (IUPD) this crate gives a notice: the ente's fiscal code
/// and the IUV, which is unique per ente, so the same notice always has the same IUPD.
pub fn iupd(ente_fiscal_code: &EnteFiscalCode, notice_number: &NoticeNumber) -> String {
    format!("{}-{}", ente_fiscal_code, notice_number.iuv())
}

/// `2024-04-27T23:59:59`: the end of the notice's day, Italian local time.
fn due_date_time(deadline: NoticeDeadline) -> String {
    match deadline.day() {
        Some(d) => format!(
            "{:04}-{:02}-{:02}T23:59:59",
            d.year(),
            u8::from(d.month()),
            d.day()
        ),
        None => NO_DUE_DATE.to_string(),
    }
}

/// The `PaymentPositionModel` JSON for a position: one payment option for the whole
/// amount, with one transfer to the ente's IBAN.
fn debt_position_body(position: &DebtPosition) -> serde_json::Value {
    serde_json::json!({
        "iupd": iupd(&position.ente_fiscal_code, &position.notice_number),
        "type": "F",
        "fiscalCode": position.payer.fiscal_code,
        "fullName": position.payer.full_name,
        "companyName": position.ente_name,
        "switchToExpired": position.deadline.expires(),
        "paymentOption": [{
            "nav": position.notice_number.as_str(),
            "iuv": position.iuv().as_str(),
            "amount": position.amount_cents,
            "description": position.description,
            "isPartialPayment": false,
            "dueDate": due_date_time(position.deadline),
            "transfer": [{
                "idTransfer": "1",
                "amount": position.amount_cents,
                "organizationFiscalCode": position.ente_fiscal_code.as_str(),
                "remittanceInformation": position.description,
                "category": position.taxonomy,
                "iban": position.iban,
            }],
        }],
    })
}

/// Status and (shortened) body of an unsuccessful answer.
pub(crate) async fn failure(response: reqwest::Response) -> (u16, String) {
    let status = response.status().as_u16();
    let mut detail = response.text().await.unwrap_or_default();
    if detail.len() > MAX_DETAIL {
        let mut cut = MAX_DETAIL;
        while !detail.is_char_boundary(cut) {
            cut -= 1;
        }
        detail.truncate(cut);
    }
    (status, detail)
}

/// A client of one pagoPA REST service (`service` names it in Italian errors): checks
/// the base URL is http(s) and the subscription key non-empty and printable.
pub(crate) fn service_client(
    config: GpdConfig,
    service: &str,
) -> Result<(reqwest::Client, String, HeaderValue), Error> {
    let url = reqwest::Url::parse(config.base_url.trim()).map_err(|_| {
        Error::Config(format!(
            "l'indirizzo del servizio {service} non è un URL valido"
        ))
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Error::Config(format!(
            "l'indirizzo del servizio {service} deve iniziare con https://"
        )));
    }
    let key = config.subscription_key.expose_secret().trim();
    if key.is_empty() {
        return Err(Error::Config(format!(
            "manca la chiave di sottoscrizione {service}"
        )));
    }
    let mut subscription_key = HeaderValue::from_str(key).map_err(|_| {
        Error::Config(format!(
            "la chiave di sottoscrizione {service} contiene caratteri non ammessi"
        ))
    })?;
    subscription_key.set_sensitive(true);
    let http = reqwest::Client::builder()
        .timeout(config.timeout)
        .build()
        .map_err(|e| Error::Config(format!("impossibile preparare il client HTTP ({e})")))?;
    Ok((
        http,
        url.as_str().trim_end_matches('/').to_string(),
        subscription_key,
    ))
}

impl GpdClient {
    /// Builds the client; refuses a base URL that is not http(s) or an empty or
    /// unprintable subscription key.
    pub fn new(config: GpdConfig) -> Result<Self, Error> {
        let (http, base_url, subscription_key) = service_client(config, "GPD")?;
        Ok(Self {
            http,
            base_url,
            subscription_key,
        })
    }

    fn positions_url(&self, ente_fiscal_code: &EnteFiscalCode) -> String {
        format!(
            "{}/organizations/{}/debtpositions",
            self.base_url, ente_fiscal_code
        )
    }

    async fn post(
        &self,
        url: String,
        body: Option<&serde_json::Value>,
    ) -> Result<reqwest::Response, Error> {
        let mut request = self
            .http
            .post(url)
            .header(SUBSCRIPTION_KEY_HEADER, self.subscription_key.clone())
            .header(ACCEPT, "application/json");
        if let Some(body) = body {
            request = request.json(body);
        }
        request.send().await.map_err(Error::Unreachable)
    }
}

#[async_trait]
impl PaymentGateway for GpdClient {
    async fn create_debt_position(&self, position: &DebtPosition) -> Result<(), Error> {
        position.validate()?;
        require(&position.iban, "IBAN di accredito")?;
        require(&position.taxonomy, "codice tassonomico del servizio")?;
        let url = format!(
            "{}?toPublish=true",
            self.positions_url(&position.ente_fiscal_code)
        );
        let response = self.post(url, Some(&debt_position_body(position))).await?;
        if response.status().is_success() {
            return Ok(());
        }
        match failure(response).await {
            (409, _) => Err(Error::PositionExists),
            (status, detail) => Err(Error::Rejected { status, detail }),
        }
    }

    async fn cancel_debt_position(
        &self,
        ente_fiscal_code: &EnteFiscalCode,
        notice_number: &NoticeNumber,
    ) -> Result<(), Error> {
        let url = format!(
            "{}/{}/invalidate",
            self.positions_url(ente_fiscal_code),
            iupd(ente_fiscal_code, notice_number)
        );
        let response = self.post(url, None).await?;
        if response.status().is_success() {
            return Ok(());
        }
        match failure(response).await {
            (404, _) => Err(Error::PositionNotFound),
            (status, detail) => Err(Error::Rejected { status, detail }),
        }
    }
}
