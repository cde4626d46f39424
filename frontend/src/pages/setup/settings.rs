//! `/{slug}/impostazioni-comune`: the comune's settings (Dati del comune, Prenotazioni,
//! Ricariche, pagoPA), changed by its administrators, read by its operators; checked as
//! they are typed by `EnteSettingsForm::check`, the rule the server enforces.

use leptos::prelude::*;
use sportello_model::access::Action;
use sportello_model::entes::{CutoffRule, EnteSettingsForm, LogoSaved, MAX_FLOW_GRACE_DAYS};
use sportello_model::paths;

use super::{CheckField, SetupField};
use crate::api;
use crate::app::{use_ente, use_page_title, RoleOnly};
use crate::components::{
    area_breadcrumb, remote, CardSection, FieldFeedback, SelectField, SuccessNote,
};
use crate::dates::{capitalise, weekday_name, WEEK};
use crate::forms::{Form, FormAlert, SubmitButton};
use crate::session::use_session;

#[component]
pub fn SettingsPage() -> impl IntoView {
    use_page_title("Impostazioni del comune");
    view! {
        <RoleOnly
            allowed=Action::ReadEnteSetup
            title="Impostazioni del comune"
            id="settings-not-allowed"
            message="Le impostazioni del comune sono gestite dai suoi amministratori."
        >
            <Settings />
        </RoleOnly>
    }
}

#[component]
fn Settings() -> impl IntoView {
    let session = use_session();
    let ente = use_ente();
    let settings = LocalResource::new(move || api::ente_settings(session));
    view! {
        {area_breadcrumb(ente, vec![("Impostazioni del comune".into(), None)])}
        <h1>"Impostazioni del comune"</h1>
        {remote(
            settings,
            "settings-error",
            "Caricamento delle impostazioni…",
            |current| view! { <SettingsForm current /> },
        )}
    }
}

/// What the form's fields hold, as typed.
#[derive(Clone, Copy)]
struct Typed {
    name: RwSignal<String>,
    contact_email: RwSignal<String>,
    contact_phone: RwSignal<String>,
    contact_address: RwSignal<String>,
    password_login: RwSignal<bool>,
    cutoff_time: RwSignal<String>,
    cutoff_rule: RwSignal<String>,
    weekdays: RwSignal<Vec<u8>>,
    recharge_min: RwSignal<String>,
    recharge_max: RwSignal<String>,
    recharge_step: RwSignal<String>,
    negative_balance: RwSignal<bool>,
    blank_meal: RwSignal<bool>,
    personal_meal: RwSignal<bool>,
    fiscal_code: RwSignal<String>,
    aux_digit: RwSignal<String>,
    application_code: RwSignal<String>,
    segregation_code: RwSignal<String>,
    iban: RwSignal<String>,
    taxonomy: RwSignal<String>,
    gpd_only: RwSignal<bool>,
    grace_days: RwSignal<String>,
}

impl Typed {
    fn new(s: EnteSettingsForm) -> Typed {
        Typed {
            name: RwSignal::new(s.name),
            contact_email: RwSignal::new(s.contact_email),
            contact_phone: RwSignal::new(s.contact_phone),
            contact_address: RwSignal::new(s.contact_address),
            password_login: RwSignal::new(s.password_login_enabled),
            cutoff_time: RwSignal::new(s.booking_cutoff_time),
            cutoff_rule: RwSignal::new(s.booking_cutoff_rule.as_str().to_owned()),
            weekdays: RwSignal::new(s.bookable_weekdays),
            recharge_min: RwSignal::new(s.recharge_min),
            recharge_max: RwSignal::new(s.recharge_max),
            recharge_step: RwSignal::new(s.recharge_step),
            negative_balance: RwSignal::new(s.negative_balance_allowed),
            blank_meal: RwSignal::new(s.blank_meal_enabled),
            personal_meal: RwSignal::new(s.personal_meal_enabled),
            fiscal_code: RwSignal::new(s.fiscal_code),
            aux_digit: RwSignal::new(s.pagopa_aux_digit.to_string()),
            application_code: RwSignal::new(s.pagopa_application_code),
            segregation_code: RwSignal::new(s.pagopa_segregation_code),
            iban: RwSignal::new(s.pagopa_iban),
            taxonomy: RwSignal::new(s.pagopa_taxonomy),
            gpd_only: RwSignal::new(s.pagopa_gpd_only),
            grace_days: RwSignal::new(s.flow_grace_days.to_string()),
        }
    }

    /// The request as typed (tracked).
    fn form(self) -> EnteSettingsForm {
        let mut weekdays = self.weekdays.get();
        weekdays.sort_unstable();
        EnteSettingsForm {
            name: self.name.get(),
            contact_email: self.contact_email.get(),
            contact_phone: self.contact_phone.get(),
            contact_address: self.contact_address.get(),
            password_login_enabled: self.password_login.get(),
            booking_cutoff_time: self.cutoff_time.get(),
            booking_cutoff_rule: CutoffRule::parse(&self.cutoff_rule.get())
                .unwrap_or(CutoffRule::SameDay),
            bookable_weekdays: weekdays,
            recharge_min: self.recharge_min.get(),
            recharge_max: self.recharge_max.get(),
            recharge_step: self.recharge_step.get(),
            negative_balance_allowed: self.negative_balance.get(),
            blank_meal_enabled: self.blank_meal.get(),
            personal_meal_enabled: self.personal_meal.get(),
            fiscal_code: self.fiscal_code.get(),
            // The selects offer only the digits and days the rule knows.
            pagopa_aux_digit: self.aux_digit.get().parse().unwrap_or(u8::MAX),
            pagopa_application_code: self.application_code.get(),
            pagopa_segregation_code: self.segregation_code.get(),
            pagopa_iban: self.iban.get(),
            pagopa_taxonomy: self.taxonomy.get(),
            pagopa_gpd_only: self.gpd_only.get(),
            flow_grace_days: self.grace_days.get().parse().unwrap_or(u8::MAX),
        }
    }
}

/// The fields of the form in the page's order: (API field, element id).
const FIELDS: &[(&str, &str)] = &[
    ("name", "settings-name"),
    ("contact_email", "settings-email"),
    ("contact_phone", "settings-phone"),
    ("contact_address", "settings-address"),
    ("booking_cutoff_time", "settings-cutoff"),
    ("bookable_weekdays", "bookable-1"),
    ("recharge_min", "settings-recharge-min"),
    ("recharge_max", "settings-recharge-max"),
    ("recharge_step", "settings-recharge-step"),
    ("fiscal_code", "settings-fiscal-code"),
    ("pagopa_aux_digit", "settings-aux-digit"),
    ("pagopa_application_code", "settings-application-code"),
    ("pagopa_segregation_code", "settings-segregation-code"),
    ("pagopa_iban", "settings-iban"),
    ("pagopa_taxonomy", "settings-taxonomy"),
    ("flow_grace_days", "settings-grace-days"),
];

#[component]
fn SettingsForm(current: EnteSettingsForm) -> impl IntoView {
    let session = use_session();
    let ente = use_ente();
    let editable = Memo::new(move |_| {
        session
            .role_in(&ente.slug.get())
            .is_some_and(|role| role.may(Action::ManageEnteSetup))
    });
    let typed = Typed::new(current);
    let saved = RwSignal::new(None::<String>);
    let form = Form::new(
        FIELDS,
        move |_| {
            let request = typed.form();
            request.check().map(|_| request)
        },
        move |request: EnteSettingsForm| async move { api::save_ente_settings(session, &request).await },
        move |_: EnteSettingsForm| {
            saved.set(Some(
                "Impostazioni salvate: le famiglie seguono da subito le nuove regole.".into(),
            ))
        },
    );
    let weekdays_error = form.message_on_submit("bookable_weekdays");
    let weekdays = typed.weekdays;
    let checkboxes = WEEK
        .into_iter()
        .map(|day| {
            let number = day.number_from_monday();
            let id = format!("bookable-{number}");
            view! {
                <div class="form-check form-check-inline">
                    <input
                        type="checkbox"
                        id=id.clone()
                        name="bookable_weekdays"
                        value=number.to_string()
                        prop:checked=move || weekdays.with(|days| days.contains(&number))
                        aria-invalid=move || weekdays_error.with(Option::is_some).to_string()
                        on:change=move |ev| {
                            let checked = event_target_checked(&ev);
                            weekdays.update(|days| {
                                days.retain(|d| *d != number);
                                if checked {
                                    days.push(number);
                                }
                            });
                        }
                    />
                    <label for=id>{capitalise(weekday_name(day))}</label>
                </div>
            }
        })
        .collect_view();
    let rules = Signal::stored(vec![
        (
            CutoffRule::SameDay.as_str().to_owned(),
            "Entro l'ora limite del giorno stesso".to_owned(),
        ),
        (
            CutoffRule::PreviousSchoolDay.as_str().to_owned(),
            "Entro l'ora limite del giorno di servizio precedente".to_owned(),
        ),
    ]);
    let aux_digits = Signal::stored(vec![
        ("0".to_owned(), "0 (con codice applicazione)".to_owned()),
        ("3".to_owned(), "3 (con codice di segregazione)".to_owned()),
    ]);
    let grace = Signal::stored(
        (0..=MAX_FLOW_GRACE_DAYS)
            .map(|days| (days.to_string(), days.to_string()))
            .collect::<Vec<_>>(),
    );

    view! {
        <form id="settings-form" novalidate on:submit=form.submit_clearing(saved)>
            {move || {
                (!editable.get())
                    .then(|| {
                        view! {
                            <p id="settings-read-only" class="alert alert-info">
                                "Puoi consultare le impostazioni; solo gli amministratori del comune possono modificarle."
                            </p>
                        }
                    })
            }}
            <fieldset disabled=move || !editable.get()>
                <CardSection id="settings-comune" title="Dati del comune">
                    <SetupField form name="name" id="settings-name" label="Nome del comune" value=typed.name />
                    <SetupField
                        form
                        name="contact_email"
                        id="settings-email"
                        label="E-mail dell'ufficio scuola"
                        value=typed.contact_email
                        kind="email"
                    />
                    <SetupField
                        form
                        name="contact_phone"
                        id="settings-phone"
                        label="Telefono (facoltativo)"
                        value=typed.contact_phone
                        kind="tel"
                    />
                    <SetupField
                        form
                        name="contact_address"
                        id="settings-address"
                        label="Indirizzo e orari (facoltativo)"
                        value=typed.contact_address
                    />
                    <CheckField
                        id="settings-password-login"
                        label="Accesso con codice fiscale e password (SPID e CIE sono sempre disponibili)"
                        value=typed.password_login
                    />
                </CardSection>
                <CardSection id="settings-bookings" title="Prenotazioni">
                    <SetupField
                        form
                        name="booking_cutoff_time"
                        id="settings-cutoff"
                        label="Ora limite per le modifiche (HH:MM)"
                        value=typed.cutoff_time
                        inputmode="numeric"
                    />
                    <SelectField
                        id="settings-cutoff-rule"
                        label="Le modifiche per un giorno sono possibili"
                        value=typed.cutoff_rule
                        options=rules
                    />
                    <fieldset
                        class="mb-4"
                        aria-describedby=move || {
                            weekdays_error.with(Option::is_some).then_some("settings-weekdays-error")
                        }
                    >
                        <legend class="h6">"Giorni in cui le famiglie possono modificare i pasti"</legend>
                        {checkboxes}
                        <FieldFeedback id="settings-weekdays-error" error=weekdays_error />
                    </fieldset>
                    <CheckField id="settings-blank-meal" label="Pasto bianco" value=typed.blank_meal />
                    <CheckField
                        id="settings-personal-meal"
                        label="Pasto personalizzato (P.Pers)"
                        value=typed.personal_meal
                    />
                </CardSection>
                <CardSection id="settings-recharges" title="Ricariche">
                    <SetupField
                        form
                        name="recharge_min"
                        id="settings-recharge-min"
                        label="Ricarica minima (€)"
                        value=typed.recharge_min
                        inputmode="decimal"
                    />
                    <SetupField
                        form
                        name="recharge_max"
                        id="settings-recharge-max"
                        label="Ricarica massima (€)"
                        value=typed.recharge_max
                        inputmode="decimal"
                    />
                    <SetupField
                        form
                        name="recharge_step"
                        id="settings-recharge-step"
                        label="Solo multipli di (€, facoltativo)"
                        value=typed.recharge_step
                        inputmode="decimal"
                    />
                    <CheckField
                        id="settings-negative-balance"
                        label="Il saldo del conto può andare sotto zero"
                        value=typed.negative_balance
                    />
                </CardSection>
                <CardSection id="settings-pagopa" title="pagoPA">
                    <SetupField
                        form
                        name="fiscal_code"
                        id="settings-fiscal-code"
                        label="Codice fiscale del comune"
                        value=typed.fiscal_code
                        inputmode="numeric"
                    />
                    <SelectField
                        id="settings-aux-digit"
                        label="Codice ausiliario degli avvisi"
                        value=typed.aux_digit
                        options=aux_digits
                        error=form.message_on_submit("pagopa_aux_digit")
                    />
                    <SetupField
                        form
                        name="pagopa_application_code"
                        id="settings-application-code"
                        label="Codice applicazione (con codice ausiliario 0)"
                        value=typed.application_code
                        inputmode="numeric"
                    />
                    <SetupField
                        form
                        name="pagopa_segregation_code"
                        id="settings-segregation-code"
                        label="Codice di segregazione (con codice ausiliario 3)"
                        value=typed.segregation_code
                        inputmode="numeric"
                    />
                    <SetupField form name="pagopa_iban" id="settings-iban" label="IBAN di accredito" value=typed.iban />
                    <SetupField
                        form
                        name="pagopa_taxonomy"
                        id="settings-taxonomy"
                        label="Tassonomia pagoPA dei servizi scolastici"
                        value=typed.taxonomy
                    />
                    <CheckField
                        id="settings-gpd-only"
                        label="Solo GPD, senza stazione propria (le ricevute si leggono da GPD)"
                        value=typed.gpd_only
                    />
                    <SelectField
                        id="settings-grace-days"
                        label="Giorni lavorativi di attesa del flusso di rendicontazione"
                        value=typed.grace_days
                        options=grace
                        error=form.message_on_submit("flow_grace_days")
                    />
                </CardSection>
            </fieldset>
            {move || {
                editable
                    .get()
                    .then(|| {
                        view! {
                            <FormAlert form id="settings-save-error" />
                            <SubmitButton form id="settings-save" label="Salva le impostazioni" busy="Salvataggio…" />
                            <SuccessNote id="settings-saved" text=saved />
                        }
                    })
            }}
        </form>
        {move || editable.get().then(|| view! { <LogoForm /> })}
    }
}

/// The comune's logo: an image chosen from the computer replaces it at once.
#[component]
fn LogoForm() -> impl IntoView {
    let session = use_session();
    let ente = use_ente();
    let shown = RwSignal::new(ente.with(|detail| detail.logo.clone()).flatten());
    let saved = RwSignal::new(None::<String>);
    let upload = Form::buttons(
        move |image: web_sys::File| async move { api::upload_logo(session, &image).await },
        move |logo: LogoSaved| {
            shown.set(Some(logo.logo));
            ente.reload();
            saved.set(Some(
                "Logo salvato: compare nell'intestazione delle pagine del comune.".into(),
            ));
        },
    );
    view! {
        <CardSection id="settings-logo" title="Logo">
            {move || {
                shown
                    .get()
                    .map(|logo| {
                        view! {
                            <img
                                id="settings-logo-image"
                                src=paths::absolute(&logo)
                                alt="Logo attuale del comune"
                                class="mb-3"
                                style="max-height: 4rem"
                            />
                        }
                    })
            }}
            <div class="form-group mb-4">
                <label for="settings-logo-file" class="active">
                    "Nuovo logo (PNG, JPEG o SVG, al massimo 512 KB)"
                </label>
                <input
                    type="file"
                    id="settings-logo-file"
                    class="form-control"
                    accept="image/png,image/jpeg,image/svg+xml"
                    disabled=move || upload.pending().get()
                    on:change=move |ev| {
                        let input: web_sys::HtmlInputElement = event_target(&ev);
                        if let Some(file) = input.files().and_then(|list| list.get(0)) {
                            saved.set(None);
                            upload.send(file);
                        }
                        input.set_value("");
                    }
                />
            </div>
            <FormAlert form=upload id="settings-logo-error" />
            <SuccessNote id="settings-logo-saved" text=saved />
        </CardSection>
    }
}
