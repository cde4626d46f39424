//! The built-in pagoPA simulator's logic, the embedded default in development and tests.
//! It holds no state and no secret: the server keeps its notices in its database, shows
//! its own checkout and counter pages, and asks the simulator for a receipt when the user
//! confirms; the server then delivers it to its own station as pagoPA's node does
//! ([`crate::node`]).

use async_trait::async_trait;
use time::OffsetDateTime;

use crate::{
    DebtPosition, EnteFiscalCode, Error, NoticeNumber, Payer, PaymentGateway, PaymentMethod,
    Receipt,
};

/// The PSP name on simulated receipts.
pub const SIMULATED_PSP: &str = "Simulatore pagoPA";

/// A [`PaymentGateway`] that accepts every valid position and pays notices on request.
#[derive(Debug, Clone, Copy, Default)]
pub struct SimulatorGateway;

impl SimulatorGateway {
    /// A simulator.
    pub fn new() -> Self {
        Self
    }

    /// A receipt for paying `notice_number` at `paid_at`, with a fresh receipt id (32 hexadecimal
    /// characters, like pagoPA's). Use [`PaymentMethod::Counter`] for the simulated
    /// counter and one of [`PaymentMethod::CHECKOUT`] for the online checkout.
    pub fn simulate_payment(
        &self,
        ente_fiscal_code: &EnteFiscalCode,
        notice_number: &NoticeNumber,
        amount_cents: i64,
        method: PaymentMethod,
        payer: Option<Payer>,
        paid_at: OffsetDateTime,
    ) -> Result<Receipt, Error> {
        if amount_cents <= 0 {
            return Err(Error::Amount);
        }
        Ok(Receipt {
            receipt_id: uuid::Uuid::new_v4().simple().to_string(),
            notice_number: notice_number.clone(),
            ente_fiscal_code: ente_fiscal_code.clone(),
            amount_cents,
            paid_at,
            method,
            psp_name: SIMULATED_PSP.to_string(),
            payer,
        })
    }
}

#[async_trait]
impl PaymentGateway for SimulatorGateway {
    async fn create_debt_position(&self, position: &DebtPosition) -> Result<(), Error> {
        position.validate()
    }

    async fn cancel_debt_position(
        &self,
        _ente_fiscal_code: &EnteFiscalCode,
        _notice_number: &NoticeNumber,
    ) -> Result<(), Error> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gateway::tests::position;
    use std::sync::Arc;

    #[tokio::test]
    async fn accepts_valid_positions_behind_the_trait() {
        let gateway: Arc<dyn PaymentGateway> = Arc::new(SimulatorGateway::new());
        let p = position();
        gateway.create_debt_position(&p).await.expect("accepted");
        gateway
            .cancel_debt_position(&p.ente_fiscal_code, &p.notice_number)
            .await
            .expect("cancelled");

        let mut bad = position();
        bad.amount_cents = -1;
        assert!(matches!(
            gateway.create_debt_position(&bad).await,
            Err(Error::Amount)
        ));
    }

    #[test]
    fn pays_with_a_fresh_receipt() {
        let simulator = SimulatorGateway::new();
        let p = position();
        let paid_at = time::macros::datetime!(2024-03-27 10:15 UTC);
        let first = simulator
            .simulate_payment(
                &p.ente_fiscal_code,
                &p.notice_number,
                p.amount_cents,
                PaymentMethod::Satispay,
                Some(p.payer.clone()),
                paid_at,
            )
            .expect("paid");
        let second = simulator
            .simulate_payment(
                &p.ente_fiscal_code,
                &p.notice_number,
                p.amount_cents,
                PaymentMethod::Counter,
                None,
                paid_at,
            )
            .expect("paid");
        assert_ne!(first.receipt_id, second.receipt_id);
        assert_eq!(first.receipt_id.len(), 32);
        assert!(first.receipt_id.chars().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(first.paid_at, paid_at);
        assert_eq!(first.notice_number, p.notice_number);
        assert_eq!(first.amount_cents, 4760);
        assert_eq!(first.psp_name, SIMULATED_PSP);
        assert_eq!(first.payer, Some(p.payer.clone()));
        assert_eq!(second.method, PaymentMethod::Counter);
    }

    #[test]
    fn refuses_to_pay_nothing() {
        let p = position();
        let err = SimulatorGateway::new()
            .simulate_payment(
                &p.ente_fiscal_code,
                &p.notice_number,
                0,
                PaymentMethod::Card,
                None,
                time::macros::datetime!(2024-03-27 10:15 UTC),
            )
            .expect_err("zero");
        assert_eq!(err.to_string(), "L'importo deve essere maggiore di zero.");
    }
}
