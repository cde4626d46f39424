//! The `Idempotency-Key` of a POST: per user and key, the hash of the request it was
//! first sent with and, once answered, the answer (status, content type, body) that a
//! retry with the same key and request gets again. A row without a status is a request
//! still on its way.

use sea_orm_migration::prelude::*;

use crate::columns::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

tables_migration!(Migration);

fn tables() -> Vec<TableCreateStatement> {
    vec![table(
        "idempotency_keys",
        vec![
            id(),
            big("user_id"),
            text("key"),
            text("request_hash"),
            ColumnDef::new(Alias::new("status"))
                .integer()
                .null()
                .to_owned(),
            text_null("content_type"),
            ColumnDef::new(Alias::new("body")).blob().null().to_owned(),
            instant("created_at"),
        ],
        vec![fk("idempotency_keys", "user_id", "users")],
    )]
}

fn indexes() -> Vec<IndexCreateStatement> {
    vec![
        unique("idempotency_keys", &["user_id", "key"]),
        index("idempotency_keys", &["created_at"]),
    ]
}
