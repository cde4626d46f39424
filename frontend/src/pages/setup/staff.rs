//! `/{slug}/personale`: the comune's staff accounts, for its administrators: who works
//! in the portal with which role and whether the account is active; inviting someone by
//! e-mail (checked as it is typed by `model::staff::StaffInvite::check`, the rule the
//! server enforces), changing a role, turning an account off and on, sending an
//! invitation again.

use leptos::prelude::*;
use sportello_model::access::Action;
use sportello_model::auth::Role;
use sportello_model::format;
use sportello_model::staff::{StaffChange, StaffInvite, StaffMember, INVITE_DAYS, STAFF_ROLES};

use super::SetupField;
use crate::api;
use crate::app::{use_ente, use_page_title, RoleOnly};
use crate::components::{
    area_breadcrumb, remote, ButtonFeedback, CardSection, SelectField, SuccessNote,
};
use crate::forms::{Form, FormAlert, SubmitButton};
use crate::session::use_session;

const TITLE: &str = "Personale";

fn role_options() -> Signal<Vec<(String, String)>> {
    Signal::stored(
        STAFF_ROLES
            .iter()
            .map(|role| (role.as_str().to_owned(), role.label().to_owned()))
            .collect(),
    )
}

#[component]
pub fn StaffPage() -> impl IntoView {
    use_page_title(TITLE);
    view! {
        <RoleOnly
            allowed=Action::ManageStaff
            title=TITLE
            id="staff-not-allowed"
            message="Il personale del comune è gestito dai suoi amministratori."
        >
            <Staff />
        </RoleOnly>
    }
}

#[component]
fn Staff() -> impl IntoView {
    let session = use_session();
    let ente = use_ente();
    let changed = RwSignal::new(0_u32);
    let done = RwSignal::new(None::<String>);
    let staff = LocalResource::new(move || {
        changed.track();
        api::office_staff(session)
    });
    let updated = Callback::new(move |note: String| {
        done.set(Some(note));
        changed.update(|n| *n += 1);
    });
    let me = Memo::new(move |_| session.user_in(&ente.slug.get()).map(|me| me.id));
    view! {
        {area_breadcrumb(ente, vec![(TITLE.into(), None)])}
        <h1>{TITLE}</h1>
        <p class="lead">
            "Chi lavora nel portale per il comune: amministratori, operatori e addetti mensa. Un account disattivato non può più accedere."
        </p>
        <SuccessNote id="staff-done" text=done />
        <CardSection id="staff-section" title="Account del personale">
            {remote(
                staff,
                "staff-error",
                "Caricamento del personale…",
                move |staff| view! { <StaffTable staff me=me.get() updated /> },
            )}
        </CardSection>
        <Invite updated />
    }
}

#[component]
fn StaffTable(
    staff: Vec<StaffMember>,
    me: Option<i64>,
    updated: Callback<String>,
) -> impl IntoView {
    let rows = staff
        .into_iter()
        .map(|member| {
            let own = me == Some(member.id);
            let invited = member
                .invited_at
                .map(|at| format!("Invito inviato il {}", format::date_at_time(at)));
            view! {
                <tr id=format!("staff-{}", member.fiscal_code)>
                    <th scope="row">
                        {format!("{} {}", member.first_name, member.last_name)}
                        {own.then(|| view! { <br /><small>"Il tuo account"</small> })}
                    </th>
                    <td>{member.fiscal_code.clone()}</td>
                    <td>{member.email.clone().unwrap_or_else(|| "—".into())}</td>
                    <td>{member.role_label.clone()}</td>
                    <td>
                        <span id=format!("staff-{}-state", member.fiscal_code)>
                            {member.state_label.clone()}
                        </span>
                        {invited.map(|invited| view! { <br /><small>{invited}</small> })}
                    </td>
                    <td>{(!own).then(|| view! { <StaffActions member=member.clone() updated /> })}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-responsive">
            <table class="table" id="staff-table">
                <caption>"Il personale del comune"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Nome"</th>
                        <th scope="col">"Codice fiscale"</th>
                        <th scope="col">"E-mail"</th>
                        <th scope="col">"Ruolo"</th>
                        <th scope="col">"Stato"</th>
                        <th scope="col">"Azioni"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

/// What an administrator does with someone else's account: change the role, turn it
/// off or on, send the invitation again. A refusal is said under the buttons.
#[component]
fn StaffActions(member: StaffMember, updated: Callback<String>) -> impl IntoView {
    let session = use_session();
    let id = member.id;
    let code = member.fiscal_code.clone();
    let name = format!("{} {}", member.first_name, member.last_name);
    let role = RwSignal::new(member.role.as_str().to_owned());
    let form = Form::buttons(
        move |change: Option<StaffChange>| async move {
            match change {
                Some(change) => api::change_staff(session, id, &change).await,
                None => api::invite_staff_again(session, id).await,
            }
        },
        move |saved: StaffMember| {
            let who = format!("{} {}", saved.first_name, saved.last_name);
            updated.run(format!(
                "{who}: {}, account {}.",
                saved.role_label,
                saved.state_label.to_lowercase()
            ))
        },
    );
    let pending = form.pending();
    let active = member.active;
    let current = member.role;
    let chosen = move || Role::parse(&role.get()).unwrap_or(current);
    let invitable = member.active && !member.password_set;
    view! {
        <SelectField
            id=format!("staff-{code}-role")
            label=format!("Ruolo di {name}")
            value=role
            options=role_options()
        />
        <div class="d-flex flex-wrap gap-2">
            <button
                type="button"
                class="btn btn-outline-primary btn-sm"
                id=format!("staff-{code}-save-role")
                disabled=move || pending.get()
                on:click=move |_| form.send(Some(StaffChange { role: chosen(), active }))
            >
                "Cambia ruolo"
            </button>
            <button
                type="button"
                class="btn btn-outline-primary btn-sm"
                id=format!("staff-{code}-toggle")
                aria-label=format!("{} l'account di {name}", if active { "Disattiva" } else { "Riattiva" })
                disabled=move || pending.get()
                on:click=move |_| form.send(Some(StaffChange { role: current, active: !active }))
            >
                {if active { "Disattiva" } else { "Riattiva" }}
            </button>
            {invitable.then(|| view! {
                <button
                    type="button"
                    class="btn btn-outline-primary btn-sm"
                    id=format!("staff-{code}-invite")
                    aria-label=format!("Invia di nuovo l'invito a {name}")
                    disabled=move || pending.get()
                    on:click=move |_| form.send(None)
                >
                    "Invia di nuovo l'invito"
                </button>
            })}
        </div>
        <ButtonFeedback id=format!("staff-{code}-error") problem=Signal::derive(move || form.problem()) />
    }
}

/// "Invita": the account and the e-mail with the link to choose a password.
#[component]
fn Invite(updated: Callback<String>) -> impl IntoView {
    let session = use_session();
    let fiscal_code = RwSignal::new(String::new());
    let first_name = RwSignal::new(String::new());
    let last_name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let role = RwSignal::new(Role::Operator.as_str().to_owned());
    let form = Form::new(
        &[
            ("fiscal_code", "invite-fiscal-code"),
            ("first_name", "invite-first-name"),
            ("last_name", "invite-last-name"),
            ("email", "invite-email"),
            ("role", "invite-role"),
        ],
        move |_| {
            let request = StaffInvite {
                fiscal_code: fiscal_code.get(),
                first_name: first_name.get(),
                last_name: last_name.get(),
                email: email.get(),
                role: Role::parse(&role.get()).unwrap_or(Role::Operator),
            };
            request.check().map(|_| request)
        },
        move |request: StaffInvite| async move { api::invite_staff(session, &request).await },
        move |invited: StaffMember| {
            for field in [fiscal_code, first_name, last_name, email] {
                field.set(String::new());
            }
            updated.run(format!(
                "Invito inviato a {} {} ({}).",
                invited.first_name,
                invited.last_name,
                invited.email.unwrap_or_default()
            ));
        },
    );
    view! {
        <CardSection id="staff-invite" title="Invita una persona">
            <p>
                {format!("Riceverà un'e-mail con il collegamento per scegliere la password, valido {INVITE_DAYS} giorni. Può accedere anche con SPID o CIE, con il suo codice fiscale.")}
            </p>
            <form id="staff-invite-form" novalidate on:submit=form.submit()>
                <SetupField form name="fiscal_code" id="invite-fiscal-code" label="Codice fiscale" value=fiscal_code />
                <SetupField form name="first_name" id="invite-first-name" label="Nome" value=first_name />
                <SetupField form name="last_name" id="invite-last-name" label="Cognome" value=last_name />
                <SetupField form name="email" id="invite-email" label="E-mail" value=email kind="email" />
                <SelectField
                    id="invite-role"
                    label="Ruolo"
                    value=role
                    options=role_options()
                    error=form.message_on_submit("role")
                />
                <FormAlert form id="staff-invite-error" />
                <SubmitButton form id="staff-invite-send" label="Invia l'invito" busy="Invio…" />
            </form>
        </CardSection>
    }
}
