//! Demo data for a first look and for tests: two comuni, families, staff, news and
//! documents. Loaded only into an empty database.

use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr,
    EntityTrait, PaginatorTrait, QueryFilter, TransactionTrait,
};
use sportello_model::auth::Role;
use sportello_model::children::{MealType, Sex};
use sportello_model::entes::{CutoffRule, ServiceKind};
use sportello_model::payments::{
    emission_description, EmissionStatus, MovementKind, NoticePurpose,
};
use sportello_model::{format, rome, FiscalCode, Weekdays};
use sportello_pagopa::{EnteFiscalCode, PaymentMethod, SimulatorGateway};
use time::macros::date;
use time::{Date, Month, OffsetDateTime};

use crate::accounts::entity::user;
use crate::accounts::secrets::hash_password;
use crate::bookings::calendar::{insert_range, school_year_start};
use crate::bookings::entity::service_calendar;
use crate::children::entity::{child, child_delegate, enrolment};
use crate::content::entity::{document, news};
use crate::entes::entity::{ente, service};
use crate::payments::entity::{emission, emission_line, payment_notice};
use crate::payments::ledger::{self, NewMovement};
use crate::payments::{notices, receipts};
use crate::pdf::text_document;

/// Password of every demo account (listed in the README).
pub const DEMO_PASSWORD: &str = "Sportello2026";

struct Family<'a> {
    guardian: (&'a str, &'a str, &'a str, &'a str),
    children: Vec<(&'a str, &'a str, &'a str, Date, Sex)>,
}

async fn insert_ente<C: ConnectionTrait>(
    db: &C,
    e: ente::ActiveModel,
) -> Result<ente::Model, DbErr> {
    e.insert(db).await
}

async fn insert_service<C: ConnectionTrait>(
    db: &C,
    ente_id: i64,
    code: &str,
    name: &str,
    kind: ServiceKind,
) -> Result<service::Model, DbErr> {
    service::ActiveModel {
        ente_id: Set(ente_id),
        code: Set(code.into()),
        name: Set(name.into()),
        kind: Set(kind),
        ..Default::default()
    }
    .insert(db)
    .await
}

async fn insert_user<C: ConnectionTrait>(
    db: &C,
    ente_id: i64,
    role: Role,
    (fiscal_code, first_name, last_name, email): (&str, &str, &str, &str),
    password_hash: &str,
    now: OffsetDateTime,
) -> Result<user::Model, DbErr> {
    user::ActiveModel {
        ente_id: Set(ente_id),
        role: Set(role),
        fiscal_code: Set(FiscalCode::parse(fiscal_code).map_err(|e| DbErr::Custom(e.to_string()))?),
        first_name: Set(first_name.into()),
        last_name: Set(last_name.into()),
        email: Set(Some(email.into())),
        password_hash: Set(Some(password_hash.into())),
        active: Set(true),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
}

async fn insert_family<C: ConnectionTrait>(
    db: &C,
    ente_id: i64,
    family: &Family<'_>,
    address: &str,
    password_hash: &str,
    now: OffsetDateTime,
) -> Result<(user::Model, Vec<child::Model>), DbErr> {
    let guardian = insert_user(
        db,
        ente_id,
        Role::Guardian,
        family.guardian,
        password_hash,
        now,
    )
    .await?;
    let mut children = Vec::new();
    for (fiscal_code, first_name, last_name, birth_date, sex) in &family.children {
        children.push(
            child::ActiveModel {
                ente_id: Set(ente_id),
                guardian_id: Set(guardian.id),
                first_name: Set((*first_name).into()),
                last_name: Set((*last_name).into()),
                fiscal_code: Set(
                    FiscalCode::parse(fiscal_code).map_err(|e| DbErr::Custom(e.to_string()))?
                ),
                birth_date: Set(*birth_date),
                birth_place: Set("Milano (MI)".into()),
                sex: Set(*sex),
                address: Set(address.into()),
                ..Default::default()
            }
            .insert(db)
            .await?,
        );
    }
    Ok((guardian, children))
}

#[allow(clippy::too_many_arguments)]
async fn enrol<C: ConnectionTrait>(
    db: &C,
    c: &child::Model,
    s: &service::Model,
    badge: &str,
    school: &str,
    class_name: &str,
    fee_band: &str,
    quota_cents: i64,
    meal_price_cents: i64,
    meal_type: MealType,
) -> Result<(), DbErr> {
    enrolment::ActiveModel {
        ente_id: Set(c.ente_id),
        child_id: Set(c.id),
        service_id: Set(s.id),
        badge: Set(badge.into()),
        school: Set(school.into()),
        class_name: Set(class_name.into()),
        fee_band: Set(fee_band.into()),
        quota_cents: Set(quota_cents),
        meal_price_cents: Set(meal_price_cents),
        meal_type: Set(meal_type),
        active: Set(true),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

async fn insert_news<C: ConnectionTrait>(
    db: &C,
    ente_id: i64,
    published_on: Date,
    title: &str,
    summary: &str,
    body: &str,
) -> Result<(), DbErr> {
    news::ActiveModel {
        ente_id: Set(ente_id),
        title: Set(title.into()),
        summary: Set(summary.into()),
        body: Set(body.into()),
        published_on: Set(published_on),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

async fn insert_document<C: ConnectionTrait>(
    db: &C,
    ente_id: i64,
    published_on: Date,
    title: &str,
    description: &str,
    file_name: &str,
    paragraphs: &[&str],
) -> Result<(), DbErr> {
    let content = text_document(title, paragraphs);
    document::ActiveModel {
        ente_id: Set(ente_id),
        title: Set(title.into()),
        description: Set(description.into()),
        file_name: Set(file_name.into()),
        content_type: Set("application/pdf".into()),
        size_bytes: Set(content.len() as i64),
        content: Set(content),
        published_on: Set(published_on),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn ente_row(
    slug: &str,
    name: &str,
    fiscal_code: &str,
    password_login: bool,
    cutoff: (&str, CutoffRule),
    weekdays: Weekdays,
    recharge: (i64, i64, Option<i64>),
    flags: (bool, bool, bool),
    pagopa: (i32, Option<&str>, Option<&str>),
    now: OffsetDateTime,
) -> Result<ente::ActiveModel, DbErr> {
    Ok(ente::ActiveModel {
        slug: Set(slug.into()),
        name: Set(name.into()),
        fiscal_code: Set(
            EnteFiscalCode::parse(fiscal_code).map_err(|e| DbErr::Custom(e.to_string()))?
        ),
        password_login_enabled: Set(password_login),
        booking_cutoff_time: Set(cutoff.0.into()),
        booking_cutoff_rule: Set(cutoff.1),
        bookable_weekdays: Set(weekdays),
        recharge_min_cents: Set(recharge.0),
        recharge_max_cents: Set(recharge.1),
        recharge_step_cents: Set(recharge.2),
        negative_balance_allowed: Set(flags.0),
        blank_meal_enabled: Set(flags.1),
        personal_meal_enabled: Set(flags.2),
        pagopa_aux_digit: Set(pagopa.0),
        pagopa_application_code: Set(pagopa.1.map(Into::into)),
        pagopa_segregation_code: Set(pagopa.2.map(Into::into)),
        pagopa_iban: Set(Some("IT60X0542811101000000123456".into())),
        pagopa_taxonomy: Set(Some("9/0101108TS/".into())),
        created_at: Set(now),
        ..Default::default()
    })
}

/// Loads the demo data when there is no ente yet. Returns whether it did.
/// Loads the demo data into an empty database, dated around `now` (the server's clock).
pub async fn load_if_empty(db: &DatabaseConnection, now: OffsetDateTime) -> Result<bool, DbErr> {
    if ente::Entity::find().count(db).await? > 0 {
        return Ok(false);
    }
    let hash = tokio::task::spawn_blocking(|| hash_password(DEMO_PASSWORD))
        .await
        .map_err(|e| DbErr::Custom(e.to_string()))?
        .map_err(|e| DbErr::Custom(e.to_string()))?;
    let txn = db.begin().await?;

    // Comune di Demo: the Cambiago guide's rules (password login, changes until 15:00 of
    // the same day, Monday to Friday, negative balance allowed).
    let demo = insert_ente(
        &txn,
        ente_row(
            "demo",
            "Comune di Demo",
            "80012340155",
            true,
            ("15:00", CutoffRule::SameDay),
            Weekdays::MONDAY_TO_FRIDAY,
            (500, 50000, None),
            (true, true, true),
            (3, None, Some("01")),
            now,
        )?,
    )
    .await?;
    let refezione = insert_service(
        &txn,
        demo.id,
        "REF",
        "Refezione Scolastica",
        ServiceKind::Prepaid,
    )
    .await?;
    let trasporto = insert_service(
        &txn,
        demo.id,
        "TRA",
        "Trasporto Scolastico",
        ServiceKind::Emissions,
    )
    .await?;
    let (_, albertini) = insert_family(
        &txn,
        demo.id,
        &Family {
            guardian: (
                "LBRMRA80E12F205M",
                "Mario",
                "Albertini",
                "mario.albertini@example.it",
            ),
            children: vec![
                (
                    "LBRGRT15C50F205H",
                    "Greta",
                    "Albertini",
                    date!(2015 - 03 - 10),
                    Sex::Female,
                ),
                (
                    "LBRSFO17L61F205U",
                    "Sofia",
                    "Albertini",
                    date!(2017 - 07 - 21),
                    Sex::Female,
                ),
            ],
        },
        "Via Roma 12, Demo",
        &hash,
        now,
    )
    .await?;
    let (greta, sofia) = (&albertini[0], &albertini[1]);
    enrol(
        &txn,
        sofia,
        &refezione,
        "621494",
        "Scuola Primaria Pascoli",
        "2a",
        "Fascia c.p. 5 q.f100",
        10000,
        500,
        MealType::Medical,
    )
    .await?;
    enrol(
        &txn,
        greta,
        &refezione,
        "621493",
        "Scuola Primaria Pascoli",
        "5a",
        "Fascia c.p. 5 q.f100",
        10000,
        500,
        MealType::Base,
    )
    .await?;
    enrol(
        &txn,
        greta,
        &trasporto,
        "621493",
        "Scuola Primaria Pascoli",
        "5a",
        "Fascia unica",
        4760,
        0,
        MealType::NoMeals,
    )
    .await?;
    let delegate = insert_user(
        &txn,
        demo.id,
        Role::Delegate,
        (
            "BNCLRA82P43F205R",
            "Laura",
            "Bianchi",
            "laura.bianchi@example.it",
        ),
        &hash,
        now,
    )
    .await?;
    child_delegate::ActiveModel {
        ente_id: Set(demo.id),
        child_id: Set(sofia.id),
        delegate_id: Set(delegate.id),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let (_, colombo) = insert_family(
        &txn,
        demo.id,
        &Family {
            guardian: (
                "CLMNNA85M52F205M",
                "Anna",
                "Colombo",
                "anna.colombo@example.it",
            ),
            children: vec![(
                "CLMLCU16H03F205T",
                "Luca",
                "Colombo",
                date!(2016 - 06 - 03),
                Sex::Male,
            )],
        },
        "Via Garibaldi 3, Demo",
        &hash,
        now,
    )
    .await?;
    enrol(
        &txn,
        &colombo[0],
        &refezione,
        "621502",
        "Scuola Primaria Pascoli",
        "4b",
        "Fascia c.p. 3 q.f80",
        8000,
        420,
        MealType::Base,
    )
    .await?;
    insert_user(
        &txn,
        demo.id,
        Role::Operator,
        (
            "RSSGLI75A41F205C",
            "Giulia",
            "Rossi",
            "ufficio.scuola@comune.demo.it",
        ),
        &hash,
        now,
    )
    .await?;
    insert_user(
        &txn,
        demo.id,
        Role::CanteenStaff,
        (
            "VRDPLA70B05F205C",
            "Paolo",
            "Verdi",
            "mensa.pascoli@comune.demo.it",
        ),
        &hash,
        now,
    )
    .await?;
    insert_news(
        &txn,
        demo.id,
        date!(2026 - 09 - 01),
        "Avvio del servizio di refezione scolastica",
        "Dal 14/09/2026 riprende il servizio mensa per le scuole primarie.",
        "Il servizio di refezione scolastica riprende lunedì 14/09/2026. La presenza al pasto è segnata automaticamente: per disdire il pasto usa la sezione Prenotazioni entro le ore 15:00 del giorno stesso.",
    )
    .await?;
    insert_news(
        &txn,
        demo.id,
        date!(2026 - 10 - 15),
        "Ricariche con pagoPA",
        "Il conto elettronico si ricarica online o presso tabaccherie, uffici postali e banche.",
        "Dalla sezione Pagamenti puoi ricaricare il conto online con carta, MyBank, PayPal o Satispay, oppure creare un avviso di pagamento da pagare presso qualsiasi punto pagoPA.",
    )
    .await?;
    insert_news(
        &txn,
        demo.id,
        date!(2026 - 11 - 02),
        "Iscrizioni al trasporto scolastico",
        "Le domande per il secondo quadrimestre si presentano online entro il 30/11/2026.",
        "Le famiglie interessate al servizio di trasporto scolastico per il secondo quadrimestre possono presentare la domanda online dalla sezione Moduli online entro il 30/11/2026.",
    )
    .await?;
    insert_document(
        &txn,
        demo.id,
        date!(2026 - 09 - 01),
        "Menù scolastico autunno-inverno 2026/2027",
        "Il menù delle scuole primarie, valido da settembre a marzo.",
        "menu-autunno-inverno-2026-2027.pdf",
        &[
            "Comune di Demo — Servizio di refezione scolastica.",
            "Lunedì: pasta al pomodoro, frittata con spinaci, frutta di stagione.",
            "Martedì: risotto alla milanese, petto di pollo al forno, carote julienne.",
            "Mercoledì: passato di verdure, merluzzo gratinato, patate al vapore.",
            "Giovedì: pasta al pesto, formaggio, insalata verde.",
            "Venerdì: pizza margherita, prosciutto cotto, frutta e yogurt.",
            "Le diete sanitarie ed etico-religiose sono preparate secondo la richiesta presentata all'ufficio scuola. Costo del pasto: 5,00 €.",
        ],
    )
    .await?;
    insert_document(
        &txn,
        demo.id,
        date!(2026 - 08 - 20),
        "Informativa sul trattamento dei dati personali",
        "Informativa privacy per i servizi scolastici (art. 13 GDPR).",
        "informativa-privacy-servizi-scolastici.pdf",
        &[
            "Il Comune di Demo, titolare del trattamento, tratta i dati personali delle famiglie e degli alunni al solo fine di erogare i servizi scolastici richiesti: refezione, trasporto, iscrizioni e pagamenti.",
            "I dati sono conservati per il tempo previsto dalla legge e non sono comunicati a terzi, salvo ai gestori dei servizi e a pagoPA per i pagamenti.",
            "Per esercitare i tuoi diritti scrivi all'ufficio scuola del Comune.",
        ],
    )
    .await?;

    // Comune di Esempio: the Mozzecane guide's rules (SPID/CIE only, changes until 09:30,
    // Tuesday to Friday, recharges in multiples of 5,40 €).
    let esempio = insert_ente(
        &txn,
        ente_row(
            "esempio",
            "Comune di Esempio",
            "00412340233",
            false,
            ("09:30", CutoffRule::SameDay),
            Weekdays::TUESDAY_TO_FRIDAY,
            (540, 54000, Some(540)),
            (false, false, false),
            (0, Some("02"), None),
            now,
        )?,
    )
    .await?;
    let refezione_esempio = insert_service(
        &txn,
        esempio.id,
        "REF",
        "Refezione Scolastica",
        ServiceKind::Prepaid,
    )
    .await?;
    let (_, ferrari) = insert_family(
        &txn,
        esempio.id,
        &Family {
            guardian: (
                "FRRGPP78D15E897B",
                "Giuseppe",
                "Ferrari",
                "giuseppe.ferrari@example.it",
            ),
            children: vec![(
                "FRRLNE16S58E897I",
                "Elena",
                "Ferrari",
                date!(2016 - 11 - 18),
                Sex::Female,
            )],
        },
        "Piazza Municipio 1, Esempio",
        &hash,
        now,
    )
    .await?;
    enrol(
        &txn,
        &ferrari[0],
        &refezione_esempio,
        "700101",
        "Scuola Primaria Collodi",
        "3a",
        "Fascia A",
        0,
        540,
        MealType::Base,
    )
    .await?;
    insert_user(
        &txn,
        esempio.id,
        Role::Operator,
        (
            "BRNCRL72R10E897G",
            "Carlo",
            "Bruni",
            "scuola@comune.esempio.it",
        ),
        &hash,
        now,
    )
    .await?;
    insert_news(
        &txn,
        esempio.id,
        date!(2026 - 09 - 10),
        "Accesso al portale solo con SPID o CIE",
        "Per accedere all'area personale usa la tua identità digitale.",
        "L'accesso all'area personale è possibile unicamente tramite SPID o CIE. Le disdette dei pasti sono possibili dal martedì al venerdì entro le ore 09:30.",
    )
    .await?;
    insert_document(
        &txn,
        esempio.id,
        date!(2026 - 09 - 10),
        "Regolamento del servizio mensa",
        "Regole di iscrizione, ricarica e disdetta del pasto.",
        "regolamento-mensa.pdf",
        &["Le ricariche del conto mensa sono ammesse solo per multipli di 5,40 €, pari al costo di un pasto."],
    )
    .await?;
    let mario = user::Entity::find()
        .filter(user::Column::FiscalCode.eq("LBRMRA80E12F205M"))
        .one(&txn)
        .await?
        .ok_or_else(|| DbErr::Custom("demo guardian missing".into()))?;
    let paid_emission = demo_payments(
        &txn,
        &demo,
        &mario,
        &refezione,
        &trasporto,
        [greta, sofia],
        now,
    )
    .await?;
    let today = rome::today(now);
    demo_calendar(&txn, demo.id, refezione.id, today).await?;
    demo_calendar(&txn, esempio.id, refezione_esempio.id, today).await?;
    txn.commit().await?;
    // The first emission was paid at a counter: through the real receipt path.
    let receipt = SimulatorGateway::new()
        .simulate_payment(
            &demo.fiscal_code,
            &paid_emission.notice_number,
            paid_emission.amount_cents,
            PaymentMethod::Counter,
            None,
            now,
        )
        .map_err(|e| DbErr::Custom(e.to_string()))?;
    receipts::process(db, &receipt, now)
        .await
        .map_err(|e| DbErr::Custom(e.to_string()))?;
    Ok(true)
}

/// Mario Albertini's money: a recharged canteen account with some meals charged, and
/// three transport rette (the first to be paid at a counter). Returns the notice of
/// the rette to pay.
async fn demo_payments<C: ConnectionTrait>(
    db: &C,
    ente: &ente::Model,
    guardian: &user::Model,
    refezione: &service::Model,
    trasporto: &service::Model,
    children: [&child::Model; 2],
    now: OffsetDateTime,
) -> Result<payment_notice::Model, DbErr> {
    let err = |e: crate::error::ApiError| DbErr::Custom(e.to_string());
    let account = ledger::account(db, ente.id, guardian.id, refezione.id, now)
        .await
        .map_err(err)?;
    ledger::append(
        db,
        &account,
        NewMovement {
            kind: MovementKind::Recharge,
            amount_cents: 5000,
            description: "Ricarica pagoPA".into(),
            child_id: None,
            service_day: None,
            receipt_row_id: None,
            meal_key: None,
            request_key: None,
            created_by: None,
        },
        now - time::Duration::days(8),
    )
    .await?;
    let today = rome::today(now);
    let mut day = today - time::Duration::days(7);
    while day < today {
        if day.weekday().number_from_monday() <= 5 {
            for c in children {
                ledger::append(
                    db,
                    &account,
                    NewMovement {
                        kind: MovementKind::Meal,
                        amount_cents: -500,
                        description: format!("Pasto del {}", format::date(day)),
                        child_id: Some(c.id),
                        service_day: Some(day),
                        receipt_row_id: None,
                        meal_key: Some(format!("{}:{}:{day}", c.id, refezione.id)),
                        request_key: None,
                        created_by: None,
                    },
                    now,
                )
                .await?;
            }
        }
        day += time::Duration::days(1);
    }
    let greta = children[0];
    let greta_name = format!("{} {}", greta.first_name, greta.last_name);
    let mut first = None;
    for (month, amount, due_in_days) in [
        ("Novembre 2026", 4760, 5),
        ("Dicembre 2026", 6120, 35),
        ("Gennaio 2027", 4760, 65),
    ] {
        let title = format!("Retta {month}");
        let notice = notices::create(
            db,
            ente,
            notices::NewNotice {
                guardian_id: guardian.id,
                service_id: trasporto.id,
                purpose: NoticePurpose::Emission,
                amount_cents: amount,
                description: emission_description(&title, &trasporto.name, Some(&greta_name)),
                due_date: Some(today + time::Duration::days(due_in_days)),
                expires_on: None,
                online_only: false,
            },
            now,
        )
        .await
        .map_err(err)?;
        let emission = emission::ActiveModel {
            ente_id: Set(ente.id),
            guardian_id: Set(guardian.id),
            service_id: Set(trasporto.id),
            child_id: Set(Some(greta.id)),
            notice_id: Set(notice.id),
            title: Set(title),
            due_date: Set(today + time::Duration::days(due_in_days)),
            amount_cents: Set(amount),
            status: Set(EmissionStatus::ToPay),
            external_ref: Set(None),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(db)
        .await?;
        emission_line::ActiveModel {
            emission_id: Set(emission.id),
            position: Set(0),
            description: Set(format!("Trasporto scolastico {greta_name} - {month}")),
            amount_cents: Set(amount),
            ..Default::default()
        }
        .insert(db)
        .await?;
        first.get_or_insert(notice);
    }
    first.ok_or_else(|| DbErr::Custom("no demo emission".into()))
}

/// The canteen's school year around `today`, Monday to Friday, with the Christmas break
/// closed (the national holidays are closed on every calendar).
async fn demo_calendar<C: ConnectionTrait>(
    db: &C,
    ente_id: i64,
    service_id: i64,
    today: Date,
) -> Result<(), DbErr> {
    let year = school_year_start(today);
    let day = |y: i32, m: Month, d: u8| {
        Date::from_calendar_date(y, m, d).map_err(|e| DbErr::Custom(e.to_string()))
    };
    service_calendar::ActiveModel {
        ente_id: Set(ente_id),
        service_id: Set(service_id),
        first_day: Set(day(year, Month::September, 14)?),
        last_day: Set(day(year + 1, Month::June, 8)?),
        serving_weekdays: Set(Weekdays::MONDAY_TO_FRIDAY),
        ..Default::default()
    }
    .insert(db)
    .await?;
    // The national holidays (Easter Monday included) are closed on every calendar.
    let mut christmas = Vec::new();
    let mut closed = day(year, Month::December, 23)?;
    while closed <= day(year + 1, Month::January, 6)? {
        christmas.push(closed);
        closed += time::Duration::days(1);
    }
    insert_range(db, ente_id, service_id, &christmas, "Vacanze di Natale").await?;
    Ok(())
}
