//! Meal bookings: service calendars, closures, family choices, staff attendance.

use sea_orm_migration::prelude::*;

use crate::columns::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLES: [&str; 4] = ["service_calendars", "closures", "bookings", "attendance"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let tables = vec![
            table(
                "service_calendars",
                vec![
                    id(),
                    big("ente_id"),
                    big("service_id"),
                    day("first_day"),
                    day("last_day"),
                    text("serving_weekdays"),
                ],
                vec![
                    fk("service_calendars", "ente_id", "entes"),
                    fk("service_calendars", "service_id", "services"),
                ],
            ),
            table(
                "closures",
                vec![
                    id(),
                    big("ente_id"),
                    big("service_id"),
                    day("day"),
                    text("description"),
                ],
                vec![
                    fk("closures", "ente_id", "entes"),
                    fk("closures", "service_id", "services"),
                ],
            ),
            table(
                "bookings",
                vec![
                    id(),
                    big("ente_id"),
                    big("child_id"),
                    big("service_id"),
                    day("day"),
                    text("choice"),
                    big("updated_by"),
                    instant("updated_at"),
                ],
                vec![
                    fk("bookings", "ente_id", "entes"),
                    fk("bookings", "child_id", "children"),
                    fk("bookings", "service_id", "services"),
                ],
            ),
            table(
                "attendance",
                vec![
                    id(),
                    big("ente_id"),
                    big("child_id"),
                    big("service_id"),
                    day("day"),
                    flag("present"),
                    big("recorded_by"),
                    instant("recorded_at"),
                ],
                vec![
                    fk("attendance", "ente_id", "entes"),
                    fk("attendance", "child_id", "children"),
                    fk("attendance", "service_id", "services"),
                ],
            ),
        ];
        for t in tables {
            manager.create_table(t).await?;
        }
        for i in [
            unique("service_calendars", &["service_id"]),
            unique("closures", &["service_id", "day"]),
            unique("bookings", &["child_id", "service_id", "day"]),
            index("bookings", &["service_id", "day"]),
            unique("attendance", &["child_id", "service_id", "day"]),
            index("attendance", &["service_id", "day"]),
        ] {
            manager.create_index(i).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for name in TABLES.iter().rev() {
            manager
                .drop_table(Table::drop().table(Alias::new(*name)).to_owned())
                .await?;
        }
        Ok(())
    }
}
