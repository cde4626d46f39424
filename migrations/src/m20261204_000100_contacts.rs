//! Contatti e preferenze: a user's confirmed mobile number and the channels their letters
//! come by (e-mail and App IO on, SMS for urgent notices only, until the user chooses);
//! the changes of e-mail or mobile number waiting for the code sent to the new one (its
//! hash, when it expires, the wrong codes typed; one per user and kind); whether a letter
//! went by App IO. Urgent notices' SMS become messages of the outbox on the SMS channel,
//! so `outbox_sms` goes: its waiting rows were addressed to users, none of whom had a
//! number to send them to, and they go with it.

use sea_orm_migration::prelude::*;

use crate::columns::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const CODES: &str = "contact_codes";

/// The columns this migration adds to `users`, in order.
fn user_columns() -> Vec<ColumnDef> {
    vec![
        text_null("mobile"),
        flag("channel_email").default(true).to_owned(),
        flag("channel_sms").default(false).to_owned(),
        flag("channel_app_io").default(true).to_owned(),
    ]
}

fn codes() -> TableCreateStatement {
    tenant_table(
        CODES,
        vec![
            big("user_id"),
            text("kind"),
            // The new e-mail address or mobile number (E.164).
            text("value"),
            // Hex SHA-256 of the user, the kind, the value and the code.
            text("code_hash"),
            int("tries"),
            instant("created_at"),
            instant("expires_at"),
        ],
        &[("user_id", "users")],
    )
}

/// `outbox_sms` as `m20261203_000006_letters` made it, for going down.
fn outbox_sms() -> TableCreateStatement {
    history_table(
        "outbox_sms",
        vec![
            big("user_id"),
            long_text("body"),
            instant("created_at"),
            instant_null("sent_at"),
            int("attempts"),
        ],
        &[("user_id", "users")],
    )
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in user_columns() {
            add_column(manager, "users", column).await?;
        }
        add_column(
            manager,
            "letters",
            flag("by_app_io").default(false).to_owned(),
        )
        .await?;
        manager.create_table(codes()).await?;
        manager
            .create_index(unique(CODES, &["user_id", "kind"]))
            .await?;
        manager
            .drop_table(Table::drop().table(Alias::new("outbox_sms")).to_owned())
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.create_table(outbox_sms()).await?;
        manager
            .drop_table(Table::drop().table(Alias::new(CODES)).to_owned())
            .await?;
        drop_column(manager, "letters", "by_app_io").await?;
        for column in user_columns().iter().rev() {
            drop_column(manager, "users", &column.get_column_name()).await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseConnection};
    use sea_orm_migration::MigratorTrait;

    use crate::fresh::scalar;
    use crate::Migrator;

    /// Users keep their e-mail and get the default channels; the SMS table goes, and
    /// comes back going down.
    async fn adds_contacts(db: &DatabaseConnection) {
        crate::fresh::up_to(db, &super::Migration).await;
        db.execute_unprepared(crate::fresh::DEMO_ENTE)
            .await
            .unwrap();
        db.execute_unprepared(
            "INSERT INTO users (id, ente_id, role, fiscal_code, first_name, last_name, email, active, created_at) VALUES \
             (1, 1, 'guardian', 'CLMNNA85M41F205G', 'Anna', 'Colombo', 'anna@example.it', true, '2026-11-30 10:00:00+00:00')",
        )
        .await
        .unwrap();
        Migrator::up(db, None).await.unwrap();
        let defaults: i64 = scalar(
            db,
            "SELECT COUNT(*) FROM users WHERE email = 'anna@example.it' AND mobile IS NULL AND channel_email AND NOT channel_sms AND channel_app_io",
        )
        .await;
        assert_eq!(defaults, 1);
        let codes: i64 = scalar(db, "SELECT COUNT(*) FROM contact_codes").await;
        assert_eq!(codes, 0);
        let this_and_later =
            Migrator::migrations().len() as u32 - crate::fresh::before(&super::Migration);
        Migrator::down(db, Some(this_and_later)).await.unwrap();
        let sms: i64 = scalar(db, "SELECT COUNT(*) FROM outbox_sms").await;
        assert_eq!(sms, 0);
        Migrator::up(db, None).await.unwrap();
    }

    #[tokio::test]
    async fn sqlite_adds_contacts_and_channels() {
        crate::fresh::sqlite("contacts", adds_contacts).await;
    }

    #[tokio::test]
    async fn postgres_adds_contacts_and_channels() {
        crate::fresh::postgres("contacts", adds_contacts).await;
    }
}
