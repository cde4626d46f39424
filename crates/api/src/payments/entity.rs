//! Tables of the payments capability.

pub mod prepaid_account {
    use sea_orm::entity::prelude::*;

    /// One prepaid account per family (guardian) and prepaid service.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "prepaid_accounts")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub ente_id: crate::db::EnteId,
        pub guardian_id: i64,
        pub service_id: i64,
        /// Always the sum of the account's ledger: updated in the same transaction as
        /// every movement (tests check it).
        pub balance_cents: i64,
        /// Number of movements in the ledger, moved with every movement like the balance.
        pub movement_count: i64,
        pub updated_at: TimeDateTimeWithTimeZone,
    }

    crate::db::entity_basics!(tenant);
}

pub mod ledger_movement {
    use sea_orm::entity::prelude::*;

    /// Append-only: never updated or deleted; a correction is a new movement.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "ledger_movements")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub ente_id: crate::db::EnteId,
        pub account_id: i64,
        pub kind: sportello_model::payments::MovementKind,
        pub amount_cents: i64,
        pub balance_after_cents: i64,
        pub description: String,
        pub child_id: Option<i64>,
        pub service_day: Option<TimeDate>,
        /// The receipt a recharge came from (unique: a receipt credits once).
        pub receipt_row_id: Option<i64>,
        /// `child:service:day` of a meal debit (unique: a meal is charged once).
        pub meal_key: Option<String>,
        /// Key of the operator's request that made it (a retry appends nothing).
        pub request_key: Option<String>,
        pub created_by: Option<i64>,
        /// When it was made; for a recharge, when it was paid.
        pub created_at: TimeDateTimeWithTimeZone,
        /// The movement's date, by which statements are ordered: the school day of a
        /// meal, the Europe/Rome day of `created_at` for everything else.
        pub occurred_on: TimeDate,
    }

    crate::db::entity_basics!();
}

pub mod notice_counter {
    use sea_orm::entity::prelude::*;

    /// Per-ente sequence behind IUVs.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "notice_counters")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub ente_id: i64,
        pub next_value: i64,
    }

    crate::db::entity_basics!(tenant);
}

pub mod payment_notice {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "payment_notices")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub ente_id: crate::db::EnteId,
        pub guardian_id: i64,
        pub service_id: i64,
        pub purpose: sportello_model::payments::NoticePurpose,
        pub notice_number: sportello_pagopa::NoticeNumber,
        pub iuv: String,
        pub amount_cents: i64,
        pub description: String,
        pub due_date: Option<TimeDate>,
        /// After this day the notice can no longer be paid.
        pub expires_on: Option<TimeDate>,
        pub status: sportello_model::payments::NoticeState,
        pub created_at: TimeDateTimeWithTimeZone,
        pub paid_at: Option<TimeDateTimeWithTimeZone>,
        pub receipt_row_id: Option<i64>,
        /// Made only for one online payment attempt (Ricarica → Paga): never listed or
        /// printed, and cancelled when the attempt ends without payment.
        pub online_only: bool,
        /// For a comune that uses only GPD: when its receipt is next asked of pagoPA
        /// (`None`: at the next run).
        pub receipt_poll_at: Option<TimeDateTimeWithTimeZone>,
        /// How many times its receipt was asked for without one.
        pub receipt_polls: i32,
    }

    crate::db::entity_basics!(tenant);
}

pub mod emission {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "emissions")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub ente_id: crate::db::EnteId,
        pub guardian_id: i64,
        pub service_id: i64,
        pub notice_id: i64,
        pub title: String,
        pub due_date: TimeDate,
        pub amount_cents: i64,
        pub status: sportello_model::payments::EmissionStatus,
        /// Caller-chosen key making an emission request idempotent.
        pub external_ref: Option<String>,
        pub created_at: TimeDateTimeWithTimeZone,
        /// The child the emission is for, when it is for one.
        pub child_id: Option<i64>,
        /// A batch's retta: the enrolment and the month (`2026-12`) it is for, unique
        /// with the ente and the service, so that a month is issued once.
        pub enrolment_id: Option<i64>,
        pub batch_month: Option<String>,
        /// Why the office cancelled it, read by the family, and when.
        pub cancel_reason: Option<String>,
        pub cancelled_at: Option<TimeDateTimeWithTimeZone>,
    }

    crate::db::entity_basics!(tenant);
}

pub mod emission_line {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "emission_lines")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub emission_id: i64,
        pub position: i32,
        pub description: String,
        pub amount_cents: i64,
    }

    crate::db::entity_basics!();
}

pub mod receipt {
    use sea_orm::entity::prelude::*;

    /// Every receipt delivered, with what was done with it.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "receipts")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub ente_id: Option<crate::db::EnteId>,
        /// Identifier given by pagoPA/the PSP; unique.
        pub receipt_id: String,
        pub notice_number: sportello_pagopa::NoticeNumber,
        pub ente_fiscal_code: sportello_pagopa::EnteFiscalCode,
        pub amount_cents: i64,
        pub paid_at: TimeDateTimeWithTimeZone,
        pub method: String,
        pub psp: String,
        pub payer_fiscal_code: Option<String>,
        pub outcome: sportello_model::payments::ReceiptOutcome,
        pub notice_id: Option<i64>,
        pub received_at: TimeDateTimeWithTimeZone,
    }

    crate::db::entity_basics!();
}

pub mod payment_cart {
    use sea_orm::entity::prelude::*;

    /// A cart of the family's notices the portal sent to pagoPA Checkout.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "payment_carts")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub ente_id: crate::db::EnteId,
        pub guardian_id: i64,
        /// The request that opened it (unique per family): a retry answers this cart.
        pub request_key: String,
        /// Checkout's page of the cart; empty until Checkout has answered.
        pub checkout_url: String,
        pub created_at: TimeDateTimeWithTimeZone,
        /// Until then its notices count as being paid (an online-only one is not
        /// withdrawn).
        pub expires_at: TimeDateTimeWithTimeZone,
    }

    crate::db::entity_basics!(tenant);
}

pub mod payment_cart_notice {
    use sea_orm::entity::prelude::*;

    /// A notice of a cart.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "payment_cart_notices")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub cart_id: i64,
        pub notice_id: i64,
    }

    crate::db::entity_basics!();
}

pub mod sim_cart {
    use sea_orm::entity::prelude::*;

    /// A cart the built-in pagoPA simulator received, as Checkout keeps it: the request
    /// as sent (JSON) and where its payment stands.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "pagopa_sim_carts")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub token: String,
        pub cart: String,
        pub status: sportello_model::payments::CheckoutStatus,
        pub created_at: TimeDateTimeWithTimeZone,
        pub expires_at: TimeDateTimeWithTimeZone,
    }

    crate::db::entity_basics!();
}

pub mod fdr_flow {
    use sea_orm::entity::prelude::*;

    /// A flusso di rendicontazione, one row per flow and revision (unique per ente).
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "fdr_flows")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub ente_id: crate::db::EnteId,
        pub flow_id: String,
        pub revision: i64,
        pub psp_id: String,
        pub flow_at: TimeDateTimeWithTimeZone,
        pub regulation_id: String,
        pub regulation_date: TimeDate,
        pub payment_count: i64,
        pub total_cents: i64,
        pub source: sportello_model::reconciliation::FlowSource,
        /// A later revision of the same flow replaced it.
        pub superseded: bool,
        pub imported_at: TimeDateTimeWithTimeZone,
    }

    crate::db::entity_basics!(tenant);
}

pub mod fdr_payment {
    use sea_orm::entity::prelude::*;

    /// A payment reported by a flow.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "fdr_payments")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub ente_id: crate::db::EnteId,
        pub flow_row_id: i64,
        pub iuv: String,
        pub iur: String,
        pub transfer_index: i32,
        pub amount_cents: i64,
        pub outcome: sportello_model::reconciliation::FlowPaymentOutcome,
        pub paid_on: TimeDate,
    }

    crate::db::entity_basics!(tenant);
}

pub mod low_balance_alert {
    use sea_orm::entity::prelude::*;

    /// The low-balance alert of a prepaid account (one row per account, made when the
    /// family first sets a threshold). `alerted`: the alert went out and waits for the
    /// balance to rise to the threshold again; only a conditional update sets it.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "low_balance_alerts")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub ente_id: crate::db::EnteId,
        pub account_id: i64,
        /// 0: the alert is off.
        pub threshold_cents: i64,
        pub alerted: bool,
        pub alerted_at: Option<TimeDateTimeWithTimeZone>,
        /// The recharge notice the last alert carried.
        pub notice_id: Option<i64>,
        pub updated_at: TimeDateTimeWithTimeZone,
    }

    crate::db::entity_basics!(tenant);
}

pub mod tax_certificate {
    use sea_orm::entity::prelude::*;

    /// A family's certificate of a year (Detrazione fiscale), written once: unique per
    /// ente, year and guardian. The letter carrying it is in Comunicazioni.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "tax_certificates")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub ente_id: crate::db::EnteId,
        pub year: i32,
        pub guardian_id: i64,
        pub paid_cents: i64,
        pub refunded_cents: i64,
        pub net_cents: i64,
        pub author_id: i64,
        pub created_at: TimeDateTimeWithTimeZone,
    }

    crate::db::entity_basics!(tenant);
}

pub mod reminder_schedule {
    use sea_orm::entity::prelude::*;

    /// A comune's schedule of reminders (Solleciti); none: the default, off.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "reminder_schedules")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub ente_id: crate::db::EnteId,
        pub enabled: bool,
        /// The steps' days, ascending, separated by commas: `7,21`.
        pub steps: String,
        pub updated_at: TimeDateTimeWithTimeZone,
    }

    crate::db::entity_basics!(tenant);
}

pub mod reminder {
    use sea_orm::entity::prelude::*;

    /// A reminder sent: one per debt and step (unique), never updated or deleted.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "reminders")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub ente_id: crate::db::EnteId,
        /// `account:<id>:<day it went negative>` or `emission:<id>`.
        pub debt_key: String,
        /// The step of the schedule, from 1.
        pub step: i32,
        pub kind: sportello_model::reminders::DebtKind,
        pub guardian_id: i64,
        pub account_id: Option<i64>,
        pub emission_id: Option<i64>,
        /// What is owed, as the letter names it: the service or the retta's title.
        pub debt: String,
        pub amount_cents: i64,
        /// The day the account went negative, or the retta's due date.
        pub since: TimeDate,
        /// The notice the letter asks to pay, and the letter: set in the transaction
        /// that claimed the row (its first write), before it commits.
        pub notice_id: Option<i64>,
        pub letter_id: Option<i64>,
        pub created_at: TimeDateTimeWithTimeZone,
    }

    crate::db::entity_basics!(tenant);
}

pub mod year_closing {
    use sea_orm::entity::prelude::*;

    /// A comune's closing of a school year: its terms, when it asked ahead and closed.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "year_closings")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub ente_id: crate::db::EnteId,
        pub school_year: sportello_model::school_year::SchoolYear,
        pub minimum_refund_cents: i64,
        pub choice_deadline: TimeDate,
        pub asked_at: Option<TimeDateTimeWithTimeZone>,
        pub closed_at: Option<TimeDateTimeWithTimeZone>,
        pub closed_by: Option<i64>,
    }

    crate::db::entity_basics!(tenant);
}

pub mod year_end_credit {
    use sea_orm::entity::prelude::*;

    /// A credit left on an account at the end of a school year, one per year and
    /// account, with the family's choice and the movement that settled it.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "year_end_credits")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub ente_id: crate::db::EnteId,
        pub school_year: sportello_model::school_year::SchoolYear,
        pub account_id: i64,
        pub guardian_id: i64,
        pub service_id: i64,
        /// Set when the year is closed.
        pub credit_cents: Option<i64>,
        pub status: sportello_model::year_end::CreditStatus,
        pub choice: Option<sportello_model::year_end::CreditChoice>,
        pub iban: Option<String>,
        pub target_account_id: Option<i64>,
        pub asked_ahead: bool,
        pub chosen_at: Option<TimeDateTimeWithTimeZone>,
        pub chosen_by: Option<i64>,
        pub movement_id: Option<i64>,
        pub settled_at: Option<TimeDateTimeWithTimeZone>,
        pub settled_by: Option<i64>,
        pub created_at: TimeDateTimeWithTimeZone,
    }

    crate::db::entity_basics!(tenant);
}
