//! Tenancy, accounts, sessions, children, enrolments and public content.

use sea_orm_migration::prelude::*;

use crate::columns::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLES: [&str; 13] = [
    "entes",
    "services",
    "users",
    "children",
    "child_delegates",
    "enrolments",
    "news",
    "documents",
    "refresh_tokens",
    "login_throttle",
    "password_reset_tokens",
    "outbox_emails",
    "oidc_states",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let tables = vec![
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
            table(
                "services",
                vec![
                    id(),
                    big("ente_id"),
                    text("code"),
                    text("name"),
                    text("kind"),
                ],
                vec![fk("services", "ente_id", "entes")],
            ),
            table(
                "users",
                vec![
                    id(),
                    big("ente_id"),
                    text("role"),
                    text("fiscal_code"),
                    text("first_name"),
                    text("last_name"),
                    text_null("email"),
                    text_null("password_hash"),
                    flag("active"),
                    instant("created_at"),
                ],
                vec![fk("users", "ente_id", "entes")],
            ),
            table(
                "children",
                vec![
                    id(),
                    big("ente_id"),
                    big("guardian_id"),
                    text("first_name"),
                    text("last_name"),
                    text("fiscal_code"),
                    day("birth_date"),
                    text("birth_place"),
                    text("sex"),
                    text("address"),
                ],
                vec![
                    fk("children", "ente_id", "entes"),
                    fk("children", "guardian_id", "users"),
                ],
            ),
            table(
                "child_delegates",
                vec![id(), big("ente_id"), big("child_id"), big("delegate_id")],
                vec![
                    fk("child_delegates", "ente_id", "entes"),
                    fk("child_delegates", "child_id", "children"),
                    fk("child_delegates", "delegate_id", "users"),
                ],
            ),
            table(
                "enrolments",
                vec![
                    id(),
                    big("ente_id"),
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
                vec![
                    fk("enrolments", "ente_id", "entes"),
                    fk("enrolments", "child_id", "children"),
                    fk("enrolments", "service_id", "services"),
                ],
            ),
            table(
                "news",
                vec![
                    id(),
                    big("ente_id"),
                    text("title"),
                    long_text("summary"),
                    long_text("body"),
                    day("published_on"),
                ],
                vec![fk("news", "ente_id", "entes")],
            ),
            table(
                "documents",
                vec![
                    id(),
                    big("ente_id"),
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
                vec![fk("documents", "ente_id", "entes")],
            ),
            table(
                "refresh_tokens",
                vec![
                    id(),
                    big("ente_id"),
                    big("user_id"),
                    text("family_id"),
                    text("token_hash"),
                    instant("created_at"),
                    instant("expires_at"),
                    instant_null("replaced_at"),
                    instant_null("revoked_at"),
                ],
                vec![
                    fk("refresh_tokens", "ente_id", "entes"),
                    fk("refresh_tokens", "user_id", "users"),
                ],
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
            table(
                "password_reset_tokens",
                vec![
                    id(),
                    big("ente_id"),
                    big("user_id"),
                    text("token_hash"),
                    instant("created_at"),
                    instant("expires_at"),
                    instant_null("used_at"),
                ],
                vec![
                    fk("password_reset_tokens", "ente_id", "entes"),
                    fk("password_reset_tokens", "user_id", "users"),
                ],
            ),
            table(
                "outbox_emails",
                vec![
                    id(),
                    big("ente_id"),
                    text("to_address"),
                    text("subject"),
                    long_text("body"),
                    instant("created_at"),
                    instant_null("sent_at"),
                    int("attempts"),
                ],
                vec![fk("outbox_emails", "ente_id", "entes")],
            ),
            table(
                "oidc_states",
                vec![
                    id(),
                    big("ente_id"),
                    text("state"),
                    text("provider"),
                    text("code_verifier"),
                    text("nonce"),
                    text("redirect_to"),
                    instant("expires_at"),
                ],
                vec![fk("oidc_states", "ente_id", "entes")],
            ),
        ];
        for t in tables {
            manager.create_table(t).await?;
        }
        let indexes = vec![
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
        ];
        for i in indexes {
            manager.create_index(i).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for name in TABLES.iter().rev() {
            manager
                .drop_table(Table::drop().table(Alias::new(*name)).to_owned())
                .await?;
        }
        Ok(())
    }
}
