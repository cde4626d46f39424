//! Receipts fetched from pagoPA, for comuni that use only GPD and have no station of their
//! own to which the node could send `paSendRT`: GPD-payments keeps the receipt of every
//! paid position, and the comune asks for it.
//!
//! Followed: pagoPA's OpenAPI `openapi/openapi.json` of the pagopa-gpd-payments repository
//! ("PagoPA API Payments", tag "Payments receipts API"; published under
//! `https://api.platform.pagopa.it/gpd-payments/api/v1`):
//!
//! * authentication: API key in the `Ocp-Apim-Subscription-Key` header;
//! * `GET /payments/{organizationfiscalcode}/receipts/{iuv}` (`getReceiptByIUV`): 200 with
//!   the receipt as `application/xml` — the `paSendRTReq` (or `PaSendRTV2Request`) the
//!   node delivered, as GPD-payments stored it; 404 with a `ProblemJson` when there is no
//!   receipt (not paid yet); 401, 403, 422 and 500 otherwise.

use reqwest::header::{HeaderValue, ACCEPT};
use time::OffsetDateTime;

use crate::gpd::{failure, service_client};
use crate::node::read_receipt_document;
use crate::{EnteFiscalCode, Error, GpdConfig, Iuv, Receipt, SUBSCRIPTION_KEY_HEADER};

/// The GPD-payments receipts client.
#[derive(Debug, Clone)]
pub struct GpdReceiptsClient {
    http: reqwest::Client,
    base_url: String,
    subscription_key: HeaderValue,
}

impl GpdReceiptsClient {
    /// Builds the client; `config.base_url` is the service's base up to and including the
    /// version, e.g. `https://api.platform.pagopa.it/gpd-payments/api/v1`.
    pub fn new(config: GpdConfig) -> Result<Self, Error> {
        let (http, base_url, subscription_key) = service_client(config, "GPD-payments")?;
        Ok(Self {
            http,
            base_url,
            subscription_key,
        })
    }

    /// The receipt of the ente's notice with this IUV, or `None` when pagoPA has none (the
    /// notice is not paid). An answer that is neither is an error: unreachable,
    /// refused (`Rejected` with pagoPA's status) or a receipt that does not read.
    pub async fn receipt(
        &self,
        ente_fiscal_code: &EnteFiscalCode,
        iuv: &Iuv,
        now: OffsetDateTime,
    ) -> Result<Option<Receipt>, Error> {
        let url = format!(
            "{}/payments/{}/receipts/{}",
            self.base_url, ente_fiscal_code, iuv
        );
        let response = self
            .http
            .get(url)
            .header(SUBSCRIPTION_KEY_HEADER, self.subscription_key.clone())
            .header(ACCEPT, "application/xml, application/json")
            .send()
            .await
            .map_err(Error::Unreachable)?;
        if response.status().is_success() {
            let xml = response.text().await.map_err(Error::Unreachable)?;
            let receipt = read_receipt_document(&xml, now)
                .map_err(|fault| Error::InvalidReceipt(fault.description))?;
            if receipt.ente_fiscal_code != *ente_fiscal_code || receipt.iuv() != *iuv {
                return Err(Error::InvalidReceipt(
                    "la ricevuta è di un altro avviso".into(),
                ));
            }
            return Ok(Some(receipt));
        }
        match failure(response).await {
            (404, _) => Ok(None),
            (status, detail) => Err(Error::Rejected { status, detail }),
        }
    }
}
