//! Moduli online: the forms a comune defines (each version a row: a published version
//! with submissions is never edited, a new version follows it), the families'
//! submissions with their answers, every state change with who and when, and the files
//! attached to a submission.

use sea_orm_migration::prelude::*;

use crate::columns::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

tables_migration!(Migration);

fn tables() -> Vec<TableCreateStatement> {
    vec![
        history_table(
            "forms",
            vec![
                // The version this one replaces; at most one successor each.
                big_null("previous_id"),
                int("version"),
                text("status"),
                text("title"),
                text("school_year"),
                day("opens_on"),
                day("closes_on"),
                big_null("service_id"),
                flag("delegates_allowed"),
                long_text("definition"),
                instant("created_at"),
                instant_null("published_at"),
                instant_null("closed_at"),
            ],
            &[("previous_id", "forms"), ("service_id", "services")],
        ),
        history_table(
            "form_submissions",
            vec![
                big("form_id"),
                // The guardian (intestatario) of the family it belongs to.
                big("family_id"),
                big_null("child_id"),
                text("state"),
                long_text("answers"),
                text_null("protocol_number"),
                instant_null("sent_at"),
                // The operator's reason (refused, blocked) or note (da validare).
                ColumnDef::new(Alias::new("operator_note"))
                    .text()
                    .null()
                    .to_owned(),
                instant("created_at"),
                instant("updated_at"),
            ],
            &[
                ("form_id", "forms"),
                ("family_id", "users"),
                ("child_id", "children"),
            ],
        ),
        history_table(
            "form_submission_events",
            vec![
                big("submission_id"),
                text("state"),
                big("actor_id"),
                instant("at"),
                ColumnDef::new(Alias::new("note")).text().null().to_owned(),
            ],
            &[("submission_id", "form_submissions"), ("actor_id", "users")],
        ),
        history_table(
            "form_uploads",
            vec![
                big("submission_id"),
                text("file_name"),
                text("content_type"),
                big("size_bytes"),
                ColumnDef::new(Alias::new("content"))
                    .blob()
                    .not_null()
                    .to_owned(),
                instant("created_at"),
            ],
            &[("submission_id", "form_submissions")],
        ),
    ]
}

fn indexes() -> Vec<IndexCreateStatement> {
    vec![
        unique("forms", &["previous_id"]),
        index("forms", &["ente_id", "status"]),
        index("form_submissions", &["form_id", "state"]),
        index("form_submissions", &["family_id"]),
        unique("form_submissions", &["protocol_number"]),
        index("form_submission_events", &["submission_id"]),
        index("form_uploads", &["submission_id"]),
    ]
}
