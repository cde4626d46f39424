//! Detrazione fiscale: the certificates of a calendar year written to the families, one
//! per comune, year and family (unique), so that generating a year again writes nothing
//! new.

use sea_orm_migration::prelude::*;

use crate::columns::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

tables_migration!(Migration);

fn tables() -> Vec<TableCreateStatement> {
    vec![history_table(
        "tax_certificates",
        vec![
            int("year"),
            // The family's guardian (intestatario), to whom the amounts are attributed.
            big("guardian_id"),
            // What it certifies: paid, refunded and net, in cents.
            big("paid_cents"),
            big("refunded_cents"),
            big("net_cents"),
            big("author_id"),
            instant("created_at"),
        ],
        &[("guardian_id", "users"), ("author_id", "users")],
    )]
}

fn indexes() -> Vec<IndexCreateStatement> {
    vec![unique(
        "tax_certificates",
        &["ente_id", "year", "guardian_id"],
    )]
}
