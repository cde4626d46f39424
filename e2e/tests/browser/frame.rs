//! The frame around every page of a comune: a new page opens at its top, and an address
//! the comune does not have is said inside its header and menu.

use e2e::browser::{Browser, NotYet};
use e2e::MARIO;
use serde_json::Value;

use crate::journey;

/// How far the page is scrolled down, in CSS pixels.
async fn scroll_y(browser: &Browser) -> f64 {
    run(browser, "return window.scrollY;")
        .await
        .as_f64()
        .expect("a number")
}

async fn run(browser: &Browser, script: &str) -> Value {
    browser
        .client()
        .execute(script, vec![])
        .await
        .unwrap_or_else(|e| panic!("run `{script}`: {e}"))
}

#[tokio::test]
async fn after_login_the_personal_area_opens_at_its_top() {
    journey(async |browser| {
        browser.goto("/demo/accedi").await;
        browser.fill("#login-fiscal-code", MARIO).await;
        browser.fill("#login-password", e2e::DEMO_PASSWORD).await;
        // A phone with its keyboard up: the login page is longer than the screen.
        browser
            .cdp(
                "Emulation.setDeviceMetricsOverride",
                serde_json::json!({
                    "width": 390, "height": 480, "deviceScaleFactor": 1, "mobile": true
                }),
            )
            .await;
        run(
            browser,
            "window.scrollTo({ top: document.documentElement.scrollHeight, behavior: 'instant' });",
        )
        .await;
        let scrolled = scroll_y(browser).await;
        assert!(
            scrolled > 100.0,
            "the login page is scrolled down to its form: {scrolled}"
        );
        run(
            browser,
            "document.getElementById('login-form').requestSubmit();",
        )
        .await;
        browser.wait_for_path("/demo/area-personale").await;
        browser.find("#greeting").await;
        let room = run(
            browser,
            "return document.documentElement.scrollHeight - window.innerHeight;",
        )
        .await
        .as_f64()
        .expect("a number");
        assert!(
            room > 100.0,
            "the personal area is longer than the phone's screen: {room}"
        );
        browser
            .wait_for("the personal area to show its top", async |client| {
                let top = client.execute("return window.scrollY;", vec![]).await?;
                if top == 0 {
                    Ok(())
                } else {
                    Err(NotYet(format!("scrolled by {top}px")))
                }
            })
            .await;
    })
    .await;
}

#[tokio::test]
async fn an_unknown_address_in_a_comune_keeps_its_header_and_menu() {
    journey(async |browser| {
        browser.goto("/demo/pagina-che-non-esiste").await;
        browser
            .wait_for_text("#page-not-found", "Pagina non trovata")
            .await;
        browser.wait_for_text("#brand-home", "Comune di Demo").await;
        browser.find("#nav-notizie").await;
        browser.find("#header-login").await;
        browser
            .assert_accessible("an unknown page of a comune")
            .await;
        browser.click("#not-found-home").await;
        browser.wait_for_path("/demo").await;
        browser.find("#home-title").await;
    })
    .await;
}
