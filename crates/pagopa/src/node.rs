//! The comune's station as pagoPA's node calls it: the receipt primitives `paSendRT` and
//! `paSendRTV2` (SOAP 1.1, document/literal), read from their envelopes into a
//! [`Receipt`], and their answers `paSendRTRes` / `paSendRTV2Response`: outcome `OK`, or
//! `KO` with the fault the node expects.
//!
//! Written to the WSDL and XSD published in pagopa/pagopa-api at commit `070efa9`
//! (2 July 2026): `wsdl/paForNode.wsdl`, `wsdl/xsd/paForNode.xsd` (schema version 1.0.0)
//! and `xsd-common/sac-common-types-1.0.xsd` (`ctResponse`, `ctFaultBean`); copies in
//! `e2e/fixtures/pagopa-api`, against which the tests validate every envelope written
//! here. The request and response elements are in the namespace [`PA_FOR_NODE_NS`];
//! their children are unqualified (the schema sets no `elementFormDefault`).
//!
//! Faults follow pagoPA's "Gestione degli errori" (dominio EC) and the behaviour of
//! pagoPA's own creditor service (pagopa/pagopa-gpd-payments): the answer is always an
//! HTTP 200 envelope; a receipt already stored is answered `KO` with
//! `PAA_RECEIPT_DUPLICATA`, which the node takes as delivered (it stops retrying);
//! envelopes the schema refuses are `PAA_SINTASSI_XSD`, limits beyond the schema
//! `PAA_SINTASSI_EXTRAXSD`, a receipt that contradicts itself `PAA_SEMANTICA`.
//!
//! The XML is read and written with quick-xml: its namespace-aware reader checks the
//! envelope's element names, its serde support maps the elements to the structs below
//! (by local name), in both directions.

use quick_xml::events::Event;
use quick_xml::name::{Namespace, ResolveResult};
use quick_xml::NsReader;
use serde::{Deserialize, Serialize};
use sportello_model::payments::ReceiptOutcome;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime, UtcOffset};

use crate::{DebtPosition, EnteFiscalCode, NoticeNumber, Payer, PaymentMethod, Receipt};
use sportello_model::rome::to_utc as rome_to_utc;

/// SOAP 1.1 envelope namespace.
pub const SOAP_ENVELOPE_NS: &str = "http://schemas.xmlsoap.org/soap/envelope/";
/// Target namespace of `paForNode.xsd`.
pub const PA_FOR_NODE_NS: &str = "http://pagopa-api.pagopa.gov.it/pa/paForNode.xsd";
/// Content type of SOAP 1.1 messages.
pub const SOAP_CONTENT_TYPE: &str = "text/xml; charset=utf-8";

/// Longest receipt id the portal stores (pagoPA's are 32 characters; the schema sets no
/// limit).
const MAX_RECEIPT_ID_CHARS: usize = 35;
/// Largest amount the schema allows (`stAmount`), in cents.
const MAX_AMOUNT_CENTS: i64 = 99_999_999_999;

/// The receipt primitives of the station.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Primitive {
    /// `paSendRT`: one transfer list of `ctTransferPA`.
    SendRt,
    /// `paSendRTV2`: transfers may carry a stamp duty instead of an IBAN.
    SendRtV2,
}

impl Primitive {
    /// The `soapAction` of the WSDL binding, sent by the node in the `SOAPAction` header.
    pub fn soap_action(self) -> &'static str {
        match self {
            Primitive::SendRt => "paSendRT",
            Primitive::SendRtV2 => "paSendRTV2",
        }
    }

    /// The primitive a `SOAPAction` header names (quoted or not), if any.
    pub fn from_soap_action(header: &str) -> Option<Primitive> {
        let action = header.trim().trim_matches('"');
        [Primitive::SendRt, Primitive::SendRtV2]
            .into_iter()
            .find(|p| p.soap_action() == action)
    }
}

/// Who a receipt is addressed to: the comune (`idPA`), its intermediary (`idBrokerPA`)
/// and the station (`idStation`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StationAddress {
    /// The comune's fiscal code.
    pub id_pa: String,
    /// The intermediary's fiscal code.
    pub id_broker_pa: String,
    /// The station's identifier, e.g. `01234567890_01`.
    pub id_station: String,
}

/// A receipt as the node delivered it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeReceipt {
    /// Which primitive carried it (the answer uses the same).
    pub primitive: Primitive,
    /// Who it was addressed to.
    pub station: StationAddress,
    /// The payment.
    pub receipt: Receipt,
}

/// The faults a station answers to the node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultCode {
    /// The envelope is not what the WSDL and XSD define.
    SintassiXsd,
    /// Valid for the schema, outside a limit of the portal.
    SintassiExtraXsd,
    /// `idPA` is not a comune of this installation.
    IdDominioErrato,
    /// `idBrokerPA` is not this installation's intermediary.
    IdIntermediarioErrato,
    /// `idStation` is not this installation's station.
    StazioneIntErrata,
    /// This receipt was received before: nothing changed.
    ReceiptDuplicata,
    /// No such notice at the comune.
    PagamentoSconosciuto,
    /// The notice was already paid by another receipt.
    PagamentoDuplicato,
    /// The notice was cancelled.
    PagamentoAnnullato,
    /// The notice had expired.
    PagamentoScaduto,
    /// The receipt contradicts itself or the notice (e.g. the amount).
    Semantica,
    /// The portal could not process it now; the node retries.
    SystemError,
}

impl FaultCode {
    const ALL: [FaultCode; 12] = [
        FaultCode::SintassiXsd,
        FaultCode::SintassiExtraXsd,
        FaultCode::IdDominioErrato,
        FaultCode::IdIntermediarioErrato,
        FaultCode::StazioneIntErrata,
        FaultCode::ReceiptDuplicata,
        FaultCode::PagamentoSconosciuto,
        FaultCode::PagamentoDuplicato,
        FaultCode::PagamentoAnnullato,
        FaultCode::PagamentoScaduto,
        FaultCode::Semantica,
        FaultCode::SystemError,
    ];

    /// The `faultCode`.
    pub fn code(self) -> &'static str {
        match self {
            FaultCode::SintassiXsd => "PAA_SINTASSI_XSD",
            FaultCode::SintassiExtraXsd => "PAA_SINTASSI_EXTRAXSD",
            FaultCode::IdDominioErrato => "PAA_ID_DOMINIO_ERRATO",
            FaultCode::IdIntermediarioErrato => "PAA_ID_INTERMEDIARIO_ERRATO",
            FaultCode::StazioneIntErrata => "PAA_STAZIONE_INT_ERRATA",
            FaultCode::ReceiptDuplicata => "PAA_RECEIPT_DUPLICATA",
            FaultCode::PagamentoSconosciuto => "PAA_PAGAMENTO_SCONOSCIUTO",
            FaultCode::PagamentoDuplicato => "PAA_PAGAMENTO_DUPLICATO",
            FaultCode::PagamentoAnnullato => "PAA_PAGAMENTO_ANNULLATO",
            FaultCode::PagamentoScaduto => "PAA_PAGAMENTO_SCADUTO",
            FaultCode::Semantica => "PAA_SEMANTICA",
            FaultCode::SystemError => "PAA_SYSTEM_ERROR",
        }
    }

    /// The `faultString` pagoPA's table gives the code.
    pub fn fault_string(self) -> &'static str {
        match self {
            FaultCode::SintassiXsd => "Errore di sintassi XSD",
            FaultCode::SintassiExtraXsd => "Errore di sintassi extra XSD",
            FaultCode::IdDominioErrato => "La PAA non corrisponde al Dominio indicato",
            FaultCode::IdIntermediarioErrato => "Identificativo intermediario non corrispondente",
            FaultCode::StazioneIntErrata => "Stazione intermediario non corrispondente",
            FaultCode::ReceiptDuplicata => "La ricevuta è già stata acquisita",
            FaultCode::PagamentoSconosciuto => {
                "Pagamento in attesa risulta sconosciuto all’Ente Creditore"
            }
            FaultCode::PagamentoDuplicato => {
                "Pagamento in attesa risulta concluso all’Ente Creditore"
            }
            FaultCode::PagamentoAnnullato => {
                "Pagamento in attesa risulta annullato all’Ente Creditore"
            }
            FaultCode::PagamentoScaduto => "Pagamento in attesa risulta scaduto all’Ente Creditore",
            FaultCode::Semantica => "Errore semantico",
            FaultCode::SystemError => "Errore generico",
        }
    }

    /// The fault a `faultCode` names, if it is one a station answers.
    pub fn parse(code: &str) -> Option<FaultCode> {
        FaultCode::ALL.into_iter().find(|f| f.code() == code.trim())
    }

    /// What the portal did with the receipt, as its answer says; `None` for faults that
    /// are not an outcome (a refused envelope, a wrong station, an error).
    pub fn outcome(self) -> Option<ReceiptOutcome> {
        match self {
            FaultCode::ReceiptDuplicata => Some(ReceiptOutcome::AlreadyProcessed),
            FaultCode::PagamentoSconosciuto => Some(ReceiptOutcome::UnknownNotice),
            FaultCode::PagamentoDuplicato => Some(ReceiptOutcome::DuplicatePayment),
            FaultCode::PagamentoAnnullato => Some(ReceiptOutcome::Cancelled),
            FaultCode::PagamentoScaduto => Some(ReceiptOutcome::Expired),
            FaultCode::Semantica => Some(ReceiptOutcome::AmountMismatch),
            FaultCode::SintassiXsd
            | FaultCode::SintassiExtraXsd
            | FaultCode::IdDominioErrato
            | FaultCode::IdIntermediarioErrato
            | FaultCode::StazioneIntErrata
            | FaultCode::SystemError => None,
        }
    }
}

impl std::fmt::Display for FaultCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// A `KO` answer: the fault and, in Italian, what exactly was wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    /// The fault.
    pub code: FaultCode,
    /// The `description`.
    pub description: String,
}

impl Fault {
    /// A fault saying `description`.
    pub fn new(code: FaultCode, description: impl Into<String>) -> Fault {
        Fault {
            code,
            description: description.into(),
        }
    }

    /// The portal could not process the receipt now: the node retries.
    pub fn system_error() -> Fault {
        Fault::new(
            FaultCode::SystemError,
            "La ricevuta non è stata elaborata: riprovare più tardi.",
        )
    }

    /// The answer to the node for what the portal did with a receipt: `None` (`OK`) when
    /// it was accepted, otherwise the fault saying why not.
    pub fn for_outcome(outcome: ReceiptOutcome) -> Option<Fault> {
        let code = match outcome {
            ReceiptOutcome::Accepted => return None,
            ReceiptOutcome::Processing => return Some(Fault::system_error()),
            ReceiptOutcome::AlreadyProcessed => {
                return Some(Fault::new(
                    FaultCode::ReceiptDuplicata,
                    "La ricevuta è già stata acquisita: non è cambiato nulla.",
                ))
            }
            ReceiptOutcome::UnknownNotice => FaultCode::PagamentoSconosciuto,
            ReceiptOutcome::DuplicatePayment => FaultCode::PagamentoDuplicato,
            ReceiptOutcome::Cancelled => FaultCode::PagamentoAnnullato,
            ReceiptOutcome::Expired => FaultCode::PagamentoScaduto,
            ReceiptOutcome::AmountMismatch => FaultCode::Semantica,
        };
        Some(Fault::new(code, outcome.refusal().unwrap_or_default()))
    }
}

// The messages, as quick-xml's serde support reads (by local name) and writes them (with
// the prefixes declared on the envelope). Fields follow the schema's sequences in order;
// optional elements the portal does not use are skipped when read.

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename(serialize = "soapenv:Envelope", deserialize = "Envelope"))]
struct Envelope {
    #[serde(rename = "@xmlns:soapenv", skip_deserializing)]
    soapenv: &'static str,
    #[serde(rename = "@xmlns:pafn", skip_deserializing)]
    pafn: &'static str,
    #[serde(rename = "soapenv:Header", skip_deserializing)]
    header: (),
    #[serde(rename(serialize = "soapenv:Body", deserialize = "Body"))]
    body: Body,
}

#[derive(Debug, Serialize, Deserialize)]
struct Body {
    #[serde(rename = "$value")]
    message: Message,
}

#[derive(Debug, Serialize, Deserialize)]
enum Message {
    #[serde(rename(serialize = "pafn:paSendRTReq", deserialize = "paSendRTReq"))]
    SendRtReq(SendRtXml),
    #[serde(rename(
        serialize = "pafn:paSendRTV2Request",
        deserialize = "paSendRTV2Request"
    ))]
    SendRtV2Request(SendRtXml),
    #[serde(rename(serialize = "pafn:paSendRTRes", deserialize = "paSendRTRes"))]
    SendRtRes(ResponseXml),
    #[serde(rename(
        serialize = "pafn:paSendRTV2Response",
        deserialize = "paSendRTV2Response"
    ))]
    SendRtV2Response(ResponseXml),
}

/// `paSendRTReq` and `paSendRTV2Request`.
#[derive(Debug, Serialize, Deserialize)]
struct SendRtXml {
    #[serde(rename = "idPA")]
    id_pa: String,
    #[serde(rename = "idBrokerPA")]
    id_broker_pa: String,
    #[serde(rename = "idStation")]
    id_station: String,
    receipt: ReceiptXml,
}

/// `ctReceipt` and `ctReceiptV2`.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ReceiptXml {
    receipt_id: String,
    notice_number: String,
    fiscal_code: String,
    outcome: String,
    creditor_reference_id: String,
    payment_amount: String,
    description: String,
    company_name: String,
    debtor: SubjectXml,
    transfer_list: TransferListXml,
    #[serde(rename = "idPSP")]
    id_psp: String,
    #[serde(rename = "PSPCompanyName")]
    psp_company_name: String,
    id_channel: String,
    channel_description: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    payment_method: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    payment_date_time: Option<String>,
}

/// `ctSubject`.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SubjectXml {
    unique_identifier: UniqueIdentifierXml,
    full_name: String,
}

/// `ctEntityUniqueIdentifier`.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct UniqueIdentifierXml {
    entity_unique_identifier_type: String,
    entity_unique_identifier_value: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct TransferListXml {
    transfer: Vec<TransferXml>,
}

/// `ctTransferPA` and `ctTransferPAReceiptV2` (whose IBAN may be a stamp duty instead).
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct TransferXml {
    id_transfer: String,
    transfer_amount: String,
    #[serde(rename = "fiscalCodePA")]
    fiscal_code_pa: String,
    #[serde(rename = "IBAN", default, skip_serializing_if = "Option::is_none")]
    iban: Option<String>,
    remittance_information: String,
    transfer_category: String,
}

/// `ctResponse`.
#[derive(Debug, Serialize, Deserialize)]
struct ResponseXml {
    outcome: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    fault: Option<FaultBeanXml>,
}

/// `ctFaultBean`.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct FaultBeanXml {
    fault_code: String,
    fault_string: String,
    id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    description: Option<String>,
}

fn envelope(message: Message) -> String {
    let envelope = Envelope {
        soapenv: SOAP_ENVELOPE_NS,
        pafn: PA_FOR_NODE_NS,
        header: (),
        body: Body { message },
    };
    let xml = quick_xml::se::to_string(&envelope)
        .expect("the envelope's names and texts are always writable");
    format!(r#"<?xml version="1.0" encoding="UTF-8"?>{xml}"#)
}

/// The local name of the element inside the envelope's `Body`, after checking that the
/// envelope is a SOAP 1.1 envelope, that element is in [`PA_FOR_NODE_NS`] and its
/// descendants are unqualified, as the schema defines them. A document type declaration
/// is refused (no entity of any kind is expanded).
fn body_element(xml: &[u8]) -> Result<String, String> {
    let mut reader = NsReader::from_reader(xml);
    reader.config_mut().trim_text(true);
    let mut depth = 0usize;
    let mut in_body = false;
    let mut found: Option<String> = None;
    loop {
        let (namespace, event) = reader
            .read_resolved_event()
            .map_err(|e| format!("XML non leggibile ({e})"))?;
        let namespace = match namespace {
            ResolveResult::Bound(Namespace(ns)) => Some(ns.to_vec()),
            ResolveResult::Unbound => None,
            ResolveResult::Unknown(prefix) => {
                return Err(format!(
                    "prefisso «{}» non dichiarato",
                    String::from_utf8_lossy(&prefix)
                ))
            }
        };
        let in_ns = |ns: &str| namespace.as_deref() == Some(ns.as_bytes());
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let local = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                match depth {
                    0 if in_ns(SOAP_ENVELOPE_NS) && local == "Envelope" => {}
                    0 => return Err(format!("«{local}» non è una busta SOAP 1.1")),
                    1 if in_ns(SOAP_ENVELOPE_NS) && local == "Header" => {}
                    1 if in_ns(SOAP_ENVELOPE_NS) && local == "Body" => {
                        in_body = matches!(event, Event::Start(_));
                    }
                    1 => return Err(format!("elemento «{local}» non ammesso nella busta")),
                    2 if in_body && found.is_some() => {
                        return Err("il Body contiene più di un messaggio".into())
                    }
                    2 if in_body && in_ns(PA_FOR_NODE_NS) => found = Some(local),
                    2 if in_body => {
                        return Err(format!(
                            "«{local}» non è nello spazio dei nomi di paForNode"
                        ))
                    }
                    _ if in_body && namespace.is_some() => {
                        return Err(format!(
                            "l'elemento «{local}» deve essere senza spazio dei nomi"
                        ))
                    }
                    _ => {}
                }
                if matches!(event, Event::Start(_)) {
                    depth += 1;
                }
            }
            Event::End(_) => {
                depth = depth.saturating_sub(1);
                if depth <= 1 {
                    in_body = false;
                }
            }
            Event::DocType(_) => return Err("dichiarazione DOCTYPE non ammessa".into()),
            Event::Eof => break,
            _ => {}
        }
    }
    found.ok_or_else(|| "il Body non contiene alcun messaggio".into())
}

fn syntax(why: impl Into<String>) -> Fault {
    Fault::new(FaultCode::SintassiXsd, why)
}

/// Reads a `paSendRT` or `paSendRTV2` envelope. On failure, also says which primitive to
/// answer with: the one the envelope (or else the `SOAPAction` header) names,
/// `paSendRT` when neither does. `now` stands for the payment time when the receipt
/// has none (`paymentDateTime` is optional).
pub fn read_receipt(
    xml: &[u8],
    soap_action: Option<&str>,
    now: OffsetDateTime,
) -> Result<NodeReceipt, (Primitive, Fault)> {
    let fallback = soap_action
        .and_then(Primitive::from_soap_action)
        .unwrap_or(Primitive::SendRt);
    let element = body_element(xml).map_err(|why| (fallback, syntax(why)))?;
    let primitive = match element.as_str() {
        "paSendRTReq" => Primitive::SendRt,
        "paSendRTV2Request" => Primitive::SendRtV2,
        other => {
            return Err((
                fallback,
                syntax(format!("«{other}» non è paSendRTReq né paSendRTV2Request")),
            ))
        }
    };
    let fail = |fault: Fault| (primitive, fault);
    let text = std::str::from_utf8(xml).map_err(|_| fail(syntax("il testo non è UTF-8")))?;
    let envelope: Envelope = quick_xml::de::from_str(text).map_err(|e| {
        fail(syntax(format!(
            "il messaggio non segue paForNode.xsd ({e})"
        )))
    })?;
    let request = match envelope.body.message {
        Message::SendRtReq(r) | Message::SendRtV2Request(r) => r,
        Message::SendRtRes(_) | Message::SendRtV2Response(_) => {
            return Err(fail(syntax("il messaggio non è una richiesta")))
        }
    };
    let receipt = receipt_from_xml(&request, now).map_err(fail)?;
    Ok(NodeReceipt {
        primitive,
        station: StationAddress {
            id_pa: request.id_pa,
            id_broker_pa: request.id_broker_pa,
            id_station: request.id_station,
        },
        receipt,
    })
}

/// Reads a receipt as a bare `paSendRTReq` (or `paSendRTV2Request`) document, outside any
/// envelope: the form in which pagoPA's GPD-payments receipts API returns the receipts it
/// stored. The same checks as a receipt delivered to the station.
pub fn read_receipt_document(xml: &str, now: OffsetDateTime) -> Result<Receipt, Fault> {
    if xml.contains("<!DOCTYPE") {
        return Err(syntax("dichiarazione DOCTYPE non ammessa"));
    }
    let request: SendRtXml = quick_xml::de::from_str(xml)
        .map_err(|e| syntax(format!("il messaggio non segue paForNode.xsd ({e})")))?;
    receipt_from_xml(&request, now)
}

/// A `stText35`/`stText70` (1 to `max` characters), else a schema fault naming `what`.
fn text<'a>(value: &'a str, max: usize, what: &str) -> Result<&'a str, Fault> {
    let count = value.chars().count();
    if count == 0 || count > max {
        return Err(syntax(format!("{what}: da 1 a {max} caratteri")));
    }
    Ok(value)
}

/// An `stAmount` (`\d+\.\d{2}`, at most 999999999.99) in cents.
fn amount_cents(value: &str, what: &str) -> Result<i64, Fault> {
    let bad = || syntax(format!("{what}: importo non nel formato 0.00"));
    let (euro, cents) = value.split_once('.').ok_or_else(bad)?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(euro) || cents.len() != 2 || !digits(cents) {
        return Err(bad());
    }
    let euro: i64 = euro.parse().map_err(|_| bad())?;
    let total = euro
        .checked_mul(100)
        .and_then(|c| c.checked_add(cents.parse::<i64>().ok()?))
        .filter(|c| *c <= MAX_AMOUNT_CENTS)
        .ok_or_else(bad)?;
    Ok(total)
}

/// An `xsd:dateTime`: with an offset, or — as pagoPA sends it — local Italian time.
fn paid_at(value: &str) -> Result<OffsetDateTime, Fault> {
    if let Ok(instant) = OffsetDateTime::parse(value, &Rfc3339) {
        return Ok(instant.to_offset(UtcOffset::UTC));
    }
    let local = format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second][optional [.[subsecond]]]"
    );
    PrimitiveDateTime::parse(value, local)
        .map(rome_to_utc)
        .map_err(|_| syntax("paymentDateTime: data e ora non leggibili"))
}

fn receipt_from_xml(request: &SendRtXml, now: OffsetDateTime) -> Result<Receipt, Fault> {
    text(&request.id_pa, 35, "idPA")?;
    text(&request.id_broker_pa, 35, "idBrokerPA")?;
    text(&request.id_station, 35, "idStation")?;
    let r = &request.receipt;
    let all_digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(&r.notice_number, 18) {
        return Err(syntax("noticeNumber: servono 18 cifre"));
    }
    if !all_digits(&r.fiscal_code, 11) {
        return Err(syntax("fiscalCode: servono 11 cifre"));
    }
    let outcome = r.outcome.as_str();
    if outcome != "OK" && outcome != "KO" {
        return Err(syntax("outcome: atteso OK o KO"));
    }
    text(&r.creditor_reference_id, 35, "creditorReferenceId")?;
    let amount = amount_cents(&r.payment_amount, "paymentAmount")?;
    let psp_name = text(&r.psp_company_name, 70, "PSPCompanyName")?;
    let debtor = &r.debtor;
    text(&debtor.full_name, 70, "debtor/fullName")?;
    let debtor_code = &debtor.unique_identifier.entity_unique_identifier_value;
    if !(2..=16).contains(&debtor_code.chars().count()) {
        return Err(syntax(
            "debtor/entityUniqueIdentifierValue: da 2 a 16 caratteri",
        ));
    }
    let transfers = &r.transfer_list.transfer;
    if transfers.is_empty() || transfers.len() > 5 {
        return Err(syntax("transferList: da 1 a 5 trasferimenti"));
    }
    let mut transferred = 0i64;
    for t in transfers {
        let cents = amount_cents(&t.transfer_amount, "transferAmount")?;
        transferred += cents;
    }
    let paid_at = match r.payment_date_time.as_deref() {
        Some(value) => paid_at(value)?,
        None => now,
    };

    let semantic = |why: &str| Fault::new(FaultCode::Semantica, why);
    if outcome != "OK" {
        return Err(semantic("l'esito del pagamento non è OK"));
    }
    if r.fiscal_code != request.id_pa {
        return Err(semantic(
            "il codice fiscale dell'ente della ricevuta non è quello di idPA",
        ));
    }
    let receipt_id = r.receipt_id.as_str();
    if receipt_id.is_empty()
        || receipt_id.chars().count() > MAX_RECEIPT_ID_CHARS
        || !receipt_id.chars().all(|c| c.is_ascii_graphic())
    {
        return Err(Fault::new(
            FaultCode::SintassiExtraXsd,
            format!("receiptId: da 1 a {MAX_RECEIPT_ID_CHARS} caratteri stampabili"),
        ));
    }
    let notice_number = NoticeNumber::parse(&r.notice_number)
        .map_err(|e| Fault::new(FaultCode::SintassiExtraXsd, format!("noticeNumber: {e}")))?;
    if notice_number.iuv().as_str() != r.creditor_reference_id {
        return Err(semantic("lo IUV non corrisponde al numero avviso"));
    }
    if amount <= 0 {
        return Err(semantic("l'importo deve essere maggiore di zero"));
    }
    if transferred != amount {
        return Err(semantic(
            "la somma dei trasferimenti non è l'importo pagato",
        ));
    }
    Ok(Receipt {
        receipt_id: receipt_id.to_string(),
        notice_number,
        ente_fiscal_code: EnteFiscalCode::parse(&r.fiscal_code)
            .map_err(|e| syntax(format!("fiscalCode: {e}")))?,
        amount_cents: amount,
        paid_at,
        method: PaymentMethod::from_code(r.payment_method.as_deref().unwrap_or("")),
        psp_name: psp_name.to_string(),
        payer: Some(Payer {
            full_name: debtor.full_name.clone(),
            fiscal_code: debtor_code.clone(),
        }),
    })
}

/// The answer to a receipt primitive: `OK`, or `KO` with `fault`; `fault_id` is who
/// answers (the intermediary's fiscal code).
pub fn response(primitive: Primitive, fault_id: &str, fault: Option<&Fault>) -> String {
    let response = ResponseXml {
        outcome: if fault.is_some() { "KO" } else { "OK" }.into(),
        fault: fault.map(|f| FaultBeanXml {
            fault_code: f.code.code().into(),
            fault_string: f.code.fault_string().into(),
            id: fault_id.into(),
            description: Some(f.description.clone()),
        }),
    };
    envelope(match primitive {
        Primitive::SendRt => Message::SendRtRes(response),
        Primitive::SendRtV2 => Message::SendRtV2Response(response),
    })
}

/// Reads a station's answer: `Ok(None)` for `OK`, `Ok(Some(fault))` for `KO`; `Err`
/// says, in Italian, why it is not an answer the node could take.
pub fn read_response(xml: &[u8]) -> Result<Option<Fault>, String> {
    let element = body_element(xml)?;
    if element != "paSendRTRes" && element != "paSendRTV2Response" {
        return Err(format!("«{element}» non è una risposta a paSendRT"));
    }
    let text = std::str::from_utf8(xml).map_err(|_| "il testo non è UTF-8".to_string())?;
    let envelope: Envelope =
        quick_xml::de::from_str(text).map_err(|e| format!("risposta non leggibile ({e})"))?;
    let (Message::SendRtRes(answer) | Message::SendRtV2Response(answer)) = envelope.body.message
    else {
        return Err("il messaggio non è una risposta".into());
    };
    match (answer.outcome.as_str(), answer.fault) {
        ("OK", None) => Ok(None),
        ("KO", Some(fault)) => {
            let code = FaultCode::parse(&fault.fault_code)
                .ok_or_else(|| format!("faultCode sconosciuto «{}»", fault.fault_code))?;
            Ok(Some(Fault::new(
                code,
                fault.description.unwrap_or_default(),
            )))
        }
        _ => Err("esito e fault non concordano".into()),
    }
}

/// `2024-04-27T08:15:00Z`, with fractional seconds only when there are any.
fn utc_text(instant: OffsetDateTime) -> String {
    let t = instant.to_offset(UtcOffset::UTC);
    let fraction = match t.nanosecond() {
        0 => String::new(),
        n => format!(".{n:09}"),
    };
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{fraction}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

fn amount_text(cents: i64) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

/// The PSP and channel the node reports on a receipt (`idPSP`, `idChannel`,
/// `channelDescription`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PspChannel {
    /// `idPSP`.
    pub psp_id: String,
    /// `idChannel`.
    pub channel_id: String,
    /// `channelDescription`.
    pub channel_description: String,
}

/// The `paSendRTV2` envelope with which the node delivers `receipt`, the payment of
/// `position`, to `station`: one transfer of the whole amount to the comune's account.
pub fn send_rt_v2_request(
    station: &StationAddress,
    position: &DebtPosition,
    receipt: &Receipt,
    psp: &PspChannel,
) -> String {
    let amount = amount_text(receipt.amount_cents);
    envelope(Message::SendRtV2Request(SendRtXml {
        id_pa: station.id_pa.clone(),
        id_broker_pa: station.id_broker_pa.clone(),
        id_station: station.id_station.clone(),
        receipt: ReceiptXml {
            receipt_id: receipt.receipt_id.clone(),
            notice_number: receipt.notice_number.as_str().into(),
            fiscal_code: receipt.ente_fiscal_code.as_str().into(),
            outcome: "OK".into(),
            creditor_reference_id: receipt.iuv().as_str().into(),
            payment_amount: amount.clone(),
            description: position.description.clone(),
            company_name: position.ente_name.clone(),
            debtor: SubjectXml {
                unique_identifier: UniqueIdentifierXml {
                    entity_unique_identifier_type: "F".into(),
                    entity_unique_identifier_value: position.payer.fiscal_code.clone(),
                },
                full_name: position.payer.full_name.clone(),
            },
            transfer_list: TransferListXml {
                transfer: vec![TransferXml {
                    id_transfer: "1".into(),
                    transfer_amount: amount,
                    fiscal_code_pa: position.ente_fiscal_code.as_str().into(),
                    iban: Some(position.iban.clone()),
                    remittance_information: position.description.clone(),
                    transfer_category: position.taxonomy.clone(),
                }],
            },
            id_psp: psp.psp_id.clone(),
            psp_company_name: receipt.psp_name.clone(),
            id_channel: psp.channel_id.clone(),
            channel_description: psp.channel_description.clone(),
            payment_method: Some(receipt.method.code().into()),
            payment_date_time: Some(utc_text(receipt.paid_at)),
        },
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use sportello_model::payments::NoticeDeadline;
    use time::macros::{date, datetime};

    fn station() -> StationAddress {
        StationAddress {
            id_pa: "00123450165".into(),
            id_broker_pa: "01234567890".into(),
            id_station: "01234567890_01".into(),
        }
    }

    fn position() -> DebtPosition {
        DebtPosition {
            ente_fiscal_code: EnteFiscalCode::parse("00123450165").unwrap(),
            ente_name: "Comune di Mozzecane".into(),
            notice_number: NoticeNumber::parse("301000000000000144").unwrap(),
            amount_cents: 4760,
            description: "Retta Marzo 2024 & trasporto <andata>".into(),
            deadline: NoticeDeadline::DueBy(date!(2024 - 03 - 31)),
            payer: Payer {
                full_name: "Niccolò Rossi".into(),
                fiscal_code: "RSSNCL80A01H501U".into(),
            },
            iban: "IT60X0542811101000000123456".into(),
            taxonomy: "9/0101108TS/".into(),
        }
    }

    fn receipt() -> Receipt {
        Receipt {
            receipt_id: "f43cf6263ddb47248222b039f6d1f1f5".into(),
            notice_number: NoticeNumber::parse("301000000000000144").unwrap(),
            ente_fiscal_code: EnteFiscalCode::parse("00123450165").unwrap(),
            amount_cents: 4760,
            paid_at: datetime!(2024-04-27 08:15:00.123456789 UTC),
            method: PaymentMethod::PayPal,
            psp_name: "Banca Esempio".into(),
            payer: Some(position().payer),
        }
    }

    fn psp() -> PspChannel {
        PspChannel {
            psp_id: "70000000001".into(),
            channel_id: "70000000001_01".into(),
            channel_description: "app".into(),
        }
    }

    fn request() -> String {
        send_rt_v2_request(&station(), &position(), &receipt(), &psp())
    }

    const NOW: OffsetDateTime = datetime!(2024-04-27 09:00 UTC);

    /// Validates `xml` against pagoPA's published schemas (`e2e/fixtures/pagopa-api`) with
    /// xmllint, as `scripts/setup --browser` installs it.
    fn assert_valid(xml: &str) {
        let schema = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../e2e/fixtures/pagopa-api/soap-paForNode.xsd"
        );
        let file = std::env::temp_dir().join(format!("node-{}.xml", uuid::Uuid::new_v4()));
        std::fs::write(&file, xml).unwrap();
        let out = std::process::Command::new("xmllint")
            .args(["--noout", "--schema", schema])
            .arg(&file)
            .output()
            .expect("xmllint (libxml2-utils) is installed by scripts/setup --browser");
        std::fs::remove_file(&file).ok();
        assert!(
            out.status.success(),
            "{}\n{xml}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    #[test]
    fn a_written_receipt_is_valid_and_reads_back() {
        let xml = request();
        assert_valid(&xml);
        let read = read_receipt(xml.as_bytes(), Some("\"paSendRTV2\""), NOW).expect("valid");
        assert_eq!(read.primitive, Primitive::SendRtV2);
        assert_eq!(read.station, station());
        assert_eq!(read.receipt, receipt());
    }

    #[test]
    fn reads_a_v1_receipt_in_local_time_with_elements_it_does_not_use() {
        let xml = r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:pafn="http://pagopa-api.pagopa.gov.it/pa/paForNode.xsd">
  <soapenv:Header/>
  <soapenv:Body>
    <pafn:paSendRTReq>
      <idPA>00123450165</idPA><idBrokerPA>01234567890</idBrokerPA><idStation>01234567890_01</idStation>
      <receipt>
        <receiptId>c110729d258c4ab1b765fe902aae41d6</receiptId>
        <noticeNumber>301000000000000144</noticeNumber>
        <fiscalCode>00123450165</fiscalCode>
        <outcome>OK</outcome>
        <creditorReferenceId>01000000000000144</creditorReferenceId>
        <paymentAmount>47.60</paymentAmount>
        <description>Retta</description>
        <companyName>Comune di Mozzecane</companyName>
        <officeName>Ufficio scuola</officeName>
        <debtor>
          <uniqueIdentifier><entityUniqueIdentifierType>F</entityUniqueIdentifierType><entityUniqueIdentifierValue>RSSNCL80A01H501U</entityUniqueIdentifierValue></uniqueIdentifier>
          <fullName>Niccolò Rossi</fullName>
          <e-mail>niccolo@example.it</e-mail>
        </debtor>
        <transferList>
          <transfer><idTransfer>1</idTransfer><transferAmount>40.00</transferAmount><fiscalCodePA>00123450165</fiscalCodePA><IBAN>IT60X0542811101000000123456</IBAN><remittanceInformation>Retta</remittanceInformation><transferCategory>9/0101108TS/</transferCategory></transfer>
          <transfer><idTransfer>2</idTransfer><transferAmount>7.60</transferAmount><fiscalCodePA>80012340155</fiscalCodePA><IBAN>IT60X0542811101000000654321</IBAN><remittanceInformation>Quota</remittanceInformation><transferCategory>9/0101108TS/</transferCategory></transfer>
        </transferList>
        <idPSP>70000000001</idPSP>
        <pspFiscalCode>70000000001</pspFiscalCode>
        <PSPCompanyName>Banca Esempio</PSPCompanyName>
        <idChannel>70000000001_01</idChannel>
        <channelDescription>app</channelDescription>
        <paymentMethod>PPAL</paymentMethod>
        <fee>1.00</fee>
        <paymentDateTime>2024-04-27T10:15:00</paymentDateTime>
        <applicationDate>2024-04-27</applicationDate>
      </receipt>
    </pafn:paSendRTReq>
  </soapenv:Body>
</soapenv:Envelope>"#;
        assert_valid(xml);
        let read = read_receipt(xml.as_bytes(), None, NOW).expect("valid");
        assert_eq!(read.primitive, Primitive::SendRt);
        assert_eq!(read.receipt.amount_cents, 4760);
        // 10:15 in Rome on 27 April (summer time) is 08:15 UTC.
        assert_eq!(read.receipt.paid_at, datetime!(2024-04-27 08:15 UTC));
        assert_eq!(read.receipt.method, PaymentMethod::PayPal);

        let without_time =
            xml.replace("<paymentDateTime>2024-04-27T10:15:00</paymentDateTime>", "");
        let read = read_receipt(without_time.as_bytes(), None, NOW).expect("valid");
        assert_eq!(read.receipt.paid_at, NOW);
    }

    fn refused(xml: &str, soap_action: Option<&str>) -> (Primitive, Fault) {
        read_receipt(xml.as_bytes(), soap_action, NOW).expect_err("refused")
    }

    #[test]
    fn refuses_what_the_schema_refuses() {
        let xml = request();
        let cases = [
            ("not xml at all", Some("paSendRTV2"), Primitive::SendRtV2),
            (
                "<Envelope><Body><paSendRTV2Request/></Body></Envelope>",
                None,
                Primitive::SendRt,
            ),
            (
                &xml.replace(PA_FOR_NODE_NS, "urn:altro"),
                Some("paSendRTV2"),
                Primitive::SendRtV2,
            ),
            (
                &xml.replace("<idPA>", "<pafn:idPA>")
                    .replace("</idPA>", "</pafn:idPA>"),
                None,
                Primitive::SendRt,
            ),
            (
                &xml.replace("<paymentAmount>47.60", "<paymentAmount>47.6"),
                None,
                Primitive::SendRtV2,
            ),
            (
                &xml.replace("<noticeNumber>3010", "<noticeNumber>010"),
                None,
                Primitive::SendRtV2,
            ),
            (
                &xml.replace("<idStation>01234567890_01</idStation>", ""),
                None,
                Primitive::SendRtV2,
            ),
            (
                &xml.replacen(
                    "<soapenv:Envelope",
                    "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><soapenv:Envelope",
                    1,
                ),
                None,
                Primitive::SendRt,
            ),
        ];
        for (xml, action, primitive) in cases {
            let (answered_with, fault) = refused(xml, action);
            assert_eq!(fault.code, FaultCode::SintassiXsd, "{xml}: {fault:?}");
            assert_eq!(answered_with, primitive, "{xml}");
        }
    }

    #[test]
    fn refuses_receipts_that_contradict_themselves() {
        let xml = request();
        let cases = [
            ("<outcome>OK", "<outcome>KO", FaultCode::Semantica),
            (
                "<creditorReferenceId>01000000000000144",
                "<creditorReferenceId>01000000000000145",
                FaultCode::Semantica,
            ),
            (
                "<transferAmount>47.60",
                "<transferAmount>40.00",
                FaultCode::Semantica,
            ),
            (
                "<idPA>00123450165",
                "<idPA>80012340155",
                FaultCode::Semantica,
            ),
            (
                "<noticeNumber>301000000000000144",
                "<noticeNumber>301000000000000145",
                FaultCode::SintassiExtraXsd,
            ),
            (
                "<receiptId>f43cf6263ddb47248222b039f6d1f1f5",
                "<receiptId>f43cf6263ddb47248222b039f6d1f1f5f43cf6263ddb",
                FaultCode::SintassiExtraXsd,
            ),
        ];
        for (from, to, code) in cases {
            let (_, fault) = refused(&xml.replace(from, to), None);
            assert_eq!(fault.code, code, "{to}: {fault:?}");
        }
    }

    #[test]
    fn answers_are_valid_and_read_back() {
        let ok = response(Primitive::SendRt, "01234567890", None);
        assert_valid(&ok);
        assert!(ok.contains("<pafn:paSendRTRes><outcome>OK</outcome></pafn:paSendRTRes>"));
        assert_eq!(read_response(ok.as_bytes()), Ok(None));
        for outcome in [
            ReceiptOutcome::AlreadyProcessed,
            ReceiptOutcome::UnknownNotice,
            ReceiptOutcome::DuplicatePayment,
            ReceiptOutcome::Cancelled,
            ReceiptOutcome::Expired,
            ReceiptOutcome::AmountMismatch,
        ] {
            let fault = Fault::for_outcome(outcome).expect("a refusal");
            let ko = response(Primitive::SendRtV2, "01234567890", Some(&fault));
            assert_valid(&ko);
            let read = read_response(ko.as_bytes())
                .expect("an answer")
                .expect("KO");
            assert_eq!(read, fault);
            assert_eq!(read.code.outcome(), Some(outcome));
        }
        assert_eq!(Fault::for_outcome(ReceiptOutcome::Accepted), None);
        let duplicate = Fault::for_outcome(ReceiptOutcome::AlreadyProcessed).unwrap();
        assert_eq!(duplicate.code.code(), "PAA_RECEIPT_DUPLICATA");
    }
}
