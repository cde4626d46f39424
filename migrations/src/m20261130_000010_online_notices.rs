//! A payment notice made only for an online payment attempt (Ricarica → Paga) is marked,
//! so that it is never offered for a counter and is withdrawn when the attempt ends
//! without payment.

use sea_orm_migration::prelude::*;

use crate::columns::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        add_column(
            manager,
            "payment_notices",
            ColumnDef::new(Alias::new("online_only"))
                .boolean()
                .not_null()
                .default(false),
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_column(manager, "payment_notices", "online_only").await
    }
}
