//! Forgotten password: ask for the e-mail link, then set a new password with its token.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_query_map;
use sportello_model::auth::{
    validate_new_password, PasswordResetConfirm, PasswordResetRequest, MIN_PASSWORD_CHARS,
};
use sportello_model::{FiscalCode, Problem};

use crate::api;
use crate::app::use_ente;
use crate::components::{focus_element, set_title, Breadcrumb, ErrorAlert, TextField};

/// `/{slug}/password-dimenticata`.
#[component]
pub fn ForgotPassword() -> impl IntoView {
    let ente = use_ente();
    Effect::new(move |_| set_title(&["Password dimenticata", &ente.name()]));

    let fiscal_code = RwSignal::new(String::new());
    let check = RwSignal::new(false);
    let server_error = RwSignal::new(None::<String>);
    let form_error = RwSignal::new(None::<Problem>);
    let pending = RwSignal::new(false);
    let sent = RwSignal::new(false);

    Effect::new(move |_| {
        fiscal_code.track();
        server_error.set(None);
    });
    let fiscal_code_error = Signal::derive(move || {
        server_error.get().or_else(|| {
            check
                .get()
                .then(|| FiscalCode::parse(&fiscal_code.get()).err())
                .flatten()
                .map(|error| error.to_string())
        })
    });

    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        check.set(true);
        let Ok(code) = FiscalCode::parse(&fiscal_code.get_untracked()) else {
            focus_element("reset-fiscal-code");
            return;
        };
        let slug = ente.slug.get_untracked();
        pending.set(true);
        form_error.set(None);
        spawn_local(async move {
            let request = PasswordResetRequest {
                fiscal_code: code.to_string(),
            };
            match api::request_password_reset(&slug, &request).await {
                Ok(()) => sent.set(true),
                Err(problem) => {
                    if let Some(message) = problem.field_message("fiscal_code") {
                        server_error.set(Some(message.to_owned()));
                        focus_element("reset-fiscal-code");
                    }
                    if problem.beyond_fields(&["fiscal_code"]) {
                        form_error.set(Some(problem));
                    }
                }
            }
            pending.set(false);
        });
    };

    view! {
        <Breadcrumb steps=vec![
            ("Home".into(), Some(ente.path(""))),
            ("Accedi".into(), Some(ente.path("accedi"))),
            ("Password dimenticata".into(), None),
        ] />
        <div class="row justify-content-center">
            <div class="col-12 col-md-9 col-lg-7">
                <h1>"Password dimenticata"</h1>
                <Show
                    when=move || sent.get()
                    fallback=move || {
                        view! {
                            <p>
                                "Inserisci il codice fiscale con cui accedi: ti invieremo per e-mail un link per scegliere una nuova password."
                            </p>
                            <form id="reset-request-form" novalidate on:submit=submit>
                                <TextField
                                    id="reset-fiscal-code"
                                    label="Codice fiscale"
                                    value=fiscal_code
                                    error=fiscal_code_error
                                    autocomplete="username"
                                    uppercase=true
                                    check_on_blur=check
                                />
                                <div aria-live="assertive">
                                    {move || {
                                        form_error
                                            .get()
                                            .map(|problem| {
                                                view! { <ErrorAlert id="reset-request-error" problem focus=true /> }
                                            })
                                    }}
                                </div>
                                <button
                                    type="submit"
                                    id="reset-request-submit"
                                    class="btn btn-primary w-100"
                                    disabled=move || pending.get()
                                >
                                    {move || if pending.get() { "Invio in corso…" } else { "Invia il link" }}
                                </button>
                            </form>
                        }
                    }
                >
                    <div id="reset-request-sent" class="alert alert-success" role="status">
                        "Se il codice fiscale è registrato, riceverai a breve un'e-mail con il link per scegliere una nuova password. Il link vale per un tempo limitato."
                    </div>
                </Show>
                <p class="mt-4">
                    <a href=move || ente.path("accedi")>"Torna alla pagina di accesso"</a>
                </p>
            </div>
        </div>
    }
}

/// `/{slug}/reimposta-password?token=…`, the link in the e-mail.
#[component]
pub fn ResetPassword() -> impl IntoView {
    let ente = use_ente();
    let query = use_query_map();
    Effect::new(move |_| set_title(&["Nuova password", &ente.name()]));
    let token = Memo::new(move |_| {
        query
            .read()
            .get("token")
            .filter(|token| !token.trim().is_empty())
    });

    view! {
        <Breadcrumb steps=vec![
            ("Home".into(), Some(ente.path(""))),
            ("Accedi".into(), Some(ente.path("accedi"))),
            ("Nuova password".into(), None),
        ] />
        <div class="row justify-content-center">
            <div class="col-12 col-md-9 col-lg-7">
                <h1>"Scegli una nuova password"</h1>
                {move || match token.get() {
                    Some(token) => view! { <NewPasswordForm token /> }.into_any(),
                    None => {
                        view! {
                            <div id="reset-token-missing" class="alert alert-warning" role="alert">
                                "Il link che hai aperto non è completo. Copia l'indirizzo intero dall'e-mail oppure "
                                <a href=ente.path("password-dimenticata")>"chiedi un nuovo link"</a>
                                "."
                            </div>
                        }
                            .into_any()
                    }
                }}
            </div>
        </div>
    }
}

#[component]
fn NewPasswordForm(token: String) -> impl IntoView {
    let ente = use_ente();
    let password = RwSignal::new(String::new());
    let confirm = RwSignal::new(String::new());
    let show = RwSignal::new(false);
    let check = RwSignal::new(false);
    let check_confirm = RwSignal::new(false);
    let server_error = RwSignal::new(None::<String>);
    let form_error = RwSignal::new(None::<Problem>);
    let pending = RwSignal::new(false);
    let done = RwSignal::new(false);

    Effect::new(move |_| {
        password.track();
        server_error.set(None);
    });
    let password_error = Signal::derive(move || {
        server_error.get().or_else(|| {
            check
                .get()
                .then(|| validate_new_password("new_password", &password.get()).err())
                .flatten()
                .map(|error| error.message)
        })
    });
    let confirm_error = Signal::derive(move || {
        (check_confirm.get() && password.get() != confirm.get())
            .then(|| "Le due password non coincidono.".to_string())
    });
    let kind = Signal::derive(move || if show.get() { "text" } else { "password" });

    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        check.set(true);
        check_confirm.set(true);
        let new_password = password.get_untracked();
        if validate_new_password("new_password", &new_password).is_err() {
            focus_element("new-password");
            return;
        }
        if new_password != confirm.get_untracked() {
            focus_element("confirm-password");
            return;
        }
        let request = PasswordResetConfirm {
            token: token.clone(),
            new_password,
        };
        pending.set(true);
        form_error.set(None);
        spawn_local(async move {
            match api::confirm_password_reset(&request).await {
                Ok(()) => done.set(true),
                Err(problem) => {
                    if let Some(message) = problem.field_message("new_password") {
                        server_error.set(Some(message.to_owned()));
                        focus_element("new-password");
                    }
                    // An expired or used link (`token`) is no field of the form: the alert.
                    if problem.beyond_fields(&["new_password"]) {
                        form_error.set(Some(problem));
                    }
                }
            }
            pending.set(false);
        });
    };

    view! {
        <Show
            when=move || done.get()
            fallback=move || {
                let submit = submit.clone();
                view! {
                    <p>{format!("La password deve avere almeno {MIN_PASSWORD_CHARS} caratteri, con almeno una lettera e una cifra.")}</p>
                    <form id="reset-form" novalidate on:submit=submit>
                        <TextField
                            id="new-password"
                            label="Nuova password"
                            value=password
                            error=password_error
                            kind
                            autocomplete="new-password"
                            check_on_blur=check
                        />
                        <TextField
                            id="confirm-password"
                            label="Ripeti la nuova password"
                            value=confirm
                            error=confirm_error
                            kind
                            autocomplete="new-password"
                            check_on_blur=check_confirm
                        />
                        <div class="form-check mb-4">
                            <input
                                id="show-new-password"
                                type="checkbox"
                                prop:checked=move || show.get()
                                on:change=move |ev| show.set(event_target_checked(&ev))
                            />
                            <label for="show-new-password">"Mostra le password"</label>
                        </div>
                        <div aria-live="assertive">
                            {move || {
                                form_error
                                    .get()
                                    .map(|problem| {
                                        view! {
                                            <ErrorAlert id="reset-error" problem focus=true />
                                            <p>
                                                <a href=ente.path("password-dimenticata")>
                                                    "Chiedi un nuovo link"
                                                </a>
                                            </p>
                                        }
                                    })
                            }}
                        </div>
                        <button
                            type="submit"
                            id="reset-submit"
                            class="btn btn-primary w-100"
                            disabled=move || pending.get()
                        >
                            {move || if pending.get() { "Salvataggio…" } else { "Salva la nuova password" }}
                        </button>
                    </form>
                }
            }
        >
            <div id="reset-done" class="alert alert-success" role="status">
                <p class="mb-2">"La nuova password è stata salvata."</p>
                <a class="btn btn-primary" href=ente.path("accedi")>
                    "Accedi con la nuova password"
                </a>
            </div>
        </Show>
    }
}
