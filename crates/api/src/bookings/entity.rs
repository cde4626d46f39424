//! Tables of the bookings capability.

pub mod service_calendar {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "service_calendars")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub ente_id: crate::db::EnteId,
        pub service_id: i64,
        pub first_day: TimeDate,
        pub last_day: TimeDate,
        pub serving_weekdays: sportello_model::Weekdays,
    }

    crate::db::entity_basics!(tenant);
}

pub mod closure {
    use sea_orm::entity::prelude::*;

    /// One closed day of a service.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "closures")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub ente_id: crate::db::EnteId,
        pub service_id: i64,
        pub day: TimeDate,
        pub description: String,
        /// The range the day was closed with: the id of the range's first day.
        pub range_id: Option<i64>,
    }

    impl Model {
        /// The range the day belongs to.
        pub fn range(&self) -> i64 {
            self.range_id.unwrap_or(self.id)
        }
    }

    crate::db::entity_basics!(tenant);
}

pub mod booking {
    use sea_orm::entity::prelude::*;

    /// A family's change from the default (present) for one child, service and day.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "bookings")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub ente_id: crate::db::EnteId,
        pub child_id: i64,
        pub service_id: i64,
        pub day: TimeDate,
        pub choice: sportello_model::bookings::MealChoice,
        pub updated_by: i64,
        pub updated_at: TimeDateTimeWithTimeZone,
    }

    crate::db::entity_basics!(tenant);
}

pub mod attendance {
    use sea_orm::entity::prelude::*;

    /// What canteen staff recorded: it overrides the family's booking for charging.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "attendance")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub ente_id: crate::db::EnteId,
        pub child_id: i64,
        pub service_id: i64,
        pub day: TimeDate,
        pub present: bool,
        pub recorded_by: i64,
        pub recorded_at: TimeDateTimeWithTimeZone,
    }

    crate::db::entity_basics!(tenant);
}
