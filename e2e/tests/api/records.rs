//! What the database holds is kept and read strictly. Money and history outlive the
//! people and comuni they belong to: the database itself refuses to delete a user or an
//! ente that still has ledger movements, notices or emissions (no cascade erases an
//! append-only ledger). A stored value the portal does not know is an error, never read
//! as some default.

use e2e::{client, TestServer, MARIO};
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};

async fn count(db: &DatabaseConnection, sql: &str) -> i64 {
    db.query_one(Statement::from_string(db.get_database_backend(), sql))
        .await
        .expect("count")
        .expect("one row")
        .try_get_by_index(0)
        .expect("a number")
}

async fn text(db: &DatabaseConnection, sql: &str) -> String {
    db.query_one(Statement::from_string(db.get_database_backend(), sql))
        .await
        .expect("query")
        .expect("one row")
        .try_get_by_index(0)
        .expect("a string")
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

#[tokio::test]
async fn a_notice_of_an_unknown_purpose_is_not_paid_as_an_emission() {
    let server = TestServer::start().await;
    let db = server.database().await;
    let open = format!(
        "SELECT n.id FROM payment_notices n JOIN emissions e ON e.notice_id = n.id \
         WHERE e.status = 'to_pay' AND n.guardian_id = \
         (SELECT id FROM users WHERE fiscal_code = '{MARIO}') ORDER BY n.id"
    );
    let id = count(&db, &open).await;
    let number = text(
        &db,
        &format!("SELECT notice_number FROM payment_notices WHERE id = {id}"),
    )
    .await;
    db.execute_unprepared(&format!(
        "UPDATE payment_notices SET purpose = 'donation' WHERE id = {id}"
    ))
    .await
    .unwrap();

    let paid = client()
        .post(format!("{}/pagopa-sim/sportello", server.url))
        .form(&[
            ("ente_fiscal_code", "80012340155"),
            ("notice_number", number.as_str()),
            ("step", "pay"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(paid.status(), StatusCode::INTERNAL_SERVER_ERROR);

    let status =
        |table: &str, column: &str| format!("SELECT status FROM {table} WHERE {column} = {id}");
    assert_eq!(text(&db, &status("payment_notices", "id")).await, "open");
    assert_eq!(text(&db, &status("emissions", "notice_id")).await, "to_pay");
    assert_eq!(
        count(
            &db,
            &format!("SELECT COUNT(*) FROM receipts WHERE notice_number = '{number}'")
        )
        .await,
        0
    );
}
