//! Marta Galli, Comune di Demo's administrator, on a desktop screen: in Integrazioni she
//! is told in Italian what a client needs, makes one for the accounting program with two
//! scopes, reads its secret once — the very credentials the program then gets a token
//! with — gives it a new secret, and revokes it after confirming.

use e2e::browser::Browser;
use e2e::{json, TestServer, MARTA_ADMIN};
use reqwest::StatusCode;
use sportello_model::integrations::ClientToken;

/// The token endpoint's status for the credentials shown on the page.
async fn token_status(server: &TestServer, browser: &Browser) -> reqwest::Response {
    let id = browser.text("#api-client-secret-id").await;
    let secret = browser.text("#api-client-secret-value").await;
    server
        .oauth_token(&[
            ("grant_type", "client_credentials"),
            ("client_id", id.trim()),
            ("client_secret", secret.trim()),
        ])
        .await
}

#[tokio::test]
async fn an_administrator_makes_a_client_reads_its_secret_once_and_revokes_it() {
    let _slot = crate::BROWSERS.acquire().await.expect("never closed");
    let server = TestServer::start().await;
    Browser::run(&server.url, async |browser: &Browser| {
        browser.log_in(MARTA_ADMIN).await;
        browser.emulate_desktop().await;
        browser.open_menu("integrazioni").await;
        browser
            .wait_for_text("#api-clients-empty", "Nessun client")
            .await;
        browser.assert_accessible("Integrazioni").await;

        browser.click("#api-client-create").await;
        browser
            .assert_field_error(
                "api-client-name",
                "Scrivi un nome che dica quale programma usa il client.",
            )
            .await;
        browser
            .wait_for_text(
                "#new-client-scopes-error",
                "Scegli almeno un ambito: senza, il client non può fare nulla.",
            )
            .await;
        browser.assert_accessible("a new client with errors").await;
        browser.fill("#api-client-name", "Contabilità Rossi").await;
        browser
            .click("label[for=new-client-scope-families-read]")
            .await;
        browser
            .click("label[for=new-client-scope-payments-write]")
            .await;
        browser.click("#api-client-create").await;
        browser
            .wait_for_text("#api-client-secret", "Credenziali di «Contabilità Rossi»")
            .await;
        browser.assert_accessible("the secret shown once").await;
        let token: ClientToken = json(token_status(&server, browser).await, StatusCode::OK).await;
        assert_eq!(token.scope, "families:read payments:write");
        let table = browser
            .wait_for_text("#api-clients-table", "Contabilità Rossi")
            .await;
        assert!(table.contains("Famiglie e alunni: lettura"), "{table}");
        browser.click("#api-client-secret-hide").await;
        browser.wait_until_gone("#api-client-secret").await;

        // A new secret: shown once again, and the earlier one no longer works.
        let id: i64 = server
            .scalar("SELECT id FROM api_clients WHERE name = 'Contabilità Rossi'")
            .await;
        browser.click(&format!("#api-client-{id}-rotate")).await;
        browser
            .wait_for_text("#api-client-secret", "Credenziali di «Contabilità Rossi»")
            .await;
        json::<ClientToken>(token_status(&server, browser).await, StatusCode::OK).await;

        browser.click(&format!("#api-client-{id}-revoke")).await;
        browser
            .click(&format!("#api-client-{id}-revoke-confirm"))
            .await;
        browser
            .wait_for_text("#api-clients-done", "«Contabilità Rossi» è revocato")
            .await;
        browser
            .wait_for_text(&format!("#api-client-{id}-state"), "Revocato il")
            .await;
        assert_eq!(
            token_status(&server, browser).await.status(),
            StatusCode::UNAUTHORIZED
        );
        browser
            .assert_accessible("Integrazioni after the revocation")
            .await;
    })
    .await;
}
