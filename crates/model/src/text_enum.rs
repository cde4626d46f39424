//! The one shape of the enums stored and sent as text (roles, kinds, statuses, choices).

/// Declares an enum whose every variant is one fixed text: the JSON value (serde), the
/// stored value (sea-orm, behind the `sea-orm` feature, so that an unknown value in the
/// database is an error) and `as_str`, with `ALL` and `parse`. With `=> "Label"` after
/// each text it also has `label`, the Italian name shown to users.
macro_rules! text_enum {
    (@enum
        $(#[$meta:meta])*
        pub enum $name:ident { $( $(#[$vmeta:meta])* $variant:ident = $text:tt, )+ }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        #[cfg_attr(
            feature = "sea-orm",
            derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum),
            sea_orm(rs_type = "String", db_type = "Text")
        )]
        pub enum $name {
            $(
                $(#[$vmeta])*
                #[serde(rename = $text)]
                #[cfg_attr(feature = "sea-orm", sea_orm(string_value = $text))]
                $variant,
            )+
        }

        impl $name {
            pub const ALL: [$name; [$($text),+].len()] = [$($name::$variant),+];

            /// The text sent and stored.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }

            pub fn parse(text: &str) -> Option<$name> {
                $name::ALL.into_iter().find(|value| value.as_str() == text)
            }
        }
    };
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $text:tt => $label:tt, )+
        }
    ) => {
        text_enum! {@enum $(#[$meta])* pub enum $name { $( $(#[$vmeta])* $variant = $text, )+ } }

        impl $name {
            /// Italian name shown to users.
            pub fn label(self) -> &'static str {
                match self {
                    $($name::$variant => $label,)+
                }
            }
        }
    };
    (
        $(#[$meta:meta])*
        pub enum $name:ident { $( $(#[$vmeta:meta])* $variant:ident = $text:tt, )+ }
    ) => {
        text_enum! {@enum $(#[$meta])* pub enum $name { $( $(#[$vmeta])* $variant = $text, )+ } }
    };
}

#[cfg(test)]
mod tests {
    use crate::auth::Role;
    use crate::children::MealType;
    use crate::payments::MovementKind;

    #[test]
    fn text_enums_are_sent_and_read_as_their_text_only() {
        let staff = serde_json::to_string(&Role::CanteenStaff).unwrap();
        assert_eq!(staff, r#""canteen_staff""#);
        let diet: MealType = serde_json::from_str(r#""DIETA SANITARIA""#).unwrap();
        assert_eq!(diet, MealType::Medical);
        assert!(serde_json::from_str::<MealType>(r#""dieta sanitaria""#).is_err());
        for kind in MovementKind::ALL {
            assert_eq!(MovementKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(Role::parse("admin"), None);
        assert_eq!(Role::CanteenStaff.label(), "Addetto mensa");
    }
}
