//! Prenotazioni: the meal calendar of each child enrolled in a prepaid service, where the
//! guardian and the delegate cancel a meal, ask for a blank meal or a personal one, day
//! by day or for several days at once, until the comune's cutoff.

mod month;
mod range;

use futures::future::try_join_all;
use leptos::prelude::*;
use sportello_model::access::Action;
use sportello_model::children::{ChildDetail, Enrolment};
use sportello_model::page::MAX_PER_PAGE;

use crate::api::{self, ApiResult};
use crate::app::{use_ente, use_page_title, Ente, RoleOnly};
use crate::components::{area_breadcrumb, remote};
use crate::pages::children::ChildCard;
use crate::session::{use_session, Session};

pub use month::MonthPage;

const NOT_ALLOWED: &str =
    "Le prenotazioni dei pasti sono gestite dai genitori: l'intestatario del conto e il delegato.";

/// Home / Area personale / Prenotazioni / …
fn breadcrumb(ente: Ente, current: Option<String>) -> impl IntoView {
    let mut steps = vec![("Prenotazioni".to_string(), Some(ente.path("prenotazioni")))];
    steps.extend(current.map(|name| (name, None)));
    area_breadcrumb(ente, steps)
}

/// Whether the enrolment has meals to book: an active service serving meals (the canteen).
fn books_meals(enrolment: &Enrolment) -> bool {
    enrolment.active && enrolment.service_kind.serves_meals()
}

/// The user's children with at least one service whose meals are booked.
async fn bookable_children(session: Session) -> ApiResult<Vec<ChildDetail>> {
    // A family's children fit in one page.
    let children = api::children(session, 1, MAX_PER_PAGE).await?;
    let details = try_join_all(
        children
            .items
            .iter()
            .map(|child| api::child(session, child.id)),
    )
    .await?;
    Ok(details
        .into_iter()
        .filter(|child| child.enrolments.iter().any(books_meals))
        .collect())
}

/// `/{slug}/prenotazioni`: choose the child.
#[component]
pub fn BookingsPage() -> impl IntoView {
    use_page_title("Prenotazioni");
    view! {
        <FamiliesOnly>
            <BookableChildren />
        </FamiliesOnly>
    }
}

/// Logged in as the guardian or a delegate, or an explanation.
#[component]
fn FamiliesOnly(children: ChildrenFn) -> impl IntoView {
    view! {
        <RoleOnly
            allowed=Action::BookMeals
            title="Prenotazioni"
            id="bookings-not-allowed"
            message=NOT_ALLOWED
            children
        />
    }
}

#[component]
fn BookableChildren() -> impl IntoView {
    let ente = use_ente();
    let session = use_session();
    let children = LocalResource::new(move || bookable_children(session));
    let render = move |children: Vec<ChildDetail>| {
        if children.is_empty() {
            return view! {
                <p id="bookings-empty">
                    "Nessuno dei tuoi figli è iscritto a un servizio mensa con prenotazione dei pasti."
                </p>
            }
            .into_any();
        }
        let cards = children
            .into_iter()
            .map(|child| {
                let services = child
                    .enrolments
                    .iter()
                    .filter(|enrolment| books_meals(enrolment))
                    .map(|enrolment| {
                        format!(
                            "{} · {}, classe {}",
                            enrolment.service_name, enrolment.school, enrolment.class_name
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("; ");
                view! {
                    <ChildCard
                        id=format!("bookings-child-{}", child.id)
                        href=ente.path(&format!("prenotazioni/{}", child.id))
                        first_name=child.first_name
                        last_name=child.last_name
                        detail=services
                    />
                }
            })
            .collect_view();
        view! { <ul id="bookings-children" class="list-unstyled row g-3 mt-1">{cards}</ul> }
            .into_any()
    };
    view! {
        {breadcrumb(ente, None)}
        <h1>"Prenotazioni"</h1>
        <p class="lead">"Seleziona l'utente per cui si desidera prenotare."</p>
        <p>
            "Di base viene segnata la presenza dell'alunno, per la quale non è necessaria una conferma: qui puoi disdire il pasto o cambiarne il tipo, entro l'orario stabilito dal Comune."
        </p>
        {remote(children, "bookings-error", "Caricamento degli utenti…", render)}
    }
}
