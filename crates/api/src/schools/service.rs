//! The comune's schools and classes: the administrators write them (each form checked by
//! its model rule), operators read them; and [`Places`], the one way a card's school and
//! class are read by name, or found and made by name.

use std::collections::HashMap;

use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    PaginatorTrait, QueryFilter, QueryOrder,
};
use sportello_model::school_year::SchoolYear;
use sportello_model::schools::{
    class_key, grade_of_name, School, SchoolClass, SchoolClassForm, SchoolCycle, SchoolDetail,
    SchoolForm,
};

use super::entity::{school, school_class};
use crate::children::entity::enrolment;
use crate::db::{EnteId, TenantScoped};
use crate::error::{ApiError, ApiResult};

pub fn school_dto(s: &school::Model) -> School {
    School {
        id: s.id,
        name: s.name.clone(),
        address: s.address.clone(),
        code: s.code.clone(),
        cycle: s.cycle,
        active: s.active,
    }
}

pub fn class_dto(c: &school_class::Model, cycle: SchoolCycle) -> SchoolClass {
    let grade = u8::try_from(c.grade).unwrap_or_default();
    SchoolClass {
        id: c.id,
        school_id: c.school_id,
        school_year: c.school_year.to_string(),
        name: c.name.clone(),
        grade,
        last_of_cycle: cycle.is_last(grade),
    }
}

/// Every school of the comune, by name.
pub async fn list(db: &DatabaseConnection, ente_id: EnteId) -> ApiResult<Vec<School>> {
    Ok(school::Entity::find_in_ente(ente_id)
        .order_by_asc(school::Column::Name)
        .all(db)
        .await?
        .iter()
        .map(school_dto)
        .collect())
}

/// A school of the comune, or 404.
pub async fn find<C: ConnectionTrait>(
    db: &C,
    ente_id: EnteId,
    id: i64,
) -> ApiResult<school::Model> {
    school::Entity::find_in_ente(ente_id)
        .filter(school::Column::Id.eq(id))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)
}

/// A class of the comune, or 404.
pub async fn find_class<C: ConnectionTrait>(
    db: &C,
    ente_id: EnteId,
    id: i64,
) -> ApiResult<school_class::Model> {
    school_class::Entity::find_in_ente(ente_id)
        .filter(school_class::Column::Id.eq(id))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)
}

/// The school with its classes, the latest school year first, then by grade and name.
pub async fn detail(db: &DatabaseConnection, ente_id: EnteId, id: i64) -> ApiResult<SchoolDetail> {
    let school = find(db, ente_id, id).await?;
    let classes = school_class::Entity::find_in_ente(ente_id)
        .filter(school_class::Column::SchoolId.eq(id))
        .order_by_desc(school_class::Column::SchoolYear)
        .order_by_asc(school_class::Column::Grade)
        .order_by_asc(school_class::Column::Name)
        .all(db)
        .await?
        .iter()
        .map(|c| class_dto(c, school.cycle))
        .collect();
    Ok(SchoolDetail {
        school: school_dto(&school),
        classes,
    })
}

/// Another school of the comune with this name is a field error.
async fn name_taken(
    db: &DatabaseConnection,
    ente_id: EnteId,
    name: &str,
    except: Option<i64>,
) -> ApiResult<()> {
    let mut query = school::Entity::find_in_ente(ente_id).filter(school::Column::Name.eq(name));
    if let Some(id) = except {
        query = query.filter(school::Column::Id.ne(id));
    }
    if query.count(db).await? > 0 {
        return Err(ApiError::field(
            "name",
            format!("Il comune ha già una scuola «{name}»."),
        ));
    }
    Ok(())
}

pub async fn create(
    db: &DatabaseConnection,
    ente_id: EnteId,
    form: &SchoolForm,
) -> ApiResult<SchoolDetail> {
    let checked = form.check().map_err(ApiError::Validation)?;
    name_taken(db, ente_id, &checked.name, None).await?;
    let created = school::ActiveModel {
        ente_id: Set(ente_id),
        name: Set(checked.name),
        address: Set(checked.address),
        code: Set(checked.code),
        cycle: Set(checked.cycle),
        active: Set(checked.active),
        ..Default::default()
    }
    .insert(db)
    .await?;
    detail(db, ente_id, created.id).await
}

/// Changes a school; its cycle only to one that has a year for each of its classes.
pub async fn update(
    db: &DatabaseConnection,
    ente_id: EnteId,
    id: i64,
    form: &SchoolForm,
) -> ApiResult<SchoolDetail> {
    let checked = form.check().map_err(ApiError::Validation)?;
    let existing = find(db, ente_id, id).await?;
    name_taken(db, ente_id, &checked.name, Some(id)).await?;
    let beyond = school_class::Entity::find_in_ente(ente_id)
        .filter(school_class::Column::SchoolId.eq(id))
        .filter(school_class::Column::Grade.gt(i32::from(checked.cycle.years())))
        .count(db)
        .await?;
    if beyond > 0 {
        return Err(ApiError::field(
            "cycle",
            format!(
                "La scuola ha classi oltre il {}° anno: una {} non le avrebbe.",
                checked.cycle.years(),
                checked.cycle.label().to_lowercase()
            ),
        ));
    }
    let mut active: school::ActiveModel = existing.into();
    active.name = Set(checked.name);
    active.address = Set(checked.address);
    active.code = Set(checked.code);
    active.cycle = Set(checked.cycle);
    active.active = Set(checked.active);
    active.update(db).await?;
    detail(db, ente_id, id).await
}

/// Another class of the school and year with this name (in either case) is a field
/// error.
async fn class_taken(
    db: &DatabaseConnection,
    ente_id: EnteId,
    school_id: i64,
    year: SchoolYear,
    name: &str,
    except: Option<i64>,
) -> ApiResult<()> {
    let same_year = school_class::Entity::find_in_ente(ente_id)
        .filter(school_class::Column::SchoolId.eq(school_id))
        .filter(school_class::Column::SchoolYear.eq(year))
        .all(db)
        .await?;
    let key = class_key(name);
    if same_year
        .iter()
        .any(|c| Some(c.id) != except && class_key(&c.name) == key)
    {
        return Err(ApiError::field(
            "name",
            format!("La scuola ha già la classe {name} nell'anno scolastico {year}."),
        ));
    }
    Ok(())
}

pub async fn create_class(
    db: &DatabaseConnection,
    ente_id: EnteId,
    school_id: i64,
    form: &SchoolClassForm,
) -> ApiResult<SchoolDetail> {
    let school = find(db, ente_id, school_id).await?;
    let checked = form.check(school.cycle).map_err(ApiError::Validation)?;
    class_taken(
        db,
        ente_id,
        school_id,
        checked.school_year,
        &checked.name,
        None,
    )
    .await?;
    school_class::ActiveModel {
        ente_id: Set(ente_id),
        school_id: Set(school_id),
        school_year: Set(checked.school_year),
        name: Set(checked.name),
        grade: Set(i32::from(checked.grade)),
        ..Default::default()
    }
    .insert(db)
    .await?;
    detail(db, ente_id, school_id).await
}

/// Changes a class (its name shows at once on the cards, the roster and the kitchen
/// counts); its school year only while no card names it.
pub async fn update_class(
    db: &DatabaseConnection,
    ente_id: EnteId,
    school_id: i64,
    class_id: i64,
    form: &SchoolClassForm,
) -> ApiResult<SchoolDetail> {
    let school = find(db, ente_id, school_id).await?;
    let existing = find_class(db, ente_id, class_id).await?;
    if existing.school_id != school.id {
        return Err(ApiError::NotFound);
    }
    let checked = form.check(school.cycle).map_err(ApiError::Validation)?;
    class_taken(
        db,
        ente_id,
        school_id,
        checked.school_year,
        &checked.name,
        Some(class_id),
    )
    .await?;
    if checked.school_year != existing.school_year {
        let cards = enrolment::Entity::find_in_ente(ente_id)
            .filter(enrolment::Column::ClassId.eq(class_id))
            .count(db)
            .await?;
        if cards > 0 {
            return Err(ApiError::field(
                "school_year",
                format!(
                    "La classe ha {cards} iscrizioni dell'anno scolastico {}: l'anno non si può cambiare.",
                    existing.school_year
                ),
            ));
        }
    }
    let mut active: school_class::ActiveModel = existing.into();
    active.school_year = Set(checked.school_year);
    active.name = Set(checked.name);
    active.grade = Set(i32::from(checked.grade));
    active.update(db).await?;
    detail(db, ente_id, school_id).await
}

/// The comune's schools and classes by id, read once: how a card's school and class are
/// named (an empty name when the card names none), and how a school and class known only
/// by name (an imported registry, a form's answer, the demo data) are found, or made.
pub struct Places {
    ente_id: EnteId,
    schools: HashMap<i64, school::Model>,
    classes: HashMap<i64, school_class::Model>,
    school_by_name: HashMap<String, i64>,
    class_by_key: HashMap<(i64, SchoolYear, String), i64>,
}

impl Places {
    pub async fn of_ente<C: ConnectionTrait>(db: &C, ente_id: EnteId) -> ApiResult<Places> {
        let schools: HashMap<i64, school::Model> = school::Entity::find_in_ente(ente_id)
            .all(db)
            .await?
            .into_iter()
            .map(|s| (s.id, s))
            .collect();
        let classes: HashMap<i64, school_class::Model> =
            school_class::Entity::find_in_ente(ente_id)
                .all(db)
                .await?
                .into_iter()
                .map(|c| (c.id, c))
                .collect();
        Ok(Places {
            ente_id,
            school_by_name: schools.values().map(|s| (s.name.clone(), s.id)).collect(),
            class_by_key: classes
                .values()
                .map(|c| ((c.school_id, c.school_year, class_key(&c.name)), c.id))
                .collect(),
            schools,
            classes,
        })
    }

    /// The name of the school `id`, empty for none.
    pub fn school(&self, id: Option<i64>) -> String {
        id.and_then(|id| self.schools.get(&id))
            .map(|s| s.name.clone())
            .unwrap_or_default()
    }

    /// The name of the class `id`, empty for none.
    pub fn class(&self, id: Option<i64>) -> String {
        id.and_then(|id| self.classes.get(&id))
            .map(|c| c.name.clone())
            .unwrap_or_default()
    }

    /// Whether the class `id` is the last of its school's cycle (none: not known to be).
    pub fn last_of_cycle(&self, id: Option<i64>) -> bool {
        id.and_then(|id| self.classes.get(&id))
            .and_then(|c| {
                let school = self.schools.get(&c.school_id)?;
                Some(school.cycle.is_last(u8::try_from(c.grade).ok()?))
            })
            .unwrap_or(false)
    }

    /// The school of this name, if the comune has one.
    pub fn school_named(&self, name: &str) -> Option<i64> {
        self.school_by_name.get(name.trim()).copied()
    }

    /// The class of this name of the school `school_id` in `year`, if there is one.
    pub fn class_named(&self, school_id: i64, year: SchoolYear, name: &str) -> Option<i64> {
        self.class_by_key
            .get(&(school_id, year, class_key(name)))
            .copied()
    }

    /// The school named `school` (none for an empty name) and its class named
    /// `class_name` in `year` (none for an empty name), each made when the comune has
    /// none: the school with the cycle its name tells, the class with the grade its name
    /// starts with (else the first).
    pub async fn find_or_make<C: ConnectionTrait>(
        &mut self,
        db: &C,
        year: SchoolYear,
        school: &str,
        class_name: &str,
    ) -> ApiResult<(Option<i64>, Option<i64>)> {
        let school = school.trim();
        if school.is_empty() {
            return Ok((None, None));
        }
        let school_id = match self.school_by_name.get(school) {
            Some(id) => *id,
            None => {
                let made = school::ActiveModel {
                    ente_id: Set(self.ente_id),
                    name: Set(school.to_owned()),
                    address: Set(String::new()),
                    code: Set(String::new()),
                    cycle: Set(SchoolCycle::of_name(school)),
                    active: Set(true),
                    ..Default::default()
                }
                .insert(db)
                .await?;
                self.school_by_name.insert(made.name.clone(), made.id);
                self.schools.insert(made.id, made.clone());
                made.id
            }
        };
        let class_name = class_name.trim();
        if class_name.is_empty() {
            return Ok((Some(school_id), None));
        }
        let key = (school_id, year, class_key(class_name));
        if let Some(id) = self.class_by_key.get(&key) {
            return Ok((Some(school_id), Some(*id)));
        }
        let years = self.schools[&school_id].cycle.years();
        let grade = grade_of_name(class_name).unwrap_or(1).clamp(1, years);
        let made = school_class::ActiveModel {
            ente_id: Set(self.ente_id),
            school_id: Set(school_id),
            school_year: Set(year),
            name: Set(class_name.to_owned()),
            grade: Set(i32::from(grade)),
            ..Default::default()
        }
        .insert(db)
        .await?;
        self.class_by_key.insert(key, made.id);
        self.classes.insert(made.id, made.clone());
        Ok((Some(school_id), Some(made.id)))
    }
}
