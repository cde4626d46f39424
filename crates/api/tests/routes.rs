//! Every route is declared once: the OpenAPI document lists exactly the handlers
//! annotated with `#[utoipa::path]`, and every operation it lists is served.

use std::collections::BTreeSet;
use std::path::Path;

use actix_web::http::Method;
use actix_web::test::{call_service, init_service, TestRequest};
use actix_web::{web, App, HttpResponse};
use sportello_api::{openapi, startup};
use utoipa_actix_web::service_config::ServiceConfig;

/// Marks the answers of the fallback service: the request matched no route.
const UNROUTED: &str = "x-unrouted";

/// `(METHOD, path)` of every operation in the document, paths relative to `/api/v1`.
fn documented() -> BTreeSet<(String, String)> {
    let document = serde_json::to_value(openapi::document()).unwrap();
    let paths = document["paths"].as_object().unwrap();
    paths
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap()
                .keys()
                .filter(|key| ["get", "put", "post", "delete", "patch"].contains(&key.as_str()))
                .map(|method| (method.to_uppercase(), path.clone()))
        })
        .collect()
}

/// `(METHOD, path)` of every handler in the source that carries `#[utoipa::path]`: the
/// actix route attribute that follows the annotation.
fn annotated() -> BTreeSet<(String, String)> {
    let mut found = BTreeSet::new();
    let mut pending = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("src")];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let source = std::fs::read_to_string(&path).unwrap();
                for after in source.split("\n#[utoipa::path").skip(1) {
                    let route = after
                        .lines()
                        .find_map(|line| {
                            let attribute = line.strip_prefix("#[")?;
                            let (method, rest) = attribute.split_once("(\"")?;
                            let (path, _) = rest.split_once('"')?;
                            ["get", "put", "post", "delete", "patch"]
                                .contains(&method)
                                .then(|| (method.to_uppercase(), path.to_string()))
                        })
                        .unwrap_or_else(|| {
                            panic!("{}: #[utoipa::path] without a route", path.display())
                        });
                    found.insert(route);
                }
            }
        }
    }
    found
}

#[test]
fn the_document_lists_every_annotated_handler_and_nothing_else() {
    let documented = documented();
    let annotated = annotated();
    assert!(annotated.len() > 40, "the source scan found {annotated:?}");
    let undocumented: Vec<_> = annotated.difference(&documented).collect();
    let unknown: Vec<_> = documented.difference(&annotated).collect();
    assert!(
        undocumented.is_empty(),
        "handlers with #[utoipa::path] missing from the document (register them in startup::api_v1): {undocumented:?}"
    );
    assert!(
        unknown.is_empty(),
        "operations in the document without an annotated handler: {unknown:?}"
    );
}

#[actix_web::test]
async fn every_documented_operation_is_served() {
    let app = init_service(
        App::new().service(
            web::scope(sportello_model::paths::BASE)
                .configure(|cfg| startup::api_v1(&mut ServiceConfig::new(cfg)))
                .default_service(web::to(|| async {
                    HttpResponse::NotFound()
                        .insert_header((UNROUTED, "1"))
                        .finish()
                })),
        ),
    )
    .await;
    let mut unserved = Vec::new();
    for (method, path) in documented() {
        let concrete: String = path
            .split('/')
            .map(|segment| {
                if segment.starts_with('{') {
                    "1"
                } else {
                    segment
                }
            })
            .collect::<Vec<_>>()
            .join("/");
        let request = TestRequest::default()
            .method(Method::from_bytes(method.as_bytes()).unwrap())
            .uri(&sportello_model::paths::absolute(&concrete))
            .to_request();
        let response = call_service(&app, request).await;
        if response.headers().contains_key(UNROUTED) {
            unserved.push((method, path));
        }
    }
    assert!(
        unserved.is_empty(),
        "documented operations that no route answers: {unserved:?}"
    );
}

/// The paths `sportello_model::paths` builds, with each argument given as its template
/// placeholder, are exactly the document's paths.
#[test]
fn the_model_builds_every_documented_path() {
    use sportello_model::paths::*;
    let built: BTreeSet<String> = [
        health(),
        health_live(),
        health_ready(),
        entes(),
        ente("{slug}"),
        news("{slug}"),
        news_item("{slug}", "{id}"),
        documents("{slug}"),
        document_file("{slug}", "{id}"),
        login("{slug}"),
        oidc_start("{slug}", "{provider}"),
        oidc_callback(),
        federation_configuration(),
        federation_fetch(),
        federation_list(),
        federation_resolve(),
        comune_federation_configuration("{slug}"),
        password_reset("{slug}"),
        password_reset_confirm(),
        refresh(),
        logout(),
        me(),
        children(),
        child("{id}"),
        families(),
        family("{id}"),
        family_children("{id}"),
        family_child("{id}", "{child_id}"),
        family_delegates("{id}"),
        family_delegate("{id}", "{delegate_id}"),
        registry_import_check(),
        registry_import(),
        payment_services(),
        statement("{id}"),
        family_statement("{id}", "{guardian_id}"),
        family_movements("{id}", "{guardian_id}"),
        recharges("{id}"),
        service_notices("{id}"),
        notice("{id}"),
        notice_pdf("{id}"),
        notice_checkout("{id}"),
        notice_cancel("{id}"),
        carts(),
        cart("{id}"),
        notice_verify("{id}"),
        reconciliation_flows(),
        tax_deductions("{year}"),
        tax_deduction_certificates("{year}"),
        tax_deductions_csv("{year}"),
        year_end("{year}"),
        year_end_credits("{year}"),
        year_end_ask_ahead("{year}"),
        year_end_close("{year}"),
        year_end_refund("{id}"),
        family_year_end_credits(),
        family_year_end_credit("{id}"),
        reconciliation_discrepancies(),
        receipts(),
        receipt_pdf("{id}"),
        pagopa_station(),
        emit(),
        emissions(),
        emission("{id}"),
        month("{child_id}", "{service_id}", "{month}"),
        booking_day("{child_id}", "{day}"),
        booking_range("{child_id}"),
        calendar("{service_id}"),
        closures("{service_id}"),
        closure("{service_id}", "{closure_id}"),
        roster(),
        attendance("{child_id}"),
        kitchen_counts(),
        charges(),
        forms(),
        form("{id}"),
        form_publish("{id}"),
        form_close("{id}"),
        form_ranking("{id}"),
        form_ranking_publish("{id}"),
        form_new_version("{id}"),
        form_submissions("{id}"),
        form_export("{id}"),
        form_submission_counts("{id}"),
        form_bulk_accept("{id}"),
        review("{id}"),
        review_upload("{id}", "{upload_id}"),
        review_terms("{id}"),
        review_accept("{id}"),
        review_refuse("{id}"),
        review_block("{id}"),
        review_to_validate("{id}"),
        open_forms(),
        open_form("{id}"),
        start_submission("{id}"),
        my_submissions(),
        my_submission("{id}"),
        my_submission_send("{id}"),
        my_submission_pay_and_send("{id}"),
        my_submission_cancel("{id}"),
        my_submission_pdf("{id}"),
        my_submission_uploads("{id}"),
        my_submission_upload("{id}", "{upload_id}"),
        my_contacts(),
        my_channels(),
        my_contact_changes(),
        my_contact_confirmation(),
        my_letters(),
        my_letters_unread(),
        my_letter("{id}"),
        my_letter_pdf("{id}"),
        my_letter_attachment("{id}"),
        communications(),
        communication_preview(),
        communication_attachments(),
        communication_families(),
        communication_audiences(),
        outbox(),
        outbox_retry("{id}"),
        office_settings(),
        office_logo(),
        office_services(),
        office_service("{id}"),
        office_service_bands("{id}"),
        office_schools(),
        office_school("{id}"),
        office_school_classes("{id}"),
        office_school_class("{id}", "{class_id}"),
        child_enrolments("{id}"),
        child_enrolment("{id}", "{enrolment_id}"),
        child_enrolment_end("{id}", "{enrolment_id}"),
        low_balance_alert("{id}"),
        reminder_schedule(),
        reminders(),
        reminders_run(),
        office_staff(),
        office_staff_member("{id}"),
        office_staff_invitation("{id}"),
        oauth_token(),
        status(),
        office_api_clients(),
        office_api_client("{id}"),
        office_api_client_secret("{id}"),
        office_api_client_revocation("{id}"),
        news_attachment("{slug}", "{id}", "{attachment_id}"),
        office_news(),
        office_news_item("{id}"),
        office_news_unpublish("{id}"),
        office_news_republish("{id}"),
        office_news_attachments("{id}"),
        office_news_attachment("{id}", "{attachment_id}"),
        office_documents(),
        office_document("{id}"),
        office_document_file("{id}"),
        office_document_unpublish("{id}"),
        office_document_republish("{id}"),
        emission_batch_preview(),
        emission_batches(),
        emission_cancel("{id}"),
        report_receipts(),
        report_receipts_csv(),
        report_debtors(),
        report_debtors_csv(),
        report_meals(),
        report_meals_csv(),
        report_balances(),
        report_balances_csv(),
        audit(),
        audit_csv(),
        // Its path without the version that makes a new logo a new address.
        ente_logo("{slug}", "").replace("?v=", ""),
    ]
    .into_iter()
    .collect();
    let documented: BTreeSet<String> = documented().into_iter().map(|(_, path)| path).collect();
    assert_eq!(built, documented);
    let document = serde_json::to_value(openapi::document()).unwrap();
    assert_eq!(document["servers"][0]["url"], BASE);
}
