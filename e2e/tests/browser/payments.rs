//! A guardian recharges online through the pagoPA simulator and sees the new balance,
//! then makes a notice, downloads its PDF, has a counter pay it, and sees it credited.
//! Another pays a retta online and reads the outcome on the retta's page, and pays two
//! rette in one Checkout cart. A guardian cancels a notice she made, a recharge
//! abandoned at pagoPA leaves no notice, and pagoPA's page of a paid recharge says so and
//! leads to the receipt.

use std::path::Path;
use std::process::Command;

use e2e::browser::Browser;
use e2e::payments::receipt;
use e2e::{TestServer, ANNA, MARIO};
use fantoccini::Locator;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::{journey, BROWSERS};

/// Logs in as Anna Colombo, whose canteen account starts 23,40 € short (last year's
/// meals) and without notices, and opens its payments; returns the address of that page.
async fn open_annas_canteen_account(browser: &Browser) -> String {
    browser.log_in(ANNA).await;
    browser.open_service("Refezione Scolastica").await;
    browser.wait_for_text("#balance", "-23,40 €").await;
    browser.path().await
}

/// Pays at pagoPA's checkout and waits for the portal to tell the outcome.
async fn pay_at_checkout(browser: &Browser, outcome: &str) {
    browser.submit("#paga", "#payment-outcome", outcome).await;
}

/// Cancels at pagoPA's checkout and waits for the portal to say nothing was paid.
async fn cancel_at_checkout(browser: &Browser) {
    browser
        .submit("#annulla", "#payment-outcome", "Pagamento annullato.")
        .await;
}

#[tokio::test]
async fn guardian_recharges_online_and_pays_a_notice_at_the_counter() {
    journey(async |browser| {
        let service_page = open_annas_canteen_account(browser).await;
        browser.find("#recharge-amount").await;
        browser
            .assert_accessible("Refezione Scolastica payments")
            .await;

        // The form reads amounts with the server's parser: one thousand, in Italian, is
        // understood (and above the comune's maximum); an exponent is not an amount.
        browser.fill("#recharge-amount", "1.000").await;
        browser
            .assert_field_error(
                "recharge-amount",
                "L'importo massimo di una ricarica è 500,00 €.",
            )
            .await;
        browser.fill("#recharge-amount", "1E2").await;
        browser
            .assert_field_error(
                "recharge-amount",
                "Scrivi l'importo in cifre, con la virgola per i decimali (ad esempio 54,00 o 1.234,50).",
            )
            .await;
        browser.fill("#recharge-amount", "54,00").await;
        browser.click("#recharge-pay").await;
        browser.find("#metodo-satispay").await;
        browser.click("#metodo-satispay").await;
        pay_at_checkout(browser, "Pagamento ricevuto.").await;
        browser.wait_for_text("#balance", "30,60 €").await;
        browser.assert_accessible("the payment outcome").await;

        browser.fill("#recharge-amount", "20").await;
        browser.click("#new-notice").await;
        browser.find("#new-notice-result").await;
        let open = "li[data-status='da pagare'][data-notice-number]";
        browser.find(open).await;
        let number = browser
            .attr(open, "data-notice-number")
            .await
            .expect("the notice number");
        assert_eq!(number.len(), 18);

        // "Scarica": the notice's PDF, to print or show at the counter.
        browser
            .click(&format!(
                "li[data-notice-number='{number}'] button[id$='-download']"
            ))
            .await;
        let pdf = browser.downloaded(&format!("avviso-{number}.pdf")).await;
        let bytes = std::fs::read(&pdf).expect("read the downloaded notice");
        assert!(bytes.starts_with(b"%PDF-"), "the notice is a PDF");
        let text = pdf_text(&pdf);
        // Printed in groups of four digits, as on every pagoPA notice.
        let unspaced: String = text.split_whitespace().collect();
        assert!(
            unspaced.contains(&number),
            "the PDF carries the notice number {number}: {text}"
        );

        // At the tobacconist: the clerk types the comune's fiscal code and the number.
        browser.goto("/pagopa-sim/sportello").await;
        browser.fill("#ente", "80012340156").await;
        browser.fill("#numero", &number).await;
        browser.submit("#cerca", "#importo", "20,00 €").await;
        browser
            .submit("#conferma", "#esito", "Pagamento eseguito")
            .await;

        browser.open_page(&service_page, "#balance", "50,60 €").await;
        let paid = format!("li[data-notice-number='{number}']");
        assert_eq!(
            browser.attr(&paid, "data-status").await.as_deref(),
            Some("pagato")
        );
    })
    .await;
}

#[tokio::test]
async fn guardian_pays_a_retta_online_and_reads_the_outcome_on_its_page() {
    journey(async |browser| {
        browser.log_in(MARIO).await;
        browser.open_service("Trasporto Scolastico").await;
        let december = "//ul[@id='emissions']/li[.//h2[normalize-space(.)='Retta Dicembre 2026']]";
        let item = browser
            .find_by("Retta Dicembre 2026", Locator::XPath(december))
            .await;
        let id = item
            .attr("id")
            .await
            .expect("the item's id")
            .expect("an id");
        browser.click(&format!("#{id}-detail")).await;
        browser.wait_for_text("#emission-status", "DA PAGARE").await;
        let retta_page = browser.path().await;

        // Cancelled at the checkout: nothing is paid and the retta says so.
        browser.click("#emission-pay").await;
        cancel_at_checkout(browser).await;
        assert_eq!(browser.path().await, retta_page);
        browser.wait_for_text("#emission-status", "DA PAGARE").await;
        browser.click("#payment-outcome-close").await;
        browser.wait_until_gone("#payment-outcome").await;

        browser.click("#emission-pay").await;
        pay_at_checkout(browser, "Pagamento ricevuto.").await;
        assert_eq!(browser.path().await, retta_page);
        browser.wait_for_text("#emission-status", "PAGATO").await;
        browser.find("#emission-receipt-download").await;
        browser.assert_accessible("the paid retta").await;
    })
    .await;
}

#[tokio::test]
async fn guardian_cancels_a_notice_she_made_and_pagopa_never_misleads_her() {
    journey(async |browser| {
        let service_page = open_annas_canteen_account(browser).await;

        // Paga, then Annulla at pagoPA: no notice is left to pay.
        browser.fill("#recharge-amount", "30").await;
        browser.click("#recharge-pay").await;
        cancel_at_checkout(browser).await;
        browser.find("#notices-empty").await;

        // A notice to pay later shows the date its PDF prints, and can be cancelled.
        browser.fill("#recharge-amount", "20").await;
        browser.click("#new-notice").await;
        browser.find("#new-notice-result").await;
        let open = "li[data-status='da pagare'][data-notice-number]";
        let item = browser.attr(open, "id").await.expect("the notice's id");
        browser
            .wait_for_text(&format!("#{item}"), "valido fino al")
            .await;
        browser
            .submit(
                &format!("#{item}-cancel"),
                &format!("#{item}-cancel-confirm"),
                "Non potrà più essere pagato",
            )
            .await;
        browser.assert_accessible("the cancel confirmation").await;
        // Second thoughts: the notice stays.
        browser.click(&format!("#{item}-cancel-no")).await;
        browser.find(&format!("#{item}-cancel")).await;
        assert_eq!(
            browser
                .attr(&format!("#{item}"), "data-status")
                .await
                .as_deref(),
            Some("da pagare")
        );
        browser.click(&format!("#{item}-cancel")).await;
        browser
            .submit(
                &format!("#{item}-cancel-yes"),
                &format!("#{item}-status"),
                "ANNULLATO",
            )
            .await;
        // Nothing is left to pay, download or cancel.
        for action in ["pay", "download", "cancel"] {
            browser.wait_until_gone(&format!("#{item}-{action}")).await;
        }
        browser.assert_accessible("the cancelled notice").await;
        browser.wait_for_text("#balance", "-23,40 €").await;

        // Paid online, then back to pagoPA's page: it says the notice is already paid and
        // leads to the receipt; nothing is charged twice.
        browser.fill("#recharge-amount", "54,00").await;
        browser.click("#recharge-pay").await;
        browser.find("#paga").await;
        let checkout = browser.path().await;
        pay_at_checkout(browser, "Pagamento ricevuto.").await;
        browser
            .open_page(&checkout, "#stato", "Questo avviso risulta già pagato")
            .await;
        browser.click("#ricevuta").await;
        browser.wait_for_path("/demo/pagamenti/ricevute").await;
        // The receipts page, once loaded, lists the payment (and the session it restored
        // from the refresh cookie is settled before the next page load).
        browser.wait_for_text("#receipts", "54,00 €").await;
        browser
            .open_page(&service_page, "#balance", "30,60 €")
            .await;
    })
    .await;
}

#[tokio::test]
async fn guardian_pays_two_rette_in_one_cart_through_the_simulator() {
    journey(async |browser| {
        browser.log_in(MARIO).await;
        browser.open_service("Trasporto Scolastico").await;
        let to_pay = "#emissions li[data-status='da pagare']";
        browser.find(to_pay).await;
        let ids = browser
            .execute(&format!(
                "return [...document.querySelectorAll(\"{to_pay}\")].map(e => e.id)"
            ))
            .await;
        let ids: Vec<String> = ids
            .as_array()
            .expect("the ids of the rette to pay")
            .iter()
            .map(|id| id.as_str().expect("an id").to_string())
            .collect();
        assert_eq!(ids.len(), 2, "Mario's two rette to pay: {ids:?}");

        // On a phone: both picked, with their total, in Italian.
        browser.emulate_phone(360, 760).await;
        browser
            .wait_for_text("#selected-summary", "Seleziona fino a 5 avvisi")
            .await;
        for id in &ids {
            browser.click(&format!("label[for='{id}-select']")).await;
        }
        browser
            .wait_for_text("#selected-summary", "2 avvisi selezionati: totale 108,80 €")
            .await;
        browser
            .assert_accessible("two rette selected to pay together")
            .await;

        // pagoPA's cart lists both, and pays them in one go.
        browser.click("#pay-selected").await;
        browser.wait_for_text("#totale", "108,80 €").await;
        browser.find("#numero-avviso-2").await;
        pay_at_checkout(browser, "Pagamento ricevuto.").await;
        for id in &ids {
            browser
                .find(&format!("li#{id}[data-status='pagato']"))
                .await;
        }
        browser.wait_until_gone(to_pay).await;
        browser.find("#payment-outcome-receipts").await;
        browser.assert_accessible("the cart's outcome").await;
    })
    .await;
}

/// With pagoPA Checkout (a stand-in that sends the parent straight back, as after paying)
/// the receipts come later: the page says "in verifica" until they arrive, then that the
/// payment is received, without reloading.
#[tokio::test]
async fn the_return_page_waits_for_the_receipts() {
    let _slot = BROWSERS
        .acquire()
        .await
        .expect("the semaphore is never closed");
    let checkout = MockServer::start().await;
    let base = format!("{}/checkout/ec/v1", checkout.uri());
    let server = TestServer::start_with(&[("PAGOPA_CHECKOUT_URL", base.as_str())]).await;
    let mario = server.user("demo", MARIO).await;
    let trasporto = mario.trasporto().await.service_id;
    // The first cart of a fresh database is number 1.
    let back = format!(
        "{}/demo/pagamenti/{trasporto}?esito=ok&carrello=1",
        server.url
    );
    Mock::given(method("POST"))
        .and(path("/checkout/ec/v1/carts"))
        .respond_with(ResponseTemplate::new(302).insert_header("Location", back.as_str()))
        .mount(&checkout)
        .await;
    Browser::run(&server.url, async |browser| {
        browser.log_in(MARIO).await;
        browser.open_service("Trasporto Scolastico").await;
        let to_pay = "#emissions li[data-status='da pagare'] label[for$='-select']";
        browser.find(to_pay).await;
        browser.click(to_pay).await;
        browser.click("#pay-selected").await;
        browser
            .wait_for_text("#payment-outcome", "Pagamento in verifica.")
            .await;
        browser.assert_accessible("a payment in verifica").await;

        // The node delivers the receipt of the cart's one notice.
        let cart = mario.cart(1).await;
        let notice = &cart.notices[0];
        let amount = notice.amount.to_string();
        let paid = receipt("RCP-CARRELLO-1", notice, &amount, "CP");
        assert_eq!(server.receipt_outcome(&paid).await, "OK");
        browser
            .wait_for_text("#payment-outcome", "Pagamento ricevuto.")
            .await;
        browser.find("#payment-outcome-receipts").await;
    })
    .await;
}

/// The text of a PDF, by `pdftotext` (poppler-utils).
fn pdf_text(pdf: &Path) -> String {
    let output = Command::new("pdftotext")
        .arg(pdf)
        .arg("-")
        .output()
        .unwrap_or_else(|e| panic!("run pdftotext on {} ({e})", pdf.display()));
    assert!(
        output.status.success(),
        "pdftotext {}: {}",
        pdf.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}
