//! Mistakes on the login form are explained in Italian where they happened.

use e2e::MARIO;
use fantoccini::Locator;
use sportello_model::auth::LoginError;
use sportello_model::fiscal_code::FiscalCodeError;

use crate::journey;

#[tokio::test]
async fn wrong_password_and_wrong_check_character_are_explained_in_italian() {
    journey(async |browser| {
        browser.goto("/demo/accedi").await;
        browser.fill("#login-fiscal-code", MARIO).await;
        browser.fill("#login-password", "Sbagliata2026").await;
        browser.click("#login-submit").await;
        browser
            .wait_for_text(
                "#login-form #login-error",
                "Codice fiscale o password non corretti.",
            )
            .await;
        assert_eq!(
            browser.attr("#login-error", "role").await.as_deref(),
            Some("alert")
        );
        // The busy button gave up the focus: the message takes it, so that keyboard and
        // screen reader users are where the problem is said.
        let focused = browser
            .client()
            .execute("return document.activeElement.id;", vec![])
            .await
            .expect("the focused element");
        assert_eq!(focused, "login-error", "the focus is on the message");
        assert_eq!(
            browser.path().await,
            "/demo/accedi",
            "still on the login page"
        );
        browser
            .assert_accessible("the login page with a wrong password")
            .await;

        browser.goto("/demo/accedi").await;
        // MARIO with its last letter, the check character, changed from M to X.
        browser.fill("#login-fiscal-code", "LBRMRA80E12F205X").await;
        browser.fill("#login-password", e2e::DEMO_PASSWORD).await;
        browser.click("#login-submit").await;
        let expected = FiscalCodeError::CheckCharacter.to_string();
        assert!(expected.contains("carattere di controllo"));
        browser
            .wait_for_text("#login-fiscal-code-error", &expected)
            .await;
        assert_eq!(
            browser
                .attr("#login-fiscal-code", "aria-invalid")
                .await
                .as_deref(),
            Some("true")
        );
        let described_by = browser
            .attr("#login-fiscal-code", "aria-describedby")
            .await
            .unwrap_or_default();
        assert!(
            described_by
                .split(' ')
                .any(|id| id == "login-fiscal-code-error"),
            "the message is tied to the field: aria-describedby={described_by:?}"
        );
        assert_eq!(
            browser.path().await,
            "/demo/accedi",
            "still on the login page"
        );
        browser
            .assert_accessible("the login page with a wrong check character")
            .await;
    })
    .await;
}

#[tokio::test]
async fn the_login_page_shows_only_the_portals_own_messages() {
    journey(async |browser| {
        // Where a refused SPID login lands: the portal's message for its code.
        browser.goto("/demo/accedi?errore=non_registrato").await;
        browser
            .wait_for_text("#access-error", LoginError::NotRegistered.message())
            .await;
        browser
            .assert_accessible("the login page after a refused SPID login")
            .await;
        // Any other text in the address is not shown as an official message.
        browser
            .goto("/demo/accedi?errore=Conto%20bloccato%3A%20chiama%20il%20899%20123%20456")
            .await;
        browser.find("#login-fiscal-code").await;
        let shown = browser
            .client()
            .find_all(Locator::Css("#access-error"))
            .await
            .expect("query the page");
        assert!(
            shown.is_empty(),
            "no message for text the portal did not write"
        );
    })
    .await;
}
