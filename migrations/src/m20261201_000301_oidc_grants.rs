//! The identity provider's access token of each SPID/CIE session, kept until the session
//! ends so that logging out revokes it at the provider.

use sea_orm_migration::prelude::*;

use crate::columns::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(table(
                "oidc_grants",
                vec![
                    id(),
                    big("ente_id"),
                    text("session_family"),
                    text("provider"),
                    long_text("access_token"),
                    instant("expires_at"),
                ],
                vec![fk("oidc_grants", "ente_id", "entes")],
            ))
            .await?;
        manager
            .create_index(unique("oidc_grants", &["session_family"]))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Alias::new("oidc_grants")).to_owned())
            .await
    }
}
