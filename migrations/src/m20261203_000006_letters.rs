//! Comunicazioni: the communications operators compose (one per request id: a retry
//! sends nothing more), their attachments, the letters — one per family and
//! communication, or one alone such as a form's outcome — with the children each is
//! about (what a delegate may read), and the SMS of urgent notices waiting to go.

use sea_orm_migration::prelude::*;

use crate::columns::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

tables_migration!(Migration);

fn tables() -> Vec<TableCreateStatement> {
    vec![
        history_table(
            "letter_attachments",
            vec![
                text("file_name"),
                text("content_type"),
                big("size_bytes"),
                ColumnDef::new(Alias::new("content"))
                    .blob()
                    .not_null()
                    .to_owned(),
                big("uploaded_by"),
                instant("created_at"),
            ],
            &[("uploaded_by", "users")],
        ),
        history_table(
            "communications",
            vec![
                // `<ente>:<request id>`: the same composition sent twice is one.
                text("request_key"),
                big("author_id"),
                text("kind"),
                text("title"),
                long_text("body"),
                // The `Audience` as JSON, and as the operator read it.
                long_text("audience"),
                text("audience_label"),
                flag("urgent"),
                big_null("attachment_id"),
                big("recipients"),
                instant("created_at"),
            ],
            &[
                ("author_id", "users"),
                ("attachment_id", "letter_attachments"),
            ],
        ),
        history_table(
            "letters",
            vec![
                big_null("communication_id"),
                // The family's guardian (intestatario).
                big("guardian_id"),
                text("kind"),
                text("title"),
                long_text("body"),
                big_null("attachment_id"),
                flag("by_email"),
                flag("by_sms"),
                instant("created_at"),
                instant_null("read_at"),
            ],
            &[
                ("communication_id", "communications"),
                ("guardian_id", "users"),
                ("attachment_id", "letter_attachments"),
            ],
        ),
        history_table(
            "letter_children",
            vec![big("letter_id"), big("child_id")],
            &[("letter_id", "letters"), ("child_id", "children")],
        ),
        history_table(
            "outbox_sms",
            vec![
                // The family's user: the number is theirs at delivery.
                big("user_id"),
                long_text("body"),
                instant("created_at"),
                instant_null("sent_at"),
                int("attempts"),
            ],
            &[("user_id", "users")],
        ),
    ]
}

fn indexes() -> Vec<IndexCreateStatement> {
    vec![
        unique("communications", &["request_key"]),
        index("communications", &["ente_id", "created_at"]),
        unique("letters", &["communication_id", "guardian_id"]),
        index("letters", &["guardian_id", "created_at"]),
        unique("letter_children", &["letter_id", "child_id"]),
        index("letter_children", &["child_id"]),
    ]
}
