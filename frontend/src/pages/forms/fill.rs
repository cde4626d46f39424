//! The questions of a form as the family fills them: [`FormFields`] renders a
//! [`FormDefinition`] section by section, one input per kind of question, each with its
//! label, help and limits, shown only while its condition holds
//! ([`FormDefinition::is_shown`]), with the Italian error of the model's
//! [`check_answers`](sportello_model::forms::check_answers) or of the API next to it. The
//! families' fill page and the operators' preview of the editor both use it.

use leptos::prelude::*;
use serde_json::{Map, Value};
use sportello_model::children::{ChildSummary, MealType};
use sportello_model::format::{date as italian_date, euro};
use sportello_model::forms::{upload_hint, Answers, Field, FieldKind, FormDefinition, UploadInfo};
use sportello_model::FieldError;

use crate::components::{
    described_by, ChosenFile, FieldFeedback, SelectField, TextAreaField, TextField, UPLOAD_TYPES,
};

/// The element id of the input of answer `name` (`answers.dieta.certificate` →
/// `field-dieta-certificate`), where the focus goes when it is wrong.
pub fn element_id(name: &str) -> String {
    let name = name.strip_prefix("answers.").unwrap_or(name);
    format!("field-{}", name.replace('.', "-"))
}

/// Where the id of an uploaded file goes in the answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Slot {
    /// The answer of an attachment question.
    Upload(String),
    /// The medical certificate of a diet question.
    Certificate(String),
}

impl Slot {
    /// The key of the question.
    pub fn key(&self) -> &str {
        match self {
            Slot::Upload(key) | Slot::Certificate(key) => key,
        }
    }

    /// The name of its error, as the model and the API name it.
    pub fn error_name(&self) -> String {
        match self {
            Slot::Upload(key) => format!("answers.{key}"),
            Slot::Certificate(key) => format!("answers.{key}.certificate"),
        }
    }

    fn path(&self) -> &'static [&'static str] {
        match self {
            Slot::Upload(_) => &[],
            Slot::Certificate(_) => &["certificate"],
        }
    }

    /// The file now in the slot.
    pub fn file(&self, answers: &Answers) -> Option<i64> {
        answer_at(answers, self.key(), self.path()).and_then(Value::as_i64)
    }

    /// Puts the file `id` in the slot, or empties it.
    pub fn put(&self, answers: &mut Answers, id: Option<i64>) {
        put_answer(
            answers,
            self.key(),
            self.path(),
            id.map_or(Value::Null, Value::from),
        );
    }
}

/// The files of the submission being filled and how a chosen file is attached; without
/// it (the editor's preview) the attachment questions are shown but cannot be used.
#[derive(Clone, Copy)]
pub struct Files {
    /// The files attached so far.
    pub list: Signal<Vec<UploadInfo>>,
    /// Sends the file chosen for a slot; the page puts its id in the answers.
    pub attach: Callback<(Slot, web_sys::File)>,
    /// Removes the file (its id) in a slot; the page empties the slot.
    pub detach: Callback<(Slot, i64)>,
    /// The slot whose file is on its way.
    pub sending: Signal<Option<Slot>>,
}

/// Everything a question needs, shared by all the questions of the form.
#[derive(Clone, Copy)]
struct Fill {
    answers: RwSignal<Answers>,
    /// The model's errors of the answers: shown under a question once it was left after
    /// typing, or once `reveal` holds (the family pressed «Invia»).
    checks: Signal<Vec<FieldError>>,
    /// The API's errors: always shown.
    server: Signal<Vec<FieldError>>,
    reveal: Signal<bool>,
    children: Signal<Vec<ChildSummary>>,
    files: Option<Files>,
    on_child: Option<Callback<i64>>,
}

impl Fill {
    /// The message under the answer (or part of an answer) `name`.
    fn message(self, name: String, touched: RwSignal<bool>) -> Signal<Option<String>> {
        let Fill {
            checks,
            server,
            reveal,
            ..
        } = self;
        Signal::derive(move || {
            let on_name = |errors: &Vec<FieldError>| {
                errors
                    .iter()
                    .find(|error| error.field == name)
                    .map(|error| error.message.clone())
            };
            server.with(on_name).or_else(|| {
                (reveal.get() || touched.get())
                    .then(|| checks.with(on_name))
                    .flatten()
            })
        })
    }

    /// A text bound to the answer `key` (at `path` inside it): typing changes the answer.
    fn text(
        self,
        key: &str,
        path: &'static [&'static str],
        read: fn(&Value) -> String,
        write: fn(String) -> Value,
        touched: Option<RwSignal<bool>>,
    ) -> RwSignal<String> {
        let initial = self
            .answers
            .with_untracked(|answers| answer_at(answers, key, path).map(read))
            .unwrap_or_default();
        let text = RwSignal::new(initial);
        let key = key.to_owned();
        let answers = self.answers;
        Effect::new(move |first: Option<()>| {
            let typed = text.get();
            if first.is_some() {
                answers.update(|answers| put_answer(answers, &key, path, write(typed)));
                if let Some(touched) = touched {
                    touched.set(true);
                }
            }
        });
        text
    }
}

/// The answer `key`, or its part at `path`.
fn answer_at<'a>(answers: &'a Answers, key: &str, path: &[&str]) -> Option<&'a Value> {
    path.iter()
        .try_fold(answers.get(key)?, |value, part| value.get(part))
}

/// Sets the answer `key` (or its part at `path`) to `value`; a blank answer is removed.
fn put_answer(answers: &mut Answers, key: &str, path: &[&str], value: Value) {
    let Some((last, parents)) = path.split_last() else {
        let blank = match &value {
            Value::Null => true,
            Value::String(text) => text.trim().is_empty(),
            Value::Array(items) => items.is_empty(),
            _ => false,
        };
        if blank {
            answers.remove(key);
        } else {
            answers.insert(key.to_owned(), value);
        }
        return;
    };
    let mut slot = answers.entry(key.to_owned()).or_insert(Value::Null);
    for part in parents {
        slot = object(slot).entry(*part).or_insert(Value::Null);
    }
    object(slot).insert((*last).to_owned(), value);
}

/// `value` as an object, made one when it is not.
fn object(value: &mut Value) -> &mut Map<String, Value> {
    if !value.is_object() {
        *value = Value::Object(Map::new());
    }
    match value {
        Value::Object(map) => map,
        _ => unreachable!("made an object above"),
    }
}

fn as_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Number(number) => number.to_string(),
        Value::Bool(true) => "true".into(),
        Value::Bool(false) => "false".into(),
        _ => String::new(),
    }
}

fn text_answer(text: String) -> Value {
    Value::String(text)
}

/// A whole number as a number; anything else as typed, for the model to refuse.
fn integer_answer(text: String) -> Value {
    match text.trim().parse::<i64>() {
        Ok(number) => Value::from(number),
        Err(_) => Value::String(text),
    }
}

fn yes_no_answer(text: String) -> Value {
    match text.as_str() {
        "true" => Value::Bool(true),
        "false" => Value::Bool(false),
        _ => Value::Null,
    }
}

const NEW_CHILD: &str = "nuovo";

fn child_choice(value: &Value) -> String {
    match (value.get("child_id"), value.get("new_child")) {
        (Some(id), _) => as_text(id),
        (None, Some(_)) => NEW_CHILD.into(),
        _ => String::new(),
    }
}

fn child_answer(text: String) -> Value {
    if text == NEW_CHILD {
        serde_json::json!({"new_child": {"first_name": "", "last_name": "", "fiscal_code": "", "birth_date": ""}})
    } else {
        match text.parse::<i64>() {
            Ok(id) => serde_json::json!({ "child_id": id }),
            Err(_) => Value::Null,
        }
    }
}

/// What the limits of a question are, as the family reads them under it.
fn limits(kind: &FieldKind) -> Option<String> {
    match kind {
        FieldKind::ShortText { max_chars } | FieldKind::LongText { max_chars } => {
            Some(format!("Al massimo {max_chars} caratteri."))
        }
        FieldKind::Integer { min, max } => Some(format!("Un numero intero da {min} a {max}.")),
        FieldKind::Amount { max } => Some(format!(
            "In euro, con la virgola per i decimali (ad esempio 54,00), al massimo {}.",
            euro(*max)
        )),
        FieldKind::Date { earliest, latest } => match (earliest, latest) {
            (Some(e), Some(l)) => {
                Some(format!("Dal {} al {}.", italian_date(*e), italian_date(*l)))
            }
            (Some(e), None) => Some(format!("Dal {} in poi.", italian_date(*e))),
            (None, Some(l)) => Some(format!("Fino al {}.", italian_date(*l))),
            (None, None) => None,
        },
        FieldKind::MultipleChoice {
            max_selected: Some(max),
            ..
        } => Some(format!("Al massimo {max} scelte.")),
        FieldKind::Phone => Some("Ad esempio +39 333 123 4567.".into()),
        FieldKind::Iban => Some("27 caratteri che iniziano con IT.".into()),
        FieldKind::Upload { max_bytes } => Some(upload_hint(*max_bytes)),
        _ => None,
    }
}

/// The hint under a question: its help text and its limits.
fn hint(field: &Field) -> Option<Signal<String>> {
    let text: Vec<String> = [Some(field.help.trim().to_owned()), limits(&field.kind)]
        .into_iter()
        .flatten()
        .filter(|text| !text.is_empty())
        .collect();
    (!text.is_empty()).then(|| Signal::stored(text.join(" ")))
}

/// The hint of a question that always has limits.
fn limits_hint(hint: Option<Signal<String>>) -> Signal<String> {
    hint.unwrap_or_else(|| Signal::stored(String::new()))
}

/// A question of several inputs (choices, or the parts of an answer): a fieldset named by
/// its label, with its hint and the error of the whole answer, which takes the focus.
#[component]
fn Group(
    id: String,
    label: String,
    hint: Option<Signal<String>>,
    error: Signal<Option<String>>,
    children: Children,
) -> impl IntoView {
    let has_hint = hint.is_some();
    view! {
        <fieldset class="mb-4" id=id.clone() tabindex="-1" aria-describedby=described_by(&id, has_hint, error)>
            <legend class="h6">{label}</legend>
            {hint.map(|hint| view! { <p id=format!("{id}-hint") class="small">{hint}</p> })}
            {children()}
            <FieldFeedback id=format!("{id}-error") error />
        </fieldset>
    }
}

/// The label of a question, `*` when it is required.
fn label(field: &Field) -> String {
    if field.required {
        format!("{} *", field.label)
    } else {
        field.label.clone()
    }
}

/// Every section and question of `definition`, bound to `answers`.
#[component]
pub fn FormFields(
    definition: FormDefinition,
    answers: RwSignal<Answers>,
    /// The model's errors of the answers (`check_answers` at `Stage::Send`).
    #[prop(into)]
    errors: Signal<Vec<FieldError>>,
    /// The API's field errors of the last save or send.
    #[prop(optional, into)]
    server: Option<Signal<Vec<FieldError>>>,
    /// Every error of `errors` is shown, not only those of questions left after typing.
    #[prop(optional, into)]
    reveal: Option<Signal<bool>>,
    /// The family's children, for a «Figlio» question.
    #[prop(optional, into)]
    children: Option<Signal<Vec<ChildSummary>>>,
    #[prop(optional)] files: Option<Files>,
    /// Called when one of the family's children is chosen.
    #[prop(optional, into)]
    on_child: Option<Callback<i64>>,
) -> impl IntoView {
    let fill = Fill {
        answers,
        checks: errors,
        server: server.unwrap_or_else(|| Signal::stored(Vec::new())),
        reveal: reveal.unwrap_or_else(|| Signal::stored(false)),
        children: children.unwrap_or_else(|| Signal::stored(Vec::new())),
        files,
        on_child,
    };
    let definition = StoredValue::new(definition);
    let sections = definition.with_value(|d| d.sections.clone());
    let any_required = definition.with_value(|d| d.fields().any(|f| f.required));
    view! {
        {any_required
            .then(|| view! { <p class="small">"Le domande contrassegnate da * sono obbligatorie."</p> })}
        {sections
            .into_iter()
            .enumerate()
            .map(|(index, section)| {
                let title_id = format!("section-{index}-title");
                let labelled_by = title_id.clone();
                let description = (!section.description.trim().is_empty())
                    .then(|| view! { <p>{section.description.clone()}</p> });
                view! {
                    <section class="form-section mb-4" aria-labelledby=labelled_by>
                        <h2 id=title_id class="h5">{section.title.clone()}</h2>
                        {description}
                        {section
                            .fields
                            .into_iter()
                            .map(|field| {
                                let shown = {
                                    let field = field.clone();
                                    Memo::new(move |_| {
                                        answers
                                            .with(|answers| {
                                                definition.with_value(|d| d.is_shown(&field, answers))
                                            })
                                    })
                                };
                                move || shown.get().then(|| question(fill, field.clone()))
                            })
                            .collect_view()}
                    </section>
                }
            })
            .collect_view()}
    }
}

/// What every question has: where its answer goes, its element, label and error, and
/// whether it was left after typing.
struct Asked {
    fill: Fill,
    key: String,
    name: String,
    id: String,
    label: String,
    error: Signal<Option<String>>,
    touched: RwSignal<bool>,
}

impl Asked {
    /// The message under the part `part` of the answer.
    fn part(&self, part: &str) -> Signal<Option<String>> {
        self.fill
            .message(format!("{}.{part}", self.name), self.touched)
    }
}

/// One question, by its kind.
fn question(fill: Fill, field: Field) -> AnyView {
    let key = field.key.clone();
    let id = element_id(&key);
    let name = format!("answers.{key}");
    let touched = RwSignal::new(false);
    let error = fill.message(name.clone(), touched);
    let label = label(&field);
    let hint = hint(&field);
    let asked = || Asked {
        fill,
        key: key.clone(),
        name: name.clone(),
        id: id.clone(),
        label: label.clone(),
        error,
        touched,
    };
    let text = |kind: &'static str, inputmode: &'static str, uppercase: bool| {
        let value = fill.text(&key, &[], as_text, text_answer, None);
        let (id, label) = (id.clone(), label.clone());
        match hint {
            Some(hint) => view! {
                <TextField id label value error kind inputmode uppercase hint check_on_blur=touched />
            }
            .into_any(),
            None => view! {
                <TextField id label value error kind inputmode uppercase check_on_blur=touched />
            }
            .into_any(),
        }
    };
    match &field.kind {
        FieldKind::ShortText { .. } => text("text", "", false),
        FieldKind::Email => text("email", "email", false),
        FieldKind::Phone => text("tel", "tel", false),
        FieldKind::Iban => text("text", "", true),
        FieldKind::Amount { .. } => text("text", "decimal", false),
        FieldKind::Date { .. } => text("date", "", false),
        FieldKind::Integer { .. } => {
            let value = fill.text(&key, &[], as_text, integer_answer, None);
            view! {
                <TextField
                    id
                    label
                    value
                    error
                    inputmode="numeric"
                    hint=limits_hint(hint)
                    check_on_blur=touched
                />
            }
            .into_any()
        }
        FieldKind::LongText { .. } => {
            let value = fill.text(&key, &[], as_text, text_answer, Some(touched));
            view! {
                <TextAreaField
                    id
                    label
                    value
                    error
                    hint=limits_hint(hint)
                />
            }
            .into_any()
        }
        FieldKind::SingleChoice { options } => {
            let value = fill.text(&key, &[], as_text, text_answer, Some(touched));
            let options: Vec<(String, String)> = std::iter::once((String::new(), "Scegli…".into()))
                .chain(options.iter().map(|o| (o.clone(), o.clone())))
                .collect();
            view! { <SelectField id label value options error /> }.into_any()
        }
        FieldKind::YesNo => {
            let value = fill.text(&key, &[], as_text, yes_no_answer, Some(touched));
            let options = vec![
                (String::new(), "Scegli…".into()),
                ("true".into(), "Sì".into()),
                ("false".into(), "No".into()),
            ];
            view! { <SelectField id label value options error /> }.into_any()
        }
        FieldKind::MultipleChoice { options, .. } => {
            multiple_choice(asked(), options.clone(), hint)
        }
        FieldKind::Consent { text } => consent(fill, &key, text.clone(), id, label, error),
        FieldKind::Upload { max_bytes } => upload(
            fill,
            Slot::Upload(key.clone()),
            id,
            label,
            upload_hint(*max_bytes),
            error,
        ),
        FieldKind::Isee { .. } => {
            let part = |part: &'static str| fill.message(format!("{name}.{part}"), touched);
            let (value_error, attested_error) = (part("value"), part("attested_on"));
            let value = fill.text(&key, &["value"], as_text, text_answer, None);
            let attested_on = fill.text(&key, &["attested_on"], as_text, text_answer, None);
            view! {
                <Group id=id.clone() label hint error>
                    <TextField
                        id=format!("{id}-value")
                        label="Valore ISEE in euro"
                        value
                        error=value_error
                        inputmode="decimal"
                        check_on_blur=touched
                    />
                    <TextField
                        id=format!("{id}-attested_on")
                        label="Data dell'attestazione"
                        value=attested_on
                        kind="date"
                        error=attested_error
                        check_on_blur=touched
                    />
                </Group>
            }
            .into_any()
        }
        FieldKind::Child => child(asked()),
        FieldKind::SchoolClass { schools } => {
            let part = |part: &'static str| fill.message(format!("{name}.{part}"), touched);
            let class_error = part("class_name");
            let class_name = fill.text(&key, &["class_name"], as_text, text_answer, None);
            let school = if schools.is_empty() {
                let value = fill.text(&key, &["school"], as_text, text_answer, None);
                view! {
                    <TextField id=format!("{id}-school") label="Scuola" value error=part("school") check_on_blur=touched />
                }
                .into_any()
            } else {
                let value = fill.text(&key, &["school"], as_text, text_answer, Some(touched));
                let options: Vec<(String, String)> =
                    std::iter::once((String::new(), "Scegli la scuola…".into()))
                        .chain(schools.iter().map(|s| (s.clone(), s.clone())))
                        .collect();
                view! {
                    <SelectField id=format!("{id}-school") label="Scuola" value options error=part("school") />
                }
                .into_any()
            };
            view! {
                <Group id=id.clone() label hint error>
                    {school}
                    <TextField
                        id=format!("{id}-class_name")
                        label="Classe (ad esempio 3A)"
                        value=class_name
                        error=class_error
                        check_on_blur=touched
                    />
                </Group>
            }
            .into_any()
        }
        FieldKind::Diet => diet(asked(), hint),
    }
}

fn multiple_choice(asked: Asked, options: Vec<String>, hint: Option<Signal<String>>) -> AnyView {
    let Asked {
        fill,
        key,
        id,
        label,
        error,
        touched,
        ..
    } = asked;
    let boxes = options
        .into_iter()
        .enumerate()
        .map(|(index, option)| {
            let box_id = format!("{id}-{index}");
            let checked = {
                let (key, option) = (key.clone(), option.clone());
                move || {
                    fill.answers.with(|answers| {
                        answers
                            .get(&key)
                            .and_then(Value::as_array)
                            .is_some_and(|items| items.iter().any(|i| i.as_str() == Some(&option)))
                    })
                }
            };
            let key = key.clone();
            let value = option.clone();
            view! {
                <div class="form-check">
                    <input
                        id=box_id.clone()
                        type="checkbox"
                        prop:checked=checked
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            fill.answers
                                .update(|answers| {
                                    let mut items: Vec<Value> = answers
                                        .get(&key)
                                        .and_then(Value::as_array)
                                        .cloned()
                                        .unwrap_or_default();
                                    items.retain(|i| i.as_str() != Some(&value));
                                    if on {
                                        items.push(Value::String(value.clone()));
                                    }
                                    put_answer(answers, &key, &[], Value::Array(items));
                                });
                            touched.set(true);
                        }
                    />
                    <label for=box_id>{option}</label>
                </div>
            }
        })
        .collect_view();
    view! { <Group id label hint error>{boxes}</Group> }.into_any()
}

fn consent(
    fill: Fill,
    key: &str,
    text: String,
    id: String,
    label: String,
    error: Signal<Option<String>>,
) -> AnyView {
    let checked = {
        let key = key.to_owned();
        move || {
            fill.answers
                .with(|answers| answers.get(&key) == Some(&Value::Bool(true)))
        }
    };
    let key = key.to_owned();
    view! {
        <div class="mb-4">
            <p id=format!("{id}-hint")>{text}</p>
            <div class="form-check">
                <input
                    id=id.clone()
                    type="checkbox"
                    aria-invalid=move || if error.with(Option::is_some) { "true" } else { "false" }
                    aria-describedby=described_by(&id, true, error)
                    prop:checked=checked
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        fill.answers
                            .update(|answers| {
                                put_answer(answers, &key, &[], if on { Value::Bool(true) } else { Value::Null })
                            });
                    }
                />
                <label for=id.clone()>{label}</label>
            </div>
            <FieldFeedback id=format!("{id}-error") error />
        </div>
    }
    .into_any()
}

/// A file question: the file chosen goes to the submission's attachments; its name and
/// size are shown with «Rimuovi».
fn upload(
    fill: Fill,
    slot: Slot,
    id: String,
    label: String,
    limits: String,
    error: Signal<Option<String>>,
) -> AnyView {
    let slot = StoredValue::new(slot);
    let files = fill.files;
    let chosen = move || {
        let id = fill
            .answers
            .with(|answers| slot.with_value(|slot| slot.file(answers)))?;
        let list = files?.list.get();
        list.into_iter().find(|file| file.id == id)
    };
    let sending = move || {
        files.is_some_and(|files| {
            files
                .sending
                .with(|s| s.as_ref() == Some(&slot.get_value()))
        })
    };
    let hint = if files.is_some() {
        limits
    } else {
        format!("{limits} Nell'anteprima non si possono allegare file.")
    };
    view! {
        <div class="mb-4">
            <label for=id.clone() class="form-label">{label.clone()}</label>
            <input
                type="file"
                id=id.clone()
                class="form-control"
                accept=UPLOAD_TYPES
                disabled=move || files.is_none() || sending()
                aria-invalid=move || if error.with(Option::is_some) { "true" } else { "false" }
                aria-describedby=described_by(&id, true, error)
                on:change=move |ev| {
                    let input: web_sys::HtmlInputElement = event_target(&ev);
                    let file = input.files().and_then(|list| list.get(0));
                    if let (Some(files), Some(file)) = (files, file) {
                        files.attach.run((slot.get_value(), file));
                    }
                    input.set_value("");
                }
            />
            <small id=format!("{id}-hint") class="form-text">{hint}</small>
            {move || sending().then(|| view! { <p class="small mb-0" role="status">"Caricamento del file…"</p> })}
            {
                let id = id.clone();
                move || {
                    chosen()
                        .map(|file| {
                            let file_id = file.id;
                            let remove = Callback::new(move |()| {
                                if let Some(files) = files {
                                    files.detach.run((slot.get_value(), file_id));
                                }
                            });
                            view! { <ChosenFile id=id.clone() file remove /> }
                        })
                }
            }
            <FieldFeedback id=format!("{id}-error") error />
        </div>
    }
    .into_any()
}

fn child(asked: Asked) -> AnyView {
    let Asked {
        fill,
        key,
        name,
        id,
        label,
        error,
        touched,
    } = asked;
    let choice = fill.text(&key, &[], child_choice, child_answer, Some(touched));
    if let Some(on_child) = fill.on_child {
        Effect::new(move |first: Option<()>| {
            let chosen = choice.get();
            if first.is_some() {
                if let Ok(id) = chosen.parse::<i64>() {
                    on_child.run(id);
                }
            }
        });
    }
    let children = fill.children;
    let options = Signal::derive(move || {
        std::iter::once((String::new(), "Scegli…".to_owned()))
            .chain(children.get().into_iter().map(|child| {
                (
                    child.id.to_string(),
                    format!("{} {}", child.first_name, child.last_name),
                )
            }))
            .chain(std::iter::once((
                NEW_CHILD.to_owned(),
                "Nuovo figlio".to_owned(),
            )))
            .collect::<Vec<_>>()
    });
    let new_child = move || {
        (choice.get() == NEW_CHILD).then(|| {
            let part = |part: &'static str| fill.message(format!("{name}.{part}"), touched);
            let first_name = fill.text(&key, &["new_child", "first_name"], as_text, text_answer, None);
            let last_name = fill.text(&key, &["new_child", "last_name"], as_text, text_answer, None);
            let fiscal_code = fill.text(&key, &["new_child", "fiscal_code"], as_text, text_answer, None);
            let birth_date = fill.text(&key, &["new_child", "birth_date"], as_text, text_answer, None);
            let id = element_id(&name);
            view! {
                <fieldset class="mb-2">
                    <legend class="h6">"Dati del nuovo figlio"</legend>
                    <TextField id=format!("{id}-first_name") label="Nome" value=first_name error=part("first_name") check_on_blur=touched />
                    <TextField id=format!("{id}-last_name") label="Cognome" value=last_name error=part("last_name") check_on_blur=touched />
                    <TextField
                        id=format!("{id}-fiscal_code")
                        label="Codice fiscale"
                        value=fiscal_code
                        error=part("fiscal_code")
                        uppercase=true
                        check_on_blur=touched
                    />
                    <TextField
                        id=format!("{id}-birth_date")
                        label="Data di nascita"
                        value=birth_date
                        kind="date"
                        error=part("birth_date")
                        check_on_blur=touched
                    />
                </fieldset>
            }
        })
    };
    view! {
        <div>
            <SelectField id label value=choice options error />
            {new_child}
        </div>
    }
    .into_any()
}

fn diet(asked: Asked, hint: Option<Signal<String>>) -> AnyView {
    let fill = asked.fill;
    let key = asked.key.clone();
    let meal_type = fill.text(
        &key,
        &["meal_type"],
        as_text,
        text_answer,
        Some(asked.touched),
    );
    let notes = fill.text(&key, &["notes"], as_text, text_answer, None);
    let options: Vec<(String, String)> = std::iter::once((String::new(), "Scegli…".into()))
        .chain(
            MealType::ALL
                .into_iter()
                .filter(|meal| *meal != MealType::NoMeals)
                .map(|meal| (meal.as_str().to_owned(), meal.as_str().to_owned())),
        )
        .collect();
    let (meal_type_error, notes_error) = (asked.part("meal_type"), asked.part("notes"));
    let certificate_error = asked.part("certificate");
    let id = asked.id;
    let certificate = {
        let id = format!("{id}-certificate");
        move || {
            (meal_type.get() == MealType::Medical.as_str()).then(|| {
                upload(
                    fill,
                    Slot::Certificate(key.clone()),
                    id.clone(),
                    "Certificato medico *".into(),
                    upload_hint(sportello_model::forms::DIET_CERTIFICATE_MAX_BYTES),
                    certificate_error,
                )
            })
        }
    };
    view! {
        <Group id=id.clone() label=asked.label hint error=asked.error>
            <SelectField id=format!("{id}-meal_type") label="Tipo di pasto" value=meal_type options error=meal_type_error />
            <TextAreaField id=format!("{id}-notes") label="Note (allergie, intolleranze, alimenti da escludere)" value=notes error=notes_error />
            {certificate}
        </Group>
    }
    .into_any()
}
