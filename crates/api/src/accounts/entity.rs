//! Tables `users`, `refresh_tokens`, `login_throttle`, `password_reset_tokens`, `oidc_states`,
//! `oidc_grants`, `known_devices`, `contact_codes`.

pub mod user {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "users")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub ente_id: crate::db::EnteId,
        pub role: sportello_model::auth::Role,
        pub fiscal_code: sportello_model::FiscalCode,
        pub first_name: String,
        pub last_name: String,
        pub email: Option<String>,
        /// The confirmed mobile number, for SMS.
        pub mobile: Option<sportello_model::sms::MobileNumber>,
        pub password_hash: Option<String>,
        pub active: bool,
        pub created_at: TimeDateTimeWithTimeZone,
        /// Letters by e-mail.
        pub channel_email: bool,
        /// Every letter by SMS, not only urgent notices.
        pub channel_sms: bool,
        /// Letters in App IO, when the comune has it.
        pub channel_app_io: bool,
        /// When a staff account was last invited to choose its password.
        pub invited_at: Option<TimeDateTimeWithTimeZone>,
    }

    crate::db::entity_basics!(tenant);

    impl Model {
        pub fn full_name(&self) -> String {
            format!("{} {}", self.first_name, self.last_name)
        }
    }
}

pub mod refresh_token {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "refresh_tokens")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub ente_id: crate::db::EnteId,
        pub user_id: i64,
        /// All tokens descending from one login share a family: the session.
        pub family_id: String,
        /// SHA-256 of the token; the token itself is never stored.
        pub token_hash: String,
        pub created_at: TimeDateTimeWithTimeZone,
        pub expires_at: TimeDateTimeWithTimeZone,
        /// Set when the token was exchanged for a new one.
        pub replaced_at: Option<TimeDateTimeWithTimeZone>,
        pub revoked_at: Option<TimeDateTimeWithTimeZone>,
    }

    crate::db::entity_basics!();
}

pub mod login_throttle {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "login_throttle")]
    pub struct Model {
        /// `cf:<ente>:<codice fiscale>` or `ip:<address>`.
        #[sea_orm(primary_key, auto_increment = false)]
        pub key: String,
        pub failures: i32,
        pub window_started_at: TimeDateTimeWithTimeZone,
        pub locked_until: Option<TimeDateTimeWithTimeZone>,
    }

    crate::db::entity_basics!();
}

pub mod password_reset_token {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "password_reset_tokens")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub ente_id: crate::db::EnteId,
        pub user_id: i64,
        pub token_hash: String,
        pub created_at: TimeDateTimeWithTimeZone,
        pub expires_at: TimeDateTimeWithTimeZone,
        pub used_at: Option<TimeDateTimeWithTimeZone>,
    }

    crate::db::entity_basics!();
}

pub mod oidc_state {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "oidc_states")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub ente_id: crate::db::EnteId,
        pub state: String,
        pub provider: String,
        pub code_verifier: String,
        pub nonce: String,
        pub redirect_to: String,
        pub expires_at: TimeDateTimeWithTimeZone,
    }

    crate::db::entity_basics!();
}

pub mod oidc_grant {
    use sea_orm::entity::prelude::*;

    /// The identity provider's access token of a SPID/CIE session, revoked at logout.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "oidc_grants")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub ente_id: crate::db::EnteId,
        pub session_family: String,
        pub provider: String,
        pub access_token: String,
        pub expires_at: TimeDateTimeWithTimeZone,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod known_device {
    use sea_orm::entity::prelude::*;

    /// A browser that logged in to an account: its device cookie, stored as SHA-256.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "known_devices")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub ente_id: crate::db::EnteId,
        pub user_id: i64,
        pub device_hash: String,
        pub created_at: TimeDateTimeWithTimeZone,
        pub last_login_at: TimeDateTimeWithTimeZone,
    }

    crate::db::entity_basics!();
}

pub mod contact_code {
    use sea_orm::entity::prelude::*;
    use sportello_model::contacts::ContactKind;

    /// A change of e-mail or mobile number waiting for the code sent to the new one: one
    /// per user and kind, a new request replacing it.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "contact_codes")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub ente_id: crate::db::EnteId,
        pub user_id: i64,
        pub kind: ContactKind,
        /// The new e-mail address, or mobile number in E.164.
        pub value: String,
        /// Hex SHA-256 of the user, the kind, the value and the code; never the code.
        pub code_hash: String,
        /// Wrong codes typed so far.
        pub tries: i32,
        pub created_at: TimeDateTimeWithTimeZone,
        pub expires_at: TimeDateTimeWithTimeZone,
    }

    crate::db::entity_basics!(tenant);
}
