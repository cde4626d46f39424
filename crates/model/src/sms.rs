//! SMS rules shared by the SPA and the server: the Italian mobile number a family gives
//! for SMS, and how long a text is as SMS (GSM 03.38 / 3GPP TS 23.038 encodings and
//! concatenated segments), so the operator's counter and the gateway client agree.

use std::fmt;

use serde::{Deserialize, Serialize};

/// An Italian mobile number in E.164 form (`+393331234567`): `+39`, then a national
/// number of 9 or 10 digits starting with 3.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct MobileNumber(String);

/// Why a text is not an Italian mobile number; `Display` is the Italian message for the
/// user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MobileNumberError {
    Empty,
    Characters,
    Foreign,
    NotMobile,
    Length,
}

impl fmt::Display for MobileNumberError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            MobileNumberError::Empty => "Il numero di cellulare è obbligatorio.",
            MobileNumberError::Characters => {
                "Il numero di cellulare può contenere solo cifre, spazi e il prefisso +39."
            }
            MobileNumberError::Foreign => {
                "Gli SMS si possono ricevere solo su un cellulare italiano (prefisso +39)."
            }
            MobileNumberError::NotMobile => {
                "Il numero non è un cellulare italiano: deve iniziare con 3 (ad esempio 333 123 4567)."
            }
            MobileNumberError::Length => {
                "Il numero di cellulare deve avere 9 o 10 cifre dopo il prefisso +39."
            }
        })
    }
}

impl std::error::Error for MobileNumberError {}

/// Italy's country calling code in E.164.
const ITALY: &str = "+39";

impl MobileNumber {
    /// Parses user input: spaces, dots, dashes, slashes and brackets are ignored; the
    /// prefix may be `+39`, `0039` or (on a 12-digit number) `39`, or left out.
    pub fn parse(input: &str) -> Result<Self, MobileNumberError> {
        let compact: String = input
            .chars()
            .filter(|c| !matches!(c, ' ' | '.' | '-' | '/' | '(' | ')' | '\u{a0}'))
            .collect();
        if compact.is_empty() {
            return Err(MobileNumberError::Empty);
        }
        let (international, digits) = match compact.strip_prefix('+') {
            Some(rest) => (true, rest),
            None => match compact.strip_prefix("00") {
                Some(rest) => (true, rest),
                None => (false, compact.as_str()),
            },
        };
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(MobileNumberError::Characters);
        }
        let national = if international {
            digits
                .strip_prefix("39")
                .ok_or(MobileNumberError::Foreign)?
        } else if digits.len() == 12 && digits.starts_with("393") {
            &digits[2..]
        } else {
            digits
        };
        if !national.starts_with('3') {
            return Err(MobileNumberError::NotMobile);
        }
        if !(9..=10).contains(&national.len()) {
            return Err(MobileNumberError::Length);
        }
        Ok(MobileNumber(format!("{ITALY}{national}")))
    }

    /// The E.164 form, as SMS gateways take it: `+393331234567`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The number as Italians write it: `+39 333 123 4567`.
    pub fn display(&self) -> String {
        let national = &self.0[ITALY.len()..];
        format!(
            "{ITALY} {} {} {}",
            &national[..3],
            &national[3..6],
            &national[6..]
        )
    }
}

impl fmt::Display for MobileNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for MobileNumber {
    type Error = MobileNumberError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        MobileNumber::parse(&value)
    }
}

impl From<MobileNumber> for String {
    fn from(value: MobileNumber) -> Self {
        value.0
    }
}

/// How a text travels as SMS: 7-bit GSM when every character is in the GSM 03.38
/// alphabet (with its extension table), UCS-2 otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SmsEncoding {
    Gsm7,
    Ucs2,
}

impl SmsEncoding {
    /// Units (septets or UTF-16 code units) of a text sent as one SMS.
    pub fn single_capacity(self) -> usize {
        match self {
            SmsEncoding::Gsm7 => 160,
            SmsEncoding::Ucs2 => 70,
        }
    }

    /// Units of each part of a concatenated SMS (the rest carries the part header).
    pub fn part_capacity(self) -> usize {
        match self {
            SmsEncoding::Gsm7 => 153,
            SmsEncoding::Ucs2 => 67,
        }
    }
}

/// The size of a text as SMS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmsLength {
    pub encoding: SmsEncoding,
    /// Septets (GSM-7: an extension character takes two) or UTF-16 code units (UCS-2).
    pub units: usize,
    /// How many SMS the text takes: the family's phone joins them into one message.
    pub segments: usize,
}

/// Most SMS one text may take; a longer one is refused before it is sent.
pub const MAX_SMS_SEGMENTS: usize = 10;

/// GSM 03.38 default alphabet, in table order (ESC, 0x1B, is left out).
const GSM7_BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?\
                          ¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";

/// GSM 03.38 extension table: each is sent as ESC and a second septet.
const GSM7_EXTENSION: &str = "\u{c}^{}\\[~]|€";

/// Septets of a character in GSM-7, or `None` when GSM-7 cannot carry it.
fn gsm7_septets(c: char) -> Option<usize> {
    if GSM7_BASIC.contains(c) {
        Some(1)
    } else if GSM7_EXTENSION.contains(c) {
        Some(2)
    } else {
        None
    }
}

/// How many parts of `capacity` units the characters take, a character never split
/// between two parts.
fn parts(units: impl Iterator<Item = usize>, capacity: usize) -> usize {
    let mut count = 1;
    let mut used = 0;
    for size in units {
        if used + size > capacity {
            count += 1;
            used = 0;
        }
        used += size;
    }
    count
}

/// The encoding, length and number of SMS of a text.
pub fn sms_length(text: &str) -> SmsLength {
    let septets: Option<Vec<usize>> = text.chars().map(gsm7_septets).collect();
    let (encoding, sizes) = match septets {
        Some(sizes) => (SmsEncoding::Gsm7, sizes),
        None => (
            SmsEncoding::Ucs2,
            text.chars().map(char::len_utf16).collect(),
        ),
    };
    let units = sizes.iter().sum();
    let segments = if units <= encoding.single_capacity() {
        1
    } else {
        parts(sizes.into_iter(), encoding.part_capacity())
    };
    SmsLength {
        encoding,
        units,
        segments,
    }
}

/// Why a text cannot be sent as SMS; `Display` is the Italian message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmsTextError {
    Empty,
    TooLong { segments: usize },
}

impl fmt::Display for SmsTextError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SmsTextError::Empty => f.write_str("Scrivi il testo dell'SMS."),
            SmsTextError::TooLong { segments } => write!(
                f,
                "Il testo è troppo lungo per un SMS: occuperebbe {segments} messaggi, al massimo {MAX_SMS_SEGMENTS}. Accorcialo."
            ),
        }
    }
}

impl std::error::Error for SmsTextError {}

/// Checks a text can go as one SMS message (of at most [`MAX_SMS_SEGMENTS`] parts) and
/// returns its size.
pub fn check_sms_text(text: &str) -> Result<SmsLength, SmsTextError> {
    if text.trim().is_empty() {
        return Err(SmsTextError::Empty);
    }
    let length = sms_length(text);
    if length.segments > MAX_SMS_SEGMENTS {
        return Err(SmsTextError::TooLong {
            segments: length.segments,
        });
    }
    Ok(length)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn italian_mobile_numbers_in_the_ways_people_write_them() {
        for input in [
            "3331234567",
            "333 123 4567",
            "333-123.4567",
            "+39 333 1234567",
            "0039 333 123 4567",
            "393331234567",
            "(+39) 333/1234567",
        ] {
            let number = MobileNumber::parse(input).expect(input);
            assert_eq!(number.as_str(), "+393331234567", "{input}");
            assert_eq!(number.display(), "+39 333 123 4567");
        }
        assert_eq!(
            MobileNumber::parse("333 123456").map(|n| n.to_string()),
            Ok("+39333123456".into())
        );
        // A national number may itself start with 39 (393 is a mobile prefix).
        assert_eq!(
            MobileNumber::parse("393 123 4567").map(|n| n.to_string()),
            Ok("+393931234567".into())
        );
    }

    #[test]
    fn what_is_not_an_italian_mobile_number_says_why() {
        for (input, error) in [
            ("", MobileNumberError::Empty),
            ("  ", MobileNumberError::Empty),
            ("333 12x 4567", MobileNumberError::Characters),
            ("+", MobileNumberError::Characters),
            ("+41 79 123 45 67", MobileNumberError::Foreign),
            ("02 1234 5678", MobileNumberError::NotMobile),
            ("+39 06 1234567", MobileNumberError::NotMobile),
            ("333 1234", MobileNumberError::Length),
            ("333 1234 56789", MobileNumberError::Length),
        ] {
            assert_eq!(MobileNumber::parse(input), Err(error), "{input}");
        }
        assert_eq!(
            MobileNumberError::Foreign.to_string(),
            "Gli SMS si possono ricevere solo su un cellulare italiano (prefisso +39)."
        );
    }

    #[test]
    fn a_mobile_number_goes_on_the_wire_as_e164() {
        let number: MobileNumber = serde_json::from_str("\"333 123 4567\"").expect("valid");
        assert_eq!(
            serde_json::to_string(&number).expect("serialised"),
            "\"+393331234567\""
        );
        assert!(serde_json::from_str::<MobileNumber>("\"06 123\"").is_err());
    }

    #[test]
    fn italian_text_with_lower_case_accents_is_gsm7() {
        let text = "Domani la mensa è chiusa per sciopero: però il servizio riprenderà lunedì.";
        assert_eq!(
            sms_length(text),
            SmsLength {
                encoding: SmsEncoding::Gsm7,
                units: text.chars().count(),
                segments: 1,
            }
        );
        // € and the brackets are extension characters: two septets each.
        assert_eq!(sms_length("Saldo: 47,60 € [ok]").units, 22);
    }

    #[test]
    fn a_capital_accent_or_an_emoji_needs_ucs2() {
        let length = sms_length("È chiusa la mensa");
        assert_eq!(length.encoding, SmsEncoding::Ucs2);
        assert_eq!(length.units, 17);
        assert_eq!(sms_length("Buone feste 🎄").units, 14);
    }

    #[test]
    fn segments_follow_the_single_and_concatenated_capacities() {
        assert_eq!(sms_length(&"a".repeat(160)).segments, 1);
        assert_eq!(sms_length(&"a".repeat(161)).segments, 2);
        assert_eq!(sms_length(&"a".repeat(306)).segments, 2);
        assert_eq!(sms_length(&"a".repeat(307)).segments, 3);
        assert_eq!(sms_length(&"È".repeat(70)).segments, 1);
        assert_eq!(sms_length(&"È".repeat(71)).segments, 2);
        assert_eq!(sms_length(&"È".repeat(134)).segments, 2);
        // An extension character is never split between two parts: 152 septets and a €
        // fill the first part with one septet to spare, so the € opens the second.
        let text = format!("{}€{}", "a".repeat(152), "a".repeat(10));
        assert_eq!(sms_length(&text).units, 164);
        assert_eq!(sms_length(&text).segments, 2);
        // 306 septets would fit two parts, but not with the € kept whole.
        let text = format!("{}€{}", "a".repeat(152), "a".repeat(152));
        assert_eq!(sms_length(&text).units, 306);
        assert_eq!(sms_length(&text).segments, 3);
    }

    #[test]
    fn a_text_longer_than_ten_sms_is_refused() {
        assert_eq!(check_sms_text(" \n"), Err(SmsTextError::Empty));
        assert!(check_sms_text(&"a".repeat(153 * 10)).is_ok());
        let error = check_sms_text(&"a".repeat(153 * 10 + 1)).expect_err("too long");
        assert_eq!(error, SmsTextError::TooLong { segments: 11 });
        assert_eq!(
            error.to_string(),
            "Il testo è troppo lungo per un SMS: occuperebbe 11 messaggi, al massimo 10. Accorcialo."
        );
    }
}
