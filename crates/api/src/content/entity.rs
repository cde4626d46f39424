//! Tables `news`, `news_attachments` and `documents`.

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
        /// When the office withdrew it from the public pages.
        pub unpublished_at: Option<TimeDateTimeWithTimeZone>,
        pub updated_at: Option<TimeDateTimeWithTimeZone>,
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
        /// When the office withdrew it from the public pages.
        pub unpublished_at: Option<TimeDateTimeWithTimeZone>,
        pub updated_at: Option<TimeDateTimeWithTimeZone>,
    }

    crate::db::entity_basics!(tenant);
}

pub mod news_attachment {
    use sea_orm::entity::prelude::*;

    /// A file attached to a news item (PDF, JPEG or PNG by its content).
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "news_attachments")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub ente_id: crate::db::EnteId,
        pub news_id: i64,
        pub file_name: String,
        pub content_type: String,
        pub size_bytes: i64,
        #[sea_orm(column_type = "Blob")]
        pub content: Vec<u8>,
        pub created_at: TimeDateTimeWithTimeZone,
    }

    crate::db::entity_basics!(tenant);
}
