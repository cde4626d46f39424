//! An operator opens a family's prepaid account from a child's card, credits a meal the
//! child did not eat, and is refused a refund larger than the balance.

use e2e::GIULIA_OPERATOR;

use crate::journey;

const REASON: &str = "Pasto del 23/11/2026 non consumato";

#[tokio::test]
async fn operator_adjusts_a_familys_account_and_is_refused_a_refund_above_the_balance() {
    journey(async |browser| {
        browser.log_in(GIULIA_OPERATOR).await;
        browser.open_menu("utenti").await;
        browser.open_child("children-list", "Luca Colombo").await;
        browser.click("#family-account-ref").await;

        browser
            .wait_for_text(
                "#family-name",
                "Intestatario: Anna Colombo · Refezione Scolastica",
            )
            .await;
        // Anna's account starts 23,40 € short (last year's meals).
        browser.wait_for_text("#balance", "-23,40 €").await;
        browser
            .wait_for_text("#balance-at", "Saldo aggiornato al ")
            .await;
        browser.assert_accessible("Conto della famiglia").await;

        // The model's rules answer while the operator types.
        browser
            .click("label[for='correction-kind-adjustment']")
            .await;
        browser.fill("#correction-amount", "0").await;
        browser
            .assert_field_error("correction-amount", "L'importo non può essere zero.")
            .await;
        browser.fill("#correction-amount", "27,60").await;
        browser.fill("#correction-reason", REASON).await;
        browser
            .submit(
                "#correction-submit",
                "#correction-done",
                "Rettifica registrata: 27,60 €",
            )
            .await;
        browser.wait_for_text("#balance", "4,20 €").await;
        let movement = browser
            .wait_for_text("#movements li[data-kind='adjustment']", REASON)
            .await;
        assert!(
            movement.contains(&format!("Rettifica: {REASON}")),
            "{movement}"
        );
        assert!(movement.contains("+27,60 €"), "{movement}");

        browser.click("label[for='correction-kind-refund']").await;
        browser.fill("#correction-amount", "10,00").await;
        browser
            .fill("#correction-reason", "Restituzione del credito residuo")
            .await;
        browser
            .submit(
                "#correction-submit",
                "#correction-error",
                "Il rimborso non può superare il saldo disponibile di 4,20 €.",
            )
            .await;
        // The refusal is said where the keyboard is: the alert takes the focus.
        assert_eq!(
            browser.focused_id().await,
            "correction-error",
            "the focus is on the refusal"
        );
        browser.wait_for_text("#balance", "4,20 €").await;
        browser.assert_accessible("the refused refund").await;

        // Sent again, corrected, the same refund is recorded once.
        browser.fill("#correction-amount", "4,20").await;
        // The refusal goes once the amount changes.
        browser.wait_until_gone("#correction-error").await;
        browser
            .submit(
                "#correction-submit",
                "#correction-done",
                "Rimborso registrato: 4,20 €",
            )
            .await;
        browser.wait_for_text("#balance", "0,00 €").await;
        assert_eq!(
            browser.count("#movements li[data-kind='refund']").await,
            1,
            "one refund"
        );
    })
    .await;
}
