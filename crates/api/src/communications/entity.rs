//! Table `outbox_messages`.

pub mod outbox_message {
    use sea_orm::entity::prelude::*;
    use sportello_model::communications::{Channel, OutboxStatus};

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "outbox_messages")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub ente_id: crate::db::EnteId,
        pub channel: Channel,
        /// E-mail address, mobile number or codice fiscale, as the channel needs.
        pub recipient: String,
        pub subject: String,
        #[sea_orm(column_type = "Text")]
        pub body: String,
        pub attachment_name: Option<String>,
        pub attachment_content_type: Option<String>,
        #[sea_orm(column_type = "Blob")]
        pub attachment: Option<Vec<u8>>,
        /// App IO's `payment_data` as JSON.
        #[sea_orm(column_type = "Text")]
        pub payment_data: Option<String>,
        pub status: OutboxStatus,
        pub attempts: i32,
        /// When the next attempt is due; none once sent or dead.
        pub next_attempt_at: Option<TimeDateTimeWithTimeZone>,
        /// A worker is sending it until then: no other claims it meanwhile.
        pub locked_until: Option<TimeDateTimeWithTimeZone>,
        #[sea_orm(column_type = "Text")]
        pub last_error: Option<String>,
        pub created_at: TimeDateTimeWithTimeZone,
        pub sent_at: Option<TimeDateTimeWithTimeZone>,
        pub dead_at: Option<TimeDateTimeWithTimeZone>,
    }

    crate::db::entity_basics!(tenant);
}
