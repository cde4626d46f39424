//! The office finds a family by a child's badge: enrolments are read by ente and badge
//! through an index.

use sea_orm_migration::prelude::*;

use crate::columns::*;

const BADGE_INDEX: &str = "ix_enrolments_ente_id_badge";

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(index("enrolments", &["ente_id", "badge"]))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_index(manager, "enrolments", BADGE_INDEX).await
    }
}
