//! On a 360 px phone an operator opens Detrazioni fiscali from the menu, picks 2026, reads
//! the year's totals and the receipt paid by someone other than the account holder, and
//! downloads the CSV per child.

use e2e::browser::Browser;
use e2e::payments::receipt;
use e2e::{TestServer, GIULIA_OPERATOR, MARIO};

use crate::{BROWSERS, TUESDAY_MORNING};

#[tokio::test]
async fn an_operator_reads_the_year_and_downloads_the_csv_on_a_phone() {
    let _slot = BROWSERS
        .acquire()
        .await
        .expect("the semaphore is never closed");
    let server = TestServer::start_with(&TUESDAY_MORNING).await;
    let (mario, service) = server.canteen_family(MARIO).await;
    let notice = mario.new_notice(service, "20").await;
    server.pay_at_counter(&notice.notice_number).await;
    let other = mario.new_notice(service, "10").await;
    let paid_by_other = receipt("RT-BROWSER-1", &other, "10.00", "CP");
    assert_eq!(server.receipt_outcome(&paid_by_other).await, "OK");

    Browser::run(&server.url, async |browser| {
        browser.log_in(GIULIA_OPERATOR).await;
        browser.emulate_phone(360, 760).await;
        browser.open_menu("detrazioni-fiscali").await;
        browser.choose("#tax-year", "2026").await;
        // The demo's November retta, paid at a counter, and the two recharges.
        browser.wait_for_text("#tax-paid", "77,60 €").await;
        assert_eq!(browser.text("#tax-families").await, "1");
        assert_eq!(browser.text("#tax-children").await, "2");
        let flagged = browser
            .wait_for_text("#tax-flagged-RT-BROWSER-1", "CLMNNA85M41F205Z")
            .await;
        assert!(flagged.contains("10,00 €"), "{flagged}");
        assert!(flagged.contains("23/11/2026"), "{flagged}");
        assert!(flagged.contains("Mario Albertini (LBRMRA80E12F205M)"), "{flagged}");
        browser.assert_accessible("Detrazioni fiscali at 360 px").await;

        browser.click("#tax-csv").await;
        let csv = browser.downloaded("detrazioni-2026.csv").await;
        let text = std::fs::read_to_string(&csv).expect("read the downloaded CSV");
        assert_eq!(
            text,
            "\u{feff}Anno;Codice fiscale alunno;Alunno;Codice fiscale pagante;Servizio;Pagato;Rimborsato;Netto\n\
             2026;LBRGRT15C50F205H;Greta Albertini;LBRMRA80E12F205M;Refezione Scolastica;15.00;0.00;15.00\n\
             2026;LBRGRT15C50F205H;Greta Albertini;LBRMRA80E12F205M;Trasporto Scolastico;47.60;0.00;47.60\n\
             2026;LBRSFO17L61F205U;Sofia Albertini;LBRMRA80E12F205M;Refezione Scolastica;15.00;0.00;15.00\n",
            "30,00 € recharged, split by the meals charged to each child (the same); Greta's retta"
        );
    })
    .await;
}
