//! The one door to pagoPA the server uses, whichever pagoPA is behind it: the built-in
//! simulator or the real GPD service.

use async_trait::async_trait;
use sportello_model::payments::NoticeDeadline;
use time::OffsetDateTime;

use crate::{require, EnteFiscalCode, Error, Iuv, NoticeNumber};

/// pagoPA refuses descriptions and company names longer than this (paForNode.xsd).
pub(crate) const MAX_TEXT: usize = 140;

/// A person a notice is addressed to (pagoPA's "debtor"): a guardian.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payer {
    /// Name and surname.
    pub full_name: String,
    /// Codice fiscale.
    pub fiscal_code: String,
}

/// A debt position: what pagoPA must know so that a notice can be paid anywhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DebtPosition {
    /// The ente creditore's fiscal code.
    pub ente_fiscal_code: EnteFiscalCode,
    /// The ente creditore's name, e.g. "Comune di Mozzecane" (at most 140 characters).
    pub ente_name: String,
    /// The notice number; the IUV is inside it.
    pub notice_number: NoticeNumber,
    /// The amount in euro cents; must be positive.
    pub amount_cents: i64,
    /// What the payment is for (causale), at most 140 characters.
    pub description: String,
    /// The notice's date: a due date, or the last day it can be paid.
    pub deadline: NoticeDeadline,
    /// Who the notice is addressed to.
    pub payer: Payer,
    /// The IBAN the money is credited to; required by GPD, ignored by the simulator.
    pub iban: String,
    /// The collection taxonomy code ("tassonomia dei servizi di incasso") of the service,
    /// e.g. `9/0101108TS/`; required by GPD, ignored by the simulator.
    pub taxonomy: String,
}

impl DebtPosition {
    /// The IUV of the position.
    pub fn iuv(&self) -> Iuv {
        self.notice_number.iuv()
    }

    /// Checks what every gateway needs: a positive amount, the texts pagoPA requires,
    /// within its length limits.
    pub fn validate(&self) -> Result<(), Error> {
        if self.amount_cents <= 0 {
            return Err(Error::Amount);
        }
        require(&self.ente_name, "nome dell'ente")?;
        require(&self.description, "causale del pagamento")?;
        require(&self.payer.full_name, "nome dell'intestatario")?;
        require(&self.payer.fiscal_code, "codice fiscale dell'intestatario")?;
        if self.ente_name.chars().count() > MAX_TEXT {
            return Err(Error::TooLong("nome dell'ente"));
        }
        if self.description.chars().count() > MAX_TEXT {
            return Err(Error::TooLong("causale del pagamento"));
        }
        Ok(())
    }
}

/// How a notice was paid.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PaymentMethod {
    /// Credit, debit or prepaid card.
    Card,
    /// MyBank bank transfer.
    MyBank,
    /// PayPal.
    PayPal,
    /// Satispay.
    Satispay,
    /// Cash or card at a physical pagoPA counter: bank, post office, tobacconist.
    Counter,
    /// Any other method pagoPA reports, kept as reported.
    Other(String),
}

impl PaymentMethod {
    /// The methods the simulated online checkout offers.
    pub const CHECKOUT: [PaymentMethod; 4] = [
        PaymentMethod::Card,
        PaymentMethod::MyBank,
        PaymentMethod::PayPal,
        PaymentMethod::Satispay,
    ];

    /// A stable code to store: `carta`, `mybank`, `paypal`, `satispay`, `sportello`, or
    /// the reported code of another method.
    pub fn code(&self) -> &str {
        match self {
            PaymentMethod::Card => "carta",
            PaymentMethod::MyBank => "mybank",
            PaymentMethod::PayPal => "paypal",
            PaymentMethod::Satispay => "satispay",
            PaymentMethod::Counter => "sportello",
            PaymentMethod::Other(code) => code,
        }
    }

    /// Reads a stored code back, and also recognises the codes pagoPA uses in receipts
    /// (`CP`/`creditCard` card, `MYBK`, `PPAL`, `SATY`, `PO` paid at a PSP's counter).
    pub fn from_code(code: &str) -> Self {
        match code.trim() {
            c if c.eq_ignore_ascii_case("carta")
                || c.eq_ignore_ascii_case("CP")
                || c.eq_ignore_ascii_case("creditCard")
                || c.eq_ignore_ascii_case("card") =>
            {
                PaymentMethod::Card
            }
            c if c.eq_ignore_ascii_case("mybank") || c.eq_ignore_ascii_case("MYBK") => {
                PaymentMethod::MyBank
            }
            c if c.eq_ignore_ascii_case("paypal") || c.eq_ignore_ascii_case("PPAL") => {
                PaymentMethod::PayPal
            }
            c if c.eq_ignore_ascii_case("satispay") || c.eq_ignore_ascii_case("SATY") => {
                PaymentMethod::Satispay
            }
            c if c.eq_ignore_ascii_case("sportello") || c.eq_ignore_ascii_case("PO") => {
                PaymentMethod::Counter
            }
            c => PaymentMethod::Other(c.to_string()),
        }
    }

    /// The Italian name shown to people.
    pub fn label(&self) -> &str {
        match self {
            PaymentMethod::Card => "Carta di pagamento",
            PaymentMethod::MyBank => "MyBank",
            PaymentMethod::PayPal => "PayPal",
            PaymentMethod::Satispay => "Satispay",
            PaymentMethod::Counter => "Pagamento allo sportello",
            PaymentMethod::Other(code) if code.is_empty() => "Non indicato",
            PaymentMethod::Other(code) => code,
        }
    }
}

/// Proof that a notice was paid, as both the simulator and real pagoPA deliver it. The
/// same receipt may arrive more than once: `receipt_id` is the key to count it once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    /// pagoPA's receipt identifier, unique across all receipts.
    pub receipt_id: String,
    /// The notice that was paid.
    pub notice_number: NoticeNumber,
    /// The ente creditore the money goes to.
    pub ente_fiscal_code: EnteFiscalCode,
    /// The amount paid in euro cents, without the PSP's fee.
    pub amount_cents: i64,
    /// When it was paid, in UTC.
    pub paid_at: OffsetDateTime,
    /// How it was paid.
    pub method: PaymentMethod,
    /// The payment service provider that collected the money.
    pub psp_name: String,
    /// The person the notice was addressed to, when pagoPA reports it.
    pub payer: Option<Payer>,
}

impl Receipt {
    /// The IUV of the paid notice.
    pub fn iuv(&self) -> Iuv {
        self.notice_number.iuv()
    }
}

/// pagoPA as the server sees it. Object safe: the server can hold an
/// `Arc<dyn PaymentGateway>` chosen at start-up.
#[async_trait]
pub trait PaymentGateway: Send + Sync {
    /// Makes a notice payable: registers its debt position with pagoPA.
    async fn create_debt_position(&self, position: &DebtPosition) -> Result<(), Error>;

    /// Withdraws an unpaid notice so that it can no longer be paid.
    async fn cancel_debt_position(
        &self,
        ente_fiscal_code: &EnteFiscalCode,
        notice_number: &NoticeNumber,
    ) -> Result<(), Error>;
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use time::macros::date;

    pub(crate) fn position() -> DebtPosition {
        DebtPosition {
            ente_fiscal_code: EnteFiscalCode::parse("00123450165").expect("valid"),
            ente_name: "Comune di Mozzecane".to_string(),
            notice_number: NoticeNumber::parse("301000000000000144").expect("valid"),
            amount_cents: 4760,
            description: "Retta Marzo 2024".to_string(),
            deadline: NoticeDeadline::ValidUntil(date!(2024 - 04 - 27)),
            payer: Payer {
                full_name: "Niccolò Rossi".to_string(),
                fiscal_code: "RSSNCL80A01H501U".to_string(),
            },
            iban: "IT60X0542811101000000123456".to_string(),
            taxonomy: "9/0101108TS/".to_string(),
        }
    }

    #[test]
    fn validates_a_position() {
        assert!(position().validate().is_ok());
        assert_eq!(position().iuv().as_str(), "01000000000000144");

        let mut p = position();
        p.amount_cents = 0;
        assert_eq!(
            p.validate().expect_err("zero").to_string(),
            "L'importo deve essere maggiore di zero."
        );

        let mut p = position();
        p.description = "  ".to_string();
        assert_eq!(
            p.validate().expect_err("empty").to_string(),
            "Manca un dato obbligatorio: causale del pagamento."
        );

        let mut p = position();
        p.description = "è".repeat(141);
        assert_eq!(
            p.validate().expect_err("long").to_string(),
            "Il testo «causale del pagamento» supera i 140 caratteri ammessi da pagoPA."
        );
        p.description = "è".repeat(140);
        assert!(p.validate().is_ok());
    }

    #[test]
    fn payment_method_codes_round_trip() {
        for method in PaymentMethod::CHECKOUT
            .into_iter()
            .chain([PaymentMethod::Counter, PaymentMethod::Other("BBT".into())])
        {
            assert_eq!(PaymentMethod::from_code(method.code()), method);
        }
        assert_eq!(PaymentMethod::from_code("PPAL"), PaymentMethod::PayPal);
        assert_eq!(PaymentMethod::from_code("creditCard"), PaymentMethod::Card);
        assert_eq!(PaymentMethod::from_code("PO"), PaymentMethod::Counter);
        assert_eq!(PaymentMethod::Counter.label(), "Pagamento allo sportello");
        assert_eq!(PaymentMethod::Other(String::new()).label(), "Non indicato");
    }
}
