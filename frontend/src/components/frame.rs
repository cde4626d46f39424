//! The frame of every page: icons, breadcrumb, tab title, focus, skip link, addresses
//! and the tabs between services.

use leptos::prelude::*;
use sportello_model::paths;
use wasm_bindgen::JsCast;

use crate::api;
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

/// "Home / Area personale / …": the breadcrumb of a page of the personal area, with
/// `rest` after the area.
pub fn area_breadcrumb(ente: Ente, rest: Vec<(String, Option<String>)>) -> impl IntoView {
    let mut steps = vec![
        ("Home".to_string(), Some(ente.path(""))),
        (
            "Area personale".to_string(),
            Some(ente.path("area-personale")),
        ),
    ];
    steps.extend(rest);
    view! { <Breadcrumb steps /> }
}

/// The last line of every footer.
#[component]
pub fn SmallPrints() -> impl IntoView {
    view! {
        <div class="it-footer-small-prints py-3">
            <div class="container">
                <p class="mb-0 small">"Sportello scuola · software libero (EUPL-1.2)"</p>
            </div>
        </div>
    }
}

/// A card of a page: its heading `{id}-title` (of class `heading`; with `focusable`, a
/// place for the focus), then `children`.
#[component]
pub fn CardSection(
    id: &'static str,
    title: &'static str,
    #[prop(default = "mb-4")] class: &'static str,
    #[prop(default = "h4")] heading: &'static str,
    #[prop(optional)] focusable: bool,
    children: Children,
) -> impl IntoView {
    let title_id = format!("{id}-title");
    let labelled_by = title_id.clone();
    view! {
        <section
            id=id
            class=format!("card card-bg rounded shadow-sm {class}")
            aria-labelledby=labelled_by
        >
            <div class="card-body">
                <h2 id=title_id class=heading tabindex=focusable.then_some("-1")>
                    {title}
                </h2>
                {children()}
            </div>
        </section>
    }
}

/// The centre of the header: the name of the comune (or of the portal) with its
/// tagline, linking to its home.
#[component]
pub fn HeaderBrand(
    #[prop(into)] href: Signal<String>,
    #[prop(into)] title: Signal<String>,
    tagline: &'static str,
    #[prop(optional)] id: Option<&'static str>,
    /// The comune's logo (its address under the API), instead of the generic emblem.
    #[prop(optional, into)]
    logo: Option<Signal<Option<String>>>,
) -> impl IntoView {
    let logo = logo.unwrap_or_else(|| Signal::stored(None));
    view! {
        <div class="it-header-center-wrapper">
            <div class="container">
                <div class="it-header-center-content-wrapper">
                    <div class="it-brand-wrapper">
                        <a href=href id=id>
                            {move || match logo.get() {
                                Some(logo) => {
                                    view! {
                                        <img
                                            id="brand-logo"
                                            class="icon"
                                            src=paths::absolute(&logo)
                                            alt=""
                                            style="object-fit: contain"
                                        />
                                    }
                                        .into_any()
                                }
                                None => view! { <Icon name="pa" /> }.into_any(),
                            }}
                            <div class="it-brand-text">
                                <div class="it-brand-title">{title}</div>
                                <div class="it-brand-tagline">{tagline}</div>
                            </div>
                        </a>
                    </div>
                </div>
            </div>
        </div>
    }
}
