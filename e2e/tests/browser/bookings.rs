//! A guardian cancels a meal on the month calendar before the cutoff and finds it
//! cancelled after a reload; the days gone by are locked and say why; a closed day shows
//! its reason; a range changes the days still open and lists the others.

use e2e::MARIO;
use fantoccini::Locator;

use crate::{journey_with, password_login, TUESDAY_MORNING};

/// Wednesday 25/11/2026, the day after the server's today.
const WEDNESDAY: &str = "td[data-date='2026-11-25']";
/// Friday 20/11/2026, gone by.
const LAST_FRIDAY: &str = "td[data-date='2026-11-20']";
/// Tuesday 08/12/2026, a national holiday.
const IMMACOLATA: &str = "td[data-date='2026-12-08']";

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
        browser.click("#day-menu-close").await;

        // A week from last Friday: the days gone by are listed, the others change.
        browser.set_value("#range-from", "2026-11-20").await;
        browser.set_value("#range-to", "2026-11-27").await;
        browser.click("#range-submit").await;
        browser
            .wait_for_text(
                "#range-result",
                "Modificati 4 giorni, dal 24/11/2026 al 27/11/2026: Assente.",
            )
            .await;
        browser
            .wait_for_text(
                "#range-skipped",
                "Venerdì 20/11/2026: il 20/11/2026 è già passato",
            )
            .await;
        browser
            .wait_for_text("#range-skipped", "Lunedì 23/11/2026")
            .await;
        browser.assert_accessible("the range's outcome").await;

        // December: the Immacolata shows its name on the day and in its menu.
        browser
            .goto(&calendar.replace("mese=2026-11", "mese=2026-12"))
            .await;
        browser.wait_for_text("#month-title", "Dicembre 2026").await;
        browser
            .wait_for_text(IMMACOLATA, "Immacolata Concezione")
            .await;
        assert_eq!(
            browser.attr(IMMACOLATA, "data-closed").await.as_deref(),
            Some("true")
        );
        browser.click(&format!("{IMMACOLATA} button")).await;
        browser
            .wait_for_text("#day-menu-closure", "Mensa chiusa: Immacolata Concezione.")
            .await;
        browser.assert_accessible("the menu of a closed day").await;
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
