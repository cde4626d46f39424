//! The families' registry for the comune's office: the search, the family page, and the
//! import of the registry the comune exported from its previous system (CSV).
//!
//! The file's rules live here, once: [`read_file`] reads the CSV (header row, `;` or `,`
//! between columns), checks every cell and the rows against each other, and reports an
//! Italian error per row and column. What depends on the comune's records (its services
//! and fee bands, the codici fiscali it already has) is the server's part of the check.

use std::collections::HashMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::{Date, Month};

use crate::children::{Enrolment, MealType, Sex};
use crate::contacts::valid_email;
use crate::dates::YEARS;
use crate::fiscal_code::{FiscalCode, BIRTH_DATE_MISMATCH};
use crate::letters::Letter;
use crate::money::{parse_cents, Sign};
use crate::payments::EmissionSummary;
use crate::school_year::SchoolYear;

/// Largest registry file the office may upload (16 MB: some 100 000 rows).
pub const IMPORT_MAX_BYTES: u32 = 16 * 1024 * 1024;
/// Largest opening balance of an account, either way (10.000,00 €).
pub const MAX_OPENING_BALANCE_CENTS: i64 = 1_000_000;
/// Longest text of a name, school, class, band or badge cell.
pub const CELL_MAX_CHARS: usize = 100;
/// Longest search text.
pub const SEARCH_MAX_CHARS: usize = 100;
/// Errors listed at most in a report (the count says how many there are in all).
pub const MAX_REPORTED_ERRORS: usize = 1000;

/// A column of the registry file; the header row names each one by [`ImportColumn::header`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ImportColumn {
    GuardianFiscalCode,
    GuardianFirstName,
    GuardianLastName,
    GuardianEmail,
    ChildFiscalCode,
    ChildFirstName,
    ChildLastName,
    BirthDate,
    Service,
    SchoolYear,
    School,
    ClassName,
    FeeBand,
    Diet,
    Badge,
    OpeningBalance,
}

impl ImportColumn {
    pub const ALL: [ImportColumn; 16] = [
        ImportColumn::GuardianFiscalCode,
        ImportColumn::GuardianFirstName,
        ImportColumn::GuardianLastName,
        ImportColumn::GuardianEmail,
        ImportColumn::ChildFiscalCode,
        ImportColumn::ChildFirstName,
        ImportColumn::ChildLastName,
        ImportColumn::BirthDate,
        ImportColumn::Service,
        ImportColumn::SchoolYear,
        ImportColumn::School,
        ImportColumn::ClassName,
        ImportColumn::FeeBand,
        ImportColumn::Diet,
        ImportColumn::Badge,
        ImportColumn::OpeningBalance,
    ];

    /// The column's name in the header row.
    pub fn header(self) -> &'static str {
        match self {
            ImportColumn::GuardianFiscalCode => "cf_intestatario",
            ImportColumn::GuardianFirstName => "nome_intestatario",
            ImportColumn::GuardianLastName => "cognome_intestatario",
            ImportColumn::GuardianEmail => "email_intestatario",
            ImportColumn::ChildFiscalCode => "cf_alunno",
            ImportColumn::ChildFirstName => "nome_alunno",
            ImportColumn::ChildLastName => "cognome_alunno",
            ImportColumn::BirthDate => "data_nascita",
            ImportColumn::Service => "servizio",
            ImportColumn::SchoolYear => "anno_scolastico",
            ImportColumn::School => "scuola",
            ImportColumn::ClassName => "classe",
            ImportColumn::FeeBand => "fascia",
            ImportColumn::Diet => "dieta",
            ImportColumn::Badge => "badge",
            ImportColumn::OpeningBalance => "saldo_iniziale",
        }
    }

    /// What the column holds, for the documentation of the format.
    pub fn meaning(self) -> &'static str {
        match self {
            ImportColumn::GuardianFiscalCode => "Codice fiscale dell'intestatario (obbligatorio)",
            ImportColumn::GuardianFirstName => "Nome dell'intestatario (obbligatorio)",
            ImportColumn::GuardianLastName => "Cognome dell'intestatario (obbligatorio)",
            ImportColumn::GuardianEmail => "E-mail dell'intestatario (facoltativa)",
            ImportColumn::ChildFiscalCode => "Codice fiscale dell'alunno (obbligatorio)",
            ImportColumn::ChildFirstName => "Nome dell'alunno (obbligatorio)",
            ImportColumn::ChildLastName => "Cognome dell'alunno (obbligatorio)",
            ImportColumn::BirthDate => "Data di nascita dell'alunno, GG/MM/AAAA: quella del codice fiscale",
            ImportColumn::Service => "Codice del servizio, ad esempio REF",
            ImportColumn::SchoolYear => "Anno scolastico, ad esempio 2026/2027",
            ImportColumn::School => "Scuola",
            ImportColumn::ClassName => "Classe",
            ImportColumn::FeeBand => "Fascia del servizio, come definita dal Comune",
            ImportColumn::Diet => {
                "Tipologia pasto: PASTO BASE, DIETA SANITARIA o DIETA ETICO-RELIGIOSA (vuota: PASTO BASE)"
            }
            ImportColumn::Badge => "Tessera/badge (facoltativo)",
            ImportColumn::OpeningBalance => {
                "Saldo iniziale del conto prepagato della famiglia, ad esempio 23,40 o -5,00 (facoltativo)"
            }
        }
    }
}

/// One row of the file, read and checked: a child's enrolment in a service, with the
/// child's family.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportLine {
    /// The row's number in the file, the header being row 1.
    pub row: u64,
    pub guardian_fiscal_code: FiscalCode,
    pub guardian_first_name: String,
    pub guardian_last_name: String,
    pub guardian_email: Option<String>,
    pub child_fiscal_code: FiscalCode,
    pub child_first_name: String,
    pub child_last_name: String,
    pub birth_date: Date,
    pub service_code: String,
    pub school_year: SchoolYear,
    pub school: String,
    pub class_name: String,
    pub fee_band: String,
    /// `None` when the cell is empty: the service's usual meal.
    pub diet: Option<MealType>,
    pub badge: String,
    pub opening_balance_cents: Option<i64>,
}

impl ImportLine {
    pub fn sex(&self) -> Sex {
        self.child_fiscal_code.sex()
    }
}

/// A problem of the file: its row (1 is the header) and column, in Italian.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RowError {
    pub row: u64,
    /// The column's header name; empty for the row as a whole.
    pub column: String,
    pub message: String,
}

impl RowError {
    pub fn new(row: u64, column: Option<ImportColumn>, message: impl Into<String>) -> Self {
        RowError {
            row,
            column: column.map(|c| c.header().to_owned()).unwrap_or_default(),
            message: message.into(),
        }
    }
}

/// The dry run's or the import's account of a file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportReport {
    /// Whether the registry was changed (the import of a file without errors).
    pub applied: bool,
    /// Rows read, the header excluded.
    pub rows: u64,
    /// Families (guardians) new to the registry; those already in it are kept as they are.
    pub new_families: u64,
    pub new_children: u64,
    pub new_enrolments: u64,
    /// Opening balances to register (or registered): each one movement of its account.
    pub new_balances: u64,
    /// Rows whose family, child and enrolment are all in the registry already.
    pub unchanged_rows: u64,
    /// How many errors the file has in all.
    pub error_count: u64,
    /// The first [`MAX_REPORTED_ERRORS`], by row and column.
    pub errors: Vec<RowError>,
}

/// Whether `text` looks like a registry file at all: its first line names at least one of
/// the columns. A file that does not is refused as a whole, not reported row by row.
pub fn names_a_column(text: &str) -> bool {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first_line = text.lines().next().unwrap_or_default();
    first_line
        .split([';', ','])
        .map(|cell| cell.trim().trim_matches('"'))
        .any(|cell| ImportColumn::ALL.iter().any(|c| c.header() == cell))
}

/// Reads the registry file: its lines, each checked, and the errors of every row and
/// column, including rows that contradict each other (the same child twice in a service
/// and school year, a family or child described two ways, two opening balances).
pub fn read_file(text: &str) -> (Vec<ImportLine>, Vec<RowError>) {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first_line = text.lines().next().unwrap_or_default();
    let delimiter = if first_line.contains(';') { b';' } else { b',' };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut errors = Vec::new();
    let positions = match reader.headers() {
        Ok(headers) => match positions(headers) {
            Ok(positions) => positions,
            Err(missing) => return (Vec::new(), missing),
        },
        Err(_) => return (Vec::new(), vec![unreadable(1)]),
    };
    let mut lines = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let row = index as u64 + 2;
        let record = match record {
            Ok(record) => record,
            Err(_) => {
                errors.push(unreadable(row));
                continue;
            }
        };
        if record.iter().all(str::is_empty) {
            continue;
        }
        let cell = |column: ImportColumn| record.get(positions[&column]).unwrap_or_default();
        match parse_line(row, cell) {
            Ok(line) => lines.push(line),
            Err(mut problems) => errors.append(&mut problems),
        }
    }
    errors.extend(check_lines(&lines));
    errors.sort();
    (lines, errors)
}

fn unreadable(row: u64) -> RowError {
    RowError::new(
        row,
        None,
        "La riga non si può leggere: il file deve essere un CSV in UTF-8 con le virgolette chiuse.",
    )
}

fn positions(headers: &csv::StringRecord) -> Result<HashMap<ImportColumn, usize>, Vec<RowError>> {
    let mut found = HashMap::new();
    let mut errors = Vec::new();
    for column in ImportColumn::ALL {
        match headers
            .iter()
            .position(|h| h.eq_ignore_ascii_case(column.header()))
        {
            Some(at) => {
                found.insert(column, at);
            }
            None => errors.push(RowError::new(
                1,
                Some(column),
                format!(
                    "Nella riga di intestazione manca la colonna «{}».",
                    column.header()
                ),
            )),
        }
    }
    if errors.is_empty() {
        Ok(found)
    } else {
        Err(errors)
    }
}

/// `27/04/2024` → that day (day and month may have one digit).
pub fn parse_italian_date(value: &str) -> Result<Date, &'static str> {
    const MESSAGE: &str = "La data deve essere nel formato GG/MM/AAAA, ad esempio 27/04/2018.";
    let mut parts = value.trim().split('/');
    let (Some(day), Some(month), Some(year), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(MESSAGE);
    };
    let small =
        |part: &str| (1..=2).contains(&part.len()) && part.bytes().all(|b| b.is_ascii_digit());
    if !small(day) || !small(month) || year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(MESSAGE);
    }
    let year: i32 = year.parse().map_err(|_| MESSAGE)?;
    let month = Month::try_from(month.parse::<u8>().map_err(|_| MESSAGE)?).map_err(|_| MESSAGE)?;
    if !(1900..=*YEARS.end()).contains(&year) {
        return Err(MESSAGE);
    }
    Date::from_calendar_date(year, month, day.parse().map_err(|_| MESSAGE)?).map_err(|_| MESSAGE)
}

/// Reads a diet as the service card prints it, in any case; empty is `None`.
pub fn parse_diet(value: &str) -> Result<Option<MealType>, String> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    MealType::ALL
        .into_iter()
        .filter(|m| *m != MealType::NoMeals)
        .find(|m| m.as_str().eq_ignore_ascii_case(value))
        .map(Some)
        .ok_or_else(|| {
            format!("Tipologia pasto «{value}» sconosciuta: scrivi PASTO BASE, DIETA SANITARIA o DIETA ETICO-RELIGIOSA.")
        })
}

fn parse_line<'a>(
    row: u64,
    cell: impl Fn(ImportColumn) -> &'a str,
) -> Result<ImportLine, Vec<RowError>> {
    use ImportColumn as C;
    let mut errors = Vec::new();
    let mut error = |column: ImportColumn, message: String| {
        errors.push(RowError::new(row, Some(column), message));
    };
    let mut text = |column: ImportColumn, required: bool| {
        let value = cell(column).to_owned();
        if required && value.is_empty() {
            error(
                column,
                format!("La colonna «{}» è obbligatoria.", column.header()),
            );
        } else if value.chars().count() > CELL_MAX_CHARS {
            error(
                column,
                format!("Il campo può contenere al massimo {CELL_MAX_CHARS} caratteri."),
            );
        }
        value
    };
    let guardian_first_name = text(C::GuardianFirstName, true);
    let guardian_last_name = text(C::GuardianLastName, true);
    let child_first_name = text(C::ChildFirstName, true);
    let child_last_name = text(C::ChildLastName, true);
    let service_code = text(C::Service, true);
    let school = text(C::School, false);
    let class_name = text(C::ClassName, false);
    let fee_band = text(C::FeeBand, true);
    let badge = text(C::Badge, false);
    let email = text(C::GuardianEmail, false);
    if !email.is_empty() && !valid_email(&email) {
        error(
            C::GuardianEmail,
            format!("«{email}» non è un indirizzo e-mail valido."),
        );
    }
    let guardian = FiscalCode::parse(cell(C::GuardianFiscalCode))
        .map_err(|e| error(C::GuardianFiscalCode, e.to_string()))
        .ok();
    let child = FiscalCode::parse(cell(C::ChildFiscalCode))
        .map_err(|e| error(C::ChildFiscalCode, e.to_string()))
        .ok();
    let birth_date = parse_italian_date(cell(C::BirthDate))
        .map_err(|e| error(C::BirthDate, e.into()))
        .ok();
    let school_year = SchoolYear::parse(cell(C::SchoolYear))
        .map_err(|e| error(C::SchoolYear, e.into()))
        .ok();
    let diet = parse_diet(cell(C::Diet))
        .map_err(|e| error(C::Diet, e))
        .ok();
    let balance = cell(C::OpeningBalance);
    let opening_balance_cents = if balance.is_empty() {
        Some(None)
    } else {
        parse_cents(balance, Sign::Signed, MAX_OPENING_BALANCE_CENTS)
            .map(Some)
            .map_err(|e| error(C::OpeningBalance, e.to_string()))
            .ok()
    };
    if let (Some(child), Some(day)) = (&child, birth_date) {
        if !child.records_birth_date(day) {
            error(C::BirthDate, BIRTH_DATE_MISMATCH.into());
        }
    }
    if let (Some(guardian), Some(child)) = (&guardian, &child) {
        if guardian == child {
            error(
                C::ChildFiscalCode,
                "Il codice fiscale dell'alunno è quello dell'intestatario.".into(),
            );
        }
    }
    match (
        guardian,
        child,
        birth_date,
        school_year,
        diet,
        opening_balance_cents,
    ) {
        (
            Some(guardian_fiscal_code),
            Some(child_fiscal_code),
            Some(birth_date),
            Some(school_year),
            Some(diet),
            Some(opening_balance_cents),
        ) if errors.is_empty() => Ok(ImportLine {
            row,
            guardian_fiscal_code,
            guardian_first_name,
            guardian_last_name,
            guardian_email: (!email.is_empty()).then_some(email),
            child_fiscal_code,
            child_first_name,
            child_last_name,
            birth_date,
            service_code,
            school_year,
            school,
            class_name,
            fee_band,
            diet,
            badge,
            opening_balance_cents,
        }),
        _ => Err(errors),
    }
}

/// The rows against each other: one description of each family and child, one row per
/// child, service and school year, one opening balance per family and service.
fn check_lines(lines: &[ImportLine]) -> Vec<RowError> {
    use ImportColumn as C;
    let mut errors = Vec::new();
    let mut guardians: HashMap<&FiscalCode, &ImportLine> = HashMap::new();
    let mut children: HashMap<&FiscalCode, &ImportLine> = HashMap::new();
    let mut cards: HashMap<(&FiscalCode, &str, SchoolYear), u64> = HashMap::new();
    let mut balances: HashMap<(&FiscalCode, &str), &ImportLine> = HashMap::new();
    for line in lines {
        let first = *guardians.entry(&line.guardian_fiscal_code).or_insert(line);
        if (
            &first.guardian_first_name,
            &first.guardian_last_name,
            &first.guardian_email,
        ) != (
            &line.guardian_first_name,
            &line.guardian_last_name,
            &line.guardian_email,
        ) {
            errors.push(RowError::new(
                line.row,
                Some(C::GuardianFiscalCode),
                format!(
                    "L'intestatario ha nome, cognome o e-mail diversi dalla riga {}.",
                    first.row
                ),
            ));
        }
        if children.contains_key(&line.guardian_fiscal_code) {
            errors.push(RowError::new(
                line.row,
                Some(C::GuardianFiscalCode),
                "Questo codice fiscale è anche quello di un alunno del file.",
            ));
        }
        let first = *children.entry(&line.child_fiscal_code).or_insert(line);
        if first.guardian_fiscal_code != line.guardian_fiscal_code {
            errors.push(RowError::new(
                line.row,
                Some(C::GuardianFiscalCode),
                format!(
                    "L'alunno ha un intestatario diverso da quello della riga {}.",
                    first.row
                ),
            ));
        } else if (
            &first.child_first_name,
            &first.child_last_name,
            first.birth_date,
        ) != (
            &line.child_first_name,
            &line.child_last_name,
            line.birth_date,
        ) {
            errors.push(RowError::new(
                line.row,
                Some(C::ChildFiscalCode),
                format!(
                    "L'alunno ha nome, cognome o data di nascita diversi dalla riga {}.",
                    first.row
                ),
            ));
        }
        if guardians.contains_key(&line.child_fiscal_code) {
            errors.push(RowError::new(
                line.row,
                Some(C::ChildFiscalCode),
                "Questo codice fiscale è anche quello di un intestatario del file.",
            ));
        }
        let card = (
            &line.child_fiscal_code,
            line.service_code.as_str(),
            line.school_year,
        );
        if let Some(first) = cards.insert(card, line.row) {
            errors.push(RowError::new(
                line.row,
                Some(C::ChildFiscalCode),
                format!(
                    "L'alunno è già iscritto a questo servizio per l'anno {} alla riga {first}.",
                    line.school_year
                ),
            ));
            cards.insert(card, first);
        }
        if line.opening_balance_cents.is_some() {
            let key = (&line.guardian_fiscal_code, line.service_code.as_str());
            if let Some(first) = balances.insert(key, line) {
                errors.push(RowError::new(
                    line.row,
                    Some(C::OpeningBalance),
                    format!(
                        "Il saldo iniziale della famiglia per questo servizio è già alla riga {}: scrivilo una volta sola.",
                        first.row
                    ),
                ));
                balances.insert(key, first);
            }
        }
    }
    errors
}

/// A family found by the search.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FamilyHit {
    /// The guardian's id: the family's.
    pub guardian_id: i64,
    pub guardian_name: String,
    pub fiscal_code: String,
    /// The children's names, by surname and name.
    pub children: Vec<String>,
}

/// A person of the family (guardian or delegate).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FamilyPerson {
    pub id: i64,
    pub name: String,
    pub first_name: String,
    pub last_name: String,
    pub fiscal_code: String,
    pub email: Option<String>,
    /// E.164 (`+393331234567`).
    pub mobile: Option<String>,
    /// Whether the person can log in.
    pub active: bool,
}

/// A delegate with the children they may act for.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FamilyDelegate {
    pub person: FamilyPerson,
    pub children: Vec<String>,
    /// The ids of those children, in the same order.
    pub child_ids: Vec<i64>,
}

/// A child of the family with the cards of every service.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FamilyChild {
    pub id: i64,
    pub name: String,
    pub first_name: String,
    pub last_name: String,
    pub fiscal_code: String,
    pub birth_date: Date,
    pub birth_place: String,
    pub sex: Sex,
    pub address: String,
    pub enrolments: Vec<Enrolment>,
}

/// The family's account of a prepaid service.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FamilyAccount {
    pub service_id: i64,
    pub service_name: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "23.40"))]
    pub balance: Decimal,
    pub movements: u64,
}

/// The family page: who they are, their children and cards, accounts, rette and letters.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FamilyDetail {
    pub guardian: FamilyPerson,
    pub delegates: Vec<FamilyDelegate>,
    pub children: Vec<FamilyChild>,
    pub accounts: Vec<FamilyAccount>,
    /// The latest rette, latest due date first.
    pub emissions: Vec<EmissionSummary>,
    /// The latest letters, newest first.
    pub letters: Vec<Letter>,
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_file_names_a_column_in_its_first_line() {
        assert!(super::names_a_column("\u{feff}cf_intestatario;nome\nX"));
        assert!(!super::names_a_column("{}"));
        assert!(!super::names_a_column(""));
    }

    use super::*;
    use time::macros::date;

    const HEADER: &str = "cf_intestatario;nome_intestatario;cognome_intestatario;email_intestatario;cf_alunno;nome_alunno;cognome_alunno;data_nascita;servizio;anno_scolastico;scuola;classe;fascia;dieta;badge;saldo_iniziale";

    fn file(rows: &[&str]) -> String {
        std::iter::once(HEADER)
            .chain(rows.iter().copied())
            .collect::<Vec<_>>()
            .join("\n")
    }

    const GOOD: &str = "LBRMRA80E12F205M;Mario;Albertini;mario@example.it;LBRGRT15C50F205H;Greta;Albertini;10/03/2015;REF;2026/2027;Scuola Pascoli;3A;Fascia A;;B-001;23,40";

    #[test]
    fn a_good_row_is_read_with_italian_formats() {
        let (lines, errors) = read_file(&file(&[GOOD]));
        assert!(errors.is_empty(), "{errors:?}");
        let line = &lines[0];
        assert_eq!(line.row, 2);
        assert_eq!(line.birth_date, date!(2015 - 03 - 10));
        assert_eq!(line.opening_balance_cents, Some(2340));
        assert_eq!(line.diet, None);
        assert_eq!(line.sex(), Sex::Female);
        assert_eq!(line.school_year, SchoolYear::starting(2026));
    }

    #[test]
    fn every_bad_cell_is_reported_by_row_and_column() {
        let bad = "LBRMRA80E12F205X;Mario;Albertini;non-mail;LBRGRT15C50F205H;;Albertini;31/02/2015;REF;2026-2027;;;Fascia A;VEGANA;;12,345";
        let (lines, errors) = read_file(&file(&[GOOD, bad]));
        assert_eq!(lines.len(), 1);
        let columns: Vec<(u64, &str)> = errors.iter().map(|e| (e.row, e.column.as_str())).collect();
        for column in [
            "cf_intestatario",
            "email_intestatario",
            "nome_alunno",
            "data_nascita",
            "anno_scolastico",
            "dieta",
            "saldo_iniziale",
        ] {
            assert!(columns.contains(&(3, column)), "{column}: {errors:?}");
        }
    }

    #[test]
    fn the_birth_date_is_the_one_the_codice_fiscale_records() {
        let (lines, errors) = read_file(&file(&[&GOOD.replace("10/03/2015", "11/03/2015")]));
        assert!(lines.is_empty());
        assert_eq!(
            (errors[0].column.as_str(), errors[0].message.as_str()),
            ("data_nascita", BIRTH_DATE_MISMATCH)
        );
    }

    #[test]
    fn rows_that_contradict_each_other_are_refused() {
        let twice = GOOD.replace(";23,40", ";");
        let other_name = GOOD
            .replace("Greta", "Gretta")
            .replace("2026/2027", "2025/2026")
            .replace(";23,40", ";");
        let (_, errors) = read_file(&file(&[GOOD, &twice, &other_name]));
        let messages: Vec<(u64, &str)> =
            errors.iter().map(|e| (e.row, e.message.as_str())).collect();
        assert!(messages.contains(&(
            3,
            "L'alunno è già iscritto a questo servizio per l'anno 2026/2027 alla riga 2."
        )));
        assert!(messages.contains(&(
            4,
            "L'alunno ha nome, cognome o data di nascita diversi dalla riga 2."
        )));
        let balance_twice = GOOD.replace("2026/2027", "2025/2026");
        let (_, errors) = read_file(&file(&[GOOD, &balance_twice]));
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].column, "saldo_iniziale");
    }

    #[test]
    fn a_missing_column_is_named_and_commas_work_too() {
        let (_, errors) = read_file("cf_intestatario;nome_intestatario\n");
        assert_eq!(errors.len(), 14);
        assert_eq!(errors[0].row, 1);
        let comma =
            file(&[]).replace(';', ",") + "\n" + &GOOD.replace(";23,40", ";").replace(';', ",");
        let (lines, errors) = read_file(&comma);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(lines.len(), 1);
    }

    #[test]
    fn italian_dates() {
        assert_eq!(parse_italian_date("1/2/2016"), Ok(date!(2016 - 02 - 01)));
        for bad in ["2016-02-01", "30/02/2016", "01/13/2016", "01/01/16", ""] {
            assert!(parse_italian_date(bad).is_err(), "{bad}");
        }
    }
}
