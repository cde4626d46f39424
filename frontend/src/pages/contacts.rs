//! `/{slug}/area-personale/contatti`: Contatti e preferenze. The family user sees the
//! e-mail and mobile number the comune writes to, changes either with the code sent to
//! the new one (the old one stays until the code is typed), and chooses the channels
//! letters come by, with the model's rules checked while choosing.

use leptos::prelude::*;
use sportello_model::access::Action;
use sportello_model::contacts::{
    ChannelPreferences, ContactChange, ContactConfirmation, ContactKind, Contacts, PendingChange,
    CODE_DIGITS, CODE_TTL_MINUTES,
};
use sportello_model::format;

use crate::api;
use crate::app::{use_ente, use_page_title, RoleOnly};
use crate::components::{
    area_breadcrumb, remote, CardSection, FieldFeedback, SuccessNote, TextField,
};
use crate::forms::{Form, FormAlert, SubmitButton};
use crate::session::use_session;

#[component]
pub fn ContactsPage() -> impl IntoView {
    use_page_title("Contatti e preferenze");
    view! {
        <RoleOnly
            allowed=Action::ManageContacts
            title="Contatti e preferenze"
            id="contacts-not-allowed"
            message="I contatti e le preferenze di invio sono delle famiglie."
        >
            <ContactsAndPreferences />
        </RoleOnly>
    }
}

#[component]
fn ContactsAndPreferences() -> impl IntoView {
    let ente = use_ente();
    let session = use_session();
    let changed = RwSignal::new(0_u32);
    let done = RwSignal::new(None::<String>);
    let contacts = LocalResource::new(move || {
        changed.track();
        api::my_contacts(session)
    });
    let updated = Callback::new(move |message: String| {
        done.set(Some(message));
        changed.update(|n| *n += 1);
    });
    let render = move |found: Contacts| {
        let pending_of = |kind: ContactKind| found.pending.iter().find(|p| p.kind == kind).cloned();
        let (pending_email, pending_mobile) = (
            pending_of(ContactKind::Email),
            pending_of(ContactKind::Mobile),
        );
        let email = found
            .email
            .clone()
            .unwrap_or_else(|| "Nessun indirizzo e-mail.".into());
        let mobile = found
            .mobile_display
            .clone()
            .unwrap_or_else(|| "Nessun numero di cellulare confermato.".into());
        let (current_email, current_mobile) = (found.email.clone(), found.mobile.clone());
        view! {
            <CardSection id="contacts-email" title="Indirizzo e-mail">
                <p id="contacts-email-current">{email}</p>
                <ChangeContact
                    kind=ContactKind::Email
                    current=current_email
                    pending=pending_email
                    updated
                />
            </CardSection>
            <CardSection id="contacts-mobile" title="Numero di cellulare">
                <p id="contacts-mobile-current">{mobile}</p>
                <ChangeContact
                    kind=ContactKind::Mobile
                    current=current_mobile
                    pending=pending_mobile
                    updated
                />
            </CardSection>
            <Channels contacts=found updated />
        }
    };
    view! {
        {area_breadcrumb(ente, vec![("Contatti e preferenze".into(), None)])}
        <h1>"Contatti e preferenze"</h1>
        <p class="lead">
            "Il Comune ti scrive a questi contatti. Per cambiarli ti inviamo un codice al nuovo indirizzo o numero: finché non lo inserisci resta quello attuale."
        </p>
        <SuccessNote id="contacts-done" text=done />
        {remote(contacts, "contacts-error", "Caricamento dei contatti…", render)}
    }
}

/// The element ids of a kind's two forms: the new value, then the code.
struct Ids {
    new: &'static str,
    new_error: &'static str,
    send: &'static str,
    value_fields: &'static [(&'static str, &'static str)],
    code: &'static str,
    code_error: &'static str,
    confirm: &'static str,
    code_fields: &'static [(&'static str, &'static str)],
}

fn ids(kind: ContactKind) -> Ids {
    match kind {
        ContactKind::Email => Ids {
            new: "contact-email-new",
            new_error: "contact-email-new-alert",
            send: "contact-email-send",
            value_fields: &[("value", "contact-email-new")],
            code: "contact-email-code",
            code_error: "contact-email-code-alert",
            confirm: "contact-email-confirm",
            code_fields: &[("code", "contact-email-code")],
        },
        ContactKind::Mobile => Ids {
            new: "contact-mobile-new",
            new_error: "contact-mobile-new-alert",
            send: "contact-mobile-send",
            value_fields: &[("value", "contact-mobile-new")],
            code: "contact-mobile-code",
            code_error: "contact-mobile-code-alert",
            confirm: "contact-mobile-confirm",
            code_fields: &[("code", "contact-mobile-code")],
        },
    }
}

/// Changing the e-mail or the mobile number: the new value, then the code sent to it.
#[component]
fn ChangeContact(
    kind: ContactKind,
    current: Option<String>,
    pending: Option<PendingChange>,
    updated: Callback<String>,
) -> impl IntoView {
    let session = use_session();
    let Ids {
        new,
        new_error,
        send,
        value_fields,
        code: code_id,
        code_error: code_alert,
        confirm: confirm_id,
        code_fields,
    } = ids(kind);
    let value = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    let waiting = RwSignal::new(pending);
    let check_value = RwSignal::new(false);
    let check_code = RwSignal::new(false);
    let ask = Form::new(
        value_fields,
        move |_| {
            let change = ContactChange {
                kind,
                value: value.get(),
            };
            change.check(current.as_deref()).map(|_| change)
        },
        move |change: ContactChange| async move { api::request_contact_change(session, change).await },
        move |sent: PendingChange| {
            code.set(String::new());
            waiting.set(Some(sent));
        },
    );
    let confirm = Form::new(
        code_fields,
        move |_| {
            let confirmation = ContactConfirmation {
                kind,
                code: code.get(),
            };
            confirmation.check().map(|_| confirmation)
        },
        move |confirmation: ContactConfirmation| async move {
            api::confirm_contact_change(session, confirmation).await
        },
        move |contacts: Contacts| {
            let now = match kind {
                ContactKind::Email => contacts.email.unwrap_or_default(),
                ContactKind::Mobile => contacts.mobile_display.unwrap_or_default(),
            };
            updated.run(format!("Fatto: il tuo {} è ora {now}.", kind.label()));
        },
    );
    let value_error = ask.message("value", check_value.into());
    let code_error = confirm.message("code", check_code.into());
    let (label, hint, autocomplete, inputmode, send_label) = match kind {
        ContactKind::Email => (
            "Nuovo indirizzo e-mail",
            "Ti invieremo un codice a questo indirizzo.",
            "email",
            "email",
            "Invia il codice per e-mail",
        ),
        ContactKind::Mobile => (
            "Nuovo numero di cellulare",
            "Un cellulare italiano, ad esempio 333 123 4567: ti invieremo un codice per SMS.",
            "tel",
            "tel",
            "Invia il codice per SMS",
        ),
    };
    view! {
        <form id=format!("{new}-form") novalidate on:submit=ask.submit()>
            <TextField
                id=new
                label=label
                value
                error=value_error
                autocomplete
                inputmode
                hint=Signal::stored(hint.to_owned())
                check_on_blur=check_value
            />
            <FormAlert form=ask id=new_error />
            <SubmitButton
                form=ask
                id=send
                class="btn btn-outline-primary"
                label=send_label
                busy="Invio del codice…"
            />
        </form>
        {move || {
            waiting
                .get()
                .map(|sent| {
                    view! {
                        <form id=format!("{code_id}-form") class="mt-4" novalidate on:submit=confirm.submit()>
                            <p id=format!("{code_id}-sent") role="status">
                                {format!(
                                    "Ti abbiamo inviato un codice di {CODE_DIGITS} cifre a {}: inseriscilo entro il {} (vale {CODE_TTL_MINUTES} minuti). Se chiedi un nuovo codice, vale solo l'ultimo.",
                                    sent.value,
                                    format::date_at_time(sent.expires_at),
                                )}
                            </p>
                            <TextField
                                id=code_id
                                label="Codice ricevuto"
                                value=code
                                error=code_error
                                autocomplete="one-time-code"
                                inputmode="numeric"
                                check_on_blur=check_code
                            />
                            <FormAlert form=confirm id=code_alert />
                            <SubmitButton
                                form=confirm
                                id=confirm_id
                                label="Conferma"
                                busy="Conferma in corso…"
                            />
                        </form>
                    }
                })
        }}
    }
}

/// A switch of one channel.
#[component]
fn Switch(
    id: &'static str,
    label: &'static str,
    on: RwSignal<bool>,
    error: Signal<Option<String>>,
    #[prop(optional)] disabled: bool,
) -> impl IntoView {
    view! {
        <div class="form-check form-switch mb-3">
            <input
                id=id
                class="form-check-input"
                type="checkbox"
                role="switch"
                disabled=disabled
                aria-invalid=move || if error.with(Option::is_some) { "true" } else { "false" }
                aria-describedby=format!("{id}-error")
                prop:checked=move || on.get()
                on:change=move |ev| on.set(event_target_checked(&ev))
            />
            <label class="form-check-label" for=id>{label}</label>
            <FieldFeedback id=format!("{id}-error") error />
        </div>
    }
}

/// The channels letters come by, checked with the model's rule as they are switched.
#[component]
fn Channels(contacts: Contacts, updated: Callback<String>) -> impl IntoView {
    let session = use_session();
    let reachable = contacts.reachable();
    let email = RwSignal::new(contacts.channels.email);
    let sms = RwSignal::new(contacts.channels.sms);
    let app_io = RwSignal::new(contacts.channels.app_io && contacts.app_io_available);
    let form = Form::new(
        &[
            ("email", "channel-email"),
            ("sms", "channel-sms"),
            ("app_io", "channel-app-io"),
        ],
        move |_| {
            let chosen = ChannelPreferences {
                email: email.get(),
                sms: sms.get(),
                app_io: app_io.get(),
            };
            chosen.check(reachable).map(|()| chosen)
        },
        move |chosen: ChannelPreferences| async move { api::set_channels(session, chosen).await },
        move |_: Contacts| updated.run("Preferenze salvate.".into()),
    );
    let shown = Signal::stored(true);
    view! {
        <CardSection id="contacts-channels" title="Come ricevere le comunicazioni">
            <p>
                "Le comunicazioni restano sempre nella tua area personale. Scegli dove ricevere anche un avviso: gli avvisi urgenti arrivano comunque per SMS al numero confermato."
            </p>
            <form id="channels-form" novalidate on:submit=form.submit()>
                <Switch id="channel-email" label="E-mail" on=email error=form.message("email", shown) />
                <Switch
                    id="channel-sms"
                    label="SMS per tutte le comunicazioni"
                    on=sms
                    error=form.message("sms", shown)
                />
                <Switch
                    id="channel-app-io"
                    label="App IO"
                    on=app_io
                    error=form.message("app_io", shown)
                    disabled=!contacts.app_io_available
                />
                {(!contacts.app_io_available)
                    .then(|| view! { <p id="channel-app-io-note" class="small">"Il Comune non invia comunicazioni tramite App IO."</p> })}
                <FormAlert form id="channels-error" />
                <SubmitButton form id="channels-save" label="Salva le preferenze" busy="Salvataggio…" />
            </form>
        </CardSection>
    }
}
