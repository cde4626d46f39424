//! The two demo comuni with their rules and services.

use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, DbErr};
use sportello_model::entes::{CutoffRule, ServiceKind};
use sportello_model::Weekdays;
use sportello_pagopa::EnteFiscalCode;
use time::OffsetDateTime;

use super::custom;
use crate::entes::entity::{ente, fee_band, service};

/// A comune's settings, its services (code, name, kind) and their fee bands.
pub(super) struct Comune {
    pub slug: &'static str,
    pub name: &'static str,
    pub fiscal_code: &'static str,
    pub password_login: bool,
    pub cutoff: (&'static str, CutoffRule),
    pub weekdays: Weekdays,
    /// Minimum, maximum and step of a recharge, in cents.
    pub recharge: (i64, i64, Option<i64>),
    /// Negative balance allowed, blank meal, personal meal.
    pub flags: (bool, bool, bool),
    /// Aux digit, application code, segregation code.
    pub pagopa: (i32, Option<&'static str>, Option<&'static str>),
    /// The school office's e-mail, telephone and address.
    pub contacts: (&'static str, &'static str, &'static str),
    pub services: &'static [(&'static str, &'static str, ServiceKind)],
    pub bands: &'static [Band],
}

/// A fee band of a service (by its code): name, ISEE from and to, meal price and quota,
/// in cents.
pub(super) type Band = (&'static str, &'static str, i64, Option<i64>, i64, i64);

/// Comune di Demo: the Cambiago guide's rules (password login, changes until 15:00 of the
/// same day, Monday to Friday, negative balance allowed).
pub(super) const DEMO: Comune = Comune {
    slug: "demo",
    name: "Comune di Demo",
    fiscal_code: "80012340156",
    password_login: true,
    cutoff: ("15:00", CutoffRule::SameDay),
    weekdays: Weekdays::MONDAY_TO_FRIDAY,
    recharge: (500, 50000, None),
    flags: (true, true, true),
    pagopa: (3, None, Some("01")),
    contacts: (
        "ufficio.scuola@comune.demo.it",
        "02 1234567",
        "Piazza del Municipio 1, Demo: dal lunedì al venerdì 9:00-12:30",
    ),
    services: &[
        ("REF", "Refezione Scolastica", ServiceKind::Prepaid),
        ("TRA", "Trasporto Scolastico", ServiceKind::Emissions),
    ],
    bands: &[
        ("REF", "Fascia c.p. 1 q.f0", 0, Some(600_000), 250, 0),
        (
            "REF",
            "Fascia c.p. 3 q.f80",
            600_001,
            Some(1_500_000),
            420,
            8_000,
        ),
        ("REF", "Fascia c.p. 5 q.f100", 1_500_001, None, 500, 10_000),
        ("TRA", "Fascia unica", 0, None, 0, 4_760),
    ],
};

/// Comune di Esempio: the Mozzecane guide's rules (SPID/CIE only, changes until 09:30,
/// Tuesday to Friday, recharges in multiples of 5,40 €).
pub(super) const ESEMPIO: Comune = Comune {
    slug: "esempio",
    name: "Comune di Esempio",
    fiscal_code: "00412340234",
    password_login: false,
    cutoff: ("09:30", CutoffRule::SameDay),
    weekdays: Weekdays::TUESDAY_TO_FRIDAY,
    recharge: (540, 54000, Some(540)),
    flags: (false, false, false),
    pagopa: (0, Some("02"), None),
    contacts: (
        "scuola@comune.esempio.it",
        "045 7654321",
        "Piazza Roma 1, Esempio: martedì e giovedì 9:00-12:00",
    ),
    services: &[("REF", "Refezione Scolastica", ServiceKind::Prepaid)],
    bands: &[("REF", "Fascia A", 0, None, 540, 0)],
};

/// Inserts the comune, then its services in their order.
pub(super) async fn insert<C: ConnectionTrait>(
    db: &C,
    comune: &Comune,
    now: OffsetDateTime,
) -> Result<(ente::Model, Vec<service::Model>), DbErr> {
    let ente = ente::ActiveModel {
        slug: Set(comune.slug.into()),
        name: Set(comune.name.into()),
        fiscal_code: Set(EnteFiscalCode::parse(comune.fiscal_code).map_err(custom)?),
        password_login_enabled: Set(comune.password_login),
        booking_cutoff_time: Set(comune.cutoff.0.into()),
        booking_cutoff_rule: Set(comune.cutoff.1),
        bookable_weekdays: Set(comune.weekdays),
        recharge_min_cents: Set(comune.recharge.0),
        recharge_max_cents: Set(comune.recharge.1),
        recharge_step_cents: Set(comune.recharge.2),
        negative_balance_allowed: Set(comune.flags.0),
        blank_meal_enabled: Set(comune.flags.1),
        personal_meal_enabled: Set(comune.flags.2),
        pagopa_aux_digit: Set(comune.pagopa.0),
        pagopa_application_code: Set(comune.pagopa.1.map(Into::into)),
        pagopa_segregation_code: Set(comune.pagopa.2.map(Into::into)),
        pagopa_iban: Set(Some("IT60X0542811101000000123456".into())),
        pagopa_taxonomy: Set(Some("9/0101108TS/".into())),
        contact_email: Set(Some(comune.contacts.0.into())),
        contact_phone: Set(Some(comune.contacts.1.into())),
        contact_address: Set(Some(comune.contacts.2.into())),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let mut services = Vec::with_capacity(comune.services.len());
    for (code, name, kind) in comune.services {
        services.push(
            service::ActiveModel {
                ente_id: Set(ente.ente_id()),
                code: Set((*code).into()),
                name: Set((*name).into()),
                kind: Set(*kind),
                active: Set(true),
                ..Default::default()
            }
            .insert(db)
            .await?,
        );
    }
    for (code, name, from, to, meal_price, quota) in comune.bands {
        let service = services
            .iter()
            .find(|s| s.code == *code)
            .ok_or_else(|| custom(format!("no service {code} for the band {name}")))?;
        fee_band::ActiveModel {
            ente_id: Set(ente.ente_id()),
            service_id: Set(service.id),
            name: Set((*name).into()),
            isee_from_cents: Set(*from),
            isee_to_cents: Set(*to),
            meal_price_cents: Set(*meal_price),
            quota_cents: Set(*quota),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    Ok((ente, services))
}
