//! Utenti pages through the server's pages: an operator reaches every child of the
//! comune, not only the first hundred.

use e2e::browser::Browser;
use e2e::{TestServer, ANNA, GIULIA_OPERATOR};
use sea_orm::{ConnectionTrait, Statement};
use sportello_model::fiscal_code::check_character;

use crate::BROWSERS;

/// Children added to the demo's five: 110 in all, six pages of twenty.
const ADDED: u32 = 105;

#[tokio::test]
async fn an_operator_pages_through_more_than_a_hundred_children() {
    let _slot = BROWSERS
        .acquire()
        .await
        .expect("the semaphore is never closed");
    let server = TestServer::start().await;
    let db = server.database().await;
    for n in 1..=ADDED {
        let first15 = format!("ZNTLNN18E01F{n:03}");
        let fiscal_code = format!("{first15}{}", check_character(first15.as_bytes()));
        db.execute(Statement::from_string(
            db.get_database_backend(),
            format!(
                "INSERT INTO children (ente_id, guardian_id, first_name, last_name, fiscal_code, \
                 birth_date, birth_place, sex, address) \
                 SELECT e.id, u.id, 'Alunno {n:03}', 'Zanetti', '{fiscal_code}', \
                 '2018-05-01', 'Milano', 'M', 'Via Roma 1' \
                 FROM entes e JOIN users u ON u.ente_id = e.id \
                 WHERE e.slug = 'demo' AND u.fiscal_code = '{ANNA}'"
            ),
        ))
        .await
        .expect("add a child");
    }

    Browser::run(&server.url, async |browser| {
        browser.log_in(GIULIA_OPERATOR).await;
        browser.open_menu("utenti").await;
        browser
            .wait_for_text("#children-pager", "Pagina 1 di 6")
            .await;
        assert_eq!(
            browser.count("#children-list li").await,
            20,
            "twenty children a page"
        );
        browser.assert_accessible("Utenti, first page").await;

        browser
            .submit("#children-pager-next", "#children-pager", "Pagina 2 di 6")
            .await;
        assert_eq!(browser.path().await, "/demo/utenti");

        // The last page holds the children beyond the first hundred.
        browser
            .open_page("/demo/utenti?pagina=6", "#children-pager", "Pagina 6 di 6")
            .await;
        browser
            .wait_for_text("#children-list", "Alunno 105 Zanetti")
            .await;
        browser.find("#children-pager-prev").await;
        browser.assert_accessible("Utenti, last page").await;
    })
    .await;
}
