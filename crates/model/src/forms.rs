//! Moduli online: the forms a comune defines (enrolments, cedole librarie, rankings,
//! direct-debit mandates), the answers a family gives, and the one check of those answers
//! against a definition — run by the SPA as the family types and by the API on save and
//! send.
//!
//! Answers are a JSON object keyed by each field's `key`; the value's shape depends on
//! the field's kind (see [`FieldKind`]). Every field error is named `answers.<key>` (or
//! `answers.<key>.<part>` for a part of a composite answer) with an Italian message.

use std::collections::{BTreeMap, HashSet};
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::{Date, OffsetDateTime};

use crate::children::MealType;
use crate::dates::parse_day;
use crate::fee_bands::{band_for_isee, FeeBand};
use crate::format::{amount_as_typed, date as italian_date, euro, euro_cents};
use crate::money::{decimal_to_cents, parse_cents, Sign};
use crate::payments::Notice;
use crate::school_year::{next_class, SchoolYear};
use crate::{FieldError, FiscalCode};

/// The answers of a submission: field key → answer.
pub type Answers = BTreeMap<String, Value>;

/// Largest text of a short-text field, whatever the form says.
pub const SHORT_TEXT_MAX_CHARS: u32 = 500;
/// Largest text of a long-text field, whatever the form says.
pub const LONG_TEXT_MAX_CHARS: u32 = 5_000;
/// Largest file a form may accept (10 MB).
pub const UPLOAD_MAX_BYTES: u32 = 10 * 1024 * 1024;
/// Largest amount (and ISEE value) a form may ask for (1.000.000,00 €).
pub const AMOUNT_MAX_CENTS: i64 = 100_000_000;
/// Largest medical certificate of a diet request (5 MB).
pub const DIET_CERTIFICATE_MAX_BYTES: u32 = 5 * 1024 * 1024;
/// A form's title, description and a field's texts.
pub const TITLE_MAX_CHARS: usize = 200;
pub const DESCRIPTION_MAX_CHARS: usize = 4_000;
pub const LABEL_MAX_CHARS: usize = 300;
pub const HELP_MAX_CHARS: usize = 1_000;
pub const CONSENT_MAX_CHARS: usize = 4_000;
pub const OPTION_MAX_CHARS: usize = 200;
pub const KEY_MAX_CHARS: usize = 40;
pub const MAX_SECTIONS: usize = 30;
pub const MAX_FIELDS: usize = 200;
pub const MAX_OPTIONS: usize = 100;
/// The names of a new child and a diet's notes.
pub const NAME_MAX_CHARS: usize = 100;
pub const NOTES_MAX_CHARS: usize = 1_000;

text_enum! {
    /// Whether a form is filled once per child or once per family.
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub enum FormScope {
        PerChild = "per_child" => "Per ogni figlio",
        PerFamily = "per_family" => "Per la famiglia",
    }
}

text_enum! {
    /// Where a form is in its life: operators edit a draft, families fill a published
    /// form within its window, nobody fills a closed one.
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub enum FormStatus {
        Draft = "draft" => "Bozza",
        Published = "published" => "Pubblicato",
        Closed = "closed" => "Chiuso",
    }
}

text_enum! {
    /// The state of a family's submission (seed 000: Salvata / Inviata / Accettata /
    /// Rifiutata / Bloccata; seed 003: da validare).
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub enum SubmissionState {
        /// Salvata: a draft, only the family sees it.
        Saved = "saved" => "Salvata",
        /// Inviata: sent, waiting for the comune.
        Sent = "sent" => "Inviata",
        /// Sospesa per insoluto: sent by «Paga e invia» while the family's account of the
        /// service was negative; it waits for the payment notice of the amount due, and
        /// moves to Da validare by itself when pagoPA's receipt of it arrives.
        SuspendedUnpaid = "suspended_unpaid" => "Sospesa per insoluto",
        /// Da validare: the comune waits for documents (the operator's note says which).
        ToValidate = "to_validate" => "Da validare",
        Accepted = "accepted" => "Accettata",
        Refused = "refused" => "Rifiutata",
        Blocked = "blocked" => "Bloccata",
        /// Cancellata by the family before the comune processed it.
        Cancelled = "cancelled" => "Cancellata",
    }
}

/// What an operator or the family does to a submission.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubmissionAction {
    Send,
    /// «Paga e invia»: sent while the enrolment gate refuses it, waiting for the notice.
    Settle,
    /// pagoPA's receipt of the notice a suspended submission waits for.
    NoticePaid,
    Cancel,
    Accept,
    Refuse,
    Block,
    AskToValidate,
}

impl SubmissionState {
    /// Whether a submission in this state is in force: sent and not refused or
    /// cancelled. A family has one in force per form and child (or per form, for a form
    /// per family): the database's unique index over these states keeps it.
    pub fn in_force(self) -> bool {
        matches!(
            self,
            SubmissionState::Sent
                | SubmissionState::SuspendedUnpaid
                | SubmissionState::ToValidate
                | SubmissionState::Accepted
                | SubmissionState::Blocked
        )
    }

    /// The state a submission in this state moves to by `action`, or `None` when the
    /// action is not possible now.
    pub fn after(self, action: SubmissionAction) -> Option<SubmissionState> {
        use SubmissionAction as A;
        use SubmissionState as S;
        match (self, action) {
            (S::Saved, A::Send) => Some(S::Sent),
            (S::Saved, A::Settle) => Some(S::SuspendedUnpaid),
            (S::SuspendedUnpaid, A::NoticePaid) => Some(S::ToValidate),
            (S::Saved | S::Sent | S::SuspendedUnpaid, A::Cancel) => Some(S::Cancelled),
            (S::Sent | S::ToValidate | S::Blocked, A::Accept) => Some(S::Accepted),
            (S::Sent | S::ToValidate | S::Blocked, A::Refuse) => Some(S::Refused),
            (S::Sent | S::ToValidate, A::Block) => Some(S::Blocked),
            (S::Sent | S::Blocked, A::AskToValidate) => Some(S::ToValidate),
            _ => None,
        }
    }

    /// Italian message when `action` is not possible in this state.
    pub fn refusal(self, action: SubmissionAction) -> String {
        let what = match action {
            SubmissionAction::Send => "inviare",
            SubmissionAction::Settle => "pagare e inviare",
            SubmissionAction::NoticePaid => "registrare il pagamento di",
            SubmissionAction::Cancel => "cancellare",
            SubmissionAction::Accept => "accettare",
            SubmissionAction::Refuse => "rifiutare",
            SubmissionAction::Block => "bloccare",
            SubmissionAction::AskToValidate => "mettere da validare",
        };
        format!(
            "Non è possibile {what} una domanda nello stato «{}».",
            self.label()
        )
    }
}

/// A form as the comune defines it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FormDefinition {
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    pub title: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 4000))]
    pub description: String,
    /// The school year it applies to, e.g. `2027/2028`.
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "2027/2028", pattern = r"^[0-9]{4}/[0-9]{4}$"))]
    pub school_year: SchoolYear,
    /// First day families may send it (Europe/Rome).
    #[serde(deserialize_with = "crate::dates::deserialize_day")]
    pub opens_on: Date,
    /// Last day families may send it (Europe/Rome), included.
    #[serde(deserialize_with = "crate::dates::deserialize_day")]
    pub closes_on: Date,
    pub scope: FormScope,
    /// Whether delegates may fill and send it too (otherwise only the guardian).
    #[serde(default)]
    pub delegates_allowed: bool,
    /// The service accepting a submission enrols the child into.
    #[serde(default)]
    pub service_id: Option<i64>,
    /// Sending is refused while the family's account of that service is negative.
    #[serde(default)]
    pub requires_settled_account: bool,
    #[cfg_attr(feature = "openapi", schema(max_items = 30))]
    pub sections: Vec<Section>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Section {
    #[cfg_attr(feature = "openapi", schema(max_length = 300))]
    pub title: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 1000))]
    pub description: String,
    #[cfg_attr(feature = "openapi", schema(max_items = 200))]
    pub fields: Vec<Field>,
}

/// One question of a form.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Field {
    /// The answer's name in `answers`: lower-case letters, digits and `_`.
    #[cfg_attr(
        feature = "openapi",
        schema(max_length = 40, pattern = "^[a-z][a-z0-9_]*$")
    )]
    pub key: String,
    #[cfg_attr(feature = "openapi", schema(max_length = 300))]
    pub label: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 1000))]
    pub help: String,
    #[serde(default)]
    pub required: bool,
    pub kind: FieldKind,
    /// Shown (and answered) only when another field, earlier in the form, has this answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shown_when: Option<Condition>,
    /// The points an answer earns in a ranking form (graduatoria).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points: Option<Points>,
}

/// Largest number of points one answer may earn.
pub const MAX_POINTS: u32 = 1_000;

/// The points of a ranking form's answer: per choice option (a multiple choice earns the
/// sum of the chosen), per yes/no, per ISEE range. A form with any points has a ranking.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Points {
    /// For a single or multiple choice: the points of each option (others earn none).
    Choices { options: Vec<OptionPoints> },
    /// For a yes/no question.
    YesNo { yes: u32, no: u32 },
    /// For an ISEE: the points of the first range whose `up_to` is at least the value
    /// (ranges in increasing order); a value above every range earns none.
    IseeRanges { ranges: Vec<IseeRange> },
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OptionPoints {
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    pub option: String,
    #[cfg_attr(feature = "openapi", schema(maximum = 1000))]
    pub points: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IseeRange {
    /// The largest ISEE value of the range, in euro.
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "10000.00"))]
    pub up_to: Decimal,
    #[cfg_attr(feature = "openapi", schema(maximum = 1000))]
    pub points: u32,
}

/// The field `field` answered `equals` (for a multiple choice: one of the choices).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Condition {
    #[cfg_attr(feature = "openapi", schema(max_length = 40))]
    pub field: String,
    pub equals: Value,
}

/// What a field asks, with its limits, and the shape of its answer.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FieldKind {
    /// Answer: a string of at most `max_chars` characters.
    ShortText { max_chars: u32 },
    /// Answer: a string of at most `max_chars` characters, on several lines.
    LongText { max_chars: u32 },
    /// Answer: a whole number between `min` and `max`.
    Integer { min: i64, max: i64 },
    /// Answer: an amount in euro as typed (`"1.234,50"`), at most `max`.
    Amount {
        #[cfg_attr(feature = "openapi", schema(value_type = String, example = "500.00"))]
        max: Decimal,
    },
    /// Answer: a day `YYYY-MM-DD`, between `earliest` and `latest` when given.
    Date {
        #[serde(default)]
        earliest: Option<Date>,
        #[serde(default)]
        latest: Option<Date>,
    },
    /// Answer: one of `options`.
    SingleChoice { options: Vec<String> },
    /// Answer: a list of distinct `options`, at most `max_selected` when given.
    MultipleChoice {
        options: Vec<String>,
        #[serde(default)]
        max_selected: Option<u32>,
    },
    /// Answer: `true` (sì) or `false` (no).
    YesNo,
    /// A text the family must accept (privacy): answer `true`.
    Consent { text: String },
    /// Answer: an e-mail address.
    Email,
    /// Answer: a telephone number (digits, spaces, a leading `+`).
    Phone,
    /// Answer: an Italian IBAN (spaces allowed).
    Iban,
    /// Answer: `{"value": "12.345,67", "attested_on": "2027-01-15"}`, the ISEE value
    /// (at most `max`) and the day of its attestation (valid until 31 December of that
    /// year).
    Isee {
        #[cfg_attr(feature = "openapi", schema(value_type = String, example = "100000.00"))]
        max: Decimal,
    },
    /// Answer: the id of a file uploaded for this submission (PDF, JPEG or PNG of at
    /// most `max_bytes`).
    Upload { max_bytes: u32 },
    /// Answer: `{"child_id": 12}`, one of the family's children, or `{"new_child":
    /// {"first_name", "last_name", "fiscal_code", "birth_date"}}`.
    Child,
    /// Answer: `{"school": "…", "class_name": "…"}`, the school one of `schools` when
    /// the form lists them.
    SchoolClass {
        #[serde(default)]
        schools: Vec<String>,
    },
    /// Answer: `{"meal_type": "DIETA SANITARIA", "notes": "…", "certificate": 7}`; the
    /// medical certificate (an upload id) is required for a medical diet.
    Diet,
}

impl FormDefinition {
    /// Every field, section after section.
    pub fn fields(&self) -> impl Iterator<Item = &Field> {
        self.sections.iter().flat_map(|s| s.fields.iter())
    }

    pub fn field(&self, key: &str) -> Option<&Field> {
        self.fields().find(|f| f.key == key)
    }

    /// Whether it is a ranking form (graduatoria): some answer earns points.
    pub fn is_ranking(&self) -> bool {
        self.fields().any(|f| f.points.is_some())
    }

    /// Whether families may send it at `now`: the Rome day is within the window.
    pub fn is_open(&self, now: OffsetDateTime) -> bool {
        let today = crate::rome::today(now);
        self.opens_on <= today && today <= self.closes_on
    }

    /// `Validità dal 11/07/2027 al 31/08/2027`.
    pub fn validity(&self) -> String {
        format!(
            "Validità dal {} al {}",
            italian_date(self.opens_on),
            italian_date(self.closes_on)
        )
    }

    /// The Italian refusal of a submission sent outside the window, at `now`.
    pub fn closed_message(&self, now: OffsetDateTime) -> String {
        if crate::rome::today(now) < self.opens_on {
            format!(
                "Il modulo «{}» si potrà compilare dal {}.",
                self.title,
                italian_date(self.opens_on)
            )
        } else {
            format!(
                "Il modulo «{}» si poteva compilare fino al {}: i termini sono scaduti.",
                self.title,
                italian_date(self.closes_on)
            )
        }
    }

    /// The child a per-child submission is for: the answer of its child field.
    pub fn child_answer(&self, answers: &Answers) -> Option<ChildAnswer> {
        let field = self.fields().find(|f| f.kind == FieldKind::Child)?;
        answers
            .get(&field.key)
            .and_then(|value| serde_json::from_value(value.clone()).ok())
    }

    /// The school and class answer (the enrolment's school and class).
    pub fn school_class_answer(&self, answers: &Answers) -> Option<SchoolClassAnswer> {
        let field = self
            .fields()
            .find(|f| matches!(f.kind, FieldKind::SchoolClass { .. }))?;
        answers
            .get(&field.key)
            .and_then(|value| serde_json::from_value(value.clone()).ok())
    }

    /// The diet answer (the enrolment's meal type).
    pub fn diet_answer(&self, answers: &Answers) -> Option<DietAnswer> {
        let field = self.fields().find(|f| f.kind == FieldKind::Diet)?;
        answers
            .get(&field.key)
            .and_then(|value| serde_json::from_value(value.clone()).ok())
    }

    /// A renewal: the answers of a child enrolled this school year, for the questions not
    /// answered yet — the same school and the next class ([`next_class`]; none after the
    /// last class of the school's order, or a school the form does not offer) and the same
    /// diet. A medical diet's certificate is attached again.
    pub fn renew(
        &self,
        answers: &mut Answers,
        school: &str,
        class_name: &str,
        meal_type: MealType,
    ) {
        let unanswered = |answers: &Answers, key: &str| answers.get(key).is_none_or(is_blank);
        for field in self.fields() {
            let renewed = match &field.kind {
                FieldKind::SchoolClass { schools }
                    if schools.is_empty() || schools.iter().any(|s| s == school) =>
                {
                    next_class(school, class_name).map(|class_name| {
                        serde_json::json!({ "school": school, "class_name": class_name })
                    })
                }
                FieldKind::Diet if meal_type != MealType::NoMeals => {
                    Some(serde_json::json!({ "meal_type": meal_type, "notes": "" }))
                }
                _ => None,
            };
            if let Some(value) = renewed.filter(|_| unanswered(answers, &field.key)) {
                answers.insert(field.key.clone(), value);
            }
        }
    }

    /// The ISEE value declared in the answers, when the form asks for it.
    pub fn isee_answer(&self, answers: &Answers) -> Option<Decimal> {
        let field = self
            .fields()
            .find(|f| matches!(f.kind, FieldKind::Isee { .. }))?;
        let answer: IseeAnswer = serde_json::from_value(answers.get(&field.key)?.clone()).ok()?;
        parse_cents(&answer.value, Sign::Unsigned, AMOUNT_MAX_CENTS)
            .ok()
            .map(crate::money::cents_to_decimal)
    }

    /// Whether `field` is shown with `answers`: it has no condition, or the field its
    /// condition names is shown and has the given answer.
    pub fn is_shown(&self, field: &Field, answers: &Answers) -> bool {
        match &field.shown_when {
            None => true,
            Some(condition) => {
                let Some(parent) = self.field(&condition.field) else {
                    return false;
                };
                self.is_shown(parent, answers)
                    && match answers.get(&condition.field) {
                        Some(Value::Array(items)) => items.contains(&condition.equals),
                        Some(answer) => *answer == condition.equals,
                        None => false,
                    }
            }
        }
    }
}

/// The child a submission is for.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum ChildAnswer {
    ChildId(i64),
    NewChild(NewChild),
}

/// A child the comune does not know yet.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct NewChild {
    pub first_name: String,
    pub last_name: String,
    pub fiscal_code: String,
    pub birth_date: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SchoolClassAnswer {
    pub school: String,
    pub class_name: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct DietAnswer {
    pub meal_type: MealType,
    #[serde(default)]
    pub notes: String,
    #[serde(default)]
    pub certificate: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct IseeAnswer {
    pub value: String,
    pub attested_on: String,
}

/// How much of the check a submission gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Saving a draft: anything the form has a field for, within the size limits, so
    /// that a half-typed answer is kept.
    Draft,
    /// Sending: every shown required field answered, every answer valid.
    Send,
}

/// What the check needs to know beyond the definition and the answers.
#[derive(Debug, Clone, Copy)]
pub struct AnswerContext<'a> {
    /// The Rome day of the check.
    pub today: Date,
    /// Ids of the family's children.
    pub children: &'a [i64],
    /// Ids of the files uploaded for this submission.
    pub uploads: &'a [i64],
}

/// Largest size of a draft answer as JSON text, whatever its field.
const DRAFT_ANSWER_MAX_CHARS: usize = 10_000;

/// Checks `answers` against `definition`: the one rule the SPA runs as the family types
/// and the API runs on save (`Stage::Draft`) and on send (`Stage::Send`). Returns one
/// Italian error per wrong answer, none when the answers may be saved or sent.
pub fn check_answers(
    definition: &FormDefinition,
    answers: &Answers,
    stage: Stage,
    context: &AnswerContext<'_>,
) -> Vec<FieldError> {
    let mut errors = Vec::new();
    for key in answers.keys() {
        if definition.field(key).is_none() {
            errors.push(FieldError::new(
                format!("answers.{key}"),
                "Il modulo non ha questa domanda.",
            ));
        }
    }
    for field in definition.fields() {
        let name = format!("answers.{}", field.key);
        let answer = answers.get(&field.key).filter(|v| !is_blank(v));
        match stage {
            Stage::Draft => {
                if answer.is_some_and(|v| v.to_string().chars().count() > DRAFT_ANSWER_MAX_CHARS) {
                    errors.push(FieldError::new(name, "La risposta è troppo lunga."));
                }
            }
            Stage::Send => {
                let shown = definition.is_shown(field, answers);
                match answer {
                    Some(_) if !shown => errors.push(FieldError::new(
                        name,
                        "Questa domanda non si applica alle risposte date: lasciala vuota.",
                    )),
                    Some(value) => check_answer(field, value, context, &name, &mut errors),
                    None if shown && field.required => errors.push(FieldError::new(
                        name,
                        match field.kind {
                            FieldKind::Consent { .. } => "Per inviare il modulo occorre accettare.",
                            FieldKind::Upload { .. } => "Allega il documento richiesto.",
                            _ => "Rispondi a questa domanda: è obbligatoria.",
                        },
                    )),
                    None => {}
                }
            }
        }
    }
    errors
}

fn is_blank(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(text) => text.trim().is_empty(),
        Value::Array(items) => items.is_empty(),
        _ => false,
    }
}

fn chars_at_most(text: &str, max: usize) -> bool {
    text.chars().count() <= max
}

/// The error of one answer given to `field` (already known to be not blank).
fn check_answer(
    field: &Field,
    value: &Value,
    context: &AnswerContext<'_>,
    name: &str,
    errors: &mut Vec<FieldError>,
) {
    let mut fail = |part: Option<&str>, message: String| {
        let field = match part {
            Some(part) => format!("{name}.{part}"),
            None => name.to_owned(),
        };
        errors.push(FieldError::new(field, message));
    };
    match &field.kind {
        FieldKind::ShortText { max_chars } | FieldKind::LongText { max_chars } => {
            match value.as_str() {
                Some(text) if chars_at_most(text, *max_chars as usize) => {}
                Some(_) => fail(
                    None,
                    format!("La risposta può contenere al massimo {max_chars} caratteri."),
                ),
                None => fail(None, "Scrivi la risposta come testo.".into()),
            }
        }
        FieldKind::Integer { min, max } => match value.as_i64() {
            Some(n) if (*min..=*max).contains(&n) => {}
            _ => fail(None, format!("Scrivi un numero intero da {min} a {max}.")),
        },
        FieldKind::Amount { max } => {
            let max_cents = decimal_to_cents(*max).unwrap_or(AMOUNT_MAX_CENTS);
            match value.as_str() {
                Some(text) => {
                    if let Err(error) = parse_cents(text, Sign::Unsigned, max_cents) {
                        fail(None, error.to_string());
                    }
                }
                None => fail(
                    None,
                    "Scrivi l'importo in cifre, con la virgola per i decimali (ad esempio 54,00)."
                        .into(),
                ),
            }
        }
        FieldKind::Date { earliest, latest } => match value.as_str().map(parse_day) {
            Some(Ok(day)) => {
                if earliest.is_some_and(|e| day < e) || latest.is_some_and(|l| day > l) {
                    fail(None, date_range_message(*earliest, *latest));
                }
            }
            Some(Err(message)) => fail(None, message.into()),
            None => fail(None, crate::dates::DAY_MESSAGE.into()),
        },
        FieldKind::SingleChoice { options } => match value.as_str() {
            Some(choice) if options.iter().any(|o| o == choice) => {}
            _ => fail(None, "Scegli una delle risposte proposte.".into()),
        },
        FieldKind::MultipleChoice {
            options,
            max_selected,
        } => {
            let choices: Option<Vec<&str>> = value
                .as_array()
                .and_then(|items| items.iter().map(Value::as_str).collect());
            match choices {
                Some(choices)
                    if choices.iter().all(|c| options.iter().any(|o| o == c))
                        && choices.iter().collect::<HashSet<_>>().len() == choices.len() =>
                {
                    if let Some(max) = max_selected {
                        if choices.len() > *max as usize {
                            fail(
                                None,
                                format!("Si possono scegliere al massimo {max} risposte."),
                            );
                        }
                    }
                }
                _ => fail(
                    None,
                    "Scegli una o più delle risposte proposte, ciascuna una volta.".into(),
                ),
            }
        }
        FieldKind::YesNo => {
            if !value.is_boolean() {
                fail(None, "Rispondi sì o no.".into());
            }
        }
        FieldKind::Consent { .. } => {
            if value != &Value::Bool(true) {
                fail(None, "Per inviare il modulo occorre accettare.".into());
            }
        }
        FieldKind::Email => match value.as_str() {
            Some(text) if email_address::EmailAddress::is_valid(text.trim()) => {}
            _ => fail(
                None,
                "Scrivi un indirizzo e-mail valido, ad esempio nome@esempio.it.".into(),
            ),
        },
        FieldKind::Phone => {
            if !value.as_str().is_some_and(is_phone) {
                fail(
                    None,
                    "Scrivi un numero di telefono di 6-15 cifre, eventualmente con il prefisso internazionale (+39).".into(),
                );
            }
        }
        FieldKind::Iban => {
            if let Err(message) = value.as_str().map_or(Err(IBAN_MESSAGE), check_italian_iban) {
                fail(None, message.into());
            }
        }
        FieldKind::Isee { max } => match serde_json::from_value::<IseeAnswer>(value.clone()) {
            Ok(isee) => {
                let max_cents = decimal_to_cents(*max).unwrap_or(AMOUNT_MAX_CENTS);
                if let Err(error) = parse_cents(&isee.value, Sign::Unsigned, max_cents) {
                    fail(Some("value"), error.to_string());
                }
                match parse_day(&isee.attested_on) {
                    Ok(day) if day > context.today => fail(
                        Some("attested_on"),
                        "La data dell'attestazione ISEE non può essere nel futuro.".into(),
                    ),
                    Ok(day) if day.year() != context.today.year() => fail(
                        Some("attested_on"),
                        format!(
                            "L'attestazione ISEE è scaduta il 31/12/{}: serve un'attestazione rilasciata nel {}.",
                            day.year(),
                            context.today.year()
                        ),
                    ),
                    Ok(_) => {}
                    Err(message) => fail(Some("attested_on"), message.into()),
                }
            }
            Err(_) => fail(
                None,
                "Indica il valore ISEE e la data dell'attestazione.".into(),
            ),
        },
        FieldKind::Upload { .. } => {
            if !value
                .as_i64()
                .is_some_and(|id| context.uploads.contains(&id))
            {
                fail(None, "Allega il documento richiesto.".into());
            }
        }
        FieldKind::Child => match serde_json::from_value::<ChildAnswer>(value.clone()) {
            Ok(ChildAnswer::ChildId(id)) if context.children.contains(&id) => {}
            Ok(ChildAnswer::ChildId(_)) => fail(None, "Scegli uno dei tuoi figli.".into()),
            Ok(ChildAnswer::NewChild(child)) => {
                for (part, text) in [
                    ("first_name", &child.first_name),
                    ("last_name", &child.last_name),
                ] {
                    if text.trim().is_empty() {
                        fail(
                            Some(part),
                            if part == "first_name" {
                                "Scrivi il nome."
                            } else {
                                "Scrivi il cognome."
                            }
                            .into(),
                        );
                    } else if !chars_at_most(text, NAME_MAX_CHARS) {
                        fail(
                            Some(part),
                            format!(
                                "Il campo può contenere al massimo {NAME_MAX_CHARS} caratteri."
                            ),
                        );
                    }
                }
                if let Err(error) = FiscalCode::parse(&child.fiscal_code) {
                    fail(Some("fiscal_code"), error.to_string());
                }
                match parse_day(&child.birth_date) {
                    Ok(day) if day > context.today => fail(
                        Some("birth_date"),
                        "La data di nascita non può essere nel futuro.".into(),
                    ),
                    Ok(_) => {}
                    Err(message) => fail(Some("birth_date"), message.into()),
                }
            }
            Err(_) => fail(
                None,
                "Scegli uno dei tuoi figli o indica i dati di un nuovo figlio.".into(),
            ),
        },
        FieldKind::SchoolClass { schools } => {
            match serde_json::from_value::<SchoolClassAnswer>(value.clone()) {
                Ok(answer) => {
                    if answer.school.trim().is_empty()
                        || !chars_at_most(&answer.school, OPTION_MAX_CHARS)
                        || (!schools.is_empty() && !schools.contains(&answer.school))
                    {
                        fail(
                            Some("school"),
                            "Scegli la scuola tra quelle proposte.".into(),
                        );
                    }
                    if answer.class_name.trim().is_empty() || !chars_at_most(&answer.class_name, 20)
                    {
                        fail(
                            Some("class_name"),
                            "Scrivi la classe (ad esempio 3A), al massimo 20 caratteri.".into(),
                        );
                    }
                }
                Err(_) => fail(None, "Indica la scuola e la classe.".into()),
            }
        }
        FieldKind::Diet => match serde_json::from_value::<DietAnswer>(value.clone()) {
            Ok(diet) if diet.meal_type == MealType::NoMeals => {
                fail(Some("meal_type"), "Scegli il tipo di pasto.".into())
            }
            Ok(diet) => {
                if !chars_at_most(&diet.notes, NOTES_MAX_CHARS) {
                    fail(
                        Some("notes"),
                        format!("Il campo può contenere al massimo {NOTES_MAX_CHARS} caratteri."),
                    );
                }
                match diet.certificate {
                    Some(id) if !context.uploads.contains(&id) => {
                        fail(Some("certificate"), "Allega il certificato medico.".into())
                    }
                    None if diet.meal_type == MealType::Medical => fail(
                        Some("certificate"),
                        "Per la dieta sanitaria occorre allegare il certificato medico.".into(),
                    ),
                    _ => {}
                }
            }
            Err(_) => fail(
                Some("meal_type"),
                "Scegli il tipo di pasto: pasto base, dieta sanitaria o dieta etico-religiosa."
                    .into(),
            ),
        },
    }
}

/// An answer as a person reads it (the PDF copy, the CSV export, the summary before
/// sending): `Sì`, `14/09/2027`, `12.345,67 € (attestazione del 15/01/2027)`. Children
/// and files are named by `name_of_child` and `name_of_upload`.
pub fn render_answer(
    field: &Field,
    value: &Value,
    name_of_child: &dyn Fn(i64) -> String,
    name_of_upload: &dyn Fn(i64) -> String,
) -> String {
    let text = || value.as_str().unwrap_or_default().trim().to_owned();
    let typed = |v: &Value| -> Option<String> {
        match v {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(if *b { "Sì" } else { "No" }.into()),
            _ => None,
        }
    };
    let day = |t: &str| {
        parse_day(t)
            .map(italian_date)
            .unwrap_or_else(|_| t.to_owned())
    };
    let amount = |t: &str| {
        parse_cents(t, Sign::Unsigned, AMOUNT_MAX_CENTS)
            .map(euro_cents)
            .unwrap_or_else(|_| t.to_owned())
    };
    match &field.kind {
        FieldKind::Amount { .. } => amount(&text()),
        FieldKind::Date { .. } => day(&text()),
        FieldKind::YesNo | FieldKind::Consent { .. } => typed(value).unwrap_or_default(),
        FieldKind::MultipleChoice { .. } => value
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .filter_map(typed)
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default(),
        FieldKind::Isee { .. } => match serde_json::from_value::<IseeAnswer>(value.clone()) {
            Ok(isee) => format!(
                "{} (attestazione del {})",
                amount(&isee.value),
                day(&isee.attested_on)
            ),
            Err(_) => String::new(),
        },
        FieldKind::Upload { .. } => value.as_i64().map(name_of_upload).unwrap_or_default(),
        FieldKind::Child => match serde_json::from_value::<ChildAnswer>(value.clone()) {
            Ok(ChildAnswer::ChildId(id)) => name_of_child(id),
            Ok(ChildAnswer::NewChild(child)) => format!(
                "{} {} (nuovo: codice fiscale {}, nato/a il {})",
                child.first_name.trim(),
                child.last_name.trim(),
                child.fiscal_code.trim().to_ascii_uppercase(),
                day(&child.birth_date)
            ),
            Err(_) => String::new(),
        },
        FieldKind::SchoolClass { .. } => {
            match serde_json::from_value::<SchoolClassAnswer>(value.clone()) {
                Ok(answer) => format!("{}, classe {}", answer.school, answer.class_name),
                Err(_) => String::new(),
            }
        }
        FieldKind::Diet => match serde_json::from_value::<DietAnswer>(value.clone()) {
            Ok(diet) => {
                let mut out = diet.meal_type.as_str().to_owned();
                if !diet.notes.trim().is_empty() {
                    out.push_str(&format!(": {}", diet.notes.trim()));
                }
                if let Some(id) = diet.certificate {
                    out.push_str(&format!(" (certificato: {})", name_of_upload(id)));
                }
                out
            }
            Err(_) => String::new(),
        },
        _ => typed(value).unwrap_or_default(),
    }
}

/// The protocol number of a submission sent on `day`: the year and the submission's
/// number, `2027/000123`, unique by construction.
pub fn protocol_number(day: Date, id: i64) -> String {
    format!("{}/{id:06}", day.year())
}

/// A file size limit as people read it: `5 MB`, `300 kB`, `900 byte`.
pub fn size_label(bytes: u32) -> String {
    const KB: u32 = 1024;
    const MB: u32 = 1024 * 1024;
    if bytes >= MB && bytes.is_multiple_of(MB) {
        format!("{} MB", bytes / MB)
    } else if bytes >= KB {
        format!("{} kB", bytes / KB)
    } else {
        format!("{bytes} byte")
    }
}

/// What a file field takes, under the field: `PDF, JPEG o PNG, al massimo 5 MB.`
pub fn upload_hint(max_bytes: u32) -> String {
    format!("PDF, JPEG o PNG, al massimo {}.", size_label(max_bytes))
}

/// The refusal of a file larger than `max_bytes`.
pub fn size_refusal(max_bytes: u32) -> String {
    format!(
        "Il file è troppo grande: al massimo {}.",
        size_label(max_bytes)
    )
}

fn date_range_message(earliest: Option<Date>, latest: Option<Date>) -> String {
    match (earliest, latest) {
        (Some(e), Some(l)) => format!(
            "La data deve essere tra il {} e il {}.",
            italian_date(e),
            italian_date(l)
        ),
        (Some(e), None) => format!("La data non può essere prima del {}.", italian_date(e)),
        (None, Some(l)) => format!("La data non può essere dopo il {}.", italian_date(l)),
        (None, None) => crate::dates::DAY_MESSAGE.into(),
    }
}

fn is_phone(text: &str) -> bool {
    let text = text.trim();
    let body = text.strip_prefix('+').unwrap_or(text);
    let digits = body.chars().filter(char::is_ascii_digit).count();
    body.chars().all(|c| c.is_ascii_digit() || c == ' ') && (6..=15).contains(&digits)
}

pub const IBAN_MESSAGE: &str =
    "Scrivi un IBAN italiano valido: 27 caratteri che iniziano con IT (ad esempio IT60X0542811101000000123456).";

/// An Italian IBAN, with its check digits and the Italian account structure verified by
/// `iban_validate`.
pub fn check_italian_iban(text: &str) -> Result<(), &'static str> {
    let compact: String = text
        .split_whitespace()
        .collect::<String>()
        .to_ascii_uppercase();
    match iban::Iban::from_str(&compact) {
        Ok(iban) if iban::IbanLike::country_code(&iban) == "IT" => Ok(()),
        Ok(_) => Err("L'IBAN deve essere di un conto italiano (inizia con IT)."),
        Err(_) => Err(IBAN_MESSAGE),
    }
}

/// Checks a definition an operator saves: texts within their limits, a window that
/// ends after it starts, unique keys, choice fields with options, limits that make sense,
/// conditions on an earlier field, and a child field for a per-child form (and a school
/// and class for one that enrols).
pub fn check_definition(definition: &FormDefinition) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let mut fail = |field: String, message: String| errors.push(FieldError::new(field, message));
    let text = |value: &str, max: usize, required: bool| -> Option<String> {
        if required && value.trim().is_empty() {
            Some("Il campo è obbligatorio.".into())
        } else if !chars_at_most(value, max) {
            Some(format!(
                "Il campo può contenere al massimo {max} caratteri."
            ))
        } else {
            None
        }
    };
    if let Some(m) = text(&definition.title, TITLE_MAX_CHARS, true) {
        fail("title".into(), m);
    }
    if let Some(m) = text(&definition.description, DESCRIPTION_MAX_CHARS, false) {
        fail("description".into(), m);
    }
    if definition.closes_on < definition.opens_on {
        fail(
            "closes_on".into(),
            "La fine della validità non può precedere l'inizio.".into(),
        );
    }
    if definition.sections.is_empty() || definition.fields().next().is_none() {
        fail(
            "sections".into(),
            "Il modulo deve avere almeno una domanda.".into(),
        );
    }
    if definition.sections.len() > MAX_SECTIONS {
        fail(
            "sections".into(),
            format!("Un modulo può avere al massimo {MAX_SECTIONS} sezioni."),
        );
    }
    if definition.fields().count() > MAX_FIELDS {
        fail(
            "sections".into(),
            format!("Un modulo può avere al massimo {MAX_FIELDS} domande."),
        );
    }
    if definition.requires_settled_account && definition.service_id.is_none() {
        fail(
            "requires_settled_account".into(),
            "Il controllo del conto richiede il servizio a cui il modulo iscrive.".into(),
        );
    }
    let has = |wanted: fn(&FieldKind) -> bool| definition.fields().any(|f| wanted(&f.kind));
    if definition.scope == FormScope::PerChild && !has(|k| *k == FieldKind::Child) {
        fail(
            "scope".into(),
            "Un modulo per ogni figlio deve chiedere per quale figlio (una domanda di tipo «Figlio»)."
                .into(),
        );
    }
    if definition.service_id.is_some()
        && (definition.scope != FormScope::PerChild
            || !has(|k| matches!(k, FieldKind::SchoolClass { .. })))
    {
        fail(
            "service_id".into(),
            "Un modulo di iscrizione è per ogni figlio e chiede scuola e classe (una domanda di tipo «Scuola e classe»)."
                .into(),
        );
    }
    for kind_once in [
        (|k: &FieldKind| *k == FieldKind::Child) as fn(&FieldKind) -> bool,
        |k| matches!(k, FieldKind::SchoolClass { .. }),
        |k| *k == FieldKind::Diet,
    ] {
        if definition.fields().filter(|f| kind_once(&f.kind)).count() > 1 {
            fail(
                "sections".into(),
                "Le domande «Figlio», «Scuola e classe» e «Dieta» possono comparire una volta sola."
                    .into(),
            );
        }
    }
    let mut earlier: Vec<&Field> = Vec::new();
    for (s, section) in definition.sections.iter().enumerate() {
        let at = format!("sections.{s}");
        if let Some(m) = text(&section.title, LABEL_MAX_CHARS, true) {
            fail(format!("{at}.title"), m);
        }
        if let Some(m) = text(&section.description, HELP_MAX_CHARS, false) {
            fail(format!("{at}.description"), m);
        }
        for (f, field) in section.fields.iter().enumerate() {
            let at = format!("{at}.fields.{f}");
            let key_ok = field.key.len() <= KEY_MAX_CHARS
                && field.key.starts_with(|c: char| c.is_ascii_lowercase())
                && field
                    .key
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            if !key_ok {
                fail(
                    format!("{at}.key"),
                    format!("Il codice della domanda inizia con una lettera minuscola e contiene solo lettere minuscole, cifre e _ (al massimo {KEY_MAX_CHARS} caratteri)."),
                );
            } else if earlier.iter().any(|e| e.key == field.key) {
                fail(
                    format!("{at}.key"),
                    "Un'altra domanda del modulo ha già questo codice.".into(),
                );
            }
            if let Some(m) = text(&field.label, LABEL_MAX_CHARS, true) {
                fail(format!("{at}.label"), m);
            }
            if let Some(m) = text(&field.help, HELP_MAX_CHARS, false) {
                fail(format!("{at}.help"), m);
            }
            if let Some(message) = kind_error(&field.kind) {
                fail(format!("{at}.kind"), message);
            }
            if let Some(message) = field
                .points
                .as_ref()
                .and_then(|p| points_error(&field.kind, p))
            {
                fail(format!("{at}.points"), message);
            }
            if let Some(condition) = &field.shown_when {
                match earlier.iter().find(|e| e.key == condition.field) {
                    Some(parent) if condition_fits(&parent.kind, &condition.equals) => {}
                    Some(_) => fail(
                        format!("{at}.shown_when"),
                        "La condizione deve indicare una delle risposte possibili della domanda scelta.".into(),
                    ),
                    None => fail(
                        format!("{at}.shown_when"),
                        "La condizione deve riferirsi a una domanda precedente di scelta o sì/no."
                            .into(),
                    ),
                }
            }
            earlier.push(field);
        }
    }
    errors
}

/// What is wrong with the points given to a field of `kind`.
fn points_error(kind: &FieldKind, points: &Points) -> Option<String> {
    let too_many = format!("Una risposta può valere al massimo {MAX_POINTS} punti.");
    match (kind, points) {
        (
            FieldKind::SingleChoice { options } | FieldKind::MultipleChoice { options, .. },
            Points::Choices { options: given },
        ) => {
            if given.iter().any(|g| !options.contains(&g.option))
                || given.iter().map(|g| &g.option).collect::<HashSet<_>>().len() != given.len()
            {
                Some("Dai i punti alle risposte possibili della domanda, una volta ciascuna.".into())
            } else if given.iter().any(|g| g.points > MAX_POINTS) {
                Some(too_many)
            } else {
                None
            }
        }
        (FieldKind::YesNo, Points::YesNo { yes, no }) => {
            (*yes > MAX_POINTS || *no > MAX_POINTS).then_some(too_many)
        }
        (FieldKind::Isee { .. }, Points::IseeRanges { ranges }) => {
            let limits: Option<Vec<i64>> = ranges
                .iter()
                .map(|r| decimal_to_cents(r.up_to).filter(|c| (0..=AMOUNT_MAX_CENTS).contains(c)))
                .collect();
            match limits {
                _ if ranges.is_empty() || ranges.len() > MAX_OPTIONS => Some(format!(
                    "Indica da 1 a {MAX_OPTIONS} fasce ISEE con i loro punti."
                )),
                Some(limits) if limits.windows(2).all(|w| w[0] < w[1]) => {
                    ranges.iter().any(|r| r.points > MAX_POINTS).then_some(too_many)
                }
                Some(_) => Some(
                    "Le fasce ISEE vanno indicate dalla più bassa alla più alta, ciascuna con un limite diverso."
                        .into(),
                ),
                None => Some(format!(
                    "Il limite di una fascia ISEE va da 0,00 € a {}.",
                    euro_cents(AMOUNT_MAX_CENTS)
                )),
            }
        }
        _ => Some(
            "Questi punti non si applicano a questa domanda: si danno alle risposte di una scelta, a un sì/no o alle fasce ISEE."
                .into(),
        ),
    }
}

/// The points `answers` earn in a ranking form: the sum of the points of every shown
/// answer. The one computation of a submission's place in a graduatoria.
pub fn points_of(definition: &FormDefinition, answers: &Answers) -> u32 {
    definition
        .fields()
        .filter(|field| definition.is_shown(field, answers))
        .filter_map(|field| {
            Some(answer_points(
                field.points.as_ref()?,
                answers.get(&field.key)?,
            ))
        })
        .sum()
}

fn answer_points(points: &Points, value: &Value) -> u32 {
    match points {
        Points::Choices { options } => {
            let chosen: Vec<&str> = match value {
                Value::String(choice) => vec![choice.as_str()],
                Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
                _ => Vec::new(),
            };
            options
                .iter()
                .filter(|o| chosen.contains(&o.option.as_str()))
                .map(|o| o.points)
                .sum()
        }
        Points::YesNo { yes, no } => match value.as_bool() {
            Some(true) => *yes,
            Some(false) => *no,
            None => 0,
        },
        Points::IseeRanges { ranges } => serde_json::from_value::<IseeAnswer>(value.clone())
            .ok()
            .and_then(|isee| parse_cents(&isee.value, Sign::Unsigned, AMOUNT_MAX_CENTS).ok())
            .and_then(|cents| {
                ranges
                    .iter()
                    .find(|r| decimal_to_cents(r.up_to).is_some_and(|up_to| cents <= up_to))
            })
            .map_or(0, |r| r.points),
    }
}

/// The order of a graduatoria: more points first, ties broken by the time sent (earlier
/// first), then by the submission's number.
pub fn ranking_order(
    a: (u32, OffsetDateTime, i64),
    b: (u32, OffsetDateTime, i64),
) -> std::cmp::Ordering {
    b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2))
}

fn condition_fits(kind: &FieldKind, equals: &Value) -> bool {
    match kind {
        FieldKind::SingleChoice { options } | FieldKind::MultipleChoice { options, .. } => equals
            .as_str()
            .is_some_and(|e| options.iter().any(|o| o == e)),
        FieldKind::YesNo => equals.is_boolean(),
        _ => false,
    }
}

fn kind_error(kind: &FieldKind) -> Option<String> {
    let amount_ok =
        |max: &Decimal| decimal_to_cents(*max).is_some_and(|c| (1..=AMOUNT_MAX_CENTS).contains(&c));
    match kind {
        FieldKind::ShortText { max_chars } if !(1..=SHORT_TEXT_MAX_CHARS).contains(max_chars) => {
            Some(format!(
                "La lunghezza massima di un testo breve va da 1 a {SHORT_TEXT_MAX_CHARS} caratteri."
            ))
        }
        FieldKind::LongText { max_chars } if !(1..=LONG_TEXT_MAX_CHARS).contains(max_chars) => {
            Some(format!(
                "La lunghezza massima di un testo lungo va da 1 a {LONG_TEXT_MAX_CHARS} caratteri."
            ))
        }
        FieldKind::Integer { min, max } if min > max => {
            Some("Il minimo non può superare il massimo.".into())
        }
        FieldKind::Amount { max } | FieldKind::Isee { max } if !amount_ok(max) => Some(format!(
            "L'importo massimo va da 0,01 € a {}.",
            euro_cents(AMOUNT_MAX_CENTS)
        )),
        FieldKind::Date {
            earliest: Some(e),
            latest: Some(l),
        } if e > l => Some("La data minima non può seguire la massima.".into()),
        FieldKind::SingleChoice { options } | FieldKind::MultipleChoice { options, .. }
            if !options_ok(options) =>
        {
            Some(format!(
                "Indica da 1 a {MAX_OPTIONS} risposte possibili, diverse tra loro, di al massimo {OPTION_MAX_CHARS} caratteri."
            ))
        }
        FieldKind::MultipleChoice {
            max_selected: Some(0),
            ..
        } => Some("Il numero massimo di scelte deve essere almeno 1.".into()),
        FieldKind::Consent { text } if text.trim().is_empty() || !chars_at_most(text, CONSENT_MAX_CHARS) => {
            Some(format!(
                "Scrivi il testo da accettare (al massimo {CONSENT_MAX_CHARS} caratteri)."
            ))
        }
        FieldKind::Upload { max_bytes } if !(1..=UPLOAD_MAX_BYTES).contains(max_bytes) => Some(
            format!(
                "La dimensione massima di un allegato va da 1 byte a {} MB.",
                UPLOAD_MAX_BYTES / (1024 * 1024)
            ),
        ),
        FieldKind::SchoolClass { schools } if !schools.is_empty() && !options_ok(schools) => {
            Some(format!(
                "Indica al massimo {MAX_OPTIONS} scuole, diverse tra loro, di al massimo {OPTION_MAX_CHARS} caratteri."
            ))
        }
        _ => None,
    }
}

fn options_ok(options: &[String]) -> bool {
    !options.is_empty()
        && options.len() <= MAX_OPTIONS
        && options
            .iter()
            .all(|o| !o.trim().is_empty() && chars_at_most(o, OPTION_MAX_CHARS))
        && options.iter().collect::<HashSet<_>>().len() == options.len()
}

/// Largest operator's reason or note, and a badge or fee band an operator types.
pub const NOTE_MAX_CHARS: usize = 1_000;
pub const BADGE_MAX_CHARS: usize = 40;
pub const FEE_BAND_MAX_CHARS: usize = 40;
/// Largest upload file name and text search.
pub const FILE_NAME_MAX_CHARS: usize = 200;
pub const SEARCH_MAX_CHARS: usize = 100;

/// A form in a list: the operators' list of every version, the families' forms open now.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FormSummary {
    pub id: i64,
    pub version: i32,
    pub status: FormStatus,
    pub title: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "2027/2028"))]
    pub school_year: SchoolYear,
    pub opens_on: Date,
    pub closes_on: Date,
    /// `Validità dal 11/07/2027 al 31/08/2027`.
    pub validity: String,
    pub scope: FormScope,
    pub delegates_allowed: bool,
    pub service_id: Option<i64>,
}

/// A form in the operators' list: how many submissions it has and whether it ranks
/// them.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FormOverview {
    #[serde(flatten)]
    pub form: FormSummary,
    /// Submissions of this version, drafts included (with any, it is never edited).
    pub submissions: u64,
    /// A ranking form (graduatoria): some answer earns points.
    pub ranking: bool,
}

/// A submission's place in a graduatoria.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RankingEntry {
    /// 1 for the first.
    pub position: u32,
    pub points: u32,
    pub submission_id: i64,
    pub protocol_number: String,
    pub family_name: String,
    pub child_name: Option<String>,
    pub state: SubmissionState,
    pub state_label: String,
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub sent_at: OffsetDateTime,
}

/// A form's graduatoria: as published (the positions stored then), or as it stands now
/// over the sent, to-validate and accepted submissions until it is published.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Ranking {
    pub form_id: i64,
    pub form_title: String,
    #[serde(with = "time::serde::rfc3339::option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub published_at: Option<OffsetDateTime>,
    pub entries: Vec<RankingEntry>,
}

/// A family's place in a published graduatoria.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RankingPlace {
    pub position: u32,
    pub points: u32,
    /// How many submissions the graduatoria has.
    pub of: u32,
}

impl RankingPlace {
    /// `Graduatoria: 2° posto su 14, 35 punti`.
    pub fn label(&self) -> String {
        format!(
            "Graduatoria: {}° posto su {}, {} {}",
            self.position,
            self.of,
            self.points,
            if self.points == 1 { "punto" } else { "punti" }
        )
    }
}

/// A form version with its definition.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FormDetail {
    pub id: i64,
    pub version: i32,
    /// The version this one replaces.
    pub previous_id: Option<i64>,
    pub status: FormStatus,
    pub validity: String,
    pub definition: FormDefinition,
    /// Submissions of this version, drafts included: with any, it is never edited again
    /// (a new version is published instead).
    pub submissions: u64,
}

/// A family's answers, saved as a draft.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SubmissionRequest {
    /// Field key → answer, shaped as each field's kind says.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub answers: Answers,
}

/// A submission in a list.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SubmissionSummary {
    pub id: i64,
    pub form_id: i64,
    pub form_title: String,
    pub state: SubmissionState,
    /// `Inviata`, `Rifiutata`, …
    pub state_label: String,
    /// The family's guardian (intestatario).
    pub family_name: String,
    /// The child it is for, when the form is per child.
    pub child_name: Option<String>,
    /// Protocol number and time, once sent.
    pub protocol_number: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub sent_at: Option<OffsetDateTime>,
    /// The operator's reason (refused, blocked) or note (da validare), shown to the family.
    pub operator_note: Option<String>,
    /// Its place in the form's graduatoria, once published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ranking: Option<RankingPlace>,
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub updated_at: OffsetDateTime,
    /// Sent by «Paga e invia»: the pagoPA notice of the amount due it waits for while
    /// Sospesa per insoluto (paid once it moved on).
    pub notice: Option<SubmissionNotice>,
}

/// The notice a submission sent by «Paga e invia» waits for, with where to pay it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SubmissionNotice {
    /// Number, IUV, amount, status and `pdf_url` (the notice to print or show at a
    /// counter).
    pub notice: Notice,
    /// POST here to pay it online: a pagoPA Checkout cart of this notice.
    pub checkout_url: String,
}

/// A file attached to a submission.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UploadInfo {
    pub id: i64,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
}

/// A state change of a submission: who and when.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SubmissionEvent {
    pub state: SubmissionState,
    pub actor_name: String,
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: OffsetDateTime,
    pub note: Option<String>,
}

/// A submission with its answers, attachments and history.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SubmissionDetail {
    pub summary: SubmissionSummary,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub answers: Answers,
    pub uploads: Vec<UploadInfo>,
    pub history: Vec<SubmissionEvent>,
}

/// An operator's reason (refuse, block) or note (da validare), shown to the family.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Decision {
    #[cfg_attr(feature = "openapi", schema(max_length = 1000))]
    pub note: String,
}

impl Decision {
    /// The Italian error of a reason or note left blank: the family reads it.
    pub fn problems(&self) -> Vec<FieldError> {
        if self.note.trim().is_empty() {
            vec![FieldError::new(
                "note",
                "Scrivi il motivo: la famiglia lo leggerà in «I miei moduli».",
            )]
        } else {
            Vec::new()
        }
    }
}

/// Accepting a submission; for a form that enrols, the card's data the operator sets.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AcceptRequest {
    /// Tessera/Badge of the new card.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 40))]
    pub badge: String,
    /// Fascia (tariff band).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 40))]
    pub fee_band: String,
    /// Importo quota, e.g. `"100,00"`.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 32, example = "0"))]
    pub quota: String,
    /// Importo pasto, e.g. `"4,50"`.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 32, example = "4.50"))]
    pub meal_price: String,
}

/// The card's amounts of an accepted enrolment, in cents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnrolmentTerms {
    /// None: a new badge is given (the child's own when it has one).
    pub badge: Option<String>,
    pub fee_band: String,
    pub quota_cents: i64,
    pub meal_price_cents: i64,
}

impl AcceptRequest {
    /// What the operator's form starts from: the band of `bands` covering the declared
    /// `isee` with its quota and meal price, and no badge (one is given on accepting).
    pub fn suggested(bands: &[FeeBand], isee: Option<Decimal>) -> AcceptRequest {
        match isee.and_then(|isee| band_for_isee(bands, isee)) {
            Some(band) => AcceptRequest {
                badge: String::new(),
                fee_band: band.name.clone(),
                quota: amount_as_typed(band.quota),
                meal_price: amount_as_typed(band.meal_price),
            },
            None => AcceptRequest::default(),
        }
    }

    /// The card's data, each field's Italian error otherwise. A blank band is the band of
    /// `bands` covering the declared `isee`; blank amounts are those of the band (named
    /// or found); a band the comune does not list needs both amounts.
    pub fn terms(
        &self,
        bands: &[FeeBand],
        isee: Option<Decimal>,
    ) -> Result<EnrolmentTerms, Vec<FieldError>> {
        let mut errors = Vec::new();
        let named = self.fee_band.trim();
        let band = if named.is_empty() {
            isee.and_then(|isee| band_for_isee(bands, isee))
        } else {
            bands.iter().find(|band| band.name == named)
        };
        let fee_band = match (named.is_empty(), band) {
            (false, _) => named.to_owned(),
            (true, Some(band)) => band.name.clone(),
            (true, None) => {
                errors.push(FieldError::new(
                    "fee_band",
                    match isee {
                        Some(isee) => format!(
                            "Nessuna fascia del servizio comprende l'ISEE di {}: indica la fascia.",
                            euro(isee)
                        ),
                        None => "Indica la fascia.".to_owned(),
                    },
                ));
                String::new()
            }
        };
        // Without a band, a blank amount has nothing to come from: the band is what to fix.
        let band_missing = fee_band.is_empty();
        let mut amount = |field: &str, text: &str, default: Option<Decimal>| {
            if text.trim().is_empty() {
                match default.and_then(decimal_to_cents) {
                    Some(cents) => return cents,
                    None if band_missing => return 0,
                    None => {}
                }
            }
            match parse_cents(text, Sign::Unsigned, crate::money::MAX_EMISSION_LINE_CENTS) {
                Ok(cents) => cents,
                Err(error) => {
                    errors.push(FieldError::new(field, error.to_string()));
                    0
                }
            }
        };
        let quota_cents = amount("quota", &self.quota, band.map(|b| b.quota));
        let meal_price_cents = amount("meal_price", &self.meal_price, band.map(|b| b.meal_price));
        if errors.is_empty() {
            let badge = self.badge.trim();
            Ok(EnrolmentTerms {
                badge: (!badge.is_empty()).then(|| badge.to_owned()),
                fee_band,
                quota_cents,
                meal_price_cents,
            })
        } else {
            Err(errors)
        }
    }
}

/// The refusal of a "sent from … to …" filter whose end comes before its start.
pub fn check_sent_range(from: Option<Date>, to: Option<Date>) -> Option<FieldError> {
    match (from, to) {
        (Some(from), Some(to)) if to < from => Some(FieldError::new(
            "sent_to",
            "La data finale non può precedere quella iniziale.",
        )),
        _ => None,
    }
}

/// Most submissions accepted in one bulk request.
pub const BULK_ACCEPT_MAX_ITEMS: usize = 100;

/// Accetta selezionate: the submissions to accept, each with the terms of its ISEE band
/// and a new badge.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BulkAcceptRequest {
    #[cfg_attr(feature = "openapi", schema(max_items = 100, min_items = 1))]
    pub ids: Vec<i64>,
}

/// What happened to one submission of a bulk accept.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BulkOutcome {
    pub id: i64,
    pub accepted: bool,
    /// `Accettata`, or the Italian reason why not.
    pub message: String,
}

/// `3 domande accettate, 1 non accettata.`
pub fn bulk_summary(outcomes: &[BulkOutcome]) -> String {
    let accepted = outcomes.iter().filter(|o| o.accepted).count();
    let refused = outcomes.len() - accepted;
    let count = |n: usize, one: &str, many: &str| {
        if n == 1 {
            format!("1 {one}")
        } else {
            format!("{n} {many}")
        }
    };
    let mut text = count(accepted, "domanda accettata", "domande accettate");
    if refused > 0 {
        text.push_str(&format!(
            ", {}",
            count(refused, "non accettata", "non accettate")
        ));
    }
    text.push('.');
    text
}

/// How many sent submissions of a form are in a state.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StateCount {
    pub state: SubmissionState,
    /// `Inviata`, `Da validare`, …
    pub label: String,
    pub count: u64,
}

/// What accepting a submission would enrol: the service's fee bands, the declared ISEE
/// and the terms the operator's form starts from.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EnrolmentProposal {
    /// The service the form enrols into; none: accepting creates no card.
    pub service_name: Option<String>,
    pub bands: Vec<FeeBand>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, example = "8500.00"))]
    pub isee: Option<Decimal>,
    pub suggested: AcceptRequest,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use time::macros::{date, datetime};

    fn field(key: &str, kind: FieldKind) -> Field {
        Field {
            key: key.into(),
            label: format!("Domanda {key}"),
            help: String::new(),
            required: true,
            kind,
            shown_when: None,
            points: None,
        }
    }

    fn form(fields: Vec<Field>) -> FormDefinition {
        FormDefinition {
            title: "Refezione scolastica 2027/2028".into(),
            description: String::new(),
            school_year: SchoolYear::starting(2027),
            opens_on: date!(2027 - 07 - 11),
            closes_on: date!(2027 - 08 - 31),
            scope: FormScope::PerFamily,
            delegates_allowed: false,
            service_id: None,
            requires_settled_account: false,
            sections: vec![Section {
                title: "Dati".into(),
                description: String::new(),
                fields,
            }],
        }
    }

    const CONTEXT: AnswerContext<'static> = AnswerContext {
        today: date!(2027 - 07 - 20),
        children: &[3, 4],
        uploads: &[70],
    };

    /// The errors of sending `value` as the answer to one field of `kind`.
    fn errors_of(kind: FieldKind, value: Value) -> Vec<FieldError> {
        let definition = form(vec![field("q", kind)]);
        let answers = Answers::from([("q".to_owned(), value)]);
        check_answers(&definition, &answers, Stage::Send, &CONTEXT)
    }

    fn accepts(kind: FieldKind, value: Value) {
        assert_eq!(
            errors_of(kind.clone(), value.clone()),
            [],
            "{kind:?} {value}"
        );
    }

    /// The one error of a wrong answer, as `(field, message)`.
    fn refuses(kind: FieldKind, value: Value) -> (String, String) {
        let errors = errors_of(kind.clone(), value.clone());
        assert_eq!(errors.len(), 1, "{kind:?} {value}: {errors:?}");
        (errors[0].field.clone(), errors[0].message.clone())
    }

    #[test]
    fn texts_within_their_length() {
        let short = FieldKind::ShortText { max_chars: 5 };
        accepts(short.clone(), json!("àèìòù"));
        let (field, message) = refuses(short.clone(), json!("àèìòùx"));
        assert_eq!(field, "answers.q");
        assert_eq!(message, "La risposta può contenere al massimo 5 caratteri.");
        refuses(short, json!(12));
        let long = FieldKind::LongText { max_chars: 20 };
        accepts(long.clone(), json!("riga uno\nriga due"));
        refuses(long, json!("x".repeat(21)));
    }

    #[test]
    fn integers_within_their_bounds() {
        let kind = FieldKind::Integer { min: 0, max: 10 };
        accepts(kind.clone(), json!(10));
        let (_, message) = refuses(kind.clone(), json!(11));
        assert_eq!(message, "Scrivi un numero intero da 0 a 10.");
        refuses(kind.clone(), json!(2.5));
        refuses(kind, json!("3"));
    }

    #[test]
    fn amounts_as_typed_in_italian() {
        let kind = FieldKind::Amount {
            max: Decimal::new(50000, 2),
        };
        accepts(kind.clone(), json!("1,50"));
        accepts(kind.clone(), json!("500"));
        let (_, message) = refuses(kind.clone(), json!("500,01"));
        assert_eq!(message, "L'importo non può superare 500,00 €.");
        refuses(kind.clone(), json!("-3"));
        refuses(kind, json!(12));
    }

    #[test]
    fn dates_in_their_range() {
        let kind = FieldKind::Date {
            earliest: Some(date!(2027 - 09 - 01)),
            latest: Some(date!(2027 - 12 - 31)),
        };
        accepts(kind.clone(), json!("2027-09-14"));
        let (_, message) = refuses(kind.clone(), json!("2028-01-01"));
        assert_eq!(
            message,
            "La data deve essere tra il 01/09/2027 e il 31/12/2027."
        );
        let (_, message) = refuses(kind, json!("14/09/2027"));
        assert_eq!(message, crate::dates::DAY_MESSAGE);
    }

    #[test]
    fn choices_among_the_options() {
        let single = FieldKind::SingleChoice {
            options: vec!["Fermata Piazza Roma".into(), "Fermata Via Verdi".into()],
        };
        accepts(single.clone(), json!("Fermata Via Verdi"));
        let (_, message) = refuses(single, json!("Fermata altrove"));
        assert_eq!(message, "Scegli una delle risposte proposte.");
        let multiple = FieldKind::MultipleChoice {
            options: vec!["Luglio".into(), "Agosto".into(), "Settembre".into()],
            max_selected: Some(2),
        };
        accepts(multiple.clone(), json!(["Luglio", "Agosto"]));
        let (_, message) = refuses(multiple.clone(), json!(["Luglio", "Agosto", "Settembre"]));
        assert_eq!(message, "Si possono scegliere al massimo 2 risposte.");
        refuses(multiple.clone(), json!(["Luglio", "Luglio"]));
        refuses(multiple, json!(["Giugno"]));
    }

    #[test]
    fn yes_no_and_consent() {
        accepts(FieldKind::YesNo, json!(false));
        assert_eq!(
            refuses(FieldKind::YesNo, json!("sì")).1,
            "Rispondi sì o no."
        );
        let consent = FieldKind::Consent {
            text: "Dichiaro di aver letto l'informativa sulla privacy.".into(),
        };
        accepts(consent.clone(), json!(true));
        assert_eq!(
            refuses(consent.clone(), json!(false)).1,
            "Per inviare il modulo occorre accettare."
        );
        // Not answered at all: the same message, a required consent is never skipped.
        let definition = form(vec![field("privacy", consent)]);
        let errors = check_answers(&definition, &Answers::new(), Stage::Send, &CONTEXT);
        assert_eq!(
            errors[0].message,
            "Per inviare il modulo occorre accettare."
        );
    }

    #[test]
    fn email_and_phone() {
        accepts(FieldKind::Email, json!("anna.colombo@esempio.it"));
        refuses(FieldKind::Email, json!("anna.colombo@"));
        refuses(FieldKind::Email, json!("anna colombo@esempio.it"));
        accepts(FieldKind::Phone, json!("+39 333 123 4567"));
        accepts(FieldKind::Phone, json!("0212345678"));
        refuses(FieldKind::Phone, json!("333-123"));
        refuses(FieldKind::Phone, json!("12345"));
    }

    #[test]
    fn italian_iban_with_its_check_digits() {
        accepts(FieldKind::Iban, json!("IT60 X054 2811 1010 0000 0123 456"));
        accepts(FieldKind::Iban, json!("it60x0542811101000000123456"));
        let (_, message) = refuses(FieldKind::Iban, json!("IT61X0542811101000000123456"));
        assert_eq!(message, IBAN_MESSAGE);
        let (_, message) = refuses(FieldKind::Iban, json!("DE89370400440532013000"));
        assert_eq!(
            message,
            "L'IBAN deve essere di un conto italiano (inizia con IT)."
        );
    }

    #[test]
    fn isee_value_and_a_valid_attestation() {
        let kind = FieldKind::Isee {
            max: Decimal::new(10_000_000, 2),
        };
        accepts(
            kind.clone(),
            json!({"value": "12.345,67", "attested_on": "2027-01-15"}),
        );
        let (field, message) = refuses(
            kind.clone(),
            json!({"value": "12.345,67", "attested_on": "2026-12-15"}),
        );
        assert_eq!(field, "answers.q.attested_on");
        assert_eq!(
            message,
            "L'attestazione ISEE è scaduta il 31/12/2026: serve un'attestazione rilasciata nel 2027."
        );
        let (field, _) = refuses(
            kind.clone(),
            json!({"value": "dodicimila", "attested_on": "2027-01-15"}),
        );
        assert_eq!(field, "answers.q.value");
        refuses(
            kind.clone(),
            json!({"value": "1", "attested_on": "2027-07-21"}),
        );
        refuses(kind, json!("12345"));
    }

    #[test]
    fn uploads_of_this_submission_only() {
        let kind = FieldKind::Upload { max_bytes: 1000 };
        accepts(kind.clone(), json!(70));
        assert_eq!(refuses(kind, json!(71)).1, "Allega il documento richiesto.");
    }

    #[test]
    fn a_child_of_the_family_or_a_new_one_with_a_valid_fiscal_code() {
        accepts(FieldKind::Child, json!({"child_id": 3}));
        assert_eq!(
            refuses(FieldKind::Child, json!({"child_id": 9})).1,
            "Scegli uno dei tuoi figli."
        );
        let new_child = |fiscal_code: &str, birth_date: &str| {
            json!({"new_child": {"first_name": "Luca", "last_name": "Colombo",
                "fiscal_code": fiscal_code, "birth_date": birth_date}})
        };
        accepts(
            FieldKind::Child,
            new_child("RSSMRA85T10A562S", "2021-05-10"),
        );
        let (field, message) = refuses(
            FieldKind::Child,
            new_child("RSSMRA85T10A562T", "2021-05-10"),
        );
        assert_eq!(field, "answers.q.fiscal_code");
        assert!(message.contains("carattere di controllo"), "{message}");
        let (field, _) = refuses(
            FieldKind::Child,
            new_child("RSSMRA85T10A562S", "2028-01-01"),
        );
        assert_eq!(field, "answers.q.birth_date");
        refuses(FieldKind::Child, json!({"child_id": "tre"}));
    }

    #[test]
    fn school_and_class() {
        let kind = FieldKind::SchoolClass {
            schools: vec!["Primaria Manzoni".into()],
        };
        accepts(
            kind.clone(),
            json!({"school": "Primaria Manzoni", "class_name": "2A"}),
        );
        let (field, _) = refuses(
            kind.clone(),
            json!({"school": "Primaria Verdi", "class_name": "2A"}),
        );
        assert_eq!(field, "answers.q.school");
        let (field, _) = refuses(
            kind,
            json!({"school": "Primaria Manzoni", "class_name": ""}),
        );
        assert_eq!(field, "answers.q.class_name");
    }

    #[test]
    fn a_medical_diet_needs_its_certificate() {
        accepts(FieldKind::Diet, json!({"meal_type": "PASTO BASE"}));
        accepts(
            FieldKind::Diet,
            json!({"meal_type": "DIETA SANITARIA", "notes": "Celiachia", "certificate": 70}),
        );
        let (field, message) = refuses(
            FieldKind::Diet,
            json!({"meal_type": "DIETA SANITARIA", "notes": "Celiachia"}),
        );
        assert_eq!(field, "answers.q.certificate");
        assert_eq!(
            message,
            "Per la dieta sanitaria occorre allegare il certificato medico."
        );
        refuses(FieldKind::Diet, json!({"meal_type": "vegana"}));
    }

    #[test]
    fn required_shown_fields_and_conditions() {
        let mut detail = field("stop", FieldKind::ShortText { max_chars: 50 });
        detail.shown_when = Some(Condition {
            field: "transport".into(),
            equals: json!(true),
        });
        let definition = form(vec![field("transport", FieldKind::YesNo), detail]);
        let send = |answers: Value| {
            let answers: Answers = serde_json::from_value(answers).unwrap();
            check_answers(&definition, &answers, Stage::Send, &CONTEXT)
        };
        assert_eq!(send(json!({"transport": false})), []);
        let missing = send(json!({"transport": true}));
        assert_eq!(missing[0].field, "answers.stop");
        assert_eq!(
            missing[0].message,
            "Rispondi a questa domanda: è obbligatoria."
        );
        let hidden = send(json!({"transport": false, "stop": "Piazza Roma"}));
        assert_eq!(hidden[0].field, "answers.stop");
        let unknown = send(json!({"transport": false, "colour": "blu"}));
        assert_eq!(unknown[0].field, "answers.colour");
        // A draft keeps what is typed, even half an IBAN or nothing at all.
        let draft: Answers = serde_json::from_value(json!({"transport": true})).unwrap();
        assert_eq!(
            check_answers(&definition, &draft, Stage::Draft, &CONTEXT),
            []
        );
    }

    #[test]
    fn a_renewal_fills_next_class_same_school_and_diet_where_unanswered() {
        let definition = form(vec![
            field("alunno", FieldKind::Child),
            field(
                "scuola",
                FieldKind::SchoolClass {
                    schools: vec!["Scuola Primaria Pascoli".into()],
                },
            ),
            field("dieta", FieldKind::Diet),
        ]);
        let mut answers: Answers =
            serde_json::from_value(json!({"alunno": {"child_id": 3}})).unwrap();
        definition.renew(
            &mut answers,
            "Scuola Primaria Pascoli",
            "2a",
            MealType::Medical,
        );
        assert_eq!(
            Value::from(serde_json::Map::from_iter(answers.clone())),
            json!({
                "alunno": {"child_id": 3},
                "scuola": {"school": "Scuola Primaria Pascoli", "class_name": "3a"},
                "dieta": {"meal_type": "DIETA SANITARIA", "notes": ""},
            })
        );
        // What the family already answered stays; the last class is left to the office.
        let mut answers: Answers =
            serde_json::from_value(json!({"dieta": {"meal_type": "PASTO BASE"}})).unwrap();
        definition.renew(
            &mut answers,
            "Scuola Primaria Pascoli",
            "5a",
            MealType::Medical,
        );
        assert_eq!(
            Value::from(serde_json::Map::from_iter(answers)),
            json!({"dieta": {"meal_type": "PASTO BASE"}})
        );
    }

    #[test]
    fn the_window_is_evaluated_in_rome() {
        let definition = form(vec![field("q", FieldKind::YesNo)]);
        // 22:30 UTC on 10/07 is already 11/07 in Rome (summer time).
        assert!(definition.is_open(datetime!(2027-07-10 22:30 UTC)));
        assert!(!definition.is_open(datetime!(2027-07-10 21:30 UTC)));
        assert!(definition.is_open(datetime!(2027-08-31 21:59 UTC)));
        assert!(!definition.is_open(datetime!(2027-08-31 22:00 UTC)));
        assert_eq!(
            definition.validity(),
            "Validità dal 11/07/2027 al 31/08/2027"
        );
        assert_eq!(
            definition.closed_message(datetime!(2027-09-01 08:00 UTC)),
            "Il modulo «Refezione scolastica 2027/2028» si poteva compilare fino al 31/08/2027: i termini sono scaduti."
        );
    }

    #[test]
    fn states_move_only_forward() {
        use SubmissionAction as A;
        use SubmissionState as S;
        assert_eq!(S::Saved.after(A::Send), Some(S::Sent));
        assert_eq!(S::Sent.after(A::Cancel), Some(S::Cancelled));
        assert_eq!(S::ToValidate.after(A::Cancel), None);
        assert_eq!(S::Accepted.after(A::Accept), None);
        assert_eq!(S::Accepted.after(A::Refuse), None);
        assert_eq!(S::Blocked.after(A::Accept), Some(S::Accepted));
        assert_eq!(S::Saved.after(A::Settle), Some(S::SuspendedUnpaid));
        assert_eq!(S::Sent.after(A::Settle), None);
        assert_eq!(S::SuspendedUnpaid.after(A::NoticePaid), Some(S::ToValidate));
        assert_eq!(S::SuspendedUnpaid.after(A::Cancel), Some(S::Cancelled));
        assert_eq!(S::SuspendedUnpaid.after(A::Accept), None);
        assert_eq!(S::Sent.after(A::NoticePaid), None);
        assert_eq!(
            S::Sent.refusal(A::Settle),
            "Non è possibile pagare e inviare una domanda nello stato «Inviata»."
        );
        let in_force: Vec<S> = S::ALL.into_iter().filter(|s| s.in_force()).collect();
        assert_eq!(
            in_force,
            [
                S::Sent,
                S::SuspendedUnpaid,
                S::ToValidate,
                S::Accepted,
                S::Blocked
            ]
        );
        assert_eq!(
            S::Accepted.refusal(A::Cancel),
            "Non è possibile cancellare una domanda nello stato «Accettata»."
        );
    }

    #[test]
    fn definitions_are_checked_before_they_are_saved() {
        let mut enrolment = form(vec![
            field("child", FieldKind::Child),
            field("class", FieldKind::SchoolClass { schools: vec![] }),
        ]);
        enrolment.scope = FormScope::PerChild;
        enrolment.service_id = Some(1);
        enrolment.requires_settled_account = true;
        assert_eq!(check_definition(&enrolment), []);

        let mut bad = form(vec![
            field("a", FieldKind::SingleChoice { options: vec![] }),
            field("a", FieldKind::Integer { min: 5, max: 1 }),
            field("Bad key", FieldKind::YesNo),
        ]);
        bad.scope = FormScope::PerChild;
        bad.closes_on = date!(2027 - 07 - 01);
        bad.sections[0].fields[1].shown_when = Some(Condition {
            field: "a".into(),
            equals: json!("Sì"),
        });
        let fields: Vec<String> = check_definition(&bad)
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            [
                "closes_on",
                "scope",
                "sections.0.fields.0.kind",
                "sections.0.fields.1.key",
                "sections.0.fields.1.kind",
                "sections.0.fields.1.shown_when",
                "sections.0.fields.2.key",
            ]
        );
    }

    fn ranked() -> FormDefinition {
        let mut work = field(
            "work",
            FieldKind::MultipleChoice {
                options: vec!["Madre".into(), "Padre".into(), "Nonni".into()],
                max_selected: None,
            },
        );
        work.points = Some(Points::Choices {
            options: vec![
                OptionPoints {
                    option: "Madre".into(),
                    points: 10,
                },
                OptionPoints {
                    option: "Padre".into(),
                    points: 10,
                },
            ],
        });
        let mut disabled = field("disabled", FieldKind::YesNo);
        disabled.points = Some(Points::YesNo { yes: 30, no: 0 });
        let mut isee = field(
            "isee",
            FieldKind::Isee {
                max: Decimal::new(10_000_000, 2),
            },
        );
        isee.points = Some(Points::IseeRanges {
            ranges: vec![
                IseeRange {
                    up_to: Decimal::new(1_000_000, 2),
                    points: 20,
                },
                IseeRange {
                    up_to: Decimal::new(2_500_000, 2),
                    points: 8,
                },
            ],
        });
        let mut since = field(
            "since",
            FieldKind::SingleChoice {
                options: vec!["Sì".into(), "No".into()],
            },
        );
        since.points = Some(Points::Choices {
            options: vec![OptionPoints {
                option: "Sì".into(),
                points: 5,
            }],
        });
        since.shown_when = Some(Condition {
            field: "disabled".into(),
            equals: json!(true),
        });
        form(vec![work, disabled, isee, since])
    }

    #[test]
    fn a_submission_earns_the_points_of_its_shown_answers() {
        let definition = ranked();
        assert!(definition.is_ranking());
        assert!(!form(vec![field("q", FieldKind::YesNo)]).is_ranking());
        assert_eq!(check_definition(&definition), []);
        let answers = |work: Value, disabled: bool, isee: &str, since: &str| {
            Answers::from([
                ("work".to_owned(), work),
                ("disabled".to_owned(), json!(disabled)),
                (
                    "isee".to_owned(),
                    json!({"value": isee, "attested_on": "2027-01-15"}),
                ),
                ("since".to_owned(), json!(since)),
            ])
        };
        // 20 (both parents) + 30 (yes) + 20 (ISEE up to 10.000,00 €) + 5 (shown: yes).
        assert_eq!(
            points_of(
                &definition,
                &answers(json!(["Madre", "Padre"]), true, "10.000,00", "Sì")
            ),
            75
        );
        // Nonni earn nothing, the second ISEE range, the condition hides «since».
        assert_eq!(
            points_of(
                &definition,
                &answers(json!(["Nonni", "Madre"]), false, "10.000,01", "Sì")
            ),
            18
        );
        // Above every range, nothing.
        assert_eq!(
            points_of(&definition, &answers(json!([]), false, "30.000,00", "No")),
            0
        );
        assert_eq!(points_of(&definition, &Answers::new()), 0);
    }

    #[test]
    fn ties_are_broken_by_the_time_sent() {
        let early = datetime!(2027-07-12 09:00 UTC);
        let late = datetime!(2027-07-12 10:00 UTC);
        let mut entries = vec![(10, late, 1), (10, early, 2), (30, late, 3), (10, early, 0)];
        entries.sort_by(|a, b| ranking_order(*a, *b));
        assert_eq!(
            entries,
            [(30, late, 3), (10, early, 0), (10, early, 2), (10, late, 1)]
        );
        let place = RankingPlace {
            position: 2,
            points: 35,
            of: 14,
        };
        assert_eq!(place.label(), "Graduatoria: 2° posto su 14, 35 punti");
    }

    #[test]
    fn points_must_fit_their_question() {
        let mut bad = ranked();
        let fields = &mut bad.sections[0].fields;
        fields[0].points = Some(Points::Choices {
            options: vec![OptionPoints {
                option: "Zii".into(),
                points: 1,
            }],
        });
        fields[1].points = Some(Points::YesNo {
            yes: MAX_POINTS + 1,
            no: 0,
        });
        fields[2].points = Some(Points::IseeRanges {
            ranges: vec![
                IseeRange {
                    up_to: Decimal::new(2_000_000, 2),
                    points: 1,
                },
                IseeRange {
                    up_to: Decimal::new(1_000_000, 2),
                    points: 2,
                },
            ],
        });
        fields[3].points = Some(Points::YesNo { yes: 1, no: 0 });
        let errors = check_definition(&bad);
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "sections.0.fields.0.points",
                "sections.0.fields.1.points",
                "sections.0.fields.2.points",
                "sections.0.fields.3.points",
            ]
        );
        assert_eq!(
            errors[1].message,
            "Una risposta può valere al massimo 1000 punti."
        );
        assert!(errors[2]
            .message
            .starts_with("Le fasce ISEE vanno indicate dalla più bassa"));
        // A definition saved before points existed reads the same.
        let old: FormDefinition = serde_json::from_value(json!({
            "title": "Cedole", "school_year": "2027/2028", "opens_on": "2027-07-11",
            "closes_on": "2027-08-31", "scope": "per_family",
            "sections": [{"title": "A", "fields": [{"key": "q", "label": "Q", "kind": {"type": "yes_no"}}]}]
        }))
        .unwrap();
        assert_eq!(old.sections[0].fields[0].points, None);
        assert!(!serde_json::to_string(&old).unwrap().contains("points"));
    }

    #[test]
    fn sizes_read_in_italian() {
        assert_eq!(size_label(DIET_CERTIFICATE_MAX_BYTES), "5 MB");
        assert_eq!(size_label(300 * 1024), "300 kB");
        assert_eq!(size_label(900), "900 byte");
        assert_eq!(
            upload_hint(DIET_CERTIFICATE_MAX_BYTES),
            "PDF, JPEG o PNG, al massimo 5 MB."
        );
    }

    #[test]
    fn answers_read_in_italian() {
        let no_child = |_: i64| String::new();
        let file = |id: i64| format!("file {id}");
        let render = |kind: FieldKind, value: Value| {
            render_answer(&field("q", kind), &value, &no_child, &file)
        };
        assert_eq!(render(FieldKind::YesNo, json!(true)), "Sì");
        assert_eq!(
            render(
                FieldKind::Date {
                    earliest: None,
                    latest: None
                },
                json!("2027-09-14")
            ),
            "14/09/2027"
        );
        assert_eq!(
            render(
                FieldKind::Isee {
                    max: Decimal::new(10_000_000, 2)
                },
                json!({"value": "12345,67", "attested_on": "2027-01-15"})
            ),
            "12.345,67 € (attestazione del 15/01/2027)"
        );
        assert_eq!(
            render(
                FieldKind::Diet,
                json!({"meal_type": "DIETA SANITARIA", "notes": "Celiachia", "certificate": 70})
            ),
            "DIETA SANITARIA: Celiachia (certificato: file 70)"
        );
    }

    #[test]
    fn definitions_read_and_write_the_same_json() {
        let definition = form(vec![field(
            "stop",
            FieldKind::SingleChoice {
                options: vec!["Piazza Roma".into()],
            },
        )]);
        let text = serde_json::to_string(&definition).unwrap();
        assert!(text.contains(r#""school_year":"2027/2028""#), "{text}");
        assert!(text.contains(r#""kind":{"type":"single_choice","options":["Piazza Roma"]}"#));
        let back: FormDefinition = serde_json::from_str(&text).unwrap();
        assert_eq!(back, definition);
    }

    fn bands() -> Vec<FeeBand> {
        let band = |name: &str, from: i64, to: Option<i64>, meal: i64, quota: i64| FeeBand {
            id: 1,
            service_id: 1,
            name: name.into(),
            isee_from: Decimal::new(from, 2),
            isee_to: to.map(|to| Decimal::new(to, 2)),
            meal_price: Decimal::new(meal, 2),
            quota: Decimal::new(quota, 2),
        };
        vec![
            band("Fascia 1", 0, Some(600_000), 250, 0),
            band("Fascia 2", 600_001, None, 500, 10_000),
        ]
    }

    #[test]
    fn accepting_takes_the_band_of_the_isee_unless_the_operator_names_one() {
        let isee = Some(Decimal::new(850_000, 2));
        let blank = AcceptRequest::default();
        assert_eq!(
            blank.terms(&bands(), isee),
            Ok(EnrolmentTerms {
                badge: None,
                fee_band: "Fascia 2".into(),
                quota_cents: 10_000,
                meal_price_cents: 500,
            })
        );
        let suggested = AcceptRequest::suggested(&bands(), isee);
        assert_eq!(
            (
                suggested.fee_band.as_str(),
                suggested.quota.as_str(),
                suggested.meal_price.as_str()
            ),
            ("Fascia 2", "100,00", "5,00")
        );
        let named = AcceptRequest {
            fee_band: "Fascia 1".into(),
            meal_price: "3,00".into(),
            badge: " 700001 ".into(),
            ..AcceptRequest::default()
        };
        assert_eq!(
            named.terms(&bands(), isee),
            Ok(EnrolmentTerms {
                badge: Some("700001".into()),
                fee_band: "Fascia 1".into(),
                quota_cents: 0,
                meal_price_cents: 300,
            })
        );
        let fields = |errors: Vec<FieldError>| -> Vec<String> {
            errors.into_iter().map(|e| e.field).collect()
        };
        assert_eq!(
            fields(blank.terms(&bands(), None).unwrap_err()),
            ["fee_band"]
        );
        let unlisted = AcceptRequest {
            fee_band: "Esonero".into(),
            ..AcceptRequest::default()
        };
        assert_eq!(
            fields(unlisted.terms(&bands(), isee).unwrap_err()),
            ["quota", "meal_price"]
        );
        assert_eq!(
            blank.terms(&bands()[..1], isee).unwrap_err()[0].message,
            "Nessuna fascia del servizio comprende l'ISEE di 8.500,00 €: indica la fascia."
        );
    }

    #[test]
    fn the_isee_answer_is_read_as_typed() {
        let definition = form(vec![field(
            "isee",
            FieldKind::Isee {
                max: Decimal::new(10_000_000, 2),
            },
        )]);
        let answers = Answers::from([(
            "isee".to_owned(),
            json!({"value": "8.500,5", "attested_on": "2027-01-15"}),
        )]);
        assert_eq!(
            definition.isee_answer(&answers),
            Some(Decimal::new(850_050, 2))
        );
        assert_eq!(definition.isee_answer(&Answers::new()), None);
    }

    #[test]
    fn a_bulk_accept_is_summed_up_in_italian() {
        let outcome = |accepted| BulkOutcome {
            id: 1,
            accepted,
            message: String::new(),
        };
        assert_eq!(bulk_summary(&[outcome(true)]), "1 domanda accettata.");
        assert_eq!(
            bulk_summary(&[outcome(true), outcome(true), outcome(false)]),
            "2 domande accettate, 1 non accettata."
        );
        assert_eq!(
            bulk_summary(&[outcome(false), outcome(false)]),
            "0 domande accettate, 2 non accettate."
        );
    }

    #[test]
    fn a_reason_is_required_and_a_range_ends_after_it_starts() {
        assert_eq!(Decision { note: " ".into() }.problems().len(), 1);
        assert!(Decision {
            note: "Manca il certificato medico".into()
        }
        .problems()
        .is_empty());
        let day = |d| Some(d);
        assert!(check_sent_range(day(date!(2027 - 07 - 21)), day(date!(2027 - 07 - 20))).is_some());
        assert!(check_sent_range(day(date!(2027 - 07 - 20)), day(date!(2027 - 07 - 20))).is_none());
        assert!(check_sent_range(None, day(date!(2027 - 07 - 20))).is_none());
    }
}
