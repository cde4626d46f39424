//! A guardian on a phone (360 px) opens Contatti e preferenze from the personal area:
//! SMS for every letter cannot be chosen before a mobile number is confirmed; she asks
//! for her new number, types a wrong code and is told, types the code the SMS brought,
//! and then chooses SMS and turns e-mail off; every page passes axe.

use e2e::browser::Browser;
use e2e::{TestServer, ANNA};

use crate::{BROWSERS, TUESDAY_MORNING};

#[tokio::test]
async fn a_guardian_confirms_her_mobile_with_the_code_and_chooses_her_channels() {
    let _slot = BROWSERS
        .acquire()
        .await
        .expect("the semaphore is never closed");
    let server = TestServer::start_with(&TUESDAY_MORNING).await;
    Browser::run(&server.url, async |browser| {
        browser.emulate_phone(360, 740).await;
        browser.log_in(ANNA).await;
        browser.click("#menu-contatti").await;
        browser.wait_for_path("/demo/area-personale/contatti").await;
        browser
            .wait_for_text("#contacts-email-current", "anna.colombo@example.it")
            .await;
        browser
            .wait_for_text("#contacts-mobile-current", "Nessun numero di cellulare confermato.")
            .await;
        browser.assert_accessible("Contatti e preferenze").await;

        // SMS for every letter needs a confirmed number: the model's rule says so at once.
        browser.click("#channel-sms").await;
        browser
            .assert_field_error(
                "channel-sms",
                "Per ricevere le comunicazioni via SMS conferma prima il tuo numero di cellulare.",
            )
            .await;
        browser.click("#channel-sms").await;

        browser.fill("#contact-mobile-new", "06 123 4567").await;
        browser.click("#contact-mobile-send").await;
        browser
            .assert_field_error(
                "contact-mobile-new",
                "Il numero non è un cellulare italiano: deve iniziare con 3 (ad esempio 333 123 4567).",
            )
            .await;
        browser.fill("#contact-mobile-new", "333 123 4567").await;
        browser
            .submit(
                "#contact-mobile-send",
                "#contact-mobile-code-sent",
                "Ti abbiamo inviato un codice di 6 cifre a +39 333 123 4567",
            )
            .await;
        browser.assert_accessible("the code to type").await;
        let code = server.last_code_to("+393331234567").await;
        let wrong = if code == "000000" { "111111" } else { "000000" };
        browser.fill("#contact-mobile-code", wrong).await;
        browser.click("#contact-mobile-confirm").await;
        browser
            .assert_field_error("contact-mobile-code", "Codice errato: hai ancora 4 tentativi.")
            .await;
        browser.fill("#contact-mobile-code", &code).await;
        browser
            .submit(
                "#contact-mobile-confirm",
                "#contacts-done",
                "Fatto: il tuo numero di cellulare è ora +39 333 123 4567.",
            )
            .await;
        browser
            .wait_for_text("#contacts-mobile-current", "+39 333 123 4567")
            .await;

        browser.click("#channel-sms").await;
        browser.click("#channel-email").await;
        browser
            .submit("#channels-save", "#contacts-done", "Preferenze salvate.")
            .await;
        browser.assert_accessible("the channels saved").await;
    })
    .await;
    let chosen: i64 = server
        .scalar(&format!(
            "SELECT COUNT(*) FROM users WHERE fiscal_code = '{ANNA}' AND mobile = '+393331234567' AND channel_sms AND NOT channel_email"
        ))
        .await;
    assert_eq!(chosen, 1);
}
