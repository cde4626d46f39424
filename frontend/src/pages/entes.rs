//! `/`: choose the comune; and the page for unknown addresses.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use sportello_model::auth::LoginError;
use sportello_model::entes::EnteSummary;
use sportello_model::page::MAX_PER_PAGE;
use sportello_model::Page;

use crate::api;
use crate::components::{
    remote, set_title, use_page_number, HeaderBrand, Icon, Pager, SkipLink, SmallPrints,
};

/// Comuni on one page of the list; the search looks through the page shown.
const PER_PAGE: u64 = MAX_PER_PAGE;

/// Header and footer of the pages that belong to no comune.
#[component]
fn PortalFrame(children: Children) -> impl IntoView {
    view! {
        <SkipLink />
        <header class="it-header-wrapper">
            <div class="it-nav-wrapper">
                <HeaderBrand
                    href="/".to_string()
                    title="Sportello scuola".to_string()
                    tagline="Servizi scolastici dei Comuni"
                />
            </div>
        </header>
        <main id="main-content" class="container py-4 flex-grow-1" tabindex="-1">
            {children()}
        </main>
        <footer class="it-footer">
            <SmallPrints />
        </footer>
    }
}

#[component]
pub fn ChooseEnte() -> impl IntoView {
    set_title(&["Scegli il tuo Comune"]);
    let query = use_query_map();
    let access_error = move || {
        query
            .read()
            .get("errore")
            .and_then(|code| LoginError::parse(&code))
    };
    let page = use_page_number();
    let entes = LocalResource::new(move || api::entes(page.get(), PER_PAGE));
    let search = RwSignal::new(String::new());

    let list = move |list: Page<EnteSummary>| {
        let (current, pages) = (list.page, list.total_pages());
        let entes = list.items;
        let visible = move || {
            let needle = search.get().trim().to_lowercase();
            entes
                .iter()
                .filter(|ente| needle.is_empty() || ente.name.to_lowercase().contains(&needle))
                .cloned()
                .collect::<Vec<_>>()
        };
        view! {
            {move || {
                let visible = visible();
                if visible.is_empty() {
                    view! {
                        <p id="ente-none" class="mt-3">
                            "Nessun Comune corrisponde alla ricerca."
                        </p>
                    }
                        .into_any()
                } else {
                    view! {
                        <ul id="ente-list" class="list-unstyled row g-3 mt-1">
                            {visible
                                .into_iter()
                                .map(|ente| {
                                    view! {
                                        <li class="col-12 col-md-6 col-lg-4">
                                            <a
                                                id=format!("ente-{}", ente.slug)
                                                class="card-link-block shadow-sm"
                                                href=format!("/{}", ente.slug)
                                            >
                                                <Icon name="pa" class="icon-primary" />
                                                <span class="h5 mb-0">{ente.name}</span>
                                                <Icon name="chevron-right" class="icon-primary ms-auto" />
                                            </a>
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    }
                        .into_any()
                }
            }}
            <Pager id="ente-pager" href="/" current pages />
        }
    };

    view! {
        <PortalFrame>
            <h1>"Scegli il tuo Comune"</h1>
            <p class="lead">
                "Entra nel portale dei servizi scolastici del Comune in cui i tuoi figli frequentano la scuola."
            </p>
            {move || {
                access_error()
                    .map(|error| {
                        view! {
                            <div id="access-error" class="alert alert-danger" role="alert">
                                {error.message()}
                            </div>
                        }
                    })
            }}
            <div class="form-group mt-4 mb-2 ente-search">
                <label for="ente-search" class="active">
                    "Cerca il Comune"
                </label>
                <input
                    type="search"
                    id="ente-search"
                    class="form-control"
                    autocomplete="off"
                    prop:value=move || search.get()
                    on:input=move |ev| search.set(event_target_value(&ev))
                />
            </div>
            {remote(entes, "ente-list-error", "Caricamento dei Comuni…", list)}
        </PortalFrame>
    }
}

#[component]
pub fn NotFound() -> impl IntoView {
    set_title(&["Pagina non trovata"]);
    view! {
        <PortalFrame>
            <h1>"Pagina non trovata"</h1>
            <p>"L'indirizzo che hai aperto non corrisponde a nessuna pagina del portale."</p>
            <a class="btn btn-primary" href="/">
                "Vai alla scelta del Comune"
            </a>
        </PortalFrame>
    }
}
