//! The comune's fee bands (fasce) of a service: a name, the ISEE values it covers (from,
//! and up to when bounded) and the meal price and monthly quota it charges. Accepting an
//! enrolment whose form asks for the ISEE defaults the card's band and amounts from the
//! band that covers it.

use sea_orm_migration::prelude::*;

use crate::columns::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

tables_migration!(Migration);

fn tables() -> Vec<TableCreateStatement> {
    vec![tenant_table(
        "fee_bands",
        vec![
            big("service_id"),
            text("name"),
            big("isee_from_cents"),
            // None: no upper bound.
            big_null("isee_to_cents"),
            big("meal_price_cents"),
            big("quota_cents"),
        ],
        &[("service_id", "services")],
    )]
}

fn indexes() -> Vec<IndexCreateStatement> {
    vec![unique("fee_bands", &["service_id", "name"])]
}
