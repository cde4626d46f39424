//! The one way the SPA talks to the server: typed calls to `/api/v1`.
//!
//! The access token lives in memory only, never in browser storage. The refresh token is
//! the HttpOnly cookie the server sets at login (and after a SPID/CIE login), so when the
//! SPA starts without an access token it asks `/auth/refresh` for one. A call answered
//! 401 refreshes once and retries; when the refresh fails too, the session is marked
//! expired and the protected page sends the user to the login page.

use std::cell::RefCell;

use futures::future::{FutureExt, LocalBoxFuture, Shared};
use gloo_net::http::{Method, RequestBuilder, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;
use sportello_model::auth::{
    LoginRequest, PasswordResetConfirm, PasswordResetRequest, RefreshRequest, TokenResponse,
};
use sportello_model::bookings::{
    AttendanceMark, AttendanceRow, BookingChange, BookingRange, BookingResult, CalendarSettings,
    ChargeReport, ChargeRequest, ClosureAdded, KitchenCount, MonthCalendar, NewClosure,
    ServiceCalendar,
};
use sportello_model::children::{ChildDetail, ChildSummary};
use sportello_model::content::{DocumentItem, NewsItem};
use sportello_model::entes::{EnteDetail, EnteSummary};
use sportello_model::paths::{self, BASE};
use sportello_model::payments::{
    AccountCorrection, CheckoutStarted, EmissionDetail, EmissionSummary, Movement, Notice,
    PaymentService, ReceiptSummary, RechargeRequest, Statement,
};
use sportello_model::{Page, Problem};
use time::{Date, Month};

use crate::session::Session;

const JSON: &str = "application/json, application/problem+json";
const PDF: &str = "application/pdf, application/problem+json";
const CSV: &str = "text/csv, application/problem+json";

/// Every failure is a problem document with an Italian `detail`: the server's own, or
/// one made here when the server could not be reached or answered something unreadable.
pub type ApiResult<T> = Result<T, Problem>;

/// Status used for problems that never reached the server.
const NO_RESPONSE: u16 = 0;

fn local_problem(status: u16, title: &str, detail: String) -> Problem {
    Problem {
        kind: "about:blank".into(),
        title: title.into(),
        status,
        detail,
        errors: Vec::new(),
    }
}

fn network_problem() -> Problem {
    local_problem(
        NO_RESPONSE,
        "Connessione non riuscita",
        "Impossibile contattare il server. Verifica la connessione a Internet e riprova.".into(),
    )
}

fn unreadable_problem(status: u16) -> Problem {
    local_problem(
        status,
        "Risposta non valida",
        format!(
            "Il server ha risposto in modo inatteso (codice {status}). Riprova tra qualche istante."
        ),
    )
}

/// For addresses that cannot name a record, such as `/demo/notizie/abc`.
pub fn not_found() -> Problem {
    local_problem(
        404,
        "Pagina non trovata",
        "La pagina richiesta non esiste o non è più disponibile.".into(),
    )
}

/// Whether trying the same request again may succeed.
pub fn is_transient(problem: &Problem) -> bool {
    matches!(problem.status, NO_RESPONSE | 408 | 429) || problem.status >= 500
}

thread_local! {
    static ACCESS_TOKEN: RefCell<Option<String>> = const { RefCell::new(None) };
    static REFRESHING: RefCell<Option<Shared<LocalBoxFuture<'static, ApiResult<TokenResponse>>>>> =
        const { RefCell::new(None) };
}

pub(crate) fn set_access_token(token: Option<String>) {
    ACCESS_TOKEN.with(|slot| *slot.borrow_mut() = token);
}

fn access_token() -> Option<String> {
    ACCESS_TOKEN.with(|slot| slot.borrow().clone())
}

/// A fresh identifier for a request the server must carry out only once: sent again on a
/// retry, it lets the server recognise the repetition. The time in milliseconds and 80
/// random bits, in hexadecimal (32 characters).
pub fn new_request_id() -> String {
    let random = || (js_sys::Math::random() * f64::from(u32::MAX)) as u32;
    format!(
        "{:012x}{:08x}{:08x}{:04x}",
        js_sys::Date::now() as u64,
        random(),
        random(),
        random() & 0xffff
    )
}

/// Encodes a value for one path segment or query parameter of an address.
pub fn url_encode(value: &str) -> String {
    String::from(js_sys::encode_uri_component(value))
}

/// The parts of one request to `/api/v1`.
struct Call<'a, B> {
    method: Method,
    path: &'a str,
    query: &'a [(&'a str, String)],
    body: Option<&'a B>,
    accept: &'static str,
}

impl<'a> Call<'a, ()> {
    fn get(path: &'a str, query: &'a [(&'a str, String)]) -> Self {
        Call {
            method: Method::GET,
            path,
            query,
            body: None,
            accept: JSON,
        }
    }
}

impl<'a, B: Serialize> Call<'a, B> {
    /// A call that may change something (`POST`, `PUT`, `DELETE`), with its JSON body.
    fn write(method: Method, path: &'a str, body: Option<&'a B>) -> Self {
        Call {
            method,
            path,
            query: &[],
            body,
            accept: JSON,
        }
    }
}

async fn send<B: Serialize>(call: &Call<'_, B>, token: Option<&str>) -> ApiResult<Response> {
    let Call {
        method,
        path,
        query,
        body,
        accept,
    } = call;
    let mut builder = RequestBuilder::new(&format!("{BASE}{path}"))
        .method(method.clone())
        .header("Accept", accept);
    if !query.is_empty() {
        builder = builder.query(query.iter().map(|(k, v)| (*k, v.as_str())));
    }
    if let Some(token) = token {
        builder = builder.header("Authorization", &format!("Bearer {token}"));
    }
    let request = match body {
        Some(body) => builder.json(body),
        None => builder.build(),
    }
    .map_err(|_| unreadable_problem(NO_RESPONSE))?;
    let response = request.send().await.map_err(|_| network_problem())?;
    if response.ok() {
        return Ok(response);
    }
    let status = response.status();
    Err(match response.json::<Problem>().await {
        Ok(problem) => problem,
        Err(_) => unreadable_problem(status),
    })
}

async fn decode<T: DeserializeOwned>(response: Response) -> ApiResult<T> {
    let status = response.status();
    response
        .json::<T>()
        .await
        .map_err(|_| unreadable_problem(status))
}

async fn get<T: DeserializeOwned>(path: &str, query: &[(&str, String)]) -> ApiResult<T> {
    decode(send(&Call::get(path, query), None).await?).await
}

async fn post<B: Serialize>(path: &str, body: &B, token: Option<&str>) -> ApiResult<Response> {
    send(&Call::write(Method::POST, path, Some(body)), token).await
}

fn page_query(page: u64, per_page: u64) -> [(&'static str, String); 2] {
    [
        ("page", page.to_string()),
        ("per_page", per_page.to_string()),
    ]
}

/// New tokens from the refresh cookie. Concurrent callers share one request: the server
/// rotates the refresh token, and presenting an already used one closes the session.
pub async fn refresh() -> ApiResult<TokenResponse> {
    let pending = REFRESHING.with(|slot| {
        slot.borrow_mut()
            .get_or_insert_with(|| {
                async {
                    let result =
                        match post(&paths::refresh(), &RefreshRequest::default(), None).await {
                            Ok(response) => decode::<TokenResponse>(response).await,
                            Err(problem) => Err(problem),
                        };
                    REFRESHING.with(|slot| slot.borrow_mut().take());
                    result
                }
                .boxed_local()
                .shared()
            })
            .clone()
    });
    pending.await
}

/// A fresh access token for `session`, or the problem after which the user must log in.
async fn renew(session: Session) -> ApiResult<String> {
    match refresh().await {
        Ok(tokens) => {
            let token = tokens.access_token.clone();
            session.signed_in(tokens);
            Ok(token)
        }
        Err(problem) => {
            if problem.status == 401 {
                session.signed_out();
            }
            Err(problem)
        }
    }
}

/// A call with the access token; on 401 refresh once and retry (the server refused the
/// request before doing anything, so a retried `POST` cannot act twice).
async fn send_authed<B: Serialize>(session: Session, call: &Call<'_, B>) -> ApiResult<Response> {
    let token = match access_token() {
        Some(token) => token,
        None => renew(session).await?,
    };
    match send(call, Some(&token)).await {
        Err(problem) if problem.status == 401 => {
            // Another call may have refreshed the token meanwhile.
            let retry_token = match access_token() {
                Some(current) if current != token => current,
                _ => renew(session).await?,
            };
            send(call, Some(&retry_token)).await
        }
        result => result,
    }
}

async fn get_authed<T: DeserializeOwned>(
    session: Session,
    path: &str,
    query: &[(&str, String)],
) -> ApiResult<T> {
    decode(send_authed(session, &Call::get(path, query)).await?).await
}

async fn write_authed<B: Serialize, T: DeserializeOwned>(
    session: Session,
    method: Method,
    path: &str,
    body: Option<&B>,
) -> ApiResult<T> {
    decode(send_authed(session, &Call::write(method, path, body)).await?).await
}

async fn post_authed<B: Serialize, T: DeserializeOwned>(
    session: Session,
    path: &str,
    body: Option<&B>,
) -> ApiResult<T> {
    write_authed(session, Method::POST, path, body).await
}

async fn put_authed<B: Serialize, T: DeserializeOwned>(
    session: Session,
    path: &str,
    body: &B,
) -> ApiResult<T> {
    write_authed(session, Method::PUT, path, Some(body)).await
}

pub async fn entes() -> ApiResult<Page<EnteSummary>> {
    get(&paths::entes(), &page_query(1, 100)).await
}

pub async fn ente(slug: &str) -> ApiResult<EnteDetail> {
    get(&paths::ente(url_encode(slug)), &[]).await
}

pub async fn news(slug: &str, page: u64, per_page: u64) -> ApiResult<Page<NewsItem>> {
    get(&paths::news(url_encode(slug)), &page_query(page, per_page)).await
}

pub async fn news_item(slug: &str, id: i64) -> ApiResult<NewsItem> {
    get(&paths::news_item(url_encode(slug), id), &[]).await
}

pub async fn documents(slug: &str, page: u64, per_page: u64) -> ApiResult<Page<DocumentItem>> {
    get(
        &paths::documents(url_encode(slug)),
        &page_query(page, per_page),
    )
    .await
}

pub async fn login(slug: &str, request: &LoginRequest) -> ApiResult<TokenResponse> {
    decode(post(&paths::login(url_encode(slug)), request, None).await?).await
}

/// Closes the session on the server (access token and refresh cookie).
pub async fn logout() -> ApiResult<()> {
    post(
        &paths::logout(),
        &RefreshRequest::default(),
        access_token().as_deref(),
    )
    .await
    .map(drop)
}

pub async fn request_password_reset(slug: &str, request: &PasswordResetRequest) -> ApiResult<()> {
    post(&paths::password_reset(url_encode(slug)), request, None)
        .await
        .map(drop)
}

pub async fn confirm_password_reset(request: &PasswordResetConfirm) -> ApiResult<()> {
    post(&paths::password_reset_confirm(), request, None)
        .await
        .map(drop)
}

pub async fn children(session: Session, page: u64, per_page: u64) -> ApiResult<Page<ChildSummary>> {
    get_authed(session, &paths::children(), &page_query(page, per_page)).await
}

pub async fn child(session: Session, id: i64) -> ApiResult<ChildDetail> {
    get_authed(session, &paths::child(id), &[]).await
}

/// Full-page address that starts a SPID or CIE login and comes back to `return_to`.
pub fn oidc_start_url(slug: &str, provider: &str, return_to: &str) -> String {
    format!(
        "{BASE}{}?redirect_to={}",
        paths::oidc_start(url_encode(slug), url_encode(provider)),
        url_encode(return_to)
    )
}

pub async fn payment_services(session: Session) -> ApiResult<Vec<PaymentService>> {
    get_authed(session, &paths::payment_services(), &[]).await
}

pub async fn statement(
    session: Session,
    service_id: i64,
    page: u64,
    per_page: u64,
) -> ApiResult<Statement> {
    get_authed(
        session,
        &paths::statement(service_id),
        &page_query(page, per_page),
    )
    .await
}

/// A family's statement of a prepaid service, for an operator.
pub async fn family_statement(
    session: Session,
    service_id: i64,
    guardian_id: i64,
    page: u64,
    per_page: u64,
) -> ApiResult<Statement> {
    get_authed(
        session,
        &paths::family_statement(service_id, guardian_id),
        &page_query(page, per_page),
    )
    .await
}

/// An operator's refund or adjustment of a family's account. Sent again with the same
/// `request_id`, it answers the movement the first try made instead of adding another.
pub async fn correct_account(
    session: Session,
    service_id: i64,
    guardian_id: i64,
    correction: &AccountCorrection,
) -> ApiResult<Movement> {
    post_authed(
        session,
        &paths::family_movements(service_id, guardian_id),
        Some(correction),
    )
    .await
}

/// Ricarica online: the notice and the pagoPA checkout page to send the browser to.
pub async fn recharge_online(
    session: Session,
    service_id: i64,
    request: &RechargeRequest,
) -> ApiResult<CheckoutStarted> {
    post_authed(session, &paths::recharges(service_id), Some(request)).await
}

/// Nuovo avviso di pagamento, to pay later online or at a pagoPA counter.
pub async fn create_notice(
    session: Session,
    service_id: i64,
    request: &RechargeRequest,
) -> ApiResult<Notice> {
    post_authed(session, &paths::service_notices(service_id), Some(request)).await
}

pub async fn notices(
    session: Session,
    service_id: i64,
    page: u64,
    per_page: u64,
) -> ApiResult<Page<Notice>> {
    get_authed(
        session,
        &paths::service_notices(service_id),
        &page_query(page, per_page),
    )
    .await
}

/// Paga avviso: the pagoPA checkout page for an open notice.
pub async fn pay_notice(session: Session, notice_id: i64) -> ApiResult<CheckoutStarted> {
    post_authed::<(), _>(session, &paths::notice_checkout(notice_id), None).await
}

/// Annulla avviso: withdraws an open recharge notice the family made.
pub async fn cancel_notice(session: Session, notice_id: i64) -> ApiResult<Notice> {
    post_authed::<(), _>(session, &paths::notice_cancel(notice_id), None).await
}

pub async fn emissions(
    session: Session,
    page: u64,
    per_page: u64,
) -> ApiResult<Page<EmissionSummary>> {
    get_authed(session, &paths::emissions(), &page_query(page, per_page)).await
}

pub async fn emission(session: Session, id: i64) -> ApiResult<EmissionDetail> {
    get_authed(session, &paths::emission(id), &[]).await
}

pub async fn receipts(
    session: Session,
    page: u64,
    per_page: u64,
) -> ApiResult<Page<ReceiptSummary>> {
    get_authed(session, &paths::receipts(), &page_query(page, per_page)).await
}

/// A file sent by the server, such as the PDF of a notice or of a receipt.
pub struct Download {
    pub file_name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// `avviso-301000000000000144.pdf` from `attachment; filename="avviso-301000000000000144.pdf"`.
fn attachment_name(disposition: &str) -> Option<String> {
    let (_, rest) = disposition.split_once("filename=")?;
    let name = rest.split(';').next()?.trim().trim_matches('"');
    (!name.is_empty() && !name.contains(['/', '\\'])).then(|| name.to_owned())
}

/// Fetches a PDF the API links to (`/api/v1/payments/notices/7/pdf`) with the access
/// token, which a plain link could not send. `fallback_name` names it when the server
/// does not.
pub async fn download_pdf(session: Session, url: &str, fallback_name: &str) -> ApiResult<Download> {
    let path = url
        .strip_prefix(BASE)
        .ok_or_else(|| unreadable_problem(NO_RESPONSE))?;
    let call = Call::<()> {
        accept: PDF,
        ..Call::get(path, &[])
    };
    download(session, &call, fallback_name, "application/pdf").await
}

/// A file the API sends for `call`, named by the server or else by `fallback_name`.
async fn download(
    session: Session,
    call: &Call<'_, ()>,
    fallback_name: &str,
    fallback_type: &str,
) -> ApiResult<Download> {
    let response = send_authed(session, call).await?;
    let status = response.status();
    let headers = response.headers();
    let file_name = headers
        .get("content-disposition")
        .and_then(|value| attachment_name(&value))
        .unwrap_or_else(|| fallback_name.to_owned());
    let content_type = headers
        .get("content-type")
        .unwrap_or_else(|| fallback_type.into());
    let bytes = response
        .binary()
        .await
        .map_err(|_| unreadable_problem(status))?;
    Ok(Download {
        file_name,
        content_type,
        bytes,
    })
}

/// `2026-11`, as the bookings API names a month.
pub fn month_key(year: i32, month: Month) -> String {
    format!("{year}-{:02}", u8::from(month))
}

/// A child's month of meal bookings for a prepaid service.
pub async fn month_calendar(
    session: Session,
    child_id: i64,
    service_id: i64,
    year: i32,
    month: Month,
) -> ApiResult<MonthCalendar> {
    get_authed(
        session,
        &paths::month(child_id, service_id, month_key(year, month)),
        &[],
    )
    .await
}

/// Changes the meal of one day; 409 with the reason when it can no longer be changed.
pub async fn change_day(
    session: Session,
    child_id: i64,
    day: Date,
    change: &BookingChange,
) -> ApiResult<BookingResult> {
    put_authed(session, &paths::booking_day(child_id, day), change).await
}

/// Changes every school day of a range at once (all or none).
pub async fn change_range(
    session: Session,
    child_id: i64,
    range: &BookingRange,
) -> ApiResult<BookingResult> {
    post_authed(session, &paths::booking_range(child_id), Some(range)).await
}

fn day_query(service_id: i64, day: Date) -> [(&'static str, String); 2] {
    [
        ("service_id", service_id.to_string()),
        ("day", day.to_string()),
    ]
}

/// The children expected at the canteen on `day`; 409 when it is not a school day.
pub async fn roster(session: Session, service_id: i64, day: Date) -> ApiResult<Vec<AttendanceRow>> {
    get_authed(session, &paths::roster(), &day_query(service_id, day)).await
}

/// Staff record whether a child eats today.
pub async fn mark_attendance(
    session: Session,
    child_id: i64,
    mark: &AttendanceMark,
) -> ApiResult<AttendanceRow> {
    put_authed(session, &paths::attendance(child_id), mark).await
}

/// Meals of the day for the kitchen, per school, class and meal type.
pub async fn kitchen_counts(
    session: Session,
    service_id: i64,
    day: Date,
) -> ApiResult<Vec<KitchenCount>> {
    get_authed(
        session,
        &paths::kitchen_counts(),
        &day_query(service_id, day),
    )
    .await
}

/// The same counts as a CSV file for the kitchen.
pub async fn kitchen_counts_csv(
    session: Session,
    service_id: i64,
    day: Date,
) -> ApiResult<Download> {
    let [service, day_param] = day_query(service_id, day);
    let query = [service, day_param, ("format", "csv".to_owned())];
    let path = paths::kitchen_counts();
    let call = Call::<()> {
        accept: CSV,
        ..Call::get(&path, &query)
    };
    download(session, &call, &format!("pasti-{day}.csv"), "text/csv").await
}

/// Charges the meals of a day that is over (operators); charging it again adds nothing.
pub async fn charge_day(session: Session, request: &ChargeRequest) -> ApiResult<ChargeReport> {
    post_authed(session, &paths::charges(), Some(request)).await
}

/// A service's canteen calendar: period, serving weekdays and closures (operators).
pub async fn service_calendar(session: Session, service_id: i64) -> ApiResult<ServiceCalendar> {
    get_authed(session, &paths::calendar(service_id), &[]).await
}

pub async fn set_service_calendar(
    session: Session,
    service_id: i64,
    settings: &CalendarSettings,
) -> ApiResult<ServiceCalendar> {
    put_authed(session, &paths::calendar(service_id), settings).await
}

/// Closes the canteen for a range of days; meals already charged for them are credited
/// back, and the answer says how many.
pub async fn add_closure(
    session: Session,
    service_id: i64,
    closure: &NewClosure,
) -> ApiResult<ClosureAdded> {
    post_authed(session, &paths::closures(service_id), Some(closure)).await
}

pub async fn remove_closure(
    session: Session,
    service_id: i64,
    closure_id: i64,
) -> ApiResult<ServiceCalendar> {
    write_authed::<(), _>(
        session,
        Method::DELETE,
        &paths::closure(service_id, closure_id),
        None,
    )
    .await
}
