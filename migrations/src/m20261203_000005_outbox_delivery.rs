//! The outbox delivers: `outbox_emails` becomes `outbox_messages`, a message of any
//! channel (e-mail, SMS, App IO) to one recipient, with an optional attachment and, for
//! App IO, the payment data; the worker's state of each message (status, attempts, when
//! the next attempt is due, the lease of the worker sending it, the last error, when it
//! was sent or given up). Messages queued before are e-mails: pending, or sent.

use sea_orm_migration::prelude::*;

use crate::columns::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const OLD: &str = "outbox_emails";
const TABLE: &str = "outbox_messages";

/// The columns this migration adds, in order.
fn added() -> Vec<ColumnDef> {
    vec![
        text("channel").default("email").to_owned(),
        text("status").default("pending").to_owned(),
        instant_null("next_attempt_at"),
        instant_null("locked_until"),
        ColumnDef::new(Alias::new("last_error"))
            .text()
            .null()
            .to_owned(),
        instant_null("dead_at"),
        text_null("attachment_name"),
        text_null("attachment_content_type"),
        ColumnDef::new(Alias::new("attachment"))
            .blob()
            .null()
            .to_owned(),
        ColumnDef::new(Alias::new("payment_data"))
            .text()
            .null()
            .to_owned(),
    ]
}

/// The columns of the indexes: the worker's claim (due messages by status and time) and
/// the operators' list (a comune's messages by status).
const INDEXES: [&[&str]; 2] = [&["status", "next_attempt_at"], &["ente_id", "status"]];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_index(manager, OLD, "ix_outbox_emails_sent_at").await?;
        manager
            .rename_table(
                Table::rename()
                    .table(Alias::new(OLD), Alias::new(TABLE))
                    .to_owned(),
            )
            .await?;
        rename_column(manager, "to_address", "recipient").await?;
        for column in added() {
            add_column(manager, TABLE, column).await?;
        }
        let db = manager.get_connection();
        db.execute_unprepared(
            "UPDATE outbox_messages SET status = 'sent' WHERE sent_at IS NOT NULL",
        )
        .await?;
        db.execute_unprepared(
            "UPDATE outbox_messages SET next_attempt_at = created_at WHERE sent_at IS NULL",
        )
        .await?;
        for columns in INDEXES {
            manager.create_index(index(TABLE, columns)).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Only e-mails existed before; what the old table cannot hold is dropped with it.
        let db = manager.get_connection();
        db.execute_unprepared("DELETE FROM outbox_messages WHERE channel <> 'email'")
            .await?;
        for columns in INDEXES {
            drop_index(manager, TABLE, &format!("ix_{TABLE}_{}", columns.join("_"))).await?;
        }
        for column in added().iter().rev() {
            drop_column(manager, TABLE, &column.get_column_name()).await?;
        }
        rename_column(manager, "recipient", "to_address").await?;
        manager
            .rename_table(
                Table::rename()
                    .table(Alias::new(TABLE), Alias::new(OLD))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index(OLD, &["sent_at"])).await
    }
}

async fn rename_column(manager: &SchemaManager<'_>, from: &str, to: &str) -> Result<(), DbErr> {
    manager
        .alter_table(
            Table::alter()
                .table(Alias::new(TABLE))
                .rename_column(Alias::new(from), Alias::new(to))
                .to_owned(),
        )
        .await
}

#[cfg(test)]
mod tests {
    use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseConnection};
    use sea_orm_migration::MigratorTrait;

    use crate::fresh::scalar;
    use crate::Migrator;

    /// The e-mails queued before are kept: the unsent one pending and due at once, the
    /// sent one sent; going down and up again keeps them.
    async fn converts_queued_emails(db: &DatabaseConnection) {
        crate::fresh::up_to(db, &super::Migration).await;
        db.execute_unprepared(crate::fresh::DEMO_ENTE)
            .await
            .unwrap();
        db.execute_unprepared(
            "INSERT INTO outbox_emails (ente_id, to_address, subject, body, created_at, sent_at, attempts) VALUES \
             (1, 'a@example.it', 'Da inviare', 'x', '2026-11-30 10:00:00+00:00', NULL, 0), \
             (1, 'b@example.it', 'Inviato', 'y', '2026-11-30 10:00:00+00:00', '2026-11-30 10:01:00+00:00', 1)",
        )
        .await
        .unwrap();
        Migrator::up(db, None).await.unwrap();
        let pending: i64 = scalar(
            db,
            "SELECT COUNT(*) FROM outbox_messages WHERE recipient = 'a@example.it' AND status = 'pending' AND channel = 'email' AND next_attempt_at = created_at",
        )
        .await;
        assert_eq!(pending, 1);
        let sent: i64 = scalar(
            db,
            "SELECT COUNT(*) FROM outbox_messages WHERE recipient = 'b@example.it' AND status = 'sent' AND next_attempt_at IS NULL",
        )
        .await;
        assert_eq!(sent, 1);
        let this_and_later =
            Migrator::migrations().len() as u32 - crate::fresh::before(&super::Migration);
        Migrator::down(db, Some(this_and_later)).await.unwrap();
        let back: i64 = scalar(db, "SELECT COUNT(*) FROM outbox_emails").await;
        assert_eq!(back, 2);
        Migrator::up(db, None).await.unwrap();
        let again: i64 = scalar(db, "SELECT COUNT(*) FROM outbox_messages").await;
        assert_eq!(again, 2);
    }

    #[tokio::test]
    async fn sqlite_keeps_the_queued_emails() {
        crate::fresh::sqlite("outbox_delivery", converts_queued_emails).await;
    }

    #[tokio::test]
    async fn postgres_keeps_the_queued_emails() {
        crate::fresh::postgres("outbox_delivery", converts_queued_emails).await;
    }
}
