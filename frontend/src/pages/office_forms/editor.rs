//! The form editor: `/{slug}/moduli-comune/nuovo` and `/{slug}/moduli-comune/:id/modifica`.
//! The form's particulars, its sections and questions (added by kind, renamed,
//! reordered, removed), each question's limits, its "mostra solo se" condition and, for a
//! graduatoria, the points of its answers. *Salva* keeps a draft (the API checks it with
//! `model::forms::check_definition` and its field errors show next to their inputs),
//! *Anteprima* shows it as families will see it, *Pubblica* saves and publishes it.

use std::collections::BTreeMap;

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;
use rust_decimal::Decimal;
use serde_json::Value;
use sportello_model::dates::parse_day;
use sportello_model::forms::{
    check_answers, AnswerContext, Answers, Condition, Field, FieldKind, FormDefinition, FormDetail,
    FormScope, FormStatus, IseeRange, OptionPoints, Points, Section, Stage, AMOUNT_MAX_CENTS,
    MAX_POINTS, UPLOAD_MAX_BYTES,
};
use sportello_model::money::{cents_to_decimal, parse_cents, Sign};
use sportello_model::school_year::SchoolYear;
use sportello_model::{format, FieldError};

use super::{OfficeOnly, FORMS_PAGE};
use crate::api;
use crate::app::{use_ente, use_page_title};
use crate::components::{
    area_breadcrumb, focus_element, record_in_path, remote, DateRange, FieldFeedback, SelectField,
    SuccessNote, TextAreaField, TextField,
};
use crate::dates::today;
use crate::forms::{Form, FormAlert, SubmitButton};
use crate::pages::forms::fill::FormFields;
use crate::session::use_session;

/// `/{slug}/moduli-comune/nuovo`.
#[component]
pub fn NewFormPage() -> impl IntoView {
    use_page_title("Nuovo modulo");
    view! {
        <OfficeOnly title="Nuovo modulo">
            <Editor initial=None />
        </OfficeOnly>
    }
}

/// `/{slug}/moduli-comune/:id/modifica`: a draft nobody has filled.
#[component]
pub fn EditFormPage() -> impl IntoView {
    use_page_title("Modifica modulo");
    view! {
        <OfficeOnly title="Modifica modulo">
            <EditLoaded />
        </OfficeOnly>
    }
}

#[component]
fn EditLoaded() -> impl IntoView {
    let ente = use_ente();
    let session = use_session();
    let form = record_in_path("id", move |id| api::form(session, id));
    let render = move |detail: FormDetail| {
        if detail.status == FormStatus::Draft && detail.submissions == 0 {
            view! { <Editor initial=Some(detail) /> }.into_any()
        } else {
            view! {
                {area_breadcrumb(
                    ente,
                    vec![
                        ("Moduli online".into(), Some(ente.path(FORMS_PAGE))),
                        ("Modifica modulo".into(), None),
                    ],
                )}
                <h1>"Modifica modulo"</h1>
                <p id="editor-locked">
                    {format!(
                        "Il modulo «{}» è «{}»: si modifica solo una bozza. Per cambiarlo crea una nuova versione dall'elenco dei moduli.",
                        detail.definition.title,
                        detail.status.label(),
                    )}
                </p>
                <a class="btn btn-outline-primary" href=ente.path(FORMS_PAGE)>
                    "Torna ai moduli"
                </a>
            }
            .into_any()
        }
    };
    remote(form, "editor-load-error", "Caricamento del modulo…", render)
}

/// The kinds of question, as the kind picker names them.
const KINDS: [(&str, &str); 17] = [
    ("short_text", "Testo breve"),
    ("long_text", "Testo lungo"),
    ("integer", "Numero intero"),
    ("amount", "Importo in euro"),
    ("date", "Data"),
    ("single_choice", "Scelta singola"),
    ("multiple_choice", "Scelta multipla"),
    ("yes_no", "Sì/No"),
    ("consent", "Consenso (informativa)"),
    ("email", "E-mail"),
    ("phone", "Telefono"),
    ("iban", "IBAN"),
    ("isee", "ISEE"),
    ("upload", "Allegato"),
    ("child", "Figlio"),
    ("school_class", "Scuola e classe"),
    ("diet", "Dieta"),
];

fn kind_label(tag: &str) -> &'static str {
    KINDS
        .iter()
        .find(|(t, _)| *t == tag)
        .map_or("", |(_, label)| label)
}

fn kind_tag(kind: &FieldKind) -> &'static str {
    match kind {
        FieldKind::ShortText { .. } => "short_text",
        FieldKind::LongText { .. } => "long_text",
        FieldKind::Integer { .. } => "integer",
        FieldKind::Amount { .. } => "amount",
        FieldKind::Date { .. } => "date",
        FieldKind::SingleChoice { .. } => "single_choice",
        FieldKind::MultipleChoice { .. } => "multiple_choice",
        FieldKind::YesNo => "yes_no",
        FieldKind::Consent { .. } => "consent",
        FieldKind::Email => "email",
        FieldKind::Phone => "phone",
        FieldKind::Iban => "iban",
        FieldKind::Isee { .. } => "isee",
        FieldKind::Upload { .. } => "upload",
        FieldKind::Child => "child",
        FieldKind::SchoolClass { .. } => "school_class",
        FieldKind::Diet => "diet",
    }
}

/// Whether a question of this kind can be the one a condition looks at.
fn conditional(tag: &str) -> bool {
    matches!(tag, "single_choice" | "multiple_choice" | "yes_no")
}

/// `1.000,00`: an amount as typed in a field.
fn amount_text(amount: Decimal) -> String {
    format::euro(amount).trim_end_matches(" €").to_owned()
}

/// One per line, without blanks.
fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The id of the input of an API field name: `sections.0.fields.1.label` is
/// `editor-sections-0-fields-1-label`.
fn element_of(name: &str) -> String {
    format!("editor-{}", name.replace('.', "-"))
}

const MB: u32 = 1024 * 1024;

/// A question as it is being edited.
#[derive(Clone, Copy)]
struct FieldDraft {
    uid: u64,
    key: StoredValue<String>,
    kind: StoredValue<&'static str>,
    label: RwSignal<String>,
    help: RwSignal<String>,
    required: RwSignal<bool>,
    /// The kind's limits as typed.
    max_chars: RwSignal<String>,
    min: RwSignal<String>,
    max: RwSignal<String>,
    earliest: RwSignal<String>,
    latest: RwSignal<String>,
    /// Choices or schools, one per line.
    options: RwSignal<String>,
    max_selected: RwSignal<String>,
    consent: RwSignal<String>,
    max_mb: RwSignal<String>,
    /// "Mostra solo se": the key of an earlier question ("" for always) and its answer.
    shown_field: RwSignal<String>,
    shown_equals: RwSignal<String>,
    /// Points per choice, for yes and no, per ISEE range (`8.000,00 = 30` per line).
    option_points: RwSignal<BTreeMap<String, String>>,
    yes_points: RwSignal<String>,
    no_points: RwSignal<String>,
    isee_ranges: RwSignal<String>,
}

impl FieldDraft {
    fn new(uid: u64, key: String, tag: &'static str) -> FieldDraft {
        let (max_chars, max) = match tag {
            "long_text" => ("2000", "100"),
            "amount" => ("", "1.000,00"),
            "isee" => ("", "100.000,00"),
            _ => ("200", "100"),
        };
        FieldDraft {
            uid,
            key: StoredValue::new(key),
            kind: StoredValue::new(tag),
            label: RwSignal::new(String::new()),
            help: RwSignal::new(String::new()),
            required: RwSignal::new(true),
            max_chars: RwSignal::new(max_chars.into()),
            min: RwSignal::new("0".into()),
            max: RwSignal::new(max.into()),
            earliest: RwSignal::new(String::new()),
            latest: RwSignal::new(String::new()),
            options: RwSignal::new(String::new()),
            max_selected: RwSignal::new(String::new()),
            consent: RwSignal::new(String::new()),
            max_mb: RwSignal::new("5".into()),
            shown_field: RwSignal::new(String::new()),
            shown_equals: RwSignal::new(String::new()),
            option_points: RwSignal::new(BTreeMap::new()),
            yes_points: RwSignal::new(String::new()),
            no_points: RwSignal::new(String::new()),
            isee_ranges: RwSignal::new(String::new()),
        }
    }

    fn from_field(uid: u64, field: &Field) -> FieldDraft {
        let draft = FieldDraft::new(uid, field.key.clone(), kind_tag(&field.kind));
        draft.label.set(field.label.clone());
        draft.help.set(field.help.clone());
        draft.required.set(field.required);
        match &field.kind {
            FieldKind::ShortText { max_chars } | FieldKind::LongText { max_chars } => {
                draft.max_chars.set(max_chars.to_string())
            }
            FieldKind::Integer { min, max } => {
                draft.min.set(min.to_string());
                draft.max.set(max.to_string());
            }
            FieldKind::Amount { max } | FieldKind::Isee { max } => draft.max.set(amount_text(*max)),
            FieldKind::Date { earliest, latest } => {
                draft
                    .earliest
                    .set(earliest.map(|d| d.to_string()).unwrap_or_default());
                draft
                    .latest
                    .set(latest.map(|d| d.to_string()).unwrap_or_default());
            }
            FieldKind::SingleChoice { options } => draft.options.set(options.join("\n")),
            FieldKind::MultipleChoice {
                options,
                max_selected,
            } => {
                draft.options.set(options.join("\n"));
                draft
                    .max_selected
                    .set(max_selected.map(|m| m.to_string()).unwrap_or_default());
            }
            FieldKind::Consent { text } => draft.consent.set(text.clone()),
            FieldKind::Upload { max_bytes } => {
                draft.max_mb.set((max_bytes.div_ceil(MB)).to_string())
            }
            FieldKind::SchoolClass { schools } => draft.options.set(schools.join("\n")),
            _ => {}
        }
        if let Some(condition) = &field.shown_when {
            draft.shown_field.set(condition.field.clone());
            draft.shown_equals.set(match &condition.equals {
                Value::String(text) => text.clone(),
                other => other.to_string(),
            });
        }
        match &field.points {
            Some(Points::Choices { options }) => draft.option_points.set(
                options
                    .iter()
                    .map(|o| (o.option.clone(), o.points.to_string()))
                    .collect(),
            ),
            Some(Points::YesNo { yes, no }) => {
                draft.yes_points.set(yes.to_string());
                draft.no_points.set(no.to_string());
            }
            Some(Points::IseeRanges { ranges }) => draft.isee_ranges.set(
                ranges
                    .iter()
                    .map(|r| format!("{} = {}", amount_text(r.up_to), r.points))
                    .collect::<Vec<_>>()
                    .join("\n"),
            ),
            None => {}
        }
        draft
    }

    /// The question as the API reads it; what cannot be read goes to `errors`, named as
    /// the API names it (`{at}.kind`, `{at}.points`).
    fn field(
        &self,
        at: &str,
        kinds: &BTreeMap<String, &'static str>,
        errors: &mut Vec<FieldError>,
    ) -> Field {
        let mut fail = |part: &str, message: &str| {
            errors.push(FieldError::new(format!("{at}.{part}"), message));
        };
        let whole = |text: &str| text.trim().parse::<i64>().ok();
        let tag = self.kind.get_value();
        let kind = match tag {
            "short_text" | "long_text" => {
                let max_chars = whole(&self.max_chars.get())
                    .and_then(|n| u32::try_from(n).ok())
                    .unwrap_or_else(|| {
                        fail("kind", "Scrivi la lunghezza massima in cifre.");
                        0
                    });
                if tag == "short_text" {
                    FieldKind::ShortText { max_chars }
                } else {
                    FieldKind::LongText { max_chars }
                }
            }
            "integer" => match (whole(&self.min.get()), whole(&self.max.get())) {
                (Some(min), Some(max)) => FieldKind::Integer { min, max },
                _ => {
                    fail("kind", "Scrivi il minimo e il massimo come numeri interi.");
                    FieldKind::Integer { min: 0, max: 0 }
                }
            },
            "amount" | "isee" => {
                let max = parse_cents(&self.max.get(), Sign::Unsigned, AMOUNT_MAX_CENTS)
                    .map(cents_to_decimal)
                    .unwrap_or_else(|error| {
                        fail("kind", &error.to_string());
                        Decimal::ZERO
                    });
                if tag == "amount" {
                    FieldKind::Amount { max }
                } else {
                    FieldKind::Isee { max }
                }
            }
            "date" => {
                let mut day = |text: String| {
                    let text = text.trim().to_owned();
                    if text.is_empty() {
                        return None;
                    }
                    parse_day(&text)
                        .map_err(|message| fail("kind", message))
                        .ok()
                };
                let earliest = day(self.earliest.get());
                let latest = day(self.latest.get());
                FieldKind::Date { earliest, latest }
            }
            "single_choice" => FieldKind::SingleChoice {
                options: lines(&self.options.get()),
            },
            "multiple_choice" => {
                let max_selected = match self.max_selected.get().trim() {
                    "" => None,
                    text => Some(text.parse::<u32>().unwrap_or_else(|_| {
                        fail(
                            "kind",
                            "Scrivi il numero massimo di scelte in cifre, o lascialo vuoto.",
                        );
                        0
                    })),
                };
                FieldKind::MultipleChoice {
                    options: lines(&self.options.get()),
                    max_selected,
                }
            }
            "yes_no" => FieldKind::YesNo,
            "consent" => FieldKind::Consent {
                text: self.consent.get(),
            },
            "email" => FieldKind::Email,
            "phone" => FieldKind::Phone,
            "iban" => FieldKind::Iban,
            "upload" => {
                let max_bytes = whole(&self.max_mb.get())
                    .and_then(|mb| u32::try_from(mb).ok())
                    .and_then(|mb| mb.checked_mul(MB))
                    .filter(|bytes| (1..=UPLOAD_MAX_BYTES).contains(bytes))
                    .unwrap_or_else(|| {
                        fail(
                            "kind",
                            &format!(
                                "Scrivi la dimensione massima in MB, da 1 a {}.",
                                UPLOAD_MAX_BYTES / MB
                            ),
                        );
                        0
                    });
                FieldKind::Upload { max_bytes }
            }
            "child" => FieldKind::Child,
            "school_class" => FieldKind::SchoolClass {
                schools: lines(&self.options.get()),
            },
            _ => FieldKind::Diet,
        };
        let shown_when = match self.shown_field.get() {
            field if field.is_empty() => None,
            field => {
                let equals = self.shown_equals.get();
                let equals = match kinds.get(&field) {
                    Some(&"yes_no") => Value::Bool(equals == "true"),
                    _ => Value::String(equals),
                };
                Some(Condition { field, equals })
            }
        };
        let points = self.points(tag, &mut |message| fail("points", message));
        Field {
            key: self.key.get_value(),
            label: self.label.get(),
            help: self.help.get(),
            required: self.required.get(),
            kind,
            shown_when,
            points,
        }
    }

    /// The points of a ranking question as typed; none when nothing is typed.
    fn points(&self, tag: &str, fail: &mut dyn FnMut(&str)) -> Option<Points> {
        const POINTS: &str = "Scrivi i punti come numero intero da 0 a 1000.";
        let mut number = |text: &str| -> u32 {
            match text.trim().parse::<u32>() {
                Ok(points) if points <= MAX_POINTS => points,
                _ => {
                    fail(POINTS);
                    0
                }
            }
        };
        match tag {
            "single_choice" | "multiple_choice" => {
                let typed = self.option_points.get();
                let options: Vec<OptionPoints> = lines(&self.options.get())
                    .into_iter()
                    .filter_map(|option| {
                        let text = typed.get(&option)?.trim().to_owned();
                        (!text.is_empty()).then(|| OptionPoints {
                            points: number(&text),
                            option,
                        })
                    })
                    .collect();
                (!options.is_empty()).then_some(Points::Choices { options })
            }
            "yes_no" => {
                let (yes, no) = (self.yes_points.get(), self.no_points.get());
                if yes.trim().is_empty() && no.trim().is_empty() {
                    return None;
                }
                let mut or_zero = |text: &str| {
                    if text.trim().is_empty() {
                        0
                    } else {
                        number(text)
                    }
                };
                Some(Points::YesNo {
                    yes: or_zero(&yes),
                    no: or_zero(&no),
                })
            }
            "isee" => {
                let ranges: Vec<IseeRange> = lines(&self.isee_ranges.get())
                    .iter()
                    .map(|line| {
                        let read = line.split_once('=').and_then(|(up_to, points)| {
                            let cents = parse_cents(up_to.trim(), Sign::Unsigned, AMOUNT_MAX_CENTS).ok()?;
                            let points = points.trim().parse::<u32>().ok().filter(|p| *p <= MAX_POINTS)?;
                            Some(IseeRange {
                                up_to: cents_to_decimal(cents),
                                points,
                            })
                        });
                        read.unwrap_or_else(|| {
                            fail("Scrivi una fascia per riga: il valore ISEE massimo, «=» e i punti (ad esempio 8.000,00 = 30).");
                            IseeRange {
                                up_to: Decimal::ZERO,
                                points: 0,
                            }
                        })
                    })
                    .collect();
                (!ranges.is_empty()).then_some(Points::IseeRanges { ranges })
            }
            _ => None,
        }
    }
}

/// A section as it is being edited.
#[derive(Clone, Copy)]
struct SectionDraft {
    uid: u64,
    title: RwSignal<String>,
    description: RwSignal<String>,
    fields: RwSignal<Vec<FieldDraft>>,
}

/// The whole form as it is being edited.
#[derive(Clone, Copy)]
struct FormDraft {
    title: RwSignal<String>,
    description: RwSignal<String>,
    school_year: RwSignal<String>,
    opens_on: RwSignal<String>,
    closes_on: RwSignal<String>,
    scope: RwSignal<String>,
    delegates_allowed: RwSignal<bool>,
    service_id: RwSignal<String>,
    requires_settled_account: RwSignal<bool>,
    sections: RwSignal<Vec<SectionDraft>>,
    /// The next number for a section or question (its place on the page, its key).
    next: StoredValue<u64>,
}

impl FormDraft {
    fn new(initial: Option<&FormDefinition>) -> FormDraft {
        let draft = FormDraft {
            title: RwSignal::new(String::new()),
            description: RwSignal::new(String::new()),
            school_year: RwSignal::new(String::new()),
            opens_on: RwSignal::new(String::new()),
            closes_on: RwSignal::new(String::new()),
            scope: RwSignal::new(FormScope::PerFamily.as_str().into()),
            delegates_allowed: RwSignal::new(false),
            service_id: RwSignal::new(String::new()),
            requires_settled_account: RwSignal::new(false),
            sections: RwSignal::new(Vec::new()),
            next: StoredValue::new(1),
        };
        match initial {
            Some(definition) => {
                draft.title.set(definition.title.clone());
                draft.description.set(definition.description.clone());
                draft.school_year.set(definition.school_year.to_string());
                draft.opens_on.set(definition.opens_on.to_string());
                draft.closes_on.set(definition.closes_on.to_string());
                draft.scope.set(definition.scope.as_str().into());
                draft.delegates_allowed.set(definition.delegates_allowed);
                draft.service_id.set(
                    definition
                        .service_id
                        .map(|id| id.to_string())
                        .unwrap_or_default(),
                );
                draft
                    .requires_settled_account
                    .set(definition.requires_settled_account);
                let sections = definition
                    .sections
                    .iter()
                    .map(|section| {
                        let fields = section
                            .fields
                            .iter()
                            .map(|field| FieldDraft::from_field(draft.uid(), field))
                            .collect();
                        SectionDraft {
                            uid: draft.uid(),
                            title: RwSignal::new(section.title.clone()),
                            description: RwSignal::new(section.description.clone()),
                            fields: RwSignal::new(fields),
                        }
                    })
                    .collect();
                draft.sections.set(sections);
            }
            None => draft.add_section(),
        }
        draft
    }

    fn uid(&self) -> u64 {
        let uid = self.next.get_value();
        self.next.set_value(uid + 1);
        uid
    }

    fn add_section(&self) {
        let section = SectionDraft {
            uid: self.uid(),
            title: RwSignal::new(String::new()),
            description: RwSignal::new(String::new()),
            fields: RwSignal::new(Vec::new()),
        };
        self.sections.update(|sections| sections.push(section));
    }

    /// A new question of kind `tag` at the end of `section`, with a key no other
    /// question has.
    fn add_field(&self, section: SectionDraft, tag: &'static str) {
        let taken: Vec<String> = self
            .sections
            .get_untracked()
            .iter()
            .flat_map(|s| s.fields.get_untracked())
            .map(|f| f.key.get_value())
            .collect();
        let key = loop {
            let key = format!("domanda_{}", self.uid());
            if !taken.contains(&key) {
                break key;
            }
        };
        let field = FieldDraft::new(self.uid(), key, tag);
        section.fields.update(|fields| fields.push(field));
    }

    /// The questions before the one numbered `uid` that a condition may look at:
    /// `(key, label, kind, answers)`.
    fn earlier(&self, uid: u64) -> Vec<(String, String, &'static str, Vec<String>)> {
        let mut found = Vec::new();
        for section in self.sections.get() {
            for field in section.fields.get() {
                if field.uid == uid {
                    return found;
                }
                let tag = field.kind.get_value();
                if conditional(tag) {
                    let answers = if tag == "yes_no" {
                        vec!["true".into(), "false".into()]
                    } else {
                        lines(&field.options.get())
                    };
                    found.push((field.key.get_value(), field.label.get(), tag, answers));
                }
            }
        }
        found
    }

    /// The definition as the API reads it, or what cannot be read, named as the API
    /// names it.
    fn definition(&self) -> Result<FormDefinition, Vec<FieldError>> {
        let mut errors = Vec::new();
        let school_year = SchoolYear::parse(&self.school_year.get()).unwrap_or_else(|message| {
            errors.push(FieldError::new("school_year", message));
            SchoolYear::starting(2000)
        });
        let mut day = |name: &str, text: String| {
            parse_day(text.trim()).unwrap_or_else(|message| {
                errors.push(FieldError::new(name, message));
                time::Date::MIN
            })
        };
        let opens_on = day("opens_on", self.opens_on.get());
        let closes_on = day("closes_on", self.closes_on.get());
        let sections = self.sections.get();
        let kinds: BTreeMap<String, &'static str> = sections
            .iter()
            .flat_map(|s| s.fields.get())
            .map(|f| (f.key.get_value(), f.kind.get_value()))
            .collect();
        let sections = sections
            .iter()
            .enumerate()
            .map(|(s, section)| Section {
                title: section.title.get(),
                description: section.description.get(),
                fields: section
                    .fields
                    .get()
                    .iter()
                    .enumerate()
                    .map(|(f, field)| {
                        field.field(&format!("sections.{s}.fields.{f}"), &kinds, &mut errors)
                    })
                    .collect(),
            })
            .collect();
        let scope = match self.scope.get().as_str() {
            "per_child" => FormScope::PerChild,
            _ => FormScope::PerFamily,
        };
        let definition = FormDefinition {
            title: self.title.get(),
            description: self.description.get(),
            school_year,
            opens_on,
            closes_on,
            scope,
            delegates_allowed: self.delegates_allowed.get(),
            service_id: self.service_id.get().parse().ok(),
            requires_settled_account: self.requires_settled_account.get(),
            sections,
        };
        if errors.is_empty() {
            Ok(definition)
        } else {
            Err(errors)
        }
    }
}

/// What the editor's buttons do after checking the form.
#[derive(Clone, Copy, PartialEq)]
enum Intent {
    Save,
    Publish,
}

#[component]
fn Editor(initial: Option<FormDetail>) -> impl IntoView {
    let ente = use_ente();
    let session = use_session();
    let navigate = use_navigate();
    let draft = FormDraft::new(initial.as_ref().map(|detail| &detail.definition));
    let saved = RwSignal::new(initial.as_ref().map(|detail| detail.id));
    let intent = RwSignal::new(Intent::Save);
    let done = RwSignal::new(None::<String>);
    let preview = RwSignal::new(None::<FormDefinition>);
    let form = Form::anywhere(
        element_of,
        move |_| draft.definition(),
        move |definition: FormDefinition| {
            let intent = intent.get_untracked();
            async move {
                let detail = match saved.get_untracked() {
                    Some(id) => api::update_form(session, id, definition).await?,
                    None => api::create_form(session, definition).await?,
                };
                saved.set(Some(detail.id));
                match intent {
                    Intent::Save => Ok((intent, detail)),
                    Intent::Publish => api::publish_form(session, detail.id)
                        .await
                        .map(|detail| (intent, detail)),
                }
            }
        },
        move |(intent, detail): (Intent, FormDetail)| match intent {
            Intent::Save => done.set(Some(format!(
                "Bozza salvata: «{}» è tra i moduli come «Bozza», da pubblicare quando è pronta.",
                detail.definition.title
            ))),
            Intent::Publish => navigate(&ente.path(FORMS_PAGE), NavigateOptions::default()),
        },
    );
    let message = move |name: &str| form.message_at(name.to_owned(), Signal::stored(false));
    let services = Signal::derive(move || {
        let mut options = vec![(
            String::new(),
            "Nessuno: il modulo non iscrive a un servizio".to_owned(),
        )];
        options.extend(
            ente.with(|detail| {
                detail
                    .services
                    .iter()
                    .map(|s| (s.id.to_string(), s.name.clone()))
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default(),
        );
        options
    });
    let scopes = Signal::stored(
        [FormScope::PerFamily, FormScope::PerChild]
            .iter()
            .map(|scope| (scope.as_str().to_owned(), scope.label().to_owned()))
            .collect::<Vec<_>>(),
    );
    let heading = if initial.is_some() {
        "Modifica modulo"
    } else {
        "Nuovo modulo"
    };
    let show_preview = move |_| {
        done.set(None);
        if let Some(definition) = form.check() {
            preview.set(Some(definition));
            focus_element("editor-preview-title");
        }
    };
    view! {
        {area_breadcrumb(
            ente,
            vec![
                ("Moduli online".into(), Some(ente.path(FORMS_PAGE))),
                (heading.into(), None),
            ],
        )}
        <h1 id="editor-title-heading" tabindex="-1">{heading}</h1>
        <form id="editor" novalidate on:submit=form.submit()>
            <section class="mb-4" aria-labelledby="editor-particulars">
                <h2 id="editor-particulars" class="h4">"Il modulo"</h2>
                <TextField id="editor-title" label="Titolo" value=draft.title error=message("title") />
                <TextAreaField
                    id="editor-description"
                    label="Descrizione"
                    value=draft.description
                    error=message("description")
                />
                <TextField
                    id="editor-school_year"
                    label="Anno scolastico"
                    value=draft.school_year
                    error=message("school_year")
                    hint=Signal::stored("Ad esempio 2027/2028.".to_owned())
                />
                <DateRange
                    from_id="editor-opens_on"
                    to_id="editor-closes_on"
                    from=draft.opens_on
                    to=draft.closes_on
                    from_error=message("opens_on")
                    to_error=message("closes_on")
                    from_label="Compilabile dal"
                    to_label="Compilabile fino al"
                />
                <SelectField
                    id="editor-scope"
                    label="Si compila"
                    value=draft.scope
                    options=scopes
                    error=message("scope")
                />
                <Check id="editor-delegates_allowed" label="Anche il delegato può compilarlo e inviarlo" value=draft.delegates_allowed />
                <SelectField
                    id="editor-service_id"
                    label="Servizio a cui iscrive"
                    value=draft.service_id
                    options=services
                    error=message("service_id")
                />
                <Check
                    id="editor-requires_settled_account"
                    label="L'invio richiede il conto del servizio in regola (senza debiti)"
                    value=draft.requires_settled_account
                />
                <FieldFeedback id="editor-requires_settled_account-error" error=message("requires_settled_account") />
            </section>
            <div id="editor-sections" tabindex="-1">
                {move || {
                    let sections = draft.sections.get();
                    let count = sections.len();
                    sections
                        .into_iter()
                        .enumerate()
                        .map(|(s, section)| view! { <SectionEditor draft section s count form /> })
                        .collect_view()
                }}
            </div>
            <FieldFeedback id="editor-sections-error" error=message("sections") />
            <button
                type="button"
                id="editor-add-section"
                class="btn btn-outline-primary mb-4"
                on:click=move |_| draft.add_section()
            >
                "Aggiungi sezione"
            </button>
            <FormAlert form id="editor-error" />
            <SuccessNote id="editor-saved" text=done />
            <div class="d-flex flex-wrap gap-2 mt-3">
                <span on:click=move |_| intent.set(Intent::Save)>
                    <SubmitButton form id="editor-save" label="Salva" busy="Salvataggio…" class="btn btn-outline-primary" />
                </span>
                <button type="button" id="editor-preview" class="btn btn-outline-primary" on:click=show_preview>
                    "Anteprima"
                </button>
                <span on:click=move |_| intent.set(Intent::Publish)>
                    <SubmitButton form id="editor-publish" label="Pubblica" busy="Pubblicazione…" />
                </span>
            </div>
        </form>
        {move || preview.get().map(|definition| view! { <Preview definition /> })}
    }
}

/// A checkbox with its label.
#[component]
fn Check(#[prop(into)] id: String, label: &'static str, value: RwSignal<bool>) -> impl IntoView {
    view! {
        <div class="form-check mb-3">
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

/// Moves the item at `at` one place up (`-1`) or down (`1`) in `list`.
fn shift<T>(list: &mut [T], at: usize, by: isize) {
    if let Some(to) = at.checked_add_signed(by).filter(|to| *to < list.len()) {
        list.swap(at, to);
    }
}

/// A section or a question of the draft, known by its number while it is edited.
trait Numbered {
    fn uid(&self) -> u64;
}

impl Numbered for SectionDraft {
    fn uid(&self) -> u64 {
        self.uid
    }
}

impl Numbered for FieldDraft {
    fn uid(&self) -> u64 {
        self.uid
    }
}

/// «Sposta su», «Sposta giù» and `remove` («Rimuovi sezione») of the item `uid` of
/// `list`, the `at`-th of `count`; `name` tells which one to screen readers. The
/// buttons' ids are `{id}-up`, `{id}-down` and `{id}-remove`.
#[component]
fn OrderButtons<T: Numbered + Send + Sync + 'static>(
    id: String,
    list: RwSignal<Vec<T>>,
    uid: u64,
    at: usize,
    count: usize,
    name: Signal<String>,
    remove: &'static str,
) -> impl IntoView {
    let move_by = move |by: isize| {
        list.update(|all| {
            if let Some(at) = all.iter().position(|x| x.uid() == uid) {
                shift(all, at, by);
            }
        })
    };
    view! {
        <div class="d-flex flex-wrap gap-2 mb-3">
            <button type="button" id=format!("{id}-up") class="btn btn-sm btn-outline-secondary" disabled={at == 0}
                aria-label=move || format!("Sposta su la {}", name.get())
                on:click=move |_| move_by(-1)>"Sposta su"</button>
            <button type="button" id=format!("{id}-down") class="btn btn-sm btn-outline-secondary" disabled={at + 1 == count}
                aria-label=move || format!("Sposta giù la {}", name.get())
                on:click=move |_| move_by(1)>"Sposta giù"</button>
            <button type="button" id=format!("{id}-remove") class="btn btn-sm btn-outline-danger"
                aria-label=move || format!("Rimuovi {}", name.get())
                on:click=move |_| list.update(|all| all.retain(|x| x.uid() != uid))>{remove}</button>
        </div>
    }
}

#[component]
fn SectionEditor(
    draft: FormDraft,
    section: SectionDraft,
    s: usize,
    count: usize,
    form: Form<FormDefinition>,
) -> impl IntoView {
    let at = format!("sections.{s}");
    let message = move |name: String| form.message_at(name, Signal::stored(false));
    let uid = section.uid;
    let picked = RwSignal::new("short_text".to_owned());
    let kinds = Signal::stored(
        KINDS
            .iter()
            .map(|(tag, label)| ((*tag).to_owned(), (*label).to_owned()))
            .collect::<Vec<_>>(),
    );
    let name = Signal::derive(move || {
        let title = section.title.get();
        if title.trim().is_empty() {
            format!("sezione {}", s + 1)
        } else {
            format!("sezione «{title}»")
        }
    });
    view! {
        <section id=format!("editor-section-{uid}") class="card card-bg rounded shadow-sm p-3 mb-4" aria-label=move || format!("Sezione {}", s + 1)>
            <h2 class="h5">{format!("Sezione {}", s + 1)}</h2>
            <TextField id=element_of(&format!("{at}.title")) label="Titolo della sezione" value=section.title error=message(format!("{at}.title")) />
            <TextAreaField
                id=element_of(&format!("{at}.description"))
                label="Testo introduttivo della sezione"
                value=section.description
                error=message(format!("{at}.description"))
                rows=2
            />
            <OrderButtons id=format!("editor-section-{uid}") list=draft.sections uid at=s count name remove="Rimuovi sezione" />
            {move || {
                let fields = section.fields.get();
                let count = fields.len();
                fields
                    .into_iter()
                    .enumerate()
                    .map(|(f, field)| view! { <FieldEditor draft section field at=format!("{at}.fields.{f}") f count form /> })
                    .collect_view()
            }}
            <div class="row align-items-end">
                <div class="col-12 col-sm-8">
                    <SelectField id=format!("editor-section-{uid}-kind") label="Tipo della nuova domanda" value=picked options=kinds />
                </div>
                <div class="col-12 col-sm-4 mb-4">
                    <button
                        type="button"
                        id=format!("editor-section-{uid}-add")
                        class="btn btn-outline-primary"
                        on:click=move |_| {
                            let tag = KINDS
                                .iter()
                                .find(|(tag, _)| *tag == picked.get_untracked())
                                .map_or("short_text", |(tag, _)| tag);
                            draft.add_field(section, tag);
                        }
                    >
                        "Aggiungi domanda"
                    </button>
                </div>
            </div>
        </section>
    }
}

#[component]
fn FieldEditor(
    draft: FormDraft,
    section: SectionDraft,
    field: FieldDraft,
    at: String,
    f: usize,
    count: usize,
    form: Form<FormDefinition>,
) -> impl IntoView {
    let message = move |name: String| form.message_at(name, Signal::stored(false));
    let uid = field.uid;
    let tag = field.kind.get_value();
    let name = Signal::derive(move || {
        let label = field.label.get();
        if label.trim().is_empty() {
            format!("domanda {}", f + 1)
        } else {
            format!("domanda «{label}»")
        }
    });
    let id = |part: &str| element_of(&format!("{at}.{part}"));
    let kind_id = id("kind");
    let points_id = id("points");
    let shown_id = id("shown_when");
    let equals_id = format!("{shown_id}-equals");
    let earlier = Memo::new(move |_| draft.earlier(uid));
    let conditions = Signal::derive(move || {
        let mut options = vec![(String::new(), "Sempre".to_owned())];
        options.extend(
            earlier
                .get()
                .into_iter()
                .map(|(key, label, _, _)| (key, label)),
        );
        options
    });
    let answers = Signal::derive(move || {
        let chosen = field.shown_field.get();
        earlier
            .get()
            .into_iter()
            .find(|(key, _, _, _)| *key == chosen)
            .map(|(_, _, tag, answers)| {
                answers
                    .into_iter()
                    .map(|answer| {
                        let label = match (tag, answer.as_str()) {
                            ("yes_no", "true") => "Sì".to_owned(),
                            ("yes_no", _) => "No".to_owned(),
                            _ => answer.clone(),
                        };
                        (answer, label)
                    })
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    });
    // A condition starts from the first answer of the question it looks at.
    Effect::new(move |_| {
        let answers = answers.get();
        if !answers.is_empty()
            && !answers
                .iter()
                .any(|(a, _)| *a == field.shown_equals.get_untracked())
        {
            field.shown_equals.set(answers[0].0.clone());
        }
    });
    let limits = kind_limits(field, tag, &kind_id);
    let points = points_inputs(field, tag, &points_id);
    view! {
        <fieldset id=format!("editor-field-{uid}") class="border rounded p-3 mb-3">
            <legend class="h6">{move || format!("Domanda {}: {}", f + 1, kind_label(tag))}</legend>
            <TextField id=id("label") label="Domanda" value=field.label error=message(format!("{at}.label")) />
            <TextAreaField id=id("help") label="Testo d'aiuto" value=field.help error=message(format!("{at}.help")) rows=2 />
            <Check id=format!("editor-field-{uid}-required") label="Risposta obbligatoria" value=field.required />
            <div id=kind_id.clone() tabindex="-1">
                {limits}
                <FieldFeedback id=format!("{kind_id}-error") error=message(format!("{at}.kind")) />
            </div>
            <div id=points_id.clone() tabindex="-1">
                {points}
                <FieldFeedback id=format!("{points_id}-error") error=message(format!("{at}.points")) />
            </div>
            <SelectField id=shown_id.clone() label="Mostra solo se la domanda" value=field.shown_field options=conditions error=message(format!("{at}.shown_when")) />
            {move || (!field.shown_field.get().is_empty()).then(|| view! {
                <SelectField id=equals_id.clone() label="ha la risposta" value=field.shown_equals options=answers />
            })}
            <OrderButtons id=format!("editor-field-{uid}") list=section.fields uid at=f count name remove="Rimuovi domanda" />
        </fieldset>
    }
}

/// The inputs of a kind's limits; their errors show under the block `id`.
fn kind_limits(field: FieldDraft, tag: &'static str, id: &str) -> AnyView {
    let none = Signal::stored(None::<String>);
    let part = |name: &str| format!("{id}-{name}");
    match tag {
        "short_text" | "long_text" => view! {
            <TextField id=part("max_chars") label="Lunghezza massima (caratteri)" value=field.max_chars error=none inputmode="numeric" />
        }
        .into_any(),
        "integer" => view! {
            <div class="row">
                <div class="col-6"><TextField id=part("min") label="Minimo" value=field.min error=none inputmode="numeric" /></div>
                <div class="col-6"><TextField id=part("max") label="Massimo" value=field.max error=none inputmode="numeric" /></div>
            </div>
        }
        .into_any(),
        "amount" | "isee" => view! {
            <TextField id=part("max") label="Importo massimo (€)" value=field.max error=none inputmode="decimal" />
        }
        .into_any(),
        "date" => view! {
            <DateRange
                from_id=part("earliest")
                to_id=part("latest")
                from=field.earliest
                to=field.latest
                from_error=none
                to_error=none
                from_label="Non prima del"
                to_label="Non dopo il"
            />
        }
        .into_any(),
        "single_choice" | "multiple_choice" | "school_class" => {
            let label = if tag == "school_class" {
                "Scuole proposte, una per riga (vuoto: qualsiasi scuola)"
            } else {
                "Risposte possibili, una per riga"
            };
            let max_selected = (tag == "multiple_choice").then(|| view! {
                <TextField id=part("max_selected") label="Numero massimo di scelte (vuoto: nessun limite)" value=field.max_selected error=none inputmode="numeric" />
            });
            view! {
                <TextAreaField id=part("options") label value=field.options error=none rows=4 />
                {max_selected}
            }
            .into_any()
        }
        "consent" => view! {
            <TextAreaField id=part("text") label="Testo da accettare" value=field.consent error=none rows=4 />
        }
        .into_any(),
        "upload" => view! {
            <TextField id=part("max_mb") label="Dimensione massima (MB)" value=field.max_mb error=none inputmode="numeric" />
        }
        .into_any(),
        _ => ().into_any(),
    }
}

/// The points of a ranking question's answers: per choice, for yes and no, per ISEE
/// range. Left empty, the question gives no points.
fn points_inputs(field: FieldDraft, tag: &'static str, id: &str) -> AnyView {
    let none = Signal::stored(None::<String>);
    let part = |name: &str| format!("{id}-{name}");
    let hint = "Per una graduatoria: lascia vuoto se la risposta non dà punti.";
    match tag {
        "single_choice" | "multiple_choice" => {
            let base = part("option");
            view! {
                <fieldset class="mb-3">
                    <legend class="h6">"Punti per risposta (graduatoria)"</legend>
                    <p class="small">{hint}</p>
                    {move || {
                        lines(&field.options.get())
                            .into_iter()
                            .enumerate()
                            .map(|(n, option)| {
                                let input = format!("{base}-{n}");
                                let key = option.clone();
                                let read = key.clone();
                                view! {
                                    <div class="form-group mb-2">
                                        <label for=input.clone() class="active">{format!("Punti per «{option}»")}</label>
                                        <input
                                            id=input
                                            class="form-control"
                                            inputmode="numeric"
                                            prop:value=move || field.option_points.with(|p| p.get(&read).cloned().unwrap_or_default())
                                            on:input=move |ev| {
                                                let typed = event_target_value(&ev);
                                                field.option_points.update(|p| {
                                                    p.insert(key.clone(), typed);
                                                });
                                            }
                                        />
                                    </div>
                                }
                            })
                            .collect_view()
                    }}
                </fieldset>
            }
            .into_any()
        }
        "yes_no" => view! {
            <fieldset class="mb-3">
                <legend class="h6">"Punti per risposta (graduatoria)"</legend>
                <p class="small">{hint}</p>
                <div class="row">
                    <div class="col-6"><TextField id=part("yes") label="Punti per «Sì»" value=field.yes_points error=none inputmode="numeric" /></div>
                    <div class="col-6"><TextField id=part("no") label="Punti per «No»" value=field.no_points error=none inputmode="numeric" /></div>
                </div>
            </fieldset>
        }
        .into_any(),
        "isee" => view! {
            <TextAreaField
                id=part("ranges")
                label="Punti per fascia ISEE (graduatoria)"
                value=field.isee_ranges
                error=none
                rows=3
                hint=Signal::stored("Una fascia per riga, dalla più bassa: il valore ISEE massimo, «=» e i punti, ad esempio 8.000,00 = 30. Un ISEE oltre l'ultima fascia non dà punti.".to_owned())
            />
        }
        .into_any(),
        _ => ().into_any(),
    }
}

/// The form as families will see it: the fill page's questions, checked as the family
/// types; attachments cannot be sent from a preview.
#[component]
fn Preview(definition: FormDefinition) -> impl IntoView {
    let answers = RwSignal::new(Answers::new());
    let title = format!("Anteprima: {}", definition.title);
    let validity = definition.validity();
    let description = (!definition.description.is_empty())
        .then(|| view! { <p>{definition.description.clone()}</p> });
    let checked = StoredValue::new(definition.clone());
    let errors = Memo::new(move |_| {
        checked.with_value(|definition| {
            answers.with(|answers| {
                check_answers(
                    definition,
                    answers,
                    Stage::Send,
                    &AnswerContext {
                        today: today(),
                        children: &[],
                        uploads: &[],
                    },
                )
            })
        })
    });
    view! {
        <section id="editor-preview-section" class="card card-bg rounded shadow-sm p-3 mt-4" aria-labelledby="editor-preview-title">
            <h2 id="editor-preview-title" class="h4" tabindex="-1">{title}</h2>
            <p>{validity}</p>
            {description}
            <FormFields definition answers errors />
        </section>
    }
}
