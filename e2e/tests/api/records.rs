//! What the database holds is kept and read strictly. Money and history outlive the
//! people and comuni they belong to: the database itself refuses to delete a user or an
//! ente that still has ledger movements, notices or emissions (no cascade erases an
//! append-only ledger). A stored value the portal does not know is an error, never read
//! as some default.

use e2e::{TestServer, MARIO};
use reqwest::StatusCode;
use sea_orm::ConnectionTrait;

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
        server.scalar::<i64>(&ledger).await,
        server.scalar::<i64>(&notices).await,
        server.scalar::<i64>(&emissions).await,
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
        server.scalar::<i64>(&ledger).await,
        server.scalar::<i64>(&notices).await,
        server.scalar::<i64>(&emissions).await,
    );
    assert_eq!(after, before);
    assert_eq!(
        server
            .scalar::<i64>(&format!("SELECT COUNT(*) FROM users WHERE id = {guardian}"))
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
    let id = server.scalar::<i64>(&open).await;
    let number = server
        .scalar::<String>(&format!(
            "SELECT notice_number FROM payment_notices WHERE id = {id}"
        ))
        .await;
    db.execute_unprepared(&format!(
        "UPDATE payment_notices SET purpose = 'donation' WHERE id = {id}"
    ))
    .await
    .unwrap();

    let paid = server.counter_step(&number, "pay").await;
    assert_eq!(paid.status(), StatusCode::INTERNAL_SERVER_ERROR);

    let status =
        |table: &str, column: &str| format!("SELECT status FROM {table} WHERE {column} = {id}");
    assert_eq!(
        server
            .scalar::<String>(&status("payment_notices", "id"))
            .await,
        "open"
    );
    assert_eq!(
        server
            .scalar::<String>(&status("emissions", "notice_id"))
            .await,
        "to_pay"
    );
    assert_eq!(
        server
            .scalar::<i64>(&format!(
                "SELECT COUNT(*) FROM receipts WHERE notice_number = '{number}'"
            ))
            .await,
        0
    );
}
