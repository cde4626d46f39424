//! The client under every call: the access token, the request, the problem document of
//! a refusal, one refresh and retry on 401.
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
use sportello_model::auth::{RefreshRequest, TokenResponse};
use sportello_model::paths::{self, BASE};
use sportello_model::Problem;

use crate::session::Session;

const JSON: &str = "application/json, application/problem+json";

/// Every failure is a problem document with an Italian `detail`: the server's own, or
/// one made here when the server could not be reached or answered something unreadable.
pub type ApiResult<T> = Result<T, Problem>;

/// Status used for problems that never reached the server.
pub(super) const NO_RESPONSE: u16 = 0;

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

pub(super) fn unreadable_problem(status: u16) -> Problem {
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

pub(super) fn access_token() -> Option<String> {
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

/// A request body that is not JSON.
pub(super) enum Raw<'a> {
    /// A document, e.g. an XML file read as text.
    Text(&'a str),
    /// A file chosen by the user, sent as it is.
    File(&'a web_sys::Blob),
}

/// The parts of one request to `/api/v1`.
pub(super) struct Call<'a, B> {
    pub(super) method: Method,
    pub(super) path: &'a str,
    pub(super) query: &'a [(&'a str, String)],
    pub(super) body: Option<&'a B>,
    /// A body that is not JSON: its content type and content.
    pub(super) raw: Option<(&'static str, Raw<'a>)>,
    pub(super) accept: &'static str,
}

impl<'a> Call<'a, ()> {
    pub(super) fn get(path: &'a str, query: &'a [(&'a str, String)]) -> Self {
        Call {
            method: Method::GET,
            path,
            query,
            body: None,
            raw: None,
            accept: JSON,
        }
    }

    /// A `POST` (a new file) or `PUT` (a file replaced) of a file chosen by the user,
    /// with `query`.
    fn file(
        method: Method,
        path: &'a str,
        query: &'a [(&'a str, String)],
        file: &'a web_sys::Blob,
    ) -> Self {
        Call {
            method,
            path,
            query,
            body: None,
            raw: Some(("application/octet-stream", Raw::File(file))),
            accept: JSON,
        }
    }

    /// A `POST` of a document that is not JSON (an XML file), as `content_type`.
    fn post_text(path: &'a str, content_type: &'static str, text: &'a str) -> Self {
        Call {
            method: Method::POST,
            path,
            query: &[],
            body: None,
            raw: Some((content_type, Raw::Text(text))),
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
            raw: None,
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
        raw,
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
    let request = match (body, raw) {
        (Some(body), _) => builder.json(body),
        (None, Some((content_type, Raw::Text(text)))) => {
            builder.header("Content-Type", content_type).body(*text)
        }
        (None, Some((content_type, Raw::File(file)))) => builder
            .header("Content-Type", content_type)
            .body(wasm_bindgen::JsValue::from((*file).clone())),
        (None, None) => builder.build(),
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

pub(super) async fn decode<T: DeserializeOwned>(response: Response) -> ApiResult<T> {
    let status = response.status();
    response
        .json::<T>()
        .await
        .map_err(|_| unreadable_problem(status))
}

pub(super) async fn get<T: DeserializeOwned>(path: &str, query: &[(&str, String)]) -> ApiResult<T> {
    decode(send(&Call::get(path, query), None).await?).await
}

pub(super) async fn post<B: Serialize>(
    path: &str,
    body: &B,
    token: Option<&str>,
) -> ApiResult<Response> {
    send(&Call::write(Method::POST, path, Some(body)), token).await
}

fn page_query(page: u64, per_page: u64) -> [(&'static str, String); 2] {
    [
        ("page", page.to_string()),
        ("per_page", per_page.to_string()),
    ]
}

/// Page `page` (from 1) of a public list, `per_page` items long.
pub(super) async fn get_page<T: DeserializeOwned>(
    path: &str,
    page: u64,
    per_page: u64,
) -> ApiResult<T> {
    get(path, &page_query(page, per_page)).await
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
pub(super) async fn send_authed<B: Serialize>(
    session: Session,
    call: &Call<'_, B>,
) -> ApiResult<Response> {
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

pub(super) async fn get_authed<T: DeserializeOwned>(
    session: Session,
    path: &str,
    query: &[(&str, String)],
) -> ApiResult<T> {
    decode(send_authed(session, &Call::get(path, query)).await?).await
}

pub(super) async fn write_authed<B: Serialize, T: DeserializeOwned>(
    session: Session,
    method: Method,
    path: &str,
    body: Option<&B>,
) -> ApiResult<T> {
    decode(send_authed(session, &Call::write(method, path, body)).await?).await
}

pub(super) async fn post_authed<B: Serialize, T: DeserializeOwned>(
    session: Session,
    path: &str,
    body: Option<&B>,
) -> ApiResult<T> {
    write_authed(session, Method::POST, path, body).await
}

/// `POST` of a document that is not JSON, answered with JSON.
pub(super) async fn post_text_authed<T: DeserializeOwned>(
    session: Session,
    path: &str,
    content_type: &'static str,
    text: &str,
) -> ApiResult<T> {
    decode(send_authed(session, &Call::post_text(path, content_type, text)).await?).await
}

/// `POST` of a file chosen by the user, answered with JSON.
pub(super) async fn post_file_authed<T: DeserializeOwned>(
    session: Session,
    path: &str,
    query: &[(&str, String)],
    file: &web_sys::Blob,
) -> ApiResult<T> {
    decode(send_authed(session, &Call::file(Method::POST, path, query, file)).await?).await
}

pub(super) async fn put_file_authed<T: DeserializeOwned>(
    session: Session,
    path: &str,
    query: &[(&str, String)],
    file: &web_sys::Blob,
) -> ApiResult<T> {
    decode(send_authed(session, &Call::file(Method::PUT, path, query, file)).await?).await
}

pub(super) async fn put_authed<B: Serialize, T: DeserializeOwned>(
    session: Session,
    path: &str,
    body: &B,
) -> ApiResult<T> {
    write_authed(session, Method::PUT, path, Some(body)).await
}

/// Page `page` (from 1) of a list for the user, `per_page` items long.
pub(super) async fn get_page_authed<T: DeserializeOwned>(
    session: Session,
    path: &str,
    page: u64,
    per_page: u64,
) -> ApiResult<T> {
    get_authed(session, path, &page_query(page, per_page)).await
}

/// One page of a list narrowed by `filter` (more query parameters).
pub(super) async fn get_filtered_page_authed<T: DeserializeOwned>(
    session: Session,
    path: &str,
    filter: &[(&str, String)],
    page: u64,
    per_page: u64,
) -> ApiResult<T> {
    let query: Vec<(&str, String)> = filter
        .iter()
        .cloned()
        .chain(page_query(page, per_page))
        .collect();
    get_authed(session, path, &query).await
}
