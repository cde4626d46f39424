//! Notice numbers (numero avviso) and IUVs, per AgID's rules for pagoPA.
//!
//! A notice number has 18 digits. With aux digit 0 it is `0` + a 2-digit application
//! code + a 15-digit IUV (a 13-digit base, then 2 check digits). With aux digit 3 it is
//! `3` + a 17-digit IUV that begins with the ente's 2-digit segregation code, then a
//! 13-digit base, then 2 check digits. In both, the check digits are the first 16 digits
//! of the notice number, read as one number, modulo 93, written as 2 digits.
//!
//! Because 93 = 3 × 31 is coprime with 10 and larger than any single-digit change
//! (at most 9 × 10^k) or adjacent swap (at most 81 × 10^k), every mistyped single digit
//! and every swap of two neighbouring digits is caught.

use std::fmt;

use crate::Error;

/// The largest per-ente sequence number: the IUV base has 13 digits.
pub const MAX_SEQUENCE: u64 = 9_999_999_999_999;

/// The first digit of a notice number, which says how the rest is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuxDigit {
    /// `0` + application code + 15-digit IUV (one application of the ente issues notices).
    Zero,
    /// `3` + 17-digit IUV starting with the segregation code (several applications share
    /// the ente's numbering, each with its own segregation code).
    Three,
}

impl AuxDigit {
    /// The digit itself, 0 or 3.
    pub fn digit(self) -> u8 {
        match self {
            AuxDigit::Zero => 0,
            AuxDigit::Three => 3,
        }
    }
}

/// How one ente numbers its notices: the aux digit and its 2-digit companion, which is
/// the application code (aux digit 0) or the segregation code (aux digit 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct NoticeConfig {
    aux_digit: AuxDigit,
    code: u8,
}

impl NoticeConfig {
    /// Builds the configuration from the aux digit (0 or 3) and the application or
    /// segregation code (0 to 99), as an ente's settings store them.
    pub fn new(aux_digit: u8, code: u8) -> Result<Self, Error> {
        let aux_digit = match aux_digit {
            0 => AuxDigit::Zero,
            3 => AuxDigit::Three,
            _ => return Err(Error::AuxDigit),
        };
        if code > 99 {
            return Err(Error::TwoDigitCode);
        }
        Ok(Self { aux_digit, code })
    }

    /// The aux digit.
    pub fn aux_digit(self) -> AuxDigit {
        self.aux_digit
    }

    /// The application code (aux digit 0) or the segregation code (aux digit 3).
    pub fn code(self) -> u8 {
        self.code
    }
}

/// A valid 18-digit notice number (numero avviso / codice avviso).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NoticeNumber(String);

/// An IUV (Identificativo Univoco di Versamento), unique per ente: 15 digits under aux
/// digit 0, 17 under aux digit 3. Only obtained from a [`NoticeNumber`], so always
/// consistent with it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Iuv(String);

/// Mod-93 remainder of a run of ASCII digits, computed digit by digit so it never
/// overflows and never fails.
fn mod93(digits: &[u8]) -> u8 {
    let remainder = digits
        .iter()
        .fold(0u32, |r, d| (r * 10 + u32::from(d - b'0')) % 93);
    // The remainder is below 93, so it fits.
    remainder as u8
}

impl NoticeNumber {
    /// Turns a per-ente sequence number (`0..=MAX_SEQUENCE`) into a notice number.
    /// Distinct sequence numbers under one configuration give distinct notice numbers, so
    /// a database sequence or counter per ente is all the server needs for uniqueness.
    pub fn generate(config: NoticeConfig, sequence: u64) -> Result<Self, Error> {
        if sequence > MAX_SEQUENCE {
            return Err(Error::SequenceExhausted);
        }
        let mut digits = format!(
            "{}{:02}{:013}",
            config.aux_digit.digit(),
            config.code,
            sequence
        );
        let check = mod93(digits.as_bytes());
        digits.push_str(&format!("{check:02}"));
        Ok(Self(digits))
    }

    /// Reads a notice number as a person types it: spaces and dashes are ignored; a wrong
    /// length, a non-digit, an aux digit other than 0 or 3 or wrong check digits is refused
    /// with an Italian message.
    pub fn parse(input: &str) -> Result<Self, Error> {
        let mut digits = String::with_capacity(18);
        for c in input.chars() {
            if c.is_ascii_digit() {
                digits.push(c);
            } else if !(c.is_whitespace() || matches!(c, '-' | '‐' | '–' | '—')) {
                return Err(Error::NoticeNumberNotDigits);
            }
        }
        if digits.is_empty() {
            return Err(Error::NoticeNumberEmpty);
        }
        let bytes = digits.as_bytes();
        if bytes.len() != 18 {
            return Err(Error::NoticeNumberLength);
        }
        if !matches!(bytes[0], b'0' | b'3') {
            return Err(Error::NoticeNumberAuxDigit);
        }
        let expected = mod93(&bytes[..16]);
        let written = (bytes[16] - b'0') * 10 + (bytes[17] - b'0');
        if expected != written {
            return Err(Error::NoticeNumberCheckDigits);
        }
        Ok(Self(digits))
    }

    /// The 18 digits, without separators.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The 18 digits grouped 4-4-4-4-2 as printed on notices: `0020 0000 0013 0373 67`.
    pub fn formatted(&self) -> String {
        sportello_model::format::notice_number(&self.0)
    }

    /// The aux digit this number starts with.
    pub fn aux_digit(&self) -> AuxDigit {
        if self.0.starts_with('3') {
            AuxDigit::Three
        } else {
            AuxDigit::Zero
        }
    }

    /// The numbering this notice number belongs to (aux digit and application or
    /// segregation code), to check that a typed number is one of this ente's.
    pub fn config(&self) -> NoticeConfig {
        let b = self.0.as_bytes();
        NoticeConfig {
            aux_digit: self.aux_digit(),
            code: (b[1] - b'0') * 10 + (b[2] - b'0'),
        }
    }

    /// The IUV inside this notice number.
    pub fn iuv(&self) -> Iuv {
        let start = match self.aux_digit() {
            AuxDigit::Zero => 3,
            AuxDigit::Three => 1,
        };
        Iuv(self.0[start..].to_string())
    }
}

impl Iuv {
    /// The digits of the IUV.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Iuv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(aux: u8, code: u8) -> NoticeConfig {
        NoticeConfig::new(aux, code).expect("valid test configuration")
    }

    /// Known-good vectors, each checked by hand:
    ///
    /// * `002000000013037367` (seed 000): aux 0, application code 02, IUV base
    ///   0000000130373. 20 000 000 130 373 = 93 × 215 053 764 842 + 67 → check 67.
    /// * `002000000011458892` (seed 000): 20 000 000 114 588 = 93 × 215 053 764 672 + 92.
    /// * `003012410800055787` (seed 000, "Documento n°"): aux 0, application code 03,
    ///   base 0124108000557. 30 124 108 000 557 = 93 × 323 915 139 790 + 87.
    /// * `003012406500055732`: 30 124 065 000 557 = 93 × 323 914 677 425 + 32.
    /// * `003012404300055416`: 30 124 043 000 554 = 93 × 323 914 440 866 + 16.
    /// * `301000000000000144`: aux 3, segregation code 01, base 0000000000001.
    ///   3 010 000 000 000 001 = 93 × 32 365 591 397 849 + 44.
    /// * `347999999999999962`: aux 3, segregation 47, the largest sequence.
    ///   3 479 999 999 999 999 = 93 × 37 419 354 838 709 + 62.
    /// * `099000000000004203`: aux 0, application code 99, base 0000000000042.
    ///   990 000 000 000 042 = 93 × 10 645 161 290 323 + 3 → check written `03`.
    const VECTORS: &[(u8, u8, u64, &str)] = &[
        (0, 2, 130_373, "002000000013037367"),
        (0, 2, 114_588, "002000000011458892"),
        (0, 3, 124_108_000_557, "003012410800055787"),
        (0, 3, 124_065_000_557, "003012406500055732"),
        (0, 3, 124_043_000_554, "003012404300055416"),
        (3, 1, 1, "301000000000000144"),
        (3, 47, MAX_SEQUENCE, "347999999999999962"),
        (0, 99, 42, "099000000000004203"),
        (0, 0, 0, "000000000000000000"),
    ];

    #[test]
    fn generates_the_known_good_vectors() {
        for &(aux, code, sequence, expected) in VECTORS {
            let generated =
                NoticeNumber::generate(config(aux, code), sequence).expect("sequence in range");
            assert_eq!(generated.as_str(), expected);
            assert_eq!(NoticeNumber::parse(expected).expect("valid"), generated);
        }
    }

    #[test]
    fn the_seed_numbers_are_valid() {
        for seed in [
            "002000000013037367",
            "002000000011458892",
            "003012410800055787",
            "003012406500055732",
            "003012404300055416",
        ] {
            assert!(NoticeNumber::parse(seed).is_ok(), "{seed}");
        }
    }

    #[test]
    fn splits_the_iuv_by_aux_digit() {
        let zero = NoticeNumber::parse("002000000013037367").expect("valid");
        assert_eq!(zero.aux_digit(), AuxDigit::Zero);
        assert_eq!(zero.iuv().as_str(), "000000013037367");
        assert_eq!(zero.config(), config(0, 2));

        let three = NoticeNumber::parse("301000000000000144").expect("valid");
        assert_eq!(three.aux_digit(), AuxDigit::Three);
        assert_eq!(three.iuv().as_str(), "01000000000000144");
        assert_eq!(three.iuv().as_str().len(), 17);
        assert!(three.iuv().as_str().starts_with("01"));
        assert_eq!(three.config(), config(3, 1));
    }

    #[test]
    fn formats_four_by_four() {
        let n = NoticeNumber::parse("002000000013037367").expect("valid");
        assert_eq!(n.formatted(), "0020 0000 0013 0373 67");
        assert_eq!(n.to_string(), "002000000013037367");
        assert_eq!(NoticeNumber::parse(&n.formatted()).expect("round trip"), n);
    }

    #[test]
    fn accepts_spaces_and_dashes_as_typed() {
        for typed in [
            " 0020 0000 0013 0373 67 ",
            "0020-0000-0013-0373-67",
            "002000000013037367\n",
            "0020\u{a0}0000\u{a0}0013\u{a0}0373\u{a0}67",
        ] {
            assert_eq!(
                NoticeNumber::parse(typed).expect("valid").as_str(),
                "002000000013037367"
            );
        }
    }

    #[test]
    fn refuses_mistyped_numbers_with_italian_messages() {
        let cases = [
            ("", "Inserisci il numero avviso."),
            (" - ", "Inserisci il numero avviso."),
            (
                "00200000001303736",
                "Il numero avviso deve essere di 18 cifre.",
            ),
            (
                "0020000000130373670",
                "Il numero avviso deve essere di 18 cifre.",
            ),
            (
                "00200000001303736A",
                "Il numero avviso può contenere solo cifre.",
            ),
            (
                "0020.0000.0013.0373.67",
                "Il numero avviso può contenere solo cifre.",
            ),
            (
                "102000000013037367",
                "Il numero avviso non è valido: deve iniziare con la cifra 0 o 3.",
            ),
            (
                "002000000013037368",
                "Il numero avviso non è valido: le cifre di controllo non corrispondono. \
                 Verifica di averlo digitato correttamente.",
            ),
            // The example in pagoPA's own documentation is a placeholder, not a valid number.
            (
                "311111111112222222",
                "Il numero avviso non è valido: le cifre di controllo non corrispondono. \
                 Verifica di averlo digitato correttamente.",
            ),
        ];
        for (typed, message) in cases {
            let err = NoticeNumber::parse(typed).expect_err(typed);
            assert_eq!(err.to_string(), message, "{typed:?}");
        }
    }

    #[test]
    fn refuses_bad_configurations_and_exhausted_sequences() {
        assert!(matches!(NoticeConfig::new(1, 2), Err(Error::AuxDigit)));
        assert!(matches!(
            NoticeConfig::new(0, 100),
            Err(Error::TwoDigitCode)
        ));
        assert!(matches!(
            NoticeNumber::generate(config(3, 1), MAX_SEQUENCE + 1),
            Err(Error::SequenceExhausted)
        ));
    }

    /// A deterministic spread of sequence numbers: edges plus a multiplicative walk
    /// across the whole 13-digit range.
    fn sequences() -> impl Iterator<Item = u64> {
        let edges = [0, 1, 9, 10, 92, 93, 94, 999, MAX_SEQUENCE - 1, MAX_SEQUENCE];
        let walk = (0..400u64).map(|i| i.wrapping_mul(6_364_136_223_846_793_005) % MAX_SEQUENCE);
        edges.into_iter().chain(walk)
    }

    fn configs() -> Vec<NoticeConfig> {
        vec![
            config(0, 0),
            config(0, 2),
            config(0, 99),
            config(3, 1),
            config(3, 47),
        ]
    }

    #[test]
    fn every_generated_number_parses_back_with_its_config() {
        for cfg in configs() {
            for sequence in sequences() {
                let n = NoticeNumber::generate(cfg, sequence).expect("in range");
                assert_eq!(n.as_str().len(), 18);
                let parsed = NoticeNumber::parse(n.as_str()).expect("generated numbers are valid");
                assert_eq!(parsed, n);
                assert_eq!(parsed.config(), cfg);
                let iuv_len = match cfg.aux_digit() {
                    AuxDigit::Zero => 15,
                    AuxDigit::Three => 17,
                };
                assert_eq!(parsed.iuv().as_str().len(), iuv_len);
                assert!(n.as_str().ends_with(parsed.iuv().as_str()));
            }
        }
    }

    #[test]
    fn distinct_sequences_give_distinct_numbers() {
        let cfg = config(3, 1);
        let mut seen = std::collections::HashSet::new();
        for sequence in (0..2_000u64).chain(sequences()) {
            let n = NoticeNumber::generate(cfg, sequence).expect("in range");
            seen.insert((sequence, n));
        }
        let numbers: std::collections::HashSet<_> = seen.iter().map(|(_, n)| n).collect();
        assert_eq!(numbers.len(), seen.len());
    }

    #[test]
    fn every_single_digit_change_is_detected() {
        for cfg in configs() {
            for sequence in sequences().take(60) {
                let n = NoticeNumber::generate(cfg, sequence).expect("in range");
                let original = n.as_str().as_bytes();
                for position in 0..18 {
                    for digit in b'0'..=b'9' {
                        if digit == original[position] {
                            continue;
                        }
                        let mut changed = original.to_vec();
                        changed[position] = digit;
                        let typed = String::from_utf8(changed).expect("ascii");
                        assert!(
                            NoticeNumber::parse(&typed).is_err(),
                            "{typed} (from {n}) was accepted"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn every_swap_of_neighbouring_digits_is_detected() {
        for cfg in configs() {
            for sequence in sequences().take(60) {
                let n = NoticeNumber::generate(cfg, sequence).expect("in range");
                let original = n.as_str().as_bytes();
                for position in 0..17 {
                    if original[position] == original[position + 1] {
                        continue;
                    }
                    let mut swapped = original.to_vec();
                    swapped.swap(position, position + 1);
                    let typed = String::from_utf8(swapped).expect("ascii");
                    assert!(
                        NoticeNumber::parse(&typed).is_err(),
                        "{typed} (from {n}) was accepted"
                    );
                }
            }
        }
    }
}
