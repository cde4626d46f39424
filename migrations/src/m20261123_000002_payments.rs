//! Payments: prepaid accounts and their ledger, payment notices, emissions, receipts,
//! simulator checkout sessions.

use sea_orm_migration::prelude::*;

use crate::columns::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

tables_migration!(Migration);

fn tables() -> Vec<TableCreateStatement> {
    vec![
        tenant_table(
            "prepaid_accounts",
            vec![
                big("guardian_id"),
                big("service_id"),
                big("balance_cents"),
                big("movement_count"),
                instant("updated_at"),
            ],
            &[("guardian_id", "users"), ("service_id", "services")],
        ),
        table(
            "notice_counters",
            vec![
                ColumnDef::new(Alias::new("ente_id"))
                    .big_integer()
                    .not_null()
                    .primary_key()
                    .to_owned(),
                big("next_value"),
            ],
            vec![fk("notice_counters", "ente_id", "entes")],
        ),
        tenant_table(
            "payment_notices",
            vec![
                big("guardian_id"),
                big("service_id"),
                text("purpose"),
                text("notice_number"),
                text("iuv"),
                big("amount_cents"),
                text("description"),
                day_null("due_date"),
                day_null("expires_on"),
                text("status"),
                instant("created_at"),
                instant_null("paid_at"),
                big_null("receipt_row_id"),
            ],
            &[("guardian_id", "users"), ("service_id", "services")],
        ),
        tenant_table(
            "emissions",
            vec![
                big("guardian_id"),
                big("service_id"),
                big("notice_id"),
                text("title"),
                day("due_date"),
                big("amount_cents"),
                text("status"),
                text_null("external_ref"),
                instant("created_at"),
            ],
            &[
                ("guardian_id", "users"),
                ("service_id", "services"),
                ("notice_id", "payment_notices"),
            ],
        ),
        table(
            "emission_lines",
            vec![
                id(),
                big("emission_id"),
                int("position"),
                text("description"),
                big("amount_cents"),
            ],
            vec![fk("emission_lines", "emission_id", "emissions")],
        ),
        table(
            "receipts",
            vec![
                id(),
                big_null("ente_id"),
                text("receipt_id"),
                text("notice_number"),
                text("ente_fiscal_code"),
                big("amount_cents"),
                instant("paid_at"),
                text("method"),
                text("psp"),
                text_null("payer_fiscal_code"),
                text("outcome"),
                big_null("notice_id"),
                instant("received_at"),
            ],
            vec![],
        ),
        tenant_table(
            "ledger_movements",
            vec![
                big("account_id"),
                text("kind"),
                big("amount_cents"),
                big("balance_after_cents"),
                text("description"),
                big_null("child_id"),
                day_null("service_day"),
                big_null("receipt_row_id"),
                text_null("meal_key"),
                big_null("created_by"),
                instant("created_at"),
            ],
            &[("account_id", "prepaid_accounts")],
        ),
        tenant_table(
            "checkout_sessions",
            vec![
                text("token"),
                big("notice_id"),
                text("return_to"),
                text("status"),
                instant("created_at"),
                instant("expires_at"),
            ],
            &[("notice_id", "payment_notices")],
        ),
    ]
}

fn indexes() -> Vec<IndexCreateStatement> {
    vec![
        unique("prepaid_accounts", &["guardian_id", "service_id"]),
        unique("payment_notices", &["ente_id", "notice_number"]),
        unique("payment_notices", &["ente_id", "iuv"]),
        index("payment_notices", &["guardian_id", "status"]),
        unique("emissions", &["notice_id"]),
        unique("emissions", &["ente_id", "external_ref"]),
        index("emissions", &["guardian_id", "due_date"]),
        index("emission_lines", &["emission_id"]),
        unique("receipts", &["receipt_id"]),
        index("receipts", &["notice_id"]),
        index("ledger_movements", &["account_id", "id"]),
        unique("ledger_movements", &["receipt_row_id"]),
        unique("ledger_movements", &["meal_key"]),
        unique("checkout_sessions", &["token"]),
    ]
}
