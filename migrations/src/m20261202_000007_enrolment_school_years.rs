//! Enrolments belong to a school year: a child has one card per service and school year
//! (so the enrolment for next year, accepted from a form, stands beside this year's),
//! and names the form submission that made it, at most one card per submission. The
//! enrolments made before belong to the school year of the day the migration runs
//! (from September, the one starting that year).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend};

use crate::columns::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const OLD_UNIQUE: &str = "ux_enrolments_child_id_service_id";
const NEW_UNIQUE: &str = "ux_enrolments_child_id_service_id_school_year";
const SUBMISSION_UNIQUE: &str = "ux_enrolments_submission_id";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        add_column(
            manager,
            "enrolments",
            text("school_year").default("2000/2001"),
        )
        .await?;
        // The year the current school year started, by the database's clock.
        let start = match manager.get_database_backend() {
            DatabaseBackend::Postgres => {
                "(EXTRACT(YEAR FROM CURRENT_DATE)::int - CASE WHEN EXTRACT(MONTH FROM CURRENT_DATE) < 9 THEN 1 ELSE 0 END)"
            }
            _ => {
                "(CAST(strftime('%Y', 'now') AS INTEGER) - (CAST(strftime('%m', 'now') AS INTEGER) < 9))"
            }
        };
        let db = manager.get_connection();
        db.execute_unprepared(&format!(
            "UPDATE enrolments SET school_year = {start} || '/' || ({start} + 1)"
        ))
        .await?;
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            // Every new card names its school year; SQLite cannot drop a default.
            db.execute_unprepared("ALTER TABLE enrolments ALTER COLUMN school_year DROP DEFAULT")
                .await?;
        }
        drop_index(manager, "enrolments", OLD_UNIQUE).await?;
        manager
            .create_index(unique(
                "enrolments",
                &["child_id", "service_id", "school_year"],
            ))
            .await?;
        add_column(manager, "enrolments", big_null("submission_id")).await?;
        manager
            .create_index(unique("enrolments", &["submission_id"]))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_index(manager, "enrolments", SUBMISSION_UNIQUE).await?;
        drop_column(manager, "enrolments", "submission_id").await?;
        drop_index(manager, "enrolments", NEW_UNIQUE).await?;
        drop_column(manager, "enrolments", "school_year").await?;
        manager
            .create_index(unique("enrolments", &["child_id", "service_id"]))
            .await
    }
}
