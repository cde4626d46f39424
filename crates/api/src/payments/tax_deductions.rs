//! Detrazione fiscale: a calendar year's pagoPA payments of the school services per
//! family, child and service, net of the year's refunds (how a family's recharge reaches
//! each child is `sportello_model::tax_deduction`'s rule), computed here once for the
//! operator's summary, the families' certificates and the CSV.
//!
//! The certificates are letters in the families' Comunicazioni (their PDF is the letter's
//! PDF, with an e-mail through the outbox), written in one transaction; each family's is
//! recorded in `tax_certificates`, unique per comune, year and family, so generating a
//! year again writes nothing new.

use std::collections::{BTreeMap, HashMap, HashSet};

use sea_orm::sea_query::{Alias, Expr, Func, SimpleExpr};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, TransactionTrait,
};
use sportello_model::letters::LetterKind;
use sportello_model::money::cents_to_decimal;
use sportello_model::payments::{MovementKind, NoticePurpose, ReceiptOutcome};
use sportello_model::rome;
use sportello_model::tax_deduction::{
    certificate_body, certificate_title, check_generation, check_year, payer_differs, split_cents,
    FlaggedReceipt, TaxDeductionFamily, TaxDeductionGenerated, TaxDeductionLine,
    TaxDeductionPayment, TaxDeductionReport, CSV_HEADER,
};
use time::{Date, Duration, Month, OffsetDateTime, PrimitiveDateTime, Time};

use super::entity::tax_certificate;
use super::entity::{emission, ledger_movement, payment_notice, prepaid_account, receipt};
use crate::accounts::entity::user;
use crate::auth::Principal;
use crate::children::entity::{child, enrolment};
use crate::communications::letters::{write, Outgoing, Recipient, Sender};
use crate::db::{upsert, EnteId, TenantScoped};
use crate::entes::entity::{ente, service};
use crate::error::{ApiError, ApiResult};
use crate::schools::service::Places;

/// Paid and refunded, in cents.
#[derive(Default, Clone, Copy)]
struct Amounts {
    paid: i64,
    refunded: i64,
}

impl Amounts {
    fn net(self) -> i64 {
        self.paid - self.refunded
    }
}

/// A family's year.
struct FamilyYear {
    guardian: user::Model,
    /// Per child and service.
    lines: BTreeMap<(i64, i64), Amounts>,
    /// The receipts of the year with their service.
    payments: Vec<(receipt::Model, i64)>,
}

impl FamilyYear {
    fn total(&self) -> Amounts {
        self.lines
            .values()
            .fold(Amounts::default(), |sum, a| Amounts {
                paid: sum.paid + a.paid,
                refunded: sum.refunded + a.refunded,
            })
    }

    fn children(&self) -> Vec<i64> {
        let ids: HashSet<i64> = self.lines.keys().map(|(c, _)| *c).collect();
        let mut ids: Vec<i64> = ids.into_iter().collect();
        ids.sort_unstable();
        ids
    }
}

/// The comune's year.
struct Year {
    families: Vec<FamilyYear>,
    children: HashMap<i64, child::Model>,
    services: HashMap<i64, service::Model>,
    /// The school of each child's latest enrolment in a service.
    schools: HashMap<(i64, i64), String>,
}

fn first_day(year: i32) -> ApiResult<Date> {
    Date::from_calendar_date(year, Month::January, 1).map_err(ApiError::internal)
}

/// Every amount of `year` in the comune.
async fn year_of(db: &DatabaseConnection, ente_id: EnteId, year: i32) -> ApiResult<Year> {
    let (first, next) = (first_day(year)?, first_day(year + 1)?);
    let last = next - Duration::days(1);
    // A day either side, then the exact year in Rome: however the instants are stored.
    let receipts: Vec<receipt::Model> = receipt::Entity::find()
        .filter(receipt::Column::EnteId.eq(ente_id))
        .filter(receipt::Column::Outcome.eq(ReceiptOutcome::Accepted))
        .filter(
            receipt::Column::PaidAt.gte(rome::to_utc(PrimitiveDateTime::new(
                first - Duration::days(1),
                Time::MIDNIGHT,
            ))),
        )
        .filter(
            receipt::Column::PaidAt.lt(rome::to_utc(PrimitiveDateTime::new(
                next + Duration::days(1),
                Time::MIDNIGHT,
            ))),
        )
        .order_by_asc(receipt::Column::PaidAt)
        .order_by_asc(receipt::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .filter(|r| rome::today(r.paid_at).year() == year)
        .collect();
    let notices: HashMap<i64, payment_notice::Model> =
        payment_notice::Entity::find_in_ente(ente_id)
            .filter(payment_notice::Column::Id.is_in(receipts.iter().filter_map(|r| r.notice_id)))
            .all(db)
            .await?
            .into_iter()
            .map(|n| (n.id, n))
            .collect();
    let emission_children: HashMap<i64, i64> = emission::Entity::find_in_ente(ente_id)
        .filter(
            emission::Column::NoticeId.is_in(
                notices
                    .values()
                    .filter(|n| n.purpose == NoticePurpose::Emission)
                    .map(|n| n.id),
            ),
        )
        .all(db)
        .await?
        .into_iter()
        .filter_map(|e| e.child_id.map(|c| (e.notice_id, c)))
        .collect();
    let accounts: HashMap<i64, (i64, i64)> = prepaid_account::Entity::find_in_ente(ente_id)
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.id, (a.guardian_id, a.service_id)))
        .collect();
    let in_year = |kinds: Vec<MovementKind>| {
        ledger_movement::Entity::find()
            .filter(ledger_movement::Column::EnteId.eq(ente_id))
            .filter(ledger_movement::Column::Kind.is_in(kinds))
            .filter(ledger_movement::Column::OccurredOn.gte(first))
            .filter(ledger_movement::Column::OccurredOn.lte(last))
    };
    let refunds: Vec<(i64, i64)> = in_year(vec![MovementKind::Refund])
        .select_only()
        .column(ledger_movement::Column::AccountId)
        .column(ledger_movement::Column::AmountCents)
        .into_tuple()
        .all(db)
        .await?;
    // What the meals of the year cost each child, per account (reversals deducted).
    let meals: HashMap<(i64, i64), i64> =
        in_year(vec![MovementKind::Meal, MovementKind::MealReversal])
            .filter(ledger_movement::Column::ChildId.is_not_null())
            .select_only()
            .column(ledger_movement::Column::AccountId)
            .column(ledger_movement::Column::ChildId)
            .column_as(
                SimpleExpr::from(Func::cast_as(
                    Func::sum(Expr::col(ledger_movement::Column::AmountCents)),
                    Alias::new("BIGINT"),
                )),
                "cost",
            )
            .group_by(ledger_movement::Column::AccountId)
            .group_by(ledger_movement::Column::ChildId)
            .into_tuple::<(i64, i64, i64)>()
            .all(db)
            .await?
            .into_iter()
            .map(|(account, child, cost)| ((account, child), -cost))
            .collect();

    // The family's own amounts: per child (a retta for a child) or per service (to split).
    let mut direct: BTreeMap<i64, BTreeMap<(i64, i64), i64>> = BTreeMap::new();
    let mut pooled: BTreeMap<i64, BTreeMap<i64, Amounts>> = BTreeMap::new();
    let mut payments: BTreeMap<i64, Vec<(receipt::Model, i64)>> = BTreeMap::new();
    for r in receipts {
        let Some(notice) = r.notice_id.and_then(|id| notices.get(&id)) else {
            continue;
        };
        match emission_children.get(&notice.id) {
            Some(child_id) => {
                *direct
                    .entry(notice.guardian_id)
                    .or_default()
                    .entry((*child_id, notice.service_id))
                    .or_default() += r.amount_cents;
            }
            None => {
                pooled
                    .entry(notice.guardian_id)
                    .or_default()
                    .entry(notice.service_id)
                    .or_default()
                    .paid += r.amount_cents;
            }
        }
        payments
            .entry(notice.guardian_id)
            .or_default()
            .push((r, notice.service_id));
    }
    for (account_id, cents) in refunds {
        if let Some((guardian_id, service_id)) = accounts.get(&account_id) {
            pooled
                .entry(*guardian_id)
                .or_default()
                .entry(*service_id)
                .or_default()
                .refunded -= cents;
        }
    }
    let guardian_ids: HashSet<i64> = direct.keys().chain(pooled.keys()).copied().collect();
    let guardians: Vec<user::Model> = user::Entity::find_in_ente(ente_id)
        .filter(user::Column::Id.is_in(guardian_ids.iter().copied()))
        .order_by_asc(user::Column::LastName)
        .order_by_asc(user::Column::FirstName)
        .order_by_asc(user::Column::Id)
        .all(db)
        .await?;
    let children: Vec<child::Model> = child::Entity::find_in_ente(ente_id)
        .filter(child::Column::GuardianId.is_in(guardian_ids.iter().copied()))
        .order_by_asc(child::Column::BirthDate)
        .order_by_asc(child::Column::Id)
        .all(db)
        .await?;
    let mut enrolments: Vec<enrolment::Model> = enrolment::Entity::find_in_ente(ente_id)
        .filter(enrolment::Column::ChildId.is_in(children.iter().map(|c| c.id)))
        .all(db)
        .await?;
    enrolments.sort_by_key(|e| (e.school_year, e.active, e.id));
    let places = Places::of_ente(db, ente_id).await?;
    let schools: HashMap<(i64, i64), String> = enrolments
        .into_iter()
        .map(|e| ((e.child_id, e.service_id), places.school(e.school_id)))
        .collect();
    let services: HashMap<i64, service::Model> = service::Entity::find_in_ente(ente_id)
        .all(db)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    let account_of: HashMap<(i64, i64), i64> =
        accounts.iter().map(|(id, key)| (*key, *id)).collect();

    let mut families = Vec::new();
    for guardian in guardians {
        let own: Vec<i64> = children
            .iter()
            .filter(|c| c.guardian_id == guardian.id)
            .map(|c| c.id)
            .collect();
        let mut lines: BTreeMap<(i64, i64), Amounts> = BTreeMap::new();
        for (key, cents) in direct.remove(&guardian.id).unwrap_or_default() {
            lines.entry(key).or_default().paid += cents;
        }
        for (service_id, amounts) in pooled.remove(&guardian.id).unwrap_or_default() {
            let account = account_of.get(&(guardian.id, service_id));
            let weights: Vec<i64> = own
                .iter()
                .map(|c| {
                    account
                        .and_then(|a| meals.get(&(*a, *c)))
                        .copied()
                        .unwrap_or(0)
                })
                .collect();
            let enrolled: Vec<i64> = own
                .iter()
                .copied()
                .filter(|c| schools.contains_key(&(*c, service_id)))
                .collect();
            let (shares, weights) = if weights.iter().any(|w| *w > 0) {
                (own.clone(), weights)
            } else if !enrolled.is_empty() {
                let n = enrolled.len();
                (enrolled, vec![0; n])
            } else {
                (own.clone(), vec![0; own.len()])
            };
            let paid = split_cents(amounts.paid, &weights);
            let refunded = split_cents(amounts.refunded, &weights);
            for ((child_id, paid), refunded) in shares.iter().zip(paid).zip(refunded) {
                let line = lines.entry((*child_id, service_id)).or_default();
                line.paid += paid;
                line.refunded += refunded;
            }
        }
        lines.retain(|_, a| a.paid != 0 || a.refunded != 0);
        if lines.is_empty() {
            continue;
        }
        families.push(FamilyYear {
            payments: payments.remove(&guardian.id).unwrap_or_default(),
            guardian,
            lines,
        });
    }
    Ok(Year {
        families,
        children: children.into_iter().map(|c| (c.id, c)).collect(),
        services,
        schools,
    })
}

fn full_name(first: &str, last: &str) -> String {
    format!("{first} {last}")
}

impl Year {
    fn service_name(&self, id: i64) -> String {
        self.services
            .get(&id)
            .map(|s| s.name.clone())
            .unwrap_or_default()
    }

    /// The family's lines: (child, line), in the children's order.
    fn lines<'a>(
        &'a self,
        family: &'a FamilyYear,
    ) -> impl Iterator<Item = (&'a child::Model, TaxDeductionLine)> + 'a {
        family
            .lines
            .iter()
            .filter_map(move |((child_id, service_id), a)| {
                let c = self.children.get(child_id)?;
                Some((
                    c,
                    TaxDeductionLine {
                        child_fiscal_code: c.fiscal_code.as_str().to_owned(),
                        child_name: full_name(&c.first_name, &c.last_name),
                        service_name: self.service_name(*service_id),
                        school: self
                            .schools
                            .get(&(*child_id, *service_id))
                            .cloned()
                            .unwrap_or_default(),
                        paid: cents_to_decimal(a.paid),
                        refunded: cents_to_decimal(a.refunded),
                        net: cents_to_decimal(a.net()),
                    },
                ))
            })
    }

    fn family(&self, family: &FamilyYear) -> TaxDeductionFamily {
        let mut lines: Vec<(&child::Model, TaxDeductionLine)> = self.lines(family).collect();
        lines.sort_by(|(a, la), (b, lb)| {
            (a.birth_date, a.id, &la.service_name).cmp(&(b.birth_date, b.id, &lb.service_name))
        });
        let total = family.total();
        TaxDeductionFamily {
            guardian_name: full_name(&family.guardian.first_name, &family.guardian.last_name),
            guardian_fiscal_code: family.guardian.fiscal_code.as_str().to_owned(),
            lines: lines.into_iter().map(|(_, l)| l).collect(),
            payments: family
                .payments
                .iter()
                .map(|(r, service_id)| TaxDeductionPayment {
                    receipt_id: r.receipt_id.clone(),
                    paid_on: rome::today(r.paid_at),
                    service_name: self.service_name(*service_id),
                    amount: cents_to_decimal(r.amount_cents),
                    payer_fiscal_code: r.payer_fiscal_code.clone(),
                })
                .collect(),
            paid: cents_to_decimal(total.paid),
            refunded: cents_to_decimal(total.refunded),
            net: cents_to_decimal(total.net()),
        }
    }
}

fn readable(year: i32, now: OffsetDateTime) -> ApiResult<()> {
    check_year(year, rome::today(now)).map_err(ApiError::BadRequest)
}

/// The operator's summary of `year`: families, children, totals, certificates written,
/// and the receipts whose payer is not the account holder.
pub async fn report(
    db: &DatabaseConnection,
    ente_id: EnteId,
    year: i32,
    now: OffsetDateTime,
) -> ApiResult<TaxDeductionReport> {
    readable(year, now)?;
    let y = year_of(db, ente_id, year).await?;
    let total = y.families.iter().fold(Amounts::default(), |sum, f| {
        let t = f.total();
        Amounts {
            paid: sum.paid + t.paid,
            refunded: sum.refunded + t.refunded,
        }
    });
    let flagged = y
        .families
        .iter()
        .flat_map(|f| {
            f.payments
                .iter()
                .filter(|(r, _)| {
                    payer_differs(
                        f.guardian.fiscal_code.as_str(),
                        r.payer_fiscal_code.as_deref(),
                    )
                })
                .map(|(r, service_id)| FlaggedReceipt {
                    receipt_id: r.receipt_id.clone(),
                    paid_on: rome::today(r.paid_at),
                    guardian_name: full_name(&f.guardian.first_name, &f.guardian.last_name),
                    guardian_fiscal_code: f.guardian.fiscal_code.as_str().to_owned(),
                    payer_fiscal_code: r.payer_fiscal_code.clone(),
                    service_name: y.service_name(*service_id),
                    amount: cents_to_decimal(r.amount_cents),
                })
        })
        .collect();
    Ok(TaxDeductionReport {
        year,
        families: y.families.len() as u64,
        children: y.families.iter().map(|f| f.children().len() as u64).sum(),
        paid: cents_to_decimal(total.paid),
        refunded: cents_to_decimal(total.refunded),
        net: cents_to_decimal(total.net()),
        certificates: tax_certificate::Entity::find_in_ente(ente_id)
            .filter(tax_certificate::Column::Year.eq(year))
            .count(db)
            .await?,
        flagged,
    })
}

/// «Genera attestazioni»: one certificate per family of the closed `year`, each a letter
/// (with its e-mail) in the family's Comunicazioni, all in one transaction. A family
/// whose certificate of the year exists gets nothing new.
pub async fn generate(
    db: &DatabaseConnection,
    principal: &Principal,
    comune: &ente::Model,
    sender: &Sender,
    year: i32,
    now: OffsetDateTime,
) -> ApiResult<TaxDeductionGenerated> {
    readable(year, now)?;
    check_generation(year, rome::today(now)).map_err(ApiError::Conflict)?;
    let y = year_of(db, principal.ente_id, year).await?;
    if y.families.is_empty() {
        return Err(ApiError::Conflict(format!(
            "Nel {year} non risultano pagamenti pagoPA dei servizi scolastici: nessuna attestazione da generare."
        )));
    }
    let title = certificate_title(year);
    let txn = db.begin().await?;
    let (mut written, mut already) = (0, 0);
    for family in &y.families {
        let total = family.total();
        let inserted = upsert(
            &txn,
            [tax_certificate::ActiveModel {
                ente_id: Set(principal.ente_id),
                year: Set(year),
                guardian_id: Set(family.guardian.id),
                paid_cents: Set(total.paid),
                refunded_cents: Set(total.refunded),
                net_cents: Set(total.net()),
                author_id: Set(principal.user_id),
                created_at: Set(now),
                ..Default::default()
            }],
            [
                tax_certificate::Column::EnteId,
                tax_certificate::Column::Year,
                tax_certificate::Column::GuardianId,
            ],
            [],
        )
        .await?;
        if inserted == 0 {
            already += 1;
            continue;
        }
        let body = certificate_body(
            &comune.name,
            comune.fiscal_code.as_str(),
            year,
            &y.family(family),
        );
        write(
            &txn,
            &Outgoing {
                ente_id: principal.ente_id,
                sender,
                communication_id: None,
                kind: LetterKind::TaxDeduction,
                title: &title,
                body: &body,
                attachment_id: None,
                urgent: false,
                payment_data: None,
            },
            &[Recipient {
                guardian_id: family.guardian.id,
                children: family.children(),
            }],
            now,
        )
        .await?;
        written += 1;
    }
    txn.commit().await?;
    Ok(TaxDeductionGenerated {
        year,
        written,
        already,
    })
}

/// The year per child as CSV (`;`, UTF-8 with BOM, amounts `1234.50`): the columns of
/// [`CSV_HEADER`], the payer being the account holder.
pub async fn export_csv(
    db: &DatabaseConnection,
    ente_id: EnteId,
    year: i32,
    now: OffsetDateTime,
) -> ApiResult<(String, Vec<u8>)> {
    readable(year, now)?;
    let y = year_of(db, ente_id, year).await?;
    let mut body = "\u{feff}".as_bytes().to_vec();
    {
        let mut writer = csv::WriterBuilder::new()
            .delimiter(b';')
            .from_writer(&mut body);
        writer
            .write_record(CSV_HEADER)
            .map_err(ApiError::internal)?;
        for family in &y.families {
            for line in y.family(family).lines {
                writer
                    .write_record([
                        year.to_string(),
                        line.child_fiscal_code,
                        line.child_name,
                        family.guardian.fiscal_code.as_str().to_owned(),
                        line.service_name,
                        line.paid.to_string(),
                        line.refunded.to_string(),
                        line.net.to_string(),
                    ])
                    .map_err(ApiError::internal)?;
            }
        }
        writer.flush().map_err(ApiError::internal)?;
    }
    Ok((format!("detrazioni-{year}.csv"), body))
}
