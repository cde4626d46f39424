//! The frame around every page of a comune: a new page opens at its top, and an address
//! the comune does not have is said inside its header and menu.

use e2e::browser::{Browser, NotYet};
use e2e::MARIO;

use crate::journey;

/// What `script` returns, a number of CSS pixels.
async fn pixels(browser: &Browser, script: &str) -> f64 {
    browser.execute(script).await.as_f64().expect("a number")
}

#[tokio::test]
async fn after_login_the_personal_area_opens_at_its_top() {
    journey(async |browser| {
        browser.open_login().await;
        browser.type_credentials(MARIO, e2e::DEMO_PASSWORD).await;
        // A phone with its keyboard up: the login page is longer than the screen.
        browser.emulate_phone(390, 480).await;
        browser
            .execute(
                "window.scrollTo({ top: document.documentElement.scrollHeight, behavior: 'instant' });",
            )
            .await;
        let scrolled = pixels(browser, "return window.scrollY;").await;
        assert!(
            scrolled > 100.0,
            "the login page is scrolled down to its form: {scrolled}"
        );
        browser
            .execute("document.getElementById('login-form').requestSubmit();")
            .await;
        browser.wait_for_path("/demo/area-personale").await;
        browser.find("#greeting").await;
        let room = pixels(
            browser,
            "return document.documentElement.scrollHeight - window.innerHeight;",
        )
        .await;
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
        browser
            .open_page(
                "/demo/pagina-che-non-esiste",
                "#page-not-found",
                "Pagina non trovata",
            )
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
