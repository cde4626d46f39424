//! Closures are kept as the ranges operators add (the Christmas break is one closure of
//! fifteen days, removed at once): each closed day names its range by the id of the
//! range's first day. Days closed before are grouped into ranges of consecutive days with
//! the same description. Meal movements are found by their school day, to credit back
//! the meals of a day closed after it was charged.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::ConnectionTrait;
use time::Date;

use crate::columns::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// A closed day as stored before this migration.
struct Day {
    id: i64,
    service_id: i64,
    day: Date,
    description: String,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        add_column(manager, "closures", big_null("range_id")).await?;
        manager
            .create_index(index("closures", &["range_id"]))
            .await?;
        manager
            .create_index(index("ledger_movements", &["service_day"]))
            .await?;
        group_existing_days(manager).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, name) in [
            ("ledger_movements", "ix_ledger_movements_service_day"),
            ("closures", "ix_closures_range_id"),
        ] {
            drop_index(manager, table, name).await?;
        }
        drop_column(manager, "closures", "range_id").await
    }
}

/// Sets the range of every closed day: a run of consecutive days of one service with the
/// same description is one range, named by its first day's id.
async fn group_existing_days(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    let db = manager.get_connection();
    let backend = manager.get_database_backend();
    let select = Query::select()
        .column(Alias::new("id"))
        .column(Alias::new("service_id"))
        .column(Alias::new("description"))
        .expr_as(Expr::cust("CAST(day AS TEXT)"), Alias::new("day_text"))
        .from(Alias::new("closures"))
        .order_by(Alias::new("service_id"), Order::Asc)
        .order_by(Alias::new("day"), Order::Asc)
        .to_owned();
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let mut days = Vec::new();
    for row in db.query_all(backend.build(&select)).await? {
        let text: String = row.try_get("", "day_text")?;
        days.push(Day {
            id: row.try_get("", "id")?,
            service_id: row.try_get("", "service_id")?,
            day: Date::parse(&text, format)
                .map_err(|e| DbErr::Custom(format!("closure day {text}: {e}")))?,
            description: row.try_get("", "description")?,
        });
    }
    let mut ranges: Vec<Vec<i64>> = Vec::new();
    let mut previous: Option<&Day> = None;
    for day in &days {
        let continues = previous.is_some_and(|p| {
            p.service_id == day.service_id
                && p.description == day.description
                && p.day.next_day() == Some(day.day)
        });
        match ranges.last_mut() {
            Some(range) if continues => range.push(day.id),
            _ => ranges.push(vec![day.id]),
        }
        previous = Some(day);
    }
    for ids in ranges {
        let update = Query::update()
            .table(Alias::new("closures"))
            .value(Alias::new("range_id"), ids[0])
            .and_where(Expr::col(Alias::new("id")).is_in(ids))
            .to_owned();
        db.execute(backend.build(&update)).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use sea_orm_migration::sea_orm::{ConnectionTrait, Database, Statement};
    use sea_orm_migration::MigratorTrait;

    use crate::Migrator;

    #[tokio::test]
    async fn days_closed_before_become_ranges_of_consecutive_days() {
        let db = Database::connect("sqlite::memory:").await.unwrap();
        Migrator::up(&db, Some(4)).await.unwrap();
        let backend = db.get_database_backend();
        db.execute_unprepared("PRAGMA foreign_keys = OFF")
            .await
            .unwrap();
        // Service 1: the Christmas break over New Year's Eve, a strike, and a day of the
        // same description that does not follow; service 2: a day of its own.
        for (id, service, day, description) in [
            (10, 1, "2026-12-30", "Vacanze di Natale"),
            (11, 1, "2026-12-31", "Vacanze di Natale"),
            (12, 1, "2027-01-01", "Vacanze di Natale"),
            (13, 1, "2027-01-02", "Sciopero"),
            (14, 1, "2027-01-04", "Vacanze di Natale"),
            (15, 2, "2027-01-01", "Vacanze di Natale"),
        ] {
            db.execute(Statement::from_sql_and_values(
                backend,
                "INSERT INTO closures (id, ente_id, service_id, day, description) VALUES (?, 1, ?, ?, ?)",
                [id.into(), service.into(), day.into(), description.into()],
            ))
            .await
            .unwrap();
        }
        Migrator::up(&db, None).await.unwrap();
        let rows = db
            .query_all(Statement::from_string(
                backend,
                "SELECT id, range_id FROM closures ORDER BY id",
            ))
            .await
            .unwrap();
        let ranges: Vec<(i64, i64)> = rows
            .iter()
            .map(|r| {
                (
                    r.try_get("", "id").unwrap(),
                    r.try_get("", "range_id").unwrap(),
                )
            })
            .collect();
        assert_eq!(
            ranges,
            [(10, 10), (11, 10), (12, 10), (13, 13), (14, 14), (15, 15)]
        );
    }
}
