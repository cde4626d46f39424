//! Tenancy, accounts, sessions, children, enrolments and public content.

use sea_orm_migration::prelude::*;

use crate::columns::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

tables_migration!(Migration);

fn tables() -> Vec<TableCreateStatement> {
    vec![
        table(
            "entes",
            vec![
                id(),
                text("slug"),
                text("name"),
                text("fiscal_code"),
                flag("password_login_enabled"),
                text("booking_cutoff_time"),
                text("booking_cutoff_rule"),
                text("bookable_weekdays"),
                big("recharge_min_cents"),
                big("recharge_max_cents"),
                big_null("recharge_step_cents"),
                flag("negative_balance_allowed"),
                flag("blank_meal_enabled"),
                flag("personal_meal_enabled"),
                int("pagopa_aux_digit"),
                text_null("pagopa_application_code"),
                text_null("pagopa_segregation_code"),
                text_null("pagopa_iban"),
                text_null("pagopa_taxonomy"),
                instant("created_at"),
            ],
            vec![],
        ),
        tenant_table(
            "services",
            vec![text("code"), text("name"), text("kind")],
            &[],
        ),
        tenant_table(
            "users",
            vec![
                text("role"),
                text("fiscal_code"),
                text("first_name"),
                text("last_name"),
                text_null("email"),
                text_null("password_hash"),
                flag("active"),
                instant("created_at"),
            ],
            &[],
        ),
        tenant_table(
            "children",
            vec![
                big("guardian_id"),
                text("first_name"),
                text("last_name"),
                text("fiscal_code"),
                day("birth_date"),
                text("birth_place"),
                text("sex"),
                text("address"),
            ],
            &[("guardian_id", "users")],
        ),
        tenant_table(
            "child_delegates",
            vec![big("child_id"), big("delegate_id")],
            &[("child_id", "children"), ("delegate_id", "users")],
        ),
        tenant_table(
            "enrolments",
            vec![
                big("child_id"),
                big("service_id"),
                text("badge"),
                text("school"),
                text("class_name"),
                text("fee_band"),
                big("quota_cents"),
                big("meal_price_cents"),
                text("meal_type"),
                flag("active"),
            ],
            &[("child_id", "children"), ("service_id", "services")],
        ),
        tenant_table(
            "news",
            vec![
                text("title"),
                long_text("summary"),
                long_text("body"),
                day("published_on"),
            ],
            &[],
        ),
        tenant_table(
            "documents",
            vec![
                text("title"),
                long_text("description"),
                text("file_name"),
                text("content_type"),
                ColumnDef::new(Alias::new("content"))
                    .blob()
                    .not_null()
                    .to_owned(),
                big("size_bytes"),
                day("published_on"),
            ],
            &[],
        ),
        tenant_table(
            "refresh_tokens",
            vec![
                big("user_id"),
                text("family_id"),
                text("token_hash"),
                instant("created_at"),
                instant("expires_at"),
                instant_null("replaced_at"),
                instant_null("revoked_at"),
            ],
            &[("user_id", "users")],
        ),
        table(
            "login_throttle",
            vec![
                ColumnDef::new(Alias::new("key"))
                    .string()
                    .not_null()
                    .primary_key()
                    .to_owned(),
                int("failures"),
                instant("window_started_at"),
                instant_null("locked_until"),
            ],
            vec![],
        ),
        tenant_table(
            "password_reset_tokens",
            vec![
                big("user_id"),
                text("token_hash"),
                instant("created_at"),
                instant("expires_at"),
                instant_null("used_at"),
            ],
            &[("user_id", "users")],
        ),
        tenant_table(
            "outbox_emails",
            vec![
                text("to_address"),
                text("subject"),
                long_text("body"),
                instant("created_at"),
                instant_null("sent_at"),
                int("attempts"),
            ],
            &[],
        ),
        tenant_table(
            "oidc_states",
            vec![
                text("state"),
                text("provider"),
                text("code_verifier"),
                text("nonce"),
                text("redirect_to"),
                instant("expires_at"),
            ],
            &[],
        ),
    ]
}

fn indexes() -> Vec<IndexCreateStatement> {
    vec![
        unique("entes", &["slug"]),
        unique("services", &["ente_id", "code"]),
        unique("users", &["ente_id", "fiscal_code"]),
        unique("children", &["ente_id", "fiscal_code"]),
        index("children", &["guardian_id"]),
        unique("child_delegates", &["child_id", "delegate_id"]),
        index("child_delegates", &["delegate_id"]),
        unique("enrolments", &["child_id", "service_id"]),
        index("news", &["ente_id", "published_on"]),
        index("documents", &["ente_id", "published_on"]),
        unique("refresh_tokens", &["token_hash"]),
        index("refresh_tokens", &["family_id"]),
        unique("password_reset_tokens", &["token_hash"]),
        index("outbox_emails", &["sent_at"]),
        unique("oidc_states", &["state"]),
    ]
}
