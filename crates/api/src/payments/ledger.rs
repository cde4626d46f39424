//! The prepaid account ledger: append-only movements, the cached balance moved in the
//! same transaction (with the low-balance alert re-armed when it rises), the statement.

use sea_orm::sea_query::{CaseStatement, Expr, SimpleExpr};
use std::collections::{BTreeMap, HashMap, HashSet};

use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    DbBackend, DbErr, EntityTrait, JoinType, QueryFilter, QueryOrder, QuerySelect, Select,
};
use sportello_model::money::cents_to_decimal;
use sportello_model::page::PageRequest;
use sportello_model::payments::{Movement, MovementKind};
use sportello_model::{rome, Page};
use time::{Date, OffsetDateTime};

use super::entity::{ledger_movement, prepaid_account};
use super::low_balance;
use crate::children::entity::child;
use crate::db::{foreign_key, upsert, EnteId, TenantScoped};
use crate::entes::entity::service;
use crate::error::{ApiError, ApiResult};

/// Rows per statement in batch work: well inside the bind-parameter limits of SQLite
/// (32 766) and PostgreSQL (65 535) for a movement's dozen columns.
pub const BATCH_ROWS: usize = 1000;

/// A movement to append.
pub struct NewMovement {
    pub kind: MovementKind,
    pub amount_cents: i64,
    pub description: String,
    pub child_id: Option<i64>,
    pub service_day: Option<Date>,
    pub receipt_row_id: Option<i64>,
    pub meal_key: Option<String>,
    pub request_key: Option<String>,
    pub created_by: Option<i64>,
}

impl NewMovement {
    /// A movement of `kind` for `amount_cents` with nothing else; the caller sets what
    /// more it carries (child, day, keys, author) with struct update syntax.
    pub fn new(kind: MovementKind, amount_cents: i64, description: String) -> Self {
        Self {
            kind,
            amount_cents,
            description,
            child_id: None,
            service_day: None,
            receipt_row_id: None,
            meal_key: None,
            request_key: None,
            created_by: None,
        }
    }
}

pub async fn find_account<C: ConnectionTrait>(
    db: &C,
    ente_id: EnteId,
    guardian_id: i64,
    service_id: i64,
) -> ApiResult<Option<prepaid_account::Model>> {
    Ok(account_of(ente_id, guardian_id, service_id).one(db).await?)
}

fn account_of(
    ente_id: EnteId,
    guardian_id: i64,
    service_id: i64,
) -> Select<prepaid_account::Entity> {
    prepaid_account::Entity::find_in_ente(ente_id)
        .filter(prepaid_account::Column::GuardianId.eq(guardian_id))
        .filter(prepaid_account::Column::ServiceId.eq(service_id))
}

/// The family's account for a service with the service, in one statement, when the
/// account exists.
pub async fn find_account_with_service(
    db: &DatabaseConnection,
    ente_id: EnteId,
    guardian_id: i64,
    service_id: i64,
) -> ApiResult<Option<(prepaid_account::Model, service::Model)>> {
    let of_service = foreign_key(prepaid_account::Column::ServiceId, service::Column::Id);
    Ok(account_of(ente_id, guardian_id, service_id)
        .join(JoinType::InnerJoin, of_service)
        .select_also(service::Entity)
        .one(db)
        .await?
        .and_then(|(account, service)| Some((account, service?))))
}

/// The family's account for a prepaid service, created on first use.
pub async fn account<C: ConnectionTrait>(
    db: &C,
    ente_id: EnteId,
    guardian_id: i64,
    service_id: i64,
    now: OffsetDateTime,
) -> ApiResult<prepaid_account::Model> {
    create_missing(db, ente_id, service_id, &[guardian_id], now).await?;
    find_account(db, ente_id, guardian_id, service_id)
        .await?
        .ok_or_else(|| ApiError::internal("prepaid account vanished"))
}

/// The account for reading: found with one read when it exists (the usual case), made
/// otherwise. Write paths use [`account`], whose first statement is a write.
pub async fn account_for_reading(
    db: &DatabaseConnection,
    ente_id: EnteId,
    guardian_id: i64,
    service_id: i64,
    now: OffsetDateTime,
) -> ApiResult<prepaid_account::Model> {
    let found = find_account(db, ente_id, guardian_id, service_id).await?;
    match found {
        Some(existing) => Ok(existing),
        None => account(db, ente_id, guardian_id, service_id, now).await,
    }
}

/// Appends a movement made (for a recharge: paid) at `at`, and moves the cached
/// balance, inside the caller's transaction. The balance update comes first: it locks
/// the account row (PostgreSQL) or takes the write lock (SQLite), so concurrent
/// movements on one account are serialised.
pub async fn append<C: ConnectionTrait>(
    txn: &C,
    account: &prepaid_account::Model,
    movement: NewMovement,
    at: OffsetDateTime,
) -> Result<ledger_movement::Model, DbErr> {
    move_balance(txn, account.id, std::slice::from_ref(&movement), 1, at).await?;
    if movement.amount_cents > 0 {
        low_balance::rearm(txn, account.ente_id, &[account.id], at).await?;
    }
    let balance = prepaid_account::Entity::find_by_id(account.id)
        .one(txn)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound(format!("prepaid account {}", account.id)))?
        .balance_cents;
    movement_row(account.ente_id, account.id, balance, movement, at)
        .insert(txn)
        .await
}

fn movement_row(
    ente_id: EnteId,
    account_id: i64,
    balance_after_cents: i64,
    movement: NewMovement,
    now: OffsetDateTime,
) -> ledger_movement::ActiveModel {
    ledger_movement::ActiveModel {
        occurred_on: Set(movement.service_day.unwrap_or_else(|| rome::today(now))),
        ente_id: Set(ente_id),
        account_id: Set(account_id),
        kind: Set(movement.kind),
        amount_cents: Set(movement.amount_cents),
        balance_after_cents: Set(balance_after_cents),
        description: Set(movement.description),
        child_id: Set(movement.child_id),
        service_day: Set(movement.service_day),
        receipt_row_id: Set(movement.receipt_row_id),
        meal_key: Set(movement.meal_key),
        request_key: Set(movement.request_key),
        created_by: Set(movement.created_by),
        created_at: Set(now),
        ..Default::default()
    }
}

/// The accounts of these families for a prepaid service, created where missing:
/// guardian id → account id. For batch work (daily meal charging): the accounts are
/// read first, and only the families without one (usually none) cost a write.
pub async fn accounts_of<C: ConnectionTrait>(
    db: &C,
    ente_id: EnteId,
    service_id: i64,
    guardian_ids: &[i64],
    now: OffsetDateTime,
) -> ApiResult<HashMap<i64, i64>> {
    let mut found = HashMap::new();
    for chunk in guardian_ids.chunks(BATCH_ROWS) {
        found.extend(existing_accounts(db, ente_id, service_id, chunk).await?);
        let missing: Vec<i64> = chunk
            .iter()
            .copied()
            .filter(|guardian| !found.contains_key(guardian))
            .collect();
        if !missing.is_empty() {
            create_missing(db, ente_id, service_id, &missing, now).await?;
            found.extend(existing_accounts(db, ente_id, service_id, &missing).await?);
        }
    }
    Ok(found)
}

/// The accounts these families have for a prepaid service: guardian id → account id.
async fn existing_accounts<C: ConnectionTrait>(
    db: &C,
    ente_id: EnteId,
    service_id: i64,
    guardian_ids: &[i64],
) -> Result<Vec<(i64, i64)>, DbErr> {
    prepaid_account::Entity::find_in_ente(ente_id)
        .select_only()
        .column(prepaid_account::Column::GuardianId)
        .column(prepaid_account::Column::Id)
        .filter(prepaid_account::Column::ServiceId.eq(service_id))
        .filter(prepaid_account::Column::GuardianId.is_in(guardian_ids.iter().copied()))
        .into_tuple::<(i64, i64)>()
        .all(db)
        .await
}

/// Creates the accounts of these families (at most [`BATCH_ROWS`]) that do not exist.
async fn create_missing<C: ConnectionTrait>(
    db: &C,
    ente_id: EnteId,
    service_id: i64,
    guardian_ids: &[i64],
    now: OffsetDateTime,
) -> Result<(), DbErr> {
    upsert(
        db,
        guardian_ids
            .iter()
            .map(|&guardian_id| prepaid_account::ActiveModel {
                ente_id: Set(ente_id),
                guardian_id: Set(guardian_id),
                service_id: Set(service_id),
                balance_cents: Set(0),
                movement_count: Set(0),
                updated_at: Set(now),
                ..Default::default()
            }),
        [
            prepaid_account::Column::GuardianId,
            prepaid_account::Column::ServiceId,
        ],
        [],
    )
    .await?;
    Ok(())
}

/// Which of these meal keys are already in the ledger.
pub async fn charged_meal_keys<C: ConnectionTrait>(
    db: &C,
    meal_keys: &[String],
) -> Result<HashSet<String>, DbErr> {
    Ok(ledger_movement::Entity::find()
        .select_only()
        .column(ledger_movement::Column::MealKey)
        .filter(ledger_movement::Column::MealKey.is_in(meal_keys.iter().cloned()))
        .into_tuple::<Option<String>>()
        .all(db)
        .await?
        .into_iter()
        .flatten()
        .collect())
}

/// What [`append_batch`] appended.
pub struct BatchOutcome {
    pub appended: u64,
    pub amount_cents: i64,
}

/// Appends many movements (at most [`BATCH_ROWS`]) inside the caller's transaction, with
/// the same guarantees as [`append`]. The accounts' balances move first, with one
/// statement for the batch (see [`move_balances`]), which locks their rows (PostgreSQL,
/// in account order, so that two batches never wait on each other in a cycle; SQLite:
/// the write lock). Then, under those locks, movements whose meal key is already in the
/// ledger are dropped and their accounts set back, and the rest go in with one
/// multi-row insert.
pub async fn append_batch<C: ConnectionTrait>(
    txn: &C,
    ente_id: EnteId,
    movements: Vec<(i64, NewMovement)>,
    now: OffsetDateTime,
) -> Result<BatchOutcome, DbErr> {
    let keys: Vec<String> = movements
        .iter()
        .filter_map(|(_, m)| m.meal_key.clone())
        .collect();
    let mut per_account: BTreeMap<i64, Vec<NewMovement>> = BTreeMap::new();
    for (account_id, movement) in movements {
        per_account.entry(account_id).or_default().push(movement);
    }
    move_balances(txn, &per_account, 1, now).await?;
    let done = charged_meal_keys(txn, &keys).await?;
    if !done.is_empty() {
        let mut gone_per_account = BTreeMap::new();
        for (&account_id, movements) in per_account.iter_mut() {
            let (gone, kept): (Vec<NewMovement>, Vec<NewMovement>) = movements
                .drain(..)
                .partition(|m| m.meal_key.as_ref().is_some_and(|k| done.contains(k)));
            if !gone.is_empty() {
                gone_per_account.insert(account_id, gone);
            }
            *movements = kept;
        }
        move_balances(txn, &gone_per_account, -1, now).await?;
        per_account.retain(|_, movements| !movements.is_empty());
    }
    if per_account.is_empty() {
        return Ok(BatchOutcome {
            appended: 0,
            amount_cents: 0,
        });
    }
    let balances: HashMap<i64, i64> = prepaid_account::Entity::find()
        .select_only()
        .column(prepaid_account::Column::Id)
        .column(prepaid_account::Column::BalanceCents)
        .filter(prepaid_account::Column::Id.is_in(per_account.keys().copied()))
        .into_tuple::<(i64, i64)>()
        .all(txn)
        .await?
        .into_iter()
        .collect();
    let mut outcome = BatchOutcome {
        appended: 0,
        amount_cents: 0,
    };
    let mut rows = Vec::new();
    let mut risen = Vec::new();
    for (account_id, movements) in per_account {
        let total: i64 = movements.iter().map(|m| m.amount_cents).sum();
        if total > 0 {
            risen.push(account_id);
        }
        let balance = *balances
            .get(&account_id)
            .ok_or_else(|| DbErr::RecordNotFound(format!("prepaid account {account_id}")))?;
        let mut running = balance - total;
        outcome.amount_cents += total;
        outcome.appended += movements.len() as u64;
        for movement in movements {
            running += movement.amount_cents;
            rows.push(movement_row(ente_id, account_id, running, movement, now));
        }
    }
    ledger_movement::Entity::insert_many(rows)
        .exec_without_returning(txn)
        .await?;
    low_balance::rearm(txn, ente_id, &risen, now).await?;
    Ok(outcome)
}

/// Moves an account's balance and count by `sign` times these movements.
async fn move_balance<C: ConnectionTrait>(
    txn: &C,
    account_id: i64,
    movements: &[NewMovement],
    sign: i64,
    now: OffsetDateTime,
) -> Result<(), DbErr> {
    let total: i64 = movements.iter().map(|m| m.amount_cents).sum();
    update_balances(
        txn,
        Expr::value(sign * total),
        Expr::value(sign * movements.len() as i64),
        prepaid_account::Column::Id.eq(account_id),
        now,
    )
    .await
}

/// Moves the balance and count of each account of `per_account` by `sign` times its
/// movements, with one statement. On PostgreSQL the rows are locked first in account
/// order (a plain `UPDATE` locks them in the order it finds them); on SQLite the
/// statement takes the database's one write lock, so no order is needed.
async fn move_balances<C: ConnectionTrait>(
    txn: &C,
    per_account: &BTreeMap<i64, Vec<NewMovement>>,
    sign: i64,
    now: OffsetDateTime,
) -> Result<(), DbErr> {
    if per_account.is_empty() {
        return Ok(());
    }
    let ids = || per_account.keys().copied();
    if txn.get_database_backend() == DbBackend::Postgres {
        prepaid_account::Entity::find()
            .select_only()
            .column(prepaid_account::Column::Id)
            .filter(prepaid_account::Column::Id.is_in(ids()))
            .order_by_asc(prepaid_account::Column::Id)
            .lock_exclusive()
            .into_tuple::<i64>()
            .all(txn)
            .await?;
    }
    let per_row = |value: &dyn Fn(&[NewMovement]) -> i64| -> SimpleExpr {
        let mut case = CaseStatement::new();
        for (&account_id, movements) in per_account {
            case = case.case(
                prepaid_account::Column::Id.eq(account_id),
                sign * value(movements),
            );
        }
        case.finally(0).into()
    };
    update_balances(
        txn,
        per_row(&|movements| movements.iter().map(|m| m.amount_cents).sum()),
        per_row(&|movements| movements.len() as i64),
        prepaid_account::Column::Id.is_in(ids()),
        now,
    )
    .await
}

/// Adds `cents` to the balance and `count` to the movement count of the accounts
/// `which` selects.
async fn update_balances<C: ConnectionTrait>(
    txn: &C,
    cents: SimpleExpr,
    count: SimpleExpr,
    which: SimpleExpr,
    now: OffsetDateTime,
) -> Result<(), DbErr> {
    prepaid_account::Entity::update_many()
        .col_expr(
            prepaid_account::Column::BalanceCents,
            Expr::col(prepaid_account::Column::BalanceCents).add(cents),
        )
        .col_expr(
            prepaid_account::Column::MovementCount,
            Expr::col(prepaid_account::Column::MovementCount).add(count),
        )
        .col_expr(prepaid_account::Column::UpdatedAt, Expr::value(now))
        .filter(which)
        .exec(txn)
        .await?;
    Ok(())
}

/// Movements of an account, newest first by their date (a meal's school day, the day
/// anything else was paid or made), the later made first within a day. The total comes
/// from the account's cached count, so a page costs one indexed range read however
/// long the ledger is.
pub async fn movements(
    db: &DatabaseConnection,
    account: &prepaid_account::Model,
    paging: PageRequest,
) -> ApiResult<Page<Movement>> {
    let rows = ledger_movement::Entity::find()
        .filter(ledger_movement::Column::AccountId.eq(account.id))
        .order_by_desc(ledger_movement::Column::OccurredOn)
        .order_by_desc(ledger_movement::Column::Id)
        .limit(paging.per_page)
        .offset(crate::db::page_offset(paging)?)
        .all(db)
        .await?;
    let total = u64::try_from(account.movement_count).unwrap_or_default();
    let items = to_dtos(db, account.ente_id, rows).await?;
    Ok(Page {
        items,
        page: paging.page,
        per_page: paging.per_page,
        total,
    })
}

/// Movements as families read them, with the names of the children of meals.
pub async fn to_dtos(
    db: &DatabaseConnection,
    ente_id: EnteId,
    rows: Vec<ledger_movement::Model>,
) -> ApiResult<Vec<Movement>> {
    let child_ids: Vec<i64> = rows.iter().filter_map(|m| m.child_id).collect();
    let names: HashMap<i64, String> = if child_ids.is_empty() {
        Default::default()
    } else {
        child::Entity::find_in_ente(ente_id)
            .filter(child::Column::Id.is_in(child_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|c| (c.id, format!("{} {}", c.first_name, c.last_name)))
            .collect()
    };
    Ok(rows
        .into_iter()
        .map(|m| Movement {
            id: m.id,
            kind: m.kind,
            amount: cents_to_decimal(m.amount_cents),
            description: m.description,
            child_name: m.child_id.and_then(|id| names.get(&id).cloned()),
            day: m.service_day,
            created_at: m.created_at,
        })
        .collect())
}
