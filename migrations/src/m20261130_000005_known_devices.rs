//! Browsers that logged in to an account (a device cookie), so that failed logins from
//! elsewhere do not lock the account out of them.

use sea_orm_migration::prelude::*;

use crate::columns::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

tables_migration!(Migration);

fn tables() -> Vec<TableCreateStatement> {
    vec![tenant_table(
        "known_devices",
        vec![
            big("user_id"),
            text("device_hash"),
            instant("created_at"),
            instant("last_login_at"),
        ],
        &[("user_id", "users")],
    )]
}

fn indexes() -> Vec<IndexCreateStatement> {
    vec![unique("known_devices", &["user_id", "device_hash"])]
}
