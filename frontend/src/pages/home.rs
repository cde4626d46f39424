//! `/{slug}`: the public home of a comune.

use leptos::prelude::*;

use crate::api;
use crate::app::{use_ente, use_page_title};
use crate::components::{remote, set_title, Breadcrumb};
use crate::pages::content::{DocumentRows, NewsCards};
use crate::session::use_session;

#[component]
pub fn EnteHome() -> impl IntoView {
    let ente = use_ente();
    let session = use_session();
    Effect::new(move |_| set_title(&[&ente.name()]));

    let news = LocalResource::new(move || {
        let slug = ente.slug.get();
        async move { api::news(&slug, 1, 3).await }
    });
    let documents = LocalResource::new(move || {
        let slug = ente.slug.get();
        async move { api::documents(&slug, 1, 5).await }
    });
    let signed_in = move || session.user_in(&ente.slug.get()).is_some();

    view! {
        <section class="home-hero rounded p-4 mb-5" aria-labelledby="home-title">
            <p class="home-eyebrow mb-1">"Servizi scolastici"</p>
            <h1 id="home-title">{move || ente.name()}</h1>
            <p class="lead mb-4">
                "Consulta le schede dei servizi dei tuoi figli e resta aggiornato su notizie e documenti del Comune."
            </p>
            {move || {
                if signed_in() {
                    view! {
                        <a id="home-personal-area" class="btn btn-primary" href=ente.path("area-personale")>
                            "Vai all'area personale"
                        </a>
                    }
                        .into_any()
                } else {
                    view! {
                        <a id="home-login" class="btn btn-primary" href=ente.path("accedi")>
                            "Accedi all'area personale"
                        </a>
                    }
                        .into_any()
                }
            }}
        </section>

        {latest(
            "mb-5",
            ("home-news", "Notizie"),
            (ente.path("notizie"), "Tutte le notizie"),
            "news",
            remote(
                news,
                "news-error",
                "Caricamento delle notizie…",
                |page| view! { <NewsCards items=page.items heading_level=3 /> },
            ),
        )}
        {latest(
            "mb-4",
            ("home-documents", "Documenti"),
            (ente.path("documenti"), "Tutti i documenti"),
            "documents",
            remote(
                documents,
                "documents-error",
                "Caricamento dei documenti…",
                |page| view! { <DocumentRows items=page.items heading_level=3 /> },
            ),
        )}
    }
}

/// A section of the latest news or documents: its heading (`id`, `title`) with the link
/// to the whole list (`href`, `link`), then the list `{list}-list`.
fn latest(
    class: &'static str,
    (id, title): (&'static str, &'static str),
    (href, link): (String, &'static str),
    list: &'static str,
    body: impl IntoView,
) -> impl IntoView {
    view! {
        <section class=class aria-labelledby=id>
            <div class="d-flex flex-wrap align-items-baseline justify-content-between gap-2 mb-3">
                <h2 id=id class="mb-0">{title}</h2>
                <a href=href>{link}</a>
            </div>
            <div id=format!("{list}-list")>{body}</div>
        </section>
    }
}

/// Any other address inside a comune: said under the comune's header and menu, with the
/// way back to its home.
#[component]
pub fn PageNotFound() -> impl IntoView {
    let ente = use_ente();
    use_page_title("Pagina non trovata");
    view! {
        <Breadcrumb steps=vec![
            ("Home".into(), Some(ente.path(""))),
            ("Pagina non trovata".into(), None),
        ] />
        <h1 id="page-not-found">"Pagina non trovata"</h1>
        <p>
            "L'indirizzo che hai aperto non corrisponde a nessuna pagina di questo Comune: controlla l'indirizzo o riparti dalla home."
        </p>
        <a id="not-found-home" class="btn btn-primary" href=ente.path("")>
            "Torna alla home del Comune"
        </a>
    }
}
