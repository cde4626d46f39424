//! Graduatorie: the positions and points of a ranking form's submissions, stored when
//! the comune publishes the ranking. A form's positions and a submission's place are
//! each unique, so a ranking published twice at the same moment is stored once.

use sea_orm_migration::prelude::*;

use crate::columns::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

tables_migration!(Migration);

fn tables() -> Vec<TableCreateStatement> {
    vec![history_table(
        "form_rankings",
        vec![
            big("form_id"),
            big("submission_id"),
            int("position"),
            int("points"),
            instant("published_at"),
        ],
        &[("form_id", "forms"), ("submission_id", "form_submissions")],
    )]
}

fn indexes() -> Vec<IndexCreateStatement> {
    vec![
        unique("form_rankings", &["form_id", "position"]),
        unique("form_rankings", &["submission_id"]),
    ]
}
