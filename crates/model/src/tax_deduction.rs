//! Detrazione fiscale: for a calendar year, what each family paid for the school services
//! through pagoPA (traceable means), per child and service, net of the refunds of the
//! year, attributed to the guardian who holds the account (intestatario).
//!
//! How amounts reach a child:
//! - a retta (emission) for a child is that child's;
//! - a prepaid recharge is the family's: the recharges paid in the year for a service are
//!   split among the children in proportion to the meals charged to each in the year
//!   (reversed meals deducted), so the family's total is exactly what it paid; with no
//!   meal charged in the year, equally among the children enrolled in the service (or
//!   all the family's children). The refunds of the year on that account are split the
//!   same way. A retta for no child is split like a family recharge with no meals.
//! - receipts whose payer (codice fiscale on the receipt) is not the account holder still
//!   count, attributed to the holder, and are listed to the operator to check.
//!
//! The CSV for Agenzia delle Entrate and the tax-assistance centres (CAF) is plain data:
//! `;` between columns, amounts with a decimal point and no thousands separator
//! (`1234.50`), as on the API's wire.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::Date;

use crate::format::{date, euro};

/// The first year the portal certifies.
pub const YEAR_MIN: i32 = 2020;

/// The line every certificate carries: certificates for tax purposes are exempt from
/// stamp duty.
pub const STAMP_DUTY_EXEMPTION: &str = "Documento esente da imposta di bollo ai sensi dell'art. 5 della Tabella B allegata al D.P.R. 26 ottobre 1972, n. 642.";

/// The CSV's columns, in order.
pub const CSV_HEADER: [&str; 8] = [
    "Anno",
    "Codice fiscale alunno",
    "Alunno",
    "Codice fiscale pagante",
    "Servizio",
    "Pagato",
    "Rimborsato",
    "Netto",
];

/// Whether the year can be read on `today`: from [`YEAR_MIN`] to the current year.
pub fn check_year(year: i32, today: Date) -> Result<(), String> {
    if year < YEAR_MIN || year > today.year() {
        return Err(format!(
            "Scegli un anno dal {YEAR_MIN} al {}.",
            today.year()
        ));
    }
    Ok(())
}

/// Whether the certificates of `year` may be generated on `today`: only once the year
/// has ended, so that they list every payment of it.
pub fn check_generation(year: i32, today: Date) -> Result<(), String> {
    check_year(year, today)?;
    if year >= today.year() {
        return Err(format!(
            "Le attestazioni del {year} si generano dal 1° gennaio {}, a anno concluso.",
            year + 1
        ));
    }
    Ok(())
}

/// Splits `total` cents among shares in proportion to `weights` (largest remainder, the
/// earlier share first on a tie), so the parts add up to `total` exactly. With no
/// positive weight the split is equal. No shares: nothing.
pub fn split_cents(total: i64, weights: &[i64]) -> Vec<i64> {
    if weights.is_empty() {
        return Vec::new();
    }
    let positive: Vec<i128> = weights.iter().map(|w| i128::from((*w).max(0))).collect();
    let sum: i128 = positive.iter().sum();
    let weights: Vec<i128> = if sum == 0 {
        vec![1; positive.len()]
    } else {
        positive
    };
    let sum: i128 = weights.iter().sum();
    let total = i128::from(total);
    let mut parts: Vec<i128> = weights.iter().map(|w| total * w / sum).collect();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    // Truncation leaves the remainder (of either sign) to give out one cent at a time.
    order.sort_by_key(|&i| std::cmp::Reverse((total * weights[i] % sum).abs()));
    let left = total - parts.iter().sum::<i128>();
    for &i in order.iter().take(left.unsigned_abs() as usize) {
        parts[i] += left.signum();
    }
    parts.into_iter().map(|p| p as i64).collect()
}

/// Whether a receipt's payer is someone other than the account holder: another codice
/// fiscale, or none on the receipt.
pub fn payer_differs(holder_fiscal_code: &str, payer_fiscal_code: Option<&str>) -> bool {
    payer_fiscal_code
        .map(|payer| !payer.trim().eq_ignore_ascii_case(holder_fiscal_code.trim()))
        .unwrap_or(true)
}

/// What a child cost the family for a service in the year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TaxDeductionLine {
    pub child_fiscal_code: String,
    pub child_name: String,
    pub service_name: String,
    /// The school of the child's enrolment in the service.
    pub school: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "47.60"))]
    pub paid: Decimal,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "0.00"))]
    pub refunded: Decimal,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "47.60"))]
    pub net: Decimal,
}

/// A payment of the year, as the certificate lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TaxDeductionPayment {
    /// pagoPA's receipt identifier.
    pub receipt_id: String,
    /// The day it was paid, in Rome.
    pub paid_on: Date,
    pub service_name: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "47.60"))]
    pub amount: Decimal,
    /// The codice fiscale of the payer on the receipt.
    pub payer_fiscal_code: Option<String>,
}

/// One family's certificate of the year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TaxDeductionFamily {
    pub guardian_name: String,
    pub guardian_fiscal_code: String,
    pub lines: Vec<TaxDeductionLine>,
    pub payments: Vec<TaxDeductionPayment>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "47.60"))]
    pub paid: Decimal,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "0.00"))]
    pub refunded: Decimal,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "47.60"))]
    pub net: Decimal,
}

/// A receipt of the year whose payer is not the account holder, for the operator to check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FlaggedReceipt {
    pub receipt_id: String,
    pub paid_on: Date,
    pub guardian_name: String,
    pub guardian_fiscal_code: String,
    /// None when the receipt names no payer.
    pub payer_fiscal_code: Option<String>,
    pub service_name: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "47.60"))]
    pub amount: Decimal,
}

/// The year at a glance for the operator, before and after generating.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TaxDeductionReport {
    pub year: i32,
    /// Families with payments or refunds in the year.
    pub families: u64,
    /// Children with an amount in the year.
    pub children: u64,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "1234.50"))]
    pub paid: Decimal,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "12.00"))]
    pub refunded: Decimal,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "1222.50"))]
    pub net: Decimal,
    /// Certificates of the year already written to families.
    pub certificates: u64,
    /// Receipts whose payer is not the account holder.
    pub flagged: Vec<FlaggedReceipt>,
}

/// The answer to «Genera attestazioni».
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TaxDeductionGenerated {
    pub year: i32,
    /// Certificates written now, each a letter in the family's Comunicazioni.
    pub written: u64,
    /// Families whose certificate of the year had been written before.
    pub already: u64,
}

/// The title of the year's certificate, in Comunicazioni and on its PDF.
pub fn certificate_title(year: i32) -> String {
    format!("Detrazione fiscale {year}: attestazione dei pagamenti")
}

/// The text of a family's certificate (the letter's Markdown, and so its PDF).
pub fn certificate_body(
    comune: &str,
    comune_fiscal_code: &str,
    year: i32,
    family: &TaxDeductionFamily,
) -> String {
    let mut text = vec![
        format!("**{comune}** (codice fiscale {comune_fiscal_code})"),
        format!(
            "Si attesta che nell'anno {year} **{}** (codice fiscale {}), intestatario del conto dei servizi scolastici, ha pagato tramite pagoPA (mezzi tracciabili) le somme seguenti per i servizi scolastici dei figli, al netto dei rimborsi dell'anno.",
            family.guardian_name, family.guardian_fiscal_code
        ),
    ];
    for line in &family.lines {
        text.push(format!(
            "**{}** (codice fiscale {}), {}, {}: pagato {}, rimborsato {}, netto {}.",
            line.child_name,
            line.child_fiscal_code,
            line.service_name,
            line.school,
            euro(line.paid),
            euro(line.refunded),
            euro(line.net)
        ));
    }
    text.push(format!(
        "Totale pagato {}, rimborsato {}, netto {}.",
        euro(family.paid),
        euro(family.refunded),
        euro(family.net)
    ));
    text.push("Pagamenti dell'anno:".into());
    for p in &family.payments {
        text.push(format!(
            "{}: {}, {} (ricevuta {}, pagante {}).",
            date(p.paid_on),
            p.service_name,
            euro(p.amount),
            p.receipt_id,
            p.payer_fiscal_code.as_deref().unwrap_or("non indicato")
        ));
    }
    text.push(STAMP_DUTY_EXEMPTION.into());
    text.join("\n\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn splits_by_weight_and_adds_up() {
        assert_eq!(split_cents(6000, &[2000, 1000]), vec![4000, 2000]);
        assert_eq!(split_cents(1000, &[1, 1, 1]), vec![334, 333, 333]);
        assert_eq!(split_cents(-1000, &[1, 1, 1]), vec![-334, -333, -333]);
        assert_eq!(split_cents(6000, &[0, 0]), vec![3000, 3000]);
        assert_eq!(split_cents(1, &[0, 5]), vec![0, 1]);
        assert!(split_cents(500, &[]).is_empty());
        let parts = split_cents(12345, &[420, 500, 7]);
        assert_eq!(parts.iter().sum::<i64>(), 12345);
    }

    #[test]
    fn a_payer_other_than_the_holder_is_flagged() {
        assert!(!payer_differs(
            "LBRMRA80E12F205M",
            Some("lbrmra80e12f205m ")
        ));
        assert!(payer_differs("LBRMRA80E12F205M", Some("CLMNNA85M41F205Z")));
        assert!(payer_differs("LBRMRA80E12F205M", None));
    }

    #[test]
    fn years_are_read_up_to_now_and_generated_when_closed() {
        let today = date!(2026 - 12 - 01);
        assert!(check_year(2026, today).is_ok());
        assert!(check_year(2027, today).is_err());
        assert!(check_year(2019, today).is_err());
        assert_eq!(
            check_generation(2026, today).unwrap_err(),
            "Le attestazioni del 2026 si generano dal 1° gennaio 2027, a anno concluso."
        );
        assert!(check_generation(2025, today).is_ok());
    }

    #[test]
    fn the_certificate_names_everyone_with_italian_amounts() {
        let cents = crate::money::cents_to_decimal;
        let family = TaxDeductionFamily {
            guardian_name: "Mario Albertini".into(),
            guardian_fiscal_code: "LBRMRA80E12F205M".into(),
            lines: vec![TaxDeductionLine {
                child_fiscal_code: "LBRGRT15C50F205H".into(),
                child_name: "Greta Albertini".into(),
                service_name: "Refezione Scolastica".into(),
                school: "Scuola Primaria Pascoli".into(),
                paid: cents(123450),
                refunded: cents(0),
                net: cents(123450),
            }],
            payments: vec![TaxDeductionPayment {
                receipt_id: "R-1".into(),
                paid_on: date!(2026 - 04 - 27),
                service_name: "Refezione Scolastica".into(),
                amount: cents(123450),
                payer_fiscal_code: None,
            }],
            paid: cents(123450),
            refunded: cents(0),
            net: cents(123450),
        };
        let body = certificate_body("Comune di Demo", "00000000001", 2026, &family);
        assert!(body.contains("Comune di Demo** (codice fiscale 00000000001)"));
        assert!(body.contains("LBRGRT15C50F205H"));
        assert!(body.contains("pagato 1.234,50 €, rimborsato 0,00 €, netto 1.234,50 €"));
        assert!(body.contains(
            "27/04/2026: Refezione Scolastica, 1.234,50 € (ricevuta R-1, pagante non indicato)."
        ));
        assert!(body.ends_with(STAMP_DUTY_EXEMPTION));
    }
}
