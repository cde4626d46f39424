//! The comune's set-up by its administrators: the school office's contacts on the
//! comune, whether each service is in force, and the comune's logo (one per comune).

use sea_orm_migration::prelude::*;

use crate::columns::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The contact columns added to `entes`.
const CONTACTS: [&str; 3] = ["contact_email", "contact_phone", "contact_address"];

fn logos() -> TableCreateStatement {
    tenant_table(
        "ente_logos",
        vec![
            text("content_type"),
            ColumnDef::new(Alias::new("content"))
                .blob()
                .not_null()
                .to_owned(),
            instant("updated_at"),
        ],
        &[],
    )
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in CONTACTS {
            add_column(manager, "entes", text_null(column)).await?;
        }
        // Every service of before is in force.
        add_column(manager, "services", flag("active").default(true).to_owned()).await?;
        create_all(
            manager,
            vec![logos()],
            vec![unique("ente_logos", &["ente_id"])],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_all(manager, vec![logos()]).await?;
        drop_column(manager, "services", "active").await?;
        for column in CONTACTS {
            drop_column(manager, "entes", column).await?;
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

    /// A service of before is in force afterwards; going down and up again keeps it.
    async fn services_stay_in_force(db: &DatabaseConnection) {
        crate::fresh::up_to(db, &super::Migration).await;
        db.execute_unprepared(crate::fresh::DEMO_ENTE)
            .await
            .unwrap();
        db.execute_unprepared(
            "INSERT INTO services (ente_id, code, name, kind) VALUES (1, 'REF', 'Refezione Scolastica', 'prepaid')",
        )
        .await
        .unwrap();
        Migrator::up(db, None).await.unwrap();
        let active: i64 = scalar(db, "SELECT COUNT(*) FROM services WHERE active").await;
        assert_eq!(active, 1);
        let this_and_later =
            Migrator::migrations().len() as u32 - crate::fresh::before(&super::Migration);
        Migrator::down(db, Some(this_and_later)).await.unwrap();
        Migrator::up(db, None).await.unwrap();
        let again: i64 = scalar(db, "SELECT COUNT(*) FROM services WHERE active").await;
        assert_eq!(again, 1);
    }

    #[tokio::test]
    async fn sqlite_keeps_the_services_in_force() {
        crate::fresh::sqlite("ente_setup", services_stay_in_force).await;
    }

    #[tokio::test]
    async fn postgres_keeps_the_services_in_force() {
        crate::fresh::postgres("ente_setup", services_stay_in_force).await;
    }
}
