//! The canteen for staff: Presenze mensa (attendance on a tablet, kitchen counts) and,
//! for operators, Calendario mensa (service period, closures, meal charging).

mod attendance;
mod calendar;

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::app::{use_ente, Ente};
use crate::components::area_breadcrumb;

pub use attendance::AttendancePage;
pub use calendar::CalendarPage;

/// The comune's canteens: its services that serve meals, as (id, name).
fn canteen_services(ente: Ente) -> Vec<(i64, String)> {
    ente.with(|detail| {
        detail
            .services
            .iter()
            .filter(|service| service.kind.serves_meals())
            .map(|service| (service.id, service.name.clone()))
            .collect()
    })
    .unwrap_or_default()
}

/// A canteen page: its breadcrumb and title, then `body` with the comune's canteens, or
/// an explanation (`#{id}-no-service`) when it has none.
fn canteen_page<V: IntoView + 'static>(
    title: &'static str,
    id: &'static str,
    body: impl FnOnce(Vec<(i64, String)>) -> V,
) -> AnyView {
    let ente = use_ente();
    let services = canteen_services(ente);
    let heading = view! {
        {area_breadcrumb(ente, vec![(title.into(), None)])}
        <h1>{title}</h1>
    };
    if services.is_empty() {
        return view! {
            {heading}
            <p id=format!("{id}-no-service")>"Il Comune non ha un servizio mensa."</p>
        }
        .into_any();
    }
    view! {
        {heading}
        {body(services)}
    }
    .into_any()
}

/// The canteen chosen in the address (`?servizio=`), else the first of `services`
/// (which is not empty).
fn chosen_service(services: &[(i64, String)]) -> Memo<i64> {
    let query = use_query_map();
    let ids: Vec<i64> = services.iter().map(|(id, _)| *id).collect();
    let first = ids[0];
    Memo::new(move |_| {
        query
            .read()
            .get("servizio")
            .and_then(|id| id.parse::<i64>().ok())
            .filter(|id| ids.contains(id))
            .unwrap_or(first)
    })
}
