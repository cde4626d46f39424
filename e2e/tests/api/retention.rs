//! Money and history outlive the people and comuni they belong to: the database itself
//! refuses to delete a user or an ente that still has ledger movements, notices or
//! emissions, whatever code asks (no cascade erases an append-only ledger).

use e2e::{TestServer, MARIO};
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};

async fn count(db: &DatabaseConnection, sql: &str) -> i64 {
    db.query_one(Statement::from_string(db.get_database_backend(), sql))
        .await
        .expect("count")
        .expect("one row")
        .try_get_by_index(0)
        .expect("a number")
}

#[tokio::test]
async fn deleting_a_user_or_an_ente_with_money_is_refused_and_the_ledger_stays() {
    let server = TestServer::start().await;
    let db = server.database().await;
    let guardian = format!("(SELECT id FROM users WHERE fiscal_code = '{MARIO}')");
    let ledger = format!(
        "SELECT COUNT(*) FROM ledger_movements WHERE account_id IN \
         (SELECT id FROM prepaid_accounts WHERE guardian_id = {guardian})"
    );
    let notices = format!("SELECT COUNT(*) FROM payment_notices WHERE guardian_id = {guardian}");
    let emissions = format!("SELECT COUNT(*) FROM emissions WHERE guardian_id = {guardian}");
    let before = (
        count(&db, &ledger).await,
        count(&db, &notices).await,
        count(&db, &emissions).await,
    );
    assert!(before.0 > 0 && before.1 > 0 && before.2 > 0, "{before:?}");

    for delete in [
        format!("DELETE FROM users WHERE id = {guardian}"),
        "DELETE FROM entes WHERE slug = 'demo'".to_owned(),
    ] {
        let refused = db.execute_unprepared(&delete).await;
        assert!(refused.is_err(), "{delete} was allowed");
    }

    let after = (
        count(&db, &ledger).await,
        count(&db, &notices).await,
        count(&db, &emissions).await,
    );
    assert_eq!(after, before);
    assert_eq!(
        count(
            &db,
            &format!("SELECT COUNT(*) FROM users WHERE id = {guardian}")
        )
        .await,
        1
    );
}
