//! Tables `entes`, `services`, `fee_bands` and `ente_logos`.

pub mod ente {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "entes")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub slug: String,
        pub name: String,
        pub fiscal_code: sportello_pagopa::EnteFiscalCode,
        pub password_login_enabled: bool,
        pub booking_cutoff_time: String,
        pub booking_cutoff_rule: sportello_model::entes::CutoffRule,
        pub bookable_weekdays: sportello_model::Weekdays,
        pub recharge_min_cents: i64,
        pub recharge_max_cents: i64,
        pub recharge_step_cents: Option<i64>,
        pub negative_balance_allowed: bool,
        pub blank_meal_enabled: bool,
        pub personal_meal_enabled: bool,
        pub pagopa_aux_digit: i32,
        pub pagopa_application_code: Option<String>,
        pub pagopa_segregation_code: Option<String>,
        /// Account credited by pagoPA payments (required by GPD).
        pub pagopa_iban: Option<String>,
        /// pagoPA taxonomy of the ente's school services, e.g. `9/0101108TS/`.
        pub pagopa_taxonomy: Option<String>,
        pub created_at: TimeDateTimeWithTimeZone,
        /// Uses only GPD, with no station of its own: its receipts are fetched from
        /// GPD-payments instead of being delivered by the node.
        pub pagopa_gpd_only: bool,
        /// Working days a receipt may wait for its flusso di rendicontazione before the
        /// reconciliation lists it.
        pub flow_grace_days: i32,
        /// The school office's e-mail, telephone and address, shown to families.
        pub contact_email: Option<String>,
        pub contact_phone: Option<String>,
        pub contact_address: Option<String>,
    }

    crate::db::entity_basics!();
}

pub mod service {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "services")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub ente_id: crate::db::EnteId,
        pub code: String,
        pub name: String,
        pub kind: sportello_model::entes::ServiceKind,
        /// In force; a deactivated service keeps its records but is no longer offered.
        pub active: bool,
        /// Rette pro rata of the days the service runs in a month.
        pub pro_rata: bool,
        /// Raised by every change to what the families' bookings read of the service
        /// (`bookings::calendar::revise`).
        pub revision: i64,
    }

    crate::db::entity_basics!(tenant);
}

pub mod fee_band {
    use sea_orm::entity::prelude::*;

    /// A fee band (fascia) of a service: the ISEE values it covers and what it charges.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "fee_bands")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub ente_id: crate::db::EnteId,
        pub service_id: i64,
        pub name: String,
        pub isee_from_cents: i64,
        /// None: no upper bound.
        pub isee_to_cents: Option<i64>,
        pub meal_price_cents: i64,
        pub quota_cents: i64,
    }

    crate::db::entity_basics!(tenant);
}

pub mod ente_logo {
    use sea_orm::entity::prelude::*;

    /// The comune's logo (one per comune), shown in the public header.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "ente_logos")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub ente_id: crate::db::EnteId,
        pub content_type: String,
        pub content: Vec<u8>,
        pub updated_at: TimeDateTimeWithTimeZone,
    }

    crate::db::entity_basics!(tenant);
}
