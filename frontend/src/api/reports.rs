//! Report: Incassi, Morosi, the meals served and the balances at a date, each as a table
//! and as CSV (operators).

use serde::de::DeserializeOwned;
use sportello_model::paths;

use super::client::{get_authed, ApiResult, Call};
use super::files::{download, Download, CSV};
use crate::session::Session;

/// Which report, with its filter as typed (`2026-11-24`, `2026-11`).
#[derive(Clone, Debug, PartialEq)]
pub enum ReportQuery {
    Receipts { from: String, to: String },
    Debtors,
    Meals { month: String },
    Balances { on: String },
}

impl ReportQuery {
    /// The JSON path, the CSV path, the query and the CSV's name if the server gives none.
    fn call(&self) -> (String, String, Vec<(&'static str, String)>, String) {
        match self {
            ReportQuery::Receipts { from, to } => (
                paths::report_receipts(),
                paths::report_receipts_csv(),
                vec![("from", from.clone()), ("to", to.clone())],
                format!("incassi-{from}-{to}.csv"),
            ),
            ReportQuery::Debtors => (
                paths::report_debtors(),
                paths::report_debtors_csv(),
                Vec::new(),
                "morosi.csv".into(),
            ),
            ReportQuery::Meals { month } => (
                paths::report_meals(),
                paths::report_meals_csv(),
                vec![("month", month.clone())],
                format!("pasti-serviti-{month}.csv"),
            ),
            ReportQuery::Balances { on } => (
                paths::report_balances(),
                paths::report_balances_csv(),
                vec![("on", on.clone())],
                format!("saldi-{on}.csv"),
            ),
        }
    }
}

/// The report of `query` (`ReceiptsReport`, `DebtorsReport`, `MealsReport`,
/// `BalancesReport`, as the query names it).
pub async fn report<T: DeserializeOwned>(session: Session, query: ReportQuery) -> ApiResult<T> {
    let (path, _, params, _) = query.call();
    get_authed(session, &path, &params).await
}

/// Scarica CSV: the report as a file.
pub async fn export_report(session: Session, query: ReportQuery) -> ApiResult<Download> {
    let (_, path, params, name) = query.call();
    let call = Call::<()> {
        accept: CSV,
        ..Call::get(&path, &params)
    };
    download(session, &call, &name, "text/csv").await
}
