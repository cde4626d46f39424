//! The end of a school year: each comune's closing of a year (the minimum refund and the
//! deadline it set, when it asked ahead, when it closed), and every credit left on an
//! account whose family has no child enrolled in the service next year — one per year
//! and account (a unique key), with the family's choice and the movement that settled
//! it (a refund, or the transfer to a sibling's service).

use sea_orm_migration::prelude::*;

use crate::columns::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

tables_migration!(Migration);

fn tables() -> Vec<TableCreateStatement> {
    vec![
        tenant_table(
            "year_closings",
            vec![
                text("school_year"),
                big("minimum_refund_cents"),
                day("choice_deadline"),
                instant_null("asked_at"),
                instant_null("closed_at"),
                big_null("closed_by"),
            ],
            &[("closed_by", "users")],
        ),
        history_table(
            "year_end_credits",
            vec![
                text("school_year"),
                big("account_id"),
                big("guardian_id"),
                big("service_id"),
                // Set when the year is closed.
                big_null("credit_cents"),
                text("status"),
                text_null("choice"),
                text_null("iban"),
                big_null("target_account_id"),
                flag("asked_ahead"),
                instant_null("chosen_at"),
                big_null("chosen_by"),
                // The refund, or the transfer's debit, once made.
                big_null("movement_id"),
                instant_null("settled_at"),
                big_null("settled_by"),
                instant("created_at"),
            ],
            &[
                ("account_id", "prepaid_accounts"),
                ("guardian_id", "users"),
                ("service_id", "services"),
                ("target_account_id", "prepaid_accounts"),
                ("movement_id", "ledger_movements"),
            ],
        ),
    ]
}

fn indexes() -> Vec<IndexCreateStatement> {
    vec![
        unique("year_closings", &["ente_id", "school_year"]),
        unique(
            "year_end_credits",
            &["ente_id", "school_year", "account_id"],
        ),
        index("year_end_credits", &["ente_id", "guardian_id"]),
    ]
}
