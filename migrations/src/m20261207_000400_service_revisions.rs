//! Each service's revision: a number raised in the transaction of every change to what
//! the families' month calendar and bookings read of the service (the service itself, its
//! comune's settings, its calendar, its closures), so that a replica may keep them
//! between requests and know, from the revision read with the request's first statement,
//! whether they are still what the database holds.

use sea_orm_migration::prelude::*;

use crate::columns::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        add_column(manager, "services", big("revision").default(0)).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_column(manager, "services", "revision").await
    }
}
