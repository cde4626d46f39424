//! A guardian cancels a meal on the month calendar before the cutoff and finds it
//! cancelled after a reload; the days gone by are locked and say why.

use e2e::MARIO;
use fantoccini::Locator;

use crate::{journey_with, password_login, TUESDAY_MORNING};

/// Wednesday 25/11/2026, the day after the server's today.
const WEDNESDAY: &str = "td[data-date='2026-11-25']";
/// Friday 20/11/2026, gone by.
const LAST_FRIDAY: &str = "td[data-date='2026-11-20']";

#[tokio::test]
async fn guardian_cancels_a_meal_and_finds_it_cancelled_after_a_reload() {
    journey_with(&TUESDAY_MORNING, async |browser| {
        password_login(browser, MARIO).await;
        browser.click("#menu-prenotazioni").await;
        browser.wait_for_path("/demo/prenotazioni").await;
        let sofia =
            "//ul[@id='bookings-children']//a[contains(normalize-space(.), 'Sofia Albertini')]";
        let card = browser.find_by("Sofia's card", Locator::XPath(sofia)).await;
        browser.assert_accessible("Prenotazioni").await;
        card.click().await.expect("open Sofia's calendar");
        browser
            .wait_for_text("#child-name", "Sofia Albertini")
            .await;
        browser.find("#booking-calendar").await;

        // The browser's clock is real: the month of the server's clock comes from the address.
        let calendar = format!("{}?mese=2026-11", browser.path().await);
        browser.goto(&calendar).await;
        browser.wait_for_text("#month-title", "Novembre 2026").await;
        browser.find(WEDNESDAY).await;
        assert_eq!(
            browser.attr(WEDNESDAY, "data-choice").await.as_deref(),
            Some("present")
        );
        assert_eq!(
            browser.attr(WEDNESDAY, "data-editable").await.as_deref(),
            Some("true")
        );
        browser
            .wait_for_text("#cutoff-message", "entro le ore 15:00")
            .await;
        browser.assert_accessible("the month calendar").await;

        browser.click(&format!("{WEDNESDAY} button")).await;
        browser.find("#day-menu").await;
        browser.assert_accessible("the menu of a day").await;
        browser
            .click("#day-menu button[data-choice='absent']")
            .await;
        let absent = format!("{WEDNESDAY}[data-choice='absent']");
        browser.find(&absent).await;
        browser.wait_for_text(WEDNESDAY, "Assente").await;
        assert_eq!(
            background(browser, WEDNESDAY).await,
            "rgb(183, 28, 44)",
            "red"
        );
        browser
            .wait_for_text("#booking-status", "Mercoledì 25/11/2026: Assente.")
            .await;

        browser.client().refresh().await.expect("reload the page");
        browser.find(&absent).await;
        browser.wait_for_text(WEDNESDAY, "Assente").await;

        assert_eq!(
            browser.attr(LAST_FRIDAY, "data-editable").await.as_deref(),
            Some("false")
        );
        browser.click(&format!("{LAST_FRIDAY} button")).await;
        browser
            .wait_for_text("#day-menu-locked", "Il 20/11/2026 è già passato")
            .await;
    })
    .await;
}

/// The background colour of a day, as the browser paints it.
async fn background(browser: &e2e::browser::Browser, day: &str) -> String {
    let script = format!(
        "return getComputedStyle(document.querySelector(\"{day} .booking-day-box\")).backgroundColor;"
    );
    browser
        .client()
        .execute(&script, vec![])
        .await
        .expect("read the colour of the day")
        .as_str()
        .unwrap_or_default()
        .to_owned()
}
