//! Mistakes on the login form are explained in Italian where they happened.

use e2e::MARIO;
use sportello_model::auth::LoginError;
use sportello_model::fiscal_code::FiscalCodeError;

use crate::journey;

#[tokio::test]
async fn wrong_password_and_wrong_check_character_are_explained_in_italian() {
    journey(async |browser| {
        browser.open_login().await;
        browser.type_credentials(MARIO, "Sbagliata2026").await;
        browser
            .submit(
                "#login-submit",
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
        assert_eq!(
            browser.focused_id().await,
            "login-error",
            "the focus is on the message"
        );
        assert_eq!(
            browser.path().await,
            "/demo/accedi",
            "still on the login page"
        );
        browser
            .assert_accessible("the login page with a wrong password")
            .await;

        browser.open_login().await;
        // MARIO with its last letter, the check character, changed from M to X.
        browser
            .type_credentials("LBRMRA80E12F205X", e2e::DEMO_PASSWORD)
            .await;
        let expected = FiscalCodeError::CheckCharacter.to_string();
        assert!(expected.contains("carattere di controllo"));
        browser.click("#login-submit").await;
        browser
            .assert_field_error("login-fiscal-code", &expected)
            .await;
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
        browser
            .open_page(
                "/demo/accedi?errore=non_registrato",
                "#access-error",
                LoginError::NotRegistered.message(),
            )
            .await;
        browser
            .assert_accessible("the login page after a refused SPID login")
            .await;
        // Any other text in the address is not shown as an official message.
        browser
            .goto("/demo/accedi?errore=Conto%20bloccato%3A%20chiama%20il%20899%20123%20456")
            .await;
        browser.find("#login-fiscal-code").await;
        assert_eq!(
            browser.count("#access-error").await,
            0,
            "no message for text the portal did not write"
        );
    })
    .await;
}
