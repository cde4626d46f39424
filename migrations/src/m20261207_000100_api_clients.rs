//! Integrazioni: the comune's API clients. Each has an account of its own in `users`
//! (role `integrator`), so that whatever it does is attributed to it like a person's
//! action; here its public `client_id`, the SHA-256 of its secret, the scopes granted
//! (space-separated), the secret's version (a rotation makes the earlier secret and
//! every token issued with it stop working), and when it was made, rotated, last used
//! and revoked.

use sea_orm_migration::prelude::*;

use crate::columns::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

tables_migration!(Migration);

fn tables() -> Vec<TableCreateStatement> {
    vec![tenant_table(
        "api_clients",
        vec![
            big("user_id"),
            text("name"),
            text("client_id"),
            text("secret_hash"),
            text("scopes"),
            int("secret_version"),
            big("created_by"),
            instant("created_at"),
            instant_null("rotated_at"),
            instant_null("last_used_at"),
            instant_null("revoked_at"),
        ],
        &[("user_id", "users"), ("created_by", "users")],
    )]
}

fn indexes() -> Vec<IndexCreateStatement> {
    vec![
        unique("api_clients", &["client_id"]),
        unique("api_clients", &["user_id"]),
    ]
}
