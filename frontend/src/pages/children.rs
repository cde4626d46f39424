//! Utenti: the children visible to the user, their personal data and service cards.

use leptos::prelude::*;
use sportello_model::access::Action;
use sportello_model::children::{ChildDetail, ChildSummary, Enrolment};
use sportello_model::entes::ServiceKind;
use sportello_model::{format, Page};

use crate::api;
use crate::app::{use_ente, use_page_title, RoleOnly};
use crate::components::{
    address_with, area_breadcrumb, record_in_path, remote, set_title, use_page_number, Icon, Pager,
};
use crate::session::use_session;

/// Cards per page of Utenti.
const PER_PAGE: u64 = 20;

const NOT_ALLOWED: &str = "Consultazione non consentita: l'anagrafica degli utenti è riservata alle famiglie e agli operatori del Comune. Gli alunni attesi in mensa sono nelle Presenze mensa.";

/// Logged in with a role that reads the children registry, or the explanation.
#[component]
fn RegistryReaders(children: ChildrenFn) -> impl IntoView {
    view! {
        <RoleOnly
            allowed=Action::ReadChildren
            title="Utenti"
            id="children-not-allowed"
            message=NOT_ALLOWED
            children
        />
    }
}

/// `/{slug}/utenti`.
#[component]
pub fn ChildrenList() -> impl IntoView {
    use_page_title("Utenti");
    view! {
        <RegistryReaders>
            <ChildrenCards />
        </RegistryReaders>
    }
}

#[component]
fn ChildrenCards() -> impl IntoView {
    let ente = use_ente();
    let session = use_session();
    let page = use_page_number();
    let children = LocalResource::new(move || api::children(session, page.get(), PER_PAGE));

    let render = move |list: Page<ChildSummary>| {
        let (current, pages) = (list.page, list.total_pages());
        if list.items.is_empty() {
            return view! {
                <p id="children-empty">"Non ci sono utenti associati al tuo profilo."</p>
            }
            .into_any();
        }
        view! {
            <ul id="children-list" class="list-unstyled row g-3 mt-1">
                {list
                    .items
                    .into_iter()
                    .map(|child| {
                        view! {
                            <ChildCard
                                id=format!("child-{}", child.id)
                                href=ente.path(&format!("utenti/{}", child.id))
                                first_name=child.first_name
                                last_name=child.last_name
                                detail="Dati anagrafici e servizi".into()
                            />
                        }
                    })
                    .collect_view()}
            </ul>
            <Pager id="children-pager" href=ente.path("utenti") current pages />
        }
        .into_any()
    };

    view! {
        {area_breadcrumb(ente, vec![("Utenti".into(), None)])}
        <h1>"Utenti"</h1>
        <p class="lead">"Seleziona l'utente da consultare"</p>
        {remote(children, "children-error", "Caricamento degli utenti…", render)}
    }
}

/// `SA` for Sofia Albertini, the avatar of a child.
/// A child in a list of cards: initials, name, a line of detail, and a link.
#[component]
pub fn ChildCard(
    id: String,
    href: String,
    first_name: String,
    last_name: String,
    detail: String,
) -> impl IntoView {
    view! {
        <li class="col-12 col-md-6">
            <a id=id class="card-link-block shadow-sm child-card" href=href>
                <span class="avatar size-lg bg-primary text-white" aria-hidden="true">
                    {initials(&first_name, &last_name)}
                </span>
                <span>
                    <span class="d-block h5 mb-1">{format!("{first_name} {last_name}")}</span>
                    <span class="d-block text-body">{detail}</span>
                </span>
                <Icon name="chevron-right" class="icon-primary ms-auto" />
            </a>
        </li>
    }
}

fn initials(first_name: &str, last_name: &str) -> String {
    first_name
        .chars()
        .take(1)
        .chain(last_name.chars().take(1))
        .flat_map(char::to_uppercase)
        .collect()
}

/// The card of the child named by the route parameter `param`, loaded for the page (not
/// found when the address does not hold a number).
pub fn child_in_path(param: &'static str) -> LocalResource<api::ApiResult<ChildDetail>> {
    let session = use_session();
    record_in_path(param, move |id| api::child(session, id))
}

/// `/{slug}/utenti/{id}`.
#[component]
pub fn ChildPage() -> impl IntoView {
    view! {
        <RegistryReaders>
            <ChildView />
        </RegistryReaders>
    }
}

#[component]
fn ChildView() -> impl IntoView {
    let ente = use_ente();
    let session = use_session();
    let child = child_in_path("id");
    let child_name = move || {
        child
            .get()
            .and_then(Result::ok)
            .map(|child| format!("{} {}", child.first_name, child.last_name))
    };
    Effect::new(move |_| {
        let name = child_name().unwrap_or_else(|| "Utente".into());
        set_title(&[&name, &ente.name()]);
    });

    let operator = Memo::new(move |_| {
        session
            .role_in(&ente.slug.get())
            .is_some_and(|role| role.may(Action::ReadFamilyAccounts))
    });

    let render = move |child: ChildDetail| {
        let name = format!("{} {}", child.first_name, child.last_name);
        // Operators reach the family's prepaid account from the card of the service.
        let account_href = |enrolment: &Enrolment| {
            (operator.get() && enrolment.service_kind == ServiceKind::Prepaid).then(|| {
                address_with(
                    &ente.path(&format!(
                        "conti/{}/{}",
                        enrolment.service_id, child.guardian_id
                    )),
                    &[
                        ("intestatario", child.guardian_name.clone()),
                        ("utente", child.id.to_string()),
                    ],
                )
            })
        };
        let cards = if child.enrolments.is_empty() {
            view! {
                <p id="enrolments-empty">
                    {format!("{} non è iscritto/a a nessun servizio.", child.first_name)}
                </p>
            }
            .into_any()
        } else {
            child
                .enrolments
                .iter()
                .map(|enrolment| {
                    view! {
                        <ServiceCard
                            name=name.clone()
                            account_href=account_href(enrolment)
                            enrolment=enrolment.clone()
                        />
                    }
                })
                .collect_view()
                .into_any()
        };
        view! {
            <h1 id="child-name">{name.clone()}</h1>
            <section id="child-personal-data" class="card card-bg rounded shadow-sm mb-4" aria-labelledby="personal-data-title">
                <div class="card-body">
                    <h2 id="personal-data-title" class="h4">"Dati anagrafici"</h2>
                    <dl class="row data-list mb-0">
                        <Field label="Codice fiscale" field="fiscal_code" value=child.fiscal_code />
                        <Field label="Data di nascita" field="birth_date" value=format::date(child.birth_date) />
                        <Field label="Luogo di nascita" field="birth_place" value=child.birth_place />
                        <Field label="Sesso" field="sex" value=child.sex.label() />
                        <Field label="Indirizzo" field="address" value=child.address />
                        <Field label="Intestatario" field="guardian_name" value=child.guardian_name />
                    </dl>
                </div>
            </section>
            <h2 class="h4">"Servizi"</h2>
            {cards}
        }
    };

    view! {
        {move || {
            let current = child_name().unwrap_or_else(|| "Scheda utente".into());
            area_breadcrumb(
                ente,
                vec![("Utenti".into(), Some(ente.path("utenti"))), (current, None)],
            )
        }}
        {remote(child, "child-error", "Caricamento dei dati dell'utente…", render)}
        <a class="btn btn-outline-primary mt-2" href=ente.path("utenti")>
            "Torna agli utenti"
        </a>
    }
}

/// One label and value of a data list.
#[component]
fn Field(label: &'static str, field: &'static str, #[prop(into)] value: String) -> impl IntoView {
    view! {
        <div class="col-12 col-sm-6 col-lg-4 data-item">
            <dt>{label}</dt>
            <dd data-field=field>{value}</dd>
        </div>
    }
}

/// A service code as part of an element id: `REF` → `ref`.
fn id_fragment(code: &str) -> String {
    code.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect()
}

/// "Dettagli per Sofia Albertini sul servizio Refezione Scolastica", with a link to the
/// family's account at `account_href` for operators.
#[component]
pub fn ServiceCard(
    name: String,
    enrolment: Enrolment,
    account_href: Option<String>,
) -> impl IntoView {
    let fragment = id_fragment(&enrolment.service_code);
    let card_id = format!("service-card-{fragment}");
    let account_link = account_href.map(|href| {
        view! {
            <a id=format!("family-account-{fragment}") class="btn btn-outline-primary btn-sm mt-3" href=href>
                "Conto della famiglia"
                <span class="visually-hidden">{format!(": {}", enrolment.service_name)}</span>
            </a>
        }
    });
    let title_id = format!("{card_id}-title");
    let status = if enrolment.active {
        view! {
            <span class="badge bg-success status-badge">
                <Icon name="check-circle" class="icon-xs icon-white me-1" />
                "Attivo"
            </span>
        }
        .into_any()
    } else {
        view! {
            <span class="badge bg-secondary status-badge">
                <Icon name="close-circle" class="icon-xs icon-white me-1" />
                "Disattivo"
            </span>
        }
        .into_any()
    };
    view! {
        <section
            id=card_id
            class="card card-bg rounded shadow-sm mb-4 service-card"
            data-service-code=enrolment.service_code.clone()
            aria-labelledby=title_id.clone()
        >
            <div class="card-body">
                <h3 id=title_id.clone() class="h5">
                    {format!("Dettagli per {name} sul servizio {}", enrolment.service_name)}
                </h3>
                <p class="small text-muted">{enrolment.service_kind.label()}</p>
                <dl class="row data-list mb-0">
                    <Field label="Tessera/Badge" field="badge" value=enrolment.badge />
                    <Field label="Scuola" field="school" value=enrolment.school />
                    <Field label="Classe" field="class_name" value=enrolment.class_name />
                    {enrolment.fee_band.map(|band| view! { <Field label="Fascia" field="fee_band" value=band /> })}
                    {enrolment.quota.map(|quota| view! { <Field label="Importo quota" field="quota" value=format::euro(quota) /> })}
                    {enrolment.service_kind.serves_meals().then(|| view! {
                        <Field label="Importo pasto" field="meal_price" value=format::euro(enrolment.meal_price) />
                        <Field label="Tipologia pasto" field="meal_type" value=enrolment.meal_type.as_str() />
                    })}
                    <div class="col-12 col-sm-6 col-lg-4 data-item">
                        <dt>"Stato"</dt>
                        <dd data-field="active">{status}</dd>
                    </div>
                </dl>
                {account_link}
            </div>
        </section>
    }
}
