//! Tables `outbox_messages`, `letter_attachments`, `communications`, `letters`,
//! `letter_children`.

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

pub mod letter_attachment {
    use sea_orm::entity::prelude::*;

    /// A file attached to a communication (PDF, JPEG or PNG by its content).
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "letter_attachments")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub ente_id: crate::db::EnteId,
        pub file_name: String,
        pub content_type: String,
        pub size_bytes: i64,
        #[sea_orm(column_type = "Blob")]
        pub content: Vec<u8>,
        pub uploaded_by: i64,
        pub created_at: TimeDateTimeWithTimeZone,
    }

    crate::db::entity_basics!(tenant);
}

pub mod communication {
    use sea_orm::entity::prelude::*;
    use sportello_model::letters::LetterKind;

    /// A communication an operator sent: one letter per family of its audience.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "communications")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub ente_id: crate::db::EnteId,
        /// `<ente>:<request id>`, unique: the same composition sent twice is one.
        pub request_key: String,
        pub author_id: i64,
        pub kind: LetterKind,
        pub title: String,
        #[sea_orm(column_type = "Text")]
        pub body: String,
        /// The `Audience` as JSON.
        #[sea_orm(column_type = "Text")]
        pub audience: String,
        pub audience_label: String,
        pub urgent: bool,
        pub attachment_id: Option<i64>,
        pub recipients: i64,
        pub created_at: TimeDateTimeWithTimeZone,
    }

    crate::db::entity_basics!(tenant);
}

pub mod letter {
    use sea_orm::entity::prelude::*;
    use sportello_model::letters::LetterKind;

    /// A letter to one family (its guardian).
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "letters")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub ente_id: crate::db::EnteId,
        pub communication_id: Option<i64>,
        pub guardian_id: i64,
        pub kind: LetterKind,
        pub title: String,
        /// Markdown of the allowed subset (`sportello_model::letters`).
        #[sea_orm(column_type = "Text")]
        pub body: String,
        pub attachment_id: Option<i64>,
        pub by_email: bool,
        pub by_sms: bool,
        pub by_app_io: bool,
        pub created_at: TimeDateTimeWithTimeZone,
        pub read_at: Option<TimeDateTimeWithTimeZone>,
    }

    crate::db::entity_basics!(tenant);
}

pub mod letter_child {
    use sea_orm::entity::prelude::*;

    /// A child a letter is about: the child's delegates read it too.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "letter_children")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub ente_id: crate::db::EnteId,
        pub letter_id: i64,
        pub child_id: i64,
    }

    crate::db::entity_basics!(tenant);
}
