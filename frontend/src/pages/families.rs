//! Famiglie, for the comune's office: `/{slug}/famiglie` finds a family by a name, a
//! codice fiscale or a badge; `/{slug}/famiglie/{id}` is the family page — guardian,
//! delegates, children with their service cards, accounts and balances, rette, letters;
//! the office edits the family there (`family_edit`) and creates one on the search page.

use leptos::prelude::*;
use sportello_model::access::Action;
use sportello_model::contacts::{display, ContactKind};
use sportello_model::entes::ServiceKind;
use sportello_model::payments::{EmissionDetail, EmissionStatus, EmissionSummary};
use sportello_model::registry::{FamilyDetail, FamilyHit, FamilyPerson};
use sportello_model::rette::EmissionCancellation;
use sportello_model::{format, Page};

use crate::api;
use crate::app::{use_ente, use_page_title, RoleOnly};
use crate::components::{
    address_with, area_breadcrumb, focus_element, paged_list, record_in_path, remote, set_title,
    CardSection, SuccessNote, TextField,
};
use crate::forms::{Form, FormAlert, SubmitButton};
use crate::pages::children::ServiceCard;
use crate::pages::enrolments::EnrolmentEditor;
use crate::pages::family_edit::{
    ChildEditor, DelegateChildrenEditor, DelegateEditor, Editing, GuardianEditor, NewFamily,
    RemoveDelegate,
};
use crate::session::use_session;

const PER_PAGE: u64 = 20;
const NOT_ALLOWED: &str = "Le famiglie del Comune sono consultate dagli operatori del Comune.";

/// `/{slug}/famiglie`.
#[component]
pub fn FamiliesPage() -> impl IntoView {
    use_page_title("Famiglie");
    view! {
        <RoleOnly allowed=Action::ReadFamilies title="Famiglie" id="families-not-allowed" message=NOT_ALLOWED>
            <FamilySearch />
        </RoleOnly>
    }
}

#[component]
fn FamilySearch() -> impl IntoView {
    let ente = use_ente();
    let session = use_session();
    let typed = RwSignal::new(String::new());
    let searched = RwSignal::new(None::<String>);
    let page = RwSignal::new(1_u64);
    let found = LocalResource::new(move || {
        let text = searched.get();
        let page = page.get();
        async move {
            match text {
                Some(text) => api::find_families(session, &text, page, PER_PAGE)
                    .await
                    .map(Some),
                None => Ok(None),
            }
        }
    });
    let render = move |list: Option<Page<FamilyHit>>| {
        let Some(list) = list else {
            return ().into_any();
        };
        let total = list.total;
        view! {
            <h2 id="families-results-title" class="h4 mt-4" tabindex="-1">
                {match total {
                    1 => "1 famiglia trovata".to_string(),
                    n => format!("{} famiglie trovate", format::count(n as usize)),
                }}
            </h2>
            {paged_list(
                list,
                "families-results",
                "list-unstyled",
                "Nessuna famiglia corrisponde alla ricerca.",
                page,
                move |hit: FamilyHit| {
                    let children = if hit.children.is_empty() {
                        "Nessun alunno".to_string()
                    } else {
                        hit.children.join(", ")
                    };
                    view! {
                        <li class="card card-bg rounded shadow-sm mb-3">
                            <div class="card-body">
                                <a
                                    id=format!("family-{}", hit.guardian_id)
                                    class="h5 d-block"
                                    href=ente.path(&format!("famiglie/{}", hit.guardian_id))
                                >
                                    {hit.guardian_name}
                                </a>
                                <p class="mb-0">
                                    <span class="visually-hidden">"Codice fiscale: "</span>
                                    {hit.fiscal_code}
                                    " — "
                                    {children}
                                </p>
                            </div>
                        </li>
                    }
                },
            )}
        }
        .into_any()
    };
    view! {
        {area_breadcrumb(ente, vec![("Famiglie".into(), None)])}
        <h1>"Famiglie"</h1>
        <p class="lead">"Cerca una famiglia per nome o cognome dell'intestatario o di un alunno, per codice fiscale o per badge."</p>
        <form
            id="families-search"
            role="search"
            on:submit=move |event| {
                event.prevent_default();
                page.set(1);
                searched.set(Some(typed.get_untracked()));
            }
        >
            <div class="form-group mb-3">
                <label for="families-q" class="active">"Nome, codice fiscale o badge"</label>
                <input
                    type="search"
                    id="families-q"
                    name="q"
                    class="form-control"
                    maxlength="100"
                    prop:value=move || typed.get()
                    on:input=move |event| typed.set(event_target_value(&event))
                />
            </div>
            <button type="submit" id="families-search-submit" class="btn btn-primary">"Cerca"</button>
            <a class="btn btn-outline-primary ms-2" href=ente.path("importa-anagrafe")>"Importa anagrafe"</a>
        </form>
        {may_manage().then(|| view! { <NewFamily /> })}
        {remote(found, "families-error", "Ricerca delle famiglie…", render)}
    }
}

/// `/{slug}/famiglie/{id}`.
#[component]
pub fn FamilyPage() -> impl IntoView {
    view! {
        <RoleOnly allowed=Action::ReadFamilies title="Famiglia" id="family-not-allowed" message=NOT_ALLOWED>
            <FamilyView />
        </RoleOnly>
    }
}

/// Whether the user may edit families (the office).
fn may_manage() -> bool {
    use_session()
        .role_in(&use_ente().slug.get_untracked())
        .is_some_and(|role| role.may(Action::ManageFamilies))
}

fn person_line(person: &FamilyPerson) -> String {
    let mut line = format!("{} — {}", person.name, person.fiscal_code);
    if let Some(email) = &person.email {
        line.push_str(&format!(" — {email}"));
    }
    if let Some(mobile) = &person.mobile {
        line.push_str(&format!(" — {}", display(ContactKind::Mobile, mobile)));
    }
    if !person.active {
        line.push_str(" (disattivato)");
    }
    line
}

#[component]
fn FamilyView() -> impl IntoView {
    let ente = use_ente();
    let session = use_session();
    let family = record_in_path("id", move |id| api::family(session, id));
    let name = move || {
        family
            .get()
            .and_then(Result::ok)
            .map(|family| family.guardian.name)
    };
    Effect::new(move |_| {
        let name = name().unwrap_or_else(|| "Famiglia".into());
        set_title(&[&name, &ente.name()]);
    });
    let manage = may_manage();
    let editing = RwSignal::new(None::<Editing>);
    let note = RwSignal::new(None::<String>);
    let saved = Callback::new(move |(saved, text): (FamilyDetail, String)| {
        editing.set(None);
        note.set(Some(text));
        family.set(Some(Ok(saved)));
        request_animation_frame(|| focus_element("family-saved"));
    });
    let close = Callback::new(move |()| editing.set(None));
    let edit = move |what: Editing, first_field: &'static str| {
        note.set(None);
        editing.set(Some(what));
        request_animation_frame(move || focus_element(first_field));
    };
    let reload = Callback::new(move |()| family.refetch());
    let render = move |family: FamilyDetail| {
        let guardian_id = family.guardian.id;
        let child_names: Vec<(i64, String)> = family
            .children
            .iter()
            .map(|c| (c.id, c.name.clone()))
            .collect();
        let guardian_name = family.guardian.name.clone();
        let account_href = {
            let guardian_name = guardian_name.clone();
            move |service_id: i64| {
                address_with(
                    &ente.path(&format!("conti/{service_id}/{guardian_id}")),
                    &[("intestatario", guardian_name.clone())],
                )
            }
        };
        let delegates = if family.delegates.is_empty() {
            view! { <p id="family-delegates-empty">"Nessun delegato."</p> }.into_any()
        } else {
            view! {
                <ul id="family-delegates">
                    {family
                        .delegates
                        .iter()
                        .map(|d| {
                            let id = d.person.id;
                            let delegate = d.clone();
                            let person = d.person.clone();
                            let names = child_names.clone();
                            view! {
                                <li id=format!("family-delegate-{id}") class="mb-2">
                                    {format!("{} — per {}", person_line(&d.person), d.children.join(", "))}
                                    {manage.then(|| view! {
                                        <div class="d-flex flex-wrap gap-2 mt-1">
                                            <button
                                                type="button"
                                                id=format!("delegate-{id}-children")
                                                class="btn btn-outline-primary btn-sm"
                                                aria-label=format!("Modifica figli di {}", d.person.name)
                                                on:click=move |_| edit(Editing::DelegateChildren(id), "delegate-edit-children")
                                            >
                                                "Modifica figli"
                                            </button>
                                            <RemoveDelegate family_id=guardian_id delegate=person saved />
                                        </div>
                                    })}
                                    {move || (editing.get() == Some(Editing::DelegateChildren(id))).then(|| view! {
                                        <DelegateChildrenEditor
                                            family_id=guardian_id
                                            delegate=delegate.clone()
                                            children=names.clone()
                                            saved
                                            close
                                        />
                                    })}
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            }
            .into_any()
        };
        let guardian = family.guardian.clone();
        let guardian_editor =
            move || {
                (editing.get() == Some(Editing::Guardian)).then(|| view! {
                <GuardianEditor family_id=guardian_id guardian=guardian.clone() saved close />
            })
            };
        let names = child_names.clone();
        let delegate_editor = move || {
            (editing.get() == Some(Editing::NewDelegate)).then(|| {
                view! {
                    <DelegateEditor family_id=guardian_id children=names.clone() saved close />
                }
            })
        };
        let new_child_editor = move || {
            (editing.get() == Some(Editing::Child(None))).then(|| {
                view! {
                    <ChildEditor family_id=guardian_id child=None saved close />
                }
            })
        };
        let children = family
            .children
            .into_iter()
            .map(|child| {
                let id = child.id;
                let edited = child.clone();
                let child_editor = move || {
                    (editing.get() == Some(Editing::Child(Some(id)))).then(|| view! {
                        <ChildEditor family_id=guardian_id child=Some(edited.clone()) saved close />
                    })
                };
                let mut facts = format!("{} — nato/a il {}", child.fiscal_code, format::date(child.birth_date));
                for more in [&child.birth_place, &child.address] {
                    if !more.is_empty() {
                        facts.push_str(&format!(" — {more}"));
                    }
                }
                let editor = view! {
                    <EnrolmentEditor
                        child_id=child.id
                        child_name=child.name.clone()
                        cards=child.enrolments.clone()
                        reload
                    />
                };
                let cards = child
                    .enrolments
                    .into_iter()
                    .map(|enrolment| {
                        let href = (enrolment.service_kind == ServiceKind::Prepaid)
                            .then(|| account_href(enrolment.service_id));
                        view! { <ServiceCard name=child.name.clone() account_href=href enrolment /> }
                    })
                    .collect_view();
                view! {
                    <h3 class="h5 mt-3" id=format!("family-child-{}", child.id)>
                        <a href=ente.path(&format!("utenti/{}", child.id))>{child.name.clone()}</a>
                    </h3>
                    <p id=format!("family-child-{}-facts", child.id)>{facts}</p>
                    {manage.then(|| view! {
                        <button
                            type="button"
                            id=format!("family-child-{id}-edit")
                            class="btn btn-outline-primary btn-sm mb-3"
                            aria-label=format!("Modifica {}", child.name)
                            on:click=move |_| edit(Editing::Child(Some(id)), "child-fiscal-code")
                        >
                            "Modifica"
                        </button>
                    })}
                    {child_editor}
                    {cards}
                    {editor}
                }
            })
            .collect_view();
        let accounts = if family.accounts.is_empty() {
            view! { <p id="family-accounts-empty">"Nessun conto prepagato."</p> }.into_any()
        } else {
            view! {
                <ul id="family-accounts" class="list-unstyled">
                    {family
                        .accounts
                        .iter()
                        .map(|a| view! {
                            <li class="mb-2">
                                <a href=account_href(a.service_id)>{a.service_name.clone()}</a>
                                ": saldo "
                                <strong data-field="balance">{format::euro(a.balance)}</strong>
                            </li>
                        })
                        .collect_view()}
                </ul>
            }
            .into_any()
        };
        let letters = if family.letters.is_empty() {
            view! { <p id="family-letters-empty">"Nessuna comunicazione."</p> }.into_any()
        } else {
            view! {
                <ul id="family-letters">
                    {family
                        .letters
                        .iter()
                        .map(|l| view! {
                            <li>
                                {format!(
                                    "{} — {} ({}, {})",
                                    format::date_at_time(l.sent_at),
                                    l.title,
                                    l.kind_label,
                                    if l.read_at.is_some() { "letta" } else { "non letta" },
                                )}
                            </li>
                        })
                        .collect_view()}
                </ul>
            }
            .into_any()
        };
        view! {
            <h1 id="family-name">{format!("Famiglia di {guardian_name}")}</h1>
            {crate::pages::audit::family_link(guardian_id)}
            <CardSection id="family-guardian" title="Intestatario">
                <p id="family-guardian-line">{person_line(&family.guardian)}</p>
                {manage.then(|| view! {
                    <button
                        type="button"
                        id="family-guardian-edit"
                        class="btn btn-outline-primary btn-sm"
                        aria-label="Modifica l'intestatario"
                        on:click=move |_| edit(Editing::Guardian, "guardian-fiscal-code")
                    >
                        "Modifica"
                    </button>
                })}
                {guardian_editor}
            </CardSection>
            <CardSection id="family-delegates-section" title="Delegati">
                {delegates}
                {(manage && !child_names.is_empty()).then(|| view! {
                    <button
                        type="button"
                        id="family-delegate-add"
                        class="btn btn-outline-primary btn-sm"
                        on:click=move |_| edit(Editing::NewDelegate, "delegate-fiscal-code")
                    >
                        "Aggiungi delegato"
                    </button>
                })}
                {delegate_editor}
            </CardSection>
            <CardSection id="family-accounts-section" title="Conti e saldi">
                {accounts}
            </CardSection>
            <section id="family-children" aria-labelledby="family-children-title" class="mb-4">
                <h2 id="family-children-title" class="h4">"Alunni e servizi"</h2>
                {manage.then(|| view! {
                    <button
                        type="button"
                        id="family-child-add"
                        class="btn btn-outline-primary btn-sm"
                        on:click=move |_| edit(Editing::Child(None), "child-fiscal-code")
                    >
                        "Aggiungi figlio/a"
                    </button>
                })}
                {new_child_editor}
                {children}
            </section>
            <CardSection id="family-emissions-section" title="Rette">
                <FamilyRette emissions=family.emissions />
            </CardSection>
            <CardSection id="family-letters-section" title="Comunicazioni">
                {letters}
            </CardSection>
        }
    };
    view! {
        {move || {
            let current = name().unwrap_or_else(|| "Famiglia".into());
            area_breadcrumb(
                ente,
                vec![("Famiglie".into(), Some(ente.path("famiglie"))), (current, None)],
            )
        }}
        <div tabindex="-1" id="family-saved">
            <SuccessNote id="family-saved-note" text=note />
        </div>
        {remote(family, "family-error", "Caricamento della famiglia…", render)}
        <a class="btn btn-outline-primary mt-2" href=ente.path("famiglie")>"Torna alle famiglie"</a>
    }
}

/// The family's rette; an unpaid one can be cancelled («Annulla») with a reason the
/// family reads on it.
#[component]
fn FamilyRette(emissions: Vec<EmissionSummary>) -> impl IntoView {
    let session = use_session();
    if emissions.is_empty() {
        return view! { <p id="family-emissions-empty">"Nessuna retta emessa."</p> }.into_any();
    }
    let may_cancel = session
        .role_in(&use_ente().slug.get_untracked())
        .is_some_and(|role| role.may(Action::IssueEmissions));
    let rows = RwSignal::new(emissions);
    let chosen = RwSignal::new(None::<EmissionSummary>);
    let reason = RwSignal::new(String::new());
    let form = Form::new(
        &[("reason", "family-cancel-reason")],
        move |_| {
            let cancellation = EmissionCancellation {
                reason: reason.get(),
            };
            cancellation
                .check()
                .map(|_| cancellation)
                .map_err(|e| vec![e])
        },
        move |cancellation: EmissionCancellation| async move {
            let id = chosen.get_untracked().map_or(0, |e| e.id);
            api::cancel_emission(session, id, &cancellation).await
        },
        move |cancelled: EmissionDetail| {
            rows.update(|rows| {
                if let Some(row) = rows.iter_mut().find(|r| r.id == cancelled.summary.id) {
                    *row = cancelled.summary.clone();
                }
            });
            chosen.set(None);
            reason.set(String::new());
            focus_element(&format!("family-emission-{}-status", cancelled.summary.id));
        },
    );
    let choose = move |emission: EmissionSummary| {
        form.clear();
        reason.set(String::new());
        chosen.set(Some(emission));
        focus_element("family-cancel-reason");
    };
    let reason_error = form.message_on_submit("reason");
    view! {
        <div class="table-responsive" tabindex="0" role="region" aria-label="Rette">
            <table id="family-emissions" class="table table-sm">
                <thead>
                    <tr>
                        <th scope="col">"Retta"</th>
                        <th scope="col">"Servizio"</th>
                        <th scope="col">"Scadenza"</th>
                        <th scope="col" class="text-end">"Importo"</th>
                        <th scope="col">"Stato"</th>
                        {may_cancel.then(|| view! { <th scope="col">"Azioni"</th> })}
                    </tr>
                </thead>
                <tbody>
                    {move || {
                        rows.get()
                            .into_iter()
                            .map(|e| {
                                let cancellable = may_cancel && e.status == EmissionStatus::ToPay;
                                let label = format!("Annulla {} di {}", e.title, format::euro(e.amount));
                                let status = match &e.cancel_reason {
                                    Some(reason) => format!("{}: {reason}", e.status.label()),
                                    None => e.status.label().to_owned(),
                                };
                                let row = e.clone();
                                view! {
                                    <tr id=format!("family-emission-{}", e.id)>
                                        <td>{e.title.clone()}</td>
                                        <td>{e.service_name.clone()}</td>
                                        <td>{format::date(e.due_date)}</td>
                                        <td class="text-end">{format::euro(e.amount)}</td>
                                        <td id=format!("family-emission-{}-status", e.id) tabindex="-1">
                                            {status}
                                        </td>
                                        {may_cancel.then(|| view! {
                                            <td>
                                                {cancellable.then(|| view! {
                                                    <button
                                                        type="button"
                                                        id=format!("family-emission-{}-cancel", e.id)
                                                        class="btn btn-outline-danger btn-sm"
                                                        aria-label=label
                                                        on:click=move |_| choose(row.clone())
                                                    >
                                                        "Annulla"
                                                    </button>
                                                })}
                                            </td>
                                        })}
                                    </tr>
                                }
                            })
                            .collect_view()
                    }}
                </tbody>
            </table>
        </div>
        {move || chosen.get().map(|e| view! {
            <form id="family-cancel-form" class="mt-3 border rounded p-3" novalidate on:submit=form.submit()>
                <p id="family-cancel-what">
                    {format!(
                        "Annulla {} di {} (scadenza {}): anche il suo avviso pagoPA sarà annullato.",
                        e.title,
                        format::euro(e.amount),
                        format::date(e.due_date),
                    )}
                </p>
                <TextField
                    id="family-cancel-reason"
                    label="Motivo (la famiglia lo leggerà sulla retta)"
                    value=reason
                    error=reason_error
                />
                <FormAlert form id="family-cancel-error" />
                <div class="d-flex gap-2">
                    <SubmitButton
                        form
                        id="family-cancel-submit"
                        label="Annulla la retta"
                        busy="Annullamento…"
                        class="btn btn-danger"
                    />
                    <button
                        type="button"
                        id="family-cancel-close"
                        class="btn btn-outline-primary"
                        on:click=move |_| chosen.set(None)
                    >
                        "Chiudi"
                    </button>
                </div>
            </form>
        })}
    }
    .into_any()
}
