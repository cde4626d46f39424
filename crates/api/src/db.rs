//! Database connection, migrations and tenant scoping.

use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::{
    ColumnTrait, ConnectOptions, Database, DatabaseConnection, DbErr, EntityTrait, Paginator,
    QueryFilter, Select, SelectorTrait,
};
use sportello_model::page::PageRequest;
use sportello_model::Page;

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

/// Entities whose rows belong to one ente. Every read of tenant data starts here, so a
/// query can only ever see the principal's own ente.
pub trait TenantScoped: EntityTrait {
    fn ente_column() -> Self::Column;

    fn find_in_ente(ente_id: i64) -> Select<Self> {
        Self::find().filter(Self::ente_column().eq(ente_id))
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
