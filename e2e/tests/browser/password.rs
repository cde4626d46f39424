//! The forgotten-password forms check what is typed with the model's rules and say the
//! server's refusal where the keyboard is.

use e2e::MARIO;
use sportello_model::fiscal_code::FiscalCodeError;

use crate::journey;

#[tokio::test]
async fn a_reset_link_is_asked_for_a_valid_code_and_a_bad_link_is_explained() {
    journey(async |browser| {
        browser.goto("/demo/password-dimenticata").await;
        // Sent empty: the field says why and takes the focus.
        browser.click("#reset-request-submit").await;
        browser.find("#reset-fiscal-code-error svg").await;
        assert_eq!(browser.focused_id().await, "reset-fiscal-code");
        // MARIO with its check character changed from M to X.
        browser.fill("#reset-fiscal-code", "LBRMRA80E12F205X").await;
        browser
            .assert_field_error(
                "reset-fiscal-code",
                &FiscalCodeError::CheckCharacter.to_string(),
            )
            .await;
        browser.fill("#reset-fiscal-code", MARIO).await;
        browser
            .submit(
                "#reset-request-submit",
                "#reset-request-sent",
                "Se il codice fiscale è registrato",
            )
            .await;

        browser
            .goto("/demo/reimposta-password?token=link-non-valido")
            .await;
        browser.fill("#new-password", "corta").await;
        browser.click("#reset-submit").await;
        browser
            .assert_field_error(
                "new-password",
                "La password deve contenere almeno 10 caratteri.",
            )
            .await;
        browser.fill("#new-password", "Nuova2026sicura").await;
        browser.fill("#confirm-password", "Nuova2026sicura").await;
        browser.click("#reset-submit").await;
        browser.find("#reset-error").await;
        assert_eq!(browser.focused_id().await, "reset-error");
        browser
            .find("#reset-form a[href='/demo/password-dimenticata']")
            .await;
        browser
            .assert_accessible("a reset link that is not valid")
            .await;
    })
    .await;
}
