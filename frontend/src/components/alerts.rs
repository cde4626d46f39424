//! Waiting and failing: the spinner, the error alert with "Riprova", a problem next to
//! its button, and [`remote`] that shows a value on its way.

use std::future::Future;

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use sportello_model::Problem;

use super::Icon;
use crate::api::{self, ApiResult};

/// Spinner with a text, announced politely to screen readers.
#[component]
pub fn Loading(#[prop(into)] label: String) -> impl IntoView {
    view! {
        <div class="loading-state d-flex align-items-center gap-3 py-4" role="status">
            <div class="progress-spinner progress-spinner-active size-sm" aria-hidden="true"></div>
            <span>{label}</span>
        </div>
    }
}

/// The problem's Italian `detail` (and any field error it does not say) in a danger alert,
/// with "Riprova" when trying again can help (no connection, server error, too many
/// requests). With `focus`, the alert takes the keyboard focus when it appears, so a
/// screen reader reads it and the keyboard stays in the form (after a refused submit).
#[component]
pub fn ErrorAlert(
    #[prop(into)] id: String,
    problem: Problem,
    #[prop(optional, into)] retry: Option<Callback<()>>,
    #[prop(optional)] focus: bool,
) -> impl IntoView {
    let retry = retry.filter(|_| api::is_transient(&problem));
    // The title is jargon for an integrator: the detail and the field errors are shown.
    let mut messages = problem.messages().into_iter().map(str::to_owned);
    let detail = messages.next().unwrap_or_default();
    let others: Vec<String> = messages.collect();
    let retry_id = format!("{id}-retry");
    let alert = NodeRef::<leptos::html::Div>::new();
    if focus {
        Effect::new(move |_| {
            if let Some(alert) = alert.get() {
                // Focus is a courtesy: a browser refusing it leaves the page usable.
                let _ = alert.focus();
            }
        });
    }
    view! {
        <div id=id class="alert alert-danger" role="alert" tabindex="-1" node_ref=alert>
            <p class="problem-detail mb-0">{detail}</p>
            {(!others.is_empty())
                .then(|| {
                    view! {
                        <ul class="problem-fields mb-0 mt-2">
                            {others.into_iter().map(|message| view! { <li>{message}</li> }).collect_view()}
                        </ul>
                    }
                })}
            {retry
                .map(|retry| {
                    view! {
                        <button
                            type="button"
                            id=retry_id
                            class="btn btn-outline-primary btn-sm mt-3"
                            on:click=move |_| retry.run(())
                        >
                            "Riprova"
                        </button>
                    }
                })}
        </div>
    }
}

/// Renders a remote value: a spinner while it loads, `render` once it arrived, the error
/// banner with `error_id` (and "Riprova") when it failed.
pub fn remote<T, V>(
    resource: LocalResource<ApiResult<T>>,
    error_id: impl Into<String>,
    loading: &'static str,
    render: impl Fn(T) -> V + Send + 'static,
) -> impl IntoView
where
    T: Clone + 'static,
    V: IntoView + 'static,
{
    let error_id = error_id.into();
    move || match resource.get() {
        None => view! { <Loading label=loading /> }.into_any(),
        Some(Ok(value)) => render(value).into_any(),
        Some(Err(problem)) => {
            let retry = Callback::new(move |()| {
                resource.set(None);
                resource.refetch();
            });
            view! { <ErrorAlert id=error_id.clone() problem retry /> }.into_any()
        }
    }
}

/// The record named by the route parameter `param` (`/utenti/:id`), loaded by `fetch`
/// for [`remote`]; not found when the address does not hold a number.
pub fn record_in_path<T, Fut>(
    param: &'static str,
    fetch: impl Fn(i64) -> Fut + 'static,
) -> LocalResource<ApiResult<T>>
where
    T: 'static,
    Fut: Future<Output = ApiResult<T>> + 'static,
{
    let params = use_params_map();
    let id = Memo::new(move |_| {
        params
            .read()
            .get(param)
            .and_then(|id| id.parse::<i64>().ok())
    });
    LocalResource::new(move || {
        let found = id.get().map(&fetch);
        async move {
            match found {
                Some(found) => found.await,
                None => Err(api::not_found()),
            }
        }
    })
}

/// The Italian `detail` of a problem (and any field error it does not say) next to the
/// button that caused it.
#[component]
pub fn InlineProblem(#[prop(into)] id: String, problem: Problem) -> impl IntoView {
    let text = problem.messages().join(" ");
    view! {
        <p id=id class="inline-problem text-danger small mb-0 mt-1">
            <Icon name="error" class="icon-xs icon-danger me-1" />
            {text}
        </p>
    }
}

/// Under a button: its refusal as [`InlineProblem`] `id` while `problem` holds one,
/// announced politely.
#[component]
pub fn ButtonFeedback(
    #[prop(into)] id: String,
    #[prop(into)] problem: Signal<Option<Problem>>,
    #[prop(optional)] class: &'static str,
) -> impl IntoView {
    view! {
        <div class=(!class.is_empty()).then_some(class) aria-live="polite">
            {move || problem.get().map(|problem| view! { <InlineProblem id=id.clone() problem /> })}
        </div>
    }
}

/// What a form just did, in the success alert `id` while `text` holds it, announced
/// politely.
#[component]
pub fn SuccessNote(id: &'static str, text: RwSignal<Option<String>>) -> impl IntoView {
    view! {
        <div aria-live="polite">
            {move || {
                text.get().map(|text| view! { <p id=id class="alert alert-success mt-3 mb-0">{text}</p> })
            }}
        </div>
    }
}
