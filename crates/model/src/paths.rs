//! The API's addresses, written once: the SPA, the end-to-end tests and the benchmarks
//! build every path with these functions instead of writing it by hand. Each returns the
//! path relative to [`BASE`]; arguments go into the path as given (encode a free-text
//! segment such as a slug before passing it). `sportello-api`'s tests check that the
//! functions give exactly the paths of the OpenAPI document.

use std::fmt::Display;

/// Where the API is served; every path below is relative to it.
pub const BASE: &str = "/api/v1";

/// `path` as the server serves it: with [`BASE`] in front, as in the links the API
/// sends (`/api/v1/payments/notices/7/pdf`).
pub fn absolute(path: &str) -> String {
    format!("{BASE}{path}")
}

// System.

pub fn health() -> String {
    "/health".into()
}

/// The state of the service as AgID's interoperability guidelines (ModI) ask.
pub fn status() -> String {
    "/status".into()
}

pub fn health_live() -> String {
    "/health/live".into()
}

pub fn health_ready() -> String {
    "/health/ready".into()
}

// Comuni and what each publishes.

pub fn entes() -> String {
    "/entes".into()
}

pub fn ente(slug: impl Display) -> String {
    format!("/entes/{slug}")
}

pub fn news(slug: impl Display) -> String {
    format!("/entes/{slug}/news")
}

pub fn news_item(slug: impl Display, id: impl Display) -> String {
    format!("/entes/{slug}/news/{id}")
}

pub fn documents(slug: impl Display) -> String {
    format!("/entes/{slug}/documents")
}

/// The comune's logo; `version` (the upload's time) makes a new logo a new address.
pub fn ente_logo(slug: impl Display, version: impl Display) -> String {
    format!("/entes/{slug}/logo?v={version}")
}

pub fn document_file(slug: impl Display, id: impl Display) -> String {
    format!("/entes/{slug}/documents/{id}/file")
}

// Access.

pub fn login(slug: impl Display) -> String {
    format!("/entes/{slug}/auth/login")
}

pub fn oidc_start(slug: impl Display, provider: impl Display) -> String {
    format!("/entes/{slug}/auth/oidc/{provider}/start")
}

pub fn oidc_callback() -> String {
    "/auth/oidc/callback".into()
}

// The SPID/CIE federation: the installation (aggregator) and each comune (relying party).

/// The installation's entity id, below [`BASE`].
pub fn federation() -> String {
    "/federation".into()
}

pub fn federation_configuration() -> String {
    "/federation/.well-known/openid-federation".into()
}

pub fn federation_fetch() -> String {
    "/federation/fetch".into()
}

pub fn federation_list() -> String {
    "/federation/list".into()
}

pub fn federation_resolve() -> String {
    "/federation/resolve".into()
}

/// A comune's entity id as relying party, below [`BASE`].
pub fn comune_federation(slug: impl Display) -> String {
    format!("/entes/{slug}/federation")
}

pub fn comune_federation_configuration(slug: impl Display) -> String {
    format!("/entes/{slug}/federation/.well-known/openid-federation")
}

pub fn password_reset(slug: impl Display) -> String {
    format!("/entes/{slug}/auth/password-reset")
}

pub fn password_reset_confirm() -> String {
    "/auth/password-reset/confirm".into()
}

pub fn refresh() -> String {
    "/auth/refresh".into()
}

pub fn logout() -> String {
    "/auth/logout".into()
}

pub fn me() -> String {
    "/me".into()
}

// Children.

pub fn children() -> String {
    "/children".into()
}

pub fn child(id: impl Display) -> String {
    format!("/children/{id}")
}

/// The office adds a card (enrolment) to the child (POST).
pub fn child_enrolments(child: impl Display) -> String {
    format!("/children/{child}/enrolments")
}

/// The office changes a card of the child (PUT).
pub fn child_enrolment(child: impl Display, enrolment: impl Display) -> String {
    format!("/children/{child}/enrolments/{enrolment}")
}

/// The office ends a card of the child (POST).
pub fn child_enrolment_end(child: impl Display, enrolment: impl Display) -> String {
    format!("/children/{child}/enrolments/{enrolment}/end")
}

// The families' registry (the office).

/// Families found by name, codice fiscale or badge (`q`), page by page.
pub fn families() -> String {
    "/families".into()
}

pub fn family(guardian: impl Display) -> String {
    format!("/families/{guardian}")
}

/// A family's children: `POST` adds one.
pub fn family_children(guardian: impl Display) -> String {
    format!("/families/{guardian}/children")
}

pub fn family_child(guardian: impl Display, child: impl Display) -> String {
    format!("/families/{guardian}/children/{child}")
}

/// A family's delegates: `POST` adds one (or links the comune's delegate with the same
/// codice fiscale).
pub fn family_delegates(guardian: impl Display) -> String {
    format!("/families/{guardian}/delegates")
}

/// A delegate of the family: `PUT` the children they act for, `DELETE` from all of them.
pub fn family_delegate(guardian: impl Display, delegate: impl Display) -> String {
    format!("/families/{guardian}/delegates/{delegate}")
}

/// The dry run of a registry import: the report, nothing changed.
pub fn registry_import_check() -> String {
    "/families/import/check".into()
}

pub fn registry_import() -> String {
    "/families/import".into()
}

// Payments.

pub fn payment_services() -> String {
    "/payments/services".into()
}

pub fn statement(service: impl Display) -> String {
    format!("/payments/services/{service}/statement")
}

pub fn family_statement(service: impl Display, guardian: impl Display) -> String {
    format!("/payments/services/{service}/families/{guardian}/statement")
}

pub fn family_movements(service: impl Display, guardian: impl Display) -> String {
    format!("/payments/services/{service}/families/{guardian}/movements")
}

pub fn low_balance_alert(service: impl Display) -> String {
    format!("/payments/services/{service}/low-balance-alert")
}

pub fn recharges(service: impl Display) -> String {
    format!("/payments/services/{service}/recharges")
}

pub fn service_notices(service: impl Display) -> String {
    format!("/payments/services/{service}/notices")
}

pub fn notice(id: impl Display) -> String {
    format!("/payments/notices/{id}")
}

pub fn notice_pdf(id: impl Display) -> String {
    format!("/payments/notices/{id}/pdf")
}

pub fn notice_checkout(id: impl Display) -> String {
    format!("/payments/notices/{id}/checkout")
}

pub fn notice_cancel(id: impl Display) -> String {
    format!("/payments/notices/{id}/cancel")
}

/// Pay several notices in one pagoPA Checkout cart.
pub fn carts() -> String {
    "/payments/carts".into()
}

pub fn cart(id: impl Display) -> String {
    format!("/payments/carts/{id}")
}

/// On return from the checkout: the notice as it is once pagoPA has been asked for its
/// receipt.
pub fn notice_verify(id: impl Display) -> String {
    format!("/payments/notices/{id}/verify")
}

pub fn receipts() -> String {
    "/payments/receipts".into()
}

pub fn receipt_pdf(id: impl Display) -> String {
    format!("/payments/receipts/{id}/pdf")
}

/// The comune's pagoPA station: where pagoPA's node delivers receipts (SOAP
/// `paSendRT`, `paSendRTV2`).
pub fn pagopa_station() -> String {
    "/pagopa/station".into()
}

// Reconciliation with the treasury (flussi di rendicontazione).

pub fn reconciliation_flows() -> String {
    "/reconciliation/flows".into()
}

/// The report of differences; its query parameter `kind` is the text of a
/// [`crate::reconciliation::DiscrepancyKind`].
pub fn reconciliation_discrepancies() -> String {
    "/reconciliation/discrepancies".into()
}

// Detrazione fiscale.

/// A year's amounts, families and flagged receipts.
pub fn tax_deductions(year: impl Display) -> String {
    format!("/tax-deductions/{year}")
}

/// «Genera attestazioni»: the families' certificates of the year.
pub fn tax_deduction_certificates(year: impl Display) -> String {
    format!("/tax-deductions/{year}/certificates")
}

/// The year's amounts per child as CSV.
pub fn tax_deductions_csv(year: impl Display) -> String {
    format!("/tax-deductions/{year}/csv")
}

// Fine anno scolastico (the path's year is the school year's first calendar year).

/// A school year's end: terms, dates, credits by status.
pub fn year_end(year: impl Display) -> String {
    format!("/year-end/{year}")
}

/// The credits left at the end of the year (`?status=`).
pub fn year_end_credits(year: impl Display) -> String {
    format!("/year-end/{year}/credits")
}

/// «Chiedi in anticipo»: the families of the children leaving, in May.
pub fn year_end_ask_ahead(year: impl Display) -> String {
    format!("/year-end/{year}/ask-ahead")
}

/// «Chiudi l'anno».
pub fn year_end_close(year: impl Display) -> String {
    format!("/year-end/{year}/close")
}

/// «Registra rimborso» of a credit.
pub fn year_end_refund(credit: impl Display) -> String {
    format!("/year-end/credits/{credit}/refund")
}

/// The family's credits left at the end of a year.
pub fn family_year_end_credits() -> String {
    "/year-end-credits".into()
}

/// The family's choice for one credit.
pub fn family_year_end_credit(credit: impl Display) -> String {
    format!("/year-end-credits/{credit}")
}

// Emissions (rette).

pub fn emit() -> String {
    "/emissions".into()
}

pub fn emissions() -> String {
    "/payments/emissions".into()
}

pub fn emission(id: impl Display) -> String {
    format!("/payments/emissions/{id}")
}

// Bookings.

/// `month` as `YYYY-MM`.
pub fn month(child: impl Display, service: impl Display, month: impl Display) -> String {
    format!("/bookings/children/{child}/services/{service}/months/{month}")
}

/// `day` as `YYYY-MM-DD`.
pub fn booking_day(child: impl Display, day: impl Display) -> String {
    format!("/bookings/children/{child}/days/{day}")
}

pub fn booking_range(child: impl Display) -> String {
    format!("/bookings/children/{child}/range")
}

// The canteen's calendar.

pub fn calendar(service: impl Display) -> String {
    format!("/services/{service}/calendar")
}

pub fn closures(service: impl Display) -> String {
    format!("/services/{service}/closures")
}

pub fn closure(service: impl Display, closure: impl Display) -> String {
    format!("/services/{service}/closures/{closure}")
}

// Canteen staff.

pub fn roster() -> String {
    "/canteen/roster".into()
}

pub fn attendance(child: impl Display) -> String {
    format!("/canteen/attendance/{child}")
}

pub fn kitchen_counts() -> String {
    "/canteen/kitchen-counts".into()
}

pub fn charges() -> String {
    "/canteen/charges".into()
}

// Moduli online: operators.

pub fn forms() -> String {
    "/forms".into()
}

pub fn form(id: impl Display) -> String {
    format!("/forms/{id}")
}

pub fn form_publish(id: impl Display) -> String {
    format!("/forms/{id}/publish")
}

pub fn form_close(id: impl Display) -> String {
    format!("/forms/{id}/close")
}

pub fn form_new_version(id: impl Display) -> String {
    format!("/forms/{id}/versions")
}

pub fn form_ranking(id: impl Display) -> String {
    format!("/forms/{id}/ranking")
}

pub fn form_ranking_publish(id: impl Display) -> String {
    format!("/forms/{id}/ranking/publish")
}

pub fn form_submissions(id: impl Display) -> String {
    format!("/forms/{id}/submissions")
}

pub fn form_export(id: impl Display) -> String {
    format!("/forms/{id}/export")
}

pub fn form_submission_counts(id: impl Display) -> String {
    format!("/forms/{id}/submissions/counts")
}

pub fn form_bulk_accept(id: impl Display) -> String {
    format!("/forms/{id}/submissions/accept")
}

pub fn review(id: impl Display) -> String {
    format!("/form-submissions/{id}")
}

pub fn review_upload(id: impl Display, upload: impl Display) -> String {
    format!("/form-submissions/{id}/uploads/{upload}")
}

pub fn review_terms(id: impl Display) -> String {
    format!("/form-submissions/{id}/enrolment-terms")
}

pub fn review_accept(id: impl Display) -> String {
    format!("/form-submissions/{id}/accept")
}

pub fn review_refuse(id: impl Display) -> String {
    format!("/form-submissions/{id}/refuse")
}

pub fn review_block(id: impl Display) -> String {
    format!("/form-submissions/{id}/block")
}

pub fn review_to_validate(id: impl Display) -> String {
    format!("/form-submissions/{id}/to-validate")
}

// Moduli online: families.

pub fn open_forms() -> String {
    "/my/forms".into()
}

pub fn open_form(id: impl Display) -> String {
    format!("/my/forms/{id}")
}

pub fn start_submission(form: impl Display) -> String {
    format!("/my/forms/{form}/submissions")
}

pub fn my_submissions() -> String {
    "/my/submissions".into()
}

pub fn my_submission(id: impl Display) -> String {
    format!("/my/submissions/{id}")
}

pub fn my_submission_send(id: impl Display) -> String {
    format!("/my/submissions/{id}/send")
}

/// «Paga e invia»: sends a submission the enrolment gate refuses, with a pagoPA notice
/// of the amount due.
pub fn my_submission_pay_and_send(id: impl Display) -> String {
    format!("/my/submissions/{id}/pay-and-send")
}

pub fn my_submission_cancel(id: impl Display) -> String {
    format!("/my/submissions/{id}/cancel")
}

pub fn my_submission_pdf(id: impl Display) -> String {
    format!("/my/submissions/{id}/pdf")
}

pub fn my_submission_uploads(id: impl Display) -> String {
    format!("/my/submissions/{id}/uploads")
}

pub fn my_submission_upload(id: impl Display, upload: impl Display) -> String {
    format!("/my/submissions/{id}/uploads/{upload}")
}

// Contatti e preferenze: the user's e-mail, mobile number and channels.

pub fn my_contacts() -> String {
    "/my/contacts".into()
}

/// The channels letters come by.
pub fn my_channels() -> String {
    "/my/contacts/channels".into()
}

/// A new e-mail or mobile number: a code is sent to it.
pub fn my_contact_changes() -> String {
    "/my/contacts/changes".into()
}

/// The code that confirms a new e-mail or mobile number.
pub fn my_contact_confirmation() -> String {
    "/my/contacts/changes/confirm".into()
}

// Comunicazioni: the family's letters.

pub fn my_letters() -> String {
    "/my/letters".into()
}

/// How many of the family's letters are unread (the menu's badge).
pub fn my_letters_unread() -> String {
    "/my/letters/unread".into()
}

/// A letter; reading it marks it read.
pub fn my_letter(id: impl Display) -> String {
    format!("/my/letters/{id}")
}

pub fn my_letter_pdf(id: impl Display) -> String {
    format!("/my/letters/{id}/pdf")
}

pub fn my_letter_attachment(id: impl Display) -> String {
    format!("/my/letters/{id}/attachment")
}

// Comunicazioni: operators compose and send.

pub fn communications() -> String {
    "/communications".into()
}

pub fn communication_preview() -> String {
    "/communications/preview".into()
}

pub fn communication_attachments() -> String {
    "/communications/attachments".into()
}

/// Families found by name or codice fiscale (`q`), to choose as recipients.
pub fn communication_families() -> String {
    "/communications/families".into()
}

/// The services, schools and classes an audience is chosen from.
pub fn communication_audiences() -> String {
    "/communications/audiences".into()
}

// Comunicazioni: the outbox.

pub fn outbox() -> String {
    "/outbox".into()
}

pub fn outbox_retry(id: impl Display) -> String {
    format!("/outbox/{id}/retry")
}

// The comune's set-up (administrators; operators read it).

pub fn office_settings() -> String {
    "/office/settings".into()
}

pub fn office_logo() -> String {
    "/office/logo".into()
}

pub fn office_services() -> String {
    "/office/services".into()
}

pub fn office_service(id: impl Display) -> String {
    format!("/office/services/{id}")
}

/// The service's whole bands table.
pub fn office_service_bands(id: impl Display) -> String {
    format!("/office/services/{id}/bands")
}

/// The comune's schools (GET, POST).
pub fn office_schools() -> String {
    "/office/schools".into()
}

/// A school with its classes (GET, PUT).
pub fn office_school(id: impl Display) -> String {
    format!("/office/schools/{id}")
}

/// A new class of the school (POST).
pub fn office_school_classes(school: impl Display) -> String {
    format!("/office/schools/{school}/classes")
}

/// A class of the school (PUT).
pub fn office_school_class(school: impl Display, class: impl Display) -> String {
    format!("/office/schools/{school}/classes/{class}")
}

// Solleciti: the reminders of debts.

/// The comune's schedule of reminders (GET, PUT).
pub fn reminder_schedule() -> String {
    "/reminders/schedule".into()
}

/// What is due now and what was sent.
pub fn reminders() -> String {
    "/reminders".into()
}

/// Invia ora: sends the due reminders.
pub fn reminders_run() -> String {
    "/reminders/run".into()
}

pub fn office_staff() -> String {
    "/office/staff".into()
}

pub fn office_staff_member(id: impl Display) -> String {
    format!("/office/staff/{id}")
}

pub fn office_staff_invitation(id: impl Display) -> String {
    format!("/office/staff/{id}/invitation")
}

// Integrazioni: the comune's API clients and their token endpoint.
pub fn oauth_token() -> String {
    "/oauth/token".into()
}

pub fn office_api_clients() -> String {
    "/office/api-clients".into()
}

pub fn office_api_client(id: impl Display) -> String {
    format!("/office/api-clients/{id}")
}

pub fn office_api_client_secret(id: impl Display) -> String {
    format!("/office/api-clients/{id}/secret")
}

pub fn office_api_client_revocation(id: impl Display) -> String {
    format!("/office/api-clients/{id}/revocation")
}

// Rette in one batch, and cancelling a retta.

/// What issuing a service's month of rette would do.
pub fn emission_batch_preview() -> String {
    "/payments/emission-batches/preview".into()
}

/// Issues a service's month of rette.
pub fn emission_batches() -> String {
    "/payments/emission-batches".into()
}

/// Cancels an unpaid retta, with its reason.
pub fn emission_cancel(id: impl Display) -> String {
    format!("/payments/emissions/{id}/cancel")
}

// Report: the office's reports, each also as CSV.

/// Incassi (`?from=&to=`).
pub fn report_receipts() -> String {
    "/reports/receipts".into()
}

pub fn report_receipts_csv() -> String {
    "/reports/receipts.csv".into()
}

/// Morosi.
pub fn report_debtors() -> String {
    "/reports/debtors".into()
}

pub fn report_debtors_csv() -> String {
    "/reports/debtors.csv".into()
}

/// Pasti serviti (`?month=`).
pub fn report_meals() -> String {
    "/reports/meals".into()
}

pub fn report_meals_csv() -> String {
    "/reports/meals.csv".into()
}

/// Saldi a una data (`?on=`).
pub fn report_balances() -> String {
    "/reports/balances".into()
}

pub fn report_balances_csv() -> String {
    "/reports/balances.csv".into()
}

// Notizie e documenti: the office's publishing.

/// A news item's attachment, public once the item is.
pub fn news_attachment(slug: impl Display, id: impl Display, attachment: impl Display) -> String {
    format!("/entes/{slug}/news/{id}/attachments/{attachment}")
}

/// Every news item of the comune, whatever its state (GET), or a new one (POST).
pub fn office_news() -> String {
    "/office/news".into()
}

/// A news item (PUT).
pub fn office_news_item(id: impl Display) -> String {
    format!("/office/news/{id}")
}

/// Ritira: the item leaves the public pages.
pub fn office_news_unpublish(id: impl Display) -> String {
    format!("/office/news/{id}/unpublish")
}

/// Ripubblica: a withdrawn item is public again from its day.
pub fn office_news_republish(id: impl Display) -> String {
    format!("/office/news/{id}/republish")
}

/// A file to attach to the item (POST, `?name=`).
pub fn office_news_attachments(id: impl Display) -> String {
    format!("/office/news/{id}/attachments")
}

/// An attachment of the item (DELETE).
pub fn office_news_attachment(id: impl Display, attachment: impl Display) -> String {
    format!("/office/news/{id}/attachments/{attachment}")
}

/// Every document of the comune, whatever its state (GET), or a new one (POST, the
/// file as the body).
pub fn office_documents() -> String {
    "/office/documents".into()
}

/// A document's details (PUT).
pub fn office_document(id: impl Display) -> String {
    format!("/office/documents/{id}")
}

/// A document's file, replaced (PUT, `?name=`, the file as the body).
pub fn office_document_file(id: impl Display) -> String {
    format!("/office/documents/{id}/file")
}

/// Ritira: the document leaves the public pages.
pub fn office_document_unpublish(id: impl Display) -> String {
    format!("/office/documents/{id}/unpublish")
}

/// Ripubblica: a withdrawn document is public again from its day.
pub fn office_document_republish(id: impl Display) -> String {
    format!("/office/documents/{id}/republish")
}

// Registro attività: the changes the comune's staff made.

/// The log, newest first (`?actor=&family=&from=&to=`, paged).
pub fn audit() -> String {
    "/audit".into()
}

/// The log as CSV, with the same filters.
pub fn audit_csv() -> String {
    "/audit.csv".into()
}
