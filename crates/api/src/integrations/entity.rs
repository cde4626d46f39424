//! Table `api_clients`.

pub mod api_client {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "api_clients")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub ente_id: crate::db::EnteId,
        /// The client's own account (role `integrator`), to which its actions are
        /// attributed.
        pub user_id: i64,
        pub name: String,
        /// The public identifier the program sends.
        pub client_id: String,
        /// SHA-256 of the secret; the secret itself is never stored.
        pub secret_hash: String,
        /// The scopes granted, space-separated.
        pub scopes: String,
        /// Raised by each new secret: tokens of an earlier version stop working.
        pub secret_version: i32,
        pub created_by: i64,
        pub created_at: TimeDateTimeWithTimeZone,
        pub rotated_at: Option<TimeDateTimeWithTimeZone>,
        pub last_used_at: Option<TimeDateTimeWithTimeZone>,
        pub revoked_at: Option<TimeDateTimeWithTimeZone>,
    }

    crate::db::entity_basics!(tenant);

    impl Model {
        /// The scopes granted.
        pub fn granted(&self) -> Vec<sportello_model::integrations::Scope> {
            sportello_model::integrations::parse_scopes(&self.scopes).0
        }
    }
}
