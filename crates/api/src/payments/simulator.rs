//! The built-in pagoPA simulator, the embedded default in development and tests: a
//! checkout where the payer picks a method and confirms or cancels, and a "counter"
//! (tobacconist, post office) that pays an open notice by its number. Like pagoPA, both
//! first verify that the notice can be paid (not paid, cancelled or expired: pagoPA's
//! PAA_PAGAMENTO_DUPLICATO, _ANNULLATO, _SCADUTO) and take no money when it cannot; a
//! payment then delivers its receipt to the comune's station over SOAP, exactly as
//! pagoPA's node does in production.

use actix_web::{get, post, web, HttpResponse};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter,
};
use serde::Deserialize;
use sportello_model::auth::return_path;
use sportello_model::format::{date, euro_cents};
use sportello_model::payments::{CheckoutStatus, NoticeStatus, ReceiptOutcome};
use sportello_model::{paths, rome, spa};
use sportello_pagopa::node::{self, Primitive, PspChannel, StationAddress};
use sportello_pagopa::{EnteFiscalCode, NoticeNumber, PaymentMethod, Receipt, SimulatorGateway};
use time::OffsetDateTime;

use super::entity::{checkout_session, payment_notice};
use super::notices;
use crate::accounts::secrets::random_token;
use crate::db::TenantScoped;
use crate::entes::entity::ente;
use crate::entes::service::by_id as ente_by_id;
use crate::error::{ApiError, ApiResult};
use crate::http::escape_html as escape;
use crate::startup::AppState;

const CHECKOUT_TTL: time::Duration = time::Duration::minutes(30);

/// `idPSP` on the simulator's receipts.
const SIMULATED_PSP_ID: &str = "SIMULATOREPSP";

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(checkout_page)
        .service(checkout_submit)
        .service(counter_page)
        .service(counter_submit);
}

/// Opens a checkout session for `notice`; returns the page to send the browser to.
pub async fn open_checkout(
    db: &DatabaseConnection,
    notice: &payment_notice::Model,
    return_to: &str,
    public_url: &str,
    enabled: bool,
    now: OffsetDateTime,
) -> ApiResult<String> {
    if !enabled {
        return Err(ApiError::Conflict(
            "Il pagamento online non è disponibile: paga l'avviso presso uno sportello pagoPA (banca, ufficio postale, tabaccheria).".into(),
        ));
    }
    let token = random_token();
    checkout_session::ActiveModel {
        ente_id: Set(notice.ente_id),
        token: Set(token.clone()),
        notice_id: Set(notice.id),
        return_to: Set(return_to.into()),
        status: Set(CheckoutStatus::Open),
        created_at: Set(now),
        expires_at: Set(now + CHECKOUT_TTL),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(format!("{public_url}/pagopa-sim/checkout/{token}"))
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
.secondario{{background:#5c6f82}}.errore{{color:#a61d1d;font-weight:600}}.ok{{color:#00663d;font-weight:600}}</style></head>
<body><main><h1>{title}</h1>
<p class="nota">Simulatore pagoPA integrato in Sportello: nessun addebito reale.</p>
{body}</main></body></html>"#
        ))
}

fn notice_facts(ente: &ente::Model, notice: &payment_notice::Model) -> String {
    format!(
        "<dl><dt>Ente creditore</dt><dd>{}</dd><dt>Causale</dt><dd>{}</dd><dt>Numero avviso</dt><dd id=\"numero-avviso\">{}</dd><dt>Importo</dt><dd id=\"importo\">{}</dd><dt>Scadenza</dt><dd id=\"scadenza\">{}</dd></dl>",
        escape(&ente.name),
        escape(&notice.description),
        notice.notice_number.formatted(),
        euro_cents(notice.amount_cents),
        notices::deadline(notice).text()
    )
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

/// Where a checkout session stands, from the session and its notice: what its page shows
/// and what submitting it tells the portal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CheckoutState {
    /// The payer may pay or cancel.
    Payable,
    /// The notice is paid: in this session, in another one or at a counter.
    NoticePaid,
    /// The notice was cancelled: by the family, or its online attempt ended.
    NoticeCancelled,
    /// The notice expired.
    NoticeExpired,
    /// The payer cancelled this session; the notice can still be paid.
    SessionCancelled,
    /// The session timed out; the notice can still be paid.
    SessionExpired,
}

fn checkout_state(
    session: &checkout_session::Model,
    notice: &payment_notice::Model,
    now: OffsetDateTime,
) -> CheckoutState {
    match verify(notice, now) {
        Some(ReceiptOutcome::DuplicatePayment) => CheckoutState::NoticePaid,
        Some(ReceiptOutcome::Cancelled) => CheckoutState::NoticeCancelled,
        Some(_) => CheckoutState::NoticeExpired,
        None => match session.status {
            CheckoutStatus::Cancelled => CheckoutState::SessionCancelled,
            CheckoutStatus::Open if session.expires_at > now => CheckoutState::Payable,
            CheckoutStatus::Open | CheckoutStatus::Paid => CheckoutState::SessionExpired,
        },
    }
}

impl CheckoutState {
    /// The `esito` the portal reads when the browser comes back.
    fn outcome(self) -> &'static str {
        match self {
            CheckoutState::NoticePaid => "gia_pagato",
            CheckoutState::NoticeCancelled => "avviso_annullato",
            CheckoutState::NoticeExpired => "avviso_scaduto",
            CheckoutState::SessionCancelled => "annullato",
            CheckoutState::Payable | CheckoutState::SessionExpired => "scaduto",
        }
    }
}

/// The page of a checkout that can no longer be paid: what happened, that nothing was
/// charged now, and where to go (the receipt for a paid notice).
fn closed_checkout_page(
    state: CheckoutState,
    ente: &ente::Model,
    notice: &payment_notice::Model,
    return_to: &str,
) -> HttpResponse {
    let back = format!(
        r#"<p><a id="torna" href="{}">Torna al portale</a></p>"#,
        escape(return_to)
    );
    let (title, message, link) = match state {
        CheckoutState::NoticePaid => (
            "Avviso già pagato",
            format!(
                "Questo avviso risulta già pagato{}: non è stato addebitato nulla di nuovo.",
                notice
                    .paid_at
                    .map(|at| format!(" il {}", date(rome::today(at))))
                    .unwrap_or_default()
            ),
            format!(
                r#"<p><a id="ricevuta" href="{}">Vedi la ricevuta</a></p>"#,
                escape(&spa::receipts(&ente.slug))
            ),
        ),
        CheckoutState::NoticeCancelled => (
            "Avviso annullato",
            "Questo avviso è stato annullato e non può più essere pagato: non è stato addebitato nulla.".to_string(),
            back,
        ),
        CheckoutState::NoticeExpired => (
            "Avviso scaduto",
            "Questo avviso è scaduto e non può più essere pagato: non è stato addebitato nulla.".to_string(),
            back,
        ),
        CheckoutState::SessionCancelled => (
            "Pagamento annullato",
            "Hai annullato questo pagamento: non è stato addebitato nulla. L'avviso è ancora da pagare: torna al portale per pagarlo.".to_string(),
            back,
        ),
        CheckoutState::Payable | CheckoutState::SessionExpired => (
            "Sessione di pagamento scaduta",
            "Questa pagina di pagamento non è più valida: non è stato addebitato nulla. L'avviso è ancora da pagare: torna al portale e riprova.".to_string(),
            back,
        ),
    };
    let class = if state == CheckoutState::NoticePaid {
        "ok"
    } else {
        "errore"
    };
    html_page(
        title,
        &format!(
            r#"<p class="{class}" role="status" id="stato">{message}</p>{}{link}"#,
            notice_facts(ente, notice)
        ),
    )
}

async fn open_session(
    db: &DatabaseConnection,
    token: &str,
) -> ApiResult<(checkout_session::Model, payment_notice::Model)> {
    let session = checkout_session::Entity::find()
        .filter(checkout_session::Column::Token.eq(token))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)?;
    let notice = payment_notice::Entity::find_by_id(session.notice_id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok((session, notice))
}

#[get("/checkout/{token}")]
async fn checkout_page(
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let (session, notice) = open_session(&state.db, &token).await?;
    let ente = ente_by_id(&state.db, notice.ente_id).await?;
    let checkout = checkout_state(&session, &notice, state.now());
    if checkout != CheckoutState::Payable {
        let return_to = return_path(Some(&session.return_to), &ente.slug);
        return Ok(closed_checkout_page(checkout, &ente, &notice, &return_to));
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
            notice_facts(&ente, &notice),
            euro_cents(notice.amount_cents)
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

#[post("/checkout/{token}")]
async fn checkout_submit(
    state: web::Data<AppState>,
    token: web::Path<String>,
    form: web::Form<CheckoutForm>,
) -> ApiResult<HttpResponse> {
    let (session, notice) = open_session(&state.db, &token).await?;
    let ente = ente_by_id(&state.db, notice.ente_id).await?;
    let now = state.now();
    let return_to = return_path(Some(&session.return_to), &ente.slug);
    let separator = if return_to.contains('?') { '&' } else { '?' };
    let outcome = match checkout_state(&session, &notice, now) {
        CheckoutState::Payable => submit(&state, &session, &notice, &ente, &form, now).await?,
        closed => closed.outcome(),
    };
    Ok(HttpResponse::SeeOther()
        .insert_header((
            "Location",
            format!("{return_to}{separator}esito={outcome}&avviso={}", notice.id),
        ))
        .finish())
}

/// Pays or cancels a payable session; only one submission of a session counts. Returns
/// the `esito` for the portal.
async fn submit(
    state: &AppState,
    session: &checkout_session::Model,
    notice: &payment_notice::Model,
    ente: &ente::Model,
    form: &CheckoutForm,
    now: OffsetDateTime,
) -> ApiResult<&'static str> {
    let pay = form.decision == "pay";
    let claimed = checkout_session::Entity::update_many()
        .col_expr(
            checkout_session::Column::Status,
            Expr::value(if pay {
                CheckoutStatus::Paid
            } else {
                CheckoutStatus::Cancelled
            }),
        )
        .filter(checkout_session::Column::Id.eq(session.id))
        .filter(checkout_session::Column::Status.eq(CheckoutStatus::Open))
        .filter(checkout_session::Column::ExpiresAt.gt(now))
        .exec(&state.db)
        .await?;
    if claimed.rows_affected != 1 {
        // Another submission (or a cancellation) came first: say what it did.
        let (session, notice) = open_session(&state.db, &session.token).await?;
        return Ok(checkout_state(&session, &notice, now).outcome());
    }
    if !pay {
        // A notice made only for this attempt goes with it.
        if let Some(gateway) = state.gateway.as_deref() {
            notices::cancel_abandoned(&state.db, gateway, now, Some(notice.id)).await?;
        }
        return Ok("annullato");
    }
    let method = PaymentMethod::CHECKOUT
        .into_iter()
        .find(|m| Some(m.code()) == form.method.as_deref())
        .unwrap_or(PaymentMethod::Card);
    Ok(
        match pay_and_deliver(state, ente, notice, method, now).await? {
            ReceiptOutcome::Accepted | ReceiptOutcome::AlreadyProcessed => "ok",
            ReceiptOutcome::DuplicatePayment => CheckoutState::NoticePaid.outcome(),
            ReceiptOutcome::Cancelled => CheckoutState::NoticeCancelled.outcome(),
            ReceiptOutcome::Expired => CheckoutState::NoticeExpired.outcome(),
            ReceiptOutcome::Processing
            | ReceiptOutcome::AmountMismatch
            | ReceiptOutcome::UnknownNotice => "rifiutato",
        },
    )
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
    let ente = match EnteFiscalCode::parse(&form.ente_fiscal_code) {
        Ok(code) => {
            ente::Entity::find()
                .filter(ente::Column::FiscalCode.eq(code))
                .one(&state.db)
                .await?
        }
        Err(_) => None,
    };
    let found = match ente {
        Some(ente) => payment_notice::Entity::find_in_ente(ente.ente_id())
            .filter(payment_notice::Column::NoticeNumber.eq(number.clone()))
            .one(&state.db)
            .await?
            .map(|n| (ente, n)),
        None => None,
    };
    let Some((ente, notice)) = found else {
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
                    notice_facts(&ente, &notice),
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
