//! Schools and classes are records: `schools` (the comune's plessi: name, address,
//! codice meccanografico, cycle) and `school_classes` (a school's class of a school year,
//! with its grade in the cycle, so that the last class of a cycle is known). An
//! enrolment names its school and class by reference instead of as text: the schools and
//! classes are made from the distinct texts of each comune's enrolments (the cycle told
//! by the school's name, the grade by the class's leading digit, `2a` and `2A` one
//! class), every enrolment is pointed at them, and the text columns go.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend};

use crate::columns::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const SCHOOL_INDEX: &str = "ix_enrolments_school_id";
const CLASS_INDEX: &str = "ix_enrolments_class_id";

fn tables() -> Vec<TableCreateStatement> {
    vec![
        tenant_table(
            "schools",
            vec![
                text("name"),
                text("address"),
                // Codice meccanografico; empty: not given.
                text("code"),
                text("cycle"),
                flag("active"),
            ],
            &[],
        ),
        tenant_table(
            "school_classes",
            vec![
                big("school_id"),
                text("school_year"),
                text("name"),
                int("grade"),
            ],
            &[("school_id", "schools")],
        ),
    ]
}

/// The cycle a school's name tells (as `model::schools::SchoolCycle::of_name`).
const CYCLE_OF_NAME: &str = "CASE \
    WHEN LOWER(school) LIKE '%infanzia%' OR LOWER(school) LIKE '%materna%' THEN 'infanzia' \
    WHEN LOWER(school) LIKE '%secondaria%' OR LOWER(school) LIKE '%media%' THEN 'secondaria_primo_grado' \
    ELSE 'primaria' END";

/// The grade a class's name starts with, 1 when it starts with none.
const GRADE_OF_NAME: &str = "CASE \
    WHEN SUBSTR(TRIM(e.class_name), 1, 1) BETWEEN '1' AND '9' \
    THEN CAST(SUBSTR(TRIM(e.class_name), 1, 1) AS INTEGER) ELSE 1 END";

const FILL: &[&str] = &[
    // One school per comune and distinct name.
    "INSERT INTO schools (ente_id, name, address, code, cycle, active) \
     SELECT DISTINCT ente_id, TRIM(school), '', '', CYCLE, true FROM enrolments \
     WHERE TRIM(school) <> ''",
    // One class per school, school year and name in either case.
    "INSERT INTO school_classes (ente_id, school_id, school_year, name, grade) \
     SELECT e.ente_id, s.id, e.school_year, MIN(TRIM(e.class_name)), MIN(GRADE) \
     FROM enrolments e JOIN schools s ON s.ente_id = e.ente_id AND s.name = TRIM(e.school) \
     WHERE TRIM(e.class_name) <> '' \
     GROUP BY e.ente_id, s.id, e.school_year, UPPER(TRIM(e.class_name))",
    // A grade beyond the cycle's last class is its last class.
    "UPDATE school_classes SET grade = 5 WHERE grade > 5",
    "UPDATE school_classes SET grade = 3 WHERE grade > 3 AND school_id IN \
     (SELECT id FROM schools WHERE cycle <> 'primaria')",
    "UPDATE enrolments SET school_id = (SELECT s.id FROM schools s \
     WHERE s.ente_id = enrolments.ente_id AND s.name = TRIM(enrolments.school))",
    "UPDATE enrolments SET class_id = (SELECT c.id FROM school_classes c \
     WHERE c.school_id = enrolments.school_id AND c.school_year = enrolments.school_year \
     AND UPPER(c.name) = UPPER(TRIM(enrolments.class_name)))",
];

const UNFILL: &[&str] = &[
    "UPDATE enrolments SET school = COALESCE((SELECT s.name FROM schools s \
     WHERE s.id = enrolments.school_id), '')",
    "UPDATE enrolments SET class_name = COALESCE((SELECT c.name FROM school_classes c \
     WHERE c.id = enrolments.class_id), '')",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create_all(
            manager,
            tables(),
            vec![
                unique("schools", &["ente_id", "name"]),
                unique("school_classes", &["school_id", "school_year", "name"]),
            ],
        )
        .await?;
        add_column(manager, "enrolments", big_null("school_id")).await?;
        add_column(manager, "enrolments", big_null("class_id")).await?;
        let db = manager.get_connection();
        for sql in FILL {
            db.execute_unprepared(
                &sql.replace("CYCLE", CYCLE_OF_NAME)
                    .replace("GRADE", GRADE_OF_NAME),
            )
            .await?;
        }
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            // A school or class some card names cannot be deleted (SQLite cannot add a
            // key to an existing table; the service refuses it there alike).
            for (column, parent) in [("school_id", "schools"), ("class_id", "school_classes")] {
                db.execute_unprepared(&format!(
                    "ALTER TABLE enrolments ADD CONSTRAINT fk_enrolments_{column} \
                     FOREIGN KEY ({column}) REFERENCES {parent} (id) ON DELETE RESTRICT"
                ))
                .await?;
            }
        }
        manager
            .create_index(index("enrolments", &["school_id"]))
            .await?;
        manager
            .create_index(index("enrolments", &["class_id"]))
            .await?;
        drop_column(manager, "enrolments", "school").await?;
        drop_column(manager, "enrolments", "class_name").await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        add_column(manager, "enrolments", text("school").default("")).await?;
        add_column(manager, "enrolments", text("class_name").default("")).await?;
        let db = manager.get_connection();
        for sql in UNFILL {
            db.execute_unprepared(sql).await?;
        }
        drop_index(manager, "enrolments", CLASS_INDEX).await?;
        drop_index(manager, "enrolments", SCHOOL_INDEX).await?;
        drop_column(manager, "enrolments", "class_id").await?;
        drop_column(manager, "enrolments", "school_id").await?;
        drop_all(manager, tables()).await
    }
}

#[cfg(test)]
mod tests {
    use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseConnection};
    use sea_orm_migration::MigratorTrait;

    use crate::fresh::scalar;
    use crate::Migrator;

    /// Two comuni; Demo's children at two schools (one class written twice, once in
    /// small letters), a nido card with no school, and another comune's school of the
    /// same name.
    fn rows() -> Vec<String> {
        let mut rows = vec![
            crate::fresh::DEMO_ENTE.to_owned(),
            crate::fresh::DEMO_ENTE
                .replace("(1, 'demo', 'Comune di Demo', '80012340155'", "(2, 'altro', 'Comune Altro', '80012340156'"),
            "INSERT INTO users (id, ente_id, role, fiscal_code, first_name, last_name, active, created_at) VALUES (7, 1, 'guardian', 'LBRMRA80E12F205M', 'Mario', 'Albertini', true, '2026-11-30 10:00:00+00:00')".to_owned(),
            "INSERT INTO users (id, ente_id, role, fiscal_code, first_name, last_name, active, created_at) VALUES (8, 2, 'guardian', 'LBRMRA80E12F205M', 'Mario', 'Albertini', true, '2026-11-30 10:00:00+00:00')".to_owned(),
            "INSERT INTO services (id, ente_id, code, name, kind) VALUES (3, 1, 'REF', 'Refezione Scolastica', 'prepaid')".to_owned(),
            "INSERT INTO services (id, ente_id, code, name, kind) VALUES (4, 2, 'REF', 'Refezione Scolastica', 'prepaid')".to_owned(),
        ];
        for (id, ente, guardian) in [(10, 1, 7), (11, 1, 7), (12, 1, 7), (13, 1, 7), (14, 2, 8)] {
            rows.push(format!("INSERT INTO children (id, ente_id, guardian_id, first_name, last_name, fiscal_code, birth_date, birth_place, sex, address) VALUES ({id}, {ente}, {guardian}, 'Sofia', 'Albertini', 'LBRSFO18A41F2{id}X', '2018-01-01', 'Milano', 'F', 'Via Roma 1')"));
        }
        for (id, ente, child, service, school, class) in [
            (20, 1, 10, 3, "Scuola Primaria Pascoli", "2a"),
            (21, 1, 11, 3, "Scuola Primaria Pascoli ", "2A"),
            (22, 1, 12, 3, "Scuola Media Manzoni", "3b"),
            (23, 1, 13, 3, "", ""),
            (24, 2, 14, 4, "Scuola Primaria Pascoli", "7c"),
        ] {
            rows.push(format!("INSERT INTO enrolments (id, ente_id, child_id, service_id, badge, school, class_name, fee_band, quota_cents, meal_price_cents, meal_type, active, school_year) VALUES ({id}, {ente}, {child}, {service}, 'b{id}', '{school}', '{class}', 'Fascia 1', 0, 500, 'PASTO BASE', true, '2026/2027')"));
        }
        rows
    }

    async fn text(db: &DatabaseConnection, sql: &str) -> String {
        scalar::<String>(db, sql).await
    }

    async fn migrate_with_rows(db: &DatabaseConnection) {
        crate::fresh::up_to(db, &super::Migration).await;
        for row in rows() {
            db.execute_unprepared(&row).await.unwrap();
        }
        Migrator::up(db, Some(1)).await.unwrap();
        assert_eq!(scalar::<i64>(db, "SELECT COUNT(*) FROM schools").await, 3);
        assert_eq!(
            scalar::<i64>(db, "SELECT COUNT(*) FROM school_classes").await,
            3
        );
        // The same class written twice is one class; its school knows its cycle.
        assert_eq!(
            scalar::<i64>(
                db,
                "SELECT COUNT(DISTINCT class_id) FROM enrolments WHERE id IN (20, 21)"
            )
            .await,
            1
        );
        assert_eq!(
            text(db, "SELECT s.name || '|' || s.cycle || '|' || UPPER(c.name) || '|' || CAST(c.grade AS TEXT) || '|' || c.school_year FROM enrolments e JOIN school_classes c ON c.id = e.class_id JOIN schools s ON s.id = e.school_id WHERE e.id = 21").await,
            "Scuola Primaria Pascoli|primaria|2A|2|2026/2027"
        );
        assert_eq!(
            text(db, "SELECT s.cycle || '|' || c.name || '|' || CAST(c.grade AS TEXT) FROM enrolments e JOIN school_classes c ON c.id = e.class_id JOIN schools s ON s.id = e.school_id WHERE e.id = 22").await,
            "secondaria_primo_grado|3b|3"
        );
        // Another comune's school of the same name is its own; a grade beyond the cycle
        // is its last class.
        assert_eq!(
            text(db, "SELECT CAST(s.ente_id AS TEXT) || '|' || CAST(c.grade AS TEXT) FROM enrolments e JOIN school_classes c ON c.id = e.class_id JOIN schools s ON s.id = e.school_id WHERE e.id = 24").await,
            "2|5"
        );
        // A card with no school names none.
        assert_eq!(
            scalar::<i64>(db, "SELECT COUNT(*) FROM enrolments WHERE id = 23 AND school_id IS NULL AND class_id IS NULL").await,
            1
        );
        // And back: the texts again.
        Migrator::down(db, Some(1)).await.unwrap();
        assert_eq!(
            text(
                db,
                "SELECT school || '|' || class_name FROM enrolments WHERE id = 22"
            )
            .await,
            "Scuola Media Manzoni|3b"
        );
    }

    #[tokio::test]
    async fn sqlite_makes_schools_and_classes_of_the_cards() {
        crate::fresh::sqlite("schools", migrate_with_rows).await;
    }

    #[tokio::test]
    async fn postgres_makes_schools_and_classes_of_the_cards() {
        crate::fresh::postgres("schools", migrate_with_rows).await;
    }
}
