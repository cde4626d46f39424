//! Public content of a comune, readable without login: Notizie and Documenti.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use sportello_model::content::{DocumentItem, NewsItem};
use sportello_model::{format, Page};

use crate::api;
use crate::app::use_ente;
use crate::components::{remote, set_title, use_page_number, Breadcrumb, Icon, Pager};

const PER_PAGE: u64 = 10;

/// News as cards: date, title, summary and a link to the whole text.
#[component]
pub fn NewsCards(items: Vec<NewsItem>, heading_level: u8) -> impl IntoView {
    let ente = use_ente();
    if items.is_empty() {
        return view! { <p class="news-empty">"Non ci sono notizie pubblicate."</p> }.into_any();
    }
    view! {
        <ul class="list-unstyled row g-3 news-list">
            {items
                .into_iter()
                .map(|item| {
                    let href = ente.path(&format!("notizie/{}", item.id));
                    let title = item.title.clone();
                    view! {
                        <li class="col-12 col-lg-4" id=format!("news-{}", item.id)>
                            <article class="card card-bg rounded shadow-sm h-100">
                                <div class="card-body d-flex flex-column">
                                    <p class="small text-muted mb-2">
                                        <Icon name="calendar" class="icon-xs me-1" />
                                        <time datetime=item.published_on.to_string()>
                                            {format::date(item.published_on)}
                                        </time>
                                    </p>
                                    {card_title(heading_level, item.title)}
                                    <p class="card-text">{item.summary}</p>
                                    <a class="read-more mt-auto" href=href>
                                        <span class="text">"Leggi la notizia"</span>
                                        <span class="visually-hidden">{format!(": {title}")}</span>
                                        <Icon name="arrow-right" />
                                    </a>
                                </div>
                            </article>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}

fn card_title(level: u8, title: String) -> AnyView {
    if level == 2 {
        view! { <h2 class="card-title h5">{title}</h2> }.into_any()
    } else {
        view! { <h3 class="card-title h5">{title}</h3> }.into_any()
    }
}

/// `PDF` from the content type, or the file extension.
fn file_kind(item: &DocumentItem) -> String {
    if item.content_type == "application/pdf" {
        return "PDF".into();
    }
    item.file_name
        .rsplit_once('.')
        .map(|(_, ext)| ext.to_uppercase())
        .unwrap_or_else(|| "File".into())
}

/// `120 kB`, `1,5 MB`.
fn file_size(bytes: i64) -> String {
    const KB: i64 = 1024;
    const MB: i64 = 1024 * 1024;
    let bytes = bytes.max(0);
    if bytes < MB {
        format!("{} kB", (bytes + KB - 1) / KB)
    } else {
        let tenths = (bytes * 10 + MB / 2) / MB;
        format!("{},{} MB", tenths / 10, tenths % 10)
    }
}

/// Documents with their date, type, size and a download link.
#[component]
pub fn DocumentRows(items: Vec<DocumentItem>, heading_level: u8) -> impl IntoView {
    if items.is_empty() {
        return view! { <p class="documents-empty">"Non ci sono documenti pubblicati."</p> }
            .into_any();
    }
    view! {
        <ul class="list-unstyled document-list">
            {items
                .into_iter()
                .map(|item| {
                    let kind = file_kind(&item);
                    let size = file_size(item.size_bytes);
                    let label = format!("Scarica {} ({kind}, {size})", item.title);
                    view! {
                        <li class="document-item" id=format!("document-{}", item.id)>
                            <Icon name="file-pdf" class="icon-primary document-icon" />
                            <div class="flex-grow-1">
                                {card_title(heading_level, item.title)}
                                <p class="mb-1">{item.description}</p>
                                <p class="small text-muted mb-0">
                                    "Pubblicato il "
                                    <time datetime=item.published_on.to_string()>
                                        {format::date(item.published_on)}
                                    </time>
                                    {format!(" · {kind}, {size}")}
                                </p>
                            </div>
                            <a
                                class="btn btn-outline-primary btn-sm btn-icon document-download"
                                href=item.url
                                download=item.file_name
                                rel="external"
                                aria-label=label
                            >
                                <Icon name="download" class="icon-primary icon-sm" />
                                <span>"Scarica"</span>
                            </a>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}

#[component]
pub fn NewsList() -> impl IntoView {
    let ente = use_ente();
    Effect::new(move |_| set_title(&["Notizie", &ente.name()]));
    let page = use_page_number();
    let news = LocalResource::new(move || {
        let slug = ente.slug.get();
        let page = page.get();
        async move { api::news(&slug, page, PER_PAGE).await }
    });
    let render = move |list: Page<NewsItem>| {
        let pages = list.total_pages();
        view! {
            <NewsCards items=list.items heading_level=2 />
            <Pager id="news-pager" ente page="notizie" current=list.page pages />
        }
    };
    view! {
        <Breadcrumb steps=vec![
            ("Home".into(), Some(ente.path(""))),
            ("Notizie".into(), None),
        ] />
        <h1>"Notizie"</h1>
        <p class="lead">"Avvisi e notizie del Comune per le famiglie."</p>
        <div id="news-list">{remote(news, "news-error", "Caricamento delle notizie…", render)}</div>
    }
}

#[component]
pub fn NewsDetail() -> impl IntoView {
    let ente = use_ente();
    let params = use_params_map();
    let id = Memo::new(move |_| {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<i64>().ok())
    });
    let item = LocalResource::new(move || {
        let slug = ente.slug.get();
        let id = id.get();
        async move {
            match id {
                Some(id) => api::news_item(&slug, id).await,
                None => Err(api::not_found()),
            }
        }
    });
    let item_title = move || item.get().and_then(Result::ok).map(|item| item.title);
    Effect::new(move |_| {
        let title = item_title().unwrap_or_else(|| "Notizia".into());
        set_title(&[&title, &ente.name()]);
    });
    let render = move |item: NewsItem| {
        let paragraphs = item
            .body
            .split("\n\n")
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| view! { <p>{p.to_string()}</p> })
            .collect_view();
        view! {
            <article id="news-detail" class="news-detail">
                <p class="small text-muted mb-1">
                    <Icon name="calendar" class="icon-xs me-1" />
                    "Pubblicata il "
                    <time datetime=item.published_on.to_string()>
                        {format::date(item.published_on)}
                    </time>
                </p>
                <h1>{item.title}</h1>
                <p class="lead">{item.summary}</p>
                <div class="news-body">{paragraphs}</div>
            </article>
        }
    };
    view! {
        {move || {
            let current = item_title().unwrap_or_else(|| "Notizia".into());
            view! {
                <Breadcrumb steps=vec![
                    ("Home".into(), Some(ente.path(""))),
                    ("Notizie".into(), Some(ente.path("notizie"))),
                    (current, None),
                ] />
            }
        }}
        {remote(item, "news-detail-error", "Caricamento della notizia…", render)}
        <a class="btn btn-outline-primary mt-3" href=ente.path("notizie")>
            "Tutte le notizie"
        </a>
    }
}

#[component]
pub fn DocumentList() -> impl IntoView {
    let ente = use_ente();
    Effect::new(move |_| set_title(&["Documenti", &ente.name()]));
    let page = use_page_number();
    let documents = LocalResource::new(move || {
        let slug = ente.slug.get();
        let page = page.get();
        async move { api::documents(&slug, page, PER_PAGE).await }
    });
    let render = move |list: Page<DocumentItem>| {
        let pages = list.total_pages();
        view! {
            <DocumentRows items=list.items heading_level=2 />
            <Pager id="documents-pager" ente page="documenti" current=list.page pages />
        }
    };
    view! {
        <Breadcrumb steps=vec![
            ("Home".into(), Some(ente.path(""))),
            ("Documenti".into(), None),
        ] />
        <h1>"Documenti"</h1>
        <p class="lead">"Moduli, regolamenti e informative pubblicati dal Comune."</p>
        <div id="documents-list">
            {remote(documents, "documents-error", "Caricamento dei documenti…", render)}
        </div>
    }
}
