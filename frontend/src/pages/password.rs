//! Forgotten password: ask for the e-mail link, then set a new password with its token.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use sportello_model::auth::{
    validate_new_password, PasswordResetConfirm, PasswordResetRequest, MIN_PASSWORD_CHARS,
};
use sportello_model::{FieldError, FiscalCode};

use crate::api;
use crate::app::{use_ente, use_page_title};
use crate::components::{Breadcrumb, ShowPassword, TextField};
use crate::forms::{Form, FormAlert, SubmitButton};

/// `/{slug}/password-dimenticata`.
#[component]
pub fn ForgotPassword() -> impl IntoView {
    let ente = use_ente();
    use_page_title("Password dimenticata");

    let fiscal_code = RwSignal::new(String::new());
    let check = RwSignal::new(false);
    let sent = RwSignal::new(false);
    let form = Form::new(
        &[("fiscal_code", "reset-fiscal-code")],
        move |_| {
            FiscalCode::parse(&fiscal_code.read())
                .map(|code| PasswordResetRequest {
                    fiscal_code: code.to_string(),
                })
                .map_err(|error| vec![FieldError::new("fiscal_code", error.to_string())])
        },
        move |request: PasswordResetRequest| async move {
            api::request_password_reset(&ente.slug.get_untracked(), &request).await
        },
        move |()| sent.set(true),
    );
    let fiscal_code_error = form.message("fiscal_code", check.into());

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
                            <form id="reset-request-form" novalidate on:submit=form.submit()>
                                <TextField
                                    id="reset-fiscal-code"
                                    label="Codice fiscale"
                                    value=fiscal_code
                                    error=fiscal_code_error
                                    autocomplete="username"
                                    uppercase=true
                                    check_on_blur=check
                                />
                                <FormAlert form id="reset-request-error" />
                                <SubmitButton
                                    form
                                    id="reset-request-submit"
                                    class="btn btn-primary w-100"
                                    label="Invia il link"
                                    busy="Invio in corso…"
                                />
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
    use_page_title("Nuova password");
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
    let done = RwSignal::new(false);
    let form = Form::new(
        &[
            ("new_password", "new-password"),
            ("confirm", "confirm-password"),
        ],
        move |_| {
            let new_password = password.get();
            let mut errors: Vec<FieldError> = validate_new_password("new_password", &new_password)
                .err()
                .into_iter()
                .collect();
            if new_password != confirm.get() {
                errors.push(FieldError::new(
                    "confirm",
                    "Le due password non coincidono.",
                ));
            }
            if errors.is_empty() {
                Ok(PasswordResetConfirm {
                    token: token.clone(),
                    new_password,
                })
            } else {
                Err(errors)
            }
        },
        // An expired or used link (`token`) is no field of the form: the alert.
        move |request: PasswordResetConfirm| async move { api::confirm_password_reset(&request).await },
        move |()| done.set(true),
    );
    let password_error = form.message("new_password", check.into());
    let confirm_error = form.message("confirm", check_confirm.into());
    let kind = Signal::derive(move || if show.get() { "text" } else { "password" });

    view! {
        <Show
            when=move || done.get()
            fallback=move || {
                view! {
                    <p>{format!("La password deve avere almeno {MIN_PASSWORD_CHARS} caratteri, con almeno una lettera e una cifra.")}</p>
                    <form id="reset-form" novalidate on:submit=form.submit()>
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
                        <ShowPassword id="show-new-password" label="Mostra le password" show />
                        <FormAlert form id="reset-error">
                            <p>
                                <a href=ente.path("password-dimenticata")>"Chiedi un nuovo link"</a>
                            </p>
                        </FormAlert>
                        <SubmitButton
                            form
                            id="reset-submit"
                            class="btn btn-primary w-100"
                            label="Salva la nuova password"
                            busy="Salvataggio…"
                        />
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
