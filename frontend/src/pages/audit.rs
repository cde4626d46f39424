//! `/{slug}/registro-attivita`: the comune's administrators read every change the staff
//! made — who, when, what, for which family, before and after — filtered by person,
//! family (`?famiglia=` from the family page) and days, and download it as CSV.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use sportello_model::access::Action;
use sportello_model::audit::{changes, field_label, AuditEvent, AuditFilter};
use sportello_model::dates::DAY_MESSAGE;
use sportello_model::registry::FamilyHit;
use sportello_model::{format, FieldError, Page};

use crate::api;
use crate::app::{use_ente, use_page_title, RoleOnly};
use crate::components::{
    address_with, area_breadcrumb, message_of, paged_table, remote, CardSection, DateRange,
    DownloadButton, PagedTable, SelectField, TextField,
};
use crate::dates::parse_day;
use crate::session::use_session;

const PER_PAGE: u64 = 20;
/// The families a search shows to choose from.
const FAMILY_CHOICES: u64 = 5;
const TITLE: &str = "Registro attività";

#[component]
pub fn AuditPage() -> impl IntoView {
    use_page_title(TITLE);
    view! {
        <RoleOnly
            allowed=Action::ReadAudit
            title=TITLE
            id="audit-not-allowed"
            message="Il registro delle attività è consultato dagli amministratori del Comune."
        >
            <AuditLog />
        </RoleOnly>
    }
}

/// «Registro attività della famiglia» on the family page, for administrators.
pub fn family_link(guardian_id: i64) -> impl IntoView {
    let ente = use_ente();
    let session = use_session();
    let allowed = session
        .role_in(&ente.slug.get_untracked())
        .is_some_and(|role| role.may(Action::ReadAudit));
    allowed.then(|| {
        let href = address_with(
            &ente.path("registro-attivita"),
            &[("famiglia", guardian_id.to_string())],
        );
        view! {
            <p><a id="family-audit-link" href=href>"Registro attività della famiglia"</a></p>
        }
    })
}

/// A typed day: none when empty, the error of its field when not a day.
fn typed_day(
    value: RwSignal<String>,
    field: &'static str,
    errors: &mut Vec<FieldError>,
) -> Option<time::Date> {
    let text = value.get_untracked();
    if text.trim().is_empty() {
        return None;
    }
    let day = parse_day(&text);
    if day.is_none() {
        errors.push(FieldError::new(field, DAY_MESSAGE));
    }
    day
}

#[component]
fn AuditLog() -> impl IntoView {
    let ente = use_ente();
    let session = use_session();
    let query = use_query_map();
    let family_of_link = query
        .read_untracked()
        .get("famiglia")
        .and_then(|id| id.parse::<i64>().ok());
    let person = RwSignal::new(String::new());
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let family = RwSignal::new(family_of_link.map(|id| (id, None::<String>)));
    let applied = RwSignal::new(AuditFilter {
        family: family_of_link,
        ..AuditFilter::default()
    });
    let problems = RwSignal::new(Vec::<FieldError>::new());
    let page = RwSignal::new(1);

    let staff = LocalResource::new(move || api::office_staff(session));
    let people = Signal::derive(move || {
        let mut options = vec![(String::new(), "Tutte le persone".to_owned())];
        if let Some(Ok(staff)) = staff.get() {
            options.extend(staff.into_iter().map(|m| {
                (
                    m.id.to_string(),
                    format!("{} {} ({})", m.first_name, m.last_name, m.role_label),
                )
            }));
        }
        options
    });

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut errors = Vec::new();
        let filter = AuditFilter {
            actor: person.get_untracked().parse().ok(),
            family: family.get_untracked().map(|(id, _)| id),
            from: typed_day(from, "from", &mut errors),
            to: typed_day(to, "to", &mut errors),
        };
        errors.extend(filter.check());
        if let Some(first) = errors.first() {
            crate::components::focus_element(&format!("audit-{}", first.field));
            problems.set(errors);
            return;
        }
        problems.set(Vec::new());
        page.set(1);
        applied.set(filter);
    };

    let events =
        LocalResource::new(move || api::audit(session, applied.get(), page.get(), PER_PAGE));
    let render = move |list: Page<AuditEvent>| {
        let table = PagedTable {
            id: "audit-table",
            label: TITLE,
            class: "",
            empty: "Nessuna attività con questi filtri.",
            focus_to: "audit-section-title",
        };
        let head = view! {
            <th scope="col">"Data e ora"</th>
            <th scope="col">"Persona"</th>
            <th scope="col">"Operazione"</th>
            <th scope="col">"Famiglia"</th>
            <th scope="col">"Dettagli"</th>
        };
        paged_table(list, table, page, head, event_row)
    };

    view! {
        {area_breadcrumb(ente, vec![(TITLE.into(), None)])}
        <h1>{TITLE}</h1>
        <p class="lead">
            "Le modifiche fatte dal personale del Comune: chi, quando, che cosa, per quale famiglia, com'era prima e com'è dopo."
        </p>
        <CardSection id="audit-section" title="Attività" focusable=true>
            <form id="audit-filter" novalidate on:submit=submit>
                <SelectField id="audit-person" label="Persona" value=person options=people />
                <FamilyFilter family />
                <DateRange
                    from_id="audit-from"
                    to_id="audit-to"
                    from
                    to
                    from_error=message_of(problems, "from")
                    to_error=message_of(problems, "to")
                />
                <button type="submit" id="audit-show" class="btn btn-primary mb-3">"Mostra"</button>
            </form>
            {remote(events, "audit-error", "Caricamento del registro…", render)}
            <div class="mt-3">
                <DownloadButton
                    id="audit-csv"
                    label="Scarica CSV del registro attività"
                    text="Scarica CSV"
                    fetch=move || api::export_audit(session, applied.get_untracked())
                />
            </div>
        </CardSection>
    }
}

/// The family filter: the family chosen (from the family page's link or a search), or a
/// search by name, codice fiscale or badge to choose one.
#[component]
fn FamilyFilter(family: RwSignal<Option<(i64, Option<String>)>>) -> impl IntoView {
    let session = use_session();
    let text = RwSignal::new(String::new());
    let searched = RwSignal::new(None::<String>);
    let hits = LocalResource::new(move || {
        let words = searched.get();
        async move {
            match words {
                Some(words) => api::find_families(session, &words, 1, FAMILY_CHOICES)
                    .await
                    .map(|page| page.items),
                None => Ok(Vec::new()),
            }
        }
    });
    // The name of a family chosen by its link.
    let linked = LocalResource::new(move || {
        let id = family
            .get()
            .filter(|(_, name)| name.is_none())
            .map(|(id, _)| id);
        async move {
            match id {
                Some(id) => api::family(session, id).await.ok().map(|f| f.guardian.name),
                None => None,
            }
        }
    });
    let chosen_name = move || {
        family.get().map(|(id, name)| {
            name.or_else(|| linked.get().flatten())
                .unwrap_or_else(|| format!("famiglia n. {id}"))
        })
    };
    let search = move |_| {
        let words = text.get_untracked().trim().to_owned();
        searched.set((!words.is_empty()).then_some(words));
    };
    let choice = move |hit: FamilyHit| {
        let name = hit.guardian_name.clone();
        view! {
            <li>
                <button
                    type="button"
                    class="btn btn-link p-0"
                    id=format!("audit-family-choose-{}", hit.guardian_id)
                    on:click=move |_| {
                        family.set(Some((hit.guardian_id, Some(name.clone()))));
                        searched.set(None);
                    }
                >
                    {format!("{} — {}", hit.guardian_name, hit.fiscal_code)}
                </button>
            </li>
        }
    };
    view! {
        {move || match chosen_name() {
            Some(name) => view! {
                <p id="audit-family-chosen">
                    "Famiglia: " <strong>{name}</strong> " "
                    <button
                        type="button"
                        class="btn btn-outline-primary btn-sm"
                        id="audit-family-clear"
                        on:click=move |_| family.set(None)
                    >
                        "Tutte le famiglie"
                    </button>
                </p>
            }
            .into_any(),
            None => view! {
                <TextField
                    id="audit-family"
                    label="Famiglia (nome, codice fiscale o tessera)"
                    value=text
                    error=Signal::stored(None::<String>)
                />
                <button
                    type="button"
                    class="btn btn-outline-primary btn-sm mb-3"
                    id="audit-family-search"
                    on:click=search
                >
                    "Cerca la famiglia"
                </button>
                {move || {
                    hits.get().and_then(Result::ok).filter(|h| !h.is_empty()).map(|hits| view! {
                        <ul id="audit-family-hits" class="list-unstyled">
                            {hits.into_iter().map(choice).collect_view()}
                        </ul>
                    })
                }}
            }
            .into_any(),
        }}
    }
}

/// One row: when, who, what, the family, and the fields changed.
fn event_row(event: AuditEvent) -> impl IntoView {
    let details = changes(event.before.as_ref(), event.after.as_ref());
    let details = if details.is_empty() {
        view! { <span>"—"</span> }.into_any()
    } else {
        view! {
            <ul class="list-unstyled mb-0 small">
                {details
                    .into_iter()
                    .map(|change| {
                        let text = match (change.before, change.after) {
                            (Some(before), Some(after)) => format!("{before} → {after}"),
                            (None, Some(after)) => after,
                            (Some(before), None) => format!("prima: {before}"),
                            (None, None) => "—".into(),
                        };
                        view! { <li><span class="fw-semibold">{field_label(&change.field)}</span>": "{text}</li> }
                    })
                    .collect_view()}
            </ul>
        }
        .into_any()
    };
    view! {
        <tr id=format!("audit-{}", event.id)>
            <td>{format::date_time(event.at)}</td>
            <td>{format!("{} ({})", event.actor_name, event.actor_role.label())}</td>
            <td>{event.label}</td>
            <td>{event.family_name.unwrap_or_else(|| "—".into())}</td>
            <td>{details}</td>
        </tr>
    }
}
