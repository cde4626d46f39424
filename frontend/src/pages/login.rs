//! `/{slug}/accedi`: SPID, CIE and, where the comune allows it, codice fiscale and password.

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;
use sportello_model::auth::{return_path, LoginError, LoginRequest};
use sportello_model::entes::LoginProvider;
use sportello_model::{FieldError, FiscalCode};

use crate::api;
use crate::app::{use_ente, use_page_title};
use crate::components::{Breadcrumb, Icon, ShowPassword, TextField};
use crate::forms::{Form, FormAlert, SubmitButton};
use crate::session::use_session;

/// The mark on a provider's button: SPID's official one (italia/spid-graphics, CC0), CIE's
/// official one (as italia/spid-cie-oidc-django publishes it, Apache-2.0), Bootstrap
/// Italia's card on any other provider.
fn provider_mark(provider: &LoginProvider) -> AnyView {
    let mark = match provider.id.as_str() {
        "spid" => "/icons/spid-ico-circle-bb.svg",
        "cie" => "/icons/cie-ico-circle-bb.svg",
        _ => return view! { <Icon name="card" class="icon-white me-2" /> }.into_any(),
    };
    view! { <img src=mark alt="" width="24" height="24" class="me-2" /> }.into_any()
}

#[component]
pub fn Login() -> impl IntoView {
    let ente = use_ente();
    let session = use_session();
    let query = use_query_map();
    use_page_title("Accedi");

    let access_error = move || {
        query
            .read()
            .get("errore")
            .and_then(|code| LoginError::parse(&code))
    };
    let return_to =
        Memo::new(move |_| return_path(query.read().get("ritorno").as_deref(), &ente.slug.get()));
    let current_user = move || session.user_in(&ente.slug.get());

    let providers = move || {
        let slug = ente.slug.get();
        let return_to = return_to.get();
        ente.with(|detail| detail.login_providers.clone())
            .unwrap_or_default()
            .into_iter()
            .map(|provider| {
                let href = api::oidc_start_url(&slug, &provider.id, &return_to);
                view! {
                    <a
                        id=format!("{}-login", provider.id)
                        class="btn btn-primary btn-icon w-100 justify-content-center mb-3 provider-button"
                        href=href
                        rel="external"
                    >
                        {provider_mark(&provider)}
                        <span>{format!("Entra con {}", provider.label)}</span>
                    </a>
                }
            })
            .collect_view()
    };
    let password_enabled = move || ente.with(|detail| detail.password_login_enabled) == Some(true);

    view! {
        <Breadcrumb steps=vec![("Home".into(), Some(ente.path(""))), ("Accedi".into(), None)] />
        <div class="row justify-content-center">
            <div class="col-12 col-md-9 col-lg-7">
                <h1>"Accedi all'area personale"</h1>
                {move || {
                    access_error()
                        .map(|error| {
                            view! {
                                <div id="access-error" class="alert alert-danger" role="alert">
                                    <p class="fw-semibold mb-1">"Accesso non riuscito"</p>
                                    <p class="mb-0">{error.message()}</p>
                                </div>
                            }
                        })
                }}
                {move || {
                    current_user()
                        .map(|me| {
                            view! {
                                <div id="already-signed-in" class="alert alert-info" role="status">
                                    {format!(
                                        "Hai già effettuato l'accesso come {} {}.",
                                        me.first_name,
                                        me.last_name,
                                    )}
                                    " "
                                    <a href=ente.path("area-personale")>"Vai all'area personale"</a>
                                </div>
                            }
                        })
                }}
                <section class="login-section card card-bg rounded shadow-sm mb-4" aria-labelledby="login-idp-title">
                    <div class="card-body">
                        <h2 id="login-idp-title" class="h4">"Entra con identità digitale"</h2>
                        <p>"Usa SPID o la Carta d'Identità Elettronica (CIE)."</p>
                        {providers}
                    </div>
                </section>
                <Show
                    when=password_enabled
                    fallback=move || {
                        view! {
                            <p id="password-login-disabled">
                                {move || {
                                    format!(
                                        "Il {} consente l'accesso solo con SPID o CIE.",
                                        ente.name(),
                                    )
                                }}
                            </p>
                        }
                    }
                >
                    <PasswordLogin return_to />
                </Show>
            </div>
        </div>
    }
}

/// The login request, or the model's Italian errors per field.
fn draft(fiscal_code: &str, password: &str) -> Result<LoginRequest, Vec<FieldError>> {
    let mut errors = Vec::new();
    let code = FiscalCode::parse(fiscal_code)
        .map_err(|error| errors.push(FieldError::new("fiscal_code", error.to_string())))
        .ok();
    if password.is_empty() {
        errors.push(FieldError::new("password", "Inserisci la password."));
    }
    match code {
        Some(code) if errors.is_empty() => Ok(LoginRequest {
            fiscal_code: code.to_string(),
            password: password.to_owned(),
        }),
        _ => Err(errors),
    }
}

/// Codice fiscale and password form.
#[component]
fn PasswordLogin(return_to: Memo<String>) -> impl IntoView {
    let ente = use_ente();
    let session = use_session();
    let navigate = use_navigate();

    let fiscal_code = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let show_password = RwSignal::new(false);
    // The code's message appears once the user leaves the field, then follows every keystroke.
    let check_fiscal_code = RwSignal::new(false);

    let form = Form::new(
        &[
            ("fiscal_code", "login-fiscal-code"),
            ("password", "login-password"),
        ],
        move |_| draft(&fiscal_code.read(), &password.read()),
        move |request: LoginRequest| async move {
            api::login(&ente.slug.get_untracked(), &request).await
        },
        move |tokens| {
            session.signed_in(tokens);
            navigate(
                &return_to.get_untracked(),
                NavigateOptions {
                    replace: true,
                    ..Default::default()
                },
            );
        },
    );
    let fiscal_code_error = form.message("fiscal_code", check_fiscal_code.into());
    let password_error = form.message_on_submit("password");

    view! {
        <section class="login-section card card-bg rounded shadow-sm mb-4" aria-labelledby="login-password-title">
            <div class="card-body">
                <h2 id="login-password-title" class="h4">"Entra con codice fiscale e password"</h2>
                <form id="login-form" novalidate on:submit=form.submit()>
                    <TextField
                        id="login-fiscal-code"
                        label="Codice fiscale"
                        value=fiscal_code
                        error=fiscal_code_error
                        autocomplete="username"
                        hint="16 caratteri, come sulla tessera sanitaria."
                        uppercase=true
                        check_on_blur=check_fiscal_code
                    />
                    <TextField
                        id="login-password"
                        label="Password"
                        value=password
                        error=password_error
                        kind=Signal::derive(move || if show_password.get() { "text" } else { "password" })
                        autocomplete="current-password"
                    />
                    <ShowPassword id="show-password" label="Mostra la password" show=show_password />
                    <FormAlert form id="login-error" />
                    <SubmitButton form id="login-submit" class="btn btn-primary w-100" label="Accedi" busy="Accesso in corso…" />
                </form>
                <p class="mt-3 mb-0">
                    <a id="forgot-password-link" href=move || ente.path("password-dimenticata")>
                        "Password dimenticata?"
                    </a>
                </p>
            </div>
        </section>
    }
}
