//! The receipt callback: the JSON body with which a completed payment reaches the server,
//! from real pagoPA (through the ente's intermediary) or from the built-in simulator.
//!
//! Its shape mirrors pagoPA's `paSendRT` request (`paSendRTReq` in pagoPA's
//! `paForNode.xsd`; example `ReqPaSendRT.xml` in the pagopa-api repository), with the XML
//! elements as JSON keys of the same names:
//!
//! ```json
//! {
//!   "idPA": "00123450165",
//!   "receipt": {
//!     "receiptId": "f43cf6263ddb47248222b039f6d1f1f5",
//!     "noticeNumber": "301000000000000144",
//!     "fiscalCode": "00123450165",
//!     "outcome": "OK",
//!     "creditorReferenceId": "01000000000000144",
//!     "paymentAmount": "47.60",
//!     "PSPCompanyName": "Banca Esempio",
//!     "paymentMethod": "creditCard",
//!     "paymentDateTime": "2024-04-27T10:15:00",
//!     "debtor": {
//!       "uniqueIdentifier": {
//!         "entityUniqueIdentifierType": "F",
//!         "entityUniqueIdentifierValue": "RSSNCL80A01H501U"
//!       },
//!       "fullName": "Niccolò Rossi"
//!     }
//!   }
//! }
//! ```
//!
//! Other `paSendRT` elements (transfers, fee, payer, metadata…) may be present and are
//! ignored. `paymentAmount` may be a string or a number, in euro with at most two
//! decimals. `paymentDateTime` is either RFC 3339 with an offset, or — as pagoPA sends
//! it — a local Italian time without offset.

use std::str::FromStr;

use rust_decimal::Decimal;
use serde::Deserialize;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime, UtcOffset};

use crate::{EnteFiscalCode, Error, NoticeNumber, Payer, PaymentMethod, Receipt};
use sportello_model::rome::to_utc as rome_to_utc;

#[derive(Debug, Deserialize)]
struct Callback {
    receipt: CallbackReceipt,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CallbackReceipt {
    receipt_id: String,
    notice_number: String,
    fiscal_code: String,
    outcome: String,
    creditor_reference_id: String,
    payment_amount: serde_json::Value,
    #[serde(rename = "PSPCompanyName")]
    psp_company_name: String,
    #[serde(default)]
    payment_method: Option<String>,
    payment_date_time: String,
    #[serde(default)]
    debtor: Option<Subject>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Subject {
    unique_identifier: UniqueIdentifier,
    full_name: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct UniqueIdentifier {
    entity_unique_identifier_value: String,
}

/// Longest receipt id pagoPA sends (`receiptId`, `stText35`).
const MAX_RECEIPT_ID_CHARS: usize = 35;

fn invalid(why: &str) -> Error {
    Error::InvalidReceipt(why.to_string())
}

/// Euro with at most two decimals, as a JSON string or number, to cents.
fn amount_cents(value: &serde_json::Value) -> Result<i64, Error> {
    let text = match value {
        serde_json::Value::String(s) => s.trim().to_string(),
        serde_json::Value::Number(n) => n.to_string(),
        // An XML element's text, as quick-xml hands an element to an untyped value.
        serde_json::Value::Object(element) => match element.get("$text") {
            Some(serde_json::Value::String(s)) => s.trim().to_string(),
            _ => return Err(invalid("l'importo non è un numero")),
        },
        _ => return Err(invalid("l'importo non è un numero")),
    };
    let amount = Decimal::from_str(&text).map_err(|_| invalid("l'importo non è un numero"))?;
    let cents = sportello_model::money::decimal_to_cents(amount)
        .ok_or_else(|| invalid("l'importo ha più di due decimali"))?;
    if cents <= 0 {
        return Err(invalid("l'importo deve essere maggiore di zero"));
    }
    Ok(cents)
}

fn paid_at(text: &str) -> Result<OffsetDateTime, Error> {
    if let Ok(instant) = OffsetDateTime::parse(text, &Rfc3339) {
        return Ok(instant.to_offset(UtcOffset::UTC));
    }
    let local = format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second][optional [.[subsecond]]]"
    );
    PrimitiveDateTime::parse(text, local)
        .map(rome_to_utc)
        .map_err(|_| invalid("la data e ora del pagamento non sono leggibili"))
}

/// Reads a receipt callback body into a [`Receipt`], refusing anything that is not a
/// successful, self-consistent payment: outcome other than `OK`, invalid notice number,
/// IUV that does not match it, ente fiscal code not of 11 digits, amount not positive or
/// with fractions of a cent, unreadable time, missing receipt id or PSP.
pub fn parse_receipt_callback(body: &[u8]) -> Result<Receipt, Error> {
    let callback: Callback = serde_json::from_slice(body).map_err(|e| {
        Error::InvalidReceipt(format!("il contenuto non è nel formato atteso ({e})"))
    })?;
    checked(callback.receipt)
}

/// Reads a receipt as pagoPA's XML `paSendRTReq` (or `paSendRTV2Request`) document, the
/// form in which the GPD-payments receipts API returns it, with the same checks as
/// [`parse_receipt_callback`].
pub fn parse_receipt_xml(xml: &str) -> Result<Receipt, Error> {
    let request: Callback = quick_xml::de::from_str(xml).map_err(|e| {
        Error::InvalidReceipt(format!("il contenuto non è nel formato atteso ({e})"))
    })?;
    checked(request.receipt)
}

/// The [`Receipt`] of a `ctReceipt`, refusing anything that is not a successful,
/// self-consistent payment.
fn checked(r: CallbackReceipt) -> Result<Receipt, Error> {
    if r.outcome.trim() != "OK" {
        return Err(invalid("l'esito del pagamento non è OK"));
    }
    let receipt_id = r.receipt_id.trim();
    if receipt_id.is_empty()
        || receipt_id.len() > MAX_RECEIPT_ID_CHARS
        || !receipt_id.chars().all(|c| c.is_ascii_graphic())
    {
        return Err(invalid(&format!(
            "l'identificativo della ricevuta manca, supera i {MAX_RECEIPT_ID_CHARS} caratteri o contiene caratteri non ammessi",
        )));
    }
    let notice_number = NoticeNumber::parse(&r.notice_number)
        .map_err(|_| invalid("il numero avviso non è valido"))?;
    if notice_number.iuv().as_str() != r.creditor_reference_id.trim() {
        return Err(invalid("lo IUV non corrisponde al numero avviso"));
    }
    let ente_fiscal_code = EnteFiscalCode::parse(&r.fiscal_code)
        .map_err(|_| invalid("il codice fiscale dell'ente non è di 11 cifre"))?;
    let psp_name = r.psp_company_name.trim();
    if psp_name.is_empty() {
        return Err(invalid("manca il prestatore di servizi di pagamento"));
    }
    Ok(Receipt {
        receipt_id: receipt_id.to_string(),
        notice_number,
        ente_fiscal_code,
        amount_cents: amount_cents(&r.payment_amount)?,
        paid_at: paid_at(r.payment_date_time.trim())?,
        method: PaymentMethod::from_code(r.payment_method.as_deref().unwrap_or("")),
        psp_name: psp_name.to_string(),
        payer: r.debtor.map(|d| Payer {
            full_name: d.full_name,
            fiscal_code: d.unique_identifier.entity_unique_identifier_value,
        }),
    })
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

/// The callback body for a receipt, in the shape [`parse_receipt_callback`] reads; the
/// simulator's receipts can so travel the same path as pagoPA's.
pub fn receipt_callback_body(receipt: &Receipt) -> String {
    let mut body = serde_json::json!({
        "idPA": receipt.ente_fiscal_code.as_str(),
        "receipt": {
            "receiptId": receipt.receipt_id,
            "noticeNumber": receipt.notice_number.as_str(),
            "fiscalCode": receipt.ente_fiscal_code.as_str(),
            "outcome": "OK",
            "creditorReferenceId": receipt.iuv().as_str(),
            "paymentAmount":
                sportello_model::money::cents_to_decimal(receipt.amount_cents).to_string(),
            "PSPCompanyName": receipt.psp_name,
            "paymentMethod": receipt.method.code(),
            "paymentDateTime": utc_text(receipt.paid_at),
        }
    });
    if let Some(payer) = &receipt.payer {
        body["receipt"]["debtor"] = serde_json::json!({
            "uniqueIdentifier": {
                "entityUniqueIdentifierType": "F",
                "entityUniqueIdentifierValue": payer.fiscal_code,
            },
            "fullName": payer.full_name,
        });
    }
    body.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    /// A body as pagoPA's `ReqPaSendRT.xml` example reads in JSON, with a valid notice
    /// number and the extra elements this crate ignores.
    fn pagopa_body() -> serde_json::Value {
        serde_json::json!({
            "idPA": "00123450165",
            "idBrokerPA": "00123450165",
            "idStation": "00123450165_01",
            "receipt": {
                "receiptId": "f43cf6263ddb47248222b039f6d1f1f5",
                "noticeNumber": "301000000000000144",
                "fiscalCode": "00123450165",
                "outcome": "OK",
                "creditorReferenceId": "01000000000000144",
                "paymentAmount": "47.60",
                "description": "Retta Marzo 2024",
                "companyName": "Comune di Mozzecane",
                "debtor": {
                    "uniqueIdentifier": {
                        "entityUniqueIdentifierType": "F",
                        "entityUniqueIdentifierValue": "RSSNCL80A01H501U"
                    },
                    "fullName": "Niccolò Rossi"
                },
                "transferList": {"transfer": [{"idTransfer": 1, "transferAmount": "47.60"}]},
                "idPSP": "70000000001",
                "PSPCompanyName": "Banca Esempio",
                "paymentMethod": "PPAL",
                "fee": "1.00",
                "paymentDateTime": "2024-04-27T10:15:00",
                "applicationDate": "2024-04-27"
            }
        })
    }

    fn parse(body: &serde_json::Value) -> Result<Receipt, Error> {
        parse_receipt_callback(body.to_string().as_bytes())
    }

    #[test]
    fn reads_a_pagopa_receipt() {
        let receipt = parse(&pagopa_body()).expect("valid receipt");
        assert_eq!(receipt.receipt_id, "f43cf6263ddb47248222b039f6d1f1f5");
        assert_eq!(receipt.notice_number.as_str(), "301000000000000144");
        assert_eq!(receipt.iuv().as_str(), "01000000000000144");
        assert_eq!(receipt.ente_fiscal_code.as_str(), "00123450165");
        assert_eq!(receipt.amount_cents, 4760);
        // 10:15 in Rome on 27 April (summer time) is 08:15 UTC.
        assert_eq!(receipt.paid_at, datetime!(2024-04-27 08:15 UTC));
        assert_eq!(receipt.method, PaymentMethod::PayPal);
        assert_eq!(receipt.psp_name, "Banca Esempio");
        assert_eq!(
            receipt.payer,
            Some(Payer {
                full_name: "Niccolò Rossi".to_string(),
                fiscal_code: "RSSNCL80A01H501U".to_string(),
            })
        );
    }

    #[test]
    fn accepts_numeric_amounts_and_offsets() {
        let mut body = pagopa_body();
        body["receipt"]["paymentAmount"] = serde_json::json!(47.6);
        body["receipt"]["paymentDateTime"] = serde_json::json!("2024-01-15T10:00:00.250+01:00");
        body["receipt"]
            .as_object_mut()
            .expect("object")
            .remove("debtor");
        let receipt = parse(&body).expect("valid receipt");
        assert_eq!(receipt.amount_cents, 4760);
        assert_eq!(receipt.paid_at, datetime!(2024-01-15 09:00:00.250 UTC));
        assert_eq!(receipt.payer, None);
    }

    #[test]
    fn refuses_inconsistent_receipts() {
        let cases: [(&str, serde_json::Value, &str); 10] = [
            ("outcome", serde_json::json!("KO"), "l'esito del pagamento non è OK"),
            (
                "noticeNumber",
                serde_json::json!("301000000000000145"),
                "il numero avviso non è valido",
            ),
            (
                "creditorReferenceId",
                serde_json::json!("01000000000000145"),
                "lo IUV non corrisponde al numero avviso",
            ),
            (
                "fiscalCode",
                serde_json::json!("0012345016"),
                "il codice fiscale dell'ente non è di 11 cifre",
            ),
            (
                "paymentAmount",
                serde_json::json!("0.00"),
                "l'importo deve essere maggiore di zero",
            ),
            (
                "paymentAmount",
                serde_json::json!("47.605"),
                "l'importo ha più di due decimali",
            ),
            (
                "paymentAmount",
                serde_json::json!("quaranta"),
                "l'importo non è un numero",
            ),
            (
                "paymentDateTime",
                serde_json::json!("27/04/2024 10:15"),
                "la data e ora del pagamento non sono leggibili",
            ),
            (
                "receiptId",
                serde_json::json!(""),
                "l'identificativo della ricevuta manca, supera i 35 caratteri o contiene caratteri non ammessi",
            ),
            (
                "PSPCompanyName",
                serde_json::json!(" "),
                "manca il prestatore di servizi di pagamento",
            ),
        ];
        for (field, value, why) in cases {
            let mut body = pagopa_body();
            body["receipt"][field] = value;
            let err = parse(&body).expect_err(field);
            assert_eq!(
                err.to_string(),
                format!("La ricevuta di pagamento non è valida: {why}."),
                "{field}"
            );
        }
    }

    /// The receipt as GPD-payments stores and returns it: the `paSendRTReq` the node
    /// sent, marshalled by JAXB without a namespace on the root element.
    const GPD_RECEIPT_XML: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<paSendRTReq>
    <idPA>00123450165</idPA>
    <idBrokerPA>00123450165</idBrokerPA>
    <idStation>00123450165_01</idStation>
    <receipt>
        <receiptId>f43cf6263ddb47248222b039f6d1f1f5</receiptId>
        <noticeNumber>301000000000000144</noticeNumber>
        <fiscalCode>00123450165</fiscalCode>
        <outcome>OK</outcome>
        <creditorReferenceId>01000000000000144</creditorReferenceId>
        <paymentAmount>47.60</paymentAmount>
        <description>Retta Marzo 2024</description>
        <companyName>Comune di Mozzecane</companyName>
        <debtor>
            <uniqueIdentifier>
                <entityUniqueIdentifierType>F</entityUniqueIdentifierType>
                <entityUniqueIdentifierValue>RSSNCL80A01H501U</entityUniqueIdentifierValue>
            </uniqueIdentifier>
            <fullName>Niccolò Rossi</fullName>
        </debtor>
        <transferList>
            <transfer>
                <idTransfer>1</idTransfer>
                <transferAmount>47.60</transferAmount>
                <fiscalCodePA>00123450165</fiscalCodePA>
                <IBAN>IT60X0542811101000000123456</IBAN>
                <remittanceInformation>Retta Marzo 2024</remittanceInformation>
                <transferCategory>9/0101108TS/</transferCategory>
            </transfer>
        </transferList>
        <idPSP>70000000001</idPSP>
        <PSPCompanyName>Banca Esempio</PSPCompanyName>
        <idChannel>70000000001_01</idChannel>
        <channelDescription>app</channelDescription>
        <paymentMethod>PPAL</paymentMethod>
        <fee>1.00</fee>
        <paymentDateTime>2024-04-27T10:15:00</paymentDateTime>
        <applicationDate>2024-04-27</applicationDate>
        <transferDate>2024-04-28</transferDate>
    </receipt>
</paSendRTReq>"#;

    #[test]
    fn reads_a_receipt_as_gpd_payments_returns_it() {
        let receipt = parse_receipt_xml(GPD_RECEIPT_XML).expect("valid receipt");
        assert_eq!(receipt, parse(&pagopa_body()).expect("valid receipt"));
        let err = parse_receipt_xml(&GPD_RECEIPT_XML.replace(">OK<", ">KO<")).expect_err("KO");
        assert_eq!(
            err.to_string(),
            "La ricevuta di pagamento non è valida: l'esito del pagamento non è OK."
        );
        let err = parse_receipt_xml("<paSendRTReq><receipt>").expect_err("broken");
        assert!(matches!(err, Error::InvalidReceipt(_)));
    }

    #[test]
    fn refuses_malformed_json() {
        let err = parse_receipt_callback(b"{\"receipt\": {}}").expect_err("missing fields");
        assert!(matches!(err, Error::InvalidReceipt(_)));
        assert!(err.to_string().starts_with(
            "La ricevuta di pagamento non è valida: il contenuto non è nel formato atteso"
        ));
    }

    #[test]
    fn a_written_body_reads_back_as_the_same_receipt() {
        let mut receipt = parse(&pagopa_body()).expect("valid receipt");
        receipt.method = PaymentMethod::Counter;
        assert_eq!(
            parse_receipt_callback(receipt_callback_body(&receipt).as_bytes()).expect("valid"),
            receipt
        );
        receipt.paid_at = datetime!(2024-04-27 08:15:00.123456789 UTC);
        receipt.payer = None;
        receipt.method = PaymentMethod::Other("BBT".to_string());
        assert_eq!(
            parse_receipt_callback(receipt_callback_body(&receipt).as_bytes()).expect("valid"),
            receipt
        );
    }
}
