//! Rette in one batch and cancelled rette: whether a service asks rette pro rata of the
//! days it runs in a month; the enrolment and month of a batch's retta, unique per ente
//! and service so that a month is issued once; why and when a retta was cancelled.

use sea_orm_migration::prelude::*;

use crate::columns::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The columns added to `emissions`.
fn emission_columns() -> [ColumnDef; 4] {
    [
        big_null("enrolment_id"),
        text_null("batch_month"),
        text_null("cancel_reason"),
        instant_null("cancelled_at"),
    ]
}

const BATCH_KEY: [&str; 4] = ["ente_id", "service_id", "batch_month", "enrolment_id"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        add_column(
            manager,
            "services",
            flag("pro_rata").default(false).to_owned(),
        )
        .await?;
        for column in emission_columns() {
            add_column(manager, "emissions", column).await?;
        }
        manager.create_index(unique("emissions", &BATCH_KEY)).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_index(
            manager,
            "emissions",
            &format!("ux_emissions_{}", BATCH_KEY.join("_")),
        )
        .await?;
        for column in emission_columns() {
            let name = column.get_column_name();
            drop_column(manager, "emissions", &name).await?;
        }
        drop_column(manager, "services", "pro_rata").await
    }
}
