//! `/{slug}/integrazioni`: the comune's API clients, for its administrators — which
//! programs of which software houses reach the comune's data, with which scopes, when
//! each last got a token; making one (its secret shown once), changing its name and
//! scopes, giving it a new secret, revoking it. The forms are checked as they are typed
//! by `model::integrations::ApiClientForm::check`, the rule the server enforces.

use leptos::prelude::*;
use sportello_model::access::Action;
use sportello_model::format;
use sportello_model::integrations::{
    ApiClient, ApiClientForm, ApiClientSecret, Scope, CLIENT_TOKEN_MINUTES,
};

use super::SetupField;
use crate::api;
use crate::app::{use_ente, use_page_title, RoleOnly};
use crate::components::{
    area_breadcrumb, remote, ButtonFeedback, CardSection, FieldFeedback, SuccessNote,
};
use crate::forms::{Form, FormAlert, SubmitButton};
use crate::session::use_session;

const TITLE: &str = "Integrazioni";

#[component]
pub fn ApiClientsPage() -> impl IntoView {
    use_page_title(TITLE);
    view! {
        <RoleOnly
            allowed=Action::ManageApiClients
            title=TITLE
            id="api-clients-not-allowed"
            message="I client API del comune sono gestiti dai suoi amministratori."
        >
            <ApiClients />
        </RoleOnly>
    }
}

#[component]
fn ApiClients() -> impl IntoView {
    let session = use_session();
    let ente = use_ente();
    let changed = RwSignal::new(0_u32);
    let done = RwSignal::new(None::<String>);
    let secret = RwSignal::new(None::<ApiClientSecret>);
    let editing = RwSignal::new(None::<ApiClient>);
    let clients = LocalResource::new(move || {
        changed.track();
        api::api_clients(session)
    });
    let updated = Callback::new(move |note: String| {
        done.set(Some(note));
        changed.update(|n| *n += 1);
    });
    let shown = Callback::new(move |made: ApiClientSecret| {
        done.set(None);
        secret.set(Some(made));
        changed.update(|n| *n += 1);
    });
    view! {
        {area_breadcrumb(ente, vec![(TITLE.into(), None)])}
        <h1>{TITLE}</h1>
        <p class="lead">
            "I programmi dei fornitori del comune (contabilità, tesoreria, cucina) accedono ai dati attraverso le API con un client: un identificativo e un segreto, e solo gli ambiti che scegli."
        </p>
        <p>
            {format!("Il programma chiede un token di accesso, valido {CLIENT_TOKEN_MINUTES} minuti, con il flusso OAuth 2.0 «client credentials». ")}
            <a href="/api/docs" rel="external" id="api-clients-docs">"Documentazione delle API"</a>
        </p>
        <SecretShown secret />
        <SuccessNote id="api-clients-done" text=done />
        <CardSection id="api-clients-section" title="Client API">
            {remote(
                clients,
                "api-clients-error",
                "Caricamento dei client…",
                move |clients| view! { <ClientsTable clients updated shown editing /> },
            )}
        </CardSection>
        {move || editing.get().map(|client| view! { <EditClient client editing updated /> })}
        <NewClient shown />
    }
}

/// A client's secret, just made: shown this once, until the administrator says it is
/// copied.
#[component]
fn SecretShown(secret: RwSignal<Option<ApiClientSecret>>) -> impl IntoView {
    move || {
        secret.get().map(|made| {
            view! {
                <div class="alert alert-warning" id="api-client-secret" role="alert" tabindex="-1">
                    <h2 class="h5">{format!("Credenziali di «{}»", made.client.name)}</h2>
                    <p>
                        "Copia ora il segreto e consegnalo al fornitore in modo sicuro: non sarà più mostrato. Se va perso, genera un nuovo segreto."
                    </p>
                    <dl>
                        <dt>"Identificativo (client_id)"</dt>
                        <dd><code id="api-client-secret-id">{made.client.client_id.clone()}</code></dd>
                        <dt>"Segreto (client_secret)"</dt>
                        <dd><code id="api-client-secret-value">{made.client_secret.clone()}</code></dd>
                    </dl>
                    <button
                        type="button"
                        class="btn btn-outline-primary btn-sm"
                        id="api-client-secret-hide"
                        on:click=move |_| secret.set(None)
                    >
                        "Ho copiato il segreto"
                    </button>
                </div>
            }
        })
    }
}

/// The scopes as labelled checkboxes, in a fieldset.
#[component]
fn ScopeChoice(
    prefix: &'static str,
    chosen: RwSignal<Vec<Scope>>,
    error: Signal<Option<String>>,
) -> impl IntoView {
    let boxes = Scope::ALL
        .into_iter()
        .map(|scope| {
            let box_id = format!("{prefix}-scope-{}", scope.as_str().replace(':', "-"));
            view! {
                <div class="form-check">
                    <input
                        id=box_id.clone()
                        type="checkbox"
                        prop:checked=move || chosen.with(|c| c.contains(&scope))
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            chosen.update(|c| {
                                c.retain(|s| *s != scope);
                                if on {
                                    c.push(scope);
                                }
                            });
                        }
                    />
                    <label for=box_id>
                        {scope.label()}
                        " "
                        <code>{scope.as_str()}</code>
                    </label>
                </div>
            }
        })
        .collect_view();
    view! {
        <fieldset id=format!("{prefix}-scopes") tabindex="-1" class="mb-4">
            <legend class="h6">"Ambiti"</legend>
            {boxes}
            <FieldFeedback id=format!("{prefix}-scopes-error") error />
        </fieldset>
    }
}

/// When, in Italian, or "mai".
fn when(at: Option<time::OffsetDateTime>) -> String {
    at.map_or_else(|| "Mai".to_owned(), format::date_at_time)
}

#[component]
fn ClientsTable(
    clients: Vec<ApiClient>,
    updated: Callback<String>,
    shown: Callback<ApiClientSecret>,
    editing: RwSignal<Option<ApiClient>>,
) -> impl IntoView {
    if clients.is_empty() {
        return view! {
            <p id="api-clients-empty">"Nessun client: crea il primo qui sotto."</p>
        }
        .into_any();
    }
    let rows = clients
        .into_iter()
        .map(|client| {
            let scopes = client
                .scopes
                .iter()
                .map(|s| s.label())
                .collect::<Vec<_>>()
                .join("; ");
            let state = match client.revoked_at {
                Some(at) => format!("Revocato il {}", format::date_at_time(at)),
                None => "Attivo".to_owned(),
            };
            view! {
                <tr id=format!("api-client-{}", client.id)>
                    <th scope="row">{client.name.clone()}</th>
                    <td><code>{client.client_id.clone()}</code></td>
                    <td>{scopes}</td>
                    <td id=format!("api-client-{}-state", client.id)>{state}</td>
                    <td id=format!("api-client-{}-used", client.id)>{when(client.last_used_at)}</td>
                    <td>
                        {client.active.then(|| view! {
                            <ClientActions client=client.clone() updated shown editing />
                        })}
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-responsive">
            <table class="table" id="api-clients-table">
                <caption>"I client API del comune"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Nome"</th>
                        <th scope="col">"Identificativo"</th>
                        <th scope="col">"Ambiti"</th>
                        <th scope="col">"Stato"</th>
                        <th scope="col">"Ultimo accesso"</th>
                        <th scope="col">"Azioni"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}

/// What a button of a client's row asked.
#[derive(Clone, Copy, PartialEq)]
enum Act {
    Rotate,
    Revoke,
}

/// What the server answered a button.
enum Answer {
    Secret(ApiClientSecret),
    Revoked(ApiClient),
}

/// A client's buttons: change it, a new secret, revoke (asked twice). A refusal is said
/// under the buttons.
#[component]
fn ClientActions(
    client: ApiClient,
    updated: Callback<String>,
    shown: Callback<ApiClientSecret>,
    editing: RwSignal<Option<ApiClient>>,
) -> impl IntoView {
    let session = use_session();
    let id = client.id;
    let name = client.name.clone();
    let confirming = RwSignal::new(false);
    let form = Form::buttons(
        move |act: Act| async move {
            match act {
                Act::Rotate => api::rotate_api_client_secret(session, id)
                    .await
                    .map(Answer::Secret),
                Act::Revoke => api::revoke_api_client(session, id)
                    .await
                    .map(Answer::Revoked),
            }
        },
        move |answer: Answer| match answer {
            Answer::Secret(made) => shown.run(made),
            Answer::Revoked(client) => updated.run(format!(
                "«{}» è revocato: i suoi token non funzionano più.",
                client.name
            )),
        },
    );
    let pending = form.pending();
    let edited = client.clone();
    view! {
        <div class="d-flex flex-wrap gap-2">
            <button
                type="button"
                class="btn btn-outline-primary btn-sm"
                id=format!("api-client-{id}-edit")
                aria-label=format!("Modifica {name}")
                on:click=move |_| editing.set(Some(edited.clone()))
            >
                "Modifica"
            </button>
            <button
                type="button"
                class="btn btn-outline-primary btn-sm"
                id=format!("api-client-{id}-rotate")
                aria-label=format!("Nuovo segreto per {name}")
                disabled=move || pending.get()
                on:click=move |_| form.send(Act::Rotate)
            >
                "Nuovo segreto"
            </button>
            {move || if confirming.get() {
                view! {
                    <button
                        type="button"
                        class="btn btn-danger btn-sm"
                        id=format!("api-client-{id}-revoke-confirm")
                        disabled=move || pending.get()
                        on:click=move |_| form.send(Act::Revoke)
                    >
                        "Conferma la revoca"
                    </button>
                }
                .into_any()
            } else {
                view! {
                    <button
                        type="button"
                        class="btn btn-outline-danger btn-sm"
                        id=format!("api-client-{id}-revoke")
                        on:click=move |_| confirming.set(true)
                    >
                        "Revoca"
                    </button>
                }
                .into_any()
            }}
        </div>
        <ButtonFeedback id=format!("api-client-{id}-error") problem=Signal::derive(move || form.problem()) />
    }
}

const NEW_FIELDS: &[(&str, &str)] = &[("name", "api-client-name"), ("scopes", "new-client-scopes")];
const EDIT_FIELDS: &[(&str, &str)] = &[
    ("name", "api-client-edit-name"),
    ("scopes", "edit-client-scopes"),
];

/// "Nuovo client": its name and scopes; the secret is shown once made.
#[component]
fn NewClient(shown: Callback<ApiClientSecret>) -> impl IntoView {
    let session = use_session();
    let name = RwSignal::new(String::new());
    let scopes = RwSignal::new(Vec::<Scope>::new());
    let form = Form::new(
        NEW_FIELDS,
        move |_| {
            let request = ApiClientForm {
                name: name.get(),
                scopes: scopes.get(),
            };
            request.check().map(|_| request)
        },
        move |request: ApiClientForm| async move { api::create_api_client(session, &request).await },
        move |made: ApiClientSecret| {
            name.set(String::new());
            scopes.set(Vec::new());
            shown.run(made);
        },
    );
    view! {
        <CardSection id="api-client-new" title="Nuovo client">
            <form id="api-client-form" novalidate on:submit=form.submit()>
                <SetupField form name="name" id="api-client-name" label="Nome del programma" value=name />
                <ScopeChoice prefix="new-client" chosen=scopes error=form.message_on_submit("scopes") />
                <FormAlert form id="api-client-form-error" />
                <SubmitButton form id="api-client-create" label="Crea il client" busy="Creazione…" />
            </form>
        </CardSection>
    }
}

/// A client's name and scopes, changed; a scope taken away stops working at once.
#[component]
fn EditClient(
    client: ApiClient,
    editing: RwSignal<Option<ApiClient>>,
    updated: Callback<String>,
) -> impl IntoView {
    let session = use_session();
    let id = client.id;
    let name = RwSignal::new(client.name.clone());
    let scopes = RwSignal::new(client.scopes.clone());
    let form = Form::new(
        EDIT_FIELDS,
        move |_| {
            let request = ApiClientForm {
                name: name.get(),
                scopes: scopes.get(),
            };
            request.check().map(|_| request)
        },
        move |request: ApiClientForm| async move { api::change_api_client(session, id, &request).await },
        move |saved: ApiClient| {
            editing.set(None);
            updated.run(format!("«{}» aggiornato.", saved.name));
        },
    );
    view! {
        <CardSection id="api-client-edit" title="Modifica il client">
            <form id="api-client-edit-form" novalidate on:submit=form.submit()>
                <SetupField form name="name" id="api-client-edit-name" label="Nome del programma" value=name />
                <ScopeChoice prefix="edit-client" chosen=scopes error=form.message_on_submit("scopes") />
                <FormAlert form id="api-client-edit-error" />
                <div class="d-flex flex-wrap gap-2">
                    <SubmitButton form id="api-client-save" label="Salva" busy="Salvataggio…" />
                    <button
                        type="button"
                        class="btn btn-outline-secondary"
                        id="api-client-edit-cancel"
                        on:click=move |_| editing.set(None)
                    >
                        "Annulla"
                    </button>
                </div>
            </form>
        </CardSection>
    }
}
