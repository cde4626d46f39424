//! «Paga e invia» at the enrolment gate: a submission sent while the family's account is
//! negative waits, Sospesa per insoluto, for the pagoPA notice of the amount due
//! (`notice_id`, at most one submission per notice); it counts as sent for the
//! one-submission-per-child rule; and when the notice's receipt moves it on, the history
//! records pagoPA, not a person (`actor_id` empty).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

use crate::columns::*;
use crate::m20261130_000201_money_restrict::rebuild_sqlite;

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLE: &str = "form_submissions";
const NOTICE_UNIQUE: &str = "ux_form_submissions_notice_id";
/// The index of the one submission in force, before and after this migration.
const ONCE: &str = "ux_form_submissions_form_id_family_id_once_key";
const ONCE_IN_FORCE: &str = "ux_form_submissions_once_in_force";
const EVENTS: &str = "form_submission_events";
/// The actor column as SQLite's definition of the events table spells it.
const ACTOR_REQUIRED: &str = r#""actor_id" bigint NOT NULL"#;
const ACTOR_OPTIONAL: &str = r#""actor_id" bigint"#;

/// The index `name` keeping one submission in force per family, form and child (or
/// family): over the submissions in `states`.
fn once_index(name: &str, states: &[&str]) -> IndexCreateStatement {
    unique(TABLE, &["form_id", "family_id", "once_key"])
        .name(name)
        .and_where(Expr::col(Alias::new("state")).is_in(states.iter().copied()))
        .to_owned()
}

const IN_FORCE: [&str; 4] = ["sent", "to_validate", "accepted", "blocked"];

/// Whether `actor_id` of the events may be empty.
async fn actor_optional(manager: &SchemaManager<'_>, optional: bool) -> Result<(), DbErr> {
    match manager.get_database_backend() {
        DbBackend::Postgres => {
            let change = if optional { "DROP" } else { "SET" };
            manager
                .get_connection()
                .execute_unprepared(&format!(
                    "ALTER TABLE {EVENTS} ALTER COLUMN actor_id {change} NOT NULL"
                ))
                .await
                .map(drop)
        }
        DbBackend::Sqlite if optional => {
            rebuild_sqlite(manager, &[EVENTS], ACTOR_REQUIRED, ACTOR_OPTIONAL).await
        }
        DbBackend::Sqlite => {
            // The optional column's definition is the required one's prefix: match it with
            // what follows it in the table's definition.
            rebuild_sqlite(
                manager,
                &[EVENTS],
                &format!("{ACTOR_OPTIONAL}, "),
                &format!("{ACTOR_REQUIRED}, "),
            )
            .await
        }
        DbBackend::MySql => Err(DbErr::Migration("MySQL is not supported".into())),
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        add_column(manager, TABLE, big_null("notice_id")).await?;
        manager.create_index(unique(TABLE, &["notice_id"])).await?;
        drop_index(manager, TABLE, ONCE).await?;
        let mut in_force = IN_FORCE.to_vec();
        in_force.push("suspended_unpaid");
        manager
            .create_index(once_index(ONCE_IN_FORCE, &in_force))
            .await?;
        actor_optional(manager, true).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        actor_optional(manager, false).await?;
        drop_index(manager, TABLE, ONCE_IN_FORCE).await?;
        manager.create_index(once_index(ONCE, &IN_FORCE)).await?;
        drop_index(manager, TABLE, NOTICE_UNIQUE).await?;
        drop_column(manager, TABLE, "notice_id").await
    }
}

#[cfg(test)]
mod tests {
    use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection};
    use sea_orm_migration::MigratorTrait;

    use crate::Migrator;

    /// Whether the events' `actor_id` may be empty.
    async fn actor_optional(db: &DatabaseConnection) -> bool {
        match db.get_database_backend() {
            DatabaseBackend::Postgres => {
                let nullable: String = crate::fresh::scalar(
                    db,
                    "SELECT is_nullable::text FROM information_schema.columns \
                     WHERE table_name = 'form_submission_events' AND column_name = 'actor_id'",
                )
                .await;
                nullable == "YES"
            }
            _ => {
                let required: i32 = crate::fresh::scalar(
                    db,
                    "SELECT \"notnull\" FROM pragma_table_info('form_submission_events') \
                     WHERE name = 'actor_id'",
                )
                .await;
                required == 0
            }
        }
    }

    /// Up, down and up again: the notice column and the empty actor come and go.
    async fn round_trip(db: &DatabaseConnection) {
        Migrator::up(db, None).await.unwrap();
        assert!(actor_optional(db).await);
        let this_and_later =
            Migrator::migrations().len() as u32 - crate::fresh::before(&super::Migration);
        Migrator::down(db, Some(this_and_later)).await.unwrap();
        assert!(!actor_optional(db).await);
        assert!(db
            .execute_unprepared("SELECT notice_id FROM form_submissions")
            .await
            .is_err());
        Migrator::up(db, None).await.unwrap();
        assert!(actor_optional(db).await);
        db.execute_unprepared("SELECT notice_id FROM form_submissions")
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn sqlite_adds_and_removes_the_gate_notices() {
        crate::fresh::sqlite("gate_notices", round_trip).await;
    }

    #[tokio::test]
    async fn postgres_adds_and_removes_the_gate_notices() {
        crate::fresh::postgres("gate_notices", round_trip).await;
    }
}
