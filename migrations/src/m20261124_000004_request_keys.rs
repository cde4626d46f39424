//! Operators' corrections to a prepaid account carry the request's key, so that a
//! retried request appends its movement once.

use sea_orm_migration::prelude::*;

use crate::columns::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("ledger_movements"))
                    .add_column(text_null("request_key"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(unique("ledger_movements", &["request_key"]))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ux_ledger_movements_request_key")
                    .table(Alias::new("ledger_movements"))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("ledger_movements"))
                    .drop_column(Alias::new("request_key"))
                    .to_owned(),
            )
            .await
    }
}
