//! Tables `children`, `child_delegates`, `enrolments`.

pub mod child {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "children")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub ente_id: crate::db::EnteId,
        pub guardian_id: i64,
        pub first_name: String,
        pub last_name: String,
        pub fiscal_code: sportello_model::FiscalCode,
        pub birth_date: TimeDate,
        pub birth_place: String,
        pub sex: sportello_model::children::Sex,
        pub address: String,
    }

    crate::db::entity_basics!(tenant);
}

pub mod child_delegate {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "child_delegates")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub ente_id: crate::db::EnteId,
        pub child_id: i64,
        pub delegate_id: i64,
    }

    crate::db::entity_basics!();
}

pub mod enrolment {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "enrolments")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub ente_id: crate::db::EnteId,
        pub child_id: i64,
        pub service_id: i64,
        pub badge: String,
        /// The school (`schools`), none for a service outside school (nido).
        pub school_id: Option<i64>,
        /// The class (`school_classes`) of that school and the card's school year.
        pub class_id: Option<i64>,
        pub fee_band: String,
        pub quota_cents: i64,
        pub meal_price_cents: i64,
        pub meal_type: sportello_model::children::MealType,
        pub active: bool,
        pub school_year: sportello_model::school_year::SchoolYear,
        /// The form submission whose acceptance made the card, if one did.
        pub submission_id: Option<i64>,
    }

    crate::db::entity_basics!(tenant);
}
