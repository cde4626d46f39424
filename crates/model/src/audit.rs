//! Registro attività: every change the comune's staff make through the API, who made it,
//! when, what it was (the operation and its targets), the request as sent ("after") and,
//! where the service attached it, the record as it was before. The rules shared by the
//! server (what is recorded, how a request body is kept) and the SPA (the labels, the
//! changed fields of a row).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::{Date, OffsetDateTime};

use crate::auth::Role;
use crate::FieldError;

/// Whose writes are recorded: the comune's side (operators, administrators, canteen
/// staff taking attendance, which charges meals, and integrators issuing rette). A
/// family's own writes (bookings, payments, forms) are the family's records, not the
/// office's log.
pub fn recorded(role: Role) -> bool {
    matches!(
        role,
        Role::Operator | Role::Administrator | Role::CanteenStaff | Role::Integrator
    )
}

/// What a secret field's value is replaced with.
pub const OMITTED: &str = "(omesso)";
/// What a file sent as the request body is recorded as.
pub const FILE: &str = "(file)";
/// The longest text kept of one value, in characters.
pub const TEXT_MAX_CHARS: usize = 500;
/// The most items kept of one list.
pub const LIST_MAX_ITEMS: usize = 100;
/// The largest value kept whole, serialised, in bytes; a larger one is recorded as
/// [`TOO_LARGE`].
pub const VALUE_MAX_BYTES: usize = 32 * 1024;
/// What a value larger than [`VALUE_MAX_BYTES`] is recorded as.
pub const TOO_LARGE: &str = "(dati troppo estesi: non registrati)";

/// Whether a field's value is a secret or a file's content, never recorded.
fn secret(field: &str) -> bool {
    let field = field.to_ascii_lowercase();
    ["password", "token", "secret", "_key", "content"]
        .iter()
        .any(|word| field.contains(word))
}

/// A request body (or record) as the log keeps it: secrets and file contents replaced
/// by [`OMITTED`] (by field name), long texts cut at [`TEXT_MAX_CHARS`], long lists at
/// [`LIST_MAX_ITEMS`], and the whole at most [`VALUE_MAX_BYTES`].
pub fn redact(value: Value) -> Value {
    let kept = bounded(value);
    match serde_json::to_string(&kept) {
        Ok(text) if text.len() <= VALUE_MAX_BYTES => kept,
        _ => Value::String(TOO_LARGE.into()),
    }
}

fn bounded(value: Value) -> Value {
    match value {
        Value::Object(fields) => Value::Object(
            fields
                .into_iter()
                .map(|(field, value)| {
                    let value = if secret(&field) && !value.is_null() {
                        Value::String(OMITTED.into())
                    } else {
                        bounded(value)
                    };
                    (field, value)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(
            items
                .into_iter()
                .take(LIST_MAX_ITEMS)
                .map(bounded)
                .collect(),
        ),
        Value::String(text) if text.chars().count() > TEXT_MAX_CHARS => {
            Value::String(text.chars().take(TEXT_MAX_CHARS).chain(['…']).collect())
        }
        other => other,
    }
}

/// One field of a row's details: its value before and after (none where the side does
/// not have it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// Dotted path: `recharge.min_amount`, `bands.1.name`.
    pub field: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// The fields that differ between `before` and `after` (every field of the one side
/// there is when the other is missing), in field order.
pub fn changes(before: Option<&Value>, after: Option<&Value>) -> Vec<Change> {
    let (mut old, mut new) = (BTreeMap::new(), BTreeMap::new());
    if let Some(before) = before {
        flatten("", before, &mut old);
    }
    if let Some(after) = after {
        flatten("", after, &mut new);
    }
    let fields: std::collections::BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    fields
        .into_iter()
        .filter_map(|field| {
            let (before, after) = (old.get(field).cloned(), new.get(field).cloned());
            // A field the request did not send is not a change.
            let sent = after.is_some() || before.is_none() || new.is_empty();
            (before != after && sent).then(|| Change {
                field: field.clone(),
                before,
                after,
            })
        })
        .collect()
}

fn flatten(prefix: &str, value: &Value, out: &mut BTreeMap<String, String>) {
    let path = |key: &str| {
        if prefix.is_empty() {
            key.to_owned()
        } else {
            format!("{prefix}.{key}")
        }
    };
    match value {
        Value::Object(fields) => {
            for (key, value) in fields {
                flatten(&path(key), value, out);
            }
        }
        Value::Array(items) if !items.is_empty() => {
            for (i, value) in items.iter().enumerate() {
                flatten(&path(&(i + 1).to_string()), value, out);
            }
        }
        scalar => {
            let key = if prefix.is_empty() { "valore" } else { prefix };
            out.insert(key.to_owned(), show(scalar));
        }
    }
}

/// A scalar as a person reads it: `sì`/`no`, `—` for nothing, texts unquoted.
fn show(value: &Value) -> String {
    match value {
        Value::Null => "—".into(),
        Value::Bool(true) => "sì".into(),
        Value::Bool(false) => "no".into(),
        Value::String(text) => text.clone(),
        Value::Array(_) => "nessuno".into(),
        other => other.to_string(),
    }
}

/// A field of [`changes`] as a person reads it: each part of its path in Italian where
/// the name is a common one (`recharge_min` → `ricarica minima`), as it is otherwise.
pub fn field_label(field: &str) -> String {
    field
        .split('.')
        .map(|part| match part {
            "active" => "attivo",
            "amount" => "importo",
            "balance" => "saldo",
            "bands" => "fasce",
            "body" => "testo",
            "booking_cutoff_time" => "orario limite prenotazioni",
            "code" => "codice",
            "contact_email" => "e-mail di contatto",
            "contact_phone" => "telefono di contatto",
            "contact_address" => "indirizzo",
            "negative_balance_allowed" => "saldo negativo consentito",
            "pagopa_iban" => "IBAN pagoPA",
            "password_login_enabled" => "accesso con password",
            "bookable_weekdays" => "giorni prenotabili",
            "description" => "descrizione",
            "due_date" => "scadenza",
            "email" => "e-mail",
            "file" => "file",
            "first_name" => "nome",
            "fiscal_code" => "codice fiscale",
            "from" => "dal",
            "kind" => "tipo",
            "last_name" => "cognome",
            "meal_price" => "prezzo del pasto",
            "badge" => "tessera",
            "fee_band" => "fascia",
            "meal_type" => "dieta",
            "school_year" => "anno scolastico",
            "school_id" => "scuola",
            "class_id" => "classe",
            "grade" => "anno di corso",
            "cycle" => "ciclo",
            "mobile" => "cellulare",
            "birth_date" => "data di nascita",
            "birth_place" => "luogo di nascita",
            "sex" => "sesso",
            "address" => "indirizzo",
            "children" => "figli",
            "minimum_refund" => "rimborso minimo",
            "choice_deadline" => "termine per scegliere",
            "name" => "nome",
            "note" => "nota",
            "present" => "presente",
            "published_on" => "pubblicazione",
            "quota" => "quota",
            "reason" => "motivo",
            "recharge_max" => "ricarica massima",
            "recharge_min" => "ricarica minima",
            "role" => "ruolo",
            "status" => "stato",
            "summary" => "sommario",
            "title" => "titolo",
            "to" => "al",
            other => other,
        })
        .collect::<Vec<_>>()
        .join(" › ")
}

/// The Italian name of an operation of the API (its OpenAPI operationId), for the
/// operations the comune's staff change data with; `None` for any other.
pub fn label(operation: &str) -> Option<&'static str> {
    Some(match operation {
        "mark_attendance" => "Presenza in mensa",
        "charge" => "Addebito dei pasti",
        "send_communication" => "Invio di una comunicazione",
        "upload_communication_attachment" => "Allegato di una comunicazione",
        "preview_communication" => "Anteprima di una comunicazione",
        "create_emission" => "Emissione di una retta",
        "import_registry" => "Importazione dell'anagrafe",
        "check_registry_import" => "Prova di importazione dell'anagrafe",
        "accept_submission" => "Domanda accolta",
        "accept_submissions" => "Domande accolte",
        "block_submission" => "Domanda bloccata",
        "refuse_submission" => "Domanda respinta",
        "to_validate_submission" => "Domanda da validare",
        "create_form" => "Nuovo modulo",
        "update_form" => "Modifica di un modulo",
        "close_form" => "Chiusura di un modulo",
        "publish_form" => "Pubblicazione di un modulo",
        "publish_ranking" => "Pubblicazione di una graduatoria",
        "new_form_version" => "Nuova versione di un modulo",
        "create_document" => "Nuovo documento",
        "update_document" => "Modifica di un documento",
        "replace_document_file" => "File di un documento sostituito",
        "republish_document" => "Documento pubblicato di nuovo",
        "unpublish_document" => "Documento ritirato",
        "upload_logo" => "Logo del comune",
        "create_news" => "Nuova notizia",
        "update_news" => "Modifica di una notizia",
        "upload_news_attachment" => "Allegato di una notizia",
        "delete_news_attachment" => "Allegato di una notizia eliminato",
        "republish_news" => "Notizia pubblicata di nuovo",
        "unpublish_news" => "Notizia ritirata",
        "create_service" => "Nuovo servizio",
        "update_service" => "Modifica di un servizio",
        "save_bands" => "Fasce di un servizio",
        "save_settings" => "Impostazioni del comune",
        "invite_staff" => "Invito di un membro del personale",
        "change_staff" => "Modifica di un membro del personale",
        "invite_staff_again" => "Nuovo invito a un membro del personale",
        "create_api_client" => "Nuovo client API",
        "change_api_client" => "Modifica di un client API",
        "rotate_api_client_secret" => "Nuovo segreto di un client API",
        "revoke_api_client" => "Revoca di un client API",
        "retry_outbox_message" => "Messaggio inviato di nuovo",
        "issue_emission_batch" => "Emissione rette del mese",
        "preview_emission_batch" => "Anteprima dell'emissione rette",
        "cancel_emission" => "Annullamento di una retta",
        "correct_account" => "Rettifica del conto",
        "upload_flow" => "Flusso di rendicontazione",
        "run_reminders" => "Invio dei solleciti",
        "set_reminder_schedule" => "Calendario dei solleciti",
        "set_calendar" => "Calendario della mensa",
        "add_closure" => "Chiusura della mensa",
        "remove_closure" => "Chiusura della mensa eliminata",
        "generate_tax_certificates" => "Attestazioni per la detrazione fiscale",
        "create_school" => "Nuova scuola",
        "update_school" => "Modifica di una scuola",
        "create_class" => "Nuova classe",
        "update_class" => "Modifica di una classe",
        "add_enrolment" => "Nuova iscrizione a un servizio",
        "update_enrolment" => "Modifica di un'iscrizione",
        "end_enrolment" => "Iscrizione terminata",
        "create_family" => "Nuova famiglia",
        "update_guardian" => "Modifica dell'intestatario",
        "add_child" => "Nuovo figlio o figlia",
        "update_child" => "Modifica di un figlio o una figlia",
        "add_delegate" => "Nuovo delegato",
        "set_delegate_children" => "Figli di un delegato",
        "remove_delegate" => "Delegato rimosso",
        "ask_year_end_ahead" => "Fine anno: famiglie interpellate in anticipo",
        "close_school_year" => "Chiusura dell'anno scolastico",
        "record_year_end_refund" => "Rimborso del credito di fine anno",
        "logout" => "Uscita",
        _ => return None,
    })
}

/// One row of the Registro attività.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEvent {
    pub id: i64,
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: OffsetDateTime,
    /// Who: the staff account, with the name it had then.
    pub actor_id: i64,
    pub actor_name: String,
    pub actor_role: Role,
    /// What: the API operation (`save_settings`) and its Italian name.
    pub operation: String,
    pub label: String,
    /// `POST`, `PUT`, `DELETE`, and the route (`/office/staff/{id}`).
    pub method: String,
    pub route: String,
    /// The ids of the route (`{"id": "7"}`).
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub target: Value,
    /// The family (its guardian) the change concerns, when one does.
    pub family_id: Option<i64>,
    pub family_name: Option<String>,
    /// The record before the change, where the service attached it.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub before: Option<Value>,
    /// The request as sent, secrets omitted.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub after: Option<Value>,
    /// The answer's HTTP status (2xx: only changes that were made are recorded).
    pub status: u16,
}

/// The filters of the Registro attività: person, family, days (Europe/Rome).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct AuditFilter {
    pub actor: Option<i64>,
    pub family: Option<i64>,
    pub from: Option<Date>,
    pub to: Option<Date>,
}

impl AuditFilter {
    /// Italian errors of the days: `from` not after `to`, at most a year, as every
    /// period of the office's reports.
    pub fn check(&self) -> Vec<FieldError> {
        match (self.from, self.to) {
            (Some(from), Some(to)) => crate::reports::check_range(from, to),
            _ => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_office_is_recorded_and_families_are_not() {
        let recorded_roles: Vec<Role> = Role::ALL.into_iter().filter(|r| recorded(*r)).collect();
        assert_eq!(
            recorded_roles,
            [
                Role::Operator,
                Role::Administrator,
                Role::CanteenStaff,
                Role::Integrator
            ]
        );
    }

    #[test]
    fn secrets_and_files_are_omitted_and_sizes_bounded() {
        let kept = redact(json!({
            "password": "Segreta2026!",
            "new_password": "x",
            "token": "abc",
            "pagopa": { "subscription_key": "k", "iban": "IT60X0542811101000000123456" },
            "content": "JVBERi0=",
            "note": "a".repeat(600),
            "ids": (0..150).collect::<Vec<_>>(),
            "empty_token": null,
        }));
        assert_eq!(kept["password"], OMITTED);
        assert_eq!(kept["new_password"], OMITTED);
        assert_eq!(kept["token"], OMITTED);
        assert_eq!(kept["pagopa"]["subscription_key"], OMITTED);
        assert_eq!(kept["pagopa"]["iban"], "IT60X0542811101000000123456");
        assert_eq!(kept["content"], OMITTED);
        assert_eq!(kept["empty_token"], Value::Null);
        assert_eq!(kept["note"].as_str().unwrap().chars().count(), 501);
        assert_eq!(kept["ids"].as_array().unwrap().len(), LIST_MAX_ITEMS);
        let huge = json!((0..100)
            .map(|i| "x".repeat(400) + &i.to_string())
            .collect::<Vec<_>>());
        assert_eq!(redact(huge), Value::String(TOO_LARGE.into()));
    }

    #[test]
    fn changes_are_the_fields_that_differ() {
        let before = json!({ "name": "Comune di Demo", "recharge": { "min": "5.00", "max": "500.00" }, "active": true });
        let after = json!({ "name": "Comune di Demo", "recharge": { "min": "10.00", "max": "500.00" }, "active": false });
        assert_eq!(
            changes(Some(&before), Some(&after)),
            [
                Change {
                    field: "active".into(),
                    before: Some("sì".into()),
                    after: Some("no".into())
                },
                Change {
                    field: "recharge.min".into(),
                    before: Some("5.00".into()),
                    after: Some("10.00".into())
                },
            ]
        );
        // Without a before, every field sent.
        let sent = changes(
            None,
            Some(&json!({ "from": "2026-12-01", "bands": [{ "name": "A" }] })),
        );
        assert_eq!(
            sent.iter().map(|c| c.field.as_str()).collect::<Vec<_>>(),
            ["bands.1.name", "from"]
        );
        assert!(sent.iter().all(|c| c.before.is_none()));
        // A field the request did not send is no change.
        assert!(changes(Some(&json!({ "a": 1, "b": 2 })), Some(&json!({ "a": 1 }))).is_empty());
        // Only a before (a record removed): every field of it.
        assert_eq!(changes(Some(&json!({ "a": 1 })), None).len(), 1);
    }

    #[test]
    fn every_labelled_operation_has_an_italian_name() {
        assert_eq!(label("save_settings"), Some("Impostazioni del comune"));
        assert_eq!(label("get_settings"), None);
        assert_eq!(field_label("recharge_min"), "ricarica minima");
        assert_eq!(
            field_label("bands.2.meal_price"),
            "fasce › 2 › prezzo del pasto"
        );
        assert_eq!(field_label("pagopa_taxonomy"), "pagopa_taxonomy");
    }

    #[test]
    fn the_days_follow_the_reports_rules() {
        let day = |d: u8| Date::from_calendar_date(2026, time::Month::November, d).unwrap();
        let filter = AuditFilter {
            from: Some(day(20)),
            to: Some(day(10)),
            ..AuditFilter::default()
        };
        assert_eq!(filter.check()[0].field, "to");
        assert!(AuditFilter {
            from: Some(day(10)),
            ..AuditFilter::default()
        }
        .check()
        .is_empty());
    }
}
