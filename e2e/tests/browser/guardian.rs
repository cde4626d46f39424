//! A guardian logs in with codice fiscale and password or through SPID, and reads the
//! service card of a child.

use e2e::browser::{service_field, Browser, NotYet};
use e2e::MARIO;

use crate::journey;

/// Logs in as Mario, whose name the header shows, and opens the child `name` from Utenti.
async fn open_marios_child(browser: &Browser, name: &str) {
    browser.log_in(MARIO).await;
    browser
        .wait_for_text("#header-user", "Mario Albertini")
        .await;
    browser.open_menu("utenti").await;
    browser.find("#children-list").await;
    browser.assert_accessible("Utenti").await;
    browser.open_child("children-list", name).await;
}

#[tokio::test]
async fn guardian_sees_sofias_refezione_card() {
    journey(async |browser| {
        open_marios_child(browser, "Sofia Albertini").await;
        let title = browser
            .text(r#"section.service-card[data-service-code="REF"] h3"#)
            .await;
        assert_eq!(
            title,
            "Dettagli per Sofia Albertini sul servizio Refezione Scolastica"
        );
        let field = |name: &str| service_field("REF", name);
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
        open_marios_child(browser, "Greta Albertini").await;
        assert_eq!(
            browser.text(&service_field("REF", "meal_price")).await,
            "5,00 €"
        );
        assert_eq!(browser.text(&service_field("TRA", "badge")).await, "621493");
        for name in ["meal_price", "meal_type"] {
            assert_eq!(
                browser.count(&service_field("TRA", name)).await,
                0,
                "the school bus card shows no {name}"
            );
        }
    })
    .await;
}

#[tokio::test]
async fn guardian_logs_in_through_spid_and_the_development_identity_provider() {
    journey(async |browser| {
        browser.open_login().await;
        browser.wait_for_text("#spid-login", "Entra con SPID").await;
        browser.wait_for_text("#cie-login", "Entra con CIE").await;
        // Each button carries its scheme's official mark, and the mark is there to see.
        browser
            .wait_for("the official SPID and CIE marks", async |client| {
                let marks = client
                    .execute(
                        "return ['spid', 'cie'].map(id => { \
                           const img = document.querySelector(`#${id}-login img`); \
                           return img && img.complete && img.naturalWidth > 0 \
                             ? img.getAttribute('src') : null; });",
                        vec![],
                    )
                    .await?;
                let expected = serde_json::json!([
                    "/icons/spid-ico-circle-bb.svg",
                    "/icons/cie-ico-circle-bb.svg"
                ]);
                if marks == expected {
                    Ok(())
                } else {
                    Err(NotYet(format!("the marks are {marks}")))
                }
            })
            .await;
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
        assert_eq!(
            browser.count("#header-login").await,
            0,
            "the header no longer offers to log in"
        );
        browser.assert_accessible("the personal area").await;
    })
    .await;
}
