//! Money and history are never deleted by a cascade: every foreign key of the ledger,
//! the prepaid accounts, payment notices, emissions and their lines, checkout sessions,
//! the IUV counters, bookings and attendance becomes `ON DELETE RESTRICT`, so deleting a
//! user, a child, a service or an ente that still has them is refused by the database.
//!
//! PostgreSQL alters the constraints in place. SQLite cannot alter a foreign key: each
//! table is rebuilt from its own definition (create, copy every row, drop, rename,
//! recreate its indexes), on one connection with foreign keys off, checked before commit.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::sqlx::{self, Row};
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend, Statement};
use sea_orm_migration::SchemaManagerConnection;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The tables whose foreign keys restrict deletes.
const TABLES: [&str; 9] = [
    "prepaid_accounts",
    "ledger_movements",
    "notice_counters",
    "payment_notices",
    "emissions",
    "emission_lines",
    "checkout_sessions",
    "bookings",
    "attendance",
];

const CASCADE: &str = "ON DELETE CASCADE";
const RESTRICT: &str = "ON DELETE RESTRICT";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        set_on_delete(manager, CASCADE, RESTRICT).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        set_on_delete(manager, RESTRICT, CASCADE).await
    }
}

async fn set_on_delete(manager: &SchemaManager<'_>, from: &str, to: &str) -> Result<(), DbErr> {
    match manager.get_database_backend() {
        DbBackend::Postgres => alter_postgres(manager, from, to).await,
        DbBackend::Sqlite => rebuild_sqlite(manager, from, to).await,
        DbBackend::MySql => Err(DbErr::Migration("MySQL is not supported".into())),
    }
}

async fn alter_postgres(manager: &SchemaManager<'_>, from: &str, to: &str) -> Result<(), DbErr> {
    let db = manager.get_connection();
    for table in TABLES {
        let constraints = db
            .query_all(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "SELECT conname, pg_get_constraintdef(oid) AS definition FROM pg_constraint \
                 WHERE contype = 'f' AND conrelid = $1::regclass ORDER BY conname",
                [table.into()],
            ))
            .await?;
        for row in constraints {
            let name: String = row.try_get("", "conname")?;
            let definition: String = row.try_get("", "definition")?;
            if definition.contains(from) {
                db.execute_unprepared(&format!(
                    r#"ALTER TABLE "{table}" DROP CONSTRAINT "{name}", ADD CONSTRAINT "{name}" {}"#,
                    definition.replace(from, to)
                ))
                .await?;
            }
        }
    }
    Ok(())
}

async fn rebuild_sqlite(manager: &SchemaManager<'_>, from: &str, to: &str) -> Result<(), DbErr> {
    // `PRAGMA foreign_keys` has no effect inside a transaction and holds per connection:
    // the rebuild takes one connection of the pool for itself.
    let SchemaManagerConnection::Connection(db) = manager.get_connection() else {
        return Err(DbErr::Migration(
            "on SQLite this migration runs outside a transaction".into(),
        ));
    };
    let mut conn = db
        .get_sqlite_connection_pool()
        .acquire()
        .await
        .map_err(sqlx_error)?;
    sqlx::query("PRAGMA foreign_keys = OFF")
        .execute(&mut *conn)
        .await
        .map_err(sqlx_error)?;
    sqlx::query("BEGIN")
        .execute(&mut *conn)
        .await
        .map_err(sqlx_error)?;
    let rebuilt = rebuild_tables(&mut conn, from, to).await;
    let end = if rebuilt.is_ok() {
        "COMMIT"
    } else {
        "ROLLBACK"
    };
    sqlx::query(end)
        .execute(&mut *conn)
        .await
        .map_err(sqlx_error)?;
    sqlx::query("PRAGMA foreign_keys = ON")
        .execute(&mut *conn)
        .await
        .map_err(sqlx_error)?;
    rebuilt
}

async fn rebuild_tables(
    conn: &mut sqlx::SqliteConnection,
    from: &str,
    to: &str,
) -> Result<(), DbErr> {
    for table in TABLES {
        let definition: String =
            sqlx::query_scalar("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?")
                .bind(table)
                .fetch_one(&mut *conn)
                .await
                .map_err(sqlx_error)?;
        let quoted = format!(r#"CREATE TABLE "{table}""#);
        if !definition.starts_with(&quoted) || !definition.contains(from) {
            continue;
        }
        let indexes: Vec<String> = sqlx::query_scalar(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
        )
        .bind(table)
        .fetch_all(&mut *conn)
        .await
        .map_err(sqlx_error)?;
        let sequence: Option<i64> =
            sqlx::query_scalar("SELECT seq FROM sqlite_sequence WHERE name = ?")
                .bind(table)
                .fetch_optional(&mut *conn)
                .await
                .map_err(sqlx_error)?;
        let rebuilt = format!(
            r#"CREATE TABLE "{table}_rebuilt"{}"#,
            &definition[quoted.len()..]
        )
        .replace(from, to);
        let mut statements = vec![
            rebuilt,
            format!(r#"INSERT INTO "{table}_rebuilt" SELECT * FROM "{table}""#),
            format!(r#"DROP TABLE "{table}""#),
            format!(r#"ALTER TABLE "{table}_rebuilt" RENAME TO "{table}""#),
        ];
        statements.extend(indexes);
        if let Some(seq) = sequence {
            statements.push(format!(
                "UPDATE sqlite_sequence SET seq = MAX(seq, {seq}) WHERE name = '{table}'"
            ));
        }
        for statement in statements {
            sqlx::query(&statement)
                .execute(&mut *conn)
                .await
                .map_err(sqlx_error)?;
        }
    }
    let broken = sqlx::query("PRAGMA foreign_key_check")
        .fetch_all(&mut *conn)
        .await
        .map_err(sqlx_error)?;
    match broken.first() {
        None => Ok(()),
        Some(row) => Err(DbErr::Migration(format!(
            "{} rows break a foreign key, first in {}",
            broken.len(),
            row.try_get::<String, _>(0).unwrap_or_default()
        ))),
    }
}

fn sqlx_error(err: sqlx::Error) -> DbErr {
    DbErr::Migration(err.to_string())
}
