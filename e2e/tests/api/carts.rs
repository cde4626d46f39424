//! Paying several notices at once: a pagoPA Checkout cart of the family's open rette and
//! recharge notices, paid in one go through the simulator (the production Checkout
//! client speaking to the simulator's carts API), what a cart refuses, and the production
//! client against a stand-in built from Checkout's published OpenAPI.

use e2e::payments::{checkout_page, submit_checkout, ENTE_DEMO};
use e2e::{field_error, json, problem, TestServer, User, ANNA, GIULIA_OPERATOR, MARIO};
use reqwest::StatusCode;
use serde_json::Value;
use sportello_model::paths;
use sportello_model::payments::{
    Cart, EmissionDetail, EmissionStatus, EmissionSummary, NoticeStatus, ReceiptSummary,
};
use sportello_model::Page;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Issues one more retta of 47,60 € to Mario, so that he has three to pay.
async fn third_retta(server: &TestServer, mario: &User<'_>) -> EmissionDetail {
    let giulia = server.user("demo", GIULIA_OPERATOR).await;
    let due = (server.today().await + time::Duration::days(30)).to_string();
    let body = serde_json::json!({
        "guardian_fiscal_code": MARIO,
        "service_id": mario.trasporto().await.service_id,
        "title": "Retta Marzo 2027",
        "due_date": due,
        "lines": [{ "description": "Trasporto scolastico - marzo", "amount": "47,60" }],
    });
    json(
        giulia.post(&paths::emit(), &body).await,
        StatusCode::CREATED,
    )
    .await
}

/// Mario's rette still to pay.
async fn rette_to_pay(mario: &User<'_>) -> Vec<EmissionSummary> {
    let list: Page<EmissionSummary> = mario.get_ok(&paths::emissions()).await;
    list.items
        .into_iter()
        .filter(|e| e.status == EmissionStatus::ToPay)
        .collect()
}

async fn receipts_total(family: &User<'_>) -> u64 {
    let receipts: Page<ReceiptSummary> = family.get_ok(&paths::receipts()).await;
    receipts.total
}

#[tokio::test]
async fn a_family_pays_three_rette_in_one_cart() {
    let server = TestServer::start().await;
    let mario = server.user("demo", MARIO).await;
    third_retta(&server, &mario).await;
    let rette = rette_to_pay(&mario).await;
    assert_eq!(rette.len(), 3, "the demo's two open rette and the new one");
    let ids: Vec<i64> = rette.iter().map(|r| r.notice_id).collect();
    let receipts_before = receipts_total(&mario).await;

    let cart: Cart = json(mario.pay_cart(&ids, "tre-rette").await, StatusCode::CREATED).await;
    assert_eq!(cart.notices.len(), 3);
    assert_eq!(cart.total.to_string(), "156.40");
    assert!(!cart.paid());
    // A retry of the same request answers the same cart: Checkout is not asked again.
    let again: Cart = json(mario.pay_cart(&ids, "tre-rette").await, StatusCode::OK).await;
    assert_eq!(again, cart);
    // Another "Paga" of the same rette while this cart is open: a second cart, which
    // can never take the money twice (below).
    let second: Cart = json(mario.pay_cart(&ids, "di-nuovo").await, StatusCode::CREATED).await;
    assert_ne!(second.checkout_url, cart.checkout_url);

    // pagoPA's page lists the three notices and their total, in Italian.
    let page = checkout_page(&cart.checkout_url).await;
    for retta in &rette {
        let spaced = sportello_model::format::notice_number(&retta.document_number);
        assert!(page.contains(&spaced), "{spaced} in {page}");
    }
    assert!(
        page.contains("Totale: <strong id=\"totale\">156,40 €</strong>"),
        "{page}"
    );
    assert!(page.contains("Paga 156,40 €"), "{page}");

    let back = submit_checkout(&cart.checkout_url, "pay", "carta").await;
    let trasporto = mario.trasporto().await.service_id;
    let ok = format!(
        "{}/demo/pagamenti/{trasporto}?esito=ok&carrello={}",
        server.url, cart.id
    );
    assert_eq!(back, ok, "back to the rette, to follow the cart");

    // Three receipts, three notices paid, nothing left to pay for transport.
    let paid = mario.cart(cart.id).await;
    assert!(paid.paid(), "{paid:?}");
    assert!(paid.notices.iter().all(|n| n.status == NoticeStatus::Paid));
    assert_eq!(receipts_total(&mario).await, receipts_before + 3);
    assert!(rette_to_pay(&mario).await.is_empty());
    let due = mario.trasporto().await;
    assert_eq!(due.open_emissions, Some(0));
    assert_eq!(due.amount_due.map(|a| a.to_string()), Some("0.00".into()));

    // The same cart submitted again, and the second cart of the same rette: nothing
    // more is taken.
    assert_eq!(
        submit_checkout(&cart.checkout_url, "pay", "carta").await,
        ok
    );
    let shown = checkout_page(&second.checkout_url).await;
    assert!(shown.contains("risulta già pagato"), "{shown}");
    let refused = submit_checkout(&second.checkout_url, "pay", "carta").await;
    assert!(refused.contains("esito=errore"), "{refused}");
    assert_eq!(receipts_total(&mario).await, receipts_before + 3);
}

#[tokio::test]
async fn a_cart_mixes_a_retta_and_a_recharge_and_credits_the_account() {
    let server = TestServer::start().await;
    let mario = server.user("demo", MARIO).await;
    let refezione = mario.refezione().await.service_id;
    let cents = |amount| sportello_model::money::decimal_to_cents(amount).expect("cents");
    let balance = cents(mario.statement(refezione).await.account.balance);
    let recharge = mario.new_notice(refezione, "20").await;
    let retta = rette_to_pay(&mario).await.remove(0);

    let cart: Cart = json(
        mario
            .pay_cart(&[retta.notice_id, recharge.id], "misto")
            .await,
        StatusCode::CREATED,
    )
    .await;
    let back = submit_checkout(&cart.checkout_url, "pay", "satispay").await;
    // Two services: back to Pagamenti.
    let ok = format!(
        "{}/demo/pagamenti?esito=ok&carrello={}",
        server.url, cart.id
    );
    assert_eq!(back, ok);
    assert!(mario.cart(cart.id).await.paid());
    let after = cents(mario.statement(refezione).await.account.balance);
    assert_eq!(after, balance + 2000, "the recharge is credited once");
    let paid: EmissionDetail = mario.get_ok(&paths::emission(retta.id)).await;
    assert_eq!(paid.summary.status, EmissionStatus::Paid);
}

#[tokio::test]
async fn a_cart_refuses_what_cannot_be_paid_together() {
    let server = TestServer::start().await;
    let mario = server.user("demo", MARIO).await;
    let refezione = mario.refezione().await.service_id;
    let made = mario.new_notices(refezione, "10", 6).await;
    let ids: Vec<i64> = made.iter().map(|n| n.id).collect();

    let too_many = field_error(mario.pay_cart(&ids, "sei").await, "notice_ids").await;
    assert_eq!(too_many, "Puoi pagare al massimo 5 avvisi insieme.");
    let twice = mario.pay_cart(&[ids[0], ids[1], ids[0]], "doppio").await;
    assert_eq!(
        field_error(twice, "notice_ids").await,
        "Lo stesso avviso è stato selezionato più volte."
    );
    let none = field_error(mario.pay_cart(&[], "vuoto").await, "notice_ids").await;
    assert_eq!(none, "Seleziona almeno un avviso da pagare.");

    // Another family's notice is not Mario's to pay: as if it did not exist.
    let anna = server.user("demo", ANNA).await;
    let annas = anna
        .new_notice(anna.refezione().await.service_id, "10")
        .await;
    problem(
        mario.pay_cart(&[ids[0], annas.id], "altrui").await,
        StatusCode::NOT_FOUND,
    )
    .await;
    // Nor is Anna's cart Mario's to read.
    let hers: Cart = json(anna.pay_cart(&[annas.id], "sua").await, StatusCode::CREATED).await;
    problem(
        mario.get(&paths::cart(hers.id)).await,
        StatusCode::NOT_FOUND,
    )
    .await;

    // A notice already paid (at a counter) cannot go into a cart.
    let counter = server.pay_at_counter(&made[0].notice_number).await;
    assert!(counter.contains("Pagamento eseguito"), "{counter}");
    let paid = field_error(mario.pay_cart(&ids[..2], "pagato").await, "notice_ids").await;
    assert!(paid.contains("non può essere pagato: è «pagato»"), "{paid}");

    // The office neither pays nor reads a family's carts.
    let giulia = server.user("demo", GIULIA_OPERATOR).await;
    problem(
        giulia.pay_cart(&ids[1..2], "ufficio").await,
        StatusCode::FORBIDDEN,
    )
    .await;
    problem(
        giulia.get(&paths::cart(hers.id)).await,
        StatusCode::FORBIDDEN,
    )
    .await;
}

/// A stand-in for pagoPA Checkout built from its published OpenAPI ("Pagopa Checkout for
/// EC", `POST /carts`): it answers each cart with `answers`, in turn, then 302.
async fn checkout_mock(answers: Vec<ResponseTemplate>) -> MockServer {
    let checkout = MockServer::start().await;
    for answer in answers {
        Mock::given(method("POST"))
            .and(path("/checkout/ec/v1/carts"))
            .respond_with(answer)
            .up_to_n_times(1)
            .mount(&checkout)
            .await;
    }
    Mock::given(method("POST"))
        .and(path("/checkout/ec/v1/carts"))
        .respond_with(
            ResponseTemplate::new(302)
                .insert_header("Location", "https://checkout.pagopa.it/c/3fa85f64-5717"),
        )
        .mount(&checkout)
        .await;
    checkout
}

/// A ProblemJson as Checkout's payment-requests service writes it.
fn checkout_problem(status: u16, title: &str, detail: &str) -> ResponseTemplate {
    ResponseTemplate::new(status)
        .set_body_json(serde_json::json!({ "title": title, "detail": detail, "status": status }))
}

#[tokio::test]
async fn the_production_client_opens_carts_at_pagopa_checkout() {
    let checkout = checkout_mock(vec![
        checkout_problem(422, "Invalid payment info", "Invalid payment notice data"),
        checkout_problem(
            500,
            "Error processing the request",
            "An internal error occurred processing the request",
        ),
    ])
    .await;
    let base = format!("{}/checkout/ec/v1", checkout.uri());
    let server = TestServer::start_with(&[("PAGOPA_CHECKOUT_URL", base.as_str())]).await;
    let mario = server.user("demo", MARIO).await;
    let rette = rette_to_pay(&mario).await;
    let ids: Vec<i64> = rette.iter().map(|r| r.notice_id).collect();

    // Checkout's refusals, in Italian; no cart is left behind, so the same request can
    // be sent again.
    let refused = problem(mario.pay_cart(&ids, "carrello").await, StatusCode::CONFLICT).await;
    assert_eq!(
        refused.detail,
        "pagoPA non accetta il pagamento di uno degli avvisi: potrebbe essere già pagato, annullato o scaduto."
    );
    let failed = problem(mario.pay_cart(&ids, "carrello").await, StatusCode::CONFLICT).await;
    assert_eq!(
        failed.detail,
        "pagoPA Checkout ha rifiutato il carrello (HTTP 500). Riprova più tardi."
    );
    let cart: Cart = json(mario.pay_cart(&ids, "carrello").await, StatusCode::CREATED).await;
    assert_eq!(
        cart.checkout_url,
        "https://checkout.pagopa.it/c/3fa85f64-5717"
    );

    // What was sent is the published CartRequest.
    let sent = checkout.received_requests().await.expect("recording is on");
    assert_eq!(sent.len(), 3);
    let body: Value = sent[2].body_json().expect("a JSON cart");
    let notices = body["paymentNotices"].as_array().expect("paymentNotices");
    assert_eq!(notices.len(), rette.len());
    for (notice, retta) in notices.iter().zip(&rette) {
        assert_eq!(notice["noticeNumber"], retta.document_number.as_str());
        assert_eq!(notice["fiscalCode"], ENTE_DEMO);
        let cents = sportello_model::money::decimal_to_cents(retta.amount);
        assert_eq!(notice["amount"].as_i64(), cents);
        assert_eq!(notice["companyName"], "Comune di Demo");
        assert!(notice["description"]
            .as_str()
            .is_some_and(|d| !d.is_empty()));
    }
    let trasporto = mario.trasporto().await.service_id;
    let back = format!("{}/demo/pagamenti/{trasporto}", server.url);
    let urls = &body["returnUrls"];
    for (field, esito) in [
        ("returnOkUrl", "ok"),
        ("returnCancelUrl", "annullato"),
        ("returnErrorUrl", "errore"),
    ] {
        assert_eq!(
            urls[field],
            format!("{back}?esito={esito}&carrello={}", cart.id).as_str()
        );
    }
    assert_eq!(body["idCart"], format!("{ENTE_DEMO}-{}", cart.id).as_str());
    // Nothing is paid until the receipts arrive.
    assert!(!mario.cart(cart.id).await.paid());
}

/// Posts `cart` to the simulator's Checkout carts API, as an ente would.
async fn post_to_simulator(server: &TestServer, cart: &Value) -> reqwest::Response {
    e2e::client()
        .post(format!("{}/pagopa-sim/checkout/ec/v1/carts", server.url))
        .json(cart)
        .send()
        .await
        .expect("the simulator's carts API")
}

#[tokio::test]
async fn the_simulator_answers_carts_as_checkout_does() {
    let server = TestServer::start().await;
    let mario = server.user("demo", MARIO).await;
    let refezione = mario.refezione().await.service_id;
    let made = mario.new_notices(refezione, "10", 6).await;
    let back = format!("{}/demo/pagamenti/{refezione}", server.url);
    let cart = |notices: &[&sportello_model::payments::Notice]| {
        serde_json::json!({
            "paymentNotices": notices.iter().map(|n| serde_json::json!({
                "noticeNumber": n.notice_number, "fiscalCode": ENTE_DEMO, "amount": 1000,
                "companyName": "Comune di Demo", "description": n.description,
            })).collect::<Vec<_>>(),
            "returnUrls": {
                "returnOkUrl": format!("{back}?esito=ok"),
                "returnCancelUrl": format!("{back}?esito=annullato"),
                "returnErrorUrl": format!("{back}?esito=errore"),
            },
        })
    };
    let refused = |status: u16, title: &str, detail: &str| serde_json::json!({ "title": title, "detail": detail, "status": status });

    // A cart the schema refuses: no notices.
    let empty = post_to_simulator(&server, &cart(&[])).await;
    let invalid = refused(
        400,
        "Request validation error",
        "The input request is invalid",
    );
    assert_eq!(json::<Value>(empty, StatusCode::BAD_REQUEST).await, invalid);
    // Six notices, or one twice: what Checkout's payment-requests service answers.
    let all: Vec<_> = made.iter().collect();
    let six = post_to_simulator(&server, &cart(&all)).await;
    assert_eq!(
        json::<Value>(six, StatusCode::UNPROCESSABLE_ENTITY).await,
        refused(
            422,
            "Multiple payment notices not processable",
            "Too many payment notices, expected max 5"
        )
    );
    let twice = post_to_simulator(&server, &cart(&[&made[0], &made[0]])).await;
    assert_eq!(
        json::<Value>(twice, StatusCode::UNPROCESSABLE_ENTITY).await,
        refused(
            422,
            "Invalid payment info",
            "Duplicate payment notice values found."
        )
    );
    // A notice the node would not take (already paid): checkPosition says KO.
    server.pay_at_counter(&made[5].notice_number).await;
    let paid = post_to_simulator(&server, &cart(&[&made[0], &made[5]])).await;
    assert_eq!(
        json::<Value>(paid, StatusCode::UNPROCESSABLE_ENTITY).await,
        refused(422, "Invalid payment info", "Invalid payment notice data")
    );

    // A good cart: 302 to its page, which pays both and goes back to returnOkUrl.
    let opened = post_to_simulator(&server, &cart(&[&made[0], &made[1]])).await;
    assert_eq!(opened.status(), StatusCode::FOUND);
    let page = e2e::location(&opened).to_string();
    assert!(page.starts_with(&format!("{}/pagopa-sim/checkout/c/", server.url)));
    assert!(checkout_page(&page).await.contains("Paga 20,00 €"));
    assert_eq!(
        submit_checkout(&page, "pay", "paypal").await,
        format!("{back}?esito=ok")
    );
    for notice in &made[..2] {
        assert_eq!(mario.notice(notice.id).await.status, NoticeStatus::Paid);
    }
}
