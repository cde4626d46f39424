//! Marta Galli, Comune di Demo's administrator, on a desktop screen (1280 px): she turns
//! Paolo's account off in Personale, then opens Registro attività, is told in Italian
//! that a range of days is the wrong way round, filters by a person and sees her own
//! change with the field before and after; from Mario's family page the link opens the
//! family's log.

use e2e::browser::Browser;
use e2e::MARTA_ADMIN;

use crate::journey;

/// The value of the person filter's option naming `name`.
async fn person_option(browser: &Browser, name: &str) -> String {
    let script = format!(
        "return [...document.querySelectorAll('#audit-person option')]\
         .find(o => o.textContent.includes('{name}')).value"
    );
    browser
        .execute(&script)
        .await
        .as_str()
        .unwrap_or_else(|| panic!("{name} among the people"))
        .to_owned()
}

#[tokio::test]
async fn the_administrator_reads_who_changed_what() {
    journey(async |browser: &Browser| {
        browser.log_in(MARTA_ADMIN).await;
        browser.emulate_desktop().await;
        browser.open_menu("personale").await;
        browser.click("#staff-VRDPLA70B05F205C-toggle").await;
        browser
            .wait_for_text("#staff-VRDPLA70B05F205C-state", "Disattivato")
            .await;

        browser.click("#nav-registro-attivita").await;
        let table = browser
            .wait_for_text("#audit-table", "Modifica di un membro del personale")
            .await;
        assert!(table.contains("Marta Galli (Amministratore)"), "{table}");
        browser.assert_accessible("Registro attività").await;

        browser.set_value("#audit-from", "2026-12-01").await;
        browser.set_value("#audit-to", "2026-11-01").await;
        browser.click("#audit-show").await;
        browser
            .assert_field_error("audit-to", "non può precedere quella iniziale")
            .await;
        browser.set_value("#audit-from", "").await;
        browser.set_value("#audit-to", "").await;

        // Giulia changed nothing; Marta's change, with the field before and after.
        let giulia = person_option(browser, "Giulia Rossi").await;
        browser.choose("#audit-person", &giulia).await;
        browser.click("#audit-show").await;
        browser
            .wait_for_text("#audit-table-empty", "Nessuna attività con questi filtri.")
            .await;
        let marta = person_option(browser, "Marta Galli").await;
        browser.choose("#audit-person", &marta).await;
        browser.click("#audit-show").await;
        let table = browser
            .wait_for_text("#audit-table", "attivo: sì → no")
            .await;
        assert!(
            table.contains("Modifica di un membro del personale"),
            "{table}"
        );
        browser
            .assert_accessible("Registro attività of a person")
            .await;

        // The family page's link: the family's log (nothing changed for it yet).
        browser.open_family("albertini", "Mario Albertini").await;
        browser.click("#family-audit-link").await;
        browser
            .wait_for_text("#audit-family-chosen", "Mario Albertini")
            .await;
        browser
            .wait_for_text("#audit-table-empty", "Nessuna attività con questi filtri.")
            .await;
        browser
            .assert_accessible("Registro attività of a family")
            .await;
    })
    .await;
}
