//! Tables `forms`, `form_submissions`, `form_submission_events`, `form_uploads`,
//! `form_rankings`.

pub mod form {
    use sea_orm::entity::prelude::*;
    use sportello_model::forms::FormStatus;
    use sportello_model::school_year::SchoolYear;

    /// One version of a form; `definition` is its `FormDefinition` as JSON.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "forms")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub ente_id: crate::db::EnteId,
        /// The version this one replaces.
        pub previous_id: Option<i64>,
        pub version: i32,
        pub status: FormStatus,
        pub title: String,
        pub school_year: SchoolYear,
        pub opens_on: TimeDate,
        pub closes_on: TimeDate,
        pub service_id: Option<i64>,
        /// Whether delegates may fill it (the definition's, for queries).
        pub delegates_allowed: bool,
        #[sea_orm(column_type = "Text")]
        pub definition: String,
        pub created_at: TimeDateTimeWithTimeZone,
        pub published_at: Option<TimeDateTimeWithTimeZone>,
        pub closed_at: Option<TimeDateTimeWithTimeZone>,
    }

    crate::db::entity_basics!(tenant);
}

pub mod submission {
    use sea_orm::entity::prelude::*;
    use sportello_model::forms::SubmissionState;

    /// A family's submission of a form version; `answers` is its `Answers` as JSON.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "form_submissions")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub ente_id: crate::db::EnteId,
        pub form_id: i64,
        /// The guardian (intestatario) of the family.
        pub family_id: i64,
        pub child_id: Option<i64>,
        pub state: SubmissionState,
        #[sea_orm(column_type = "Text")]
        pub answers: String,
        pub protocol_number: Option<String>,
        pub sent_at: Option<TimeDateTimeWithTimeZone>,
        /// What a sent submission is the only one of for its family and form:
        /// `child:<id>` or `family` (a unique index over the submissions in force).
        pub once_key: Option<String>,
        #[sea_orm(column_type = "Text", nullable)]
        pub operator_note: Option<String>,
        pub created_at: TimeDateTimeWithTimeZone,
        pub updated_at: TimeDateTimeWithTimeZone,
        /// Sent by «Paga e invia»: the payment notice of the amount due it waits for.
        pub notice_id: Option<i64>,
    }

    crate::db::entity_basics!(tenant);
}

pub mod event {
    use sea_orm::entity::prelude::*;
    use sportello_model::forms::SubmissionState;

    /// A submission's state change: to which state, by whom, when, with the note.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "form_submission_events")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub ente_id: crate::db::EnteId,
        pub submission_id: i64,
        pub state: SubmissionState,
        /// Who: a user, or none when pagoPA's receipt moved it.
        pub actor_id: Option<i64>,
        pub at: TimeDateTimeWithTimeZone,
        #[sea_orm(column_type = "Text", nullable)]
        pub note: Option<String>,
    }

    crate::db::entity_basics!(tenant);
}

pub mod upload {
    use sea_orm::entity::prelude::*;

    /// A file attached to a submission (PDF, JPEG or PNG by its content).
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "form_uploads")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub ente_id: crate::db::EnteId,
        pub submission_id: i64,
        pub file_name: String,
        pub content_type: String,
        pub size_bytes: i64,
        #[sea_orm(column_type = "Blob")]
        pub content: Vec<u8>,
        pub created_at: TimeDateTimeWithTimeZone,
    }

    crate::db::entity_basics!(tenant);
}

pub mod ranking {
    use sea_orm::entity::prelude::*;

    /// A submission's place in its form's graduatoria, stored when it was published.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "form_rankings")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub ente_id: crate::db::EnteId,
        pub form_id: i64,
        pub submission_id: i64,
        pub position: i32,
        pub points: i32,
        pub published_at: TimeDateTimeWithTimeZone,
    }

    crate::db::entity_basics!(tenant);
}
