//! The built-in pagoPA simulator, the embedded default in development and tests: pagoPA
//! Checkout's carts API for ente (`POST /pagopa-sim/checkout/ec/v1/carts`, exactly the
//! published one the production client speaks, with its errors), the cart's page where
//! the payer picks a method and pays or cancels, and a "counter" (tobacconist, post
//! office) that pays an open notice by its number. Like pagoPA, both first verify that
//! every notice can be paid (not paid, cancelled or expired: pagoPA's
//! PAA_PAGAMENTO_DUPLICATO, _ANNULLATO, _SCADUTO) and take no money when one cannot; a
//! payment then delivers its receipt to the comune's station over SOAP, exactly as
//! pagoPA's node does in production.

use actix_web::{get, post, web, HttpResponse};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter,
};
use serde::{Deserialize, Serialize};
use sportello_model::format::{date, euro_cents};
use sportello_model::payments::{CheckoutStatus, NoticeStatus, ReceiptOutcome, MAX_CART_NOTICES};
use sportello_model::{paths, rome, spa};
use sportello_pagopa::node::{self, Primitive, PspChannel, StationAddress};
use sportello_pagopa::{EnteFiscalCode, NoticeNumber, PaymentMethod, Receipt, SimulatorGateway};
use time::OffsetDateTime;

use super::entity::{payment_notice, sim_cart};
use super::notices;
use crate::accounts::secrets::random_token;
use crate::db::TenantScoped;
use crate::entes::entity::ente;
use crate::error::{ApiError, ApiResult};
use crate::http::escape_html as escape;
use crate::startup::AppState;

/// Where the simulator serves Checkout's API for ente, under `/pagopa-sim`.
pub const CHECKOUT_API: &str = "/checkout/ec/v1";

/// How long a cart can be paid after it was made.
const CART_TTL: time::Duration = time::Duration::minutes(30);

/// Longest company name and description Checkout takes.
const MAX_TEXT: usize = 140;

/// `idPSP` on the simulator's receipts.
const SIMULATED_PSP_ID: &str = "SIMULATOREPSP";

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(post_carts)
        .service(cart_page)
        .service(cart_submit)
        .service(counter_page)
        .service(counter_submit);
}

/// A notice of a cart, as Checkout's `PaymentNotice` schema reads it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PaymentNotice {
    notice_number: String,
    fiscal_code: String,
    amount: i64,
    company_name: String,
    description: String,
}

/// `returnUrls` of Checkout's `CartRequest`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ReturnUrls {
    return_ok_url: String,
    return_cancel_url: String,
    return_error_url: String,
}

/// Checkout's `CartRequest`, as received and kept.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CartRequest {
    payment_notices: Vec<PaymentNotice>,
    return_urls: ReturnUrls,
    email_notice: Option<String>,
    id_cart: Option<String>,
    all_c_c_p: Option<bool>,
}

/// Checkout's ProblemJson answer, with the titles and details its payment-requests
/// service writes (typed `application/problem+json`, which the portal's error pages pass
/// through as they are).
fn problem(status: u16, title: &str, detail: &str) -> HttpResponse {
    HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap_or_default())
        .content_type("application/problem+json")
        .json(serde_json::json!({ "title": title, "detail": detail, "status": status }))
}

fn invalid_request() -> HttpResponse {
    problem(
        400,
        "Request validation error",
        "The input request is invalid",
    )
}

fn invalid_payment_info(detail: &str) -> HttpResponse {
    problem(422, "Invalid payment info", detail)
}

/// Whether the cart is formally valid, as the published schema states it; return
/// addresses must lead back to this portal.
fn well_formed(cart: &CartRequest, public_url: &str) -> bool {
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    let ours = |url: &str| url.starts_with(&format!("{public_url}/"));
    !cart.payment_notices.is_empty()
        && cart.payment_notices.iter().all(|n| {
            digits(&n.notice_number, 18)
                && digits(&n.fiscal_code, 11)
                && n.amount >= 1
                && n.company_name.chars().count() <= MAX_TEXT
                && n.description.chars().count() <= MAX_TEXT
        })
        && [
            &cart.return_urls.return_ok_url,
            &cart.return_urls.return_cancel_url,
            &cart.return_urls.return_error_url,
        ]
        .iter()
        .all(|url| ours(url))
}

/// An ente's notice by the ente's fiscal code and the notice number, as pagoPA finds it.
async fn find_notice(
    db: &DatabaseConnection,
    fiscal_code: &str,
    number: &NoticeNumber,
) -> ApiResult<Option<(ente::Model, payment_notice::Model)>> {
    let Ok(code) = EnteFiscalCode::parse(fiscal_code) else {
        return Ok(None);
    };
    let Some(ente) = ente::Entity::find()
        .filter(ente::Column::FiscalCode.eq(code))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    Ok(payment_notice::Entity::find_in_ente(ente.ente_id())
        .filter(payment_notice::Column::NoticeNumber.eq(number.clone()))
        .one(db)
        .await?
        .map(|notice| (ente, notice)))
}

/// The cart's notices as the ente has them now, in the cart's order (`None` for one it
/// does not know).
async fn cart_notices(
    db: &DatabaseConnection,
    cart: &CartRequest,
) -> ApiResult<Vec<Option<(ente::Model, payment_notice::Model)>>> {
    let mut found = Vec::with_capacity(cart.payment_notices.len());
    for notice in &cart.payment_notices {
        found.push(match NoticeNumber::parse(&notice.notice_number) {
            Ok(number) => find_notice(db, &notice.fiscal_code, &number).await?,
            Err(_) => None,
        });
    }
    Ok(found)
}

/// `POST /carts`: checks the cart as Checkout does (the schema, at most five notices,
/// none twice, each one payable: the node's checkPosition), keeps it and answers 302 to
/// its page.
#[post("/checkout/ec/v1/carts")]
async fn post_carts(state: web::Data<AppState>, body: web::Bytes) -> ApiResult<HttpResponse> {
    let Ok(cart) = serde_json::from_slice::<CartRequest>(&body) else {
        return Ok(invalid_request());
    };
    if !well_formed(&cart, &state.public_url) {
        return Ok(invalid_request());
    }
    if cart.payment_notices.len() > MAX_CART_NOTICES {
        return Ok(problem(
            422,
            "Multiple payment notices not processable",
            &format!("Too many payment notices, expected max {MAX_CART_NOTICES}"),
        ));
    }
    let notices = &cart.payment_notices;
    let repeated = notices.iter().enumerate().any(|(i, n)| {
        notices[..i]
            .iter()
            .any(|m| m.fiscal_code == n.fiscal_code && m.notice_number == n.notice_number)
    });
    if repeated {
        return Ok(invalid_payment_info(
            "Duplicate payment notice values found.",
        ));
    }
    let now = state.now();
    let payable = cart_notices(&state.db, &cart)
        .await?
        .iter()
        .all(|found| matches!(found, Some((_, notice)) if verify(notice, now).is_none()));
    if !payable {
        return Ok(invalid_payment_info("Invalid payment notice data"));
    }
    let token = random_token();
    sim_cart::ActiveModel {
        token: Set(token.clone()),
        cart: Set(serde_json::to_string(&cart).map_err(ApiError::internal)?),
        status: Set(CheckoutStatus::Open),
        created_at: Set(now),
        expires_at: Set(now + CART_TTL),
        ..Default::default()
    }
    .insert(&state.db)
    .await?;
    Ok(HttpResponse::Found()
        .insert_header((
            "Location",
            format!("{}/pagopa-sim/checkout/c/{token}", state.public_url),
        ))
        .finish())
}

fn html_page(title: &str, body: &str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(format!(
            r#"<!doctype html>
<html lang="it"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} — simulatore pagoPA</title>
<style>body{{font-family:sans-serif;max-width:34rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}}
.nota{{background:#fff3cd;padding:.75rem;border-radius:4px}}dl{{display:grid;grid-template-columns:auto 1fr;gap:.25rem 1rem}}
dt{{font-weight:600}}fieldset{{margin:1rem 0;padding:.75rem}}label{{display:block;margin:.4rem 0}}
input[type=text]{{width:100%;padding:.5rem;font-size:1rem}}
button{{margin:.5rem .5rem 0 0;padding:.6rem 1.2rem;font-size:1rem;background:#0066cc;color:#fff;border:0;border-radius:4px}}
.avvisi{{list-style:none;padding:0}}.avvisi li{{border-bottom:1px solid #c5c7c9;margin-bottom:.5rem}}
.secondario{{background:#5c6f82}}.errore{{color:#a61d1d;font-weight:600}}.ok{{color:#00663d;font-weight:600}}</style></head>
<body><main><h1>{title}</h1>
<p class="nota">Simulatore pagoPA integrato in Sportello: nessun addebito reale.</p>
{body}</main></body></html>"#
        ))
}

/// What a notice says, its ids ending in `suffix` (the counter's one notice has none).
fn notice_facts(
    ente: &ente::Model,
    notice: &payment_notice::Model,
    suffix: &str,
    now: OffsetDateTime,
) -> String {
    format!(
        "<dl><dt>Ente creditore</dt><dd>{}</dd><dt>Causale</dt><dd>{}</dd><dt>Numero avviso</dt><dd id=\"numero-avviso{suffix}\">{}</dd><dt>Importo</dt><dd id=\"importo{suffix}\">{}</dd><dt>Scadenza</dt><dd id=\"scadenza{suffix}\">{}</dd><dt>Stato</dt><dd id=\"stato-avviso{suffix}\">{}</dd></dl>",
        escape(&ente.name),
        escape(&notice.description),
        notice.notice_number.formatted(),
        euro_cents(notice.amount_cents),
        notices::deadline(notice).text(),
        notices::status(notice, rome::today(now)).label()
    )
}

/// The cart's notices and their total.
fn cart_facts(notices: &[(ente::Model, payment_notice::Model)], now: OffsetDateTime) -> String {
    let items: String = notices
        .iter()
        .enumerate()
        .map(|(i, (ente, notice))| {
            format!(
                "<li>{}</li>",
                notice_facts(ente, notice, &format!("-{}", i + 1), now)
            )
        })
        .collect();
    format!(
        r#"<ul class="avvisi">{items}</ul><p class="totale">Totale: <strong id="totale">{}</strong></p>"#,
        euro_cents(total_cents(notices))
    )
}

fn total_cents(notices: &[(ente::Model, payment_notice::Model)]) -> i64 {
    notices.iter().map(|(_, n)| n.amount_cents).sum()
}

/// pagoPA's verification of a notice before any money is taken: the reason it cannot be
/// paid, if it cannot.
fn verify(notice: &payment_notice::Model, now: OffsetDateTime) -> Option<ReceiptOutcome> {
    match notices::status(notice, rome::today(now)) {
        NoticeStatus::Open => None,
        NoticeStatus::Paid => Some(ReceiptOutcome::DuplicatePayment),
        NoticeStatus::Cancelled => Some(ReceiptOutcome::Cancelled),
        NoticeStatus::Expired => Some(ReceiptOutcome::Expired),
    }
}

/// Where a cart stands, from the cart and its notices: what its page shows and where
/// submitting it sends the payer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CartState {
    /// The payer may pay or cancel.
    Payable,
    /// Notice `.0` of the cart is paid: in this cart, in another one or at a counter.
    NoticePaid(usize),
    /// Notice `.0` was cancelled: by the family, or its online attempt ended.
    NoticeCancelled(usize),
    /// Notice `.0` expired.
    NoticeExpired(usize),
    /// Notice `.0` is no longer known to the ente.
    NoticeUnknown(usize),
    /// The payer cancelled this cart; its notices can still be paid.
    CartCancelled,
    /// The cart timed out; its notices can still be paid.
    CartExpired,
}

fn cart_state(
    cart: &sim_cart::Model,
    notices: &[Option<payment_notice::Model>],
    now: OffsetDateTime,
) -> CartState {
    for (i, notice) in notices.iter().enumerate() {
        match notice.as_ref().map(|n| verify(n, now)) {
            None => return CartState::NoticeUnknown(i),
            Some(None) => {}
            Some(Some(ReceiptOutcome::DuplicatePayment)) => return CartState::NoticePaid(i),
            Some(Some(ReceiptOutcome::Cancelled)) => return CartState::NoticeCancelled(i),
            Some(Some(_)) => return CartState::NoticeExpired(i),
        }
    }
    match cart.status {
        CheckoutStatus::Cancelled => CartState::CartCancelled,
        CheckoutStatus::Open if cart.expires_at > now => CartState::Payable,
        CheckoutStatus::Open | CheckoutStatus::Paid => CartState::CartExpired,
    }
}

impl CartState {
    /// Where the payer goes back to when the cart is submitted in this state: success
    /// only for the cart that paid.
    fn return_url(self, cart: &sim_cart::Model, urls: &ReturnUrls) -> String {
        match self {
            CartState::NoticePaid(_) if cart.status == CheckoutStatus::Paid => {
                urls.return_ok_url.clone()
            }
            CartState::CartCancelled => urls.return_cancel_url.clone(),
            _ => urls.return_error_url.clone(),
        }
    }
}

/// The page of a cart that can no longer be paid: what happened, that nothing was
/// charged now, and where to go (the receipts for a paid notice).
fn closed_cart_page(
    state: CartState,
    cart: &CartRequest,
    notices: &[(ente::Model, payment_notice::Model)],
    now: OffsetDateTime,
) -> HttpResponse {
    let back = format!(
        r#"<p><a id="torna" href="{}">Torna al portale</a></p>"#,
        escape(&cart.return_urls.return_error_url)
    );
    let which = |i: usize| match cart.payment_notices.len() {
        1 => "Questo avviso".to_string(),
        _ => format!(
            "L'avviso {}",
            NoticeNumber::parse(&cart.payment_notices[i].notice_number)
                .map(|n| n.formatted())
                .unwrap_or_else(|_| cart.payment_notices[i].notice_number.clone())
        ),
    };
    let (title, message, link) = match state {
        CartState::NoticePaid(i) => {
            let paid_at = notices
                .get(i)
                .and_then(|(_, n)| n.paid_at)
                .map(|at| format!(" il {}", date(rome::today(at))))
                .unwrap_or_default();
            let slug = notices.get(i).map(|(ente, _)| ente.slug.as_str()).unwrap_or_default();
            (
                "Avviso già pagato",
                format!(
                    "{} risulta già pagato{paid_at}: non è stato addebitato nulla di nuovo.",
                    which(i)
                ),
                format!(
                    r#"<p><a id="ricevuta" href="{}">Vedi la ricevuta</a></p>"#,
                    escape(&spa::receipts(slug))
                ),
            )
        }
        CartState::NoticeCancelled(i) => (
            "Avviso annullato",
            format!(
                "{} è stato annullato e non può più essere pagato: non è stato addebitato nulla.",
                which(i)
            ),
            back,
        ),
        CartState::NoticeExpired(i) => (
            "Avviso scaduto",
            format!(
                "{} è scaduto e non può più essere pagato: non è stato addebitato nulla.",
                which(i)
            ),
            back,
        ),
        CartState::NoticeUnknown(i) => (
            "Avviso non trovato",
            format!(
                "{} non risulta all'ente creditore: non è stato addebitato nulla.",
                which(i)
            ),
            back,
        ),
        CartState::CartCancelled => (
            "Pagamento annullato",
            "Hai annullato questo pagamento: non è stato addebitato nulla. Gli avvisi sono ancora da pagare: torna al portale per pagarli.".to_string(),
            back,
        ),
        CartState::Payable | CartState::CartExpired => (
            "Sessione di pagamento scaduta",
            "Questa pagina di pagamento non è più valida: non è stato addebitato nulla. Gli avvisi sono ancora da pagare: torna al portale e riprova.".to_string(),
            back,
        ),
    };
    let class = if matches!(state, CartState::NoticePaid(_)) {
        "ok"
    } else {
        "errore"
    };
    html_page(
        title,
        &format!(
            r#"<p class="{class}" role="status" id="stato">{message}</p>{}{link}"#,
            cart_facts(notices, now)
        ),
    )
}

/// A cart by its secret token, with its request and its notices as the portal has them
/// now (`None` for one no longer known).
async fn open_cart(
    db: &DatabaseConnection,
    token: &str,
) -> ApiResult<(
    sim_cart::Model,
    CartRequest,
    Vec<Option<(ente::Model, payment_notice::Model)>>,
)> {
    let cart = sim_cart::Entity::find()
        .filter(sim_cart::Column::Token.eq(token))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)?;
    let request: CartRequest = serde_json::from_str(&cart.cart).map_err(ApiError::internal)?;
    let notices = cart_notices(db, &request).await?;
    Ok((cart, request, notices))
}

/// Where the cart stands, and its notices that are still known.
fn standing(
    cart: &sim_cart::Model,
    notices: Vec<Option<(ente::Model, payment_notice::Model)>>,
    now: OffsetDateTime,
) -> (CartState, Vec<(ente::Model, payment_notice::Model)>) {
    let models: Vec<Option<payment_notice::Model>> = notices
        .iter()
        .map(|pair| pair.as_ref().map(|(_, n)| n.clone()))
        .collect();
    (
        cart_state(cart, &models, now),
        notices.into_iter().flatten().collect(),
    )
}

#[get("/checkout/c/{token}")]
async fn cart_page(
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let (cart, request, notices) = open_cart(&state.db, &token).await?;
    let now = state.now();
    let (standing, notices) = standing(&cart, notices, now);
    if standing != CartState::Payable {
        return Ok(closed_cart_page(standing, &request, &notices, now));
    }
    let methods: String = PaymentMethod::CHECKOUT
        .iter()
        .enumerate()
        .map(|(i, method)| {
            format!(
                r#"<label><input type="radio" name="method" value="{id}" id="metodo-{id}"{checked}> {label}</label>"#,
                id = method.code(),
                label = method.label(),
                checked = if i == 0 { " checked" } else { "" }
            )
        })
        .collect();
    Ok(html_page(
        "Pagamento con pagoPA",
        &format!(
            r#"{}<form method="post"><fieldset><legend>Scegli come pagare</legend>{methods}</fieldset>
<button type="submit" name="decision" value="pay" id="paga">Paga {}</button>
<button type="submit" name="decision" value="cancel" class="secondario" id="annulla">Annulla</button></form>"#,
            cart_facts(&notices, now),
            euro_cents(total_cents(&notices))
        ),
    ))
}

#[derive(Debug, Deserialize)]
struct CheckoutForm {
    decision: String,
    method: Option<String>,
}

/// Pays `notice` now with `method` and delivers its receipt to the portal the way the
/// pagoPA node would: a `paSendRTV2` envelope posted to the station's endpoint with the
/// node's credentials, its answer read back. Every payment the simulator takes goes
/// through here.
async fn pay_and_deliver(
    state: &AppState,
    ente: &ente::Model,
    notice: &payment_notice::Model,
    method: PaymentMethod,
    now: OffsetDateTime,
) -> ApiResult<ReceiptOutcome> {
    let station = state
        .config
        .pagopa_station
        .as_ref()
        .ok_or_else(|| ApiError::internal("the simulator needs a pagoPA station"))?;
    let position =
        notices::debt_position(ente, notice, &notices::guardian(&state.db, notice).await?);
    let receipt: Receipt = SimulatorGateway::new()
        .simulate_payment(
            &ente.fiscal_code,
            &notice.notice_number,
            notice.amount_cents,
            method,
            Some(position.payer.clone()),
            now,
        )
        .map_err(ApiError::internal)?;
    let envelope = node::send_rt_v2_request(
        &StationAddress {
            id_pa: ente.fiscal_code.to_string(),
            id_broker_pa: station.broker_id.clone(),
            id_station: station.station_id.clone(),
        },
        &position,
        &receipt,
        &PspChannel {
            psp_id: SIMULATED_PSP_ID.into(),
            channel_id: format!("{SIMULATED_PSP_ID}_01"),
            channel_description: "Simulatore pagoPA".into(),
        },
    );
    let answer = reqwest::Client::new()
        .post(format!(
            "{}{}",
            state.public_url,
            paths::absolute(&paths::pagopa_station())
        ))
        .header("SOAPAction", Primitive::SendRtV2.soap_action())
        .header(station.subject_header.as_str(), station.subject.as_str())
        .header("Content-Type", node::SOAP_CONTENT_TYPE)
        .timeout(std::time::Duration::from_secs(30))
        .body(envelope)
        .send()
        .await
        .map_err(ApiError::internal)?;
    let status = answer.status();
    let body = answer.bytes().await.map_err(ApiError::internal)?;
    match node::read_response(&body) {
        Ok(None) => Ok(ReceiptOutcome::Accepted),
        Ok(Some(fault)) => fault.code.outcome().ok_or_else(|| {
            ApiError::internal(format!(
                "the station refused the simulator's receipt: {} {}",
                fault.code, fault.description
            ))
        }),
        Err(why) => Err(ApiError::internal(format!(
            "the station answered HTTP {status} with no paSendRTV2Response: {why}"
        ))),
    }
}

#[post("/checkout/c/{token}")]
async fn cart_submit(
    state: web::Data<AppState>,
    token: web::Path<String>,
    form: web::Form<CheckoutForm>,
) -> ApiResult<HttpResponse> {
    let (cart, request, notices) = open_cart(&state.db, &token).await?;
    let now = state.now();
    let (standing, notices) = standing(&cart, notices, now);
    let back = match standing {
        CartState::Payable => submit(&state, &cart, &request, &notices, &form, now).await?,
        closed => closed.return_url(&cart, &request.return_urls),
    };
    Ok(HttpResponse::SeeOther()
        .insert_header(("Location", back))
        .finish())
}

/// Pays or cancels a payable cart; only one submission of a cart counts, and every
/// notice was verified before any money is taken. Returns where the payer goes back to.
async fn submit(
    state: &AppState,
    cart: &sim_cart::Model,
    request: &CartRequest,
    notices: &[(ente::Model, payment_notice::Model)],
    form: &CheckoutForm,
    now: OffsetDateTime,
) -> ApiResult<String> {
    let pay = form.decision == "pay";
    let claimed = sim_cart::Entity::update_many()
        .col_expr(
            sim_cart::Column::Status,
            Expr::value(if pay {
                CheckoutStatus::Paid
            } else {
                CheckoutStatus::Cancelled
            }),
        )
        .filter(sim_cart::Column::Id.eq(cart.id))
        .filter(sim_cart::Column::Status.eq(CheckoutStatus::Open))
        .filter(sim_cart::Column::ExpiresAt.gt(now))
        .exec(&state.db)
        .await?;
    if claimed.rows_affected != 1 {
        // Another submission (or a cancellation) came first: go where it went.
        let (cart, request, notices) = open_cart(&state.db, &cart.token).await?;
        let (standing, _) = standing(&cart, notices, now);
        return Ok(standing.return_url(&cart, &request.return_urls));
    }
    if !pay {
        return Ok(request.return_urls.return_cancel_url.clone());
    }
    let method = PaymentMethod::CHECKOUT
        .into_iter()
        .find(|m| Some(m.code()) == form.method.as_deref())
        .unwrap_or(PaymentMethod::Card);
    let mut all_accepted = true;
    for (ente, notice) in notices {
        let outcome = pay_and_deliver(state, ente, notice, method.clone(), now).await?;
        all_accepted &= matches!(
            outcome,
            ReceiptOutcome::Accepted | ReceiptOutcome::AlreadyProcessed
        );
    }
    Ok(if all_accepted {
        request.return_urls.return_ok_url.clone()
    } else {
        request.return_urls.return_error_url.clone()
    })
}

fn counter_form(message: &str, ente_code: &str, number: &str) -> String {
    format!(
        r#"{message}<form method="post">
<label for="ente">Codice fiscale dell'ente creditore</label>
<input type="text" id="ente" name="ente_fiscal_code" inputmode="numeric" value="{}" required>
<label for="numero">Numero avviso (18 cifre)</label>
<input type="text" id="numero" name="notice_number" inputmode="numeric" value="{}" required>
<button type="submit" name="step" value="lookup" id="cerca">Cerca avviso</button></form>"#,
        escape(ente_code),
        escape(number)
    )
}

#[get("/sportello")]
async fn counter_page() -> HttpResponse {
    html_page(
        "Sportello pagoPA (tabaccheria, ufficio postale, banca)",
        &counter_form(
            "<p>Inserisci i dati riportati sull'avviso di pagamento.</p>",
            "",
            "",
        ),
    )
}

#[derive(Debug, Deserialize)]
struct CounterForm {
    ente_fiscal_code: String,
    notice_number: String,
    step: String,
}

#[post("/sportello")]
async fn counter_submit(
    state: web::Data<AppState>,
    form: web::Form<CounterForm>,
) -> ApiResult<HttpResponse> {
    let title = "Sportello pagoPA (tabaccheria, ufficio postale, banca)";
    let number = match NoticeNumber::parse(&form.notice_number) {
        Ok(n) => n,
        Err(e) => {
            return Ok(html_page(
                title,
                &counter_form(
                    &format!(
                        "<p class=\"errore\" role=\"alert\">{}</p>",
                        escape(&e.to_string())
                    ),
                    &form.ente_fiscal_code,
                    &form.notice_number,
                ),
            ))
        }
    };
    let Some((ente, notice)) = find_notice(&state.db, &form.ente_fiscal_code, &number).await?
    else {
        return Ok(html_page(
            title,
            &counter_form(
                "<p class=\"errore\" role=\"alert\">Avviso di pagamento non trovato: controlla il codice fiscale dell'ente e il numero avviso.</p>",
                &form.ente_fiscal_code,
                &form.notice_number,
            ),
        ));
    };
    let now = state.now();
    // A notice of an online attempt that ended is withdrawn before any counter sees it.
    let notice = match state.gateway.as_deref() {
        Some(gateway)
            if notices::cancel_abandoned(&state.db, gateway, now, Some(notice.id)).await? > 0 =>
        {
            payment_notice::Entity::find_by_id(notice.id)
                .one(&state.db)
                .await?
                .ok_or(ApiError::NotFound)?
        }
        _ => notice,
    };
    let outcome = match verify(&notice, now) {
        Some(refused) => refused,
        None if form.step != "pay" => {
            return Ok(html_page(
                title,
                &format!(
                    r#"{}<form method="post"><input type="hidden" name="ente_fiscal_code" value="{}"><input type="hidden" name="notice_number" value="{}">
<button type="submit" name="step" value="pay" id="conferma">Incassa {}</button></form>"#,
                    notice_facts(&ente, &notice, "", now),
                    escape(ente.fiscal_code.as_str()),
                    notice.notice_number,
                    euro_cents(notice.amount_cents)
                ),
            ));
        }
        None => pay_and_deliver(&state, &ente, &notice, PaymentMethod::Counter, now).await?,
    };
    let message = match outcome.refusal() {
        None => format!(
            "<p class=\"ok\" role=\"status\" id=\"esito\">Pagamento eseguito: {} incassati per l'avviso {}.</p>",
            euro_cents(notice.amount_cents),
            notice.notice_number
        ),
        Some(reason) => format!(
            "<p class=\"errore\" role=\"alert\" id=\"esito\">Pagamento rifiutato, nulla è stato incassato: {reason}</p>"
        ),
    };
    Ok(html_page(
        title,
        &format!("{message}{}", counter_form("", "", "")),
    ))
}
