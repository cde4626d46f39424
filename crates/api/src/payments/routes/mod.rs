//! `/api/v1/payments/...`: the guardian's money (`Action::ReadPayments`, `Action::Pay`), the
//! operators' family accounts and emissions. Another role gets 403, another family's record 404.
//! One file per part: the Pagamenti page and the statement (`account`), the low-balance
//! alert (`low_balance`), recharges,
//! notices, carts (paying several notices at once), receipts (with the pagoPA station the
//! node delivers them to), emissions, the operators' corrections, the reconciliation
//! with the treasury, the Detrazione fiscale (`tax_deductions`) and the reminders of debts
//! (Solleciti, `reminders`) and the end of a school year (`year_end`).

mod account;
mod carts;
mod corrections;
mod emissions;
mod low_balance;
mod notices;
mod receipts;
mod recharges;
mod reconciliation;
mod reminders;
mod tax_deductions;
mod year_end;

use sportello_pagopa::PaymentGateway;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::error::ApiResult;
use crate::startup::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(account::overview)
        .service(account::statement)
        .service(low_balance::get_low_balance_alert)
        .service(low_balance::set_low_balance_alert)
        .service(notices::list_notices)
        .service(recharges::create_notice)
        .service(recharges::recharge_online)
        .service(notices::get_notice)
        .service(notices::notice_pdf)
        .service(notices::pay_notice)
        .service(notices::cancel_notice)
        .service(carts::pay_cart)
        .service(carts::get_cart)
        .service(receipts::station_receipt)
        .service(notices::verify_notice)
        .service(emissions::create_emission)
        .service(emissions::list_emissions)
        .service(emissions::get_emission)
        .service(receipts::list_receipts)
        .service(receipts::receipt_pdf)
        .service(corrections::family_statement)
        .service(corrections::correct_account)
        .service(reconciliation::list_flows)
        .service(reconciliation::upload_flow)
        .service(reconciliation::list_discrepancies)
        .service(tax_deductions::tax_deduction_report)
        .service(tax_deductions::generate_tax_certificates)
        .service(tax_deductions::export_tax_deductions)
        .service(reminders::get_reminder_schedule)
        .service(reminders::set_reminder_schedule)
        .service(reminders::list_reminders)
        .service(reminders::run_reminders)
        .service(year_end::year_end_summary)
        .service(year_end::list_year_end_credits)
        .service(year_end::ask_year_end_ahead)
        .service(year_end::close_school_year)
        .service(year_end::record_year_end_refund)
        .service(year_end::my_year_end_credits)
        .service(year_end::choose_year_end_credit)
        .service(emissions::preview_emission_batch)
        .service(emissions::issue_emission_batch)
        .service(emissions::cancel_emission);
}

/// The pagoPA gateway, or the Italian refusal when none is configured.
pub(crate) fn gateway(state: &AppState) -> ApiResult<&dyn PaymentGateway> {
    state
        .gateway
        .as_deref()
        .ok_or_else(crate::payments::notices::pagopa_unavailable)
}
