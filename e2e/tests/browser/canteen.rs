//! Canteen staff take attendance on the tablet: a child marked absent leaves the present
//! count and the kitchen's meals, and stays absent after a reload. An operator closes the
//! canteen for a day and charges the meals of a day gone by.

use e2e::browser::Browser;
use e2e::{GIULIA_OPERATOR, PAOLO_CANTEEN};

use crate::{journey, journey_with, TUESDAY_MORNING};

const SOFIA: &str = "li[data-child-name='Sofia Albertini']";

#[tokio::test]
async fn canteen_staff_mark_a_child_absent_and_the_kitchen_count_drops() {
    journey_with(&TUESDAY_MORNING, async |browser| {
        browser.log_in(PAOLO_CANTEEN).await;
        browser.open_menu("presenze-mensa").await;
        browser.find("#attendance-day").await;

        // The browser's clock is real: the day of the server's clock comes from the address.
        browser.goto("/demo/presenze-mensa?giorno=2026-11-24").await;
        browser.find(SOFIA).await;
        assert_eq!(
            browser.attr(SOFIA, "data-present").await.as_deref(),
            Some("true")
        );
        let present = number(browser, "#present-count", "data-present").await;
        let meals = number(browser, "#kitchen-total", "data-meals").await;
        browser.assert_accessible("Presenze mensa").await;

        browser
            .click(&format!("{SOFIA} button[data-present='false']"))
            .await;
        let absent = format!("{SOFIA}[data-present='false']");
        browser.find(&absent).await;
        let counted = format!("#present-count[data-present='{}']", present - 1);
        let cooked = format!("#kitchen-total[data-meals='{}']", meals - 1);
        browser.find(&counted).await;
        browser.find(&cooked).await;

        browser.client().refresh().await.expect("reload the page");
        browser.find(&absent).await;
        browser.find(&counted).await;
        browser.find(&cooked).await;
    })
    .await;
}

/// Marking tomorrow is refused by the server: staff read its reason, not a bare "some data
/// are not valid".
#[tokio::test]
async fn canteen_staff_marking_tomorrow_read_the_servers_reason() {
    journey_with(&TUESDAY_MORNING, async |browser| {
        browser.log_in(PAOLO_CANTEEN).await;
        browser.goto("/demo/presenze-mensa?giorno=2026-11-25").await;
        browser.find(SOFIA).await;
        browser
            .submit(
                &format!("{SOFIA} button[data-present='false']"),
                &format!("{SOFIA} .inline-problem"),
                "La presenza si registra il giorno stesso, non in anticipo.",
            )
            .await;
        assert_eq!(
            browser.attr(SOFIA, "data-present").await.as_deref(),
            Some("true"),
            "the refused mark is undone"
        );
    })
    .await;
}

/// Canteen staff work from the roster: no Utenti menu, and its address says it is not
/// for them instead of showing children's personal data.
#[tokio::test]
async fn canteen_staff_have_no_utenti_menu_and_its_address_is_not_allowed() {
    journey(async |browser| {
        browser.log_in(PAOLO_CANTEEN).await;
        browser.find("#menu-presenze-mensa").await;
        browser.find("#nav-presenze-mensa").await;
        for menu in ["#menu-utenti", "#nav-utenti"] {
            assert_eq!(
                browser.count(menu).await,
                0,
                "{menu} is not offered to canteen staff"
            );
        }
        // The list and a child's page alike.
        for page in ["/demo/utenti", "/demo/utenti/1"] {
            browser
                .open_page(
                    page,
                    "#children-not-allowed",
                    "Consultazione non consentita",
                )
                .await;
            browser.find("#nav-presenze-mensa").await;
            assert_eq!(browser.count("#child-personal-data").await, 0, "{page}");
            browser
                .assert_accessible(&format!("{page} refused to canteen staff"))
                .await;
        }
    })
    .await;
}

/// A count the page writes in an attribute, once the element is there.
async fn number(browser: &Browser, css: &str, attribute: &str) -> u64 {
    browser.find(css).await;
    let value = browser.attr(css, attribute).await.unwrap_or_default();
    value
        .parse()
        .unwrap_or_else(|_| panic!("`{css}` has {attribute}={value:?}, not a number"))
}

#[tokio::test]
async fn operator_closes_the_canteen_for_a_day_and_charges_a_day_gone_by_then_closes_it() {
    journey_with(&TUESDAY_MORNING, async |browser| {
        browser.log_in(GIULIA_OPERATOR).await;
        browser.open_menu("calendario-mensa").await;
        browser
            .wait_for_text(
                "#period-current",
                "giorni di servizio: lunedì, martedì, mercoledì, giovedì, venerdì.",
            )
            .await;
        browser.find("#closure-list").await;
        browser.assert_accessible("Calendario mensa").await;

        browser.set_value("#closure-from", "2026-11-27").await;
        browser.fill("#closure-description", "Sciopero").await;
        browser
            .submit(
                "#closure-add",
                "#closure-added",
                "Chiusura del 27/11/2026 aggiunta.",
            )
            .await;
        browser
            .wait_for_text("#closure-list li[data-date='2026-11-27']", "Sciopero")
            .await;
        // The Christmas break is one closure, with one Rimuovi.
        let christmas = "#closure-list li[data-date='2026-12-23']";
        let text = browser
            .wait_for_text(christmas, "23/12/2026 – 06/01/2027 Vacanze di Natale")
            .await;
        assert_eq!(text.matches("Rimuovi").count(), 1, "{text}");
        browser
            .wait_for_text(
                "#holiday-list li[data-date='2027-03-29']",
                "Lunedì dell'Angelo",
            )
            .await;

        browser.set_value("#charge-day", "2026-11-23").await;
        let report = browser
            .submit("#charge-submit", "#charge-report", "Pasti del 23/11/2026")
            .await;
        assert!(report.contains("€; già addebitati: "), "{report}");
        assert!(report.contains("; assenti: 0."), "{report}");
        browser.assert_accessible("the charge report").await;

        // The canteen was closed that day after all: its meals are credited back.
        browser.set_value("#closure-from", "2026-11-23").await;
        browser
            .fill("#closure-description", "Sciopero del personale mensa")
            .await;
        browser
            .submit(
                "#closure-add",
                "#closure-added",
                "Chiusura del 23/11/2026 aggiunta. Stornati 3 pasti già addebitati (14,20 €), riaccreditati alle famiglie.",
            )
            .await;
    })
    .await;
}
