//! Table `outbox_emails`.

pub mod outbox_email {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "outbox_emails")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub ente_id: crate::db::EnteId,
        pub to_address: String,
        pub subject: String,
        #[sea_orm(column_type = "Text")]
        pub body: String,
        pub created_at: TimeDateTimeWithTimeZone,
        pub sent_at: Option<TimeDateTimeWithTimeZone>,
        pub attempts: i32,
    }

    crate::db::entity_basics!();
}
