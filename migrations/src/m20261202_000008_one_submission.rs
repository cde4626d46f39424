//! One submission per child (or per family) and form, kept by the database: a sent
//! submission names what it is unique for in `once_key` (`child:<id>` or `family`), and
//! among the submissions in force (sent, da validare, accepted, blocked) of one family
//! and form a key appears at most once. Drafts, refused and cancelled ones do not count.

use sea_orm_migration::prelude::*;

use crate::columns::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLE: &str = "form_submissions";
const ONCE: &str = "ux_form_submissions_form_id_family_id_once_key";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        add_column(manager, TABLE, text_null("once_key")).await?;
        manager
            .create_index(
                unique(TABLE, &["form_id", "family_id", "once_key"])
                    .and_where(Expr::col(Alias::new("state")).is_in([
                        "sent",
                        "to_validate",
                        "accepted",
                        "blocked",
                    ]))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_index(manager, TABLE, ONCE).await?;
        drop_column(manager, TABLE, "once_key").await
    }
}

#[cfg(test)]
mod tests {
    use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection};
    use sea_orm_migration::MigratorTrait;

    use super::ONCE;
    use crate::Migrator;

    async fn indexes(db: &DatabaseConnection) -> i64 {
        let sql = match db.get_database_backend() {
            DatabaseBackend::Postgres => {
                format!("SELECT COUNT(*) FROM pg_indexes WHERE indexname = '{ONCE}'")
            }
            _ => format!(
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = '{ONCE}'"
            ),
        };
        crate::fresh::scalar(db, &sql).await
    }

    /// Up to itself, down and up again: the index comes and goes with its column (a later
    /// migration renames it).
    async fn round_trip(db: &DatabaseConnection) {
        let up_to_this = crate::fresh::before(&super::Migration) + 1;
        Migrator::up(db, Some(up_to_this)).await.unwrap();
        assert_eq!(indexes(db).await, 1);
        Migrator::down(db, Some(1)).await.unwrap();
        assert_eq!(indexes(db).await, 0);
        assert!(db
            .execute_unprepared("SELECT once_key FROM form_submissions")
            .await
            .is_err());
        Migrator::up(db, Some(1)).await.unwrap();
        assert_eq!(indexes(db).await, 1);
    }

    #[tokio::test]
    async fn sqlite_adds_and_removes_the_one_submission_index() {
        crate::fresh::sqlite("one_submission", round_trip).await;
    }

    #[tokio::test]
    async fn postgres_adds_and_removes_the_one_submission_index() {
        crate::fresh::postgres("one_submission", round_trip).await;
    }
}
