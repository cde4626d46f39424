//! Lists page by page: one page of a list or a table inside a page ([`paged_list`],
//! [`paged_table`], with [`PageButtons`]), or a list that is the whole page ([`Pager`],
//! `?pagina=`); the buttons that filter a list ([`FilterButtons`]).

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use sportello_model::Page;

use super::focus_element;

/// "Pagina precedente · Pagina 2 di 5 · Pagina successiva": `step(id, page, text)` is the
/// link or button to another page.
fn pager_nav<V: IntoView>(
    id: String,
    class: &'static str,
    current: u64,
    pages: u64,
    step: impl Fn(String, u64, &'static str) -> V,
) -> impl IntoView {
    (pages > 1).then(|| {
        let (prev, next) = (format!("{id}-prev"), format!("{id}-next"));
        view! {
            <nav id=id class=format!("pager d-flex {class}") aria-label="Pagine">
                {(current > 1).then(|| step(prev, current - 1, "Pagina precedente"))}
                <span>{format!("Pagina {current} di {pages}")}</span>
                {(current < pages).then(|| step(next, current + 1, "Pagina successiva"))}
            </nav>
        }
    })
}

/// "Pagina 2 di 5" with buttons for the previous and next page of a list shown inside a
/// page; after a change the focus goes to `focus_to` (the list's heading).
#[component]
pub fn PageButtons(
    #[prop(into)] id: String,
    page: RwSignal<u64>,
    pages: u64,
    #[prop(into)] focus_to: String,
) -> impl IntoView {
    let step = move |button_id: String, to: u64, text: &'static str| {
        let focus_to = focus_to.clone();
        let go = move |_| {
            page.set(to);
            focus_element(&focus_to);
        };
        view! {
            <button type="button" id=button_id class="btn btn-outline-primary btn-sm" on:click=go>
                {text}
            </button>
        }
    };
    pager_nav(
        id,
        "flex-wrap align-items-center gap-2 mt-3",
        page.get_untracked(),
        pages,
        step,
    )
}

/// One page of a list shown inside a page: its items in the list `id`, then the
/// [`PageButtons`] `{id}-pager` that take the focus back to the heading `{id}-title`; or
/// `empty` (`{id}-empty`) when the list has nothing.
pub fn paged_list<T, V: IntoView + 'static>(
    list: Page<T>,
    id: &'static str,
    class: &'static str,
    empty: &'static str,
    page: RwSignal<u64>,
    item: impl Fn(T) -> V,
) -> AnyView {
    if list.items.is_empty() {
        return view! { <p id=format!("{id}-empty")>{empty}</p> }.into_any();
    }
    let pages = list.total_pages();
    view! {
        <ul id=id class=class>
            {list.items.into_iter().map(item).collect_view()}
        </ul>
        <PageButtons id=format!("{id}-pager") page pages focus_to=format!("{id}-title") />
    }
    .into_any()
}

/// A table that shows one page of a list inside a page.
pub struct PagedTable {
    /// The table's id; `{id}-empty` is the note of an empty list, `{id}-pager` the
    /// [`PageButtons`].
    pub id: &'static str,
    /// What the table's scrollable region is called for screen readers.
    pub label: &'static str,
    /// The table's classes besides `table table-sm`.
    pub class: &'static str,
    /// What an empty list says.
    pub empty: &'static str,
    /// Where the focus goes after a change of page: the list's heading.
    pub focus_to: &'static str,
}

/// One page of a list as the table `table`: the header cells `head` (the `th`s), a row
/// per item, then the [`PageButtons`]; or the empty note when the list has nothing.
pub fn paged_table<T, H: IntoView + 'static, V: IntoView + 'static>(
    list: Page<T>,
    table: PagedTable,
    page: RwSignal<u64>,
    head: H,
    row: impl Fn(T) -> V,
) -> AnyView {
    let PagedTable {
        id,
        label,
        class,
        empty,
        focus_to,
    } = table;
    if list.items.is_empty() {
        return view! { <p id=format!("{id}-empty")>{empty}</p> }.into_any();
    }
    let pages = list.total_pages();
    view! {
        <div class="table-responsive" tabindex="0" role="region" aria-label=label>
            <table id=id class=format!("table table-sm {class}")>
                <thead>
                    <tr>{head}</tr>
                </thead>
                <tbody>{list.items.into_iter().map(row).collect_view()}</tbody>
            </table>
        </div>
        <PageButtons id=format!("{id}-pager") page pages focus_to />
    }
    .into_any()
}

/// Buttons that each show the list filtered by one value, `(value, id, text)` of
/// `choices`, the chosen one pressed; a choice takes the list back to its first page.
#[component]
pub fn FilterButtons<T: Copy + PartialEq + Send + Sync + 'static>(
    /// What the group filters by, for screen readers.
    label: &'static str,
    choices: Vec<(T, String, &'static str)>,
    chosen: RwSignal<T>,
    page: RwSignal<u64>,
) -> impl IntoView {
    let button = move |(value, id, text): (T, String, &'static str)| {
        let pressed = move || chosen.get() == value;
        view! {
            <button
                type="button"
                id=id
                class=move || {
                    if pressed() { "btn btn-primary btn-sm" } else { "btn btn-outline-primary btn-sm" }
                }
                aria-pressed=move || pressed().to_string()
                on:click=move |_| {
                    chosen.set(value);
                    page.set(1);
                }
            >
                {text}
            </button>
        }
    };
    view! {
        <div class="d-flex flex-wrap gap-2 mb-3" role="group" aria-label=label>
            {choices.into_iter().map(button).collect_view()}
        </div>
    }
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

/// "Pagina 2 di 3" with links to the previous and next pages of the list at `href`
/// (`?pagina=`, which [`use_page_number`] reads): a list that is the whole page.
#[component]
pub fn Pager(
    #[prop(into)] id: String,
    #[prop(into)] href: String,
    current: u64,
    pages: u64,
) -> impl IntoView {
    let step = move |link_id: String, to: u64, text: &'static str| {
        view! {
            <a id=link_id class="btn btn-outline-primary btn-sm" href=format!("{href}?pagina={to}")>
                {text}
            </a>
        }
    };
    pager_nav(id, "align-items-center gap-3 mt-4", current, pages, step)
}
