//! Every query on a tenant table (an entity with an `ente_id` column) is scoped by the
//! comune: it starts from `TenantScoped::find_in_ente` (which takes a `db::EnteId`, only
//! ever read from the principal, an ente row or a tenant row) or filters `Column::EnteId`
//! (`eq` or `is_in`) in the same statement. `Entity::find()`, `find_by_id(…)`, `update_many()`, `delete_many()` and
//! `delete_by_id(…)` on a tenant entity anywhere else must be one of the reviewed places
//! below, each with its reason; a new unscoped query fails this test.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Reviewed unscoped statements: (file under `src/`, `entity::Entity::method`, how many
/// times, why it cannot leak another comune's rows).
const REVIEWED: &[(&str, &str, usize, &str)] = &[
    // Sessions and tokens: the row is found by a secret only its holder has (hashed token,
    // session family of a verified JWT, OIDC state); the ente comes from that row.
    (
        "auth.rs",
        "user::Entity::find_by_id",
        1,
        "the verified JWT's user; its ente is checked against the claims",
    ),
    (
        "auth.rs",
        "refresh_token::Entity::find",
        1,
        "the verified JWT's session family",
    ),
    (
        "auth.rs",
        "api_client::Entity::find_by_id",
        1,
        "the verified JWT's API client; its ente, account and secret version are checked against the claims",
    ),
    (
        "integrations/token.rs",
        "api_client::Entity::find",
        1,
        "by the client_id the program presents, then its secret; the token's ente comes from that row",
    ),
    (
        "accounts/sessions.rs",
        "refresh_token::Entity::find",
        1,
        "by the hash of the presented refresh token",
    ),
    (
        "accounts/sessions.rs",
        "refresh_token::Entity::update_many",
        2,
        "revokes a session or a user's sessions (the principal's), claims the presented token",
    ),
    (
        "accounts/sessions.rs",
        "user::Entity::find_by_id",
        1,
        "the user of the presented refresh token",
    ),
    (
        "accounts/service.rs",
        "password_reset_token::Entity::find",
        1,
        "by the hash of the presented reset token",
    ),
    (
        "accounts/service.rs",
        "password_reset_token::Entity::update_many",
        1,
        "claims the presented reset token",
    ),
    (
        "accounts/service.rs",
        "user::Entity::update_many",
        1,
        "the user of the claimed reset token",
    ),
    (
        "accounts/oidc.rs",
        "oidc_state::Entity::find",
        1,
        "by the state the identity provider returned",
    ),
    (
        "accounts/oidc.rs",
        "oidc_state::Entity::delete_by_id",
        1,
        "the state row just found",
    ),
    (
        "accounts/oidc.rs",
        "oidc_grant::Entity::find",
        1,
        "by the session being logged out (a random family id)",
    ),
    (
        "accounts/oidc.rs",
        "oidc_grant::Entity::delete_by_id",
        1,
        "the grant row just found",
    ),
    (
        "accounts/devices.rs",
        "known_device::Entity::find",
        1,
        "by the hash of the device token the browser presented",
    ),
    (
        "accounts/routes.rs",
        "user::Entity::find_by_id",
        1,
        "the principal's own user row",
    ),
    // Operations: figures over the whole installation, for whoever runs it.
    (
        "operations/metrics.rs",
        "outbox_message::Entity::find",
        1,
        "counts the messages waiting in every comune's outbox for the metrics",
    ),
    // The outbox's worker delivers the messages of every comune.
    (
        "communications/outbox.rs",
        "outbox_message::Entity::find",
        1,
        "reads back the rows the worker's claim just updated",
    ),
    (
        "communications/outbox.rs",
        "outbox_message::Entity::update_many",
        3,
        "claims due messages of every comune, and records the result of the ones it claimed",
    ),
    (
        "communications/dev_outbox.rs",
        "outbox_message::Entity::find",
        1,
        "the development sink's page (never in production) lists every comune's messages",
    ),
    // Jobs that run across every comune.
    (
        "canteen/charging.rs",
        "service::Entity::find",
        1,
        "the daily charging job runs for every comune's services",
    ),
    (
        "payments/reminders.rs",
        "reminder_schedule::Entity::find",
        1,
        "the daily reminders job finds the comuni whose schedule is on, then works in each",
    ),
    // pagoPA: the station's receipts and the simulator are keyed by the ente's fiscal code
    // and the notice number (unique per ente), or by a simulated cart's secret id.
    (
        "payments/receipts.rs",
        "receipt::Entity::find",
        2,
        "by the receipt id pagoPA sent, and the receipts of notices read scoped",
    ),
    (
        "payments/receipts.rs",
        "payment_notice::Entity::update_many",
        1,
        "the notice just found for the receipt",
    ),
    (
        "payments/receipts.rs",
        "receipt::Entity::update_many",
        1,
        "the receipt just stored",
    ),
    (
        "payments/receipts.rs",
        "emission::Entity::update_many",
        1,
        "the emission of the notice just paid",
    ),
    (
        "payments/receipts.rs",
        "receipt::Entity::find_by_id",
        1,
        "the receipt of a notice read scoped to the guardian",
    ),
    (
        "payments/simulator.rs",
        "payment_notice::Entity::find_by_id",
        1,
        "the notice the counter just found",
    ),
    // Rows reached by the id of a row already read through a scoped query.
    (
        "payments/service.rs",
        "user::Entity::find_by_id",
        1,
        "the principal's own user",
    ),
    (
        "payments/emissions.rs",
        "payment_notice::Entity::find_by_id",
        1,
        "the notice of an emission read scoped",
    ),
    (
        "payments/emissions.rs",
        "service::Entity::find_by_id",
        1,
        "the service of an emission read scoped",
    ),
    (
        "payments/notices.rs",
        "user::Entity::find_by_id",
        1,
        "the guardian of a notice read scoped",
    ),
    (
        "payments/notices.rs",
        "payment_notice::Entity::find",
        1,
        "expires abandoned online-only notices of every comune (job), or the one given",
    ),
    (
        "payments/notices.rs",
        "payment_notice::Entity::find_by_id",
        1,
        "the notice just updated",
    ),
    (
        "payments/notices.rs",
        "payment_notice::Entity::update_many",
        1,
        "a notice read scoped",
    ),
    (
        "payments/carts.rs",
        "user::Entity::find_by_id",
        1,
        "the principal's own user",
    ),
    (
        "payments/ledger.rs",
        "ledger_movement::Entity::find",
        2,
        "by meal keys that embed child and service, and by an account read scoped",
    ),
    (
        "payments/ledger.rs",
        "prepaid_account::Entity::find",
        2,
        "the accounts just appended to, locked before their balances move",
    ),
    (
        "payments/ledger.rs",
        "prepaid_account::Entity::find_by_id",
        1,
        "an account read scoped",
    ),
    (
        "payments/ledger.rs",
        "prepaid_account::Entity::update_many",
        1,
        "an account read scoped",
    ),
    (
        "payments/corrections.rs",
        "ledger_movement::Entity::find",
        1,
        "by the request key; a key of another account is refused",
    ),
    (
        "bookings/calendar.rs",
        "service::Entity::update_many",
        1,
        "raises the revision of a service read scoped, or of the principal's comune's services",
    ),
    (
        "bookings/calendar.rs",
        "closure::Entity::update_many",
        1,
        "the closure just inserted",
    ),
    (
        "bookings/service.rs",
        "booking::Entity::delete_many",
        1,
        "the bookings of a child read scoped",
    ),
];

const METHODS: &[&str] = &[
    "find",
    "find_by_id",
    "update_many",
    "delete_many",
    "delete_by_id",
];

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The entity modules (`pub mod name { … }`) whose model has an `ente_id` column.
fn tenant_entities(files: &[(String, String)]) -> Vec<String> {
    let mut names = Vec::new();
    for (_, text) in files {
        let mut current = None;
        for line in text.lines() {
            if let Some(rest) = line.strip_prefix("pub mod ") {
                current = rest.strip_suffix(" {").map(str::to_string);
            }
            if line.trim_start().starts_with("pub ente_id:") {
                if let Some(name) = current.clone() {
                    names.push(name);
                }
            }
        }
    }
    names.sort();
    names.dedup();
    names
}

/// Unscoped statements per (file, `entity::Entity::method`).
fn unscoped(files: &[(String, String)], entities: &[String]) -> BTreeMap<(String, String), usize> {
    let mut found = BTreeMap::new();
    for (file, text) in files {
        for entity in entities {
            for method in METHODS {
                let call = format!("{entity}::Entity::{method}(");
                let mut from = 0;
                while let Some(at) = text[from..].find(&call).map(|i| i + from) {
                    from = at + call.len();
                    let boundary = text[..at]
                        .chars()
                        .next_back()
                        .is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
                    if !boundary {
                        continue;
                    }
                    let statement = &text[at..text[at..].find(';').map_or(text.len(), |e| at + e)];
                    if ["Column::EnteId.eq(", "Column::EnteId.is_in("]
                        .iter()
                        .any(|scope| statement.contains(scope))
                    {
                        continue;
                    }
                    *found
                        .entry((file.clone(), call.trim_end_matches('(').to_string()))
                        .or_default() += 1;
                }
            }
        }
    }
    found
}

#[test]
fn every_query_on_a_tenant_table_is_scoped_by_the_comune_or_reviewed() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut paths = Vec::new();
    sources(&src, &mut paths);
    let files: Vec<(String, String)> = paths
        .iter()
        .map(|p| {
            let name = p
                .strip_prefix(&src)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            (name, std::fs::read_to_string(p).expect("read source"))
        })
        .filter(|(name, _)| name != "db.rs")
        .collect();
    let entities = tenant_entities(&files);
    assert!(
        ["child", "user", "payment_notice", "booking"]
            .iter()
            .all(|e| entities.iter().any(|n| n == e)),
        "the tenant entities were not found: {entities:?}"
    );
    let mut problems = Vec::new();
    for ((file, call), count) in unscoped(&files, &entities) {
        let allowed = REVIEWED
            .iter()
            .find(|(f, c, _, _)| *f == file && *c == call)
            .map_or(0, |(_, _, n, _)| *n);
        if count > allowed {
            problems.push(format!(
                "{file}: {count} × {call} not scoped by the comune (reviewed: {allowed}); \
                 start from find_in_ente or filter EnteId, or review it in REVIEWED"
            ));
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn an_unscoped_query_is_found() {
    let files = vec![(
        "x.rs".to_string(),
        "pub mod child {\n    pub ente_id: i64,\n}\n\
         let a = child::Entity::find().all(db).await?;\n\
         let b = child::Entity::find().filter(child::Column::EnteId.eq(1)).all(db).await?;\n\
         let d = child::Entity::find().filter(child::Column::EnteId.is_in(ids)).all(db).await?;\n\
         let c = grandchild::Entity::find();\n"
            .to_string(),
    )];
    let entities = tenant_entities(&files);
    assert_eq!(entities, ["child"]);
    let found = unscoped(&files, &entities);
    assert_eq!(
        found.into_iter().collect::<Vec<_>>(),
        [(("x.rs".to_string(), "child::Entity::find".to_string()), 1)]
    );
}
