//! An operator opens a family's prepaid account from a child's card, credits a meal the
//! child did not eat, and is refused a refund larger than the balance.

use e2e::browser::NotYet;
use e2e::GIULIA_OPERATOR;
use fantoccini::Locator;

use crate::{journey, password_login};

const REASON: &str = "Pasto del 23/11/2026 non consumato";

#[tokio::test]
async fn operator_adjusts_a_familys_account_and_is_refused_a_refund_above_the_balance() {
    journey(async |browser| {
        password_login(browser, GIULIA_OPERATOR).await;
        browser.click("#menu-utenti").await;
        browser.wait_for_path("/demo/utenti").await;
        let luca = "//ul[@id='children-list']//a[contains(normalize-space(.), 'Luca Colombo')]";
        browser
            .find_by("Luca's card", Locator::XPath(luca))
            .await
            .click()
            .await
            .expect("open Luca's page");
        browser.wait_for_text("#child-name", "Luca Colombo").await;
        browser.click("#family-account-ref").await;

        browser
            .wait_for_text(
                "#family-name",
                "Intestatario: Anna Colombo · Refezione Scolastica",
            )
            .await;
        browser.wait_for_text("#balance", "0,00 €").await;
        browser
            .wait_for_text("#balance-at", "Saldo aggiornato al ")
            .await;
        browser.find("#movements-empty").await;
        browser.assert_accessible("Conto della famiglia").await;

        // The model's rules answer while the operator types.
        browser
            .click("label[for='correction-kind-adjustment']")
            .await;
        browser.fill("#correction-amount", "0").await;
        browser
            .wait_for_text("#correction-amount-error", "L'importo non può essere zero.")
            .await;
        assert_eq!(
            browser
                .attr("#correction-amount", "aria-invalid")
                .await
                .as_deref(),
            Some("true")
        );
        browser.fill("#correction-amount", "4,20").await;
        browser.fill("#correction-reason", REASON).await;
        browser.click("#correction-submit").await;
        browser
            .wait_for_text("#correction-done", "Rettifica registrata: 4,20 €")
            .await;
        browser.wait_for_text("#balance", "4,20 €").await;
        let movement = browser
            .wait_for_text("#movements li[data-kind='adjustment']", REASON)
            .await;
        assert!(
            movement.contains(&format!("Rettifica: {REASON}")),
            "{movement}"
        );
        assert!(movement.contains("+4,20 €"), "{movement}");

        browser.click("label[for='correction-kind-refund']").await;
        browser.fill("#correction-amount", "10,00").await;
        browser
            .fill("#correction-reason", "Restituzione del credito residuo")
            .await;
        browser.click("#correction-submit").await;
        browser
            .wait_for_text(
                "#correction-error",
                "Il rimborso non può superare il saldo disponibile di 4,20 €.",
            )
            .await;
        // The refusal is said where the keyboard is: the alert takes the focus.
        let focused = browser
            .client()
            .execute("return document.activeElement.id;", vec![])
            .await
            .expect("the focused element");
        assert_eq!(focused, "correction-error", "the focus is on the refusal");
        browser.wait_for_text("#balance", "4,20 €").await;
        browser.assert_accessible("the refused refund").await;

        // Sent again, corrected, the same refund is recorded once.
        browser.fill("#correction-amount", "4,20").await;
        browser
            .wait_for(
                "the refusal to go once the amount changes",
                async |client| match client.find(Locator::Id("correction-error")).await {
                    Ok(_) => Err(NotYet("still shown".into())),
                    Err(_) => Ok(()),
                },
            )
            .await;
        browser.click("#correction-submit").await;
        browser
            .wait_for_text("#correction-done", "Rimborso registrato: 4,20 €")
            .await;
        browser.wait_for_text("#balance", "0,00 €").await;
        let refunds = browser
            .client()
            .find_all(Locator::Css("#movements li[data-kind='refund']"))
            .await
            .expect("the refunds");
        assert_eq!(refunds.len(), 1, "one refund");
    })
    .await;
}
