//! The comune's set-up for its administrators (operators read it): the settings
//! (`settings`), the services with their fee bands (`services`), the schools with their
//! classes (`schools`), the staff accounts (`staff`) and the API clients of the programs
//! that integrate with the portal (`api_clients`).

pub mod api_clients;
pub mod schools;
pub mod services;
pub mod settings;
pub mod staff;

use leptos::prelude::*;

use sportello_model::access::Action;

use crate::app::Ente;
use crate::components::TextField;
use crate::forms::Form;
use crate::session::use_session;

/// Whether the signed-in user may change the set-up (an administrator).
pub fn may_edit(ente: Ente) -> Memo<bool> {
    let session = use_session();
    Memo::new(move |_| {
        session
            .role_in(&ente.slug.get())
            .is_some_and(|role| role.may(Action::ManageEnteSetup))
    })
}

/// A text field of a set-up form whose model error shows once the field was left (or
/// the form sent), and the server's error at once.
#[component]
pub fn SetupField<I: Clone + 'static>(
    form: Form<I>,
    #[prop(into)] name: String,
    #[prop(into)] id: String,
    #[prop(into)] label: String,
    value: RwSignal<String>,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] inputmode: &'static str,
) -> impl IntoView {
    let left = RwSignal::new(false);
    let error = form.message_at(name, left.into());
    view! { <TextField id label value error kind inputmode check_on_blur=left /> }
}

/// A yes-or-no setting.
#[component]
pub fn CheckField(
    #[prop(into)] id: String,
    #[prop(into)] label: String,
    value: RwSignal<bool>,
) -> impl IntoView {
    view! {
        <div class="form-check mb-4">
            <input
                id=id.clone()
                type="checkbox"
                prop:checked=move || value.get()
                on:change=move |ev| value.set(event_target_checked(&ev))
            />
            <label for=id>{label}</label>
        </div>
    }
}
