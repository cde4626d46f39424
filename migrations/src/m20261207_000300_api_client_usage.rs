//! The requests each API client made in each minute, for its rate limit: one row per
//! client and minute, counted up by one statement per request (so two replicas count
//! together); the minutes gone are deleted as new ones begin.

use sea_orm_migration::prelude::*;

use crate::columns::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

tables_migration!(Migration);

fn tables() -> Vec<TableCreateStatement> {
    vec![table(
        "api_client_usage",
        vec![id(), big("client_id"), big("minute"), int("requests")],
        vec![fk("api_client_usage", "client_id", "api_clients")],
    )]
}

fn indexes() -> Vec<IndexCreateStatement> {
    vec![unique("api_client_usage", &["client_id", "minute"])]
}
