//! Scuole e classi and the enrolment editor, on a desktop screen (1280 px): Marta Galli,
//! the administrator, adds a school and a class of this school year; then Giulia Rossi,
//! an operator, opens the Albertini family and enrols Sofia in the school transport in
//! that class — first with her sister's badge, which is refused next to the field.

use e2e::browser::Browser;
use e2e::{TestServer, GIULIA_OPERATOR, MARTA_ADMIN};

use crate::{BROWSERS, TUESDAY_MORNING};

const SCHOOL: &str = "Scuola Primaria Montessori";

#[tokio::test]
async fn an_administrator_adds_a_school_and_a_class_and_an_operator_enrols_a_child_in_it() {
    let _slot = BROWSERS
        .acquire()
        .await
        .expect("the semaphore is never closed");
    let server = TestServer::start_with(&TUESDAY_MORNING).await;

    Browser::run(&server.url, async |browser| {
        browser.log_in(MARTA_ADMIN).await;
        browser.emulate_desktop().await;
        browser.open_menu("scuole-e-classi").await;
        browser
            .wait_for_text("#schools-table", "Scuola Primaria Pascoli")
            .await;
        browser.assert_accessible("Scuole e classi").await;
        browser.fill("#new-school-name", SCHOOL).await;
        browser.fill("#new-school-address", "Via Verdi 3, Demo").await;
        browser.fill("#new-school-code", "MIEE1").await;
        browser.click("#new-school-create").await;
        browser
            .assert_field_error(
                "new-school-code",
                "Il codice meccanografico è di 10 lettere e cifre (ad esempio MIEE81201B); lascialo vuoto se non lo conosci.",
            )
            .await;
        browser.set_value("#new-school-code", "").await;
        browser.click("#new-school-create").await;
        browser.wait_for_text("#school-title", SCHOOL).await;
        browser.find("#classes-empty").await;

        browser.fill("#class-year", "2026/2027").await;
        browser.fill("#class-name", "3B").await;
        browser.choose("#class-grade", "3").await;
        browser
            .submit("#class-save", "#class-saved", "Classe 3B aggiunta.")
            .await;
        // Its name corrected: the same class.
        browser.wait_for_text("#classes-table", "3B").await;
        let made: i64 = server
            .scalar(&format!(
                "SELECT c.id FROM school_classes c JOIN schools s ON s.id = c.school_id WHERE s.name = '{SCHOOL}'"
            ))
            .await;
        browser.click(&format!("#class-edit-{made}")).await;
        browser.wait_for_text("#class-editor-title", "Modifica la classe").await;
        browser.fill("#class-name", "3A").await;
        browser
            .submit("#class-save", "#class-saved", "Classe 3A salvata.")
            .await;
        let classes = browser.wait_for_text("#classes-table", "3A").await;
        assert!(classes.contains("2026/2027"), "{classes}");
        browser.assert_accessible("a school with its class").await;
    })
    .await;

    let sofia: i64 = server
        .scalar("SELECT id FROM children WHERE fiscal_code = 'LBRSFO17L61F205U'")
        .await;
    let school: i64 = server
        .scalar(&format!("SELECT id FROM schools WHERE name = '{SCHOOL}'"))
        .await;
    let class: i64 = server
        .scalar(&format!(
            "SELECT id FROM school_classes WHERE school_id = {school}"
        ))
        .await;
    let transport: i64 = server
        .scalar("SELECT s.id FROM services s JOIN entes e ON e.id = s.ente_id WHERE e.slug = 'demo' AND s.code = 'TRA'")
        .await;

    Browser::run(&server.url, async |browser| {
        browser.log_in(GIULIA_OPERATOR).await;
        browser.emulate_desktop().await;
        browser.open_menu("famiglie").await;
        browser.fill("#families-q", "Albertini").await;
        browser.click("#families-search-submit").await;
        browser
            .wait_for_text("#families-results", "Mario Albertini")
            .await;
        browser
            .follow_link("families-results", "Mario Albertini")
            .await;
        browser
            .wait_for_text("#family-name", "Famiglia di Mario Albertini")
            .await;

        browser.click(&format!("#enrolment-new-{sofia}")).await;
        browser.find("#enrolment-form").await;
        browser.fill("#enrolment-year", "2026/2027").await;
        browser
            .find(&format!("#enrolment-service option[value='{transport}']"))
            .await;
        browser
            .choose("#enrolment-service", &transport.to_string())
            .await;
        browser
            .find(&format!("#enrolment-school option[value='{school}']"))
            .await;
        browser
            .choose("#enrolment-school", &school.to_string())
            .await;
        browser
            .find(&format!("#enrolment-class option[value='{class}']"))
            .await;
        browser.choose("#enrolment-class", &class.to_string()).await;
        browser
            .find("#enrolment-band option[value='Fascia unica']")
            .await;
        browser.choose("#enrolment-band", "Fascia unica").await;
        browser.fill("#enrolment-badge", "621493").await;
        browser.click("#enrolment-save").await;
        browser
            .assert_field_error(
                "enrolment-badge",
                "La tessera 621493 è già di un altro alunno: indicane un'altra.",
            )
            .await;
        browser
            .assert_accessible("the enrolment form with an error")
            .await;
        browser.fill("#enrolment-badge", "621494").await;
        browser.click("#enrolment-save").await;
        browser.wait_until_gone("#enrolment-form").await;
        let children = browser.wait_for_text("#family-children", SCHOOL).await;
        assert!(children.contains("3A"), "{children}");
        browser
            .assert_accessible("the family with the new card")
            .await;
    })
    .await;
}
