//! Meal bookings: service calendars, closures, family choices, staff attendance.

use sea_orm_migration::prelude::*;

use crate::columns::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

tables_migration!(Migration);

fn tables() -> Vec<TableCreateStatement> {
    vec![
        tenant_table(
            "service_calendars",
            vec![
                big("service_id"),
                day("first_day"),
                day("last_day"),
                text("serving_weekdays"),
            ],
            &[("service_id", "services")],
        ),
        tenant_table(
            "closures",
            vec![big("service_id"), day("day"), text("description")],
            &[("service_id", "services")],
        ),
        tenant_table(
            "bookings",
            vec![
                big("child_id"),
                big("service_id"),
                day("day"),
                text("choice"),
                big("updated_by"),
                instant("updated_at"),
            ],
            &[("child_id", "children"), ("service_id", "services")],
        ),
        tenant_table(
            "attendance",
            vec![
                big("child_id"),
                big("service_id"),
                day("day"),
                flag("present"),
                big("recorded_by"),
                instant("recorded_at"),
            ],
            &[("child_id", "children"), ("service_id", "services")],
        ),
    ]
}

fn indexes() -> Vec<IndexCreateStatement> {
    vec![
        unique("service_calendars", &["service_id"]),
        unique("closures", &["service_id", "day"]),
        unique("bookings", &["child_id", "service_id", "day"]),
        index("bookings", &["service_id", "day"]),
        unique("attendance", &["child_id", "service_id", "day"]),
        index("attendance", &["service_id", "day"]),
    ]
}
