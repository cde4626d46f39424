//! One row the readiness check writes, so "ready" means the database takes writes, not
//! only that it answers.

use sea_orm_migration::prelude::*;

use crate::columns::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(table(
                "readiness_probes",
                vec![id(), instant("checked_at")],
                vec![],
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(
                Table::drop()
                    .table(Alias::new("readiness_probes"))
                    .to_owned(),
            )
            .await
    }
}
