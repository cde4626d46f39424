//! The route × role matrix: every operation of `openapi/openapi.json` is called without
//! login, as every role of Comune di Demo, as another family and as another comune's
//! users, and each answer must be the one the permission table of
//! `sportello_model::access` gives:
//!
//! - no login on a secured route: 401;
//! - a role the table refuses: 403;
//! - a role the table allows, on a record of another family or another comune: 404 (a
//!   record named by a body field instead is that field's error, 400, as one that does
//!   not exist);
//! - a role the table allows, on what is its own: anything but 401, 403 or 404 (and
//!   never a 5xx);
//! - every change the comune's staff made (a write answered 2xx) is a row of the
//!   Registro attività, and no family's own change is.
//!
//! Each operation is mapped to its rule below; an operation of the document without a
//! rule (a new endpoint) fails the test.

use e2e::{
    client, json, workspace_root, TestServer, ANNA, CARLO_OPERATOR_ESEMPIO, GIULIA_OPERATOR,
    GIUSEPPE_ESEMPIO, LAURA_DELEGATE, MARIO, MARTA_ADMIN, PAOLO_CANTEEN,
};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sportello_model::access::Action;
use sportello_model::audit;
use sportello_model::auth::{Role, TokenResponse};
use sportello_model::children::ChildDetail;
use sportello_model::communications::OutboxMessage;
use sportello_model::content::{DocumentItem, NewsItem};
use sportello_model::entes::ServiceDetail;
use sportello_model::fee_bands::FeeBandRow;
use sportello_model::forms::{FormDetail, SubmissionDetail, SubmissionSummary};
use sportello_model::integrations::Scope;
use sportello_model::letters::Letter;
use sportello_model::paths;
use sportello_model::payments::{Cart, EmissionSummary, Notice, PaymentService, ReceiptSummary};
use sportello_model::registry::FamilyDetail;
use sportello_model::schools::SchoolDetail;
use sportello_model::year_end::FamilyCredit;
use sportello_model::Page;

/// Whose records the ids of a request (path, query or body) are.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Owner {
    /// No record: the caller's own lists.
    Nobody,
    /// Comune di Demo's (a service): another comune's user gets 404.
    Comune,
    /// Mario Albertini's family's (a child, a notice, an emission, a receipt, his
    /// account): another family and another comune get 404.
    Family,
    /// Named by a field of the body (an emission's guardian by codice fiscale): a name
    /// that is not the comune's is a field error (400), as one that exists nowhere.
    Field,
}

#[derive(Debug, Clone, Copy)]
enum Rule {
    /// No login needed.
    Public,
    /// Anyone logged in.
    LoggedIn,
    /// Roles allowed by the permission table, on records of `Owner`.
    May(Action, Owner),
}

/// The rule of every operation of the document.
fn rule(operation_id: &str) -> Option<Rule> {
    use Action::*;
    use Owner::*;
    use Rule::*;
    Some(match operation_id {
        "health"
        | "status"
        | "oauth_token"
        | "liveness"
        | "readiness"
        | "list_entes"
        | "get_ente"
        | "list_news"
        | "get_news"
        | "list_documents"
        | "download_document"
        | "news_attachment"
        | "login"
        | "refresh"
        | "logout"
        | "password_reset_request"
        | "password_reset_confirm"
        | "oidc_start"
        | "oidc_callback"
        | "federation_configuration"
        | "comune_federation_configuration"
        | "federation_fetch"
        | "federation_list"
        | "federation_resolve"
        | "ente_logo" => Public,
        // pagoPA's station is authenticated by the node's client certificate, not by a user.
        "station_receipt" => Public,
        "me" => LoggedIn,
        "list_children" => May(ReadChildren, Nobody),
        "get_child" => May(ReadChildren, Family),
        "add_enrolment" | "update_enrolment" | "end_enrolment" => May(ManageEnrolments, Family),
        "month_calendar" | "change_day" | "change_range" => May(BookMeals, Family),
        "overview" | "list_emissions" | "list_receipts" => May(ReadPayments, Nobody),
        "statement" | "list_notices" | "get_low_balance_alert" => May(ReadPayments, Comune),
        "set_low_balance_alert" => May(SetBalanceAlert, Comune),
        "get_notice" | "notice_pdf" | "get_emission" | "receipt_pdf" => May(ReadPayments, Family),
        "create_notice" | "recharge_online" => May(Pay, Comune),
        "pay_notice" | "cancel_notice" | "pay_cart" | "verify_notice" => May(Pay, Family),
        "get_cart" => May(ReadPayments, Family),
        "family_statement" => May(ReadFamilyAccounts, Family),
        "correct_account" => May(CorrectAccount, Family),
        "create_emission" => May(IssueEmissions, Field),
        "get_calendar" | "set_calendar" | "add_closure" | "remove_closure" => {
            May(ManageCalendar, Comune)
        }
        "roster" | "kitchen_counts" | "mark_attendance" => May(TakeAttendance, Comune),
        "charge" => May(ChargeMeals, Comune),
        "list_forms" | "create_form" => May(ManageForms, Nobody),
        "get_form" | "update_form" | "publish_form" | "close_form" | "new_form_version" => {
            May(ManageForms, Comune)
        }
        "list_submissions"
        | "submission_counts"
        | "accept_submissions"
        | "enrolment_terms"
        | "form_ranking"
        | "publish_ranking"
        | "export_submissions"
        | "get_submission"
        | "submission_attachment"
        | "accept_submission"
        | "refuse_submission"
        | "block_submission"
        | "to_validate_submission" => May(ReviewSubmissions, Comune),
        "open_forms" | "my_submissions" => May(FillForms, Nobody),
        "open_form" | "start_submission" => May(FillForms, Comune),
        "my_submission" | "save_submission" | "send_submission" | "cancel_submission"
        | "submission_pdf" | "upload_attachment" | "own_attachment" | "remove_attachment" => {
            May(FillForms, Family)
        }
        "pay_and_send_submission" => May(Pay, Family),
        "list_flows" | "upload_flow" | "list_discrepancies" => May(Reconcile, Nobody),
        "my_letters" | "unread_letters" => May(ReadLetters, Nobody),
        "open_letter" | "letter_pdf" | "letter_attachment" => May(ReadLetters, Family),
        "list_communications"
        | "send_communication"
        | "preview_communication"
        | "upload_communication_attachment"
        | "search_families"
        | "audience_choices" => May(SendCommunications, Nobody),
        "my_contacts" | "set_channels" | "request_contact_change" | "confirm_contact_change" => {
            May(ManageContacts, Nobody)
        }
        "list_outbox" => May(ManageOutbox, Nobody),
        "tax_deduction_report" | "generate_tax_certificates" | "export_tax_deductions" => {
            May(CertifyTaxDeductions, Nobody)
        }
        "find_families" => May(ReadFamilies, Nobody),
        "get_family" => May(ReadFamilies, Family),
        "create_family" => May(ManageFamilies, Nobody),
        "update_guardian"
        | "add_child"
        | "update_child"
        | "add_delegate"
        | "set_delegate_children"
        | "remove_delegate" => May(ManageFamilies, Family),
        "check_registry_import" | "import_registry" => May(ImportRegistry, Nobody),
        "retry_outbox_message" => May(ManageOutbox, Comune),
        "get_settings" | "list_services" => May(ReadEnteSetup, Nobody),
        "save_settings" | "upload_logo" | "create_service" => May(ManageEnteSetup, Nobody),
        "get_service" => May(ReadEnteSetup, Comune),
        "list_schools" => May(ReadEnteSetup, Nobody),
        "create_school" => May(ManageEnteSetup, Nobody),
        "get_school" => May(ReadEnteSetup, Comune),
        "update_school" | "create_class" | "update_class" => May(ManageEnteSetup, Comune),
        "update_service" | "save_bands" => May(ManageEnteSetup, Comune),
        "get_reminder_schedule" | "set_reminder_schedule" | "list_reminders" | "run_reminders" => {
            May(ManageReminders, Nobody)
        }
        "list_staff" | "invite_staff" => May(ManageStaff, Nobody),
        "change_staff" | "invite_staff_again" => May(ManageStaff, Comune),
        "list_api_clients" | "create_api_client" => May(ManageApiClients, Nobody),
        "change_api_client" | "rotate_api_client_secret" | "revoke_api_client" => {
            May(ManageApiClients, Comune)
        }
        "preview_emission_batch" | "issue_emission_batch" => May(IssueEmissions, Comune),
        "cancel_emission" => May(IssueEmissions, Family),
        "receipts_report"
        | "receipts_report_csv"
        | "debtors_report"
        | "debtors_report_csv"
        | "meals_report"
        | "meals_report_csv"
        | "balances_report"
        | "balances_report_csv" => May(ReadReports, Nobody),
        "office_news" | "create_news" | "office_documents" | "create_document" => {
            May(PublishContent, Nobody)
        }
        "update_news"
        | "unpublish_news"
        | "republish_news"
        | "upload_news_attachment"
        | "delete_news_attachment"
        | "update_document"
        | "replace_document_file"
        | "unpublish_document"
        | "republish_document" => May(PublishContent, Comune),
        "year_end_summary"
        | "list_year_end_credits"
        | "ask_year_end_ahead"
        | "close_school_year" => May(CloseSchoolYear, Nobody),
        "record_year_end_refund" => May(CloseSchoolYear, Comune),
        "my_year_end_credits" => May(ChooseYearEndCredit, Nobody),
        "choose_year_end_credit" => May(ChooseYearEndCredit, Family),
        "list_audit" | "export_audit" => May(ReadAudit, Nobody),
        _ => return None,
    })
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Relation {
    /// A user of Comune di Demo acting on Mario's family's records (his own, his
    /// delegate's, the comune's staff).
    Own,
    AnotherFamily,
    AnotherComune,
}

struct Caller {
    name: &'static str,
    user_id: i64,
    role: Role,
    relation: Relation,
    token: String,
    /// An API client's scopes.
    scopes: Vec<Scope>,
}

/// The demo ids every request is built from, looked up through the API as their owner.
struct Ids {
    child: i64,
    refezione: i64,
    trasporto: i64,
    notice: i64,
    cart: i64,
    emission: i64,
    receipt: i64,
    guardian: i64,
    closure: i64,
    calendar: Value,
    /// The cedole librarie form, open to guardians and delegates.
    form: i64,
    form_definition: Value,
    /// Mario's cedole request (sent) and its attachment.
    submission: i64,
    upload: i64,
    /// Mario's letter about Sofia (whom Laura follows), with its attachment.
    letter: i64,
    /// A message of Comune di Demo's outbox (Mario's password reset e-mail).
    outbox_message: i64,
    /// Comune di Demo's settings as they are, and Refezione Scolastica's bands table.
    settings: Value,
    bands: Value,
    /// Paolo's staff account (canteen staff).
    staff: i64,
    /// An API client of Comune di Demo's that no caller uses.
    api_client: i64,
    /// Mario as the family page has him, and Sofia: the office's edits keep them so.
    guardian_form: Value,
    child_form: Value,
    /// A delegate of Mario's family the office added for Sofia (Laura stays as she is).
    delegate: i64,
    /// Greta (Sofia's sister) and her Trasporto Scolastico card, which the matrix may
    /// end.
    greta: i64,
    enrolment: i64,
    /// Scuola Primaria Pascoli as it is, and its first class as it is.
    school: i64,
    school_form: Value,
    class: i64,
    class_form: Value,
    /// Comune di Demo's news item with an attachment, and a document of it.
    news: i64,
    news_attachment: i64,
    document: i64,
    /// Mario's credit left on Refezione Scolastica once the operator closed the year.
    year_end_credit: i64,
}

/// Today for the server's clock (a Tuesday of the school year), and the day before:
/// meals are charged once a day is over.
const DAY: &str = "2026-11-24";
const YESTERDAY: &str = "2026-11-23";

fn id_of(ids: &Ids, path: &str, param: &str) -> String {
    match param {
        "slug" => "demo".into(),
        "provider" => "spid".into(),
        "child_id" => ids.child.to_string(),
        "service_id" => ids.refezione.to_string(),
        "guardian_id" => ids.guardian.to_string(),
        "closure_id" => ids.closure.to_string(),
        "delegate_id" => ids.delegate.to_string(),
        "day" => DAY.into(),
        "month" => "2026-11".into(),
        "id" if path.starts_with("/children/") && path.contains("/enrolments") => {
            ids.greta.to_string()
        }
        "id" if path.starts_with("/children/") => ids.child.to_string(),
        "id" if path.starts_with("/families/") => ids.guardian.to_string(),
        "id" if path.starts_with("/payments/services/") => ids.refezione.to_string(),
        "id" if path.starts_with("/payments/notices/") => ids.notice.to_string(),
        "id" if path.starts_with("/payments/carts/") => ids.cart.to_string(),
        "id" if path.starts_with("/payments/emissions/") => ids.emission.to_string(),
        "id" if path.starts_with("/payments/receipts/") => ids.receipt.to_string(),
        "id" if path.starts_with("/entes/") => "1".into(),
        "id" if path.starts_with("/forms/") || path.starts_with("/my/forms/") => {
            ids.form.to_string()
        }
        "id" if path.starts_with("/form-submissions/") || path.starts_with("/my/submissions/") => {
            ids.submission.to_string()
        }
        "id" if path.starts_with("/outbox/") => ids.outbox_message.to_string(),
        "id" if path.starts_with("/office/services/") => ids.refezione.to_string(),
        "id" if path.starts_with("/office/staff/") => ids.staff.to_string(),
        "id" if path.starts_with("/office/api-clients/") => ids.api_client.to_string(),
        "id" if path.starts_with("/office/schools/") => ids.school.to_string(),
        "class_id" => ids.class.to_string(),
        "enrolment_id" => ids.enrolment.to_string(),
        "upload_id" => ids.upload.to_string(),
        "year" => "2026".into(),
        "id" if path.starts_with("/my/letters/") => ids.letter.to_string(),
        "id" if path.starts_with("/office/news/") => ids.news.to_string(),
        "id" if path.starts_with("/office/documents/") => ids.document.to_string(),
        "attachment_id" => ids.news_attachment.to_string(),
        "id" if path.starts_with("/year-end") => ids.year_end_credit.to_string(),
        _ => panic!("no demo value for {{{param}}} of {path}: add one"),
    }
}

/// A valid query string and body for the operation, so that what answers is the rule,
/// not a malformed request.
fn query_and_body(operation_id: &str, ids: &Ids) -> (String, Option<Value>) {
    let service = ids.refezione;
    let query = match operation_id {
        "roster" | "kitchen_counts" => format!("?service_id={service}&day={DAY}"),
        "upload_attachment" => "?field=documento&name=documento.pdf".into(),
        "list_discrepancies" => "?kind=amount_mismatch".into(),
        "upload_communication_attachment" => "?name=menu.pdf".into(),
        "search_families" | "find_families" => "?q=albertini".into(),
        "receipts_report" | "receipts_report_csv" => format!("?from=2026-11-01&to={DAY}"),
        "meals_report" | "meals_report_csv" => "?month=2026-11".into(),
        "balances_report" | "balances_report_csv" => format!("?on={DAY}"),
        "upload_news_attachment" => "?name=orari.pdf".into(),
        "replace_document_file" => "?name=prova.pdf".into(),
        "create_document" => format!("?title=Prova&published_on={DAY}&name=prova.pdf"),
        _ => String::new(),
    };
    let body = match operation_id {
        "change_day" => json!({ "service_id": service, "choice": "absent" }),
        "change_range" => {
            json!({ "service_id": service, "from": DAY, "to": DAY, "choice": "absent" })
        }
        "mark_attendance" => json!({ "service_id": service, "day": DAY, "present": true }),
        "charge" => json!({ "service_id": service, "day": YESTERDAY }),
        "create_notice" | "recharge_online" => json!({ "amount": "10" }),
        "pay_notice" => json!({}),
        "set_low_balance_alert" => json!({ "threshold": "10,00" }),
        "set_reminder_schedule" => json!({ "enabled": true, "steps": [7, 21] }),
        "pay_cart" => json!({ "notice_ids": [ids.notice], "request_id": "matrix-cart" }),
        "correct_account" => json!({
            "kind": "adjustment", "amount": "1", "reason": "Prova", "request_id": "matrix-1"
        }),
        "create_emission" => json!({
            "guardian_fiscal_code": MARIO,
            "service_id": ids.trasporto,
            "title": "Retta",
            "due_date": "2026-12-15",
            "lines": [{ "description": "Retta", "amount": "10" }]
        }),
        "set_calendar" => ids.calendar.clone(),
        "save_settings" => ids.settings.clone(),
        "create_service" => {
            json!({ "code": "MATRICE", "name": "Matrice", "kind": "emissions", "active": true })
        }
        "update_service" => json!({
            "code": "REF", "name": "Refezione Scolastica", "kind": "prepaid", "active": true
        }),
        "save_bands" => ids.bands.clone(),
        "create_school" => json!({
            "name": "Scuola Matrice", "address": "", "code": "", "cycle": "primaria", "active": true
        }),
        "update_school" => ids.school_form.clone(),
        "create_class" => json!({ "school_year": "2026/2027", "name": "9Z", "grade": 1 }),
        "update_class" => ids.class_form.clone(),
        // Greta has a transport card of the year already: a field error.
        "add_enrolment" | "update_enrolment" => json!({
            "service_id": ids.trasporto, "school_year": "2026/2027", "school_id": null,
            "class_id": null, "fee_band": "Nessuna", "meal_type": "—", "badge": "MATRICE1"
        }),
        "invite_staff" => json!({
            "fiscal_code": "RSSMRA80A01F205X", "first_name": "Mario", "last_name": "Rossi",
            "email": "mario.rossi@comune.demo.it", "role": "operator"
        }),
        "create_api_client" | "change_api_client" => {
            json!({ "name": "Matrice", "scopes": ["families:read"] })
        }
        // Paolo as he is: the matrix goes on with his session.
        "change_staff" => json!({ "role": "canteen_staff", "active": true }),
        "add_closure" => {
            json!({ "from": "2026-12-01", "to": "2026-12-01", "description": "Prova" })
        }
        "login" => json!({ "fiscal_code": MARIO, "password": "sbagliata" }),
        "password_reset_request" => json!({ "fiscal_code": MARIO }),
        "password_reset_confirm" => json!({ "token": "x", "password": "UnaPassword2026!" }),
        "create_form" | "update_form" => ids.form_definition.clone(),
        "start_submission" | "save_submission" => json!({ "answers": {} }),
        "accept_submission" => json!({}),
        "accept_submissions" => json!({ "ids": [ids.submission] }),
        "refuse_submission" | "block_submission" | "to_validate_submission" => {
            json!({ "note": "Prova" })
        }
        "set_channels" => json!({ "email": true, "sms": false, "app_io": false }),
        "request_contact_change" => json!({ "kind": "mobile", "value": "333 123 4567" }),
        "confirm_contact_change" => json!({ "kind": "mobile", "code": "123456" }),
        "send_communication" | "preview_communication" => json!({
            "request_id": "matrix-communication",
            "kind": "information",
            "title": "Prova",
            "body": "Prova",
            "audience": { "kind": "school", "school": "Scuola Primaria Pascoli" }
        }),
        "preview_emission_batch" => json!({ "service_id": ids.trasporto, "month": "2026-12" }),
        "issue_emission_batch" => json!({
            "service_id": ids.trasporto,
            "month": "2026-12",
            "due_date": "2026-12-15",
            "request_id": "matrix-batch"
        }),
        "cancel_emission" => json!({ "reason": "Prova" }),
        "create_news" | "update_news" => json!({
            "title": "Prova", "summary": "Prova", "body": "Prova", "published_on": DAY
        }),
        "update_document" => json!({ "title": "Prova", "description": "", "published_on": DAY }),
        "ask_year_end_ahead" | "close_school_year" => {
            json!({ "minimum_refund": "5,00", "choice_deadline": "2027-07-31" })
        }
        "choose_year_end_credit" => json!({ "choice": "carry_over" }),
        "create_family" => json!({
            "fiscal_code": "RSSMRC80A01F205Z", "first_name": "Marco", "last_name": "Rossi"
        }),
        "update_guardian" => ids.guardian_form.clone(),
        "add_child" => json!({
            "fiscal_code": "RSSPTR15B10F205K", "first_name": "Pietro", "last_name": "Rossi",
            "birth_date": "2015-02-10", "sex": "M"
        }),
        "update_child" => ids.child_form.clone(),
        "add_delegate" => json!({
            "fiscal_code": LAURA_DELEGATE, "first_name": "Laura", "last_name": "Bianchi",
            "children": [ids.child]
        }),
        "set_delegate_children" => json!({ "children": [ids.child] }),
        _ => return (query, None),
    };
    (query, Some(body))
}

async fn login(server: &TestServer, slug: &str, fiscal_code: &str) -> TokenResponse {
    if slug == "demo" {
        server.login(slug, fiscal_code).await
    } else {
        server.spid_login(slug, fiscal_code).await
    }
}

async fn demo_ids(server: &TestServer, mario: &TokenResponse, giulia: &TokenResponse) -> Ids {
    let token = &mario.access_token;
    let child = server.child_named(token, "Sofia").await;
    let services: Vec<PaymentService> = json(
        server.get(token, &paths::payment_services()).await,
        StatusCode::OK,
    )
    .await;
    let named = |name: &str| {
        services
            .iter()
            .find(|s| s.service_name == name)
            .unwrap_or_else(|| panic!("{name} among Mario's services"))
            .service_id
    };
    let (refezione, trasporto) = (named("Refezione Scolastica"), named("Trasporto Scolastico"));
    let notice: Notice = json(
        server
            .post_json(
                token,
                &paths::service_notices(refezione),
                &json!({ "amount": "10" }),
            )
            .await,
        StatusCode::CREATED,
    )
    .await;
    let cart: Cart = json(
        server
            .post_json(
                token,
                &paths::carts(),
                &json!({ "notice_ids": [notice.id], "request_id": "matrix-ids" }),
            )
            .await,
        StatusCode::CREATED,
    )
    .await;
    let emissions: Page<EmissionSummary> =
        json(server.get(token, &paths::emissions()).await, StatusCode::OK).await;
    let receipts: Page<ReceiptSummary> =
        json(server.get(token, &paths::receipts()).await, StatusCode::OK).await;
    let calendar_path = paths::calendar(refezione);
    let calendar: Value = json(
        server.get(&giulia.access_token, &calendar_path).await,
        StatusCode::OK,
    )
    .await;
    let added: Value = json(
        server
            .post_json(
                &giulia.access_token,
                &paths::closures(refezione),
                &json!({ "from": "2026-12-02", "to": "2026-12-02", "description": "Matrice" }),
            )
            .await,
        StatusCode::OK,
    )
    .await;
    let closure = added["calendar"]["closures"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["description"] == "Matrice"))
        .and_then(|c| c["id"].as_i64())
        .unwrap_or_else(|| panic!("the closure just added: {added}"));
    let submissions: Page<SubmissionSummary> = json(
        server.get(token, &paths::my_submissions()).await,
        StatusCode::OK,
    )
    .await;
    let sent = submissions
        .items
        .first()
        .expect("Mario's demo cedole request");
    let detail: SubmissionDetail = json(
        server.get(token, &paths::my_submission(sent.id)).await,
        StatusCode::OK,
    )
    .await;
    let form: FormDetail = json(
        server.get(token, &paths::open_form(sent.form_id)).await,
        StatusCode::OK,
    )
    .await;
    let settings: Value = json(
        server
            .get(&giulia.access_token, &paths::office_settings())
            .await,
        StatusCode::OK,
    )
    .await;
    let refezione_detail: ServiceDetail = json(
        server
            .get(&giulia.access_token, &paths::office_service(refezione))
            .await,
        StatusCode::OK,
    )
    .await;
    let rows: Vec<FeeBandRow> = refezione_detail
        .bands
        .iter()
        .map(FeeBandRow::from)
        .collect();
    let sofia: ChildDetail = json(
        server.get(&giulia.access_token, &paths::child(child)).await,
        StatusCode::OK,
    )
    .await;
    let greta = server.child_named(token, "Greta").await;
    let greta_detail: ChildDetail = json(
        server.get(&giulia.access_token, &paths::child(greta)).await,
        StatusCode::OK,
    )
    .await;
    let enrolment = greta_detail
        .enrolments
        .iter()
        .find(|card| card.service_id == trasporto)
        .expect("Greta's transport card")
        .id;
    let school_id = sofia
        .enrolments
        .iter()
        .find_map(|card| card.school_id)
        .expect("Sofia's school");
    let school: SchoolDetail = json(
        server
            .get(&giulia.access_token, &paths::office_school(school_id))
            .await,
        StatusCode::OK,
    )
    .await;
    let class = school.classes.first().expect("a class of Sofia's school");
    let news: Page<NewsItem> = server.public_ok(&paths::news("demo")).await;
    let with_attachment = news
        .items
        .iter()
        .find(|n| !n.attachments.is_empty())
        .expect("Comune di Demo's news item with an attachment");
    let documents: Page<DocumentItem> = server.public_ok(&paths::documents("demo")).await;
    let letters: Page<Letter> = json(
        server.get(token, &paths::my_letters()).await,
        StatusCode::OK,
    )
    .await;
    // The year closed with credit on Mario's canteen account, so that he has a credit to
    // choose for and the office one to read: every later close or ask-ahead of the
    // matrix is a conflict.
    let top_up: Notice = json(
        server
            .post_json(
                token,
                &paths::service_notices(refezione),
                &json!({ "amount": "100" }),
            )
            .await,
        StatusCode::CREATED,
    )
    .await;
    server.pay_at_counter(&top_up.notice_number).await;
    json::<Value>(
        server
            .post_json(
                &giulia.access_token,
                &paths::year_end_close(2026),
                &json!({ "minimum_refund": "5,00", "choice_deadline": "2027-07-31" }),
            )
            .await,
        StatusCode::OK,
    )
    .await;
    let credits: Vec<FamilyCredit> = json(
        server.get(token, &paths::family_year_end_credits()).await,
        StatusCode::OK,
    )
    .await;
    let (guardian_form, child_form, delegate) = family_forms(server, giulia, mario, child).await;
    Ids {
        year_end_credit: credits
            .iter()
            .find(|c| c.service_id == refezione)
            .expect("Mario's credit on Refezione Scolastica")
            .id,
        guardian_form,
        child_form,
        delegate,
        staff: server
            .scalar(&format!(
                "SELECT id FROM users WHERE fiscal_code = '{PAOLO_CANTEEN}'"
            ))
            .await,
        api_client: server
            .api_client(
                &login(server, "demo", MARTA_ADMIN).await.access_token,
                "Client di prova",
                &[Scope::FamiliesRead],
            )
            .await
            .made
            .client
            .id,
        news: with_attachment.id,
        news_attachment: with_attachment.attachments[0].id,
        document: documents
            .items
            .first()
            .expect("Comune di Demo's documents")
            .id,
        settings,
        bands: json!({ "bands": rows }),
        greta,
        enrolment,
        school: school_id,
        school_form: json!({
            "name": school.school.name, "address": school.school.address,
            "code": school.school.code, "cycle": school.school.cycle, "active": true
        }),
        class: class.id,
        class_form: json!({
            "school_year": class.school_year, "name": class.name, "grade": class.grade
        }),
        letter: letters
            .items
            .iter()
            .find(|l| l.has_attachment)
            .expect("Mario's demo letter with an attachment")
            .id,
        outbox_message: demo_outbox_message(server, giulia).await,
        form: sent.form_id,
        form_definition: serde_json::to_value(&form.definition).expect("a definition"),
        submission: sent.id,
        upload: detail.uploads.first().expect("the demo attachment").id,
        child,
        refezione,
        trasporto,
        notice: notice.id,
        cart: cart.id,
        emission: emissions.items.first().expect("Mario's demo emissions").id,
        receipt: receipts.items.first().expect("Mario's demo receipt").id,
        guardian: mario.user.id,
        closure,
        calendar: json!({
            "first_day": calendar["first_day"],
            "last_day": calendar["last_day"],
            "serving_weekdays": calendar["serving_weekdays"],
        }),
    }
}

/// Mario's details and Sofia's as the family page has them (the bodies of the office's
/// edits), and a delegate the office adds to Mario's family for Sofia.
async fn family_forms(
    server: &TestServer,
    giulia: &TokenResponse,
    mario: &TokenResponse,
    sofia: i64,
) -> (Value, Value, i64) {
    let family: FamilyDetail = json(
        server
            .get(&giulia.access_token, &paths::family(mario.user.id))
            .await,
        StatusCode::OK,
    )
    .await;
    let guardian = &family.guardian;
    let child = family
        .children
        .iter()
        .find(|c| c.id == sofia)
        .expect("Sofia on Mario's family page");
    let added: FamilyDetail = json(
        server
            .post_json(
                &giulia.access_token,
                &paths::family_delegates(mario.user.id),
                &json!({
                    "fiscal_code": "VRDGPP81C12F205I", "first_name": "Giuseppe", "last_name": "Verdi",
                    "children": [sofia]
                }),
            )
            .await,
        StatusCode::CREATED,
    )
    .await;
    let delegate = added
        .delegates
        .iter()
        .find(|d| d.person.fiscal_code == "VRDGPP81C12F205I")
        .expect("the delegate just added")
        .person
        .id;
    (
        json!({
            "fiscal_code": guardian.fiscal_code,
            "first_name": guardian.first_name,
            "last_name": guardian.last_name,
            "email": guardian.email.clone().unwrap_or_default(),
            "mobile": guardian.mobile.clone().unwrap_or_default(),
        }),
        json!({
            "fiscal_code": child.fiscal_code,
            "first_name": child.first_name,
            "last_name": child.last_name,
            "birth_date": child.birth_date.to_string(),
            "birth_place": child.birth_place,
            "sex": child.sex,
            "address": child.address,
        }),
        delegate,
    )
}

/// Mario's password reset e-mail, once the outbox has delivered it.
async fn demo_outbox_message(server: &TestServer, giulia: &TokenResponse) -> i64 {
    let asked = server.ask_password_reset(&client(), MARIO).await;
    assert_eq!(asked.status(), StatusCode::ACCEPTED);
    let sent = format!("{}?status=sent", paths::outbox());
    for _ in 0..100 {
        let page: Page<OutboxMessage> = json(
            server.get(&giulia.access_token, &sent).await,
            StatusCode::OK,
        )
        .await;
        if let Some(message) = page.items.first() {
            return message.id;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the reset e-mail was not delivered");
}

/// What the table says `caller` gets, as a check on the status; `None` when allowed.
fn expected(rule: Rule, caller: Option<&Caller>) -> Option<StatusCode> {
    let Some(caller) = caller else {
        return match rule {
            Rule::Public => None,
            _ => Some(StatusCode::UNAUTHORIZED),
        };
    };
    let Rule::May(action, owner) = rule else {
        return None;
    };
    if !caller.role.may(action) {
        return Some(StatusCode::FORBIDDEN);
    }
    if caller.role == Role::Integrator
        && !action.scope().is_some_and(|s| caller.scopes.contains(&s))
    {
        return Some(StatusCode::FORBIDDEN);
    }
    match (caller.relation, owner) {
        (Relation::AnotherFamily, Owner::Family) => Some(StatusCode::NOT_FOUND),
        (Relation::AnotherComune, Owner::Family | Owner::Comune) => Some(StatusCode::NOT_FOUND),
        (Relation::AnotherComune, Owner::Field) => Some(StatusCode::BAD_REQUEST),
        _ => None,
    }
}

#[tokio::test]
async fn every_route_answers_every_role_as_the_permission_table_says() {
    let server = TestServer::start_with(&[("SPORTELLO_FAKE_NOW", "2026-11-24T08:00:00Z")]).await;
    let document: Value = serde_json::from_str(
        &std::fs::read_to_string(workspace_root().join("openapi/openapi.json"))
            .expect("openapi/openapi.json"),
    )
    .expect("the OpenAPI document is JSON");

    let mut callers = Vec::new();
    for (name, slug, fiscal_code, relation) in [
        ("the guardian", "demo", MARIO, Relation::Own),
        ("the delegate", "demo", LAURA_DELEGATE, Relation::Own),
        ("the operator", "demo", GIULIA_OPERATOR, Relation::Own),
        ("the canteen staff", "demo", PAOLO_CANTEEN, Relation::Own),
        ("the administrator", "demo", MARTA_ADMIN, Relation::Own),
        ("another family", "demo", ANNA, Relation::AnotherFamily),
        (
            "another comune's operator",
            "esempio",
            CARLO_OPERATOR_ESEMPIO,
            Relation::AnotherComune,
        ),
        (
            "another comune's guardian",
            "esempio",
            GIUSEPPE_ESEMPIO,
            Relation::AnotherComune,
        ),
    ] {
        let tokens = login(&server, slug, fiscal_code).await;
        callers.push(Caller {
            name,
            user_id: tokens.user.id,
            role: tokens.user.role,
            relation,
            token: tokens.access_token,
            scopes: Vec::new(),
        });
    }
    // Comune di Demo's API clients: one with every scope, one that reads families.
    let marta = login(&server, "demo", MARTA_ADMIN).await;
    for (name, scopes) in [
        ("an API client with every scope", Scope::ALL.to_vec()),
        ("an API client reading families", vec![Scope::FamiliesRead]),
    ] {
        let client = server.api_client(&marta.access_token, name, &scopes).await;
        callers.push(Caller {
            name,
            user_id: client.user_id,
            role: Role::Integrator,
            relation: Relation::Own,
            token: server.client_token(&client).await.access_token,
            scopes,
        });
    }
    let ids = demo_ids(&server, &login(&server, "demo", MARIO).await, &{
        login(&server, "demo", GIULIA_OPERATOR).await
    })
    .await;

    let http = client();
    let mut unmapped = Vec::new();
    let mut wrong = Vec::new();
    let mut calls = 0;
    // The changes the comune's staff made: each must be in the Registro attività.
    let mut staff_changes = Vec::new();
    // Operations whose declared scope differs from the table's.
    let mut scopes = Vec::new();
    for (template, operations) in document["paths"].as_object().expect("paths") {
        for (method, operation) in operations.as_object().expect("operations") {
            let operation_id = operation["operationId"].as_str().expect("operationId");
            let Some(rule) = rule(operation_id) else {
                unmapped.push(format!(
                    "{} {template} ({operation_id})",
                    method.to_uppercase()
                ));
                continue;
            };
            // The document and the table agree on which routes need a login.
            let secured = operation["security"].as_array().is_some_and(|all| {
                !all.is_empty()
                    && all
                        .iter()
                        .all(|r| r.as_object().is_some_and(|r| !r.is_empty()))
            });
            assert_eq!(
                secured,
                !matches!(rule, Rule::Public),
                "{operation_id}: the document's security and the table's rule differ"
            );
            // An API client's scope: declared where, and as, the table asks for one.
            let declared: Vec<&str> = operation["security"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|r| r["oauth2"].as_array())
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            let needed = match rule {
                Rule::May(action, _) => action.scope().map(|s| s.as_str()),
                _ => None,
            };
            if declared != needed.into_iter().collect::<Vec<_>>() {
                scopes.push(format!(
                    "{operation_id}: the document says {declared:?}, the table {needed:?}"
                ));
            }
            let mut path = template.clone();
            while let Some(start) = path.find('{') {
                let end = path[start..].find('}').expect("closing brace") + start;
                let value = id_of(&ids, template, &path[start + 1..end]);
                path.replace_range(start..=end, &value);
            }
            let (query, body) = query_and_body(operation_id, &ids);
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            // Without login first, then the refused, other families and comuni, and the
            // allowed users last: their writes never decide another caller's answer.
            let mut order: Vec<Option<&Caller>> = vec![None];
            order.extend(
                callers
                    .iter()
                    .filter(|c| c.relation != Relation::Own)
                    .map(Some),
            );
            order.extend(
                callers
                    .iter()
                    .filter(|c| c.relation == Relation::Own)
                    .map(Some),
            );
            // What an allowed caller deleted is gone for the next allowed caller.
            let mut deleted = false;
            for caller in order {
                if caller.is_some() && matches!(rule, Rule::Public) {
                    continue;
                }
                let mut request =
                    http.request(method.clone(), server.api(&format!("{path}{query}")));
                if let Some(caller) = caller {
                    request = request.bearer_auth(&caller.token);
                }
                if let Some(body) = &body {
                    request = request.json(body);
                }
                let status = request.send().await.expect("request").status();
                calls += 1;
                if let Some(caller) = caller.filter(|c| audit::recorded(c.role)) {
                    if method != Method::GET && status.is_success() {
                        staff_changes.push((operation_id, caller.name, caller.user_id));
                    }
                }
                let who = caller.map_or("without login", |c| c.name);
                let ok = match expected(rule, caller) {
                    Some(want) => status == want,
                    None if deleted && status == StatusCode::NOT_FOUND => true,
                    None => {
                        deleted |= method == Method::DELETE && status.is_success();
                        !status.is_server_error()
                            && if matches!(rule, Rule::Public) {
                                status != StatusCode::FORBIDDEN
                            } else {
                                ![
                                    StatusCode::UNAUTHORIZED,
                                    StatusCode::FORBIDDEN,
                                    StatusCode::NOT_FOUND,
                                ]
                                .contains(&status)
                            }
                    }
                };
                if !ok {
                    wrong.push(format!(
                        "{method} {path}{query} ({operation_id}) {who}: {status}, the table says {}",
                        expected(rule, caller)
                            .map_or("allowed".to_string(), |s| s.as_u16().to_string())
                    ));
                }
            }
        }
    }
    assert!(
        unmapped.is_empty(),
        "operations without a rule in the matrix (map each to its Action): {unmapped:#?}"
    );
    assert!(
        wrong.is_empty(),
        "answers against the permission table: {wrong:#?}"
    );
    assert!(
        scopes.is_empty(),
        "API clients' scopes in the document against the table: {scopes:#?}"
    );
    assert!(calls > 200, "only {calls} calls: the document was not read");
    let mut unrecorded = Vec::new();
    for (operation_id, who, user_id) in &staff_changes {
        let rows: i64 = server
            .scalar(&format!(
                "SELECT COUNT(*) FROM audit_events \
                 WHERE operation = '{operation_id}' AND actor_id = {user_id}"
            ))
            .await;
        if rows == 0 {
            unrecorded.push(format!("{operation_id} by {who}"));
        }
        if audit::label(operation_id).is_none() {
            unrecorded.push(format!(
                "{operation_id}: no Italian name in sportello_model::audit::label"
            ));
        }
    }
    assert!(
        unrecorded.is_empty(),
        "changes of the comune's staff missing from the Registro attività or unnamed: {unrecorded:#?}"
    );
    assert!(
        staff_changes.len() > 30,
        "only {} changes by the staff: {staff_changes:?}",
        staff_changes.len()
    );
    let families: i64 = server
        .scalar("SELECT COUNT(*) FROM audit_events WHERE actor_role IN ('guardian', 'delegate')")
        .await;
    assert_eq!(
        families, 0,
        "the families' own changes are not the office's log"
    );
}
