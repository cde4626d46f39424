//! Tables `schools`, `school_classes`.

pub mod school {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "schools")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub ente_id: crate::db::EnteId,
        pub name: String,
        pub address: String,
        /// Codice meccanografico; empty: not given.
        pub code: String,
        pub cycle: sportello_model::schools::SchoolCycle,
        pub active: bool,
    }

    crate::db::entity_basics!(tenant);
}

pub mod school_class {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "school_classes")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub ente_id: crate::db::EnteId,
        pub school_id: i64,
        pub school_year: sportello_model::school_year::SchoolYear,
        pub name: String,
        /// The year of the school's cycle, from 1.
        pub grade: i32,
    }

    crate::db::entity_basics!(tenant);
}
