//! One submission per child (or per family) and form, kept by the database: a sent
//! submission names what it is unique for in `once_key` (`child:<id>` or `family`), and
//! among the submissions in force (sent, da validare, accepted, blocked) of one family
//! and form a key appears at most once. Drafts, refused and cancelled ones do not count.

use sea_orm_migration::prelude::*;

use crate::columns::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLE: &str = "form_submissions";
const ONCE: &str = "ux_form_submissions_form_id_family_id_once_key";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        add_column(manager, TABLE, text_null("once_key")).await?;
        manager
            .create_index(
                unique(TABLE, &["form_id", "family_id", "once_key"])
                    .and_where(Expr::col(Alias::new("state")).is_in([
                        "sent",
                        "to_validate",
                        "accepted",
                        "blocked",
                    ]))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_index(manager, TABLE, ONCE).await?;
        drop_column(manager, TABLE, "once_key").await
    }
}
