//! Money and history are never deleted by a cascade: every foreign key of the ledger,
//! the prepaid accounts, payment notices, emissions and their lines, checkout sessions,
//! the IUV counters, bookings and attendance becomes `ON DELETE RESTRICT`, so deleting a
//! user, a child, a service or an ente that still has them is refused by the database.
//!
//! PostgreSQL alters the constraints in place. SQLite cannot alter a foreign key: each
//! table is rebuilt from its own definition (create, copy every row, drop, rename,
//! recreate its indexes), on one connection with foreign keys off, checked before commit.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::sqlx;
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
        DbBackend::Sqlite => rebuild_sqlite(manager, &TABLES, from, to).await,
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

/// Rebuilds each of `tables` whose definition contains `from` with `to` in its place.
pub(crate) async fn rebuild_sqlite(
    manager: &SchemaManager<'_>,
    tables: &[&str],
    from: &str,
    to: &str,
) -> Result<(), DbErr> {
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
    execute(&mut conn, "PRAGMA foreign_keys = OFF").await?;
    execute(&mut conn, "BEGIN").await?;
    let rebuilt = rebuild_tables(&mut conn, tables, from, to).await;
    let end = if rebuilt.is_ok() {
        "COMMIT"
    } else {
        "ROLLBACK"
    };
    execute(&mut conn, end).await?;
    execute(&mut conn, "PRAGMA foreign_keys = ON").await?;
    rebuilt
}

async fn rebuild_tables(
    conn: &mut sqlx::SqliteConnection,
    tables: &[&str],
    from: &str,
    to: &str,
) -> Result<(), DbErr> {
    for &table in tables {
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
            execute(conn, &statement).await?;
        }
        check_foreign_keys(conn, table).await?;
    }
    Ok(())
}

/// Every row of a rebuilt table still points at an existing parent.
async fn check_foreign_keys(conn: &mut sqlx::SqliteConnection, table: &str) -> Result<(), DbErr> {
    let broken = sqlx::query(&format!(r#"PRAGMA foreign_key_check("{table}")"#))
        .fetch_all(&mut *conn)
        .await
        .map_err(sqlx_error)?;
    match broken.len() {
        0 => Ok(()),
        rows => Err(DbErr::Migration(format!(
            "{rows} rows of {table} break a foreign key"
        ))),
    }
}

async fn execute(conn: &mut sqlx::SqliteConnection, sql: &str) -> Result<(), DbErr> {
    sqlx::query(sql)
        .execute(conn)
        .await
        .map(drop)
        .map_err(sqlx_error)
}

fn sqlx_error(err: sqlx::Error) -> DbErr {
    DbErr::Migration(err.to_string())
}

#[cfg(test)]
mod tests {
    use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend};
    use sea_orm_migration::MigratorTrait;

    use crate::Migrator;

    /// Rows of a family with money, written before the migration.
    const ROWS: &[&str] = &[
        crate::fresh::DEMO_ENTE,
        "INSERT INTO users (id, ente_id, role, fiscal_code, first_name, last_name, active, created_at) VALUES (7, 1, 'guardian', 'LBRMRA80E12F205M', 'Mario', 'Albertini', true, '2026-11-30 10:00:00+00:00')",
        "INSERT INTO services (id, ente_id, code, name, kind) VALUES (3, 1, 'REF', 'Refezione Scolastica', 'prepaid')",
        "INSERT INTO prepaid_accounts (id, ente_id, guardian_id, service_id, balance_cents, movement_count, updated_at) VALUES (5, 1, 7, 3, 4700, 2, '2026-11-30 10:00:00+00:00')",
        "INSERT INTO ledger_movements (id, ente_id, account_id, kind, amount_cents, balance_after_cents, description, created_at, occurred_on) VALUES (40, 1, 5, 'recharge', 5000, 5000, 'Ricarica', '2026-11-30 10:00:00+00:00', '2026-11-30')",
        "INSERT INTO ledger_movements (id, ente_id, account_id, kind, amount_cents, balance_after_cents, description, meal_key, created_at, occurred_on) VALUES (41, 1, 5, 'meal', -300, 4700, 'Pasto', '1:3:2026-11-30', '2026-11-30 10:00:00+00:00', '2026-11-30')",
        "INSERT INTO payment_notices (id, ente_id, guardian_id, service_id, purpose, notice_number, iuv, amount_cents, description, due_date, status, created_at, online_only) VALUES (9, 1, 7, 3, 'emission', '301000000000000122', '01000000000000122', 4760, 'Retta', '2026-12-05', 'open', '2026-11-30 10:00:00+00:00', false)",
        "INSERT INTO emissions (id, ente_id, guardian_id, service_id, notice_id, title, due_date, amount_cents, status, created_at) VALUES (11, 1, 7, 3, 9, 'Retta', '2026-12-05', 4760, 'to_pay', '2026-11-30 10:00:00+00:00')",
    ];

    async fn count(db: &DatabaseConnection, sql: &str) -> i64 {
        crate::fresh::scalar(db, sql).await
    }

    async fn migrate_with_rows(db: &DatabaseConnection) {
        crate::fresh::up_to(db, &super::Migration).await;
        for row in ROWS {
            db.execute_unprepared(row).await.unwrap();
        }
        let sqlite = db.get_database_backend() == DbBackend::Sqlite;
        let indexes = if sqlite {
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index'"
        } else {
            "SELECT COUNT(*) FROM pg_indexes WHERE schemaname = 'public'"
        };
        let before = count(db, indexes).await;
        // This migration only: later ones add tables and indexes of their own.
        Migrator::up(db, Some(1)).await.unwrap();
        assert_eq!(count(db, indexes).await, before, "indexes kept");
        for (table, rows) in [
            ("ledger_movements", 2),
            ("prepaid_accounts", 1),
            ("payment_notices", 1),
            ("emissions", 1),
        ] {
            assert_eq!(
                count(db, &format!("SELECT COUNT(*) FROM {table}")).await,
                rows
            );
        }
        assert_eq!(
            count(
                db,
                "SELECT CAST(SUM(amount_cents) AS BIGINT) FROM ledger_movements"
            )
            .await,
            4700
        );
        // A user or an ente with money cannot be deleted; the ledger stays whole.
        assert!(db
            .execute_unprepared("DELETE FROM users WHERE id = 7")
            .await
            .is_err());
        assert!(db
            .execute_unprepared("DELETE FROM entes WHERE id = 1")
            .await
            .is_err());
        assert_eq!(count(db, "SELECT COUNT(*) FROM ledger_movements").await, 2);
        // New rows are added (on SQLite after the highest id), and foreign keys still hold.
        db.execute_unprepared("INSERT INTO ledger_movements (ente_id, account_id, kind, amount_cents, balance_after_cents, description, created_at, occurred_on) VALUES (1, 5, 'refund', -100, 4600, 'Rimborso', '2026-11-30 10:00:00+00:00', '2026-11-30')").await.unwrap();
        if sqlite {
            assert_eq!(count(db, "SELECT MAX(id) FROM ledger_movements").await, 42);
        }
        assert!(db
            .execute_unprepared("INSERT INTO ledger_movements (ente_id, account_id, kind, amount_cents, balance_after_cents, description, created_at, occurred_on) VALUES (1, 99, 'refund', -100, 4600, 'x', '2026-11-30 10:00:00+00:00', '2026-11-30')")
            .await
            .is_err());
        // And back.
        Migrator::down(db, Some(1)).await.unwrap();
        assert_eq!(count(db, "SELECT COUNT(*) FROM ledger_movements").await, 3);
    }

    #[tokio::test]
    async fn sqlite_keeps_every_row_and_index_and_restricts_deletes() {
        crate::fresh::sqlite("money_restrict", migrate_with_rows).await;
    }

    #[tokio::test]
    async fn postgres_keeps_every_row_and_index_and_restricts_deletes() {
        crate::fresh::postgres("money_restrict", migrate_with_rows).await;
    }
}
