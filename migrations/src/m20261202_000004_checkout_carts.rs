//! Paying online through pagoPA Checkout carts: the carts the portal opened for a family
//! (up to five notices each, found again by the request that opened them), and the carts
//! the built-in simulator received as Checkout does. They replace the simulator's
//! one-notice checkout sessions.

use sea_orm_migration::prelude::*;

use crate::columns::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(
                Table::drop()
                    .table(Alias::new("checkout_sessions"))
                    .to_owned(),
            )
            .await?;
        create_all(manager, tables(), indexes()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_all(manager, tables()).await?;
        manager.create_table(checkout_sessions()).await?;
        manager
            .create_index(unique("checkout_sessions", &["token"]))
            .await
    }
}

fn tables() -> Vec<TableCreateStatement> {
    vec![
        tenant_table(
            "payment_carts",
            vec![
                big("guardian_id"),
                text("request_key"),
                text("checkout_url"),
                instant("created_at"),
                instant("expires_at"),
            ],
            &[("guardian_id", "users")],
        ),
        table(
            "payment_cart_notices",
            vec![id(), big("cart_id"), big("notice_id")],
            vec![
                fk("payment_cart_notices", "cart_id", "payment_carts"),
                fk("payment_cart_notices", "notice_id", "payment_notices"),
            ],
        ),
        table(
            "pagopa_sim_carts",
            vec![
                id(),
                text("token"),
                long_text("cart"),
                text("status"),
                instant("created_at"),
                instant("expires_at"),
            ],
            vec![],
        ),
    ]
}

fn indexes() -> Vec<IndexCreateStatement> {
    vec![
        unique("payment_carts", &["ente_id", "guardian_id", "request_key"]),
        unique("payment_cart_notices", &["cart_id", "notice_id"]),
        index("payment_cart_notices", &["notice_id"]),
        unique("pagopa_sim_carts", &["token"]),
    ]
}

/// The simulator's one-notice sessions, as m20261123_000002_payments made them.
fn checkout_sessions() -> TableCreateStatement {
    tenant_table(
        "checkout_sessions",
        vec![
            text("token"),
            big("notice_id"),
            text("return_to"),
            text("status"),
            instant("created_at"),
            instant("expires_at"),
        ],
        &[("notice_id", "payment_notices")],
    )
}
