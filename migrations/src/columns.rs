//! Column, key and index helpers shared by the migrations.

use sea_orm_migration::prelude::*;

pub fn id() -> ColumnDef {
    ColumnDef::new(Alias::new("id"))
        .big_integer()
        .not_null()
        .auto_increment()
        .primary_key()
        .to_owned()
}

/// A `NOT NULL` column of the type `kind` sets.
fn required(name: &str, kind: fn(&mut ColumnDef) -> &mut ColumnDef) -> ColumnDef {
    kind(&mut ColumnDef::new(Alias::new(name)))
        .not_null()
        .to_owned()
}

/// A nullable column of the type `kind` sets.
fn optional(name: &str, kind: fn(&mut ColumnDef) -> &mut ColumnDef) -> ColumnDef {
    kind(&mut ColumnDef::new(Alias::new(name)))
        .null()
        .to_owned()
}

pub fn text(name: &str) -> ColumnDef {
    required(name, ColumnDef::string)
}

pub fn text_null(name: &str) -> ColumnDef {
    optional(name, ColumnDef::string)
}

pub fn long_text(name: &str) -> ColumnDef {
    required(name, ColumnDef::text)
}

pub fn big(name: &str) -> ColumnDef {
    required(name, ColumnDef::big_integer)
}

pub fn big_null(name: &str) -> ColumnDef {
    optional(name, ColumnDef::big_integer)
}

pub fn int(name: &str) -> ColumnDef {
    required(name, ColumnDef::integer)
}

pub fn flag(name: &str) -> ColumnDef {
    required(name, ColumnDef::boolean)
}

pub fn instant(name: &str) -> ColumnDef {
    required(name, ColumnDef::timestamp_with_time_zone)
}

pub fn instant_null(name: &str) -> ColumnDef {
    optional(name, ColumnDef::timestamp_with_time_zone)
}

pub fn day(name: &str) -> ColumnDef {
    required(name, ColumnDef::date)
}

pub fn day_null(name: &str) -> ColumnDef {
    optional(name, ColumnDef::date)
}

/// A foreign key column `column` referencing `table.id`, deleting along with its parent.
/// Not for money or history (ledger, notices, receipts, emissions, bookings, attendance):
/// those restrict deletes (`.on_delete(ForeignKeyAction::Restrict)`, as
/// m20261130_000201_money_restrict made every existing one).
pub fn fk(table: &str, column: &str, parent: &str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{table}_{column}"))
        .from(Alias::new(table), Alias::new(column))
        .to(Alias::new(parent), Alias::new("id"))
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

pub fn table(
    name: &str,
    columns: Vec<ColumnDef>,
    fks: Vec<ForeignKeyCreateStatement>,
) -> TableCreateStatement {
    let mut stmt = Table::create();
    stmt.table(Alias::new(name));
    for mut c in columns {
        stmt.col(&mut c);
    }
    for mut f in fks {
        stmt.foreign_key(&mut f);
    }
    stmt.to_owned()
}

pub fn unique(table: &str, columns: &[&str]) -> IndexCreateStatement {
    let mut stmt = Index::create();
    stmt.name(format!("ux_{}_{}", table, columns.join("_")))
        .table(Alias::new(table))
        .unique();
    for c in columns {
        stmt.col(Alias::new(*c));
    }
    stmt.to_owned()
}

pub fn index(table: &str, columns: &[&str]) -> IndexCreateStatement {
    let mut stmt = Index::create();
    stmt.name(format!("ix_{}_{}", table, columns.join("_")))
        .table(Alias::new(table));
    for c in columns {
        stmt.col(Alias::new(*c));
    }
    stmt.to_owned()
}

/// A table of one ente: `id`, then `ente_id` (deleted along with its ente), then
/// `columns`, with a foreign key for each `(column, parent table)` of `parents`.
pub fn tenant_table(
    name: &str,
    columns: Vec<ColumnDef>,
    parents: &[(&str, &str)],
) -> TableCreateStatement {
    ente_table(name, columns, parents, fk)
}

/// `id`, `ente_id`, then `columns`, with a foreign key made by `key` for the ente and for
/// each `(column, parent table)` of `parents`.
fn ente_table(
    name: &str,
    columns: Vec<ColumnDef>,
    parents: &[(&str, &str)],
    key: fn(&str, &str, &str) -> ForeignKeyCreateStatement,
) -> TableCreateStatement {
    let mut all = vec![id(), big("ente_id")];
    all.extend(columns);
    let fks = std::iter::once(("ente_id", "entes"))
        .chain(parents.iter().copied())
        .map(|(column, parent)| key(name, column, parent))
        .collect();
    table(name, all, fks)
}

/// The migration `$migration` creating the tables of the module's `tables()` and then the
/// indexes of its `indexes()`; going down drops those tables.
macro_rules! tables_migration {
    ($migration:ident) => {
        #[async_trait::async_trait]
        impl MigrationTrait for $migration {
            async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
                $crate::columns::create_all(manager, tables(), indexes()).await
            }

            async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
                $crate::columns::drop_all(manager, tables()).await
            }
        }
    };
}
pub(crate) use tables_migration;

/// Creates `tables` in order, then `indexes`.
pub async fn create_all(
    manager: &SchemaManager<'_>,
    tables: Vec<TableCreateStatement>,
    indexes: Vec<IndexCreateStatement>,
) -> Result<(), DbErr> {
    for t in tables {
        manager.create_table(t).await?;
    }
    for i in indexes {
        manager.create_index(i).await?;
    }
    Ok(())
}

/// Drops the tables `tables` creates, in reverse order (children before their parents).
pub async fn drop_all(
    manager: &SchemaManager<'_>,
    tables: Vec<TableCreateStatement>,
) -> Result<(), DbErr> {
    for name in tables.iter().rev().filter_map(|t| t.get_table_name()) {
        manager
            .drop_table(Table::drop().table(name.clone()).to_owned())
            .await?;
    }
    Ok(())
}

pub async fn add_column(
    manager: &SchemaManager<'_>,
    table: &str,
    column: impl IntoColumnDef,
) -> Result<(), DbErr> {
    manager
        .alter_table(
            Table::alter()
                .table(Alias::new(table))
                .add_column(column)
                .to_owned(),
        )
        .await
}

pub async fn drop_column(
    manager: &SchemaManager<'_>,
    table: &str,
    column: &str,
) -> Result<(), DbErr> {
    manager
        .alter_table(
            Table::alter()
                .table(Alias::new(table))
                .drop_column(Alias::new(column))
                .to_owned(),
        )
        .await
}

pub async fn drop_index(manager: &SchemaManager<'_>, table: &str, name: &str) -> Result<(), DbErr> {
    manager
        .drop_index(Index::drop().name(name).table(Alias::new(table)).to_owned())
        .await
}

/// A foreign key column `column` referencing `parent.id` that refuses to delete a parent
/// still referenced (money and history).
pub fn fk_restrict(table: &str, column: &str, parent: &str) -> ForeignKeyCreateStatement {
    fk(table, column, parent)
        .on_delete(ForeignKeyAction::Restrict)
        .to_owned()
}

/// A table of one ente whose rows are history: `id`, `ente_id`, then `columns`, every
/// foreign key (the ente's too) refusing deletes while rows refer to them.
pub fn history_table(
    name: &str,
    columns: Vec<ColumnDef>,
    parents: &[(&str, &str)],
) -> TableCreateStatement {
    ente_table(name, columns, parents, fk_restrict)
}
