//! Building blocks shared by the pages: icons, loading state, error banner, breadcrumb,
//! form fields, the page title, file downloads and list pages.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_query_map;
use sportello_model::Problem;
use wasm_bindgen::JsCast;

use crate::api::{self, ApiResult};
use crate::app::Ente;

/// A Bootstrap Italia sprite icon; decorative, so hidden from assistive technology.
#[component]
pub fn Icon(name: &'static str, #[prop(optional)] class: &'static str) -> impl IntoView {
    view! {
        <svg class=format!("icon {class}") aria-hidden="true" focusable="false">
            <use href=format!("/svg/sprites.svg#it-{name}")></use>
        </svg>
    }
}

/// Spinner with a text, announced politely to screen readers.
#[component]
pub fn Loading(#[prop(into)] label: String) -> impl IntoView {
    view! {
        <div class="loading-state d-flex align-items-center gap-3 py-4" role="status">
            <div class="progress-spinner progress-spinner-active size-sm" aria-hidden="true"></div>
            <span>{label}</span>
        </div>
    }
}

/// The problem's Italian `detail` (and any field error it does not say) in a danger alert,
/// with "Riprova" when trying again can help (no connection, server error, too many
/// requests). With `focus`, the alert takes the keyboard focus when it appears, so a
/// screen reader reads it and the keyboard stays in the form (after a refused submit).
#[component]
pub fn ErrorAlert(
    id: &'static str,
    problem: Problem,
    #[prop(optional, into)] retry: Option<Callback<()>>,
    #[prop(optional)] focus: bool,
) -> impl IntoView {
    let retry = retry.filter(|_| api::is_transient(&problem));
    // The title is jargon for an integrator: the detail and the field errors are shown.
    let mut messages = problem.messages().into_iter().map(str::to_owned);
    let detail = messages.next().unwrap_or_default();
    let others: Vec<String> = messages.collect();
    let alert = NodeRef::<leptos::html::Div>::new();
    if focus {
        Effect::new(move |_| {
            if let Some(alert) = alert.get() {
                // Focus is a courtesy: a browser refusing it leaves the page usable.
                let _ = alert.focus();
            }
        });
    }
    view! {
        <div id=id class="alert alert-danger" role="alert" tabindex="-1" node_ref=alert>
            <p class="problem-detail mb-0">{detail}</p>
            {(!others.is_empty())
                .then(|| {
                    view! {
                        <ul class="problem-fields mb-0 mt-2">
                            {others.into_iter().map(|message| view! { <li>{message}</li> }).collect_view()}
                        </ul>
                    }
                })}
            {retry
                .map(|retry| {
                    view! {
                        <button
                            type="button"
                            id=format!("{id}-retry")
                            class="btn btn-outline-primary btn-sm mt-3"
                            on:click=move |_| retry.run(())
                        >
                            "Riprova"
                        </button>
                    }
                })}
        </div>
    }
}

/// Renders a remote value: a spinner while it loads, `render` once it arrived, the error
/// banner with `error_id` (and "Riprova") when it failed.
pub fn remote<T, V>(
    resource: LocalResource<ApiResult<T>>,
    error_id: &'static str,
    loading: &'static str,
    render: impl Fn(T) -> V + Send + 'static,
) -> impl IntoView
where
    T: Clone + 'static,
    V: IntoView + 'static,
{
    move || match resource.get() {
        None => view! { <Loading label=loading /> }.into_any(),
        Some(Ok(value)) => render(value).into_any(),
        Some(Err(problem)) => {
            let retry = Callback::new(move |()| {
                resource.set(None);
                resource.refetch();
            });
            view! { <ErrorAlert id=error_id problem retry /> }.into_any()
        }
    }
}

/// "Home / Utenti / Sofia Albertini": every step but the last is a link.
#[component]
pub fn Breadcrumb(steps: Vec<(String, Option<String>)>) -> impl IntoView {
    let last = steps.len().saturating_sub(1);
    let items = steps
        .into_iter()
        .enumerate()
        .map(|(i, (label, href))| match href.filter(|_| i < last) {
            Some(href) => view! {
                <li class="breadcrumb-item">
                    <a href=href>{label}</a>
                    <span class="separator" aria-hidden="true">"/"</span>
                </li>
            }
            .into_any(),
            None => view! {
                <li class="breadcrumb-item active" aria-current="page">
                    {label}
                </li>
            }
            .into_any(),
        })
        .collect_view();
    view! {
        <nav class="breadcrumb-container" aria-label="Percorso di navigazione">
            <ol class="breadcrumb">{items}</ol>
        </nav>
    }
}

/// Sets the browser tab title: `page – comune – Sportello scuola`.
pub fn set_title(parts: &[&str]) {
    let title = parts
        .iter()
        .filter(|part| !part.is_empty())
        .copied()
        .chain(["Sportello scuola"])
        .collect::<Vec<_>>()
        .join(" – ");
    document().set_title(&title);
}

/// Moves keyboard focus to the element `id`, e.g. the first invalid field after a submit.
pub fn focus_element(id: &str) {
    if let Some(element) = document()
        .get_element_by_id(id)
        .and_then(|element| element.dyn_into::<web_sys::HtmlElement>().ok())
    {
        // Focus is a courtesy: a browser refusing it leaves the page usable.
        let _ = element.focus();
    }
}

/// First focusable element of every page: jumps over header and menu to the content.
#[component]
pub fn SkipLink() -> impl IntoView {
    view! {
        <div class="skiplinks">
            <a
                class="visually-hidden-focusable"
                href="#main-content"
                rel="external"
                on:click=|ev| {
                    ev.prevent_default();
                    focus_element("main-content");
                }
            >
                "Vai al contenuto principale"
            </a>
        </div>
    }
}

/// Text input with label, Italian error message and the ARIA wiring between them.
#[component]
pub fn TextField(
    id: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    #[prop(into)] error: Signal<Option<String>>,
    #[prop(into, default = Signal::stored("text"))] kind: Signal<&'static str>,
    #[prop(optional)] autocomplete: &'static str,
    #[prop(optional, into)] hint: Option<Signal<String>>,
    /// Keyboard for phones, e.g. `decimal` for amounts.
    #[prop(optional)]
    inputmode: &'static str,
    #[prop(optional)] uppercase: bool,
    /// Set when the user leaves the field after typing: from then on `error` is shown.
    #[prop(optional)]
    check_on_blur: Option<RwSignal<bool>>,
) -> impl IntoView {
    view! {
        <div class="form-group mb-4">
            <label for=id class="active">
                {label}
            </label>
            <input
                type=move || kind.get()
                id=id
                name=id
                class=move || {
                    let mut class = String::from("form-control");
                    if uppercase {
                        class.push_str(" text-uppercase");
                    }
                    if error.with(Option::is_some) {
                        class.push_str(" is-invalid");
                    }
                    class
                }
                autocomplete=(!autocomplete.is_empty()).then_some(autocomplete)
                inputmode=(!inputmode.is_empty()).then_some(inputmode)
                autocapitalize=uppercase.then_some("characters")
                spellcheck=uppercase.then_some("false")
                aria-invalid=move || if error.with(Option::is_some) { "true" } else { "false" }
                aria-describedby=described_by(id, hint.is_some(), error)
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
                on:blur=move |_| {
                    // Blur also fires when the form is being removed: read and write
                    // only signals that are still alive.
                    let typed = value.try_with_untracked(|value| !value.is_empty());
                    if let (Some(check), Some(true)) = (check_on_blur, typed) {
                        check.try_set(true);
                    }
                }
            />
            {hint.map(|hint| view! { <small id=format!("{id}-hint") class="form-text">{hint}</small> })}
            <FieldFeedback id=format!("{id}-error") error />
        </div>
    }
}

/// A text of several lines with label, hint and error, wired like [`TextField`].
#[component]
pub fn TextAreaField(
    id: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    #[prop(into)] error: Signal<Option<String>>,
    #[prop(optional, into)] hint: Option<Signal<String>>,
    #[prop(default = 3)] rows: u32,
) -> impl IntoView {
    view! {
        <div class="form-group mb-4">
            <label for=id class="active">
                {label}
            </label>
            <textarea
                id=id
                name=id
                rows=rows
                class=move || if error.with(Option::is_some) { "form-control is-invalid" } else { "form-control" }
                aria-invalid=move || if error.with(Option::is_some) { "true" } else { "false" }
                aria-describedby=described_by(id, hint.is_some(), error)
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
            ></textarea>
            {hint.map(|hint| view! { <small id=format!("{id}-hint") class="form-text">{hint}</small> })}
            <FieldFeedback id=format!("{id}-error") error />
        </div>
    }
}

/// The `aria-describedby` of field `id`: its hint (`{id}-hint`) when it has one, and its
/// error (`{id}-error`) while there is one.
fn described_by(
    id: &str,
    has_hint: bool,
    error: Signal<Option<String>>,
) -> impl Fn() -> Option<String> + Send + Sync + 'static {
    let hint_id = has_hint.then(|| format!("{id}-hint"));
    let error_id = format!("{id}-error");
    move || {
        let error_id = error.with(Option::is_some).then(|| error_id.clone());
        let ids: Vec<String> = hint_id.iter().cloned().chain(error_id).collect();
        (!ids.is_empty()).then(|| ids.join(" "))
    }
}

/// The Italian message under a field while it is wrong, announced politely; `id` is the
/// one the field's `aria-describedby` names.
#[component]
pub fn FieldFeedback(#[prop(into)] id: String, error: Signal<Option<String>>) -> impl IntoView {
    view! {
        <div id=id class="invalid-feedback d-block" aria-live="polite">
            {move || {
                error
                    .get()
                    .map(|message| {
                        view! {
                            <Icon name="error" class="icon-xs icon-danger me-1" />
                            {message}
                        }
                    })
            }}
        </div>
    }
}

/// The page at `path` with the query `params` (empty values left out), e.g. filters kept
/// in the address to survive a reload.
pub fn address_with(path: &str, params: &[(&str, String)]) -> String {
    let query = params
        .iter()
        .filter(|(_, value)| !value.is_empty())
        .map(|(name, value)| format!("{name}={}", api::url_encode(value)))
        .collect::<Vec<_>>()
        .join("&");
    if query.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{query}")
    }
}

/// Hands a downloaded file to the browser, which saves it (or, on some phones, opens it).
pub fn save_file(file: &api::Download) -> Result<(), wasm_bindgen::JsValue> {
    let bytes = js_sys::Uint8Array::from(file.bytes.as_slice());
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(&file.content_type);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(
        &js_sys::Array::of1(&bytes),
        &options,
    )?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    let link = document()
        .create_element("a")?
        .dyn_into::<web_sys::HtmlAnchorElement>()?;
    link.set_href(&url);
    link.set_download(&file.file_name);
    link.set_hidden(true);
    document().body().ok_or("no body")?.append_child(&link)?;
    link.click();
    link.remove();
    // The browser reads the object URL after the click: release it a little later.
    set_timeout(
        move || {
            // A URL that cannot be revoked only stays in memory until the page closes.
            let _ = web_sys::Url::revoke_object_url(&url);
        },
        std::time::Duration::from_secs(60),
    );
    Ok(())
}

/// "Scarica": fetches a file through the API (with the access token) and saves it; a
/// failure shows the problem under the button, which stays usable to try again.
#[component]
pub fn DownloadButton<F, Fut>(
    id: String,
    /// What is downloaded, for screen readers: "Scarica l'avviso 3010 0000 …".
    #[prop(into)]
    label: String,
    #[prop(default = "Scarica")] text: &'static str,
    #[prop(default = "btn-outline-primary")] class: &'static str,
    fetch: F,
) -> impl IntoView
where
    F: Fn() -> Fut + 'static,
    Fut: std::future::Future<Output = ApiResult<api::Download>> + 'static,
{
    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<Problem>);
    let error_id = format!("{id}-error");
    let icon = if class.starts_with("btn-outline") {
        "icon-primary icon-sm me-1"
    } else {
        "icon-white icon-sm me-1"
    };
    let click = move |_| {
        if pending.get_untracked() {
            return;
        }
        pending.set(true);
        error.set(None);
        let download = fetch();
        spawn_local(async move {
            let outcome = match download.await {
                Ok(file) => save_file(&file).map_err(|_| save_problem()),
                Err(problem) => Err(problem),
            };
            pending.try_set(false);
            if let Err(problem) = outcome {
                error.try_set(Some(problem));
            }
        });
    };
    view! {
        <div class="action-with-feedback">
            <button
                type="button"
                id=id
                class=format!("btn btn-sm btn-icon {class}")
                aria-label=label
                aria-busy=move || pending.get().then_some("true")
                disabled=move || pending.get()
                on:click=click
            >
                <Icon name="download" class=icon />
                <span>{move || if pending.get() { "Download…" } else { text }}</span>
            </button>
            <div aria-live="polite">
                {move || {
                    error.get().map(|problem| view! { <InlineProblem id=error_id.clone() problem /> })
                }}
            </div>
        </div>
    }
}

fn save_problem() -> Problem {
    Problem {
        kind: "about:blank".into(),
        title: "Download non riuscito".into(),
        status: 0,
        detail: "Il browser non ha salvato il file. Riprova.".into(),
        errors: Vec::new(),
    }
}

/// The Italian `detail` of a problem (and any field error it does not say) next to the
/// button that caused it.
#[component]
pub fn InlineProblem(#[prop(into)] id: String, problem: Problem) -> impl IntoView {
    let text = problem.messages().join(" ");
    view! {
        <p id=id class="inline-problem text-danger small mb-0 mt-1">
            <Icon name="error" class="icon-xs icon-danger me-1" />
            {text}
        </p>
    }
}

/// "Pagina 2 di 5" with buttons for the previous and next page of a list shown inside a
/// page; after a change the focus goes to `focus_to` (the list's heading).
#[component]
pub fn PageButtons(
    id: &'static str,
    page: RwSignal<u64>,
    pages: u64,
    focus_to: &'static str,
) -> impl IntoView {
    let go = move |to: u64| {
        page.set(to);
        focus_element(focus_to);
    };
    (pages > 1).then(|| {
        let current = page.get_untracked();
        view! {
            <nav id=id class="pager d-flex flex-wrap align-items-center gap-2 mt-3" aria-label="Pagine">
                {(current > 1)
                    .then(|| {
                        view! {
                            <button
                                type="button"
                                id=format!("{id}-prev")
                                class="btn btn-outline-primary btn-sm"
                                on:click=move |_| go(current - 1)
                            >
                                "Pagina precedente"
                            </button>
                        }
                    })}
                <span>{format!("Pagina {current} di {pages}")}</span>
                {(current < pages)
                    .then(|| {
                        view! {
                            <button
                                type="button"
                                id=format!("{id}-next")
                                class="btn btn-outline-primary btn-sm"
                                on:click=move |_| go(current + 1)
                            >
                                "Pagina successiva"
                            </button>
                        }
                    })}
            </nav>
        }
    })
}

/// `?pagina=` of the address, from 1.
pub fn use_page_number() -> Memo<u64> {
    let query = use_query_map();
    Memo::new(move |_| {
        query
            .read()
            .get("pagina")
            .and_then(|page| page.parse::<u64>().ok())
            .filter(|page| *page > 0)
            .unwrap_or(1)
    })
}

/// "Pagina 2 di 3" with links to the previous and next pages of the comune's page `page`
/// (`?pagina=`, which [`use_page_number`] reads): a list that is the whole page.
#[component]
pub fn Pager(
    id: &'static str,
    ente: Ente,
    page: &'static str,
    current: u64,
    pages: u64,
) -> impl IntoView {
    (pages > 1).then(|| {
        let link = move |number: u64| format!("{}?pagina={number}", ente.path(page));
        view! {
            <nav id=id class="pager d-flex align-items-center gap-3 mt-4" aria-label="Pagine">
                {(current > 1)
                    .then(|| {
                        view! {
                            <a id=format!("{id}-prev") class="btn btn-outline-primary btn-sm" href=link(current - 1)>
                                "Pagina precedente"
                            </a>
                        }
                    })}
                <span>{format!("Pagina {current} di {pages}")}</span>
                {(current < pages)
                    .then(|| {
                        view! {
                            <a id=format!("{id}-next") class="btn btn-outline-primary btn-sm" href=link(current + 1)>
                                "Pagina successiva"
                            </a>
                        }
                    })}
            </nav>
        }
    })
}

/// A drop-down list with label and the ARIA wiring of its error, like [`TextField`].
/// `options` are (value, label) pairs.
#[component]
pub fn SelectField(
    id: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    #[prop(into)] options: Signal<Vec<(String, String)>>,
    #[prop(optional, into)] error: Option<Signal<Option<String>>>,
) -> impl IntoView {
    let error = error.unwrap_or_else(|| Signal::stored(None));
    view! {
        <div class="select-wrapper form-group mb-4">
            <label for=id class="active">
                {label}
            </label>
            <select
                id=id
                name=id
                class=move || error.with(Option::is_some).then_some("is-invalid")
                aria-invalid=move || if error.with(Option::is_some) { "true" } else { "false" }
                aria-describedby=described_by(id, false, error)
                on:change=move |ev| value.set(event_target_value(&ev))
            >
                {move || {
                    options
                        .get()
                        .into_iter()
                        .map(|(option, text)| {
                            let selected = value.with(|value| *value == option);
                            view! {
                                <option value=option selected=selected>
                                    {text}
                                </option>
                            }
                        })
                        .collect_view()
                }}
            </select>
            <FieldFeedback id=format!("{id}-error") error />
        </div>
    }
}

/// Links to the services of a page that has several (two canteens): the current one is
/// marked. `href` gives the address of a service's page.
#[component]
pub fn ServiceTabs(
    services: Vec<(i64, String)>,
    current: Memo<i64>,
    href: Callback<i64, String>,
) -> impl IntoView {
    let items = services
        .into_iter()
        .map(|(id, name)| {
            let active = move || current.get() == id;
            view! {
                <li class="nav-item">
                    <a
                        id=format!("service-tab-{id}")
                        class=move || if active() { "nav-link active" } else { "nav-link" }
                        aria-current=move || active().then_some("page")
                        href=move || href.run(id)
                    >
                        {name}
                    </a>
                </li>
            }
        })
        .collect_view();
    view! {
        <nav aria-label="Servizi">
            <ul class="nav nav-tabs mb-3">{items}</ul>
        </nav>
    }
}
