//! The people of a comune: families (guardian, children, their enrolments, a delegate)
//! and staff.

use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, DbErr};
use sportello_model::auth::Role;
use sportello_model::children::{MealType, Sex};
use sportello_model::school_year::SchoolYear;
use sportello_model::{rome, FiscalCode};
use time::macros::date;
use time::{Date, OffsetDateTime};

use super::custom;
use crate::accounts::entity::user;
use crate::children::entity::{child, child_delegate, enrolment};
use crate::entes::entity::{ente, service};
use crate::schools::service::Places;

/// A user who logs in: fiscal code, first name, last name, e-mail.
pub(super) type Person = (&'static str, &'static str, &'static str, &'static str);

pub(super) struct Child {
    pub fiscal_code: &'static str,
    pub first_name: &'static str,
    pub last_name: &'static str,
    pub birth_date: Date,
    pub sex: Sex,
}

/// A child (index in the family) in a service (by its code).
pub(super) struct Enrolment {
    pub child: usize,
    pub service: &'static str,
    pub badge: &'static str,
    pub school: &'static str,
    pub class_name: &'static str,
    pub fee_band: &'static str,
    pub quota_cents: i64,
    pub meal_price_cents: i64,
    pub meal_type: MealType,
}

pub(super) struct Family {
    pub guardian: Person,
    pub address: &'static str,
    pub children: &'static [Child],
    pub enrolments: &'static [Enrolment],
    /// The other parent, delegate of one child (index in the family).
    pub delegate: Option<(Person, usize)>,
}

pub(super) struct People {
    pub families: &'static [Family],
    pub staff: &'static [(Role, Person)],
}

const PASCOLI: &str = "Scuola Primaria Pascoli";
/// The schools of Comune di Demo, as its forms offer them.
pub(super) const SCHOOLS: [&str; 2] = [PASCOLI, "Scuola Primaria Rodari"];

pub(super) const DEMO: People = People {
    families: &[
        Family {
            guardian: (
                "LBRMRA80E12F205M",
                "Mario",
                "Albertini",
                "mario.albertini@example.it",
            ),
            address: "Via Roma 12, Demo",
            children: &[
                Child {
                    fiscal_code: "LBRGRT15C50F205H",
                    first_name: "Greta",
                    last_name: "Albertini",
                    birth_date: date!(2015 - 03 - 10),
                    sex: Sex::Female,
                },
                Child {
                    fiscal_code: "LBRSFO17L61F205U",
                    first_name: "Sofia",
                    last_name: "Albertini",
                    birth_date: date!(2017 - 07 - 21),
                    sex: Sex::Female,
                },
            ],
            enrolments: &[
                Enrolment {
                    child: 1,
                    service: "REF",
                    badge: "621494",
                    school: PASCOLI,
                    class_name: "2a",
                    fee_band: "Fascia c.p. 5 q.f100",
                    quota_cents: 10000,
                    meal_price_cents: 500,
                    meal_type: MealType::Medical,
                },
                Enrolment {
                    child: 0,
                    service: "REF",
                    badge: "621493",
                    school: PASCOLI,
                    class_name: "5a",
                    fee_band: "Fascia c.p. 5 q.f100",
                    quota_cents: 10000,
                    meal_price_cents: 500,
                    meal_type: MealType::Base,
                },
                Enrolment {
                    child: 0,
                    service: "TRA",
                    badge: "621493",
                    school: PASCOLI,
                    class_name: "5a",
                    fee_band: "Fascia unica",
                    quota_cents: 4760,
                    meal_price_cents: 0,
                    meal_type: MealType::NoMeals,
                },
            ],
            delegate: Some((
                (
                    "BNCLRA82P43F205R",
                    "Laura",
                    "Bianchi",
                    "laura.bianchi@example.it",
                ),
                1,
            )),
        },
        Family {
            guardian: (
                "CLMNNA85M52F205M",
                "Anna",
                "Colombo",
                "anna.colombo@example.it",
            ),
            address: "Via Garibaldi 3, Demo",
            children: &[Child {
                fiscal_code: "CLMLCU16H03F205T",
                first_name: "Luca",
                last_name: "Colombo",
                birth_date: date!(2016 - 06 - 03),
                sex: Sex::Male,
            }],
            enrolments: &[Enrolment {
                child: 0,
                service: "REF",
                badge: "621502",
                school: PASCOLI,
                class_name: "4b",
                fee_band: "Fascia c.p. 3 q.f80",
                quota_cents: 8000,
                meal_price_cents: 420,
                meal_type: MealType::Base,
            }],
            delegate: None,
        },
    ],
    staff: &[
        (
            Role::Operator,
            (
                "RSSGLI75A41F205C",
                "Giulia",
                "Rossi",
                "ufficio.scuola@comune.demo.it",
            ),
        ),
        (
            Role::CanteenStaff,
            (
                "VRDPLA70B05F205C",
                "Paolo",
                "Verdi",
                "mensa.pascoli@comune.demo.it",
            ),
        ),
        (
            Role::Administrator,
            (
                "GLLMRT70C55F205C",
                "Marta",
                "Galli",
                "amministrazione@comune.demo.it",
            ),
        ),
    ],
};

pub(super) const ESEMPIO: People = People {
    families: &[Family {
        guardian: (
            "FRRGPP78D15E897B",
            "Giuseppe",
            "Ferrari",
            "giuseppe.ferrari@example.it",
        ),
        address: "Piazza Municipio 1, Esempio",
        children: &[Child {
            fiscal_code: "FRRLNE16S58E897I",
            first_name: "Elena",
            last_name: "Ferrari",
            birth_date: date!(2016 - 11 - 18),
            sex: Sex::Female,
        }],
        enrolments: &[Enrolment {
            child: 0,
            service: "REF",
            badge: "700101",
            school: "Scuola Primaria Collodi",
            class_name: "3a",
            fee_band: "Fascia A",
            quota_cents: 0,
            meal_price_cents: 540,
            meal_type: MealType::Base,
        }],
        delegate: None,
    }],
    staff: &[(
        Role::Operator,
        (
            "BRNCRL72R10E897G",
            "Carlo",
            "Bruni",
            "scuola@comune.esempio.it",
        ),
    )],
};

/// A family as inserted: the guardian and the children in their order.
pub(super) struct Seeded {
    pub guardian: user::Model,
    pub children: Vec<child::Model>,
}

/// Inserts each family (guardian, children, enrolments, delegate), then the staff; every
/// account with the password whose hash is `password_hash`.
pub(super) async fn insert<C: ConnectionTrait>(
    db: &C,
    ente: &ente::Model,
    services: &[service::Model],
    people: &People,
    password_hash: &str,
    now: OffsetDateTime,
) -> Result<Vec<Seeded>, DbErr> {
    let insert_user = |role: Role, person: Person| async move {
        let (fiscal_code, first_name, last_name, email) = person;
        user::ActiveModel {
            ente_id: Set(ente.ente_id()),
            role: Set(role),
            fiscal_code: Set(FiscalCode::parse(fiscal_code).map_err(custom)?),
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
    };
    let school_year = SchoolYear::containing(rome::today(now));
    let mut places = Places::of_ente(db, ente.ente_id()).await.map_err(custom)?;
    let mut seeded = Vec::with_capacity(people.families.len());
    for family in people.families {
        let guardian = insert_user(Role::Guardian, family.guardian).await?;
        let mut children = Vec::with_capacity(family.children.len());
        for c in family.children {
            children.push(
                child::ActiveModel {
                    ente_id: Set(ente.ente_id()),
                    guardian_id: Set(guardian.id),
                    first_name: Set(c.first_name.into()),
                    last_name: Set(c.last_name.into()),
                    fiscal_code: Set(FiscalCode::parse(c.fiscal_code).map_err(custom)?),
                    birth_date: Set(c.birth_date),
                    birth_place: Set("Milano (MI)".into()),
                    sex: Set(c.sex),
                    address: Set(family.address.into()),
                    ..Default::default()
                }
                .insert(db)
                .await?,
            );
        }
        for e in family.enrolments {
            let service = services
                .iter()
                .find(|s| s.code == e.service)
                .ok_or_else(|| custom(format!("no demo service {}", e.service)))?;
            let (school_id, class_id) = places
                .find_or_make(db, school_year, e.school, e.class_name)
                .await
                .map_err(custom)?;
            enrolment::ActiveModel {
                ente_id: Set(ente.ente_id()),
                child_id: Set(children[e.child].id),
                service_id: Set(service.id),
                badge: Set(e.badge.into()),
                school_id: Set(school_id),
                class_id: Set(class_id),
                fee_band: Set(e.fee_band.into()),
                quota_cents: Set(e.quota_cents),
                meal_price_cents: Set(e.meal_price_cents),
                meal_type: Set(e.meal_type),
                active: Set(true),
                school_year: Set(school_year),
                submission_id: Set(None),
                ..Default::default()
            }
            .insert(db)
            .await?;
        }
        if let Some((person, child)) = family.delegate {
            let delegate = insert_user(Role::Delegate, person).await?;
            child_delegate::ActiveModel {
                ente_id: Set(ente.ente_id()),
                child_id: Set(children[child].id),
                delegate_id: Set(delegate.id),
                ..Default::default()
            }
            .insert(db)
            .await?;
        }
        seeded.push(Seeded { guardian, children });
    }
    for (role, person) in people.staff {
        insert_user(*role, *person).await?;
    }
    Ok(seeded)
}
