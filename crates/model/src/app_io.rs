//! The limits App IO (PagoPA S.p.A.'s IO Services API) puts on a message's subject and
//! Markdown body, checked by the server before sending and by the SPA while an operator
//! writes. IO validates lengths as JavaScript does, in UTF-16 code units (an emoji counts
//! two), so they are counted the same way here.

use std::fmt;
use std::ops::RangeInclusive;

use crate::format::count;

/// Length of a message's subject (`MessageContent.subject`).
pub const SUBJECT_LENGTH: RangeInclusive<usize> = 10..=120;
/// Length of a message's Markdown body (`MessageContent.markdown`).
pub const MARKDOWN_LENGTH: RangeInclusive<usize> = 80..=10_000;

/// A subject or body App IO would refuse; `Display` is the Italian message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppIoTextError {
    Subject { length: usize },
    Markdown { length: usize },
}

impl fmt::Display for AppIoTextError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (what, range, length) = match self {
            AppIoTextError::Subject { length } => ("L'oggetto", SUBJECT_LENGTH, length),
            AppIoTextError::Markdown { length } => ("Il testo", MARKDOWN_LENGTH, length),
        };
        write!(
            f,
            "{what} di un messaggio App IO deve avere da {} a {} caratteri (ne ha {}).",
            count(*range.start()),
            count(*range.end()),
            count(*length)
        )
    }
}

impl std::error::Error for AppIoTextError {}

/// Length of a text as App IO counts it.
pub fn io_length(text: &str) -> usize {
    text.encode_utf16().count()
}

/// `Ok` when the text's length is in `range`, else the error for its length.
fn within(
    text: &str,
    range: RangeInclusive<usize>,
    error: fn(usize) -> AppIoTextError,
) -> Result<(), AppIoTextError> {
    let length = io_length(text);
    if range.contains(&length) {
        Ok(())
    } else {
        Err(error(length))
    }
}

/// Checks a message's subject against App IO's limits.
pub fn check_subject(subject: &str) -> Result<(), AppIoTextError> {
    within(subject, SUBJECT_LENGTH, |length| AppIoTextError::Subject {
        length,
    })
}

/// Checks a message's Markdown body against App IO's limits.
pub fn check_markdown(markdown: &str) -> Result<(), AppIoTextError> {
    within(markdown, MARKDOWN_LENGTH, |length| {
        AppIoTextError::Markdown { length }
    })
}

/// `text` within `max` units as App IO counts them: as it is, or cut and ended by `…`.
pub fn shorten(text: &str, max: usize) -> String {
    if io_length(text) <= max {
        return text.to_owned();
    }
    let mut kept = String::new();
    let mut length = 0;
    for c in text.chars() {
        if length + c.len_utf16() + 1 > max {
            break;
        }
        length += c.len_utf16();
        kept.push(c);
    }
    kept.push('…');
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_within_ten_and_a_hundred_and_twenty() {
        assert!(check_subject("Sollecito di pagamento").is_ok());
        assert!(check_subject(&"a".repeat(10)).is_ok());
        assert!(check_subject(&"a".repeat(120)).is_ok());
        let short = check_subject("Sollecito").expect_err("9 characters");
        assert_eq!(short, AppIoTextError::Subject { length: 9 });
        assert_eq!(
            short.to_string(),
            "L'oggetto di un messaggio App IO deve avere da 10 a 120 caratteri (ne ha 9)."
        );
        assert!(check_subject(&"a".repeat(121)).is_err());
    }

    #[test]
    fn bodies_within_eighty_and_ten_thousand() {
        assert!(check_markdown(&"è".repeat(80)).is_ok());
        assert!(check_markdown(&"a".repeat(10_000)).is_ok());
        let long = check_markdown(&"a".repeat(10_001)).expect_err("too long");
        assert_eq!(
            long.to_string(),
            "Il testo di un messaggio App IO deve avere da 80 a 10.000 caratteri (ne ha 10.001)."
        );
    }

    #[test]
    fn lengths_are_counted_as_io_counts_them() {
        // Five emoji are ten UTF-16 code units: enough for IO, as in JavaScript.
        assert_eq!(io_length("🎒📚🍎🚌🏫"), 10);
        assert!(check_subject("🎒📚🍎🚌🏫").is_ok());
        assert_eq!(io_length("Novità"), 6);
    }

    #[test]
    fn a_long_text_is_cut_within_ios_limit() {
        assert_eq!(shorten("Mensa chiusa", 120), "Mensa chiusa");
        let cut = shorten(&"è".repeat(130), *SUBJECT_LENGTH.end());
        assert_eq!(io_length(&cut), 120);
        assert!(cut.ends_with('…'));
        assert_eq!(shorten("😀😀😀", 4), "😀…");
    }
}
