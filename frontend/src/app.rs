//! The application: session, routes and the frame around every page of a comune.

use leptos::prelude::*;
use leptos_router::components::{Outlet, ParentRoute, Route, Router, Routes};
use leptos_router::hooks::{use_location, use_navigate, use_params_map};
use leptos_router::{path, NavigateOptions};
use sportello_model::access::Action;
use sportello_model::entes::EnteDetail;
use sportello_model::{spa, Problem};

use crate::api;
use crate::components::{
    area_breadcrumb, focus_element, set_title, ErrorAlert, HeaderBrand, Icon, Loading, SkipLink,
    SmallPrints,
};
use crate::forms::Form;
use crate::pages::publishing;
use crate::pages::{
    account, audit, bookings, canteen, children, contacts, content, entes, families,
    family_account, forms, home, letters, login, office_forms, outbox, password, payments,
    reconciliation, registry_import, reminders, reports, rette, setup, tax_deductions, year_end,
};
use crate::session::{use_session, Session};

#[component]
pub fn App() -> impl IntoView {
    Session::provide();
    view! {
        <Router>
            <Routes fallback=|| view! { <entes::NotFound /> }>
                <Route path=path!("/") view=entes::ChooseEnte />
                <ParentRoute path=path!("/:slug") view=EnteLayout>
                    <Route path=path!("") view=home::EnteHome />
                    <Route path=path!("notizie") view=content::NewsList />
                    <Route path=path!("notizie/:id") view=content::NewsDetail />
                    <Route path=path!("documenti") view=content::DocumentList />
                    <Route path=path!("accedi") view=login::Login />
                    <Route path=path!("password-dimenticata") view=password::ForgotPassword />
                    <Route path=path!("reimposta-password") view=password::ResetPassword />
                    <Route path=path!("area-personale") view=account::PersonalArea />
                    <Route path=path!("area-personale/contatti") view=contacts::ContactsPage />
                    <Route path=path!("utenti") view=children::ChildrenList />
                    <Route path=path!("utenti/:id") view=children::ChildPage />
                    <Route
                        path=path!("conti/:service_id/:guardian_id")
                        view=family_account::FamilyAccountPage
                    />
                    <Route path=path!("pagamenti") view=payments::PaymentsPage />
                    <Route path=path!("pagamenti/ricevute") view=payments::ReceiptsPage />
                    <Route path=path!("pagamenti/emissioni/:id") view=payments::EmissionPage />
                    <Route path=path!("pagamenti/:service_id") view=payments::ServicePage />
                    <Route path=path!("moduli") view=forms::FormsPage />
                    <Route path=path!("moduli/compila/:form_id") view=forms::draft::FillPage />
                    <Route path=path!("moduli-comune") view=office_forms::OfficeFormsPage />
                    <Route
                        path=path!("moduli-comune/:id/domande")
                        view=office_forms::SubmissionsPage
                    />
                    <Route
                        path=path!("moduli-comune/domande/:submission_id")
                        view=office_forms::SubmissionPage
                    />
                    <Route path=path!("moduli-comune/nuovo") view=office_forms::NewFormPage />
                    <Route path=path!("moduli-comune/:id/modifica") view=office_forms::EditFormPage />
                    <Route path=path!("moduli-comune/:id/graduatoria") view=office_forms::RankingPage />
                    <Route path=path!("comunicazioni") view=letters::LettersPage />
                    <Route path=path!("prenotazioni") view=bookings::BookingsPage />
                    <Route path=path!("prenotazioni/:child_id") view=bookings::MonthPage />
                    <Route path=path!("presenze-mensa") view=canteen::AttendancePage />
                    <Route path=path!("calendario-mensa") view=canteen::CalendarPage />
                    <Route path=path!("riconciliazione") view=reconciliation::ReconciliationPage />
                    <Route path=path!("detrazioni-fiscali") view=tax_deductions::TaxDeductionsPage />
                    <Route path=path!("famiglie") view=families::FamiliesPage />
                    <Route path=path!("famiglie/:id") view=families::FamilyPage />
                    <Route path=path!("importa-anagrafe") view=registry_import::RegistryImportPage />
                    <Route path=path!("invii-non-riusciti") view=outbox::OutboxPage />
                    <Route path=path!("impostazioni-comune") view=setup::settings::SettingsPage />
                    <Route path=path!("servizi-e-fasce") view=setup::services::ServicesPage />
                    <Route path=path!("servizi-e-fasce/:id") view=setup::services::ServiceSetupPage />
                    <Route path=path!("scuole-e-classi") view=setup::schools::SchoolsPage />
                    <Route path=path!("scuole-e-classi/:id") view=setup::schools::SchoolSetupPage />
                    <Route path=path!("personale") view=setup::staff::StaffPage />
                    <Route path=path!("integrazioni") view=setup::api_clients::ApiClientsPage />
                    <Route path=path!("solleciti") view=reminders::RemindersPage />
                    <Route path=path!("rette") view=rette::RettePage />
                    <Route path=path!("report") view=reports::ReportsPage />
                    <Route path=path!("report/:kind") view=reports::ReportsPage />
                    <Route path=path!("notizie-e-documenti") view=publishing::PublishingPage />
                    <Route path=path!("fine-anno") view=year_end::YearEndPage />
                    <Route path=path!("registro-attivita") view=audit::AuditPage />
                    // Last: any other address of a comune, inside its header and menu.
                    <Route path=path!("*any") view=home::PageNotFound />
                </ParentRoute>
            </Routes>
        </Router>
    }
}

/// The comune of the current address and its public description, provided to its pages.
#[derive(Clone, Copy)]
pub struct Ente {
    pub slug: Memo<String>,
    detail: Memo<Option<EnteDetail>>,
    loaded: LocalResource<api::ApiResult<EnteDetail>>,
}

impl Ente {
    /// Loads the description again: the header follows a new name or logo at once.
    pub fn reload(&self) {
        self.loaded.refetch();
    }

    /// Reads the loaded description (pages render only once it is loaded).
    pub fn with<R>(&self, f: impl FnOnce(&EnteDetail) -> R) -> Option<R> {
        self.detail.with(|detail| detail.as_ref().map(f))
    }

    pub fn name(&self) -> String {
        self.with(|detail| detail.name.clone()).unwrap_or_default()
    }

    /// Address of a page of this comune: `path("utenti")` is `/demo/utenti`.
    pub fn path(&self, page: &str) -> String {
        spa::page(&self.slug.get(), page)
    }
}

pub fn use_ente() -> Ente {
    expect_context::<Ente>()
}

/// How many of the family's letters are unread, for the menu's badge; a page that opens a
/// letter asks it again ([`UnreadBadge::refresh`]).
#[derive(Clone, Copy)]
pub struct UnreadBadge(LocalResource<Option<u64>>);

impl UnreadBadge {
    /// Counts the unread letters of a user of `ente` who reads letters.
    fn provide(ente: Ente, session: Session) {
        let count = LocalResource::new(move || {
            let reads = session
                .role_in(&ente.slug.get())
                .is_some_and(|role| role.may(Action::ReadLetters));
            async move {
                if !reads {
                    return None;
                }
                api::unread_letters(session).await.ok().map(|u| u.unread)
            }
        });
        provide_context(UnreadBadge(count));
    }

    pub fn refresh(self) {
        self.0.refetch();
    }

    fn count(self) -> Option<u64> {
        self.0.get().flatten()
    }
}

pub fn use_unread_badge() -> UnreadBadge {
    expect_context::<UnreadBadge>()
}

/// Sets the tab title of the comune's page `page`: "Ricevute – Comune di Demo – Sportello
/// scuola".
pub fn use_page_title(page: &'static str) {
    let ente = use_ente();
    Effect::new(move |_| set_title(&[page, &ente.name()]));
}

/// Header, menu and footer of a comune; its pages render once the comune is loaded.
#[component]
fn EnteLayout() -> impl IntoView {
    let params = use_params_map();
    let slug = Memo::new(move |_| params.read().get("slug").unwrap_or_default());
    let resource = LocalResource::new(move || {
        let slug = slug.get();
        async move { api::ente(&slug).await }
    });
    let detail = Memo::new(move |_| resource.get().and_then(Result::ok));
    let status: Memo<Option<Result<(), Problem>>> =
        Memo::new(move |_| resource.get().map(|result| result.map(drop)));
    let ente = Ente {
        slug,
        detail,
        loaded: resource,
    };
    provide_context(ente);
    UnreadBadge::provide(ente, use_session());

    // After a client-side navigation to another page, screen readers and keyboards start
    // from the new content, and the page is shown from its top, header included (moving
    // the focus scrolled the content up to the edge of the screen). A change of the query
    // only (another month of the calendar, a filter) keeps the user where they are.
    let location = use_location();
    Effect::new(move |previous: Option<String>| {
        let page = location.pathname.get();
        if previous.is_some_and(|previous| previous != page) {
            focus_element("main-content");
            window().scroll_to_with_x_and_y(0.0, 0.0);
        }
        page
    });

    view! {
        <SkipLink />
        <Header ente />
        <main id="main-content" class="container py-4 flex-grow-1" tabindex="-1">
            {move || match status.get() {
                None => view! { <Loading label="Caricamento del Comune…" /> }.into_any(),
                Some(Ok(())) => view! { <Outlet /> }.into_any(),
                Some(Err(problem)) if problem.status == 404 => {
                    view! {
                        <h1>"Comune non trovato"</h1>
                        <p id="ente-not-found">
                            {format!(
                                "Nel portale non c'è un Comune con l'indirizzo «{}». Controlla l'indirizzo oppure scegli il Comune dall'elenco.",
                                slug.get_untracked(),
                            )}
                        </p>
                        <a class="btn btn-primary" href="/">
                            "Scegli il tuo Comune"
                        </a>
                    }
                        .into_any()
                }
                Some(Err(problem)) => {
                    let retry = Callback::new(move |()| {
                        resource.set(None);
                        resource.refetch();
                    });
                    view! {
                        <h1>"Comune non disponibile"</h1>
                        <ErrorAlert id="ente-error" problem retry />
                        <p>
                            <a href="/">"Scegli un altro Comune"</a>
                        </p>
                    }
                        .into_any()
                }
            }}
        </main>
        <Footer ente />
    }
}

#[component]
fn Header(ente: Ente) -> impl IntoView {
    let session = use_session();
    let location = use_location();
    let navigate = use_navigate();
    let logout = Form::buttons(
        move |()| api::logout(),
        move |()| {
            session.logged_out();
            navigate(&ente.path(""), NavigateOptions::default());
        },
    );
    let logging_out = logout.pending();

    let user_zone = move || {
        let slug = ente.slug.get();
        if session.restoring() {
            return ().into_any();
        }
        match session.user_in(&slug) {
            Some(me) => view! {
                <div class="d-flex align-items-center gap-2">
                    <span id="header-user" class="header-user text-white">
                        <Icon name="user" class="icon-white icon-sm me-1" />
                        <span class="visually-hidden">"Utente collegato: "</span>
                        {format!("{} {}", me.first_name, me.last_name)}
                    </span>
                    <button
                        type="button"
                        id="logout-button"
                        class="btn btn-sm btn-outline-light"
                        on:click=move |_| logout.send(())
                        disabled=move || logging_out.get()
                    >
                        {move || if logging_out.get() { "Uscita…" } else { "Esci" }}
                    </button>
                </div>
            }
            .into_any(),
            None => view! {
                <a
                    id="header-login"
                    class="btn btn-primary btn-icon btn-full"
                    href=format!("/{slug}/accedi")
                >
                    <span class="rounded-icon" aria-hidden="true">
                        <Icon name="user" class="icon-primary" />
                    </span>
                    <span>"Accedi all'area personale"</span>
                </a>
            }
            .into_any(),
        }
    };

    let nav_link = move |id: &'static str, page: &'static str, label: &'static str| {
        let href = Memo::new(move |_| ente.path(page));
        let active = move || {
            let path = location.pathname.get();
            let href = href.get();
            path == href || path.starts_with(&format!("{href}/"))
        };
        view! {
            <li class="nav-item">
                <a
                    id=id
                    class=move || if active() { "nav-link active" } else { "nav-link" }
                    aria-current=move || active().then_some("page")
                    href=move || href.get()
                >
                    <span>{label}</span>
                </a>
            </li>
        }
    };

    let private_links = move || {
        let role = session.role_in(&ente.slug.get())?;
        Some(view! {
            {nav_link("nav-area-personale", "area-personale", "Area personale")}
            {role.may(Action::ReadChildren).then(|| nav_link("nav-utenti", "utenti", "Utenti"))}
            {role.may(Action::ReadPayments).then(|| nav_link("nav-pagamenti", "pagamenti", "Pagamenti"))}
            {role.may(Action::BookMeals).then(|| nav_link("nav-prenotazioni", "prenotazioni", "Prenotazioni"))}
            {role.may(Action::FillForms).then(|| nav_link("nav-moduli", "moduli", "Moduli online"))}
            {(role.may(Action::ReadLetters) || role.may(Action::SendCommunications))
                .then(|| view! { <LettersLink ente /> })}
            {role.may(Action::ManageForms)
                .then(|| nav_link("nav-moduli-comune", "moduli-comune", "Moduli online"))}
            {role.may(Action::TakeAttendance)
                .then(|| nav_link("nav-presenze-mensa", "presenze-mensa", "Presenze mensa"))}
            {role.may(Action::ManageCalendar)
                .then(|| nav_link("nav-calendario-mensa", "calendario-mensa", "Calendario mensa"))}
            {role.may(Action::ReadFamilies)
                .then(|| nav_link("nav-famiglie", "famiglie", "Famiglie"))}
            {role.may(Action::Reconcile)
                .then(|| nav_link("nav-riconciliazione", "riconciliazione", "Riconciliazione"))}
            {role.may(Action::CertifyTaxDeductions)
                .then(|| nav_link("nav-detrazioni-fiscali", "detrazioni-fiscali", "Detrazioni fiscali"))}
            {role.may(Action::ManageReminders)
                .then(|| nav_link("nav-solleciti", "solleciti", "Solleciti"))}
            {role.may(Action::ManageOutbox)
                .then(|| nav_link("nav-invii-non-riusciti", "invii-non-riusciti", "Invii non riusciti"))}
            {role.may(Action::ReadEnteSetup)
                .then(|| nav_link("nav-impostazioni-comune", "impostazioni-comune", "Impostazioni del comune"))}
            {role.may(Action::ReadEnteSetup)
                .then(|| nav_link("nav-servizi-e-fasce", "servizi-e-fasce", "Servizi e fasce"))}
            {role.may(Action::ReadEnteSetup)
                .then(|| nav_link("nav-scuole-e-classi", "scuole-e-classi", "Scuole e classi"))}
            {role.may(Action::ManageStaff)
                .then(|| nav_link("nav-personale", "personale", "Personale"))}
            {role.may(Action::ManageApiClients)
                .then(|| nav_link("nav-integrazioni", "integrazioni", "Integrazioni"))}
            {role.may(Action::IssueEmissions)
                .then(|| nav_link("nav-rette", "rette", "Emissione rette"))}
            {role.may(Action::ReadReports)
                .then(|| nav_link("nav-report", "report", "Report"))}
            {role.may(Action::PublishContent)
                .then(|| nav_link("nav-notizie-e-documenti", "notizie-e-documenti", "Notizie e documenti"))}
            {role.may(Action::CloseSchoolYear)
                .then(|| nav_link("nav-fine-anno", "fine-anno", "Fine anno scolastico"))}
            {role.may(Action::ReadAudit)
                .then(|| nav_link("nav-registro-attivita", "registro-attivita", "Registro attività"))}
        })
    };

    view! {
        <header class="it-header-wrapper">
            <div class="it-header-slim-wrapper">
                <div class="container">
                    <div class="it-header-slim-wrapper-content">
                        <a class="navbar-brand" href="/">
                            "Sportello scuola"
                        </a>
                        <div class="it-header-slim-right-zone">{user_zone}</div>
                    </div>
                </div>
            </div>
            <div class="it-nav-wrapper">
                <HeaderBrand
                    id="brand-home"
                    href=Signal::derive(move || ente.path(""))
                    title=Signal::derive(move || ente.name())
                    tagline="Servizi scolastici"
                    logo=Signal::derive(move || ente.with(|detail| detail.logo.clone()).flatten())
                />
                <div class="it-header-navbar-wrapper">
                    <div class="container">
                        <nav class="navbar navbar-expand main-nav" aria-label="Menu principale">
                            <ul class="navbar-nav">
                                {nav_link("nav-notizie", "notizie", "Notizie")}
                                {nav_link("nav-documenti", "documenti", "Documenti")}
                                {private_links}
                            </ul>
                        </nav>
                    </div>
                </div>
            </div>
        </header>
        <div class="container" aria-live="polite">
            {move || {
                logout.problem().map(|problem| view! { <ErrorAlert id="logout-error" problem /> })
            }}
        </div>
    }
}

/// "Comunicazioni" in the menu, with the number of unread letters when there are some.
#[component]
fn LettersLink(ente: Ente) -> impl IntoView {
    let location = use_location();
    let badge = use_unread_badge();
    let href = Memo::new(move |_| ente.path("comunicazioni"));
    let active = move || location.pathname.get() == href.get();
    view! {
        <li class="nav-item">
            <a
                id="nav-comunicazioni"
                class=move || if active() { "nav-link active" } else { "nav-link" }
                aria-current=move || active().then_some("page")
                href=move || href.get()
            >
                <span>"Comunicazioni"</span>
                {move || {
                    badge
                        .count()
                        .filter(|n| *n > 0)
                        .map(|n| {
                            view! {
                                <span id="nav-comunicazioni-unread" class="badge bg-danger ms-1">
                                    {n.to_string()}
                                    <span class="visually-hidden">
                                        " da leggere"
                                    </span>
                                </span>
                            }
                        })
                }}
            </a>
        </li>
    }
}

#[component]
fn Footer(ente: Ente) -> impl IntoView {
    view! {
        <footer class="it-footer">
            <div class="it-footer-main">
                <div class="container py-4">
                    <p class="h5 text-white mb-2">{move || ente.name()}</p>
                    <p class="mb-3">"Servizi scolastici del Comune per le famiglie."</p>
                    {move || {
                        ente.with(|detail| detail.contacts.clone())
                            .map(|contacts| {
                                let email = contacts.email.map(|email| {
                                    view! {
                                        <li>
                                            "Ufficio scuola: "
                                            <a class="text-white" id="footer-email" href=format!("mailto:{email}")>
                                                {email.clone()}
                                            </a>
                                        </li>
                                    }
                                });
                                let phone = contacts.phone.map(|phone| {
                                    view! { <li id="footer-phone">{format!("Telefono: {phone}")}</li> }
                                });
                                let address = contacts.address.map(|address| {
                                    view! { <li id="footer-address">{address}</li> }
                                });
                                view! { <ul class="list-unstyled mb-3">{email}{phone}{address}</ul> }
                            })
                    }}
                    <ul class="list-inline mb-0">
                        <li class="list-inline-item">
                            <a class="text-white" href=move || ente.path("notizie")>
                                "Notizie"
                            </a>
                        </li>
                        <li class="list-inline-item">
                            <a class="text-white" href=move || ente.path("documenti")>
                                "Documenti"
                            </a>
                        </li>
                        <li class="list-inline-item">
                            <a class="text-white" href="/api/docs" rel="external">
                                "API per gli integratori"
                            </a>
                        </li>
                    </ul>
                </div>
            </div>
            <SmallPrints />
        </footer>
    }
}

/// Renders `children` only for a user logged in to this comune; anyone else goes to the
/// login page, which brings them back here afterwards.
#[component]
pub fn RequireLogin(children: ChildrenFn) -> impl IntoView {
    let session = use_session();
    let ente = use_ente();
    let navigate = use_navigate();
    let location = use_location();
    let signed_in = Memo::new(move |_| session.user_in(&ente.slug.get()).is_some());
    let logouts_at_mount = session.logouts();
    Effect::new(move |_| {
        let left_by_logout = session.logouts() != logouts_at_mount;
        if !session.restoring() && !signed_in.get() && !left_by_logout {
            let here = format!(
                "{}{}",
                location.pathname.get_untracked(),
                location.search.get_untracked()
            );
            let target = format!("{}?ritorno={}", ente.path("accedi"), api::url_encode(&here));
            navigate(
                &target,
                NavigateOptions {
                    replace: true,
                    ..Default::default()
                },
            );
        }
    });
    view! {
        <Show
            when=move || signed_in.get()
            fallback=|| view! { <Loading label="Verifica dell'accesso…" /> }
        >
            {children()}
        </Show>
    }
}

/// Renders `children` for a user logged in (see [`RequireLogin`]) whose role may take
/// `allowed` (the permission table of `sportello_model::access`); anyone else reads
/// `message` (element `id`) under the page's `title`, instead of the API's bare refusal.
#[component]
pub fn RoleOnly(
    allowed: Action,
    title: &'static str,
    id: &'static str,
    message: &'static str,
    children: ChildrenFn,
) -> impl IntoView {
    let ente = use_ente();
    let session = use_session();
    let permitted = Memo::new(move |_| {
        session
            .role_in(&ente.slug.get())
            .is_some_and(|role| role.may(allowed))
    });
    view! {
        <RequireLogin>
            <Show
                clone:children
                when=move || permitted.get()
                fallback=move || {
                    view! {
                        {area_breadcrumb(ente, vec![(title.into(), None)])}
                        <h1>{title}</h1>
                        <p id=id>{message}</p>
                        <a class="btn btn-outline-primary" href=ente.path("area-personale")>
                            "Torna all'area personale"
                        </a>
                    }
                }
            >
                {children()}
            </Show>
        </RequireLogin>
    }
}
