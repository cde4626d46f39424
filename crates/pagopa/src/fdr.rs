//! Flussi di rendicontazione (FdR): the reports in which a PSP tells the comune which
//! payments it paid into the treasury with one bank transfer (regolamento).
//!
//! Followed, from the pagopa-api repository:
//!
//! * the XML file, `xsd-common/FlussoRiversamento_1_0_4.xsd` (namespace
//!   `http://www.digitpa.gov.it/schemas/2011/Pagamenti/`): `FlussoRiversamento` with
//!   `versioneOggetto`, `identificativoFlusso`, `dataOraFlusso`,
//!   `identificativoUnivocoRegolamento`, `dataRegolamento`, `istitutoMittente`,
//!   `istitutoRicevente`, `numeroTotalePagamenti`, `importoTotalePagamenti` and one or more
//!   `datiSingoliPagamenti` (IUV, IUR, index, amount, outcome code `0`/`3`/`4`/`8`/`9`,
//!   outcome date);
//! * the FdR service for organizations, `openapi/fdr_organization.json` ("FDR - Flussi di
//!   Rendicontazione (ORGs)", server `https://api.platform.pagopa.it/fdr-org/service/v1`,
//!   API key in `Ocp-Apim-Subscription-Key`):
//!   `GET /organizations/{organizationId}/fdrs` (published flows, paged, `publishedGt`),
//!   `GET /organizations/{organizationId}/fdrs/{fdr}/revisions/{revision}/psps/{pspId}`
//!   (one flow) and `…/payments` (its payments, paged); errors are an `ErrorResponse`.

use std::str::FromStr;

use reqwest::header::{HeaderValue, ACCEPT};
use rust_decimal::Decimal;
use serde::Deserialize;
use sportello_model::reconciliation::FlowPaymentOutcome;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime, PrimitiveDateTime, UtcOffset};

use crate::gpd::{failure, service_client};
use crate::{EnteFiscalCode, Error, GpdConfig, SUBSCRIPTION_KEY_HEADER};

/// Largest page of payments asked of the FdR service (its maximum is 1000).
const PAGE_SIZE: u32 = 1000;
/// Most pages of one list read in one go: a bound against a service that never ends.
const MAX_PAGES: u32 = 100;

/// A flow, whichever way it arrived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flow {
    /// `identificativoFlusso`, the FdR service's `fdr`.
    pub flow_id: String,
    /// The revision; an XML file, which carries none, is revision 1.
    pub revision: i64,
    /// The PSP that sent it (`identificativoUnivocoMittente`, `pspId`).
    pub psp_id: String,
    /// The comune it reports to (`identificativoUnivocoRicevente`).
    pub receiver: String,
    /// When the PSP made it.
    pub flow_at: OffsetDateTime,
    /// The bank transfer paying it to the treasury.
    pub regulation_id: String,
    pub regulation_date: Date,
    pub payments: Vec<FlowPayment>,
}

impl Flow {
    /// Refuses a flow that lists the same payment (IUV, IUR and index) twice.
    fn checked(self) -> Result<Self, Error> {
        let mut seen = std::collections::HashSet::new();
        for p in &self.payments {
            if !seen.insert((&p.iuv, &p.iur, p.transfer_index)) {
                return Err(invalid(format!(
                    "il pagamento con IUV {} e IUR {} è elencato due volte",
                    p.iuv, p.iur
                )));
            }
        }
        Ok(self)
    }

    /// The sum of its payments, in cents.
    pub fn total_cents(&self) -> i64 {
        self.payments.iter().map(|p| p.amount_cents).sum()
    }
}

/// One payment of a flow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlowPayment {
    pub iuv: String,
    /// `identificativoUnivocoRiscossione`.
    pub iur: String,
    /// `indiceDatiSingoloPagamento` (1 when absent).
    pub transfer_index: i32,
    pub amount_cents: i64,
    pub outcome: FlowPaymentOutcome,
    /// `dataEsitoSingoloPagamento`.
    pub day: Date,
}

fn invalid(why: impl Into<String>) -> Error {
    Error::InvalidFlow(why.into())
}

/// Euro with exactly the cents the XSD allows (`\d+\.\d{2}`), to cents.
fn cents(text: &str, what: &str) -> Result<i64, Error> {
    let amount = Decimal::from_str(text.trim())
        .map_err(|_| invalid(format!("{what} «{}» non è un importo", text.trim())))?;
    sportello_model::money::decimal_to_cents(amount)
        .filter(|c| *c >= 0)
        .ok_or_else(|| invalid(format!("{what} «{}» non è un importo valido", text.trim())))
}

fn day(text: &str, what: &str) -> Result<Date, Error> {
    Date::parse(text.trim(), format_description!("[year]-[month]-[day]"))
        .map_err(|_| invalid(format!("{what} «{}» non è una data", text.trim())))
}

/// An ISO 8601 date-time, with an offset or (as the XML often has it) without one, read
/// as Italian local time.
fn instant(text: &str, what: &str) -> Result<OffsetDateTime, Error> {
    let text = text.trim();
    if let Ok(t) = OffsetDateTime::parse(text, &Rfc3339) {
        return Ok(t.to_offset(UtcOffset::UTC));
    }
    PrimitiveDateTime::parse(
        text,
        format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second][optional [.[subsecond]]]"
        ),
    )
    .map(sportello_model::rome::to_utc)
    .map_err(|_| invalid(format!("{what} «{text}» non è una data e ora")))
}

/// A text of the flow: trimmed, not empty, at most 35 characters (`stText35`).
fn text35(text: &str, what: &str) -> Result<String, Error> {
    let text = text.trim();
    if text.is_empty() || text.chars().count() > 35 {
        return Err(invalid(format!("{what} manca o supera i 35 caratteri")));
    }
    Ok(text.to_string())
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct XmlFlow {
    identificativo_flusso: String,
    data_ora_flusso: String,
    identificativo_univoco_regolamento: String,
    data_regolamento: String,
    istituto_mittente: XmlSender,
    istituto_ricevente: XmlReceiver,
    numero_totale_pagamenti: String,
    importo_totale_pagamenti: String,
    dati_singoli_pagamenti: Vec<XmlPayment>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct XmlSender {
    identificativo_univoco_mittente: XmlIdentifier,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct XmlReceiver {
    identificativo_univoco_ricevente: XmlIdentifier,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct XmlIdentifier {
    codice_identificativo_univoco: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct XmlPayment {
    identificativo_univoco_versamento: String,
    identificativo_univoco_riscossione: String,
    indice_dati_singolo_pagamento: Option<String>,
    singolo_importo_pagato: String,
    codice_esito_singolo_pagamento: String,
    data_esito_singolo_pagamento: String,
}

/// Reads a `FlussoRiversamento` XML file, refusing one that does not follow the XSD or
/// whose count or total differ from its payments.
pub fn parse_flow_xml(xml: &str) -> Result<Flow, Error> {
    let flow: XmlFlow =
        quick_xml::de::from_str(xml.trim_start_matches('\u{feff}')).map_err(|e| {
            invalid(format!(
                "il file non è un FlussoRiversamento leggibile ({e})"
            ))
        })?;
    let mut payments = Vec::with_capacity(flow.dati_singoli_pagamenti.len());
    for (n, p) in flow.dati_singoli_pagamenti.iter().enumerate() {
        let which = format!("pagamento {}:", n + 1);
        let transfer_index = match p.indice_dati_singolo_pagamento.as_deref() {
            None => 1,
            Some(index) => index
                .trim()
                .parse()
                .ok()
                .filter(|i| (1..=5).contains(i))
                .ok_or_else(|| invalid(format!("{which} l'indice deve essere da 1 a 5")))?,
        };
        let amount_cents = cents(&p.singolo_importo_pagato, &format!("{which} l'importo"))?;
        if amount_cents == 0 {
            return Err(invalid(format!(
                "{which} l'importo deve essere maggiore di zero"
            )));
        }
        payments.push(FlowPayment {
            iuv: text35(
                &p.identificativo_univoco_versamento,
                &format!("{which} lo IUV"),
            )?,
            iur: text35(
                &p.identificativo_univoco_riscossione,
                &format!("{which} lo IUR"),
            )?,
            transfer_index,
            amount_cents,
            outcome: FlowPaymentOutcome::from_code(&p.codice_esito_singolo_pagamento).ok_or_else(
                || {
                    invalid(format!(
                        "{which} codice esito «{}» non ammesso",
                        p.codice_esito_singolo_pagamento.trim()
                    ))
                },
            )?,
            day: day(
                &p.data_esito_singolo_pagamento,
                &format!("{which} la data esito"),
            )?,
        });
    }
    let flow_id = text35(&flow.identificativo_flusso, "l'identificativo del flusso")?;
    if !flow_id
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(invalid(
            "l'identificativo del flusso contiene caratteri non ammessi",
        ));
    }
    let parsed = Flow {
        flow_id,
        revision: 1,
        psp_id: text35(
            &flow
                .istituto_mittente
                .identificativo_univoco_mittente
                .codice_identificativo_univoco,
            "il mittente",
        )?,
        receiver: text35(
            &flow
                .istituto_ricevente
                .identificativo_univoco_ricevente
                .codice_identificativo_univoco,
            "il ricevente",
        )?,
        flow_at: instant(&flow.data_ora_flusso, "la data del flusso")?,
        regulation_id: text35(
            &flow.identificativo_univoco_regolamento,
            "l'identificativo del regolamento",
        )?,
        regulation_date: day(&flow.data_regolamento, "la data del regolamento")?,
        payments,
    };
    let count: usize = flow
        .numero_totale_pagamenti
        .trim()
        .parse()
        .map_err(|_| invalid("il numero totale dei pagamenti non è un numero"))?;
    if count != parsed.payments.len() {
        return Err(invalid(format!(
            "il numero totale dei pagamenti ({count}) non corrisponde ai pagamenti elencati ({})",
            parsed.payments.len()
        )));
    }
    if cents(&flow.importo_totale_pagamenti, "l'importo totale")? != parsed.total_cents() {
        return Err(invalid(
            "l'importo totale non corrisponde alla somma dei pagamenti",
        ));
    }
    parsed.checked()
}

/// A published flow as the FdR service lists it (`FlowByPSP`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PublishedFlow {
    pub fdr: String,
    pub psp_id: String,
    pub revision: i64,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Metadata {
    tot_page: u32,
}

#[derive(Debug, Deserialize)]
struct FlowsPage {
    metadata: Metadata,
    #[serde(default)]
    data: Vec<PublishedFlow>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SingleFlow {
    fdr: String,
    revision: i64,
    fdr_date: String,
    regulation: String,
    regulation_date: String,
    sender: ApiSender,
    receiver: ApiReceiver,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ApiSender {
    psp_id: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ApiReceiver {
    organization_id: String,
}

#[derive(Debug, Deserialize)]
struct PaymentsPage {
    metadata: Metadata,
    #[serde(default)]
    data: Vec<ApiPayment>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ApiPayment {
    iuv: String,
    iur: String,
    id_transfer: i32,
    pay: serde_json::Number,
    pay_status: String,
    pay_date: String,
}

/// The client of pagoPA's FdR service for organizations.
#[derive(Debug, Clone)]
pub struct FdrClient {
    http: reqwest::Client,
    base_url: String,
    subscription_key: HeaderValue,
}

impl FdrClient {
    /// Builds the client; `config.base_url` is e.g.
    /// `https://api.platform.pagopa.it/fdr-org/service/v1`.
    pub fn new(config: GpdConfig) -> Result<Self, Error> {
        let (http, base_url, subscription_key) = service_client(config, "FdR")?;
        Ok(Self {
            http,
            base_url,
            subscription_key,
        })
    }

    async fn get<T: serde::de::DeserializeOwned>(
        &self,
        path: String,
        query: &[(&str, String)],
    ) -> Result<T, Error> {
        let response = self
            .http
            .get(format!("{}{path}", self.base_url))
            .query(query)
            .header(SUBSCRIPTION_KEY_HEADER, self.subscription_key.clone())
            .header(ACCEPT, "application/json")
            .send()
            .await
            .map_err(Error::Unreachable)?;
        if !response.status().is_success() {
            let (status, detail) = failure(response).await;
            return Err(Error::Rejected { status, detail });
        }
        response.json().await.map_err(Error::Unreachable)
    }

    /// The flows published for the ente after `published_after`, every page.
    pub async fn published_flows(
        &self,
        ente: &EnteFiscalCode,
        published_after: OffsetDateTime,
    ) -> Result<Vec<PublishedFlow>, Error> {
        let after = published_after
            .to_offset(UtcOffset::UTC)
            .format(&Rfc3339)
            .map_err(|e| Error::Config(e.to_string()))?;
        let mut flows = Vec::new();
        let mut page = 1;
        loop {
            let answer: FlowsPage = self
                .get(
                    format!("/organizations/{ente}/fdrs"),
                    &[
                        ("publishedGt", after.clone()),
                        ("page", page.to_string()),
                        ("size", PAGE_SIZE.to_string()),
                    ],
                )
                .await?;
            flows.extend(answer.data);
            if page >= answer.metadata.tot_page || page >= MAX_PAGES {
                return Ok(flows);
            }
            page += 1;
        }
    }

    /// One published flow with all its payments.
    pub async fn flow(
        &self,
        ente: &EnteFiscalCode,
        published: &PublishedFlow,
    ) -> Result<Flow, Error> {
        let base = format!(
            "/organizations/{ente}/fdrs/{}/revisions/{}/psps/{}",
            published.fdr, published.revision, published.psp_id
        );
        let single: SingleFlow = self.get(base.clone(), &[]).await?;
        let mut payments = Vec::new();
        let mut page = 1;
        loop {
            let answer: PaymentsPage = self
                .get(
                    format!("{base}/payments"),
                    &[("page", page.to_string()), ("size", PAGE_SIZE.to_string())],
                )
                .await?;
            for p in answer.data {
                payments.push(FlowPayment {
                    iuv: text35(&p.iuv, "lo IUV")?,
                    iur: text35(&p.iur, "lo IUR")?,
                    transfer_index: p.id_transfer,
                    amount_cents: pay_cents(&p.pay)?,
                    outcome: FlowPaymentOutcome::from_status(&p.pay_status)
                        .ok_or_else(|| invalid(format!("esito «{}» non ammesso", p.pay_status)))?,
                    day: sportello_model::rome::today(instant(&p.pay_date, "la data esito")?),
                });
            }
            if page >= answer.metadata.tot_page || page >= MAX_PAGES {
                break;
            }
            page += 1;
        }
        Flow {
            flow_id: text35(&single.fdr, "l'identificativo del flusso")?,
            revision: single.revision,
            psp_id: text35(&single.sender.psp_id, "il mittente")?,
            receiver: single.receiver.organization_id,
            flow_at: instant(&single.fdr_date, "la data del flusso")?,
            regulation_id: text35(&single.regulation, "l'identificativo del regolamento")?,
            regulation_date: day(&single.regulation_date, "la data del regolamento")?,
            payments,
        }
        .checked()
    }
}

/// The `pay` number of the FdR service (euro, a JSON number) in cents.
fn pay_cents(pay: &serde_json::Number) -> Result<i64, Error> {
    let text = pay.to_string();
    Decimal::from_str(&text)
        .or_else(|_| Decimal::from_scientific(&text))
        .ok()
        .and_then(sportello_model::money::decimal_to_cents)
        .filter(|c| *c > 0)
        .ok_or_else(|| invalid(format!("l'importo «{text}» non è un importo valido")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    /// A flow as the XSD describes it, with the namespace prefix PSPs use.
    const FLOW: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<pay_i:FlussoRiversamento xmlns:pay_i="http://www.digitpa.gov.it/schemas/2011/Pagamenti/">
  <pay_i:versioneOggetto>1.0</pay_i:versioneOggetto>
  <pay_i:identificativoFlusso>2024-04-29ABI03069-S0000001</pay_i:identificativoFlusso>
  <pay_i:dataOraFlusso>2024-04-29T10:00:00</pay_i:dataOraFlusso>
  <pay_i:identificativoUnivocoRegolamento>BONIFICO-0001</pay_i:identificativoUnivocoRegolamento>
  <pay_i:dataRegolamento>2024-04-30</pay_i:dataRegolamento>
  <pay_i:istitutoMittente>
    <pay_i:identificativoUnivocoMittente>
      <pay_i:tipoIdentificativoUnivoco>B</pay_i:tipoIdentificativoUnivoco>
      <pay_i:codiceIdentificativoUnivoco>BCITITMM</pay_i:codiceIdentificativoUnivoco>
    </pay_i:identificativoUnivocoMittente>
    <pay_i:denominazioneMittente>Banca Esempio</pay_i:denominazioneMittente>
  </pay_i:istitutoMittente>
  <pay_i:istitutoRicevente>
    <pay_i:identificativoUnivocoRicevente>
      <pay_i:tipoIdentificativoUnivoco>G</pay_i:tipoIdentificativoUnivoco>
      <pay_i:codiceIdentificativoUnivoco>00123450165</pay_i:codiceIdentificativoUnivoco>
    </pay_i:identificativoUnivocoRicevente>
  </pay_i:istitutoRicevente>
  <pay_i:numeroTotalePagamenti>2</pay_i:numeroTotalePagamenti>
  <pay_i:importoTotalePagamenti>57.60</pay_i:importoTotalePagamenti>
  <pay_i:datiSingoliPagamenti>
    <pay_i:identificativoUnivocoVersamento>01000000000000144</pay_i:identificativoUnivocoVersamento>
    <pay_i:identificativoUnivocoRiscossione>IUR-0001</pay_i:identificativoUnivocoRiscossione>
    <pay_i:indiceDatiSingoloPagamento>1</pay_i:indiceDatiSingoloPagamento>
    <pay_i:singoloImportoPagato>47.60</pay_i:singoloImportoPagato>
    <pay_i:codiceEsitoSingoloPagamento>0</pay_i:codiceEsitoSingoloPagamento>
    <pay_i:dataEsitoSingoloPagamento>2024-04-27</pay_i:dataEsitoSingoloPagamento>
  </pay_i:datiSingoliPagamenti>
  <pay_i:datiSingoliPagamenti>
    <pay_i:identificativoUnivocoVersamento>01000000000000145</pay_i:identificativoUnivocoVersamento>
    <pay_i:identificativoUnivocoRiscossione>IUR-0002</pay_i:identificativoUnivocoRiscossione>
    <pay_i:singoloImportoPagato>10.00</pay_i:singoloImportoPagato>
    <pay_i:codiceEsitoSingoloPagamento>9</pay_i:codiceEsitoSingoloPagamento>
    <pay_i:dataEsitoSingoloPagamento>2024-04-28</pay_i:dataEsitoSingoloPagamento>
  </pay_i:datiSingoliPagamenti>
</pay_i:FlussoRiversamento>"#;

    #[test]
    fn reads_a_flow_file() {
        let flow = parse_flow_xml(FLOW).expect("valid flow");
        assert_eq!(flow.flow_id, "2024-04-29ABI03069-S0000001");
        assert_eq!(flow.revision, 1);
        assert_eq!(flow.psp_id, "BCITITMM");
        assert_eq!(flow.receiver, "00123450165");
        assert_eq!(flow.flow_at, datetime!(2024-04-29 08:00 UTC));
        assert_eq!(flow.regulation_date, date!(2024 - 04 - 30));
        assert_eq!(flow.total_cents(), 5760);
        assert_eq!(
            flow.payments[1],
            FlowPayment {
                iuv: "01000000000000145".into(),
                iur: "IUR-0002".into(),
                transfer_index: 1,
                amount_cents: 1000,
                outcome: FlowPaymentOutcome::NoRpt,
                day: date!(2024 - 04 - 28),
            }
        );
    }

    #[test]
    fn refuses_inconsistent_flows() {
        for (from, to, why) in [
            (
                "<pay_i:numeroTotalePagamenti>2<",
                "<pay_i:numeroTotalePagamenti>3<",
                "il numero totale dei pagamenti (3) non corrisponde ai pagamenti elencati (2)",
            ),
            (
                ">57.60<",
                ">57.61<",
                "l'importo totale non corrisponde alla somma dei pagamenti",
            ),
            (
                ">9</pay_i:codice",
                ">7</pay_i:codice",
                "pagamento 2: codice esito «7» non ammesso",
            ),
            (
                ">10.00<",
                ">10,00<",
                "pagamento 2: l'importo «10,00» non è un importo",
            ),
        ] {
            let err = parse_flow_xml(&FLOW.replace(from, to)).expect_err(why);
            assert_eq!(
                err.to_string(),
                format!("Il flusso di rendicontazione non è valido: {why}.")
            );
        }
        let err = parse_flow_xml("<FlussoRiversamento><versioneOggetto>").expect_err("broken");
        assert!(err
            .to_string()
            .starts_with("Il flusso di rendicontazione non è valido: il file non è un FlussoRiversamento leggibile"));
    }
}
