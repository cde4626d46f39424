//! One way to write a form. A form is its fields, a `draft` that turns what is typed into
//! the request with the model's rules (the functions the server enforces), and the call
//! that sends it. [`Form`] keeps the rest: the live checks, the server's field errors next
//! to their fields, everything else in one alert that takes the focus, the pending state
//! (a Leptos action) that disables the submit button, and one request id per submission,
//! kept across retries and renewed once the API accepted it.

use std::future::Future;
use std::rc::Rc;

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use sportello_model::{FieldError, Problem};

use crate::api::{self, ApiResult};
use crate::components::{focus_element, ErrorAlert};

type Draft<I> = Box<dyn Fn(&str) -> Result<I, Vec<FieldError>> + Send + Sync>;

/// Where the fields of a form are.
#[derive(Clone, Copy)]
enum Fields {
    /// `(API field name, element id)` in the order of the page: the first wrong one takes
    /// the focus.
    Listed(&'static [(&'static str, &'static str)]),
    /// Fields that come and go (an editor's questions): the element id of a field name;
    /// a field is shown while its element is on the page.
    Anywhere(fn(&str) -> String),
}

impl Fields {
    /// The element of the first wrong field on the page, in the page's order for a
    /// listed form, in the order of `errors` otherwise.
    fn first_wrong(self, errors: &[FieldError]) -> Option<String> {
        match self {
            Fields::Listed(fields) => fields
                .iter()
                .find(|(name, _)| errors.iter().any(|error| error.field == *name))
                .map(|(_, element)| (*element).to_owned()),
            Fields::Anywhere(element_of) => errors
                .iter()
                .map(|error| element_of(&error.field))
                .find(|element| on_page(element)),
        }
    }

    /// Whether the problem names something that is not one of the fields shown.
    fn beyond(self, problem: &Problem) -> bool {
        match self {
            Fields::Listed(fields) => {
                let names: Vec<&str> = fields.iter().map(|(name, _)| *name).collect();
                problem.beyond_fields(&names)
            }
            Fields::Anywhere(element_of) => {
                problem.errors.is_empty()
                    || problem
                        .errors
                        .iter()
                        .any(|error| !on_page(&element_of(&error.field)))
            }
        }
    }
}

fn on_page(element: &str) -> bool {
    document().get_element_by_id(element).is_some()
}

pub struct Form<I: 'static> {
    fields: Fields,
    /// None for buttons that each send their own input, see [`Form::buttons`].
    draft: StoredValue<Option<Draft<I>>>,
    /// The model's errors for what is typed now.
    checks: Memo<Vec<FieldError>>,
    submitted: RwSignal<bool>,
    server: RwSignal<Vec<FieldError>>,
    problem: RwSignal<Option<Problem>>,
    request_id: StoredValue<String>,
    action: Action<I, ()>,
    /// Stops the submission on its way, see [`Form::stop`].
    abort: StoredValue<Option<ActionAbortHandle>>,
}

impl<I> Clone for Form<I> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<I> Copy for Form<I> {}

impl<I: Clone + 'static> Form<I> {
    /// `draft` reads the fields (tracked: the checks follow every keystroke) and receives
    /// the submission's request id; `send` calls the API; `done` runs once it accepted.
    pub fn new<O, Fut>(
        fields: &'static [(&'static str, &'static str)],
        draft: impl Fn(&str) -> Result<I, Vec<FieldError>> + Send + Sync + 'static,
        send: impl Fn(I) -> Fut + 'static,
        done: impl Fn(O) + 'static,
    ) -> Form<I>
    where
        O: 'static,
        Fut: Future<Output = ApiResult<O>> + 'static,
    {
        Form::build(Fields::Listed(fields), Some(Box::new(draft)), send, done)
    }

    /// A form whose fields come and go (an editor's questions): the API's field errors
    /// are shown next to the element `element_of(field)` while it is on the page, in the
    /// alert otherwise. Messages are read with [`Form::message_at`].
    pub fn anywhere<O, Fut>(
        element_of: fn(&str) -> String,
        draft: impl Fn(&str) -> Result<I, Vec<FieldError>> + Send + Sync + 'static,
        send: impl Fn(I) -> Fut + 'static,
        done: impl Fn(O) + 'static,
    ) -> Form<I>
    where
        O: 'static,
        Fut: Future<Output = ApiResult<O>> + 'static,
    {
        Form::build(
            Fields::Anywhere(element_of),
            Some(Box::new(draft)),
            send,
            done,
        )
    }

    /// A form without fields: buttons (a choice, "Annulla avviso", "Paga") that each send
    /// their own input with [`Form::send`].
    pub fn buttons<O, Fut>(send: impl Fn(I) -> Fut + 'static, done: impl Fn(O) + 'static) -> Form<I>
    where
        O: 'static,
        Fut: Future<Output = ApiResult<O>> + 'static,
    {
        Form::build(Fields::Listed(&[]), None, send, done)
    }

    fn build<O, Fut>(
        fields: Fields,
        draft: Option<Draft<I>>,
        send: impl Fn(I) -> Fut + 'static,
        done: impl Fn(O) + 'static,
    ) -> Form<I>
    where
        O: 'static,
        Fut: Future<Output = ApiResult<O>> + 'static,
    {
        let request_id = StoredValue::new(api::new_request_id());
        let draft = StoredValue::new(draft);
        let checks = Memo::new(move |_| {
            draft
                .with_value(|draft| draft.as_ref()?(&request_id.get_value()).err())
                .unwrap_or_default()
        });
        let submitted = RwSignal::new(false);
        let server = RwSignal::new(Vec::<FieldError>::new());
        let problem = RwSignal::new(None::<Problem>);
        // What the server said is about the fields as they were sent.
        Effect::new(move |_| {
            draft.with_value(|draft| {
                if let Some(draft) = draft {
                    // Only read to track the fields.
                    let _ = draft(&request_id.get_value());
                }
            });
            server.try_set(Vec::new());
            problem.try_set(None);
        });
        let done = Rc::new(done);
        let action = Action::new_local(move |input: &I| {
            let sent = send(input.clone());
            let done = Rc::clone(&done);
            async move {
                match sent.await {
                    Ok(output) => {
                        request_id.try_set_value(api::new_request_id());
                        submitted.try_set(false);
                        done(output);
                    }
                    Err(found) => show_problem(fields, server, problem, found),
                }
            }
        });
        Form {
            fields,
            draft,
            checks,
            submitted,
            server,
            problem,
            request_id,
            action,
            abort: StoredValue::new(None),
        }
    }

    /// The message under field `name`: the server's, else the model's once `shown` (the
    /// field was filled in or left) or the form was sent.
    pub fn message(self, name: &'static str, shown: Signal<bool>) -> Signal<Option<String>> {
        self.message_at(name.to_owned(), shown)
    }

    /// [`Form::message`] of a field whose name is made as the page renders.
    pub fn message_at(self, name: String, shown: Signal<bool>) -> Signal<Option<String>> {
        Signal::derive(move || {
            let on_field = |errors: &Vec<FieldError>| {
                errors
                    .iter()
                    .find(|error| error.field == name)
                    .map(|error| error.message.clone())
            };
            self.server.with(on_field).or_else(|| {
                (self.submitted.get() || shown.get())
                    .then(|| self.checks.with(on_field))
                    .flatten()
            })
        })
    }

    /// The message under field `name` once the form was sent (or the server named it).
    pub fn message_on_submit(self, name: &'static str) -> Signal<Option<String>> {
        self.message(name, Signal::stored(false))
    }

    /// Whether the request is on its way.
    pub fn pending(self) -> Memo<bool> {
        self.action.pending()
    }

    /// What is on its way, e.g. which of two buttons sent the form.
    pub fn in_flight(self) -> MappedSignal<Option<I>> {
        self.action.input()
    }

    /// Forgets the submission on its way (its answer is ignored): for a page that the
    /// browser shows again from its cache after it left, e.g. for pagoPA. What is sent
    /// next is a new request, with a new request id.
    pub fn stop(self) {
        if let Some(abort) = self.abort.try_update_value(Option::take).flatten() {
            abort.abort();
        }
        self.request_id.try_set_value(api::new_request_id());
    }

    /// What the API answered beyond the fields (tracked), for a problem shown next to
    /// the button that caused it rather than in [`FormAlert`].
    pub fn problem(self) -> Option<Problem> {
        self.problem.get()
    }

    /// Forgets what the API answered, e.g. when the user starts over.
    pub fn clear(self) {
        self.problem.set(None);
        self.server.set(Vec::new());
    }

    /// The `on:submit` handler: checks the fields (the first wrong one takes the focus)
    /// and sends the request, once at a time.
    pub fn submit(self) -> impl Fn(SubmitEvent) + Copy + 'static {
        move |ev: SubmitEvent| {
            ev.prevent_default();
            if self.action.pending().get_untracked() {
                return;
            }
            self.submitted.set(true);
            let draft = self.draft.with_value(|draft| {
                draft
                    .as_ref()
                    .map(|draft| draft(&self.request_id.get_value()))
            });
            match draft {
                Some(Ok(input)) => self.send(input),
                Some(Err(errors)) => {
                    // What the API said is about an earlier submission.
                    self.clear();
                    focus_first(self.fields, &errors);
                }
                None => {}
            }
        }
    }

    /// What is typed now, as the request, without sending it (e.g. for a preview); when
    /// it is wrong, the messages show as on a submission and the first wrong field takes
    /// the focus.
    pub fn check(self) -> Option<I> {
        self.submitted.set(true);
        let draft = self.draft.with_value(|draft| {
            draft
                .as_ref()
                .map(|draft| draft(&self.request_id.get_value()))
        })?;
        draft
            .map_err(|errors| focus_first(self.fields, &errors))
            .ok()
    }

    /// [`Form::submit`] that first takes away what the last submission showed (`shown`).
    pub fn submit_clearing<T: Send + Sync + 'static>(
        self,
        shown: RwSignal<Option<T>>,
    ) -> impl Fn(SubmitEvent) + Copy + 'static {
        move |ev: SubmitEvent| {
            shown.set(None);
            self.submit()(ev);
        }
    }

    /// Sends `input` unless a request is on its way.
    pub fn send(self, input: I) {
        if self.action.pending().get_untracked() {
            return;
        }
        self.clear();
        let abort = self.action.dispatch_local(input);
        self.abort.set_value(Some(abort));
    }
}

/// A problem the API answered: next to the fields it names when this form has them all,
/// otherwise (its detail and every message) in the alert, which takes the focus.
fn show_problem(
    fields: Fields,
    server: RwSignal<Vec<FieldError>>,
    alert: RwSignal<Option<Problem>>,
    problem: Problem,
) {
    if fields.beyond(&problem) {
        server.try_set(Vec::new());
        alert.try_set(Some(problem));
    } else {
        focus_first(fields, &problem.errors);
        server.try_set(problem.errors);
    }
}

fn focus_first(fields: Fields, errors: &[FieldError]) {
    if let Some(element) = fields.first_wrong(errors) {
        focus_element(&element);
    }
}

/// The form's alert: what the API answered beyond the fields, announced and focused;
/// `children` (e.g. a way out) follow it while it is shown.
#[component]
pub fn FormAlert<I: Clone + 'static>(
    form: Form<I>,
    id: &'static str,
    #[prop(optional)] children: Option<ChildrenFn>,
) -> impl IntoView {
    view! {
        <div aria-live="assertive">
            {move || {
                let after = children.clone();
                form.problem
                    .get()
                    .map(|problem| view! { <ErrorAlert id problem focus=true />{after.map(|after| after())} })
            }}
        </div>
    }
}

/// The submit button, disabled (and saying `busy`) while the request is on its way.
#[component]
pub fn SubmitButton<I: Clone + 'static>(
    form: Form<I>,
    id: &'static str,
    label: &'static str,
    busy: &'static str,
    #[prop(default = "btn btn-primary")] class: &'static str,
) -> impl IntoView {
    let pending = form.pending();
    view! {
        <button type="submit" id=id class=class disabled=move || pending.get()>
            {move || if pending.get() { busy } else { label }}
        </button>
    }
}
