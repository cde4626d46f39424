//! Registro attività: every change the comune's staff make through the API, one row
//! each, never changed nor deleted (no foreign key lets its ente or author go).

use sea_orm_migration::prelude::*;

use crate::columns::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

fn json_null(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name)).text().null().to_owned()
}

fn tables() -> Vec<TableCreateStatement> {
    vec![history_table(
        "audit_events",
        vec![
            instant("at"),
            big("actor_id"),
            text("actor_name"),
            text("actor_role"),
            text("operation"),
            text("method"),
            text("route"),
            long_text("target"),
            big_null("family_id"),
            json_null("before"),
            json_null("after"),
            int("status"),
        ],
        &[("actor_id", "users")],
    )]
}

fn indexes() -> Vec<IndexCreateStatement> {
    vec![
        index("audit_events", &["ente_id", "at"]),
        index("audit_events", &["ente_id", "actor_id"]),
        index("audit_events", &["ente_id", "family_id"]),
    ]
}

tables_migration!(Migration);
