//! Browsers that logged in to an account (a device cookie), so that failed logins from
//! elsewhere do not lock the account out of them.

use sea_orm_migration::prelude::*;

use crate::columns::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(tenant_table(
                "known_devices",
                vec![
                    big("user_id"),
                    text("device_hash"),
                    instant("created_at"),
                    instant("last_login_at"),
                ],
                &[("user_id", "users")],
            ))
            .await?;
        manager
            .create_index(unique("known_devices", &["user_id", "device_hash"]))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Alias::new("known_devices")).to_owned())
            .await
    }
}
