//! One row the readiness check writes, so "ready" means the database takes writes, not
//! only that it answers.

use sea_orm_migration::prelude::*;

use crate::columns::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

tables_migration!(Migration);

fn tables() -> Vec<TableCreateStatement> {
    vec![table(
        "readiness_probes",
        vec![id(), instant("checked_at")],
        vec![],
    )]
}

fn indexes() -> Vec<IndexCreateStatement> {
    Vec::new()
}
