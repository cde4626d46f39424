//! A guardian logs in with codice fiscale and password or through SPID, and reads the
//! service card of a child.

use e2e::MARIO;
use fantoccini::Locator;

use crate::{journey, password_login};

#[tokio::test]
async fn guardian_sees_sofias_refezione_card() {
    journey(async |browser| {
        password_login(browser, MARIO).await;
        browser
            .wait_for_text("#header-user", "Mario Albertini")
            .await;

        browser.click("#menu-utenti").await;
        browser.wait_for_path("/demo/utenti").await;
        browser.find("#children-list").await;
        browser.assert_accessible("Utenti").await;
        let sofia = "//ul[@id='children-list']//a[contains(normalize-space(.), 'Sofia Albertini')]";
        browser
            .find_by("Sofia's card", Locator::XPath(sofia))
            .await
            .click()
            .await
            .expect("open Sofia's page");

        browser
            .wait_for_text("#child-name", "Sofia Albertini")
            .await;
        let card = r#"section.service-card[data-service-code="REF"]"#;
        let title = browser.text(&format!("{card} h3")).await;
        assert_eq!(
            title,
            "Dettagli per Sofia Albertini sul servizio Refezione Scolastica"
        );
        let field = |name: &str| format!(r#"{card} dd[data-field="{name}"]"#);
        assert_eq!(browser.text(&field("badge")).await, "621494");
        assert_eq!(
            browser.text(&field("school")).await,
            "Scuola Primaria Pascoli"
        );
        assert_eq!(browser.text(&field("class_name")).await, "2a");
        assert_eq!(browser.text(&field("meal_price")).await, "5,00 €");
        browser.assert_accessible("Sofia Albertini's page").await;
    })
    .await;
}

#[tokio::test]
async fn a_transport_card_shows_no_meal_fields() {
    journey(async |browser| {
        password_login(browser, MARIO).await;
        browser
            .wait_for_text("#header-user", "Mario Albertini")
            .await;
        browser.click("#menu-utenti").await;
        browser.find("#children-list").await;
        let greta = "//ul[@id='children-list']//a[contains(normalize-space(.), 'Greta Albertini')]";
        browser
            .find_by("Greta's card", Locator::XPath(greta))
            .await
            .click()
            .await
            .expect("open Greta's page");
        browser
            .wait_for_text("#child-name", "Greta Albertini")
            .await;
        let field = |service: &str, name: &str| {
            format!(
                r#"section.service-card[data-service-code="{service}"] dd[data-field="{name}"]"#
            )
        };
        assert_eq!(browser.text(&field("REF", "meal_price")).await, "5,00 €");
        assert_eq!(browser.text(&field("TRA", "badge")).await, "621493");
        for name in ["meal_price", "meal_type"] {
            assert!(
                browser
                    .client()
                    .find(Locator::Css(&field("TRA", name)))
                    .await
                    .is_err(),
                "the school bus card shows no {name}"
            );
        }
    })
    .await;
}

#[tokio::test]
async fn guardian_logs_in_through_spid_and_the_development_identity_provider() {
    journey(async |browser| {
        browser.goto("/demo/accedi").await;
        browser.wait_for_text("#spid-login", "Entra con SPID").await;
        browser.assert_accessible("the login page").await;
        browser.click("#spid-login").await;

        browser.find("#fiscal_code").await;
        assert_eq!(
            browser.client().title().await.expect("title"),
            "Identity provider di sviluppo"
        );
        browser
            .assert_accessible("the development identity provider")
            .await;
        browser.fill("#fiscal_code", MARIO).await;
        browser.click("#autorizza").await;

        browser.wait_for_path("/demo/area-personale").await;
        browser.wait_for_text("#greeting", "Ciao, Mario").await;
        browser
            .wait_for_text("#header-user", "Mario Albertini")
            .await;
        browser.find("#logout-button").await;
        assert!(
            browser
                .client()
                .find(Locator::Id("header-login"))
                .await
                .is_err(),
            "the header no longer offers to log in"
        );
        browser.assert_accessible("the personal area").await;
    })
    .await;
}
