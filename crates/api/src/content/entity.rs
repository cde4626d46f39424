//! Tables `news` and `documents`.

pub mod news {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "news")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub ente_id: crate::db::EnteId,
        pub title: String,
        #[sea_orm(column_type = "Text")]
        pub summary: String,
        #[sea_orm(column_type = "Text")]
        pub body: String,
        pub published_on: TimeDate,
    }

    crate::db::entity_basics!(tenant);
}

pub mod document {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "documents")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub ente_id: crate::db::EnteId,
        pub title: String,
        #[sea_orm(column_type = "Text")]
        pub description: String,
        pub file_name: String,
        pub content_type: String,
        #[sea_orm(column_type = "Blob")]
        pub content: Vec<u8>,
        pub size_bytes: i64,
        pub published_on: TimeDate,
    }

    crate::db::entity_basics!(tenant);
}
