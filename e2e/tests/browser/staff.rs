//! Marta Galli, Comune di Demo's administrator, on a desktop screen (1280 px): in
//! Personale she reads the staff, is told in Italian what is wrong with an invitation as
//! she sends it, invites a new operator, then turns Paolo's account off and on again.

use e2e::browser::Browser;
use e2e::MARTA_ADMIN;

use crate::journey;

#[tokio::test]
async fn an_administrator_invites_an_operator_and_turns_an_account_off() {
    journey(async |browser: &Browser| {
        browser.log_in(MARTA_ADMIN).await;
        browser.emulate_desktop().await;
        browser.open_menu("personale").await;
        let table = browser.wait_for_text("#staff-table", "Giulia").await;
        assert!(table.contains("Il tuo account"), "{table}");
        assert!(table.contains("Addetto mensa"), "{table}");
        browser.assert_accessible("Personale").await;

        browser
            .fill("#invite-fiscal-code", "NRELNE85M41F205U")
            .await;
        browser.fill("#invite-first-name", "Elena").await;
        browser.fill("#invite-last-name", "Neri").await;
        browser.fill("#invite-email", "elena.neri").await;
        browser.click("#staff-invite-send").await;
        browser
            .assert_field_error(
                "invite-email",
                "Scrivi un indirizzo e-mail valido, ad esempio nome@comune.it.",
            )
            .await;
        browser
            .assert_accessible("an invitation with an error")
            .await;
        browser
            .fill("#invite-email", "elena.neri@comune.demo.it")
            .await;
        browser
            .submit(
                "#staff-invite-send",
                "#staff-done",
                "Invito inviato a Elena Neri (elena.neri@comune.demo.it).",
            )
            .await;
        browser
            .wait_for_text("#staff-NRELNE85M41F205U-state", "Invitato")
            .await;

        browser.click("#staff-VRDPLA70B05F205C-toggle").await;
        browser
            .wait_for_text("#staff-VRDPLA70B05F205C-state", "Disattivato")
            .await;
        browser.click("#staff-VRDPLA70B05F205C-toggle").await;
        browser
            .wait_for_text("#staff-VRDPLA70B05F205C-state", "Attivo")
            .await;
        browser
            .assert_accessible("Personale after the changes")
            .await;
    })
    .await;
}
