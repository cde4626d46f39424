//! A guardian cancels a meal on the month calendar before the cutoff and finds it
//! cancelled after a reload; the days gone by are locked and say why; a closed day shows
//! its reason; a range changes the days still open and lists the others.

use e2e::browser::Browser;
use e2e::MARIO;

use crate::{journey_with, TUESDAY_MORNING};

/// Wednesday 25/11/2026, the day after the server's today.
const WEDNESDAY: &str = "td[data-date='2026-11-25']";
/// Friday 20/11/2026, gone by.
const LAST_FRIDAY: &str = "td[data-date='2026-11-20']";
/// Tuesday 08/12/2026, a national holiday.
const IMMACOLATA: &str = "td[data-date='2026-12-08']";

#[tokio::test]
async fn guardian_cancels_a_meal_and_finds_it_cancelled_after_a_reload() {
    journey_with(&TUESDAY_MORNING, async |browser| {
        let calendar = open_sofias_november(browser).await;
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
        mark_wednesday_absent(browser).await;
        let absent = format!("{WEDNESDAY}[data-choice='absent']");
        browser.find(&absent).await;
        browser.wait_for_text(WEDNESDAY, "Assente").await;
        assert_eq!(
            background(browser, WEDNESDAY).await,
            "rgb(183, 28, 44)",
            "red"
        );

        browser.client().refresh().await.expect("reload the page");
        browser.find(&absent).await;
        browser.wait_for_text(WEDNESDAY, "Assente").await;

        assert_eq!(
            browser.attr(LAST_FRIDAY, "data-editable").await.as_deref(),
            Some("false")
        );
        browser
            .submit(
                &format!("{LAST_FRIDAY} button"),
                "#day-menu-locked",
                "Il 20/11/2026 è già passato",
            )
            .await;
        browser.click("#day-menu-close").await;

        // A week from last Friday: the days gone by are listed, the others change.
        browser.set_value("#range-from", "2026-11-20").await;
        browser.set_value("#range-to", "2026-11-27").await;
        browser
            .submit(
                "#range-submit",
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
            .open_page(
                &calendar.replace("mese=2026-11", "mese=2026-12"),
                "#month-title",
                "Dicembre 2026",
            )
            .await;
        browser
            .wait_for_text(IMMACOLATA, "Immacolata Concezione")
            .await;
        assert_eq!(
            browser.attr(IMMACOLATA, "data-closed").await.as_deref(),
            Some("true")
        );
        browser
            .submit(
                &format!("{IMMACOLATA} button"),
                "#day-menu-closure",
                "Mensa chiusa: Immacolata Concezione.",
            )
            .await;
        browser.assert_accessible("the menu of a closed day").await;
    })
    .await;
}

/// Logs in as Mario, opens Sofia's calendar from Prenotazioni (auditing both pages) and
/// moves it to November 2026; returns the address of that month.
async fn open_sofias_november(browser: &Browser) -> String {
    browser.log_in(MARIO).await;
    browser.open_menu("prenotazioni").await;
    browser.find("#bookings-children").await;
    browser.assert_accessible("Prenotazioni").await;
    browser
        .open_child("bookings-children", "Sofia Albertini")
        .await;
    browser.find("#booking-calendar").await;
    // The browser's clock is real: the month of the server's clock comes from the address.
    let calendar = format!("{}?mese=2026-11", browser.path().await);
    browser
        .open_page(&calendar, "#month-title", "Novembre 2026")
        .await;
    browser.find(WEDNESDAY).await;
    calendar
}

/// Chooses Assente in the open menu of Wednesday and waits for the confirmation.
async fn mark_wednesday_absent(browser: &Browser) {
    browser
        .submit(
            "#day-menu button[data-choice='absent']",
            "#booking-status",
            "Mercoledì 25/11/2026: Assente.",
        )
        .await;
}

/// The background colour of a day, as the browser paints it.
async fn background(browser: &Browser, day: &str) -> String {
    let script = format!(
        "return getComputedStyle(document.querySelector(\"{day} .booking-day-box\")).backgroundColor;"
    );
    let colour = browser.execute(&script).await;
    colour.as_str().unwrap_or_default().to_owned()
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
        open_sofias_november(browser).await;
        // Chromedriver applies its phone at each page load: narrow this one now.
        browser.emulate_phone(360, 760).await;
        assert_eq!(browser.execute("return window.innerWidth;").await, 360);

        let broken = browser.execute(BROKEN_WORDS).await;
        assert_eq!(
            broken,
            serde_json::json!([]),
            "words broken or cut in a day"
        );
        let spoken = browser
            .execute(&format!(
                "return document.querySelector(\"{WEDNESDAY} button\").textContent;"
            ))
            .await;
        assert!(
            spoken.as_str().unwrap_or_default().contains("Presente"),
            "the full label is read out: {spoken}"
        );
        browser
            .assert_accessible("the month calendar on a 360 px phone")
            .await;

        // The confirmation of a change shows its check mark whole.
        browser.click(&format!("{WEDNESDAY} button")).await;
        mark_wednesday_absent(browser).await;
        let icon = browser.execute(ICON_ROOM).await;
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
