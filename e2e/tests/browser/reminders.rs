//! An operator on a phone opens Solleciti from the menu: reminders are off; a schedule out
//! of order is refused next to its field; turned on after 7 and 21 days, Anna's canteen
//! account, negative since last month, is due for the second step; «Invia ora» sends it
//! once, it is listed as sent and not paid, and its e-mail arrives.

use std::time::Duration;

use e2e::browser::Browser;
use e2e::smtp::SmtpServer;
use e2e::{TestServer, GIULIA_OPERATOR};

use crate::{BROWSERS, TUESDAY_MORNING};

#[tokio::test]
async fn an_operator_turns_reminders_on_and_sends_the_due_ones() {
    let _slot = BROWSERS
        .acquire()
        .await
        .expect("the semaphore is never closed");
    let smtp = SmtpServer::start();
    let server = TestServer::with_smtp(smtp.port, &TUESDAY_MORNING).await;

    Browser::run(&server.url, async |browser| {
        browser.log_in(GIULIA_OPERATOR).await;
        browser.open_menu("solleciti").await;
        browser
            .wait_for_text(
                "#reminders-schedule-current",
                "I solleciti non sono attivi.",
            )
            .await;
        browser.find("#reminders-due-off").await;
        browser.assert_accessible("Solleciti").await;

        browser.click("label[for='reminders-enabled']").await;
        browser.fill("#reminders-steps", "21, 7").await;
        browser.click("#reminders-schedule-save").await;
        browser
            .assert_field_error("reminders-steps", "in ordine crescente")
            .await;

        browser.fill("#reminders-steps", "7, 21").await;
        browser.click("#reminders-schedule-save").await;
        browser
            .wait_for_text(
                "#reminders-schedule-saved",
                "Calendario dei solleciti salvato. Solleciti attivi: dopo 7 e 21 giorni.",
            )
            .await;
        let due = browser
            .wait_for_text("#reminders-due", "Anna Colombo")
            .await;
        assert!(
            due.contains("Conto negativo: Refezione Scolastica"),
            "{due}"
        );
        assert!(due.contains("23,40 €"), "{due}");
        assert!(due.contains("2° sollecito"), "{due}");
        browser.assert_accessible("Solleciti da inviare").await;

        browser.click("#reminders-send").await;
        browser
            .wait_for_text("#reminders-sent-note", "Inviat")
            .await;
        let sent = browser
            .wait_for_text("#reminders-sent", "Anna Colombo")
            .await;
        assert!(sent.contains("2° sollecito"), "{sent}");
        assert!(sent.contains("24/11/2026"), "{sent}");
        assert!(sent.contains("No"), "{sent}");
        browser.find("#reminders-due-empty").await;
        browser.assert_accessible("Solleciti inviati").await;
    })
    .await;

    let mails = smtp
        .wait_for("anna.colombo@example.it", 1, Duration::from_secs(15))
        .await;
    assert_eq!(mails.len(), 1);
    assert_eq!(
        mails[0].subject(),
        "Comune di Demo: Sollecito di pagamento: conto Refezione Scolastica"
    );
}
