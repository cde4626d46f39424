//! Solleciti: each comune's schedule of reminders (on or off, the days of its steps), and
//! every reminder sent — one per debt and step (a unique key), so that a job run twice
//! or on two replicas sends a step once. A reminder keeps the letter it wrote and the
//! pagoPA notice it asks to pay.

use sea_orm_migration::prelude::*;

use crate::columns::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

tables_migration!(Migration);

fn tables() -> Vec<TableCreateStatement> {
    vec![
        tenant_table(
            "reminder_schedules",
            vec![
                flag("enabled"),
                // The steps' days, ascending, separated by commas: "7,21".
                text("steps"),
                instant("updated_at"),
            ],
            &[],
        ),
        history_table(
            "reminders",
            vec![
                // The debt: `account:<id>:<day it went negative>` or `emission:<id>`.
                text("debt_key"),
                int("step"),
                text("kind"),
                big("guardian_id"),
                big_null("account_id"),
                big_null("emission_id"),
                text("debt"),
                big("amount_cents"),
                day("since"),
                // Set in the transaction that claims the row, before it commits.
                big_null("notice_id"),
                big_null("letter_id"),
                instant("created_at"),
            ],
            &[
                ("guardian_id", "users"),
                ("account_id", "prepaid_accounts"),
                ("emission_id", "emissions"),
                ("notice_id", "payment_notices"),
                ("letter_id", "letters"),
            ],
        ),
    ]
}

fn indexes() -> Vec<IndexCreateStatement> {
    vec![
        unique("reminder_schedules", &["ente_id"]),
        unique("reminders", &["ente_id", "debt_key", "step"]),
        index("reminders", &["ente_id", "created_at"]),
    ]
}
