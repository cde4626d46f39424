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

pub fn text(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name))
        .string()
        .not_null()
        .to_owned()
}

pub fn text_null(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name)).string().null().to_owned()
}

pub fn long_text(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name))
        .text()
        .not_null()
        .to_owned()
}

pub fn big(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name))
        .big_integer()
        .not_null()
        .to_owned()
}

pub fn big_null(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name))
        .big_integer()
        .null()
        .to_owned()
}

pub fn int(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name))
        .integer()
        .not_null()
        .to_owned()
}

pub fn flag(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name))
        .boolean()
        .not_null()
        .to_owned()
}

pub fn instant(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name))
        .timestamp_with_time_zone()
        .not_null()
        .to_owned()
}

pub fn instant_null(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name))
        .timestamp_with_time_zone()
        .null()
        .to_owned()
}

pub fn day(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name))
        .date()
        .not_null()
        .to_owned()
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

pub fn day_null(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name)).date().null().to_owned()
}
