//! Database columns of parsed string types (behind the `sea-orm` feature).

/// Stores a parsed string type (`Display`, `$parse(&str) -> Result<$type, E>`) as
/// a text column: a value read from the database is parsed again, so a row that does not
/// hold a valid value is an error, never a string passed along unchecked.
#[macro_export]
macro_rules! string_column {
    ($type:ident, $parse:path) => {
        impl From<$type> for $crate::sea_orm::Value {
            fn from(value: $type) -> Self {
                $crate::sea_orm::Value::String(Some(Box::new(value.to_string())))
            }
        }

        impl $crate::sea_orm::TryGetable for $type {
            fn try_get_by<I: $crate::sea_orm::ColIdx>(
                res: &$crate::sea_orm::QueryResult,
                index: I,
            ) -> Result<Self, $crate::sea_orm::TryGetError> {
                let text = <String as $crate::sea_orm::TryGetable>::try_get_by(res, index)?;
                $parse(&text).map_err(|err| {
                    $crate::sea_orm::TryGetError::DbErr($crate::sea_orm::DbErr::Type(format!(
                        "{} in the database is not valid: {err}",
                        stringify!($type)
                    )))
                })
            }
        }

        impl $crate::sea_orm::sea_query::ValueType for $type {
            fn try_from(
                value: $crate::sea_orm::Value,
            ) -> Result<Self, $crate::sea_orm::sea_query::ValueTypeErr> {
                match value {
                    $crate::sea_orm::Value::String(Some(text)) => {
                        $parse(&text).map_err(|_| $crate::sea_orm::sea_query::ValueTypeErr)
                    }
                    _ => Err($crate::sea_orm::sea_query::ValueTypeErr),
                }
            }

            fn type_name() -> String {
                stringify!($type).to_owned()
            }

            fn array_type() -> $crate::sea_orm::sea_query::ArrayType {
                $crate::sea_orm::sea_query::ArrayType::String
            }

            fn column_type() -> $crate::sea_orm::sea_query::ColumnType {
                $crate::sea_orm::sea_query::ColumnType::Text
            }
        }

        impl $crate::sea_orm::sea_query::Nullable for $type {
            fn null() -> $crate::sea_orm::Value {
                $crate::sea_orm::Value::String(None)
            }
        }
    };
}

string_column!(FiscalCode, crate::FiscalCode::parse);
string_column!(Weekdays, crate::Weekdays::parse);
string_column!(SchoolYear, crate::school_year::SchoolYear::parse);
string_column!(MobileNumber, crate::sms::MobileNumber::parse);

use crate::school_year::SchoolYear;
use crate::sms::MobileNumber;
use crate::{FiscalCode, Weekdays};

#[cfg(test)]
mod tests {
    use sea_orm::{ActiveEnum, Iterable, Value};

    use crate::auth::Role;
    use crate::bookings::MealChoice;
    use crate::children::{MealType, Sex};
    use crate::entes::{CutoffRule, ServiceKind};
    use crate::payments::{
        CheckoutStatus, EmissionStatus, MovementKind, NoticePurpose, NoticeState, ReceiptOutcome,
    };
    use crate::schools::SchoolCycle;
    use crate::year_end::{CreditChoice, CreditStatus};
    use crate::{FiscalCode, Weekdays};

    fn stored<E: ActiveEnum<Value = String> + Iterable>() -> Vec<String> {
        E::iter().map(|e| e.to_value()).collect()
    }

    /// The strings rows already hold: a change here would need a data migration.
    #[test]
    fn enums_are_stored_as_before() {
        let roles = [
            "guardian",
            "delegate",
            "operator",
            "administrator",
            "canteen_staff",
            "integrator",
        ];
        assert_eq!(stored::<Role>(), roles);
        assert!(Role::ALL.iter().all(|r| r.to_value() == r.as_str()));
        assert_eq!(
            stored::<MealChoice>(),
            ["present", "absent", "blank_meal", "personal_meal"]
        );
        assert!(MealChoice::ALL.iter().all(|c| c.to_value() == c.as_str()));
        let kinds = [
            "recharge",
            "meal",
            "meal_reversal",
            "refund",
            "adjustment",
            "opening_balance",
            "transfer",
        ];
        assert_eq!(stored::<MovementKind>(), kinds);
        assert_eq!(stored::<CutoffRule>(), ["same_day", "previous_school_day"]);
        assert_eq!(stored::<ServiceKind>(), ["prepaid", "emissions"]);
        assert_eq!(stored::<NoticeState>(), ["open", "paid", "cancelled"]);
        assert_eq!(stored::<NoticePurpose>(), ["recharge", "emission"]);
        assert_eq!(stored::<CheckoutStatus>(), ["open", "paid", "cancelled"]);
        assert_eq!(stored::<EmissionStatus>(), ["to_pay", "paid", "cancelled"]);
        assert_eq!(stored::<Sex>(), ["M", "F"]);
        assert_eq!(
            stored::<CreditStatus>(),
            [
                "awaiting",
                "carried_over",
                "chosen",
                "transferred",
                "refund_requested",
                "refunded"
            ]
        );
        assert_eq!(
            stored::<CreditChoice>(),
            ["carry_over", "transfer", "refund"]
        );
        assert_eq!(
            stored::<SchoolCycle>(),
            ["infanzia", "primaria", "secondaria_primo_grado"]
        );
        assert_eq!(
            stored::<MealType>(),
            [
                "PASTO BASE",
                "DIETA SANITARIA",
                "DIETA ETICO-RELIGIOSA",
                "—"
            ]
        );
        assert_eq!(
            stored::<ReceiptOutcome>(),
            [
                "processing",
                "accepted",
                "already_processed",
                "duplicate_payment",
                "amount_mismatch",
                "expired",
                "cancelled",
                "unknown_notice"
            ]
        );
    }

    #[test]
    fn unknown_values_are_errors() {
        assert!(NoticePurpose::try_from_value(&"refund".to_owned()).is_err());
        assert!(NoticeState::try_from_value(&"expired".to_owned()).is_err());
        assert!(
            <FiscalCode as sea_orm::sea_query::ValueType>::try_from(Value::from(
                "RSSMRA85T10A562X"
            ))
            .is_err()
        );
        assert!(Sex::try_from_value(&"X".to_owned()).is_err());
        assert!(MealType::try_from_value(&"dieta sanitaria".to_owned()).is_err());
        assert!(
            <Weekdays as sea_orm::sea_query::ValueType>::try_from(Value::from("1,2,8")).is_err()
        );
        assert_eq!(
            Value::from(Weekdays::from_iso(&[5, 1]).unwrap()),
            Value::from("1,5")
        );
        let good = FiscalCode::parse("RSSMRA85T10A562S").unwrap();
        assert_eq!(
            <FiscalCode as sea_orm::sea_query::ValueType>::try_from(Value::from(good.clone())).ok(),
            Some(good)
        );
    }
}
