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
        ]
    }
}

/// How many migrations come before the one named `name`: a migration's test applies those,
/// writes the rows it converts, then applies that one migration.
#[cfg(test)]
fn before(name: &str) -> u32 {
    let position = Migrator::migrations()
        .iter()
        .position(|m| m.name() == name)
        .unwrap_or_else(|| panic!("{name} is not in the list"));
    <u32 as TryFrom<usize>>::try_from(position).expect("a few migrations")
}
