//! The Sportello schema. Every table is defined here and only here.

pub use sea_orm_migration::prelude::*;

mod columns;
mod m20261123_000001_foundation;
mod m20261123_000002_payments;
mod m20261123_000003_bookings;
mod m20261124_000004_request_keys;
mod m20261130_000005_closure_ranges;
mod m20261130_000005_known_devices;
mod m20261130_000010_online_notices;
mod m20261130_000101_money_dates_and_children;
mod m20261130_000201_money_restrict;
mod m20261201_000301_oidc_grants;
mod m20261201_000401_readiness_probe;
mod m20261202_000004_checkout_carts;
mod m20261202_000005_reconciliation;
mod m20261202_000006_forms;
mod m20261202_000007_enrolment_school_years;
mod m20261202_000008_one_submission;
mod m20261203_000002_fee_bands;
mod m20261203_000003_rankings;
mod m20261203_000004_gate_notices;
mod m20261203_000005_outbox_delivery;
mod m20261203_000006_letters;
mod m20261204_000100_contacts;
mod m20261204_000200_low_balance_alerts;
mod m20261204_000300_reminders;
mod m20261204_000400_tax_certificates;
mod m20261204_000600_ente_setup;
mod m20261204_000700_enrolment_badges;
mod m20261205_000100_rette_batches;
mod m20261205_000200_staff_invitations;
mod m20261205_001400_publishing;
mod m20261206_000201_schools;
mod m20261206_000300_audit_events;
mod m20261206_000400_year_end;
mod m20261207_000100_api_clients;
mod m20261207_000200_idempotency_keys;
mod m20261207_000300_api_client_usage;
mod m20261207_000400_service_revisions;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261123_000001_foundation::Migration),
            Box::new(m20261123_000002_payments::Migration),
            Box::new(m20261123_000003_bookings::Migration),
            Box::new(m20261124_000004_request_keys::Migration),
            Box::new(m20261130_000005_closure_ranges::Migration),
            Box::new(m20261130_000005_known_devices::Migration),
            Box::new(m20261130_000010_online_notices::Migration),
            Box::new(m20261130_000101_money_dates_and_children::Migration),
            Box::new(m20261130_000201_money_restrict::Migration),
            Box::new(m20261201_000301_oidc_grants::Migration),
            Box::new(m20261201_000401_readiness_probe::Migration),
            Box::new(m20261202_000004_checkout_carts::Migration),
            Box::new(m20261202_000005_reconciliation::Migration),
            Box::new(m20261202_000006_forms::Migration),
            Box::new(m20261202_000007_enrolment_school_years::Migration),
            Box::new(m20261202_000008_one_submission::Migration),
            Box::new(m20261203_000002_fee_bands::Migration),
            Box::new(m20261203_000003_rankings::Migration),
            Box::new(m20261203_000004_gate_notices::Migration),
            Box::new(m20261203_000005_outbox_delivery::Migration),
            Box::new(m20261203_000006_letters::Migration),
            Box::new(m20261204_000100_contacts::Migration),
            Box::new(m20261204_000200_low_balance_alerts::Migration),
            Box::new(m20261204_000400_tax_certificates::Migration),
            Box::new(m20261204_000600_ente_setup::Migration),
            Box::new(m20261204_000700_enrolment_badges::Migration),
            Box::new(m20261204_000300_reminders::Migration),
            Box::new(m20261205_000100_rette_batches::Migration),
            Box::new(m20261205_000200_staff_invitations::Migration),
            Box::new(m20261205_001400_publishing::Migration),
            Box::new(m20261206_000201_schools::Migration),
            Box::new(m20261206_000300_audit_events::Migration),
            Box::new(m20261206_000400_year_end::Migration),
            Box::new(m20261207_000100_api_clients::Migration),
            Box::new(m20261207_000200_idempotency_keys::Migration),
            Box::new(m20261207_000300_api_client_usage::Migration),
            Box::new(m20261207_000400_service_revisions::Migration),
        ]
    }
}

/// A fresh database of each kind for a migration's own tests.
#[cfg(test)]
mod fresh {
    use sea_orm_migration::sea_orm::{
        ConnectOptions, ConnectionTrait, Database, DatabaseConnection, Statement, TryGetable,
    };
    use sea_orm_migration::{MigrationName, MigratorTrait};

    use crate::Migrator;

    /// Comune di Demo (id 1) as the migrations' tests write it before their rows.
    pub const DEMO_ENTE: &str = "INSERT INTO entes (id, slug, name, fiscal_code, password_login_enabled, booking_cutoff_time, booking_cutoff_rule, bookable_weekdays, recharge_min_cents, recharge_max_cents, negative_balance_allowed, blank_meal_enabled, personal_meal_enabled, pagopa_aux_digit, created_at) VALUES (1, 'demo', 'Comune di Demo', '80012340155', true, '15:00', 'same_day', '1,2,3,4,5', 500, 50000, true, true, true, 3, '2026-11-30 10:00:00+00:00')";

    /// How many migrations come before `migration` in the list.
    pub fn before(migration: &impl MigrationName) -> u32 {
        let name = migration.name();
        let position = Migrator::migrations()
            .iter()
            .position(|m| m.name() == name)
            .unwrap_or_else(|| panic!("{name} is not in the list"));
        <u32 as TryFrom<usize>>::try_from(position).expect("a few migrations")
    }

    /// Applies the migrations before `migration`, not it: its test then writes the rows it
    /// converts and applies it.
    pub async fn up_to(db: &DatabaseConnection, migration: &impl MigrationName) {
        Migrator::up(db, Some(before(migration))).await.unwrap();
    }

    /// The first column of the first row `sql` answers.
    pub async fn scalar<T: TryGetable>(db: &DatabaseConnection, sql: &str) -> T {
        db.query_one(Statement::from_string(db.get_database_backend(), sql))
            .await
            .unwrap()
            .unwrap()
            .try_get_by_index(0)
            .unwrap()
    }

    /// Runs `check` on a new SQLite file named after `name`, removed afterwards.
    pub async fn sqlite(name: &str, check: impl AsyncFnOnce(&DatabaseConnection)) {
        let path = std::env::temp_dir().join(format!("{name}-{}.db", std::process::id()));
        let _ = std::fs::remove_file(&path);
        let mut options = ConnectOptions::new(format!("sqlite://{}?mode=rwc", path.display()));
        options.max_connections(8);
        let db = Database::connect(options).await.unwrap();
        check(&db).await;
        db.close().await.unwrap();
        let _ = std::fs::remove_file(&path);
    }

    /// Runs `check` on a new PostgreSQL database named after `name` on the server
    /// `TEST_DATABASE_URL` names, dropped afterwards; nothing without that server.
    pub async fn postgres(name: &str, check: impl AsyncFnOnce(&DatabaseConnection)) {
        let Ok(admin_url) = std::env::var("TEST_DATABASE_URL") else {
            return;
        };
        let admin = Database::connect(&admin_url).await.unwrap();
        let name = format!("{name}_{}", std::process::id());
        admin
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .await
            .unwrap();
        admin
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await
            .unwrap();
        let (base, _) = admin_url.rsplit_once('/').unwrap();
        let db = Database::connect(format!("{base}/{name}")).await.unwrap();
        check(&db).await;
        db.close().await.unwrap();
        admin
            .execute_unprepared(&format!("DROP DATABASE {name} WITH (FORCE)"))
            .await
            .unwrap();
    }
}
