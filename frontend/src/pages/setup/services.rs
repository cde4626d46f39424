//! `/{slug}/servizi-e-fasce`: the comune's services, and `/{slug}/servizi-e-fasce/:id`:
//! one service with its table of fee bands, checked as it is typed by
//! `model::fee_bands::check_fee_bands`, the rule the server enforces.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;
use sportello_model::access::Action;
use sportello_model::entes::{Service, ServiceDetail, ServiceForm, ServiceKind};
use sportello_model::fee_bands::{check_fee_bands, FeeBandRow, FeeBandsForm};
use sportello_model::format;

use super::{may_edit, CheckField, SetupField};
use crate::api;
use crate::app::{use_ente, use_page_title, Ente, RoleOnly};
use crate::components::{
    area_breadcrumb, record_in_path, remote, CardSection, FieldFeedback, SelectField, SuccessNote,
};
use crate::forms::{Form, FormAlert, SubmitButton};
use crate::session::use_session;

const TITLE: &str = "Servizi e fasce";
const PAGE: &str = "servizi-e-fasce";

fn kind_options() -> Signal<Vec<(String, String)>> {
    Signal::stored(vec![
        (
            ServiceKind::Prepaid.as_str().to_owned(),
            "Mensa con conto prepagato".to_owned(),
        ),
        (
            ServiceKind::Emissions.as_str().to_owned(),
            "Servizio pagato con rette (trasporto, nido, pre e post scuola…)".to_owned(),
        ),
    ])
}

fn kind_label(kind: ServiceKind) -> &'static str {
    match kind {
        ServiceKind::Prepaid => "Mensa con conto prepagato",
        ServiceKind::Emissions => "Pagato con rette",
    }
}

#[component]
pub fn ServicesPage() -> impl IntoView {
    use_page_title(TITLE);
    view! {
        <RoleOnly
            allowed=Action::ReadEnteSetup
            title=TITLE
            id="services-not-allowed"
            message="I servizi e le fasce del comune sono gestiti dai suoi amministratori."
        >
            <Services />
        </RoleOnly>
    }
}

#[component]
fn Services() -> impl IntoView {
    let session = use_session();
    let ente = use_ente();
    let editable = may_edit(ente);
    let services = LocalResource::new(move || api::office_services(session));
    view! {
        {area_breadcrumb(ente, vec![(TITLE.into(), None)])}
        <h1>{TITLE}</h1>
        {remote(
            services,
            "services-error",
            "Caricamento dei servizi…",
            move |services| view! { <ServiceTable services ente /> },
        )}
        {move || editable.get().then(|| view! { <NewService /> })}
    }
}

#[component]
fn ServiceTable(services: Vec<Service>, ente: Ente) -> impl IntoView {
    let rows = services
        .into_iter()
        .map(|service| {
            let href = ente.path(&format!("{PAGE}/{}", service.id));
            view! {
                <tr>
                    <th scope="row">
                        <a href=href id=format!("service-{}", service.code)>
                            {service.name.clone()}
                        </a>
                    </th>
                    <td>{service.code.clone()}</td>
                    <td>{kind_label(service.kind)}</td>
                    <td>{if service.active { "In vigore" } else { "Non più offerto" }}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-responsive mb-4">
            <table class="table" id="services-table">
                <caption>"I servizi del comune"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Servizio"</th>
                        <th scope="col">"Codice"</th>
                        <th scope="col">"Tipo"</th>
                        <th scope="col">"Stato"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

/// "Nuovo servizio": code, name and kind; then its page, for the bands.
#[component]
fn NewService() -> impl IntoView {
    let session = use_session();
    let ente = use_ente();
    let navigate = StoredValue::new_local(use_navigate());
    let code = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let kind = RwSignal::new(ServiceKind::Emissions.as_str().to_owned());
    let form = Form::new(
        &[
            ("code", "new-service-code"),
            ("name", "new-service-name"),
            ("kind", "new-service-kind"),
        ],
        move |_| {
            let request = ServiceForm {
                code: code.get(),
                name: name.get(),
                kind: ServiceKind::parse(&kind.get()).unwrap_or(ServiceKind::Emissions),
                active: true,
                pro_rata: false,
            };
            request.check().map(|_| request)
        },
        move |request: ServiceForm| async move { api::create_service(session, &request).await },
        move |created: ServiceDetail| {
            let address = ente.path(&format!("{PAGE}/{}", created.service.id));
            navigate.with_value(|navigate| navigate(&address, NavigateOptions::default()));
        },
    );
    view! {
        <CardSection id="new-service" title="Nuovo servizio">
            <form id="new-service-form" novalidate on:submit=form.submit()>
                <SetupField form name="name" id="new-service-name" label="Nome del servizio" value=name />
                <SetupField
                    form
                    name="code"
                    id="new-service-code"
                    label="Codice (2-10 lettere o cifre, ad esempio NIDO)"
                    value=code
                />
                <SelectField
                    id="new-service-kind"
                    label="Tipo di servizio"
                    value=kind
                    options=kind_options()
                    error=form.message_on_submit("kind")
                />
                <FormAlert form id="new-service-error" />
                <SubmitButton form id="new-service-create" label="Crea il servizio" busy="Creazione…" />
            </form>
        </CardSection>
    }
}

#[component]
pub fn ServiceSetupPage() -> impl IntoView {
    use_page_title(TITLE);
    view! {
        <RoleOnly
            allowed=Action::ReadEnteSetup
            title=TITLE
            id="service-not-allowed"
            message="I servizi e le fasce del comune sono gestiti dai suoi amministratori."
        >
            <ServiceSetup />
        </RoleOnly>
    }
}

#[component]
fn ServiceSetup() -> impl IntoView {
    let session = use_session();
    let ente = use_ente();
    let detail = record_in_path("id", move |id| api::office_service(session, id));
    view! {
        {remote(
            detail,
            "service-error",
            "Caricamento del servizio…",
            move |detail| {
                let name = detail.service.name.clone();
                view! {
                    {area_breadcrumb(
                        ente,
                        vec![(TITLE.into(), Some(ente.path(PAGE))), (name.clone(), None)],
                    )}
                    <h1 id="service-title">{name}</h1>
                    <ServiceEditor detail />
                }
            },
        )}
    }
}

#[component]
fn ServiceEditor(detail: ServiceDetail) -> impl IntoView {
    let ente = use_ente();
    let editable = may_edit(ente);
    let current = RwSignal::new(detail);
    view! {
        <ServiceData current editable />
        <BandsTable current editable />
    }
}

/// The service's code, name and whether it is in force; its kind is shown.
#[component]
fn ServiceData(current: RwSignal<ServiceDetail>, editable: Memo<bool>) -> impl IntoView {
    let session = use_session();
    let service = current.with_untracked(|detail| detail.service.clone());
    let id = service.id;
    let kind = service.kind;
    let code = RwSignal::new(service.code);
    let name = RwSignal::new(service.name);
    let active = RwSignal::new(service.active);
    let pro_rata = RwSignal::new(service.pro_rata);
    let saved = RwSignal::new(None::<String>);
    let form = Form::new(
        &[("code", "service-code"), ("name", "service-name")],
        move |_| {
            let request = ServiceForm {
                code: code.get(),
                name: name.get(),
                kind,
                active: active.get(),
                pro_rata: kind == ServiceKind::Emissions && pro_rata.get(),
            };
            request.check().map(|_| request)
        },
        move |request: ServiceForm| async move { api::update_service(session, id, &request).await },
        move |detail: ServiceDetail| {
            saved.set(Some(if detail.service.active {
                "Servizio salvato.".to_owned()
            } else {
                "Servizio salvato: non è più offerto alle famiglie.".to_owned()
            }));
            current.set(detail);
        },
    );
    view! {
        <CardSection id="service-data" title="Dati del servizio">
            <p id="service-kind">{format!("Tipo: {}.", kind_label(kind))}</p>
            <form id="service-form" novalidate on:submit=form.submit_clearing(saved)>
                <fieldset disabled=move || !editable.get()>
                    <SetupField form name="name" id="service-name" label="Nome del servizio" value=name />
                    <SetupField form name="code" id="service-code" label="Codice" value=code />
                    <CheckField id="service-active" label="In vigore (offerto alle famiglie)" value=active />
                    {(kind == ServiceKind::Emissions).then(|| view! {
                        <CheckField
                            id="service-pro-rata"
                            label="Rette in proporzione ai giorni di servizio nel mese (pro rata)"
                            value=pro_rata
                        />
                    })}
                </fieldset>
                {move || {
                    editable
                        .get()
                        .then(|| {
                            view! {
                                <FormAlert form id="service-save-error" />
                                <SubmitButton form id="service-save" label="Salva il servizio" busy="Salvataggio…" />
                            }
                        })
                }}
                <SuccessNote id="service-saved" text=saved />
            </form>
        </CardSection>
    }
}

/// One band of the table as typed; `key` tells the rows apart while they come and go.
#[derive(Clone, Copy)]
struct BandRow {
    key: u64,
    id: Option<i64>,
    in_use: bool,
    name: RwSignal<String>,
    isee_from: RwSignal<String>,
    isee_to: RwSignal<String>,
    meal_price: RwSignal<String>,
    quota: RwSignal<String>,
}

impl BandRow {
    fn new(key: u64, row: FeeBandRow, in_use: bool) -> BandRow {
        BandRow {
            key,
            id: row.id,
            in_use,
            name: RwSignal::new(row.name),
            isee_from: RwSignal::new(row.isee_from),
            isee_to: RwSignal::new(row.isee_to),
            meal_price: RwSignal::new(row.meal_price),
            quota: RwSignal::new(row.quota),
        }
    }

    /// The band as typed (tracked).
    fn typed(self) -> FeeBandRow {
        FeeBandRow {
            id: self.id,
            name: self.name.get(),
            isee_from: self.isee_from.get(),
            isee_to: self.isee_to.get(),
            meal_price: self.meal_price.get(),
            quota: self.quota.get(),
        }
    }
}

/// `bands.2.isee_from` is the input `band-2-isee_from`.
fn band_element(field: &str) -> String {
    format!(
        "band-{}",
        field.trim_start_matches("bands.").replace('.', "-")
    )
}

fn rows_of(detail: &ServiceDetail) -> Vec<BandRow> {
    detail
        .bands
        .iter()
        .enumerate()
        .map(|(key, band)| {
            BandRow::new(
                key as u64,
                FeeBandRow::from(band),
                detail.bands_in_use.contains(&band.name),
            )
        })
        .collect()
}

/// The fee bands table, saved whole: from ISEE 0,00 € up, with neither overlaps nor gaps;
/// a band some enrolment has cannot be removed.
#[component]
fn BandsTable(current: RwSignal<ServiceDetail>, editable: Memo<bool>) -> impl IntoView {
    let session = use_session();
    let id = current.with_untracked(|detail| detail.service.id);
    let serves_meals = current.with_untracked(|detail| detail.service.kind.serves_meals());
    let rows = RwSignal::new(current.with_untracked(rows_of));
    let next_key = StoredValue::new(rows.with_untracked(Vec::len) as u64);
    let saved = RwSignal::new(None::<String>);
    let form = Form::anywhere(
        band_element,
        move |_| {
            let request = FeeBandsForm {
                bands: rows.get().into_iter().map(BandRow::typed).collect(),
            };
            check_fee_bands(&request).map(|_| request)
        },
        move |request: FeeBandsForm| async move { api::save_bands(session, id, &request).await },
        move |detail: ServiceDetail| {
            saved.set(Some(match detail.bands.len() {
                1 => "Fasce salvate: 1 fascia.".to_owned(),
                n => format!("Fasce salvate: {} fasce.", format::count(n)),
            }));
            rows.set(rows_of(&detail));
            next_key.set_value(detail.bands.len() as u64);
            current.set(detail);
        },
    );
    let add = move |_: leptos::ev::MouseEvent| {
        let key = next_key.get_value();
        next_key.set_value(key + 1);
        rows.update(|rows| rows.push(BandRow::new(key, FeeBandRow::default(), false)));
    };
    let table_error = form.message_on_submit("bands");

    let body = move || {
        rows.get()
            .into_iter()
            .enumerate()
            .map(|(index, row)| {
                let cell = move |field: &'static str, value: RwSignal<String>, label: String| {
                    let element = band_element(&format!("bands.{index}.{field}"));
                    let left = RwSignal::new(false);
                    let error = form.message_at(format!("bands.{index}.{field}"), left.into());
                    let error_id = format!("{element}-error");
                    view! {
                        <td>
                            <label for=element.clone() class="visually-hidden">{label}</label>
                            <input
                                id=element.clone()
                                type="text"
                                class=move || {
                                    if error.with(Option::is_some) { "form-control is-invalid" } else { "form-control" }
                                }
                                inputmode=(field != "name").then_some("decimal")
                                aria-invalid=move || error.with(Option::is_some).to_string()
                                aria-describedby=move || error.with(Option::is_some).then(|| error_id.clone())
                                prop:value=move || value.get()
                                on:input=move |ev| value.set(event_target_value(&ev))
                                on:blur=move |_| {
                                    left.try_set(true);
                                }
                            />
                            <FieldFeedback id=format!("{element}-error") error />
                        </td>
                    }
                };
                let n = index + 1;
                let remove = move |_: leptos::ev::MouseEvent| rows.update(|rows| rows.retain(|r| r.key != row.key));
                view! {
                    <tr>
                        {cell("name", row.name, format!("Nome della fascia {n}"))}
                        {cell("isee_from", row.isee_from, format!("ISEE da, fascia {n}"))}
                        {cell("isee_to", row.isee_to, format!("ISEE fino a, fascia {n}"))}
                        {cell("meal_price", row.meal_price, format!("Prezzo del pasto, fascia {n}"))}
                        {cell("quota", row.quota, format!("Quota mensile, fascia {n}"))}
                        <td>
                            {if row.in_use {
                                view! {
                                    <span id=format!("band-{index}-in-use") class="small">
                                        "In uso: non si può togliere"
                                    </span>
                                }
                                    .into_any()
                            } else {
                                view! {
                                    <button
                                        type="button"
                                        id=format!("band-{index}-remove")
                                        class="btn btn-outline-danger btn-sm"
                                        disabled=move || !editable.get()
                                        on:click=remove
                                    >
                                        {format!("Togli la fascia {n}")}
                                    </button>
                                }
                                    .into_any()
                            }}
                        </td>
                    </tr>
                }
            })
            .collect_view()
    };

    view! {
        <CardSection id="bands" title="Fasce">
            <p id="bands-hint" class="small">
                {if serves_meals {
                    "Ogni fascia copre gli ISEE da un valore a un altro: la prima parte da 0,00 €, ognuna riprende dove finisce la precedente, l'ultima non ha limite (ISEE fino a: vuoto). Il prezzo del pasto si addebita sul conto prepagato; la quota è mensile."
                } else {
                    "Ogni fascia copre gli ISEE da un valore a un altro: la prima parte da 0,00 €, ognuna riprende dove finisce la precedente, l'ultima non ha limite (ISEE fino a: vuoto). La quota mensile è l'importo della retta."
                }}
            </p>
            <form id="bands-form" novalidate on:submit=form.submit_clearing(saved)>
                <div class="table-responsive">
                    <table class="table" id="bands-table" aria-describedby="bands-hint">
                        <caption>"Fasce del servizio"</caption>
                        <thead>
                            <tr>
                                <th scope="col">"Fascia"</th>
                                <th scope="col">"ISEE da (€)"</th>
                                <th scope="col">"ISEE fino a (€)"</th>
                                <th scope="col">"Prezzo pasto (€)"</th>
                                <th scope="col">"Quota mensile (€)"</th>
                                <th scope="col">
                                    <span class="visually-hidden">"Azioni"</span>
                                </th>
                            </tr>
                        </thead>
                        <tbody>{body}</tbody>
                    </table>
                </div>
                <FieldFeedback id="bands-error" error=table_error />
                {move || {
                    editable
                        .get()
                        .then(|| {
                            view! {
                                <p>
                                    <button type="button" id="band-add" class="btn btn-outline-primary" on:click=add>
                                        "Aggiungi una fascia"
                                    </button>
                                </p>
                                <FormAlert form id="bands-save-error" />
                                <SubmitButton form id="bands-save" label="Salva le fasce" busy="Salvataggio…" />
                            }
                        })
                }}
                <SuccessNote id="bands-saved" text=saved />
            </form>
        </CardSection>
    }
}
