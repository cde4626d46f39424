//! `/{slug}/notizie-e-documenti`: the comune's operators write the news and publish the
//! documents of the comune's public pages: each with its day of publication (a later day
//! schedules it), withdrawn and published again with one button, the news with a preview
//! of their text and with attachments.

use leptos::prelude::*;
use sportello_model::access::Action;
use sportello_model::content::{
    DocumentForm, NewsAttachment, NewsForm, OfficeDocument, OfficeNews, PublicationState,
    FILE_MAX_BYTES,
};
use sportello_model::forms::{size_refusal, upload_hint, UploadInfo};
use sportello_model::letters::body_html;
use sportello_model::{format, FieldError, Page};

use crate::api;
use crate::app::{use_ente, use_page_title, RoleOnly};
use crate::components::{
    area_breadcrumb, described_by, focus_element, paged_table, remote, ButtonFeedback, CardSection,
    ChosenFile, FieldFeedback, PagedTable, SuccessNote, TextAreaField, TextField, UPLOAD_TYPES,
};
use crate::dates;
use crate::forms::{Form, FormAlert, SubmitButton};
use crate::session::use_session;

const PER_PAGE: u64 = 10;
const DAY_MISSING: &str = "Indica il giorno di pubblicazione.";

#[component]
pub fn PublishingPage() -> impl IntoView {
    use_page_title("Notizie e documenti");
    view! {
        <RoleOnly
            allowed=Action::PublishContent
            title="Notizie e documenti"
            id="publishing-not-allowed"
            message="Le notizie e i documenti del Comune sono pubblicati dagli operatori del Comune."
        >
            <Publishing />
        </RoleOnly>
    }
}

#[component]
fn Publishing() -> impl IntoView {
    let ente = use_ente();
    view! {
        {area_breadcrumb(ente, vec![("Notizie e documenti".into(), None)])}
        <h1>"Notizie e documenti"</h1>
        <p class="lead">
            "Le notizie e i documenti delle pagine pubbliche del Comune, visibili a tutti senza accesso dal giorno di pubblicazione finché non li ritiri."
        </p>
        <NewsSection />
        <DocumentsSection />
    }
}

/// The state as a badge: Pubblicata, Programmata, Ritirata.
fn state_badge(id: String, state: PublicationState, label: String) -> impl IntoView {
    let class = match state {
        PublicationState::Published => "badge bg-success",
        PublicationState::Scheduled => "badge bg-primary",
        PublicationState::Withdrawn => "badge bg-secondary",
    };
    view! { <span id=id class=class>{label}</span> }
}

/// The day of the date field, with the rule's other errors: the form `form` with the
/// day read, or every error.
fn with_day<T>(
    day: &str,
    form: impl FnOnce(time::Date) -> T,
    check: impl FnOnce(&T) -> Result<(), Vec<FieldError>>,
) -> Result<T, Vec<FieldError>> {
    let parsed = dates::required_day(day, "published_on", DAY_MISSING);
    let draft = form(*parsed.as_ref().unwrap_or(&dates::today()));
    let mut errors = check(&draft).err().unwrap_or_default();
    if let Err(missing) = parsed {
        errors.push(missing);
    }
    if errors.is_empty() {
        Ok(draft)
    } else {
        Err(errors)
    }
}

/// What a «Ritira» button withdraws.
#[derive(Clone, Copy)]
enum Item {
    News(i64),
    Document(i64),
}

/// «Ritira» for a public or scheduled item, «Ripubblica» for a withdrawn one.
#[component]
fn WithdrawButton(
    id: String,
    item: Item,
    title: String,
    withdrawn: bool,
    done: Callback<String>,
) -> impl IntoView {
    let session = use_session();
    let said = title.clone();
    let form = Form::buttons(
        move |withdraw: bool| async move {
            match item {
                Item::News(id) => api::withdraw_news(session, id, withdraw).await.map(|_| ()),
                Item::Document(id) => api::withdraw_document(session, id, withdraw)
                    .await
                    .map(|_| ()),
            }
        },
        move |()| {
            done.run(if withdrawn {
                format!("«{said}» torna sulle pagine pubbliche dal suo giorno di pubblicazione.")
            } else {
                format!("«{said}» non è più sulle pagine pubbliche.")
            })
        },
    );
    let pending = form.pending();
    let (text, label) = if withdrawn {
        ("Ripubblica", format!("Ripubblica {title}"))
    } else {
        ("Ritira", format!("Ritira {title}"))
    };
    let error_id = format!("{id}-error");
    view! {
        <button
            type="button"
            id=id
            class="btn btn-outline-primary btn-sm"
            aria-label=label
            aria-busy=move || pending.get().then_some("true")
            disabled=move || pending.get()
            on:click=move |_| form.send(!withdrawn)
        >
            {text}
        </button>
        <ButtonFeedback id=error_id problem=Signal::derive(move || form.problem()) />
    }
}

#[component]
fn NewsSection() -> impl IntoView {
    let session = use_session();
    let page = RwSignal::new(1);
    let changed = RwSignal::new(0_u32);
    let done = RwSignal::new(None::<String>);
    // `Some(None)`: a new item; `Some(Some(item))`: the item being changed.
    let editing = RwSignal::new(None::<Option<OfficeNews>>);
    let list = LocalResource::new(move || {
        changed.track();
        api::office_news(session, page.get(), PER_PAGE)
    });
    let reload = Callback::new(move |()| changed.update(|n| *n += 1));
    let said = Callback::new(move |text: String| {
        done.set(Some(text));
        reload.run(());
    });
    let row = move |news: OfficeNews| {
        let id = news.item.id;
        let withdrawn = news.state == PublicationState::Withdrawn;
        let title = news.item.title.clone();
        let edit = news.clone();
        view! {
            <tr id=format!("office-news-{id}")>
                <td>{format::date(news.item.published_on)}</td>
                <td>{news.item.title.clone()}</td>
                <td>{state_badge(format!("office-news-{id}-state"), news.state, news.state_label.clone())}</td>
                <td class="text-end">{news.item.attachments.len()}</td>
                <td>
                    <button
                        type="button"
                        id=format!("office-news-{id}-edit")
                        class="btn btn-outline-primary btn-sm me-2"
                        aria-label=format!("Modifica {title}")
                        on:click=move |_| {
                            editing.set(Some(Some(edit.clone())));
                            focus_element("news-title");
                        }
                    >
                        "Modifica"
                    </button>
                    <WithdrawButton
                        id=format!("office-news-{id}-withdraw")
                        item=Item::News(id)
                        title=title.clone()
                        withdrawn
                        done=said
                    />
                </td>
            </tr>
        }
    };
    let render = move |list: Page<OfficeNews>| {
        let table = PagedTable {
            id: "office-news",
            label: "Notizie",
            class: "",
            empty: "Nessuna notizia: scrivi la prima con «Nuova notizia».",
            focus_to: "office-news-section-title",
        };
        let head = view! {
            <th scope="col">"Pubblicazione"</th>
            <th scope="col">"Titolo"</th>
            <th scope="col">"Stato"</th>
            <th scope="col" class="text-end">"Allegati"</th>
            <th scope="col"><span class="visually-hidden">"Azioni"</span></th>
        };
        paged_table(list, table, page, head, row)
    };
    view! {
        <CardSection id="office-news-section" title="Notizie" focusable=true>
            <button
                type="button"
                id="news-new"
                class="btn btn-primary mb-3"
                on:click=move |_| {
                    done.set(None);
                    editing.set(Some(None));
                    focus_element("news-title");
                }
            >
                "Nuova notizia"
            </button>
            <SuccessNote id="news-done" text=done />
            {move || editing.get().map(|item| view! { <NewsEditor item editing done reload /> })}
            {remote(list, "office-news-error", "Caricamento delle notizie…", render)}
        </CardSection>
    }
}

/// The news item to save, or what is wrong with it, by the model's rule.
fn news_draft(
    title: &str,
    summary: &str,
    body: &str,
    day: &str,
) -> Result<NewsForm, Vec<FieldError>> {
    with_day(
        day,
        |published_on| NewsForm {
            title: title.to_owned(),
            summary: summary.to_owned(),
            body: body.to_owned(),
            published_on,
        },
        |form| form.check(dates::today()),
    )
}

#[component]
fn NewsEditor(
    item: Option<OfficeNews>,
    editing: RwSignal<Option<Option<OfficeNews>>>,
    done: RwSignal<Option<String>>,
    reload: Callback<()>,
) -> impl IntoView {
    let session = use_session();
    let id = item.as_ref().map(|n| n.item.id);
    let heading = if id.is_some() {
        "Modifica la notizia"
    } else {
        "Nuova notizia"
    };
    let attachments = item
        .as_ref()
        .map(|n| n.item.attachments.clone())
        .unwrap_or_default();
    let title = RwSignal::new(
        item.as_ref()
            .map(|n| n.item.title.clone())
            .unwrap_or_default(),
    );
    let summary = RwSignal::new(
        item.as_ref()
            .map(|n| n.item.summary.clone())
            .unwrap_or_default(),
    );
    let body = RwSignal::new(
        item.as_ref()
            .map(|n| n.item.body.clone())
            .unwrap_or_default(),
    );
    let day = RwSignal::new(
        item.as_ref()
            .map_or_else(dates::today, |n| n.item.published_on)
            .to_string(),
    );
    let form = Form::new(
        &[
            ("title", "news-title"),
            ("summary", "news-summary"),
            ("body", "news-body"),
            ("published_on", "news-published-on"),
        ],
        move |_| news_draft(&title.read(), &summary.read(), &body.read(), &day.read()),
        move |news: NewsForm| async move { api::save_news(session, id, &news).await },
        move |saved: OfficeNews| {
            done.set(Some(format!(
                "Notizia «{}» salvata: {}.",
                saved.item.title,
                saved.state_label.to_lowercase()
            )));
            editing.set(Some(Some(saved)));
            reload.run(());
        },
    );
    let preview = move || body_html(&body.read());
    view! {
        <section id="news-editor" class="border rounded p-3 mb-4" aria-labelledby="news-editor-title">
            <h3 id="news-editor-title" class="h5">{heading}</h3>
            <form id="news-form" novalidate on:submit=form.submit()>
                <TextField id="news-title" label="Titolo" value=title error=form.message_on_submit("title") />
                <TextField id="news-summary" label="Sommario (facoltativo)" value=summary error=form.message_on_submit("summary") />
                <TextAreaField
                    id="news-body"
                    label="Testo"
                    value=body
                    rows=6
                    hint=Signal::stored("Formattazione semplice: una riga vuota tra i paragrafi, **grassetto**, *corsivo*, elenchi con «-», link.".to_string())
                    error=form.message_on_submit("body")
                />
                <TextField
                    id="news-published-on"
                    label="Giorno di pubblicazione"
                    value=day
                    kind="date"
                    hint=Signal::stored("Un giorno successivo a oggi programma la pubblicazione.".to_string())
                    error=form.message_on_submit("published_on")
                />
                <h4 class="h6">"Anteprima"</h4>
                <div id="news-preview" class="news-body border rounded p-3 mb-3">
                    {move || view! { <div inner_html=preview()></div> }}
                </div>
                <FormAlert form id="news-form-error" />
                <SubmitButton form id="news-save" label="Salva la notizia" busy="Salvataggio…" />
                <button
                    type="button"
                    id="news-close"
                    class="btn btn-outline-primary ms-2"
                    on:click=move |_| editing.set(None)
                >
                    "Chiudi"
                </button>
            </form>
            {id.map(|id| view! { <NewsAttachments id attachments reload /> })}
        </section>
    }
}

/// The attachments of a saved news item: each with «Rimuovi», and a file field that
/// uploads the file as it is chosen. A file over the limit is refused before it is sent.
#[component]
fn NewsAttachments(
    id: i64,
    attachments: Vec<NewsAttachment>,
    reload: Callback<()>,
) -> impl IntoView {
    let session = use_session();
    let files = RwSignal::new(attachments);
    let too_large = RwSignal::new(None::<String>);
    let upload = Form::buttons(
        move |file: web_sys::File| async move {
            api::attach_to_news(session, id, &file.name(), &file).await
        },
        move |file: NewsAttachment| {
            files.update(|all| all.push(file));
            reload.run(());
        },
    );
    let remove = Form::buttons(
        move |attachment: i64| async move { api::detach_from_news(session, id, attachment).await },
        move |news: OfficeNews| {
            files.set(news.item.attachments);
            reload.run(());
            focus_element("news-file");
        },
    );
    let pending = upload.pending();
    let error = Signal::derive(move || {
        too_large.get().or_else(|| {
            upload.problem().or_else(|| remove.problem()).map(|p| {
                p.errors
                    .first()
                    .map_or(p.detail.clone(), |e| e.message.clone())
            })
        })
    });
    let choose = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let file = input.files().and_then(|list| list.get(0));
        input.set_value("");
        let Some(file) = file else {
            return;
        };
        upload.clear();
        if file.size() > f64::from(FILE_MAX_BYTES) {
            too_large.set(Some(size_refusal(FILE_MAX_BYTES)));
            focus_element("news-file");
            return;
        }
        too_large.set(None);
        upload.send(file);
    };
    view! {
        <div class="mt-4">
            <label for="news-file" class="form-label">"Allegati"</label>
            <input
                type="file"
                id="news-file"
                class="form-control"
                accept=UPLOAD_TYPES
                disabled=move || pending.get()
                aria-invalid=move || if error.with(Option::is_some) { "true" } else { "false" }
                aria-describedby=described_by("news-file", true, error)
                on:change=choose
            />
            <small id="news-file-hint" class="form-text">{upload_hint(FILE_MAX_BYTES)}</small>
            {move || {
                pending
                    .get()
                    .then(|| view! { <p class="small mb-0" role="status">"Caricamento del file…"</p> })
            }}
            <div id="news-attachments">
                {move || {
                    files
                        .get()
                        .into_iter()
                        .map(|a| {
                            let attachment = a.id;
                            let file = UploadInfo {
                                id: a.id,
                                file_name: a.file_name,
                                content_type: a.content_type,
                                size_bytes: a.size_bytes,
                            };
                            let detach = Callback::new(move |()| remove.send(attachment));
                            view! { <ChosenFile id=format!("news-attachment-{attachment}") file remove=detach /> }
                        })
                        .collect_view()
                }}
            </div>
            <FieldFeedback id="news-file-error" error />
        </div>
    }
}

#[component]
fn DocumentsSection() -> impl IntoView {
    let session = use_session();
    let page = RwSignal::new(1);
    let changed = RwSignal::new(0_u32);
    let done = RwSignal::new(None::<String>);
    // `Some(None)`: a new document; `Some(Some(document))`: the one being changed.
    let editing = RwSignal::new(None::<Option<OfficeDocument>>);
    let list = LocalResource::new(move || {
        changed.track();
        api::office_documents(session, page.get(), PER_PAGE)
    });
    let reload = Callback::new(move |()| changed.update(|n| *n += 1));
    let said = Callback::new(move |text: String| {
        done.set(Some(text));
        reload.run(());
    });
    let row = move |document: OfficeDocument| {
        let id = document.item.id;
        let withdrawn = document.state == PublicationState::Withdrawn;
        let title = document.item.title.clone();
        let edit = document.clone();
        view! {
            <tr id=format!("office-document-{id}")>
                <td>{format::date(document.item.published_on)}</td>
                <td>{document.item.title.clone()}</td>
                <td>{document.item.file_name.clone()}</td>
                <td>{state_badge(format!("office-document-{id}-state"), document.state, document.state_label.clone())}</td>
                <td>
                    <button
                        type="button"
                        id=format!("office-document-{id}-edit")
                        class="btn btn-outline-primary btn-sm me-2"
                        aria-label=format!("Modifica {title}")
                        on:click=move |_| {
                            editing.set(Some(Some(edit.clone())));
                            focus_element("document-title");
                        }
                    >
                        "Modifica"
                    </button>
                    <WithdrawButton
                        id=format!("office-document-{id}-withdraw")
                        item=Item::Document(id)
                        title=title.clone()
                        withdrawn
                        done=said
                    />
                </td>
            </tr>
        }
    };
    let render = move |list: Page<OfficeDocument>| {
        let table = PagedTable {
            id: "office-documents",
            label: "Documenti",
            class: "",
            empty: "Nessun documento: pubblica il primo con «Nuovo documento».",
            focus_to: "office-documents-section-title",
        };
        let head = view! {
            <th scope="col">"Pubblicazione"</th>
            <th scope="col">"Titolo"</th>
            <th scope="col">"File"</th>
            <th scope="col">"Stato"</th>
            <th scope="col"><span class="visually-hidden">"Azioni"</span></th>
        };
        paged_table(list, table, page, head, row)
    };
    view! {
        <CardSection id="office-documents-section" title="Documenti" focusable=true>
            <button
                type="button"
                id="document-new"
                class="btn btn-primary mb-3"
                on:click=move |_| {
                    done.set(None);
                    editing.set(Some(None));
                    focus_element("document-title");
                }
            >
                "Nuovo documento"
            </button>
            <SuccessNote id="document-done" text=done />
            {move || editing.get().map(|item| view! { <DocumentEditor item editing done reload /> })}
            {remote(list, "office-documents-error", "Caricamento dei documenti…", render)}
        </CardSection>
    }
}

/// What the document form sends: a new document with its file, or the changes of one.
#[derive(Clone)]
enum DocumentDraft {
    New(DocumentForm, web_sys::File),
    /// The details, and the file that replaces the document's if one was chosen.
    Changed(i64, DocumentForm, Option<web_sys::File>),
}

#[component]
fn DocumentEditor(
    item: Option<OfficeDocument>,
    editing: RwSignal<Option<Option<OfficeDocument>>>,
    done: RwSignal<Option<String>>,
    reload: Callback<()>,
) -> impl IntoView {
    let session = use_session();
    let id = item.as_ref().map(|d| d.item.id);
    let heading = if id.is_some() {
        "Modifica il documento"
    } else {
        "Nuovo documento"
    };
    let title = RwSignal::new(
        item.as_ref()
            .map(|d| d.item.title.clone())
            .unwrap_or_default(),
    );
    let description = RwSignal::new(
        item.as_ref()
            .map(|d| d.item.description.clone())
            .unwrap_or_default(),
    );
    let day = RwSignal::new(
        item.as_ref()
            .map_or_else(dates::today, |d| d.item.published_on)
            .to_string(),
    );
    let file = RwSignal::new_local(None::<web_sys::File>);
    let form = Form::new(
        &[
            ("title", "document-title"),
            ("description", "document-description"),
            ("published_on", "document-published-on"),
            ("file", "document-file"),
        ],
        move |_| {
            let details = with_day(
                &day.read(),
                |published_on| DocumentForm {
                    title: title.get(),
                    description: description.get(),
                    published_on,
                },
                |form| form.check(dates::today()),
            );
            let chosen = file.get();
            match (id, details, chosen) {
                (Some(id), Ok(details), chosen) => Ok(DocumentDraft::Changed(id, details, chosen)),
                (None, Ok(details), Some(chosen)) => Ok(DocumentDraft::New(details, chosen)),
                (None, details, None) => {
                    let mut errors = details.err().unwrap_or_default();
                    errors.push(FieldError::new("file", "Scegli il file del documento."));
                    Err(errors)
                }
                (_, Err(errors), _) => Err(errors),
            }
        },
        move |draft: DocumentDraft| async move {
            match draft {
                DocumentDraft::New(details, chosen) => {
                    api::create_document(session, &details, &chosen.name(), &chosen).await
                }
                DocumentDraft::Changed(id, details, chosen) => {
                    let saved = api::update_document(session, id, &details).await?;
                    match chosen {
                        Some(chosen) => {
                            api::replace_document_file(session, id, &chosen.name(), &chosen).await
                        }
                        None => Ok(saved),
                    }
                }
            }
        },
        move |saved: OfficeDocument| {
            done.set(Some(format!(
                "Documento «{}» salvato: {}.",
                saved.item.title,
                saved.state_label.to_lowercase()
            )));
            editing.set(None);
            reload.run(());
        },
    );
    let file_error = form.message_on_submit("file");
    let choose = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        file.set(input.files().and_then(|list| list.get(0)));
    };
    view! {
        <section id="document-editor" class="border rounded p-3 mb-4" aria-labelledby="document-editor-title">
            <h3 id="document-editor-title" class="h5">{heading}</h3>
            <form id="document-form" novalidate on:submit=form.submit()>
                <TextField id="document-title" label="Titolo" value=title error=form.message_on_submit("title") />
                <TextAreaField
                    id="document-description"
                    label="Descrizione (facoltativa)"
                    value=description
                    error=form.message_on_submit("description")
                />
                <TextField
                    id="document-published-on"
                    label="Giorno di pubblicazione"
                    value=day
                    kind="date"
                    hint=Signal::stored("Un giorno successivo a oggi programma la pubblicazione.".to_string())
                    error=form.message_on_submit("published_on")
                />
                {view! {
                    <div class="mb-4">
                        <label for="document-file" class="form-label">
                            {if id.is_some() { "Sostituisci il file (facoltativo)" } else { "File" }}
                        </label>
                        <input
                            type="file"
                            id="document-file"
                            class="form-control"
                            accept=UPLOAD_TYPES
                            aria-invalid=move || if file_error.with(Option::is_some) { "true" } else { "false" }
                            aria-describedby=described_by("document-file", true, file_error)
                            on:change=choose
                        />
                        <small id="document-file-hint" class="form-text">{upload_hint(FILE_MAX_BYTES)}</small>
                        <FieldFeedback id="document-file-error" error=file_error />
                    </div>
                }}
                <FormAlert form id="document-form-error" />
                <SubmitButton form id="document-save" label="Salva il documento" busy="Salvataggio…" />
                <button
                    type="button"
                    id="document-close"
                    class="btn btn-outline-primary ms-2"
                    on:click=move |_| editing.set(None)
                >
                    "Chiudi"
                </button>
            </form>
        </section>
    }
}
