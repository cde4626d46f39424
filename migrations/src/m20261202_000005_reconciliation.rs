//! Reconciliation with the treasury and receipts fetched from pagoPA:
//!
//! * per comune, whether it uses only GPD (no station of its own, so the server fetches
//!   its receipts) and how many working days a receipt may wait for its flow;
//! * per payment notice, when its receipt is next asked for and how often it was;
//! * the flussi di rendicontazione (`fdr_flows`, one row per flow and revision) and their
//!   payments (`fdr_payments`), history that refuses deletes.

use sea_orm_migration::prelude::*;

use crate::columns::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// A foreign key of a history table: deleting the parent is refused.
fn restrict(table: &str, column: &str, parent: &str) -> ForeignKeyCreateStatement {
    fk(table, column, parent)
        .on_delete(ForeignKeyAction::Restrict)
        .to_owned()
}

fn tables() -> Vec<TableCreateStatement> {
    vec![
        table(
            "fdr_flows",
            vec![
                id(),
                big("ente_id"),
                text("flow_id"),
                big("revision"),
                text("psp_id"),
                instant("flow_at"),
                text("regulation_id"),
                day("regulation_date"),
                big("payment_count"),
                big("total_cents"),
                text("source"),
                flag("superseded"),
                instant("imported_at"),
            ],
            vec![restrict("fdr_flows", "ente_id", "entes")],
        ),
        table(
            "fdr_payments",
            vec![
                id(),
                big("ente_id"),
                big("flow_row_id"),
                text("iuv"),
                text("iur"),
                int("transfer_index"),
                big("amount_cents"),
                text("outcome"),
                day("paid_on"),
            ],
            vec![
                restrict("fdr_payments", "ente_id", "entes"),
                restrict("fdr_payments", "flow_row_id", "fdr_flows"),
            ],
        ),
    ]
}

fn indexes() -> Vec<IndexCreateStatement> {
    vec![
        unique("fdr_flows", &["ente_id", "flow_id", "revision"]),
        index("fdr_flows", &["ente_id", "flow_at"]),
        unique(
            "fdr_payments",
            &["flow_row_id", "iuv", "iur", "transfer_index"],
        ),
        index("fdr_payments", &["ente_id", "iuv"]),
        index("payment_notices", &["status", "receipt_poll_at"]),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        add_column(
            manager,
            "entes",
            ColumnDef::new(Alias::new("pagopa_gpd_only"))
                .boolean()
                .not_null()
                .default(false),
        )
        .await?;
        add_column(
            manager,
            "entes",
            ColumnDef::new(Alias::new("flow_grace_days"))
                .integer()
                .not_null()
                .default(3),
        )
        .await?;
        add_column(manager, "payment_notices", instant_null("receipt_poll_at")).await?;
        add_column(
            manager,
            "payment_notices",
            ColumnDef::new(Alias::new("receipt_polls"))
                .integer()
                .not_null()
                .default(0),
        )
        .await?;
        create_all(manager, tables(), indexes()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_all(manager, tables()).await?;
        drop_index(
            manager,
            "payment_notices",
            "ix_payment_notices_status_receipt_poll_at",
        )
        .await?;
        for column in ["receipt_polls", "receipt_poll_at"] {
            drop_column(manager, "payment_notices", column).await?;
        }
        for column in ["flow_grace_days", "pagopa_gpd_only"] {
            drop_column(manager, "entes", column).await?;
        }
        Ok(())
    }
}
