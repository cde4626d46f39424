//! The Registro attività's table: one row per change, written once, never changed.

pub mod audit_event {
    use sea_orm::entity::prelude::*;
    use sportello_model::auth::Role;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "audit_events")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub ente_id: crate::db::EnteId,
        pub at: TimeDateTimeWithTimeZone,
        pub actor_id: i64,
        /// The author's name when they acted.
        pub actor_name: String,
        pub actor_role: Role,
        /// The OpenAPI operationId, or `METHOD route` for a route the document lacks.
        pub operation: String,
        pub method: String,
        /// The route as registered, relative to `/api/v1`: `/office/staff/{id}`.
        pub route: String,
        /// The route's parameters as a JSON object.
        #[sea_orm(column_type = "Text")]
        pub target: String,
        /// The family (guardian) the change concerns.
        pub family_id: Option<i64>,
        /// JSON, as `model::audit::redact` keeps it.
        #[sea_orm(column_type = "Text")]
        pub before: Option<String>,
        #[sea_orm(column_type = "Text")]
        pub after: Option<String>,
        pub status: i32,
    }

    crate::db::entity_basics!(tenant);
}
