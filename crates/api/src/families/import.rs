//! The import of the comune's registry from the CSV its previous system exported:
//! families (guardians), children, enrolments and opening balances.
//!
//! The file's own rules are `sportello_model::registry::read_file`; here the rows are
//! checked against the comune's records (its services and fee bands, the people it
//! already has) and, for the import, written in one transaction. Everything is matched
//! by codice fiscale: a guardian or child already in the registry is kept as it is, an
//! enrolment already there (child, service, school year) too, and an opening balance is
//! one ledger movement whose request key names the family and the service, so that the
//! same file imported again changes nothing.

use std::collections::{HashMap, HashSet};

use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    QueryFilter, QuerySelect, SqlErr, TransactionTrait,
};
use sportello_model::auth::Role;
use sportello_model::children::MealType;
use sportello_model::payments::MovementKind;
use sportello_model::registry::{
    read_file, ImportColumn, ImportLine, ImportReport, RowError, MAX_REPORTED_ERRORS,
};
use sportello_model::school_year::SchoolYear;
use sportello_model::{FieldError, FiscalCode};
use time::OffsetDateTime;

use crate::accounts::entity::user;
use crate::children::entity::{child, enrolment};
use crate::db::{refresh_statistics, upsert, EnteId, TenantScoped};
use crate::entes::entity::{fee_band, service};
use crate::error::{ApiError, ApiResult};
use crate::payments::entity::ledger_movement;
use crate::payments::ledger::{self, NewMovement, BATCH_ROWS};
use crate::schools::service::Places;

/// What the ledger's description of an opening balance says.
const OPENING_DESCRIPTION: &str = "Saldo iniziale importato dal sistema precedente";

/// The dry run (`apply` false) or the import of a registry file. An import of a file
/// with errors changes nothing and is refused with the errors, by row and column.
pub async fn run(
    db: &DatabaseConnection,
    ente_id: EnteId,
    author: i64,
    text: &str,
    apply: bool,
    now: OffsetDateTime,
) -> ApiResult<ImportReport> {
    let (lines, mut errors) = read_file(text);
    let plan = plan(db, ente_id, &lines, &mut errors).await?;
    errors.sort();
    let mut report = ImportReport {
        applied: false,
        rows: plan.rows,
        new_families: plan.new_guardians.len() as u64,
        new_children: plan.new_children.len() as u64,
        new_enrolments: plan.new_enrolments.len() as u64,
        new_balances: plan.new_balances.len() as u64,
        unchanged_rows: plan.unchanged_rows,
        error_count: errors.len() as u64,
        errors: errors.iter().take(MAX_REPORTED_ERRORS).cloned().collect(),
    };
    if !apply {
        return Ok(report);
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(
            report
                .errors
                .iter()
                .map(|e| {
                    FieldError::new(format!("riga {}: {}", e.row, e.column), e.message.clone())
                })
                .collect(),
        ));
    }
    let txn = db.begin().await?;
    match write(&txn, ente_id, author, &plan, now).await {
        Ok(()) => txn.commit().await?,
        Err(err) => {
            txn.rollback().await?;
            return Err(err);
        }
    }
    report.applied = true;
    Ok(report)
}

/// An enrolment to make, with the card's fee data from its band.
struct NewCard<'a> {
    line: &'a ImportLine,
    service_id: i64,
    meal_type: MealType,
    quota_cents: i64,
    meal_price_cents: i64,
}

/// What the import writes: only what the registry does not have yet.
struct Plan<'a> {
    rows: u64,
    unchanged_rows: u64,
    /// By codice fiscale, the first row of each.
    new_guardians: Vec<&'a ImportLine>,
    new_children: Vec<&'a ImportLine>,
    new_enrolments: Vec<NewCard<'a>>,
    /// (service id, guardian's codice fiscale, cents, request key).
    new_balances: Vec<(i64, &'a FiscalCode, i64, String)>,
}

/// The request key of a family's opening balance in a service: one per family and
/// service, ever.
fn opening_key(ente_id: EnteId, service_id: i64, guardian: &FiscalCode) -> String {
    format!("{ente_id}:opening:{service_id}:{guardian}")
}

/// The ids of the ente's users with these codici fiscali, with their role.
async fn users_by_code<C: ConnectionTrait>(
    db: &C,
    ente_id: EnteId,
    codes: &[&FiscalCode],
) -> Result<HashMap<FiscalCode, (i64, Role)>, DbErr> {
    let mut found = HashMap::new();
    for chunk in codes.chunks(BATCH_ROWS) {
        let rows: Vec<(i64, FiscalCode, Role)> = user::Entity::find_in_ente(ente_id)
            .select_only()
            .column(user::Column::Id)
            .column(user::Column::FiscalCode)
            .column(user::Column::Role)
            .filter(user::Column::FiscalCode.is_in(chunk.iter().map(|c| c.as_str())))
            .into_tuple()
            .all(db)
            .await?;
        found.extend(rows.into_iter().map(|(id, code, role)| (code, (id, role))));
    }
    Ok(found)
}

/// The ids of the ente's children with these codici fiscali, with their guardian's id.
async fn children_by_code<C: ConnectionTrait>(
    db: &C,
    ente_id: EnteId,
    codes: &[&FiscalCode],
) -> Result<HashMap<FiscalCode, (i64, i64)>, DbErr> {
    let mut found = HashMap::new();
    for chunk in codes.chunks(BATCH_ROWS) {
        let rows: Vec<(i64, FiscalCode, i64)> = child::Entity::find_in_ente(ente_id)
            .select_only()
            .column(child::Column::Id)
            .column(child::Column::FiscalCode)
            .column(child::Column::GuardianId)
            .filter(child::Column::FiscalCode.is_in(chunk.iter().map(|c| c.as_str())))
            .into_tuple()
            .all(db)
            .await?;
        found.extend(
            rows.into_iter()
                .map(|(id, code, guardian)| (code, (id, guardian))),
        );
    }
    Ok(found)
}

/// Checks the lines against the comune's records and works out what is new.
async fn plan<'a>(
    db: &DatabaseConnection,
    ente_id: EnteId,
    lines: &'a [ImportLine],
    errors: &mut Vec<RowError>,
) -> ApiResult<Plan<'a>> {
    use ImportColumn as C;
    let services: HashMap<String, service::Model> = service::Entity::find_in_ente(ente_id)
        .all(db)
        .await?
        .into_iter()
        .map(|s| (s.code.to_uppercase(), s))
        .collect();
    let bands: HashMap<(i64, String), fee_band::Model> = fee_band::Entity::find_in_ente(ente_id)
        .all(db)
        .await?
        .into_iter()
        .map(|b| ((b.service_id, b.name.to_lowercase()), b))
        .collect();
    let mut codes: Vec<&str> = services.values().map(|s| s.code.as_str()).collect();
    codes.sort();

    let mut guardian_codes: Vec<&FiscalCode> =
        lines.iter().map(|l| &l.guardian_fiscal_code).collect();
    guardian_codes.sort_by(|a, b| a.as_str().cmp(b.as_str()));
    guardian_codes.dedup();
    let mut child_codes: Vec<&FiscalCode> = lines.iter().map(|l| &l.child_fiscal_code).collect();
    child_codes.sort_by(|a, b| a.as_str().cmp(b.as_str()));
    child_codes.dedup();
    let people = users_by_code(
        db,
        ente_id,
        &[&guardian_codes[..], &child_codes[..]].concat(),
    )
    .await?;
    let children = children_by_code(
        db,
        ente_id,
        &[&guardian_codes[..], &child_codes[..]].concat(),
    )
    .await?;

    let existing_child_ids: Vec<i64> = child_codes
        .iter()
        .filter_map(|c| children.get(*c).map(|(id, _)| *id))
        .collect();
    let mut cards: HashSet<(i64, i64, SchoolYear)> = HashSet::new();
    for chunk in existing_child_ids.chunks(BATCH_ROWS) {
        let rows: Vec<(i64, i64, SchoolYear)> = enrolment::Entity::find_in_ente(ente_id)
            .select_only()
            .column(enrolment::Column::ChildId)
            .column(enrolment::Column::ServiceId)
            .column(enrolment::Column::SchoolYear)
            .filter(enrolment::Column::ChildId.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(db)
            .await?;
        cards.extend(rows);
    }

    let mut keys = Vec::new();
    for line in lines {
        if let Some(s) = services.get(&line.service_code.to_uppercase()) {
            keys.push(opening_key(ente_id, s.id, &line.guardian_fiscal_code));
        }
    }
    let mut opened: HashSet<String> = HashSet::new();
    for chunk in keys.chunks(BATCH_ROWS) {
        let rows: Vec<Option<String>> = ledger_movement::Entity::find()
            .select_only()
            .column(ledger_movement::Column::RequestKey)
            .filter(ledger_movement::Column::EnteId.eq(ente_id))
            .filter(ledger_movement::Column::RequestKey.is_in(chunk.iter().cloned()))
            .into_tuple()
            .all(db)
            .await?;
        opened.extend(rows.into_iter().flatten());
    }

    let rows: HashSet<u64> = lines
        .iter()
        .map(|l| l.row)
        .chain(errors.iter().map(|e| e.row).filter(|r| *r > 1))
        .collect();
    let mut plan = Plan {
        rows: rows.len() as u64,
        unchanged_rows: 0,
        new_guardians: Vec::new(),
        new_children: Vec::new(),
        new_enrolments: Vec::new(),
        new_balances: Vec::new(),
    };
    let mut seen_guardians: HashSet<&FiscalCode> = HashSet::new();
    let mut seen_children: HashSet<&FiscalCode> = HashSet::new();
    for line in lines {
        let mut error = |column: ImportColumn, message: String| {
            errors.push(RowError::new(line.row, Some(column), message));
        };
        let guardian = match people.get(&line.guardian_fiscal_code) {
            Some((_, role)) if *role != Role::Guardian => {
                error(
                    C::GuardianFiscalCode,
                    format!(
                        "Questo codice fiscale è già di un utente del Comune che non è un intestatario ({}).",
                        role.label()
                    ),
                );
                None
            }
            Some((id, _)) => Some(*id),
            None => {
                if children.contains_key(&line.guardian_fiscal_code) {
                    error(
                        C::GuardianFiscalCode,
                        "Questo codice fiscale è di un alunno già in anagrafe.".into(),
                    );
                }
                None
            }
        };
        let existing_child = children.get(&line.child_fiscal_code).copied();
        if let Some((_, guardian_of_child)) = existing_child {
            if Some(guardian_of_child) != guardian {
                error(
                    C::ChildFiscalCode,
                    "L'alunno è già in anagrafe con un altro intestatario.".into(),
                );
            }
        }
        if people.contains_key(&line.child_fiscal_code) {
            error(
                C::ChildFiscalCode,
                "Questo codice fiscale è di un utente del Comune, non di un alunno.".into(),
            );
        }
        let Some(service) = services.get(&line.service_code.to_uppercase()) else {
            error(
                C::Service,
                format!(
                    "Il servizio «{}» non esiste: i codici dei servizi del Comune sono {}.",
                    line.service_code,
                    codes.join(", ")
                ),
            );
            continue;
        };
        let Some(band) = bands.get(&(service.id, line.fee_band.to_lowercase())) else {
            let mut names: Vec<&str> = bands
                .iter()
                .filter(|((s, _), _)| *s == service.id)
                .map(|(_, b)| b.name.as_str())
                .collect();
            names.sort();
            error(
                C::FeeBand,
                if names.is_empty() {
                    format!(
                        "Il servizio {} non ha fasce: definiscile prima di importare.",
                        service.name
                    )
                } else {
                    format!(
                        "La fascia «{}» non esiste per il servizio {}: le fasce sono {}.",
                        line.fee_band,
                        service.name,
                        names.join(", ")
                    )
                },
            );
            continue;
        };
        if line.opening_balance_cents.is_some() && !service.kind.serves_meals() {
            error(
                C::OpeningBalance,
                format!(
                    "Il saldo iniziale vale per il conto prepagato: il servizio {} non ne ha uno.",
                    service.name
                ),
            );
        }
        let meal_type = if service.kind.serves_meals() {
            line.diet.unwrap_or(MealType::Base)
        } else {
            MealType::NoMeals
        };
        let mut changed = false;
        if guardian.is_none() && seen_guardians.insert(&line.guardian_fiscal_code) {
            plan.new_guardians.push(line);
        }
        changed |= guardian.is_none();
        if existing_child.is_none() && seen_children.insert(&line.child_fiscal_code) {
            plan.new_children.push(line);
        }
        changed |= existing_child.is_none();
        let has_card = existing_child
            .is_some_and(|(id, _)| cards.contains(&(id, service.id, line.school_year)));
        if !has_card {
            changed = true;
            plan.new_enrolments.push(NewCard {
                line,
                service_id: service.id,
                meal_type,
                quota_cents: band.quota_cents,
                meal_price_cents: if service.kind.serves_meals() {
                    band.meal_price_cents
                } else {
                    0
                },
            });
        }
        if let Some(cents) = line.opening_balance_cents.filter(|c| *c != 0) {
            let key = opening_key(ente_id, service.id, &line.guardian_fiscal_code);
            if !opened.contains(&key) && service.kind.serves_meals() {
                changed = true;
                plan.new_balances
                    .push((service.id, &line.guardian_fiscal_code, cents, key));
            }
        }
        if !changed {
            plan.unchanged_rows += 1;
        }
    }
    Ok(plan)
}

/// Writes the plan inside the caller's transaction, in batches.
async fn write<C: ConnectionTrait>(
    txn: &C,
    ente_id: EnteId,
    author: i64,
    plan: &Plan<'_>,
    now: OffsetDateTime,
) -> ApiResult<()> {
    for chunk in plan.new_guardians.chunks(BATCH_ROWS) {
        upsert(
            txn,
            chunk.iter().map(|line| user::ActiveModel {
                ente_id: Set(ente_id),
                role: Set(Role::Guardian),
                fiscal_code: Set(line.guardian_fiscal_code.clone()),
                first_name: Set(line.guardian_first_name.clone()),
                last_name: Set(line.guardian_last_name.clone()),
                email: Set(line.guardian_email.clone()),
                password_hash: Set(None),
                active: Set(true),
                created_at: Set(now),
                ..Default::default()
            }),
            [user::Column::EnteId, user::Column::FiscalCode],
            [],
        )
        .await?;
    }
    let mut guardian_codes: Vec<&FiscalCode> = plan
        .new_children
        .iter()
        .map(|l| &l.guardian_fiscal_code)
        .chain(plan.new_balances.iter().map(|(_, code, _, _)| *code))
        .collect();
    guardian_codes.sort_by(|a, b| a.as_str().cmp(b.as_str()));
    guardian_codes.dedup();
    refresh_statistics(txn, &["users"]).await?;
    let guardians = users_by_code(txn, ente_id, &guardian_codes).await?;
    let guardian_id = |code: &FiscalCode| {
        guardians
            .get(code)
            .map(|(id, _)| *id)
            .ok_or_else(|| ApiError::internal(format!("guardian of row {code}")))
    };
    for chunk in plan.new_children.chunks(BATCH_ROWS) {
        let rows = chunk
            .iter()
            .map(|line| {
                Ok(child::ActiveModel {
                    ente_id: Set(ente_id),
                    guardian_id: Set(guardian_id(&line.guardian_fiscal_code)?),
                    first_name: Set(line.child_first_name.clone()),
                    last_name: Set(line.child_last_name.clone()),
                    fiscal_code: Set(line.child_fiscal_code.clone()),
                    birth_date: Set(line.birth_date),
                    birth_place: Set(String::new()),
                    sex: Set(line.sex()),
                    address: Set(String::new()),
                    ..Default::default()
                })
            })
            .collect::<ApiResult<Vec<_>>>()?;
        upsert(
            txn,
            rows,
            [child::Column::EnteId, child::Column::FiscalCode],
            [],
        )
        .await?;
    }
    let mut child_codes: Vec<&FiscalCode> = plan
        .new_enrolments
        .iter()
        .map(|c| &c.line.child_fiscal_code)
        .collect();
    child_codes.sort_by(|a, b| a.as_str().cmp(b.as_str()));
    child_codes.dedup();
    refresh_statistics(txn, &["children"]).await?;
    let children = children_by_code(txn, ente_id, &child_codes).await?;
    let mut places = Places::of_ente(txn, ente_id).await?;
    for chunk in plan.new_enrolments.chunks(BATCH_ROWS) {
        let mut named = Vec::with_capacity(chunk.len());
        for card in chunk {
            named.push(
                places
                    .find_or_make(
                        txn,
                        card.line.school_year,
                        &card.line.school,
                        &card.line.class_name,
                    )
                    .await?,
            );
        }
        let rows = chunk
            .iter()
            .zip(named)
            .map(|(card, (school_id, class_id))| {
                let (child_id, _) = children
                    .get(&card.line.child_fiscal_code)
                    .ok_or_else(|| ApiError::internal(format!("child of row {}", card.line.row)))?;
                Ok(enrolment::ActiveModel {
                    ente_id: Set(ente_id),
                    child_id: Set(*child_id),
                    service_id: Set(card.service_id),
                    badge: Set(card.line.badge.clone()),
                    school_id: Set(school_id),
                    class_id: Set(class_id),
                    fee_band: Set(card.line.fee_band.clone()),
                    quota_cents: Set(card.quota_cents),
                    meal_price_cents: Set(card.meal_price_cents),
                    meal_type: Set(card.meal_type),
                    active: Set(true),
                    school_year: Set(card.line.school_year),
                    submission_id: Set(None),
                    ..Default::default()
                })
            })
            .collect::<ApiResult<Vec<_>>>()?;
        upsert(
            txn,
            rows,
            [
                enrolment::Column::ChildId,
                enrolment::Column::ServiceId,
                enrolment::Column::SchoolYear,
            ],
            [],
        )
        .await?;
    }
    refresh_statistics(txn, &["enrolments"]).await?;
    let mut by_service: HashMap<i64, Vec<(i64, i64, String)>> = HashMap::new();
    for (service_id, code, cents, key) in &plan.new_balances {
        by_service
            .entry(*service_id)
            .or_default()
            .push((guardian_id(code)?, *cents, key.clone()));
    }
    for (service_id, balances) in by_service {
        for chunk in balances.chunks(BATCH_ROWS) {
            let ids: Vec<i64> = chunk.iter().map(|(id, _, _)| *id).collect();
            let accounts = ledger::accounts_of(txn, ente_id, service_id, &ids, now).await?;
            let movements = chunk
                .iter()
                .map(|(guardian, cents, key)| {
                    let account = accounts.get(guardian).copied().ok_or_else(|| {
                        ApiError::internal(format!("account of guardian {guardian}"))
                    })?;
                    Ok((
                        account,
                        NewMovement {
                            request_key: Some(key.clone()),
                            created_by: Some(author),
                            ..NewMovement::new(
                                MovementKind::OpeningBalance,
                                *cents,
                                OPENING_DESCRIPTION.into(),
                            )
                        },
                    ))
                })
                .collect::<ApiResult<Vec<_>>>()?;
            ledger::append_batch(txn, ente_id, movements, now)
                .await
                .map_err(|err| {
                    // Another import of the same balances, committed meanwhile.
                    if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) {
                        ApiError::Conflict(
                            "Un'altra importazione ha appena registrato una parte di questi dati: ripeti la prova per vedere che cosa manca ancora.".into(),
                        )
                    } else {
                        err.into()
                    }
                })?;
        }
    }
    refresh_statistics(txn, &["prepaid_accounts", "ledger_movements"]).await?;
    Ok(())
}
