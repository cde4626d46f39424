//! The checked-in OpenAPI document must be the one the code generates.

use std::path::Path;

#[test]
fn checked_in_openapi_matches_the_code() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../openapi/openapi.json");
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    let generated = sportello_api::openapi::spec_json();
    assert!(
        checked_in == generated,
        "openapi/openapi.json is stale: regenerate it with `scripts/openapi` and commit it"
    );
}

/// The limits the server enforces, as the document states them, are the model's.
#[test]
fn the_document_states_the_limits_the_server_enforces() {
    use sportello_model::limits::*;
    use sportello_model::{dates, page, payments};
    let doc: serde_json::Value =
        serde_json::from_str(&sportello_api::openapi::spec_json()).unwrap();
    let field = |schema: &str, field: &str| {
        doc["components"]["schemas"][schema]["properties"][field].clone()
    };
    let max = |schema: &str, name: &str| field(schema, name)["maxLength"].as_u64();
    let fits = |value: usize| Some(value as u64);
    assert_eq!(
        max("LoginRequest", "fiscal_code"),
        fits(FISCAL_CODE_MAX_CHARS)
    );
    assert_eq!(
        field("LoginRequest", "fiscal_code")["pattern"],
        FISCAL_CODE_PATTERN
    );
    assert_eq!(
        field("PasswordResetRequest", "fiscal_code")["pattern"],
        FISCAL_CODE_PATTERN
    );
    assert_eq!(
        max("PasswordResetRequest", "fiscal_code"),
        fits(FISCAL_CODE_MAX_CHARS)
    );
    assert_eq!(max("LoginRequest", "password"), fits(PASSWORD_MAX_CHARS));
    assert_eq!(
        max("PasswordResetConfirm", "new_password"),
        fits(PASSWORD_MAX_CHARS)
    );
    assert_eq!(
        field("PasswordResetConfirm", "new_password")["minLength"].as_u64(),
        fits(NEW_PASSWORD_MIN_CHARS)
    );
    assert_eq!(max("PasswordResetConfirm", "token"), fits(TOKEN_MAX_CHARS));
    assert_eq!(
        max("RefreshRequest", "refresh_token"),
        fits(TOKEN_MAX_CHARS)
    );
    assert_eq!(max("RechargeRequest", "amount"), fits(AMOUNT_MAX_CHARS));
    assert_eq!(
        max("LowBalanceSettings", "threshold"),
        fits(AMOUNT_MAX_CHARS)
    );
    assert_eq!(max("AccountCorrection", "amount"), fits(AMOUNT_MAX_CHARS));
    assert_eq!(
        max("AccountCorrection", "reason"),
        fits(payments::MAX_REASON_CHARS)
    );
    assert_eq!(
        max("AccountCorrection", "request_id"),
        fits(REQUEST_ID_MAX_CHARS)
    );
    assert_eq!(
        max("NewClosure", "description"),
        fits(CLOSURE_DESCRIPTION_MAX_CHARS)
    );
    assert_eq!(
        field("CalendarSettings", "serving_weekdays")["maxItems"].as_u64(),
        fits(WEEKDAYS_MAX_ITEMS)
    );
    assert_eq!(
        field("BulkAcceptRequest", "ids")["maxItems"].as_u64(),
        fits(sportello_model::forms::BULK_ACCEPT_MAX_ITEMS)
    );
    {
        use sportello_model::entes::*;
        use sportello_model::fee_bands::{BAND_NAME_MAX_CHARS, MAX_BANDS};
        let settings = |name: &str| max("EnteSettingsForm", name);
        assert_eq!(settings("name"), fits(ENTE_NAME_MAX_CHARS));
        assert_eq!(settings("contact_email"), fits(EMAIL_MAX_CHARS));
        assert_eq!(settings("contact_phone"), fits(PHONE_MAX_CHARS));
        assert_eq!(settings("contact_address"), fits(ADDRESS_MAX_CHARS));
        assert_eq!(settings("pagopa_taxonomy"), fits(TAXONOMY_MAX_CHARS));
        assert_eq!(settings("recharge_min"), fits(AMOUNT_MAX_CHARS));
        assert_eq!(max("ServiceForm", "name"), fits(SERVICE_NAME_MAX_CHARS));
        assert_eq!(max("ServiceForm", "code"), fits(SERVICE_CODE_MAX_CHARS));
        assert_eq!(max("FeeBandRow", "name"), fits(BAND_NAME_MAX_CHARS));
        assert_eq!(max("FeeBandRow", "quota"), fits(AMOUNT_MAX_CHARS));
        assert_eq!(
            field("FeeBandsForm", "bands")["maxItems"].as_u64(),
            fits(MAX_BANDS)
        );
    }
    {
        use sportello_model::schools::*;
        assert_eq!(max("SchoolForm", "name"), fits(SCHOOL_NAME_MAX_CHARS));
        assert_eq!(max("SchoolForm", "address"), fits(SCHOOL_ADDRESS_MAX_CHARS));
        assert_eq!(max("SchoolForm", "code"), fits(SCHOOL_CODE_CHARS));
        assert_eq!(max("SchoolClassForm", "name"), fits(CLASS_NAME_MAX_CHARS));
        for schema in ["SchoolClassForm", "EnrolmentForm"] {
            assert_eq!(max(schema, "school_year"), fits(SCHOOL_YEAR_MAX_CHARS));
        }
        assert_eq!(max("EnrolmentForm", "fee_band"), fits(FEE_BAND_MAX_CHARS));
        assert_eq!(max("EnrolmentForm", "badge"), fits(BADGE_MAX_CHARS));
    }
    {
        use sportello_model::rette::MONTH_MAX_CHARS;
        for schema in ["RetteBatchQuery", "NewRetteBatch"] {
            assert_eq!(max(schema, "month"), fits(MONTH_MAX_CHARS));
            assert_eq!(field(schema, "month")["pattern"], dates::MONTH_PATTERN);
        }
        assert_eq!(
            max("NewRetteBatch", "request_id"),
            fits(REQUEST_ID_MAX_CHARS)
        );
        assert_eq!(
            max("EmissionCancellation", "reason"),
            fits(payments::MAX_REASON_CHARS)
        );
    }
    {
        use sportello_model::content::*;
        assert_eq!(max("NewsForm", "title"), fits(TITLE_MAX_CHARS));
        assert_eq!(max("NewsForm", "summary"), fits(SUMMARY_MAX_CHARS));
        assert_eq!(max("NewsForm", "body"), fits(BODY_MAX_CHARS));
        assert_eq!(max("DocumentForm", "title"), fits(TITLE_MAX_CHARS));
        assert_eq!(
            max("DocumentForm", "description"),
            fits(DESCRIPTION_MAX_CHARS)
        );
    }
    assert_eq!(
        doc["components"]["schemas"]["CorrectionKind"]["enum"],
        serde_json::json!(["refund", "adjustment"]),
        "a correction is never a meal or a recharge"
    );

    let operations: Vec<(String, &serde_json::Value)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap()
                .iter()
                .map(move |(method, op)| (format!("{method} {path}"), op))
        })
        .collect();
    let parameter = |op: &serde_json::Value, name: &str| {
        op["parameters"]
            .as_array()
            .and_then(|ps| ps.iter().find(|p| p["name"] == name).cloned())
    };
    let mut paged = 0;
    for (name, op) in &operations {
        if let Some(page_param) = parameter(op, "page") {
            paged += 1;
            assert_eq!(page_param["schema"]["minimum"], 1, "{name}");
            assert_eq!(page_param["schema"]["maximum"], page::MAX_PAGE, "{name}");
            let per_page = parameter(op, "per_page").unwrap();
            assert_eq!(per_page["schema"]["maximum"], page::MAX_PER_PAGE, "{name}");
        }
        for (param, pattern) in [("month", dates::MONTH_PATTERN), ("day", dates::DAY_PATTERN)] {
            if let Some(p) = parameter(op, param).filter(|p| p["in"] == "path") {
                assert_eq!(p["schema"]["pattern"], pattern, "{name}");
            }
        }
        let secured = op["security"].as_array().is_some_and(|all| {
            all.iter()
                .all(|r| r.as_object().is_some_and(|o| !o.is_empty()))
        });
        if secured {
            assert!(op["responses"].get("401").is_some(), "{name} must list 401");
        }
        if op.get("requestBody").is_some() {
            assert!(op["responses"].get("400").is_some(), "{name} must list 400");
        }
    }
    assert!(paged >= 9, "every list is paginated: {paged}");
}
