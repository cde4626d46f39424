//! Public content of a comune, readable without login: Notizie and Documenti.

use std::future::Future;

use leptos::prelude::*;
use sportello_model::content::{DocumentItem, NewsItem};
use sportello_model::{format, Page};

use crate::api::{self, ApiResult};
use crate::app::{use_ente, use_page_title};
use crate::components::{
    record_in_path, remote, set_title, use_page_number, Breadcrumb, Icon, Pager,
};

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

/// What a public list page shows: its title, address and lead, the prefix of its element
/// ids (`{id}-list`, `{id}-error`, `{id}-pager`) and its loading text.
struct ContentPage {
    title: &'static str,
    page: &'static str,
    lead: &'static str,
    id: &'static str,
    loading: &'static str,
}

/// A public list of the comune, page by page (`?pagina=`): `fetch(slug, page)` loads a
/// page, `items` renders its items.
fn content_list<T, Fut, V>(
    content: ContentPage,
    fetch: impl Fn(String, u64) -> Fut + 'static,
    items: impl Fn(Vec<T>) -> V + Copy + Send + 'static,
) -> impl IntoView
where
    T: Clone + 'static,
    Fut: Future<Output = ApiResult<Page<T>>> + 'static,
    V: IntoView + 'static,
{
    let ContentPage {
        title,
        page: path,
        lead,
        id,
        loading,
    } = content;
    use_page_title(title);
    let ente = use_ente();
    let page = use_page_number();
    let list = LocalResource::new(move || fetch(ente.slug.get(), page.get()));
    let render = move |list: Page<T>| {
        let (current, pages) = (list.page, list.total_pages());
        view! {
            {items(list.items)}
            <Pager id=format!("{id}-pager") href=ente.path(path) current pages />
        }
    };
    view! {
        <Breadcrumb steps=vec![("Home".into(), Some(ente.path(""))), (title.into(), None)] />
        <h1>{title}</h1>
        <p class="lead">{lead}</p>
        <div id=format!("{id}-list")>{remote(list, format!("{id}-error"), loading, render)}</div>
    }
}

#[component]
pub fn NewsList() -> impl IntoView {
    content_list(
        ContentPage {
            title: "Notizie",
            page: "notizie",
            lead: "Avvisi e notizie del Comune per le famiglie.",
            id: "news",
            loading: "Caricamento delle notizie…",
        },
        |slug, page| async move { api::news(&slug, page, PER_PAGE).await },
        |items| view! { <NewsCards items heading_level=2 /> },
    )
}

#[component]
pub fn NewsDetail() -> impl IntoView {
    let ente = use_ente();
    let item = record_in_path("id", move |id| {
        let slug = ente.slug.get();
        async move { api::news_item(&slug, id).await }
    });
    let item_title = move || item.get().and_then(Result::ok).map(|item| item.title);
    Effect::new(move |_| {
        let title = item_title().unwrap_or_else(|| "Notizia".into());
        set_title(&[&title, &ente.name()]);
    });
    let render = move |item: NewsItem| {
        let attachments = (!item.attachments.is_empty()).then(|| {
            view! {
                <h2 class="h5 mt-4">"Allegati"</h2>
                <ul id="news-attachments" class="list-unstyled document-list">
                    {item
                        .attachments
                        .into_iter()
                        .map(|file| {
                            let name = file.file_name.clone();
                            let label = format!(
                                "Scarica {name} ({})",
                                file_size(file.size_bytes)
                            );
                            view! {
                                <li class="document-item" id=format!("news-attachment-{}", file.id)>
                                    <Icon name="file" class="icon-primary document-icon" />
                                    <p class="flex-grow-1 mb-0">{name}</p>
                                    <a
                                        class="btn btn-outline-primary btn-sm btn-icon document-download"
                                        href=file.url
                                        download=file.file_name
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
        });
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
                <div class="news-body" inner_html=item.body_html></div>
                {attachments}
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
    content_list(
        ContentPage {
            title: "Documenti",
            page: "documenti",
            lead: "Moduli, regolamenti e informative pubblicati dal Comune.",
            id: "documents",
            loading: "Caricamento dei documenti…",
        },
        |slug, page| async move { api::documents(&slug, page, PER_PAGE).await },
        |items| view! { <DocumentRows items heading_level=2 /> },
    )
}
