//! The office imports a small registry file from the previous system — a dry run that
//! finds an error, the corrected file's dry run, the import — then finds the new family
//! by its child's badge and reads its page with the opening balance.

use e2e::browser::Browser;
use e2e::{TestServer, GIULIA_OPERATOR};
use fantoccini::Locator;

use crate::{BROWSERS, TUESDAY_MORNING};

const HEADER: &str = "cf_intestatario;nome_intestatario;cognome_intestatario;email_intestatario;cf_alunno;nome_alunno;cognome_alunno;data_nascita;servizio;anno_scolastico;scuola;classe;fascia;dieta;badge;saldo_iniziale";
const ROW: &str = "RSSMRC80A01F205Z;Marco;Rossi;marco.rossi@example.it;RSSPTR15B10F205K;Pietro;Rossi;10/02/2015;REF;2026/2027;Scuola Primaria Pascoli;5a;Fascia c.p. 1 q.f0;;900001;23,40";

async fn choose_file(browser: &Browser, path: &std::path::Path) {
    browser
        .client()
        .find(Locator::Css("#registry-file"))
        .await
        .expect("the file field")
        .send_keys(path.to_str().expect("a UTF-8 path"))
        .await
        .expect("choose the file");
}

#[tokio::test]
async fn an_operator_imports_the_registry_and_finds_the_family() {
    let _slot = BROWSERS
        .acquire()
        .await
        .expect("the semaphore is never closed");
    let server = TestServer::start_with(&TUESDAY_MORNING).await;
    let dir = std::env::temp_dir().join(format!("anagrafe-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a directory");
    let wrong = dir.join("anagrafe-errata.csv");
    std::fs::write(&wrong, format!("{HEADER}\n{}\n", ROW.replace("REF", "XYZ"))).expect("file");
    let good = dir.join("anagrafe.csv");
    std::fs::write(&good, format!("{HEADER}\n{ROW}\n")).expect("file");

    Browser::run(&server.url, async |browser| {
        browser.log_in(GIULIA_OPERATOR).await;
        browser.open_menu("famiglie").await;
        browser.find("#families-search").await;
        browser.assert_accessible("Famiglie").await;
        browser
            .follow_link("families-search", "Importa anagrafe")
            .await;
        browser.find("#registry-format").await;

        choose_file(browser, &wrong).await;
        browser.click("#registry-check").await;
        let errors = browser.wait_for_text("#registry-errors", "XYZ").await;
        assert!(errors.contains("servizio"), "{errors}");
        browser
            .wait_for_text("#registry-report-outcome", "Il file ha 1 errori")
            .await;
        assert_eq!(
            browser
                .attr("#registry-import", "disabled")
                .await
                .as_deref(),
            Some("true")
        );
        browser.assert_accessible("Importa anagrafe").await;

        choose_file(browser, &good).await;
        browser.click("#registry-check").await;
        browser
            .wait_for_text("#registry-report-outcome", "Il file non ha errori")
            .await;
        browser
            .wait_for_text(
                "#registry-report-counts",
                "1 famiglie, 1 alunni, 1 iscrizioni e 1 saldi iniziali nuovi",
            )
            .await;
        browser.click("#registry-import").await;
        browser
            .wait_for_text("#registry-imported", "Importazione completata.")
            .await;

        browser.goto("/demo/famiglie").await;
        browser.fill("#families-q", "900001").await;
        browser.click("#families-search-submit").await;
        let found = browser
            .wait_for_text("#families-results", "Marco Rossi")
            .await;
        assert!(found.contains("Pietro Rossi"), "{found}");
        browser.follow_link("families-results", "Marco Rossi").await;
        browser
            .wait_for_text("#family-name", "Famiglia di Marco Rossi")
            .await;
        browser.wait_for_text("#family-accounts", "23,40 €").await;
        browser.find("#service-card-ref").await;
        browser.assert_accessible("Famiglia").await;
    })
    .await;
    std::fs::remove_dir_all(&dir).ok();
}
