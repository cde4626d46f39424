//! `/{slug}/moduli-comune/{id}/domande`: the submissions a form received, with the
//! counts per state, filters (state, school, day sent, names or protocol), page by page
//! with a checkbox each for «Accetta selezionate», and «Esporta CSV».

use std::collections::BTreeMap;

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use sportello_model::access::Action;
use sportello_model::forms::{
    bulk_summary, check_sent_range, BulkOutcome, FormDetail, StateCount, SubmissionAction,
    SubmissionState, SubmissionSummary,
};
use sportello_model::{dates, spa, Page};

use super::{day_and_time, schools_of, state_badge};
use crate::api;
use crate::app::{use_ente, use_page_title, RoleOnly};
use crate::components::{
    area_breadcrumb, paged_table, remote, CardSection, DateRange, DownloadButton, PagedTable,
    SelectField, TextField,
};
use crate::forms::{Form, FormAlert};
use crate::session::use_session;

const PER_PAGE: u64 = 20;

/// The submissions ticked for «Accetta selezionate»: id → protocol number.
type Selection = BTreeMap<i64, String>;

/// The states an operator filters by: every state after sending.
const STATES: [SubmissionState; 5] = [
    SubmissionState::Sent,
    SubmissionState::ToValidate,
    SubmissionState::Accepted,
    SubmissionState::Refused,
    SubmissionState::Blocked,
];

#[component]
pub fn SubmissionsPage() -> impl IntoView {
    use_page_title("Domande ricevute");
    view! {
        <RoleOnly
            allowed=Action::ReviewSubmissions
            title="Domande ricevute"
            id="review-not-allowed"
            message="Le domande dei moduli online sono esaminate dagli operatori del Comune."
        >
            <Submissions />
        </RoleOnly>
    }
}

/// The filters as applied: each a query parameter when given.
#[derive(Debug, Clone, Default, PartialEq)]
struct Filter {
    state: String,
    school: String,
    sent_from: String,
    sent_to: String,
    text: String,
}

impl Filter {
    fn query(&self) -> Vec<(&'static str, String)> {
        [
            ("state", &self.state),
            ("school", &self.school),
            ("sent_from", &self.sent_from),
            ("sent_to", &self.sent_to),
            ("q", &self.text),
        ]
        .into_iter()
        .filter(|(_, value)| !value.trim().is_empty())
        .map(|(name, value)| (name, value.trim().to_owned()))
        .collect()
    }
}

#[component]
fn Submissions() -> impl IntoView {
    let ente = use_ente();
    let session = use_session();
    let params = use_params_map();
    let form_id = Memo::new(move |_| {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<i64>().ok())
    });
    let form = LocalResource::new(move || {
        let id = form_id.get();
        async move {
            match id {
                Some(id) => api::form_definition(session, id).await,
                None => Err(api::not_found()),
            }
        }
    });
    let render = move |form: FormDetail| view! { <Review form /> };
    view! {
        {area_breadcrumb(
            ente,
            vec![
                ("Moduli del Comune".into(), Some(ente.path("moduli-comune"))),
                ("Domande ricevute".into(), None),
            ],
        )}
        {remote(form, "review-form-error", "Caricamento del modulo…", render)}
    }
}

#[component]
fn Review(form: FormDetail) -> impl IntoView {
    let session = use_session();
    let form_id = form.id;
    let schools = schools_of(&form.definition);
    // Counts the changes (a bulk accept), so that the counts and the list read again.
    let changed = RwSignal::new(0_u32);
    let applied = RwSignal::new(Filter::default());
    let page = RwSignal::new(1_u64);
    let selected = RwSignal::new(Selection::new());
    let counts = LocalResource::new(move || {
        changed.track();
        api::submission_counts(session, form_id)
    });
    let list = LocalResource::new(move || {
        changed.track();
        let query = applied.get().query();
        let page = page.get();
        async move { api::form_submissions(session, form_id, &query, page, PER_PAGE).await }
    });
    let export = move || api::export_submissions(session, form_id);
    view! {
        <h1 id="review-title" tabindex="-1">{form.definition.title.clone()}</h1>
        <p class="lead">
            {format!("Anno scolastico {} · {}", form.definition.school_year, form.validity)}
        </p>
        {remote(counts, "review-counts-error", "Conteggio delle domande…", render_counts)}
        <Filters schools applied page selected />
        <div class="d-flex flex-wrap gap-2 mb-3">
            <DownloadButton
                id="review-export"
                label="Esporta CSV delle domande inviate"
                text="Esporta CSV"
                fetch=export
            />
        </div>
        <BulkAccept form_id selected changed />
        <CardSection id="submissions" title="Domande" focusable=true>
            {remote(
                list,
                "submissions-error",
                "Caricamento delle domande…",
                move |list| render_list(list, page, selected),
            )}
        </CardSection>
    }
}

fn render_counts(counts: Vec<StateCount>) -> impl IntoView {
    view! {
        <ul id="review-counts" class="list-inline mb-4" aria-label="Domande per stato">
            {counts
                .into_iter()
                .map(|count| {
                    view! {
                        <li
                            id=format!("review-count-{}", count.state.as_str().replace('_', "-"))
                            class="list-inline-item me-3"
                        >
                            <strong>{count.count}</strong>
                            {format!(" {}", count.label)}
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}

#[component]
fn Filters(
    schools: Vec<String>,
    applied: RwSignal<Filter>,
    page: RwSignal<u64>,
    selected: RwSignal<Selection>,
) -> impl IntoView {
    let state = RwSignal::new(String::new());
    let school = RwSignal::new(String::new());
    let sent_from = RwSignal::new(String::new());
    let sent_to = RwSignal::new(String::new());
    let text = RwSignal::new(String::new());
    let range_error = RwSignal::new(None::<String>);
    let state_options: Vec<(String, String)> = std::iter::once((String::new(), "Tutti".into()))
        .chain(
            STATES
                .into_iter()
                .map(|s| (s.as_str().to_owned(), s.label().to_owned())),
        )
        .collect();
    let school_options: Vec<(String, String)> = std::iter::once((String::new(), "Tutte".into()))
        .chain(schools.iter().map(|s| (s.clone(), s.clone())))
        .collect();
    let has_schools = !schools.is_empty();
    let day = |value: &str| dates::parse_day(value).ok();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let problem = check_sent_range(
            day(&sent_from.get_untracked()),
            day(&sent_to.get_untracked()),
        );
        range_error.set(problem.map(|p| p.message));
        if range_error.get_untracked().is_some() {
            crate::components::focus_element("review-sent-to");
            return;
        }
        applied.set(Filter {
            state: state.get_untracked(),
            school: school.get_untracked(),
            sent_from: sent_from.get_untracked(),
            sent_to: sent_to.get_untracked(),
            text: text.get_untracked(),
        });
        page.set(1);
        selected.set(Selection::new());
    };
    view! {
        <CardSection id="review-filters" title="Filtra le domande">
            <form id="review-filter-form" novalidate on:submit=submit>
                <div class="row">
                    <div class="col-12 col-md-6">
                        <SelectField
                            id="review-state"
                            label="Stato"
                            value=state
                            options=Signal::stored(state_options)
                        />
                    </div>
                    <div class="col-12 col-md-6">
                        {if has_schools {
                            view! {
                                <SelectField
                                    id="review-school"
                                    label="Scuola"
                                    value=school
                                    options=Signal::stored(school_options)
                                />
                            }
                                .into_any()
                        } else {
                            view! {
                                <TextField
                                    id="review-school"
                                    label="Scuola"
                                    value=school
                                    error=Signal::stored(None::<String>)
                                />
                            }
                                .into_any()
                        }}
                    </div>
                </div>
                <DateRange
                    from_id="review-sent-from"
                    to_id="review-sent-to"
                    from=sent_from
                    to=sent_to
                    from_error=Signal::stored(None::<String>)
                    to_error=range_error
                    from_label="Inviate dal giorno"
                    to_label="Al giorno"
                />
                <TextField
                    id="review-text"
                    label="Cerca"
                    value=text
                    error=Signal::stored(None::<String>)
                    hint=Signal::stored("Nome della famiglia o dell'alunno, numero di protocollo.".to_owned())
                />
                <button type="submit" id="review-filter" class="btn btn-primary">
                    "Filtra"
                </button>
            </form>
        </CardSection>
    }
}

/// «Accetta selezionate»: each selected submission accepted as by itself; the summary
/// and the reason of each one not accepted follow.
#[component]
fn BulkAccept(
    form_id: i64,
    selected: RwSignal<Selection>,
    changed: RwSignal<u32>,
) -> impl IntoView {
    let session = use_session();
    let outcomes = RwSignal::new(None::<Vec<BulkOutcome>>);
    // What was sent, to name each submission in the result by its protocol number.
    let sent = StoredValue::new(Selection::new());
    let accept = Form::buttons(
        move |ids: Vec<i64>| api::accept_submissions(session, form_id, ids),
        move |done: Vec<BulkOutcome>| {
            outcomes.set(Some(done));
            selected.set(Selection::new());
            changed.update(|n| *n += 1);
            crate::components::focus_element("bulk-result");
        },
    );
    let pending = accept.pending();
    let count = Memo::new(move |_| selected.with(Selection::len));
    view! {
        <div class="mb-3">
            <button
                type="button"
                id="bulk-accept"
                class="btn btn-success"
                disabled=move || pending.get() || count.get() == 0
                on:click=move |_| {
                    outcomes.set(None);
                    let chosen = selected.get_untracked();
                    let ids = chosen.keys().copied().collect();
                    sent.set_value(chosen);
                    accept.send(ids);
                }
            >
                {move || {
                    if pending.get() {
                        "Accettazione…".to_owned()
                    } else {
                        format!("Accetta selezionate ({})", count.get())
                    }
                }}
            </button>
            <FormAlert form=accept id="bulk-error" />
            <div aria-live="polite">
                {move || {
                    outcomes
                        .get()
                        .map(|outcomes| {
                            let refused: Vec<BulkOutcome> = outcomes
                                .iter()
                                .filter(|o| !o.accepted)
                                .cloned()
                                .collect();
                            view! {
                                <div id="bulk-result" class="alert alert-info mt-3" tabindex="-1">
                                    <p class="mb-1">{bulk_summary(&outcomes)}</p>
                                    <ul class="mb-0">
                                        {refused
                                            .into_iter()
                                            .map(|o| {
                                                view! {
                                                    <li id=format!("bulk-refused-{}", o.id)>
                                                        {format!(
                                                            "Domanda {}: {}",
                                                            sent
                                                                .with_value(|s| s.get(&o.id).cloned())
                                                                .unwrap_or_else(|| o.id.to_string()),
                                                            o.message,
                                                        )}
                                                    </li>
                                                }
                                            })
                                            .collect_view()}
                                    </ul>
                                </div>
                            }
                        })
                }}
            </div>
        </div>
    }
}

fn render_list(
    list: Page<SubmissionSummary>,
    page: RwSignal<u64>,
    selected: RwSignal<Selection>,
) -> AnyView {
    let total = (!list.items.is_empty()).then_some(list.total);
    let table = PagedTable {
        id: "submissions-table",
        label: "Domande ricevute",
        class: "align-middle",
        empty: "Nessuna domanda con questi filtri.",
        focus_to: "submissions-title",
    };
    let head = view! {
        <th scope="col">"Scegli"</th>
        <th scope="col">"Protocollo"</th>
        <th scope="col">"Inviata il"</th>
        <th scope="col">"Famiglia"</th>
        <th scope="col">"Alunno"</th>
        <th scope="col">"Stato"</th>
    };
    view! {
        {total.map(|total| view! {
            <p id="submissions-total" class="small">
                {if total == 1 { "1 domanda".to_owned() } else { format!("{total} domande") }}
            </p>
        })}
        {paged_table(list, table, page, head, move |s| row(s, selected))}
    }
    .into_any()
}

fn row(submission: SubmissionSummary, selected: RwSignal<Selection>) -> impl IntoView {
    let ente = use_ente();
    let id = submission.id;
    let protocol = submission
        .protocol_number
        .clone()
        .unwrap_or_else(|| format!("n. {id}"));
    let acceptable = submission.state.after(SubmissionAction::Accept).is_some();
    let label = protocol.clone();
    let checkbox = acceptable.then(|| {
        view! {
            <input
                type="checkbox"
                id=format!("select-{id}")
                aria-label=format!("Seleziona la domanda {protocol}")
                prop:checked=move || selected.with(|s| s.contains_key(&id))
                on:change=move |ev| {
                    let checked = event_target_checked(&ev);
                    selected
                        .update(|s| {
                            if checked {
                                s.insert(id, label.clone());
                            } else {
                                s.remove(&id);
                            }
                        });
                }
            />
        }
    });
    let href = spa::submission_review(&ente.slug.get_untracked(), id);
    view! {
        <tr id=format!("submission-{id}")>
            <td>{checkbox}</td>
            <td>
                <a id=format!("submission-{id}-open") href=href>
                    {protocol.clone()}
                </a>
            </td>
            <td>{submission.sent_at.map(day_and_time).unwrap_or_default()}</td>
            <td>{submission.family_name.clone()}</td>
            <td>{submission.child_name.clone().unwrap_or_else(|| "—".into())}</td>
            <td>{state_badge(format!("submission-{id}-state"), submission.state_label.clone())}</td>
        </tr>
    }
}
