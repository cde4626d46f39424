//! A guardian sets the low-balance alert of her canteen account on a phone: the
//! threshold is checked as she types by the rule the server enforces, saved, and the
//! card says what the balance still covers and that the alert waits for a recharge.

use e2e::ANNA;

use crate::journey_with;

#[tokio::test]
async fn guardian_sets_a_low_balance_threshold() {
    journey_with(
        &[("SPORTELLO_FAKE_NOW", "2026-11-24T10:00:00Z")],
        async |browser| {
            browser.log_in(ANNA).await;
            browser.open_service("Refezione Scolastica").await;
            browser.wait_for_text("#balance", "-23,40 €").await;
            browser
                .wait_for_text(
                    "#low-balance-coverage",
                    "Il saldo non copre più nessun giorno di mensa.",
                )
                .await;
            browser
                .wait_for_text("#low-balance-state", "Avviso non attivo.")
                .await;

            browser.fill("#low-balance-threshold", "-5").await;
            browser
                .assert_field_error(
                    "low-balance-threshold",
                    "La soglia non può essere negativa.",
                )
                .await;
            browser.fill("#low-balance-threshold", "10,00").await;
            browser
                .submit(
                    "#low-balance-save",
                    "#low-balance-saved",
                    "Soglia salvata: 10,00 €.",
                )
                .await;
            browser
                .wait_for_text(
                    "#low-balance-state",
                    "Il saldo è sotto la soglia di 10,00 €: il prossimo avviso arriverà dopo che sarà tornato ad almeno questa cifra.",
                )
                .await;
            browser.assert_accessible("the low-balance alert").await;
        },
    )
    .await;
}
