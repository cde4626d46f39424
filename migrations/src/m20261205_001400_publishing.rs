//! Notizie e documenti: the office publishes news and documents. Each keeps its day of
//! publication (`published_on`) and gets the moment it was withdrawn from the public
//! pages (`unpublished_at`, none while public or scheduled) and of its last change
//! (`updated_at`); a news item gets attachments (`news_attachments`).

use sea_orm_migration::prelude::*;

use crate::columns::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The tables that get the publication columns.
const PUBLISHED: [&str; 2] = ["news", "documents"];
/// The columns each gets.
const COLUMNS: [&str; 2] = ["unpublished_at", "updated_at"];

fn attachments() -> TableCreateStatement {
    tenant_table(
        "news_attachments",
        vec![
            big("news_id"),
            text("file_name"),
            text("content_type"),
            big("size_bytes"),
            ColumnDef::new(Alias::new("content"))
                .blob()
                .not_null()
                .to_owned(),
            instant("created_at"),
        ],
        &[("news_id", "news")],
    )
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in PUBLISHED {
            for column in COLUMNS {
                add_column(manager, table, instant_null(column)).await?;
            }
        }
        create_all(
            manager,
            vec![attachments()],
            vec![index("news_attachments", &["news_id"])],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_all(manager, vec![attachments()]).await?;
        for table in PUBLISHED {
            for column in COLUMNS {
                drop_column(manager, table, column).await?;
            }
        }
        Ok(())
    }
}
