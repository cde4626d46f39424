//! Operators' corrections to a prepaid account carry the request's key, so that a
//! retried request appends its movement once.

use sea_orm_migration::prelude::*;

use crate::columns::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        add_column(manager, "ledger_movements", text_null("request_key")).await?;
        manager
            .create_index(unique("ledger_movements", &["request_key"]))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_index(
            manager,
            "ledger_movements",
            "ux_ledger_movements_request_key",
        )
        .await?;
        drop_column(manager, "ledger_movements", "request_key").await
    }
}
