//! Statements are ordered by each movement's own date (`occurred_on`: the school day of
//! a meal, the Europe/Rome day it was paid or made for everything else), newest first,
//! read through an index; and an emission may name the child it is for.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend};

use crate::columns::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const MOVEMENT_DATE_INDEX: &str = "ix_ledger_movements_account_id_occurred_on_id";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        add_column(
            manager,
            "ledger_movements",
            day("occurred_on").default("1970-01-01"),
        )
        .await?;
        // Rows made before this migration: PostgreSQL knows the Rome day; SQLite (the
        // development database) keeps the UTC day of the RFC 3339 text.
        let day_of_creation = match manager.get_database_backend() {
            DatabaseBackend::Postgres => "(created_at AT TIME ZONE 'Europe/Rome')::date",
            _ => "substr(created_at, 1, 10)",
        };
        manager
            .get_connection()
            .execute_unprepared(&format!(
                "UPDATE ledger_movements SET occurred_on = COALESCE(service_day, {day_of_creation})"
            ))
            .await?;
        manager
            .create_index(index(
                "ledger_movements",
                &["account_id", "occurred_on", "id"],
            ))
            .await?;
        add_column(manager, "emissions", big_null("child_id")).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_column(manager, "emissions", "child_id").await?;
        drop_index(manager, "ledger_movements", MOVEMENT_DATE_INDEX).await?;
        drop_column(manager, "ledger_movements", "occurred_on").await
    }
}
