//! Database connection, migrations and tenant scoping.

use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::{
    ColumnTrait, ConnectOptions, Database, DatabaseConnection, DbErr, EntityTrait, Paginator,
    QueryFilter, Select, SelectorTrait,
};
use sportello_model::page::PageRequest;
use sportello_model::Page;

/// How long the first connection may take before start-up gives up on the database.
const PROBE_TIMEOUT: Duration = Duration::from_secs(5);

/// Why start-up could not use the database; the address never shows the password.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("database {address} non raggiungibile: {cause}")]
    Unreachable { address: String, cause: String },
    #[error("database {address}: {source}")]
    Database { address: String, source: DbErr },
}

/// Connects (creating the SQLite file and its folder when needed) and runs pending migrations.
pub async fn connect_and_migrate(url: &str) -> Result<DatabaseConnection, ConnectError> {
    let db = connect(url).await?;
    Migrator::up(&db, None)
        .await
        .map_err(|source| ConnectError::Database {
            address: redacted(url),
            source,
        })?;
    Ok(db)
}

/// Connects without migrating. One direct connection is tried first, so an unreachable
/// database is reported at once with its address (password hidden) and the real cause,
/// instead of after the pool's wait with "pool timed out".
pub async fn connect(url: &str) -> Result<DatabaseConnection, ConnectError> {
    let unreachable = |cause: String| ConnectError::Unreachable {
        address: redacted(url),
        cause,
    };
    if let Some(path) = sqlite_path(url) {
        if let Some(parent) = std::path::Path::new(path).parent() {
            if !parent.as_os_str().is_empty() {
                std::fs::create_dir_all(parent).map_err(|e| {
                    unreachable(format!("cartella {} non creata: {e}", parent.display()))
                })?;
            }
        }
    }
    probe(url).await.map_err(unreachable)?;
    let mut options = ConnectOptions::new(url.to_string());
    options
        .max_connections(if sqlite_path(url).is_some() { 8 } else { 16 })
        .acquire_timeout(Duration::from_secs(10))
        .sqlx_logging(false);
    Database::connect(options)
        .await
        .map_err(|source| ConnectError::Database {
            address: redacted(url),
            source,
        })
}

async fn probe(url: &str) -> Result<(), String> {
    use sea_orm::sqlx::{self, ConnectOptions as _, Connection as _};
    let attempt = async {
        if url.starts_with("postgres") {
            let options: sqlx::postgres::PgConnectOptions = url.parse()?;
            options.connect().await?.close().await
        } else {
            let options: sqlx::sqlite::SqliteConnectOptions = url.parse()?;
            options.connect().await?.close().await
        }
    };
    match tokio::time::timeout(PROBE_TIMEOUT, attempt).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(err)) => Err(err.to_string()),
        Err(_) => Err(format!(
            "nessuna risposta entro {} s",
            PROBE_TIMEOUT.as_secs()
        )),
    }
}

/// The database address for messages and logs: the password replaced by `***`.
pub fn redacted(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            parsed.set_password(Some("***")).ok();
            parsed.to_string()
        }
        Ok(parsed) => parsed.to_string(),
        Err(_) => "(indirizzo non valido)".into(),
    }
}

/// Whether the database cannot serve the request now but may soon: the connection was
/// lost or refused, the pool is exhausted or closed, the server is shutting down or
/// refusing connections, the row or file is locked, the transaction lost a serialization
/// race, or the database takes no writes (read-only, as a standby after a failover). The
/// request may be sent again.
pub fn is_unavailable(err: &DbErr) -> bool {
    use sea_orm::sqlx::Error as Sqlx;
    use sea_orm::RuntimeErr;
    let sqlx = match err {
        DbErr::ConnectionAcquire(_) => return true,
        DbErr::Conn(RuntimeErr::SqlxError(e))
        | DbErr::Exec(RuntimeErr::SqlxError(e))
        | DbErr::Query(RuntimeErr::SqlxError(e)) => e,
        _ => return false,
    };
    match sqlx {
        Sqlx::Io(_) | Sqlx::PoolTimedOut | Sqlx::PoolClosed | Sqlx::WorkerCrashed => true,
        Sqlx::Database(db) => {
            let Some(code) = db.code() else {
                return false;
            };
            if db
                .try_downcast_ref::<sea_orm::sqlx::sqlite::SqliteError>()
                .is_some()
            {
                // BUSY, LOCKED, READONLY with their extended codes.
                code.parse::<i32>()
                    .is_ok_and(|code| matches!(code & 0xff, 5 | 6 | 8))
            } else {
                // Connection exception (class 08), shutting down or refusing connections
                // (57P01–57P03), too many connections, serialization failure, deadlock,
                // read-only transaction.
                code.starts_with("08")
                    || matches!(
                        code.as_ref(),
                        "57P01" | "57P02" | "57P03" | "53300" | "40001" | "40P01" | "25006"
                    )
            }
        }
        _ => false,
    }
}

fn sqlite_path(url: &str) -> Option<&str> {
    let rest = url.strip_prefix("sqlite://")?;
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty() && path != ":memory:").then_some(path)
}

/// Entities whose rows belong to one ente. Every read of tenant data starts here, so a
/// query can only ever see the principal's own ente.
pub trait TenantScoped: EntityTrait {
    fn ente_column() -> Self::Column;

    fn find_in_ente(ente_id: i64) -> Select<Self> {
        Self::find().filter(Self::ente_column().eq(ente_id))
    }
}

/// How many rows come before `page` (from 1), checked: an out-of-range page is an
/// error, never a wrapped or panicking multiplication.
pub fn page_offset(page: u64, per_page: u64) -> Result<u64, DbErr> {
    PageRequest { page, per_page }
        .offset()
        .filter(|offset| i64::try_from(*offset).is_ok())
        .ok_or_else(|| DbErr::Custom(format!("page {page} of {per_page} is out of range")))
}

/// One page (from 1) of a paginated query, mapped to DTOs, with the total count.
pub async fn fetch_page<'db, S, T>(
    paginator: Paginator<'db, DatabaseConnection, S>,
    page: u64,
    per_page: u64,
    map: impl FnMut(S::Item) -> T,
) -> Result<Page<T>, DbErr>
where
    S: SelectorTrait + 'db,
{
    page_offset(page, per_page)?;
    let total = paginator.num_items().await?;
    let items = paginator
        .fetch_page(page - 1)
        .await?
        .into_iter()
        .map(map)
        .collect();
    Ok(Page {
        items,
        page,
        per_page,
        total,
    })
}
