//! Database connection, migrations and tenant scoping.

use std::fmt;
use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::sea_query::{self, ArrayType, ColumnType, Nullable, OnConflict, ValueTypeErr};
use sea_orm::{
    ActiveModelTrait, ColIdx, ColumnTrait, ConnectOptions, ConnectionTrait, Database,
    DatabaseConnection, DbErr, EntityTrait, IntoActiveModel, Paginator, QueryFilter, QueryResult,
    RelationDef, Select, SelectorTrait, TryGetError, TryGetable, Value,
};
use sportello_model::page::PageRequest;
use sportello_model::Page;

use crate::entes::entity::ente;

/// How long the first connection may take before start-up gives up on the database.
const PROBE_TIMEOUT: Duration = Duration::from_secs(5);

/// The connections of a replica's pool. SQLite: every connection is a thread of its own
/// and one writes at a time, but in WAL mode readers never wait for the writer, so a few
/// more than the cores keep the calendars read while changes queue for the write lock.
/// PostgreSQL: its backends do the work; two replicas use 32 of the server's default 100.
const SQLITE_CONNECTIONS: u32 = 8;
const POSTGRES_CONNECTIONS: u32 = 16;
/// How long a request waits for a connection of the pool before it is answered 503.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a SQLite statement waits for the write lock another connection or replica
/// holds before it fails as "database is locked" (503): shorter than the pool's wait, so
/// a queue of writers clears instead of holding every connection.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Why start-up could not use the database; the address never shows the password.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("database {address} non raggiungibile: {cause}")]
    Unreachable { address: String, cause: String },
    #[error("database {address}: {source}")]
    Database { address: String, source: DbErr },
}

/// Connects (creating the SQLite file and its folder when needed), then, holding the
/// start-up lock ([`StartupLock`]), runs the pending migrations and `prepare` (the demo
/// data). Any number of replicas may start together on one database: one at a time
/// migrates and prepares, the others wait for the lock and then find nothing left to do.
pub async fn connect_and_prepare(
    url: &str,
    prepare: impl AsyncFnOnce(&DatabaseConnection) -> Result<(), DbErr>,
) -> Result<DatabaseConnection, ConnectError> {
    let db = connect(url).await?;
    let failed = |source: DbErr| ConnectError::Database {
        address: redacted(url),
        source,
    };
    let lock = StartupLock::acquire(url).await.map_err(failed)?;
    if matches!(lock, StartupLock::Sqlite(_)) {
        // Kept in the file: from now on every connection of every replica uses it.
        db.execute_unprepared("PRAGMA journal_mode = WAL")
            .await
            .map_err(failed)?;
    }
    Migrator::up(&db, None).await.map_err(failed)?;
    prepare(&db).await.map_err(failed)?;
    lock.release().await.map_err(failed)?;
    Ok(db)
}

/// The key of the PostgreSQL advisory lock held while a replica migrates and prepares
/// the database ("Sportell" in ASCII).
const STARTUP_LOCK_KEY: i64 = 0x5370_6f72_7465_6c6c;

/// Held by one replica at a time while it migrates and prepares the database. PostgreSQL:
/// a session-level advisory lock on a connection of its own, outside the pool (the
/// database releases it if the process dies). SQLite: an exclusive lock on the file
/// `<database>.lock` beside the database (released by the system if the process dies).
/// An in-memory SQLite database has one process only and needs none.
enum StartupLock {
    Postgres(sea_orm::sqlx::PgConnection),
    Sqlite(std::fs::File),
    Memory,
}

/// A failure to take or release the start-up lock, as a database error.
fn lock_error(error: impl fmt::Display) -> DbErr {
    DbErr::Custom(format!("blocco di avvio: {error}"))
}

impl StartupLock {
    /// Waits until no other replica holds the lock, then takes it.
    async fn acquire(url: &str) -> Result<StartupLock, DbErr> {
        use sea_orm::sqlx::{self, ConnectOptions as _};
        if url.starts_with("postgres") {
            let options: sqlx::postgres::PgConnectOptions = url.parse().map_err(lock_error)?;
            let mut connection = options.connect().await.map_err(lock_error)?;
            sqlx::query("SELECT pg_advisory_lock($1)")
                .bind(STARTUP_LOCK_KEY)
                .execute(&mut connection)
                .await
                .map_err(lock_error)?;
            return Ok(StartupLock::Postgres(connection));
        }
        let Some(path) = sqlite_path(url) else {
            return Ok(StartupLock::Memory);
        };
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(format!("{path}.lock"))
            .map_err(lock_error)?;
        tokio::task::spawn_blocking(move || file.lock().map(|()| file))
            .await
            .map_err(lock_error)?
            .map(StartupLock::Sqlite)
            .map_err(lock_error)
    }

    /// Lets the next replica in.
    async fn release(self) -> Result<(), DbErr> {
        use sea_orm::sqlx::{self, Connection as _};
        match self {
            StartupLock::Postgres(mut connection) => {
                sqlx::query("SELECT pg_advisory_unlock($1)")
                    .bind(STARTUP_LOCK_KEY)
                    .execute(&mut connection)
                    .await
                    .map_err(lock_error)?;
                connection.close().await.map_err(lock_error)
            }
            StartupLock::Sqlite(file) => file.unlock().map_err(lock_error),
            StartupLock::Memory => Ok(()),
        }
    }
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
        .max_connections(if sqlite_path(url).is_some() {
            SQLITE_CONNECTIONS
        } else {
            POSTGRES_CONNECTIONS
        })
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .map_sqlx_sqlite_opts(|sqlite| {
            sqlite
                .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
                .busy_timeout(SQLITE_BUSY_TIMEOUT)
        })
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

/// Why the database cannot serve a request now, though it may soon. Either way the
/// request may be sent again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unavailable {
    /// The statement was cut short: the connection was lost or refused, the server is
    /// restarting (a failover), or the transaction lost a serialization race or a
    /// deadlock. The same request sent again at once runs on a new connection and most
    /// likely succeeds ([`crate::retry`] does so for the idempotent ones).
    Interrupted,
    /// The database is saturated or takes no writes: the pool is exhausted or closed, the
    /// server refuses more connections, the SQLite file stays locked, or the database is
    /// read-only (a standby). This does not clear at once; sending the request again at
    /// once would only add load.
    Saturated,
}

/// Whether `err` means the database cannot serve now but may soon, and how.
pub fn unavailable(err: &DbErr) -> Option<Unavailable> {
    use sea_orm::sqlx::Error as Sqlx;
    use sea_orm::{ConnAcquireErr, RuntimeErr};
    use Unavailable::{Interrupted, Saturated};
    let sqlx = match err {
        DbErr::ConnectionAcquire(ConnAcquireErr::ConnectionClosed) => return Some(Interrupted),
        DbErr::ConnectionAcquire(ConnAcquireErr::Timeout) => return Some(Saturated),
        DbErr::Conn(RuntimeErr::SqlxError(e))
        | DbErr::Exec(RuntimeErr::SqlxError(e))
        | DbErr::Query(RuntimeErr::SqlxError(e)) => e,
        _ => return None,
    };
    match sqlx {
        Sqlx::Io(_) | Sqlx::WorkerCrashed => Some(Interrupted),
        Sqlx::PoolTimedOut | Sqlx::PoolClosed => Some(Saturated),
        Sqlx::Database(db) => {
            let code = db.code()?;
            if db
                .try_downcast_ref::<sea_orm::sqlx::sqlite::SqliteError>()
                .is_some()
            {
                // BUSY, LOCKED, READONLY with their extended codes.
                code.parse::<i32>()
                    .is_ok_and(|code| matches!(code & 0xff, 5 | 6 | 8))
                    .then_some(Saturated)
            } else if code.starts_with("08")
                || matches!(
                    code.as_ref(),
                    "57P01" | "57P02" | "57P03" | "40001" | "40P01"
                )
            {
                // Connection exception (class 08), shutting down or not yet accepting
                // connections (57P01–57P03), serialization failure, deadlock.
                Some(Interrupted)
            } else {
                // Too many connections, read-only transaction.
                matches!(code.as_ref(), "53300" | "25006").then_some(Saturated)
            }
        }
        _ => None,
    }
}

fn sqlite_path(url: &str) -> Option<&str> {
    let rest = url.strip_prefix("sqlite://")?;
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty() && path != ":memory:").then_some(path)
}

/// The comune (ente) whose data a query may touch. It is read, never typed in: from the
/// authenticated principal, from the ente found by slug or fiscal code
/// ([`ente::Model::ente_id`]), or from the `ente_id` column of a row already read. Tenant
/// queries take it ([`TenantScoped::find_in_ente`]), so none can be written with a number
/// from a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EnteId(i64);

impl EnteId {
    /// The number, for a token's claims or a key.
    pub fn get(self) -> i64 {
        self.0
    }
}

impl fmt::Display for EnteId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl ente::Model {
    /// This ente's id, for the queries of its data.
    pub fn ente_id(&self) -> EnteId {
        EnteId(self.id)
    }
}

impl From<EnteId> for Value {
    fn from(id: EnteId) -> Value {
        Value::BigInt(Some(id.0))
    }
}

impl TryGetable for EnteId {
    fn try_get_by<I: ColIdx>(res: &QueryResult, index: I) -> Result<Self, TryGetError> {
        i64::try_get_by(res, index).map(EnteId)
    }
}

impl sea_query::ValueType for EnteId {
    fn try_from(value: Value) -> Result<Self, ValueTypeErr> {
        <i64 as sea_query::ValueType>::try_from(value).map(EnteId)
    }

    fn type_name() -> String {
        "EnteId".to_owned()
    }

    fn array_type() -> ArrayType {
        ArrayType::BigInt
    }

    fn column_type() -> ColumnType {
        ColumnType::BigInteger
    }
}

impl Nullable for EnteId {
    fn null() -> Value {
        Value::BigInt(None)
    }
}

/// Entities whose rows belong to one ente. Every read of tenant data starts here, so a
/// query can only ever see the principal's own ente.
pub trait TenantScoped: EntityTrait {
    fn ente_column() -> Self::Column;

    fn find_in_ente(ente: EnteId) -> Select<Self> {
        Self::find().filter(Self::ente_column().eq(ente))
    }
}

/// What every entity module declares besides its `Model`: no relations (joins are
/// written in the queries) and the default active-model behaviour; `tenant` adds the
/// entity's scoping by its `ente_id` column ([`TenantScoped`]).
macro_rules! entity_basics {
    () => {
        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}

        impl ActiveModelBehavior for ActiveModel {}
    };
    (tenant) => {
        $crate::db::entity_basics!();

        impl $crate::db::TenantScoped for Entity {
            fn ente_column() -> Column {
                Column::EnteId
            }
        }
    };
}
pub(crate) use entity_basics;

/// Refreshes PostgreSQL's statistics of `tables` after a bulk write, inside the writing
/// transaction too (its own new rows count): without them the planner still believes a
/// freshly filled table empty and reads it whole for every lookup by key until
/// autovacuum comes by. SQLite keeps no statistics unless asked, and its planner uses the
/// keys anyway: nothing to do there.
pub async fn refresh_statistics<C: ConnectionTrait>(db: &C, tables: &[&str]) -> Result<(), DbErr> {
    if db.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        db.execute_unprepared(&format!("ANALYZE {}", tables.join(", ")))
            .await?;
    }
    Ok(())
}

/// The foreign key `from` → `to` as a relation to join on (the entities declare none).
pub fn foreign_key<F, T>(from: F, to: T) -> RelationDef
where
    F: ColumnTrait,
    T: ColumnTrait,
    F::EntityName: EntityTrait<Column = F>,
    T::EntityName: EntityTrait<Column = T>,
{
    F::EntityName::belongs_to(T::EntityName::default())
        .from(from)
        .to(to)
        .into()
}

/// Inserts `rows` in one statement; a row whose `key` columns match a stored row updates
/// that row's `update` columns instead, or leaves it as it is when `update` is empty.
/// Returns the rows inserted or updated.
pub async fn upsert<A, C>(
    db: &C,
    rows: impl IntoIterator<Item = A>,
    key: impl IntoIterator<Item = <A::Entity as EntityTrait>::Column>,
    update: impl IntoIterator<Item = <A::Entity as EntityTrait>::Column>,
) -> Result<u64, DbErr>
where
    A: ActiveModelTrait,
    <A::Entity as EntityTrait>::Model: IntoActiveModel<A>,
    C: ConnectionTrait,
{
    let mut conflict = OnConflict::columns(key);
    let update: Vec<_> = update.into_iter().collect();
    if update.is_empty() {
        conflict.do_nothing();
    } else {
        conflict.update_columns(update);
    }
    <A::Entity as EntityTrait>::insert_many(rows)
        .on_conflict(conflict)
        .exec_without_returning(db)
        .await
}

/// How many rows come before the page, checked: an out-of-range page is an error, never a
/// wrapped or panicking multiplication.
pub fn page_offset(paging: PageRequest) -> Result<u64, DbErr> {
    paging
        .offset()
        .filter(|offset| i64::try_from(*offset).is_ok())
        .ok_or_else(|| {
            DbErr::Custom(format!(
                "page {} of {} is out of range",
                paging.page, paging.per_page
            ))
        })
}

/// One page of a paginated query, mapped to DTOs, with the total count.
pub async fn fetch_page<'db, S, T>(
    paginator: Paginator<'db, DatabaseConnection, S>,
    paging: PageRequest,
    map: impl FnMut(S::Item) -> T,
) -> Result<Page<T>, DbErr>
where
    S: SelectorTrait + 'db,
{
    page_offset(paging)?;
    let total = paginator.num_items().await?;
    let items = paginator
        .fetch_page(paging.page - 1)
        .await?
        .into_iter()
        .map(map)
        .collect();
    Ok(Page {
        items,
        page: paging.page,
        per_page: paging.per_page,
        total,
    })
}
