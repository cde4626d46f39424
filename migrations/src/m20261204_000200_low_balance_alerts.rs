//! The low-balance alert of a prepaid account: the threshold the family set and whether
//! the alert went out and waits for the balance to rise to the threshold again. One row
//! per account; sending the alert is one conditional update of `alerted`, so two
//! charging runs at once send it once. `notice_id` is the recharge notice the last alert
//! carried.

use sea_orm_migration::prelude::*;

use crate::columns::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

tables_migration!(Migration);

fn tables() -> Vec<TableCreateStatement> {
    vec![history_table(
        "low_balance_alerts",
        vec![
            big("account_id"),
            big("threshold_cents"),
            flag("alerted"),
            instant_null("alerted_at"),
            big_null("notice_id"),
            instant("updated_at"),
        ],
        &[
            ("account_id", "prepaid_accounts"),
            ("notice_id", "payment_notices"),
        ],
    )]
}

fn indexes() -> Vec<IndexCreateStatement> {
    vec![unique("low_balance_alerts", &["account_id"])]
}
