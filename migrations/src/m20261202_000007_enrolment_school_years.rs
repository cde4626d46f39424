//! Enrolments belong to a school year: a child has one card per service and school year
//! (so the enrolment for next year, accepted from a form, stands beside this year's),
//! and names the form submission that made it, at most one card per submission. The
//! enrolments made before belong to the school year of the day the migration runs
//! (from September, the one starting that year).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend};

use crate::columns::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const OLD_UNIQUE: &str = "ux_enrolments_child_id_service_id";
const NEW_UNIQUE: &str = "ux_enrolments_child_id_service_id_school_year";
const SUBMISSION_UNIQUE: &str = "ux_enrolments_submission_id";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        add_column(
            manager,
            "enrolments",
            text("school_year").default("2000/2001"),
        )
        .await?;
        // The year the current school year started, by the database's clock.
        let start = match manager.get_database_backend() {
            DatabaseBackend::Postgres => {
                "(EXTRACT(YEAR FROM CURRENT_DATE)::int - CASE WHEN EXTRACT(MONTH FROM CURRENT_DATE) < 9 THEN 1 ELSE 0 END)"
            }
            _ => {
                "(CAST(strftime('%Y', 'now') AS INTEGER) - (CAST(strftime('%m', 'now') AS INTEGER) < 9))"
            }
        };
        let db = manager.get_connection();
        db.execute_unprepared(&format!(
            "UPDATE enrolments SET school_year = {start} || '/' || ({start} + 1)"
        ))
        .await?;
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            // Every new card names its school year; SQLite cannot drop a default.
            db.execute_unprepared("ALTER TABLE enrolments ALTER COLUMN school_year DROP DEFAULT")
                .await?;
        }
        drop_index(manager, "enrolments", OLD_UNIQUE).await?;
        manager
            .create_index(unique(
                "enrolments",
                &["child_id", "service_id", "school_year"],
            ))
            .await?;
        add_column(manager, "enrolments", big_null("submission_id")).await?;
        manager
            .create_index(unique("enrolments", &["submission_id"]))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_index(manager, "enrolments", SUBMISSION_UNIQUE).await?;
        drop_column(manager, "enrolments", "submission_id").await?;
        drop_index(manager, "enrolments", NEW_UNIQUE).await?;
        drop_column(manager, "enrolments", "school_year").await?;
        manager
            .create_index(unique("enrolments", &["child_id", "service_id"]))
            .await
    }
}

#[cfg(test)]
mod tests {
    use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseConnection};
    use sea_orm_migration::MigratorTrait;

    use crate::Migrator;

    /// A child with this year's canteen card, written before the migration.
    const ROWS: &[&str] = &[
        crate::fresh::DEMO_ENTE,
        "INSERT INTO users (id, ente_id, role, fiscal_code, first_name, last_name, active, created_at) VALUES (7, 1, 'guardian', 'LBRMRA80E12F205M', 'Mario', 'Albertini', true, '2026-11-30 10:00:00+00:00')",
        "INSERT INTO services (id, ente_id, code, name, kind) VALUES (3, 1, 'REF', 'Refezione Scolastica', 'prepaid')",
        "INSERT INTO children (id, ente_id, guardian_id, first_name, last_name, fiscal_code, birth_date, birth_place, sex, address) VALUES (4, 1, 7, 'Sofia', 'Albertini', 'LBRSFO18A41F205X', '2018-01-01', 'Milano', 'F', 'Via Roma 1')",
        "INSERT INTO enrolments (id, ente_id, child_id, service_id, badge, school, class_name, fee_band, quota_cents, meal_price_cents, meal_type, active) VALUES (20, 1, 4, 3, '621490', 'Scuola Primaria Pascoli', '2a', 'Fascia 1', 0, 500, 'PASTO BASE', true)",
    ];

    /// A card of Sofia for `school_year` made by `submission` (SQL `NULL` for none).
    fn card(id: i64, school_year: &str, submission: &str) -> String {
        format!("INSERT INTO enrolments (id, ente_id, child_id, service_id, badge, school, class_name, fee_band, quota_cents, meal_price_cents, meal_type, active, school_year, submission_id) VALUES ({id}, 1, 4, 3, 'b', 'Scuola Primaria Pascoli', '3a', 'Fascia 1', 0, 480, 'PASTO BASE', true, '{school_year}', {submission})")
    }

    async fn migrate_with_rows(db: &DatabaseConnection) {
        crate::fresh::up_to(db, &super::Migration).await;
        for row in ROWS {
            db.execute_unprepared(row).await.unwrap();
        }
        Migrator::up(db, Some(1)).await.unwrap();
        // This year's card belongs to the school year the database's clock is in.
        let year: String =
            crate::fresh::scalar(db, "SELECT school_year FROM enrolments WHERE id = 20").await;
        let (first, second) = year.split_once('/').expect("YYYY/YYYY");
        let (first, second): (i32, i32) = (first.parse().unwrap(), second.parse().unwrap());
        assert_eq!(second, first + 1, "{year}");
        // Next year's card stands beside it; a second one for the same year, or a second
        // card from the same submission, is refused by the database.
        let next = format!("{}/{}", first + 1, first + 2);
        db.execute_unprepared(&card(21, &next, "55")).await.unwrap();
        assert!(db
            .execute_unprepared(&card(22, &next, "NULL"))
            .await
            .is_err());
        let later = format!("{}/{}", first + 2, first + 3);
        assert!(db
            .execute_unprepared(&card(23, &later, "55"))
            .await
            .is_err());
        // And back: one card per child and service again.
        db.execute_unprepared("DELETE FROM enrolments WHERE id = 21")
            .await
            .unwrap();
        Migrator::down(db, Some(1)).await.unwrap();
        assert!(db
            .execute_unprepared("INSERT INTO enrolments (ente_id, child_id, service_id, badge, school, class_name, fee_band, quota_cents, meal_price_cents, meal_type, active) VALUES (1, 4, 3, 'b', 's', '3a', 'f', 0, 480, 'PASTO BASE', true)")
            .await
            .is_err());
    }

    #[tokio::test]
    async fn sqlite_gives_every_card_a_school_year_and_one_card_per_year() {
        crate::fresh::sqlite("school_years", migrate_with_rows).await;
    }

    #[tokio::test]
    async fn postgres_gives_every_card_a_school_year_and_one_card_per_year() {
        crate::fresh::postgres("school_years", migrate_with_rows).await;
    }
}
