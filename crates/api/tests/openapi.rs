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
