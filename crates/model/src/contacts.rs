//! Contatti e preferenze: a family user's e-mail and mobile number, and the channels
//! their letters reach them by.
//!
//! A new e-mail or mobile number applies only once the user types the 6-digit code sent
//! to it ([`ContactChange`], [`ContactConfirmation`]); until then the old one stays. Which
//! channels a letter goes by is one rule, [`letter_channels`]: e-mail when chosen and
//! known, App IO when chosen and the comune has it, SMS to a confirmed number for urgent
//! notices, and for every letter when chosen. A change of preferences is checked by
//! [`ChannelPreferences::check`] against what the user has.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::letters::Channel;
use crate::sms::MobileNumber;
use crate::FieldError;

/// Digits of a confirmation code.
pub const CODE_DIGITS: usize = 6;
/// How long a confirmation code is valid, in minutes.
pub const CODE_TTL_MINUTES: i64 = 15;
/// Wrong codes after which the request is void and a new one is needed.
pub const CODE_MAX_TRIES: i32 = 5;
/// Requests of a code one user may make in an hour.
pub const REQUESTS_PER_HOUR: i32 = 5;
/// An e-mail address (RFC 5321's limit).
pub const EMAIL_MAX_CHARS: usize = 254;
/// A mobile number as typed (spaces and prefix included).
pub const MOBILE_MAX_CHARS: usize = 32;
/// A confirmation code as typed.
pub const CODE_MAX_CHARS: usize = 16;

text_enum! {
    /// Which contact a change is about.
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub enum ContactKind {
        Email = "email" => "indirizzo e-mail",
        Mobile = "mobile" => "numero di cellulare",
    }
}

/// The channels a user chose for letters. SMS off still brings urgent notices to a
/// confirmed number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChannelPreferences {
    pub email: bool,
    /// Every letter by SMS, not only urgent notices.
    pub sms: bool,
    pub app_io: bool,
}

/// What the user has, that a choice of channels depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reachable {
    pub email: bool,
    /// A confirmed mobile number.
    pub mobile: bool,
    /// The comune writes through App IO.
    pub app_io: bool,
}

impl ChannelPreferences {
    /// Every field error of choosing these channels, in Italian: a channel can be on only
    /// when the user can be reached on it.
    pub fn check(&self, reachable: Reachable) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        if self.email && !reachable.email {
            errors.push(FieldError::new(
                "email",
                "Per ricevere le comunicazioni via e-mail indica prima il tuo indirizzo e-mail.",
            ));
        }
        if self.sms && !reachable.mobile {
            errors.push(FieldError::new(
                "sms",
                "Per ricevere le comunicazioni via SMS conferma prima il tuo numero di cellulare.",
            ));
        }
        if self.app_io && !reachable.app_io {
            errors.push(FieldError::new(
                "app_io",
                "Il comune non invia comunicazioni tramite App IO.",
            ));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// The channels a letter goes by to a user with `preferences` who can be reached as
/// `reachable`; an urgent notice goes by SMS to a confirmed number whatever the choice.
pub fn letter_channels(
    preferences: ChannelPreferences,
    reachable: Reachable,
    urgent: bool,
) -> Vec<Channel> {
    [
        (preferences.email && reachable.email, Channel::Email),
        (
            (urgent || preferences.sms) && reachable.mobile,
            Channel::Sms,
        ),
        (preferences.app_io && reachable.app_io, Channel::AppIo),
    ]
    .into_iter()
    .filter_map(|(on, channel)| on.then_some(channel))
    .collect()
}

/// A change of e-mail or mobile number waiting for its code.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PendingChange {
    pub kind: ContactKind,
    /// The new address or number (`+39 333 123 4567`), as the code was sent to it.
    pub value: String,
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub expires_at: OffsetDateTime,
}

/// Contatti e preferenze: the user's confirmed contacts, chosen channels, and the
/// changes waiting for their code.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Contacts {
    pub email: Option<String>,
    /// E.164 (`+393331234567`).
    pub mobile: Option<String>,
    /// As Italians write it (`+39 333 123 4567`).
    pub mobile_display: Option<String>,
    pub channels: ChannelPreferences,
    /// Whether the comune writes through App IO.
    pub app_io_available: bool,
    pub pending: Vec<PendingChange>,
}

impl Contacts {
    /// What the user can be reached on now.
    pub fn reachable(&self) -> Reachable {
        Reachable {
            email: self.email.is_some(),
            mobile: self.mobile.is_some(),
            app_io: self.app_io_available,
        }
    }
}

/// A new e-mail or mobile number: a code is sent to it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContactChange {
    pub kind: ContactKind,
    /// The new e-mail address, or the new mobile number (`333 123 4567`, `+39…`).
    #[cfg_attr(feature = "openapi", schema(max_length = 254))]
    pub value: String,
}

impl ContactChange {
    /// The new value in its stored form (an e-mail trimmed, a number in E.164), or the
    /// field error in Italian; `current` is the value the user has now.
    pub fn check(&self, current: Option<&str>) -> Result<String, Vec<FieldError>> {
        let refuse = |message: String| Err(vec![FieldError::new("value", message)]);
        let value = match self.kind {
            ContactKind::Email => {
                let email = self.value.trim();
                if email.is_empty() {
                    return refuse("Scrivi il nuovo indirizzo e-mail.".into());
                }
                if !valid_email(email) {
                    return refuse(
                        "Scrivi un indirizzo e-mail valido, ad esempio nome@esempio.it.".into(),
                    );
                }
                email.to_owned()
            }
            ContactKind::Mobile => match MobileNumber::parse(&self.value) {
                Ok(number) => number.as_str().to_owned(),
                Err(error) => return refuse(error.to_string()),
            },
        };
        if current.is_some_and(|current| same_contact(self.kind, current, &value)) {
            return refuse(format!("È già il tuo {}.", self.kind.label()));
        }
        Ok(value)
    }
}

/// Whether `email` (trimmed) is an e-mail address within [`EMAIL_MAX_CHARS`].
pub fn valid_email(email: &str) -> bool {
    email.chars().count() <= EMAIL_MAX_CHARS && email_address::EmailAddress::is_valid(email)
}

/// Whether two stored values are the same contact: e-mail addresses regardless of case.
pub fn same_contact(kind: ContactKind, a: &str, b: &str) -> bool {
    match kind {
        ContactKind::Email => a.trim().eq_ignore_ascii_case(b.trim()),
        ContactKind::Mobile => a == b,
    }
}

/// The code sent to the new e-mail or number.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContactConfirmation {
    pub kind: ContactKind,
    /// The 6 digits received.
    #[cfg_attr(feature = "openapi", schema(max_length = 16))]
    pub code: String,
}

impl ContactConfirmation {
    /// The code's digits, or the field error in Italian.
    pub fn check(&self) -> Result<String, Vec<FieldError>> {
        let digits: String = self.code.chars().filter(|c| !c.is_whitespace()).collect();
        if digits.len() == CODE_DIGITS && digits.bytes().all(|b| b.is_ascii_digit()) {
            Ok(digits)
        } else {
            Err(vec![FieldError::new(
                "code",
                format!(
                    "Il codice è di {CODE_DIGITS} cifre: lo trovi nel messaggio che ti abbiamo inviato."
                ),
            )])
        }
    }
}

/// How a stored value is shown: a number as Italians write it.
pub fn display(kind: ContactKind, value: &str) -> String {
    match kind {
        ContactKind::Email => value.to_owned(),
        ContactKind::Mobile => MobileNumber::parse(value)
            .map(|number| number.display())
            .unwrap_or_else(|_| value.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: Reachable = Reachable {
        email: true,
        mobile: true,
        app_io: true,
    };

    fn prefs(email: bool, sms: bool, app_io: bool) -> ChannelPreferences {
        ChannelPreferences { email, sms, app_io }
    }

    #[test]
    fn urgent_notices_go_by_sms_to_a_confirmed_number_other_letters_only_when_chosen() {
        let defaults = prefs(true, false, true);
        assert_eq!(
            letter_channels(defaults, ALL, false),
            [Channel::Email, Channel::AppIo]
        );
        assert_eq!(
            letter_channels(defaults, ALL, true),
            [Channel::Email, Channel::Sms, Channel::AppIo]
        );
        let no_mobile = Reachable {
            mobile: false,
            ..ALL
        };
        assert!(letter_channels(prefs(false, true, false), no_mobile, true).is_empty());
        assert_eq!(
            letter_channels(prefs(false, true, false), ALL, false),
            [Channel::Sms]
        );
        let no_io = Reachable {
            app_io: false,
            ..ALL
        };
        assert_eq!(letter_channels(defaults, no_io, false), [Channel::Email]);
    }

    #[test]
    fn a_channel_is_chosen_only_where_the_user_can_be_reached() {
        assert_eq!(prefs(true, true, true).check(ALL), Ok(()));
        let nothing = Reachable {
            email: false,
            mobile: false,
            app_io: false,
        };
        let errors = prefs(true, true, true).check(nothing).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["email", "sms", "app_io"]);
        assert_eq!(
            errors[1].message,
            "Per ricevere le comunicazioni via SMS conferma prima il tuo numero di cellulare."
        );
        assert_eq!(prefs(false, false, false).check(nothing), Ok(()));
    }

    #[test]
    fn a_new_contact_is_checked_and_stored_in_its_form() {
        let change = |kind, value: &str| ContactChange {
            kind,
            value: value.into(),
        };
        assert_eq!(
            change(ContactKind::Mobile, "333 123 4567").check(None),
            Ok("+393331234567".into())
        );
        assert_eq!(
            change(ContactKind::Mobile, "0039 333 1234567")
                .check(Some("+393331234567"))
                .unwrap_err()[0]
                .message,
            "È già il tuo numero di cellulare."
        );
        assert_eq!(
            change(ContactKind::Mobile, "06 1234567")
                .check(None)
                .unwrap_err()[0]
                .message,
            "Il numero non è un cellulare italiano: deve iniziare con 3 (ad esempio 333 123 4567)."
        );
        assert_eq!(
            change(ContactKind::Email, " anna@esempio.it ").check(Some("old@esempio.it")),
            Ok("anna@esempio.it".into())
        );
        assert_eq!(
            change(ContactKind::Email, "Anna@Esempio.it")
                .check(Some("anna@esempio.it"))
                .unwrap_err()[0]
                .message,
            "È già il tuo indirizzo e-mail."
        );
        assert_eq!(
            change(ContactKind::Email, "anna@").check(None).unwrap_err()[0].message,
            "Scrivi un indirizzo e-mail valido, ad esempio nome@esempio.it."
        );
    }

    #[test]
    fn a_code_is_six_digits() {
        let code = |code: &str| ContactConfirmation {
            kind: ContactKind::Email,
            code: code.into(),
        };
        assert_eq!(code(" 123 456 ").check(), Ok("123456".into()));
        assert!(code("12345").check().is_err());
        assert!(code("12345a").check().is_err());
        assert_eq!(
            display(ContactKind::Mobile, "+393331234567"),
            "+39 333 123 4567"
        );
    }
}
