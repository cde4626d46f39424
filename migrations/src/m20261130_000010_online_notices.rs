//! A payment notice made only for an online payment attempt (Ricarica → Paga) is marked,
//! so that it is never offered for a counter and is withdrawn when the attempt ends
//! without payment.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("payment_notices"))
                    .add_column(
                        ColumnDef::new(Alias::new("online_only"))
                            .boolean()
                            .not_null()
                            .default(false),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("payment_notices"))
                    .drop_column(Alias::new("online_only"))
                    .to_owned(),
            )
            .await
    }
}
