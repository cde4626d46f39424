//! `/{slug}/area-personale`: greeting and the menus available to the user.

use leptos::prelude::*;
use sportello_model::access::Action;
use sportello_model::auth::Role;

use crate::app::{use_ente, use_page_title, Ente, RequireLogin};
use crate::components::{Breadcrumb, Icon};
use crate::session::use_session;

#[component]
pub fn PersonalArea() -> impl IntoView {
    use_page_title("Area personale");
    view! {
        <RequireLogin>
            <PersonalAreaMenu />
        </RequireLogin>
    }
}

#[component]
fn PersonalAreaMenu() -> impl IntoView {
    let ente = use_ente();
    let session = use_session();
    let user = move || session.user_in(&ente.slug.get());

    view! {
        <Breadcrumb steps=vec![
            ("Home".into(), Some(ente.path(""))),
            ("Area personale".into(), None),
        ] />
        {move || {
            user()
                .map(|me| {
                    view! {
                        <h1 id="greeting">{format!("Ciao, {}", me.first_name)}</h1>
                        <p class="lead">
                            {format!("{} {} · {}", me.first_name, me.last_name, me.role.label())}
                        </p>
                        <h2 class="h4 mt-4">"Che cosa vuoi fare?"</h2>
                        {menu_cards(ente, me.role)}
                    }
                })
        }}
    }
}

/// An entry of the personal area's menu.
struct Entry {
    id: &'static str,
    page: &'static str,
    icon: &'static str,
    title: &'static str,
    text: &'static str,
}

/// The entries of the menu for the role, or a note when there is none.
fn menu_cards(ente: Ente, role: Role) -> AnyView {
    let entries = [
        (
            role.may(Action::ReadChildren),
            Entry {
                id: "menu-utenti",
                page: "utenti",
                icon: "user",
                title: "Utenti",
                text: children_menu_text(role),
            },
        ),
        (
            role.may(Action::ReadPayments),
            Entry {
                id: "menu-pagamenti",
                page: "pagamenti",
                icon: "card",
                title: "Pagamenti",
                text: "Stato contabile, ricariche, avvisi di pagamento, emissioni e ricevute.",
            },
        ),
        (
            role.may(Action::BookMeals),
            Entry {
                id: "menu-prenotazioni",
                page: "prenotazioni",
                icon: "calendar",
                title: "Prenotazioni",
                text: "Il calendario dei pasti di ogni figlio: disdici il pasto o cambiane il tipo, entro l'orario stabilito dal Comune.",
            },
        ),
        (
            role.may(Action::ReadLetters),
            Entry {
                id: "menu-comunicazioni",
                page: "comunicazioni",
                icon: "mail",
                title: "Comunicazioni",
                text: "Le comunicazioni del Comune: informative, solleciti, emissioni, detrazione fiscale, esiti dei moduli e avvisi, con il PDF da scaricare.",
            },
        ),
        (
            role.may(Action::ManageContacts),
            Entry {
                id: "menu-contatti",
                page: "area-personale/contatti",
                icon: "settings",
                title: "Contatti e preferenze",
                text: "Il tuo indirizzo e-mail e il tuo numero di cellulare, confermati con un codice, e dove ricevere le comunicazioni: e-mail, SMS, App IO.",
            },
        ),
        (
            role.may(Action::SendCommunications),
            Entry {
                id: "menu-comunicazioni",
                page: "comunicazioni",
                icon: "mail",
                title: "Comunicazioni",
                text: "Scrivi alle famiglie di un servizio, di una scuola o di una classe, a quelle con saldo negativo o a famiglie scelte; consulta le comunicazioni inviate e quante sono state lette.",
            },
        ),
        (
            role.may(Action::TakeAttendance),
            Entry {
                id: "menu-presenze-mensa",
                page: "presenze-mensa",
                icon: "check-circle",
                title: "Presenze mensa",
                text: "Gli alunni attesi in mensa nel giorno: segna chi è presente e chi è assente, con i pasti per la cucina.",
            },
        ),
        (
            role.may(Action::ManageCalendar),
            Entry {
                id: "menu-calendario-mensa",
                page: "calendario-mensa",
                icon: "settings",
                title: "Calendario mensa",
                text: "Periodo del servizio, giorni di apertura, chiusure e addebito dei pasti.",
            },
        ),
        (
            role.may(Action::ManageForms),
            Entry {
                id: "menu-moduli-comune",
                page: "moduli-comune",
                icon: "file",
                title: "Moduli online",
                text: "I moduli che le famiglie compilano: crea, modifica e pubblica, chiudi, nuove versioni, domande e graduatorie.",
            },
        ),
        (
            role.may(Action::ReadFamilies),
            Entry {
                id: "menu-famiglie",
                page: "famiglie",
                icon: "user",
                title: "Famiglie",
                text: "Cerca una famiglia per nome, codice fiscale o badge: intestatario, delegati, alunni e iscrizioni, saldi, rette e comunicazioni. Importa l'anagrafe dal sistema precedente.",
            },
        ),
        (
            role.may(Action::Reconcile),
            Entry {
                id: "menu-riconciliazione",
                page: "riconciliazione",
                icon: "chart-line",
                title: "Riconciliazione",
                text: "I flussi di rendicontazione dei pagamenti pagoPA confrontati con le ricevute: pagamenti non rendicontati, senza ricevuta o con importi diversi.",
            },
        ),
        (
            role.may(Action::CertifyTaxDeductions),
            Entry {
                id: "menu-detrazioni-fiscali",
                page: "detrazioni-fiscali",
                icon: "file",
                title: "Detrazioni fiscali",
                text: "Le somme pagate nell'anno per alunno, le attestazioni per le famiglie e il CSV per l'Agenzia delle Entrate.",
            },
        ),
        (
            role.may(Action::ManageReminders),
            Entry {
                id: "menu-solleciti",
                page: "solleciti",
                icon: "clock",
                title: "Solleciti",
                text: "I solleciti di pagamento alle famiglie con il conto in negativo o una retta scaduta: calendario, solleciti da inviare e inviati.",
            },
        ),
        (
            role.may(Action::ManageOutbox),
            Entry {
                id: "menu-invii-non-riusciti",
                page: "invii-non-riusciti",
                icon: "mail",
                title: "Invii non riusciti",
                text: "I messaggi alle famiglie (e-mail, SMS, App IO) non consegnati, con l'errore ricevuto: inviali di nuovo.",
            },
        ),
        (
            role.may(Action::ReadEnteSetup),
            Entry {
                id: "menu-impostazioni-comune",
                page: "impostazioni-comune",
                icon: "settings",
                title: "Impostazioni del comune",
                text: "Dati e contatti del comune, logo, accesso, prenotazioni, ricariche e configurazione pagoPA.",
            },
        ),
        (
            role.may(Action::ReadEnteSetup),
            Entry {
                id: "menu-servizi-e-fasce",
                page: "servizi-e-fasce",
                icon: "list",
                title: "Servizi e fasce",
                text: "I servizi del comune (mensa, trasporto, nido, pre e post scuola) e le loro fasce ISEE con prezzo del pasto e quota mensile.",
            },
        ),
        (
            role.may(Action::ReadEnteSetup),
            Entry {
                id: "menu-scuole-e-classi",
                page: "scuole-e-classi",
                icon: "list",
                title: "Scuole e classi",
                text: "Le scuole del comune, con grado e indirizzo, e le loro classi di ogni anno scolastico.",
            },
        ),
        (
            role.may(Action::ManageStaff),
            Entry {
                id: "menu-personale",
                page: "personale",
                icon: "user",
                title: "Personale",
                text: "Gli account di amministratori, operatori e addetti mensa: invita una persona, cambia il ruolo, disattiva un account.",
            },
        ),
        (
            role.may(Action::ManageApiClients),
            Entry {
                id: "menu-integrazioni",
                page: "integrazioni",
                icon: "plug",
                title: "Integrazioni",
                text: "I client API dei programmi dei fornitori: ambiti, segreto, ultimo accesso; nuovo segreto o revoca in un clic.",
            },
        ),
        (
            role.may(Action::IssueEmissions),
            Entry {
                id: "menu-rette",
                page: "rette",
                icon: "card",
                title: "Emissione rette",
                text: "Le rette di un mese per tutti gli iscritti a un servizio, ciascuna con il suo avviso pagoPA: anteprima con numero e totale, poi emissione.",
            },
        ),
        (
            role.may(Action::ReadReports),
            Entry {
                id: "menu-report",
                page: "report",
                icon: "chart-line",
                title: "Report",
                text: "Incassi per giorno e canale, famiglie morose con i solleciti, pasti serviti per scuola e fascia, saldi dei conti a una data: anche in CSV.",
            },
        ),
        (
            role.may(Action::PublishContent),
            Entry {
                id: "menu-notizie-e-documenti",
                page: "notizie-e-documenti",
                icon: "file",
                title: "Notizie e documenti",
                text: "Le notizie e i documenti delle pagine pubbliche del Comune: scrivi, programma, ritira e allega file.",
            },
        ),
        (
            role.may(Action::CloseSchoolYear),
            Entry {
                id: "menu-fine-anno",
                page: "fine-anno",
                icon: "calendar",
                title: "Fine anno scolastico",
                text: "Chiudi l'anno: i crediti delle famiglie senza iscrizioni l'anno dopo, le loro scelte (mantenere, trasferire, rimborso su IBAN) e i rimborsi da registrare.",
            },
        ),
        (
            role.may(Action::ReadAudit),
            Entry {
                id: "menu-registro-attivita",
                page: "registro-attivita",
                icon: "clock",
                title: "Registro attività",
                text: "Chi ha modificato che cosa e quando: le attività del personale, per persona, famiglia e periodo, com'erano prima e come sono dopo.",
            },
        ),
    ];
    let cards: Vec<AnyView> = entries
        .into_iter()
        .filter_map(|(shown, entry)| shown.then_some(entry))
        .map(
            |Entry {
                 id,
                 page,
                 icon,
                 title,
                 text,
             }| {
                view! { <MenuCard id href=ente.path(page) icon title text /> }.into_any()
            },
        )
        .collect();
    if cards.is_empty() {
        return view! {
            <p id="menu-empty">"Per il tuo profilo non ci sono ancora servizi da consultare qui."</p>
        }
        .into_any();
    }
    view! { <ul class="list-unstyled row g-3 mt-1">{cards}</ul> }.into_any()
}

/// One entry of the menu: a whole card is the link.
#[component]
fn MenuCard(
    id: &'static str,
    href: String,
    icon: &'static str,
    title: &'static str,
    text: &'static str,
) -> impl IntoView {
    view! {
        <li class="col-12 col-md-6">
            <a id=id class="card-link-block shadow-sm" href=href>
                <Icon name=icon class="icon-primary icon-lg" />
                <span>
                    <span class="d-block h5 mb-1">{title}</span>
                    <span class="d-block text-body">{text}</span>
                </span>
                <Icon name="chevron-right" class="icon-primary ms-auto" />
            </a>
        </li>
    }
}

/// What the Utenti menu holds for the role: a family's own children or the ente's pupils.
fn children_menu_text(role: Role) -> &'static str {
    if role.may(Action::ReadChildrenRegistry) {
        "Dati anagrafici degli alunni del Comune e le schede dei servizi a cui sono iscritti."
    } else {
        "Dati anagrafici dei tuoi figli e le schede dei servizi a cui sono iscritti."
    }
}
