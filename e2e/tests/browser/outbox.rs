//! An operator opens Invii non riusciti from the menu on a phone: the password-reset
//! e-mail the dead SMTP server never took is listed as not delivered, with the error;
//! once the server is up, "Invia di nuovo" sends it and it arrives.

use std::time::Duration;

use e2e::browser::Browser;
use e2e::smtp::{closed_port, SmtpServer};
use e2e::{client, TestServer, GIULIA_OPERATOR, MARIO};

use crate::{BROWSERS, TUESDAY_MORNING};

#[tokio::test]
async fn an_operator_sends_again_an_email_the_smtp_server_never_took() {
    let _slot = BROWSERS
        .acquire()
        .await
        .expect("the semaphore is never closed");
    let port = closed_port();
    let mut env = TUESDAY_MORNING.to_vec();
    env.push(("SPORTELLO_OUTBOX_MAX_ATTEMPTS", "1"));
    let server = TestServer::with_smtp(port, &env).await;
    let asked = server.ask_password_reset(&client(), MARIO).await;
    assert_eq!(asked.status(), reqwest::StatusCode::ACCEPTED);

    Browser::run(&server.url, async |browser| {
        browser.log_in(GIULIA_OPERATOR).await;
        browser.open_menu("invii-non-riusciti").await;
        let row = browser
            .wait_for_text("#outbox", "Non recapitato")
            .await;
        assert!(row.contains("mario.albertini@example.it"), "{row}");
        assert!(row.contains("Reimpostazione della password"), "{row}");
        assert!(row.contains("E-mail"), "{row}");
        assert!(row.contains("24/11/2026 alle 11:00"), "{row}");
        assert!(row.contains("Server SMTP non raggiungibile"), "{row}");
        browser.assert_accessible("Invii non riusciti").await;

        let smtp = SmtpServer::start_on(port);
        // By keyboard, as an operator tabbing through the table does (at 360 px the
        // button sits in the table's horizontal scroll).
        browser
            .find("#outbox tbody button")
            .await
            .send_keys("\u{E007}")
            .await
            .expect("press Enter on Invia di nuovo");
        browser
            .wait_for_text(
                "#outbox-retried",
                "Il messaggio a mario.albertini@example.it sarà inviato di nuovo tra pochi istanti.",
            )
            .await;
        browser.find("#outbox-empty").await;
        let mails = smtp
            .wait_for("mario.albertini@example.it", 1, Duration::from_secs(15))
            .await;
        assert_eq!(mails.len(), 1);
        assert_eq!(mails[0].subject(), "Reimpostazione della password");
    })
    .await;
}
