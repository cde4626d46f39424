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

/// Every word written in a day of the calendar that is broken across lines or wider than
/// its day, as the browser lays them out.
const BROKEN_WORDS: &str = r#"
const broken = [];
for (const state of document.querySelectorAll('#booking-calendar .day-state')) {
  const day = state.closest('.booking-day-box').getBoundingClientRect();
  const walker = document.createTreeWalker(state, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const shown = node.parentElement.getBoundingClientRect();
    if (shown.width <= 1 || shown.height <= 1) continue;
    for (const word of node.textContent.matchAll(/\S+/g)) {
      const range = document.createRange();
      range.setStart(node, word.index);
      range.setEnd(node, word.index + word[0].length);
      const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
      const box = range.getBoundingClientRect();
      if (lines.size > 1 || box.left < day.left - 0.5 || box.right > day.right + 0.5) {
        broken.push(word[0]);
      }
    }
  }
}
return broken;
"#;

/// On a 360 px phone the days say their state in whole words ("Pres.", not "Present / e"),
/// and a screen reader still hears the full label.
#[tokio::test]
async fn the_days_of_the_month_keep_their_words_whole_on_a_360_px_phone() {
    journey_with(&TUESDAY_MORNING, async |browser| {
        password_login(browser, MARIO).await;
        browser.click("#menu-prenotazioni").await;
        browser.wait_for_path("/demo/prenotazioni").await;
        let sofia =
            "//ul[@id='bookings-children']//a[contains(normalize-space(.), 'Sofia Albertini')]";
        let card = browser.find_by("Sofia's card", Locator::XPath(sofia)).await;
        card.click().await.expect("open Sofia's calendar");
        browser.find("#booking-calendar").await;
        let calendar = format!("{}?mese=2026-11", browser.path().await);
        browser.goto(&calendar).await;
        browser.wait_for_text("#month-title", "Novembre 2026").await;
        browser.find(WEDNESDAY).await;
        // Chromedriver applies its phone at each page load: narrow this one now.
        browser
            .cdp(
                "Emulation.setDeviceMetricsOverride",
                serde_json::json!({
                    "width": 360, "height": 760, "deviceScaleFactor": 1, "mobile": true
                }),
            )
            .await;
        let width = browser
            .client()
            .execute("return window.innerWidth;", vec![])
            .await
            .expect("the width of the page");
        assert_eq!(width, 360);

        let broken = browser
            .client()
            .execute(BROKEN_WORDS, vec![])
            .await
            .expect("measure the words of the days");
        assert_eq!(
            broken,
            serde_json::json!([]),
            "words broken or cut in a day"
        );
        let spoken = browser
            .client()
            .execute(
                &format!("return document.querySelector(\"{WEDNESDAY} button\").textContent;"),
                vec![],
            )
            .await
            .expect("the text of the day");
        assert!(
            spoken.as_str().unwrap_or_default().contains("Presente"),
            "the full label is read out: {spoken}"
        );
        browser
            .assert_accessible("the month calendar on a 360 px phone")
            .await;

        // The confirmation of a change shows its check mark whole.
        browser.click(&format!("{WEDNESDAY} button")).await;
        browser
            .click("#day-menu button[data-choice='absent']")
            .await;
        browser
            .wait_for_text("#booking-status", "Mercoledì 25/11/2026: Assente.")
            .await;
        let icon = browser
            .client()
            .execute(ICON_ROOM, vec![])
            .await
            .expect("measure the confirmation's icon");
        let [bottom, height] = [&icon["bottom"], &icon["height"]].map(|v| v.as_f64().unwrap());
        assert!(
            bottom <= height,
            "the icon ends at {bottom}px, the confirmation at {height}px: {icon}"
        );
    })
    .await;
}

/// Where the icon of the confirmation (an alert's background image) ends, and the height
/// of the box that clips it.
const ICON_ROOM: &str = r#"
const alert = document.querySelector('#booking-status .alert');
const style = getComputedStyle(alert);
const size = parseFloat(style.backgroundSize.split(' ').pop());
return {
  bottom: parseFloat(style.backgroundPositionY) + size,
  height: alert.clientHeight,
};
"#;
