//! `/{slug}/comunicazioni`: for families, the letters of the comune, newest first, the
//! unread ones marked; opening one shows its text and attachment and marks it read;
//! *Scarica* saves its PDF. For operators, *Nuova comunicazione* (audience, kind, title,
//! text with simple formatting, one attached file, urgent SMS for service notices), its
//! *Anteprima* with the number of families, *Invia*, and the history of what was sent.

use leptos::prelude::*;
use sportello_model::access::Action;
use sportello_model::forms::{size_refusal, upload_hint, UploadInfo};
use sportello_model::letters::{
    Audience, AudienceChoices, CommunicationPreview, CommunicationSummary, FamilyChoice, Letter,
    LetterDetail, LetterKind, NewCommunication, ATTACHMENT_MAX_BYTES, BODY_MAX_CHARS,
    TITLE_MAX_CHARS,
};
use sportello_model::paths::{self, BASE};
use sportello_model::{format, rome, FieldError, Page};

use crate::api;
use crate::app::{use_ente, use_page_title, use_unread_badge, RoleOnly};
use crate::components::{
    area_breadcrumb, described_by, focus_element, paged_list, remote, CardSection, ChosenFile,
    FieldFeedback, PdfButton, SelectField, SuccessNote, TextAreaField, TextField, UPLOAD_TYPES,
};
use crate::forms::{Form, FormAlert, SubmitButton};
use crate::session::use_session;

const PER_PAGE: u64 = 10;

/// `/{slug}/comunicazioni`: the operators' page for those who send, the family's letters
/// for everyone else who may read them.
#[component]
pub fn LettersPage() -> impl IntoView {
    use_page_title("Comunicazioni");
    let ente = use_ente();
    let session = use_session();
    let sends = Memo::new(move |_| {
        session
            .role_in(&ente.slug.get())
            .is_some_and(|role| role.may(Action::SendCommunications))
    });
    view! {
        <Show
            when=move || sends.get()
            fallback=|| {
                view! {
                    <RoleOnly
                        allowed=Action::ReadLetters
                        title="Comunicazioni"
                        id="letters-not-allowed"
                        message="Le comunicazioni del Comune sono inviate alle famiglie: le leggono l'intestatario e il delegato."
                    >
                        <MyLetters />
                    </RoleOnly>
                }
            }
        >
            <RoleOnly
                allowed=Action::SendCommunications
                title="Comunicazioni"
                id="communications-not-allowed"
                message="Le comunicazioni alle famiglie sono inviate dagli operatori del Comune."
            >
                <Communications />
            </RoleOnly>
        </Show>
    }
}

// Families.

#[component]
fn MyLetters() -> impl IntoView {
    let ente = use_ente();
    let session = use_session();
    let page = RwSignal::new(1);
    let letters = LocalResource::new(move || api::my_letters(session, page.get(), PER_PAGE));
    let render = move |list: Page<Letter>| {
        paged_list(
            list,
            "letters",
            "list-unstyled payment-list",
            "Non ci sono comunicazioni.",
            page,
            move |letter| view! { <LetterItem letter /> },
        )
    };
    view! {
        {area_breadcrumb(ente, vec![("Comunicazioni".into(), None)])}
        <h1 id="letters-title" tabindex="-1">"Comunicazioni"</h1>
        <p class="lead">
            "Le comunicazioni del Comune sui servizi scolastici: informative, solleciti, emissioni, documenti per la detrazione fiscale, esiti dei moduli e avvisi di servizio."
        </p>
        {remote(letters, "letters-load-error", "Caricamento delle comunicazioni…", render)}
    }
}

fn sent_on(letter: &Letter) -> String {
    format!(
        "{} - {}",
        letter.kind_label,
        format::date(rome::local(letter.sent_at).date())
    )
}

#[component]
fn LetterItem(letter: Letter) -> impl IntoView {
    let session = use_session();
    let badge = use_unread_badge();
    let id = letter.id;
    let unread = RwSignal::new(letter.read_at.is_none());
    let detail = RwSignal::new(None::<LetterDetail>);
    let shown = RwSignal::new(false);
    let open = Form::buttons(
        move |id: i64| async move { api::open_letter(session, id).await },
        move |opened: LetterDetail| {
            detail.set(Some(opened));
            shown.set(true);
            if unread.get_untracked() {
                unread.set(false);
                badge.refresh();
            }
            focus_element(&format!("letter-{id}-text"));
        },
    );
    let opening = open.pending();
    let toggle = move |_| {
        if shown.get_untracked() {
            shown.set(false);
        } else if detail.with_untracked(Option::is_some) {
            shown.set(true);
        } else {
            open.send(id);
        }
    };
    let title = letter.title.clone();
    let label = title.clone();
    let body = move || {
        let opened = detail.get().filter(|_| shown.get())?;
        let attachment = opened.attachment.clone().map(|file| {
            view! {
                <PdfButton
                    id=format!("letter-{id}-attachment")
                    label=format!("Scarica allegato {}", file.file_name)
                    text="Scarica allegato"
                    url=format!("{BASE}{}", paths::my_letter_attachment(id))
                    file_name=file.file_name.clone()
                />
            }
        });
        Some(view! {
            <div id=format!("letter-{id}-text") class="letter-text mt-3" tabindex="-1">
                <div inner_html=opened.body_html.clone()></div>
                {attachment}
            </div>
        })
    };
    view! {
        <li id=format!("letter-{id}") class="payment-item flex-wrap">
            <div class="payment-item-main">
                <p class="small mb-1">{sent_on(&letter)}</p>
                <h2 class="h6 mb-1">
                    {title.clone()}
                    {move || {
                        unread
                            .get()
                            .then(|| {
                                view! {
                                    <span id=format!("letter-{id}-unread") class="badge bg-danger ms-2">
                                        "Da leggere"
                                    </span>
                                }
                            })
                    }}
                </h2>
                <p id=format!("letter-{id}-delivery") class="small mb-0">
                    {letter.delivery_line.clone()}
                </p>
            </div>
            <div class="payment-item-actions">
                <button
                    type="button"
                    id=format!("letter-{id}-open")
                    class="btn btn-primary btn-sm"
                    aria-expanded=move || shown.get().to_string()
                    aria-label=move || {
                        format!(
                            "{} la comunicazione {label}",
                            if shown.get() { "Chiudi" } else { "Leggi" },
                        )
                    }
                    disabled=move || opening.get()
                    on:click=toggle
                >
                    {move || if shown.get() { "Chiudi" } else { "Leggi" }}
                </button>
                <PdfButton
                    id=format!("letter-{id}-pdf")
                    label=format!("Scarica PDF della comunicazione {title}")
                    url=format!("{BASE}{}", paths::my_letter_pdf(id))
                    file_name=format!("comunicazione-{id}.pdf")
                />
            </div>
            <div class="w-100">
                <FormAlert form=open id="letter-open-error" />
                {body}
            </div>
        </li>
    }
}

// Operators.

#[component]
fn Communications() -> impl IntoView {
    let ente = use_ente();
    let session = use_session();
    let page = RwSignal::new(1);
    let history = LocalResource::new(move || api::communications(session, page.get(), PER_PAGE));
    let choices = LocalResource::new(move || api::audience_choices(session));
    let sent = Callback::new(move |()| history.refetch());
    let render = move |list: Page<CommunicationSummary>| {
        paged_list(
            list,
            "communications",
            "list-unstyled payment-list",
            "Non è ancora stata inviata alcuna comunicazione.",
            page,
            move |item| view! { <SentItem item /> },
        )
    };
    view! {
        {area_breadcrumb(ente, vec![("Comunicazioni".into(), None)])}
        <h1 id="communications-page-title" tabindex="-1">"Comunicazioni"</h1>
        {remote(
            choices,
            "audience-load-error",
            "Caricamento dei destinatari…",
            move |choices| view! { <Compose choices sent /> },
        )}
        <h2 id="communications-title" class="h4" tabindex="-1">"Comunicazioni inviate"</h2>
        {remote(history, "communications-load-error", "Caricamento delle comunicazioni…", render)}
    }
}

#[component]
fn SentItem(item: CommunicationSummary) -> impl IntoView {
    let id = item.id;
    let sent = rome::local(item.sent_at);
    view! {
        <li id=format!("communication-{id}") class="payment-item">
            <div class="payment-item-main">
                <p class="small mb-1">
                    {format!(
                        "{} - {} alle {}",
                        item.kind_label,
                        format::date(sent.date()),
                        format::hour_minute(sent.time()),
                    )}
                </p>
                <h3 class="h6 mb-1">
                    {item.title.clone()}
                    {item.urgent.then(|| view! { <span class="badge bg-danger ms-2">"Urgente"</span> })}
                </h3>
                <p class="small mb-0">{item.audience_label.clone()}</p>
                <p id=format!("communication-{id}-counts") class="small mb-0">
                    {format!("Destinatari: {} · Lette: {}", item.recipients, item.read)}
                </p>
            </div>
        </li>
    }
}

/// Which audience the operator chose, as the select's value.
const AUDIENCES: [(&str, &str); 5] = [
    ("school", "Le famiglie di una scuola"),
    ("class", "Le famiglie di una classe"),
    ("service", "Le famiglie di un servizio"),
    ("negative_balance", "Le famiglie con saldo negativo"),
    ("families", "Famiglie scelte per nome"),
];

/// Where each field of the composition is on the page, for the focus on an error.
const FIELDS: &[(&str, &str)] = &[
    ("kind", "compose-kind"),
    ("audience", "compose-audience"),
    ("audience.service_id", "compose-service"),
    ("audience.school", "compose-school"),
    ("audience.class_name", "compose-class"),
    ("audience.guardian_ids", "compose-search"),
    ("title", "compose-subject"),
    ("body", "compose-body"),
    ("attachment_id", "compose-file"),
    ("urgent", "compose-urgent"),
];

fn missing(field: &str, message: &str) -> Vec<FieldError> {
    vec![FieldError::new(field, message)]
}

/// The composition as typed, checked by the model's rule.
struct Typed {
    kind: RwSignal<String>,
    audience: RwSignal<String>,
    service: RwSignal<String>,
    school: RwSignal<String>,
    class_name: RwSignal<String>,
    chosen: RwSignal<Vec<FamilyChoice>>,
    title: RwSignal<String>,
    body: RwSignal<String>,
    attachment: RwSignal<Option<UploadInfo>>,
    urgent: RwSignal<bool>,
}

impl Clone for Typed {
    fn clone(&self) -> Self {
        *self
    }
}

impl Copy for Typed {}

impl Typed {
    fn draft(self, request_id: &str) -> Result<NewCommunication, Vec<FieldError>> {
        let kind = LetterKind::parse(&self.kind.get())
            .ok_or_else(|| missing("kind", "Scegli il tipo di comunicazione."))?;
        let audience = match self.audience.get().as_str() {
            "service" => Audience::Service {
                service_id: self
                    .service
                    .get()
                    .parse()
                    .map_err(|_| missing("audience.service_id", "Scegli il servizio."))?,
            },
            "school" => Audience::School {
                school: self.school.get(),
            },
            "class" => Audience::Class {
                school: self.school.get(),
                class_name: self.class_name.get(),
            },
            "negative_balance" => Audience::NegativeBalance,
            "families" => Audience::Families {
                guardian_ids: self.chosen.get().iter().map(|f| f.guardian_id).collect(),
            },
            _ => return Err(missing("audience", "Scegli i destinatari.")),
        };
        let communication = NewCommunication {
            request_id: request_id.to_owned(),
            kind,
            title: self.title.get(),
            body: self.body.get(),
            audience,
            urgent: self.urgent.get() && kind == LetterKind::ServiceNotice,
            attachment_id: self
                .attachment
                .with(|file| file.as_ref().map(|file| file.id)),
        };
        communication.check()?;
        Ok(communication)
    }
}

#[component]
fn Compose(choices: AudienceChoices, sent: Callback<()>) -> impl IntoView {
    let session = use_session();
    let typed = Typed {
        kind: RwSignal::new(LetterKind::Information.as_str().to_owned()),
        audience: RwSignal::new("school".to_owned()),
        service: RwSignal::new(String::new()),
        school: RwSignal::new(String::new()),
        class_name: RwSignal::new(String::new()),
        chosen: RwSignal::new(Vec::new()),
        title: RwSignal::new(String::new()),
        body: RwSignal::new(String::new()),
        attachment: RwSignal::new(None),
        urgent: RwSignal::new(false),
    };
    let preview = RwSignal::new(None::<CommunicationPreview>);
    let done = RwSignal::new(None::<String>);
    let show = Form::new(
        FIELDS,
        move |request_id| typed.draft(request_id),
        move |communication: NewCommunication| async move {
            api::preview_communication(session, &communication).await
        },
        move |seen: CommunicationPreview| {
            preview.set(Some(seen));
            focus_element("compose-preview");
        },
    );
    let send = Form::new(
        FIELDS,
        move |request_id| typed.draft(request_id),
        move |communication: NewCommunication| async move {
            api::send_communication(session, &communication).await
        },
        move |summary: CommunicationSummary| {
            preview.set(None);
            typed.title.set(String::new());
            typed.body.set(String::new());
            typed.attachment.set(None);
            typed.urgent.set(false);
            typed.chosen.set(Vec::new());
            done.set(Some(format!(
                "Comunicazione «{}» inviata a {} famiglie.",
                summary.title, summary.recipients
            )));
            sent.run(());
            focus_element("compose-done");
        },
    );
    // What the preview shows is what is typed: a change hides it until it is asked again.
    Effect::new(move |_| {
        let _ = typed.draft("");
        preview.set(None);
    });

    let kinds: Vec<(String, String)> = LetterKind::ALL
        .iter()
        .map(|k| (k.as_str().to_owned(), k.label().to_owned()))
        .collect();
    let audiences: Vec<(String, String)> = AUDIENCES
        .iter()
        .map(|(value, label)| ((*value).to_owned(), (*label).to_owned()))
        .collect();
    let services: Vec<(String, String)> = std::iter::once((String::new(), "Scegli…".to_owned()))
        .chain(
            choices
                .services
                .iter()
                .map(|s| (s.id.to_string(), s.name.clone())),
        )
        .collect();
    let schools = choices.schools.clone();
    let school_options: Vec<(String, String)> =
        std::iter::once((String::new(), "Scegli…".to_owned()))
            .chain(schools.iter().map(|s| (s.school.clone(), s.school.clone())))
            .collect();
    let class_options = Signal::derive(move || {
        let school = typed.school.get();
        std::iter::once((String::new(), "Scegli…".to_owned()))
            .chain(
                schools
                    .iter()
                    .filter(|s| s.school == school)
                    .flat_map(|s| s.classes.iter().map(|c| (c.clone(), c.clone()))),
            )
            .collect::<Vec<_>>()
    });
    let audience_is = move |value: &'static str| move || typed.audience.get() == value;
    let filled = |signal: RwSignal<String>| Signal::derive(move || !signal.with(String::is_empty));
    let title_error = send.message("title", filled(typed.title));
    let body_error = send.message("body", filled(typed.body));
    let kind_error = send.message_on_submit("kind");
    let audience_error = send.message_on_submit("audience");
    let service_error = send.message_on_submit("audience.service_id");
    let school_error = send.message_on_submit("audience.school");
    let class_error = send.message_on_submit("audience.class_name");
    let urgent_error = send.message_on_submit("urgent");
    let notice = move || typed.kind.get() == LetterKind::ServiceNotice.as_str();

    view! {
        <CardSection id="compose" title="Nuova comunicazione" class="mb-5">
            <form id="compose-form" novalidate on:submit=show.submit_clearing(done)>
                <SelectField id="compose-kind" label="Tipo" value=typed.kind options=kinds error=kind_error />
                <SelectField
                    id="compose-audience"
                    label="Destinatari"
                    value=typed.audience
                    options=audiences
                    error=audience_error
                />
                <Show when=audience_is("service")>
                    <SelectField
                        id="compose-service"
                        label="Servizio"
                        value=typed.service
                        options=services.clone()
                        error=service_error
                    />
                </Show>
                <Show when=move || audience_is("school")() || audience_is("class")()>
                    <SelectField
                        id="compose-school"
                        label="Scuola"
                        value=typed.school
                        options=school_options.clone()
                        error=school_error
                    />
                </Show>
                <Show when=audience_is("class")>
                    <SelectField
                        id="compose-class"
                        label="Classe"
                        value=typed.class_name
                        options=class_options
                        error=class_error
                    />
                </Show>
                <Show when=audience_is("families")>
                    <ChooseFamilies chosen=typed.chosen form=send />
                </Show>
                <TextField
                    id="compose-subject"
                    label="Oggetto"
                    value=typed.title
                    error=title_error
                    hint=Signal::stored(format!("Al massimo {TITLE_MAX_CHARS} caratteri."))
                />
                <TextAreaField
                    id="compose-body"
                    label="Testo"
                    value=typed.body
                    error=body_error
                    rows=8
                    hint=Signal::stored(format!(
                        "Un paragrafo per riga vuota; **grassetto**, elenchi con «- » a inizio riga, link come [testo](https://…). Al massimo {BODY_MAX_CHARS} caratteri.",
                    ))
                />
                <AttachFile attachment=typed.attachment form=send />
                <Show when=notice>
                    <div class="form-check mb-4">
                        <input
                            id="compose-urgent"
                            type="checkbox"
                            prop:checked=move || typed.urgent.get()
                            on:change=move |ev| typed.urgent.set(event_target_checked(&ev))
                        />
                        <label for="compose-urgent">"Avviso urgente: invia anche un SMS"</label>
                        <FieldFeedback id="compose-urgent-error" error=urgent_error />
                    </div>
                </Show>
                <FormAlert form=show id="compose-preview-error" />
                <SubmitButton form=show id="compose-preview-submit" label="Anteprima" busy="Anteprima…" />
            </form>
            {move || {
                preview
                    .get()
                    .map(|seen| {
                        view! {
                            <section
                                id="compose-preview"
                                class="mt-4 border rounded p-3"
                                tabindex="-1"
                                aria-labelledby="compose-preview-title"
                            >
                                <h3 id="compose-preview-title" class="h5">
                                    "Anteprima"
                                </h3>
                                <p id="compose-recipients">
                                    {format!("{}: {} famiglie", seen.audience_label, seen.recipients)}
                                </p>
                                <p class="small mb-1">{seen.kind_label.clone()}</p>
                                <p class="h6">{seen.title.clone()}</p>
                                <div inner_html=seen.body_html.clone()></div>
                                {typed
                                    .attachment
                                    .get()
                                    .map(|file| {
                                        view! {
                                            <p id="compose-preview-attachment" class="small">
                                                {format!("Allegato: {}", file.file_name)}
                                            </p>
                                        }
                                    })}
                                <form id="compose-send-form" novalidate on:submit=send.submit()>
                                    <FormAlert form=send id="compose-send-error" />
                                    <SubmitButton form=send id="compose-send" label="Invia" busy="Invio…" />
                                </form>
                            </section>
                        }
                    })
            }}
            <SuccessNote id="compose-done" text=done />
        </CardSection>
    }
}

/// Allegato: one PDF, JPEG or PNG file for the communication, kept by the server as soon
/// as it is chosen; its name and size are shown with «Rimuovi». A file over the limit is
/// refused before it is sent.
#[component]
fn AttachFile(
    attachment: RwSignal<Option<UploadInfo>>,
    form: Form<NewCommunication>,
) -> impl IntoView {
    let session = use_session();
    let too_large = RwSignal::new(None::<String>);
    let upload = Form::buttons(
        move |file: web_sys::File| async move {
            api::attach_to_communication(session, &file.name(), &file).await
        },
        move |file: UploadInfo| attachment.set(Some(file)),
    );
    let pending = upload.pending();
    let sent_error = form.message_on_submit("attachment_id");
    let error = Signal::derive(move || {
        too_large
            .get()
            .or_else(|| {
                upload.problem().map(|p| {
                    p.errors
                        .first()
                        .map_or(p.detail.clone(), |e| e.message.clone())
                })
            })
            .or_else(|| sent_error.get())
    });
    let choose = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let file = input.files().and_then(|list| list.get(0));
        input.set_value("");
        let Some(file) = file else {
            return;
        };
        upload.clear();
        if file.size() > f64::from(ATTACHMENT_MAX_BYTES) {
            too_large.set(Some(size_refusal(ATTACHMENT_MAX_BYTES)));
            focus_element("compose-file");
            return;
        }
        too_large.set(None);
        upload.send(file);
    };
    let remove = Callback::new(move |()| {
        attachment.set(None);
        focus_element("compose-file");
    });
    view! {
        <div class="mb-4">
            <label for="compose-file" class="form-label">"Allegato (facoltativo)"</label>
            <input
                type="file"
                id="compose-file"
                class="form-control"
                accept=UPLOAD_TYPES
                disabled=move || pending.get()
                aria-invalid=move || if error.with(Option::is_some) { "true" } else { "false" }
                aria-describedby=described_by("compose-file", true, error)
                on:change=choose
            />
            <small id="compose-file-hint" class="form-text">
                {upload_hint(ATTACHMENT_MAX_BYTES)}
            </small>
            {move || {
                pending
                    .get()
                    .then(|| view! { <p class="small mb-0" role="status">"Caricamento del file…"</p> })
            }}
            {move || attachment.get().map(|file| view! { <ChosenFile id="compose-file" file remove /> })}
            <FieldFeedback id="compose-file-error" error />
        </div>
    }
}

/// Famiglie scelte: a search by name or codice fiscale, and the families chosen so far.
#[component]
fn ChooseFamilies(
    chosen: RwSignal<Vec<FamilyChoice>>,
    form: Form<NewCommunication>,
) -> impl IntoView {
    let session = use_session();
    let text = RwSignal::new(String::new());
    let found = RwSignal::new(Vec::<FamilyChoice>::new());
    let search = Form::buttons(
        move |text: String| async move { api::search_families(session, &text).await },
        move |families: Vec<FamilyChoice>| found.set(families),
    );
    let chosen_error = form.message_on_submit("audience.guardian_ids");
    let search_error = Signal::derive(move || {
        search
            .problem()
            .map(|p| {
                p.errors
                    .first()
                    .map_or(p.detail.clone(), |e| e.message.clone())
            })
            .or_else(|| chosen_error.get())
    });
    let add = move |family: FamilyChoice| {
        chosen.update(|list| {
            if !list.iter().any(|f| f.guardian_id == family.guardian_id) {
                list.push(family);
            }
        })
    };
    view! {
        <div class="mb-4">
            <TextField id="compose-search" label="Cerca una famiglia (nome o codice fiscale)" value=text error=search_error />
            <button
                type="button"
                id="compose-search-button"
                class="btn btn-outline-primary btn-sm mb-3"
                on:click=move |_| search.send(text.get_untracked())
            >
                "Cerca"
            </button>
            <ul id="compose-found" class="list-unstyled">
                {move || {
                    found
                        .get()
                        .into_iter()
                        .map(|family| {
                            let id = family.guardian_id;
                            let label = format!("Aggiungi {}", family.name);
                            let text = format!("{} ({})", family.name, family.fiscal_code);
                            view! {
                                <li class="d-flex align-items-center gap-2 mb-1">
                                    <span>{text}</span>
                                    <button
                                        type="button"
                                        id=format!("compose-add-{id}")
                                        class="btn btn-outline-primary btn-sm"
                                        aria-label=label
                                        on:click=move |_| add(family.clone())
                                    >
                                        "Aggiungi"
                                    </button>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
            <p class="mb-1">"Famiglie scelte:"</p>
            <ul id="compose-chosen">
                {move || {
                    chosen
                        .get()
                        .into_iter()
                        .map(|family| {
                            let id = family.guardian_id;
                            view! {
                                <li>
                                    {family.name.clone()}
                                    <button
                                        type="button"
                                        class="btn btn-link btn-sm"
                                        aria-label=format!("Togli {}", family.name)
                                        on:click=move |_| chosen.update(|list| list.retain(|f| f.guardian_id != id))
                                    >
                                        "Togli"
                                    </button>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
        </div>
    }
}
