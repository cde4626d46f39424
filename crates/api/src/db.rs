//! Database connection, migrations and tenant scoping.

use std::fmt;
use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::sea_query::{self, ArrayType, ColumnType, Nullable, OnConflict, ValueTypeErr};
use sea_orm::{
    ActiveModelTrait, ColIdx, ColumnTrait, ConnectOptions, ConnectionTrait, Database,
    DatabaseConnection, DbErr, EntityTrait, IntoActiveModel, Paginator, QueryFilter, QueryResult,
    Select, SelectorTrait, TryGetError, TryGetable, Value,
};
use sportello_model::page::PageRequest;
use sportello_model::Page;

use crate::entes::entity::ente;

/// Connects (creating the SQLite file and its folder when needed) and runs pending migrations.
pub async fn connect_and_migrate(url: &str) -> Result<DatabaseConnection, DbErr> {
    if let Some(path) = sqlite_path(url) {
        if let Some(parent) = std::path::Path::new(path).parent() {
            if !parent.as_os_str().is_empty() {
                std::fs::create_dir_all(parent).map_err(|e| {
                    DbErr::Custom(format!("cannot create {}: {e}", parent.display()))
                })?;
            }
        }
    }
    let mut options = ConnectOptions::new(url.to_string());
    options
        .max_connections(if sqlite_path(url).is_some() { 8 } else { 16 })
        .acquire_timeout(Duration::from_secs(10))
        .sqlx_logging(false);
    let db = Database::connect(options).await?;
    Migrator::up(&db, None).await?;
    Ok(db)
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
