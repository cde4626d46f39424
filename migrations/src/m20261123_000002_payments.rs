//! Payments: prepaid accounts and their ledger, payment notices, emissions, receipts,
//! simulator checkout sessions.

use sea_orm_migration::prelude::*;

use crate::columns::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLES: [&str; 8] = [
    "prepaid_accounts",
    "notice_counters",
    "payment_notices",
    "emissions",
    "emission_lines",
    "receipts",
    "ledger_movements",
    "checkout_sessions",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let tables = vec![
            table(
                "prepaid_accounts",
                vec![
                    id(),
                    big("ente_id"),
                    big("guardian_id"),
                    big("service_id"),
                    big("balance_cents"),
                    big("movement_count"),
                    instant("updated_at"),
                ],
                vec![
                    fk("prepaid_accounts", "ente_id", "entes"),
                    fk("prepaid_accounts", "guardian_id", "users"),
                    fk("prepaid_accounts", "service_id", "services"),
                ],
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
            table(
                "payment_notices",
                vec![
                    id(),
                    big("ente_id"),
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
                vec![
                    fk("payment_notices", "ente_id", "entes"),
                    fk("payment_notices", "guardian_id", "users"),
                    fk("payment_notices", "service_id", "services"),
                ],
            ),
            table(
                "emissions",
                vec![
                    id(),
                    big("ente_id"),
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
                vec![
                    fk("emissions", "ente_id", "entes"),
                    fk("emissions", "guardian_id", "users"),
                    fk("emissions", "service_id", "services"),
                    fk("emissions", "notice_id", "payment_notices"),
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
            table(
                "ledger_movements",
                vec![
                    id(),
                    big("ente_id"),
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
                vec![
                    fk("ledger_movements", "ente_id", "entes"),
                    fk("ledger_movements", "account_id", "prepaid_accounts"),
                ],
            ),
            table(
                "checkout_sessions",
                vec![
                    id(),
                    big("ente_id"),
                    text("token"),
                    big("notice_id"),
                    text("return_to"),
                    text("status"),
                    instant("created_at"),
                    instant("expires_at"),
                ],
                vec![
                    fk("checkout_sessions", "ente_id", "entes"),
                    fk("checkout_sessions", "notice_id", "payment_notices"),
                ],
            ),
        ];
        for t in tables {
            manager.create_table(t).await?;
        }
        for i in [
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
        ] {
            manager.create_index(i).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for name in TABLES.iter().rev() {
            manager
                .drop_table(Table::drop().table(Alias::new(*name)).to_owned())
                .await?;
        }
        Ok(())
    }
}
