//! Form fields with label, hint, Italian error and the ARIA wiring between them.

use leptos::prelude::*;
use sportello_model::forms::{size_label, UploadInfo};
use sportello_model::FieldError;

use super::Icon;

/// The files a file field takes (`accept`): PDF, JPEG and PNG, as the server checks them.
pub const UPLOAD_TYPES: &str = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png";

/// The file attached through the file field `id`: its name and size (`{id}-file`) and
/// «Rimuovi» (`{id}-remove`).
#[component]
pub fn ChosenFile(
    #[prop(into)] id: String,
    file: UploadInfo,
    remove: Callback<()>,
) -> impl IntoView {
    let size = size_label(u32::try_from(file.size_bytes).unwrap_or(u32::MAX));
    view! {
        <p id=format!("{id}-file") class="mb-0 mt-2">
            {format!("{} ({size})", file.file_name)}
            <button
                type="button"
                id=format!("{id}-remove")
                class="btn btn-link btn-sm"
                aria-label=format!("Rimuovi il file {}", file.file_name)
                on:click=move |_| remove.run(())
            >
                "Rimuovi"
            </button>
        </p>
    }
}

/// Text input with label, Italian error message and the ARIA wiring between them.
#[component]
pub fn TextField(
    #[prop(into)] id: String,
    #[prop(into)] label: String,
    value: RwSignal<String>,
    #[prop(into)] error: Signal<Option<String>>,
    #[prop(into, default = Signal::stored("text"))] kind: Signal<&'static str>,
    #[prop(optional)] autocomplete: &'static str,
    #[prop(optional, into)] hint: Option<Signal<String>>,
    /// Keyboard for phones, e.g. `decimal` for amounts.
    #[prop(optional)]
    inputmode: &'static str,
    #[prop(optional)] uppercase: bool,
    /// Set when the user leaves the field after typing: from then on `error` is shown.
    #[prop(optional)]
    check_on_blur: Option<RwSignal<bool>>,
) -> impl IntoView {
    view! {
        <div class="form-group mb-4">
            <label for=id.clone() class="active">
                {label}
            </label>
            <input
                type=move || kind.get()
                id=id.clone()
                name=id.clone()
                class=move || {
                    let mut class = String::from("form-control");
                    if uppercase {
                        class.push_str(" text-uppercase");
                    }
                    if error.with(Option::is_some) {
                        class.push_str(" is-invalid");
                    }
                    class
                }
                autocomplete=(!autocomplete.is_empty()).then_some(autocomplete)
                inputmode=(!inputmode.is_empty()).then_some(inputmode)
                autocapitalize=uppercase.then_some("characters")
                spellcheck=uppercase.then_some("false")
                aria-invalid=move || if error.with(Option::is_some) { "true" } else { "false" }
                aria-describedby=described_by(&id, hint.is_some(), error)
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
                on:blur=move |_| {
                    // Blur also fires when the form is being removed: read and write
                    // only signals that are still alive.
                    let typed = value.try_with_untracked(|value| !value.is_empty());
                    if let (Some(check), Some(true)) = (check_on_blur, typed) {
                        check.try_set(true);
                    }
                }
            />
            {hint.map(|hint| view! { <small id=format!("{id}-hint") class="form-text">{hint}</small> })}
            <FieldFeedback id=format!("{id}-error") error />
        </div>
    }
}

/// A text of several lines with label, hint and error, wired like [`TextField`].
#[component]
pub fn TextAreaField(
    #[prop(into)] id: String,
    #[prop(into)] label: String,
    value: RwSignal<String>,
    #[prop(into)] error: Signal<Option<String>>,
    #[prop(optional, into)] hint: Option<Signal<String>>,
    #[prop(default = 3)] rows: u32,
) -> impl IntoView {
    view! {
        <div class="form-group mb-4">
            <label for=id.clone() class="active">
                {label}
            </label>
            <textarea
                id=id.clone()
                name=id.clone()
                rows=rows
                class=move || if error.with(Option::is_some) { "form-control is-invalid" } else { "form-control" }
                aria-invalid=move || if error.with(Option::is_some) { "true" } else { "false" }
                aria-describedby=described_by(&id, hint.is_some(), error)
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
            ></textarea>
            {hint.map(|hint| view! { <small id=format!("{id}-hint") class="form-text">{hint}</small> })}
            <FieldFeedback id=format!("{id}-error") error />
        </div>
    }
}

/// The `aria-describedby` of field `id`: its hint (`{id}-hint`) when it has one, and its
/// error (`{id}-error`) while there is one.
pub fn described_by(
    id: &str,
    has_hint: bool,
    error: Signal<Option<String>>,
) -> impl Fn() -> Option<String> + Send + Sync + 'static {
    let hint_id = has_hint.then(|| format!("{id}-hint"));
    let error_id = format!("{id}-error");
    move || {
        let error_id = error.with(Option::is_some).then(|| error_id.clone());
        let ids: Vec<String> = hint_id.iter().cloned().chain(error_id).collect();
        (!ids.is_empty()).then(|| ids.join(" "))
    }
}

/// The Italian message under a field while it is wrong, announced politely; `id` is the
/// one the field's `aria-describedby` names.
#[component]
pub fn FieldFeedback(#[prop(into)] id: String, error: Signal<Option<String>>) -> impl IntoView {
    view! {
        <div id=id class="invalid-feedback d-block" aria-live="polite">
            {move || {
                error
                    .get()
                    .map(|message| {
                        view! {
                            <Icon name="error" class="icon-xs icon-danger me-1" />
                            {message}
                        }
                    })
            }}
        </div>
    }
}

/// A drop-down list with label and the ARIA wiring of its error, like [`TextField`].
/// `options` are (value, label) pairs.
#[component]
pub fn SelectField(
    #[prop(into)] id: String,
    #[prop(into)] label: String,
    value: RwSignal<String>,
    #[prop(into)] options: Signal<Vec<(String, String)>>,
    #[prop(optional, into)] error: Option<Signal<Option<String>>>,
) -> impl IntoView {
    let error = error.unwrap_or_else(|| Signal::stored(None));
    view! {
        <div class="select-wrapper form-group mb-4">
            <label for=id.clone() class="active">
                {label}
            </label>
            <select
                id=id.clone()
                name=id.clone()
                class=move || error.with(Option::is_some).then_some("is-invalid")
                aria-invalid=move || if error.with(Option::is_some) { "true" } else { "false" }
                aria-describedby=described_by(&id, false, error)
                on:change=move |ev| value.set(event_target_value(&ev))
            >
                {move || {
                    options
                        .get()
                        .into_iter()
                        .map(|(option, text)| {
                            let selected = value.with(|value| *value == option);
                            view! {
                                <option value=option selected=selected>
                                    {text}
                                </option>
                            }
                        })
                        .collect_view()
                }}
            </select>
            <FieldFeedback id=format!("{id}-error") error />
        </div>
    }
}

/// "Dal giorno … Al giorno …": two date fields side by side, wired like [`TextField`];
/// every page that asks for a range of days uses it.
#[component]
pub fn DateRange(
    #[prop(into)] from_id: String,
    #[prop(into)] to_id: String,
    from: RwSignal<String>,
    to: RwSignal<String>,
    #[prop(into)] from_error: Signal<Option<String>>,
    #[prop(into)] to_error: Signal<Option<String>>,
    #[prop(default = "Dal giorno")] from_label: &'static str,
    #[prop(default = "Al giorno")] to_label: &'static str,
    #[prop(optional, into)] to_hint: Option<Signal<String>>,
) -> impl IntoView {
    view! {
        <div class="row">
            <div class="col-12 col-sm-6">
                <TextField id=from_id label=from_label value=from kind="date" error=from_error />
            </div>
            <div class="col-12 col-sm-6">
                {match to_hint {
                    Some(hint) => view! {
                        <TextField id=to_id label=to_label value=to kind="date" error=to_error hint />
                    }
                    .into_any(),
                    None => view! {
                        <TextField id=to_id label=to_label value=to kind="date" error=to_error />
                    }
                    .into_any(),
                }}
            </div>
        </div>
    }
}

/// "Mostra la password": the checkbox that shows what is typed in the password fields.
#[component]
pub fn ShowPassword(id: &'static str, label: &'static str, show: RwSignal<bool>) -> impl IntoView {
    view! {
        <div class="form-check mb-4">
            <input
                id=id
                type="checkbox"
                prop:checked=move || show.get()
                on:change=move |ev| show.set(event_target_checked(&ev))
            />
            <label for=id>{label}</label>
        </div>
    }
}

/// The message of `field` among `problems` (the errors a filter's check found), for the
/// field's `error`.
pub fn message_of(
    problems: RwSignal<Vec<FieldError>>,
    field: &'static str,
) -> Signal<Option<String>> {
    Signal::derive(move || {
        problems
            .read()
            .iter()
            .find(|p| p.field == field)
            .map(|p| p.message.clone())
    })
}
