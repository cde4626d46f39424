//! The ente's fiscal code and the pagoPA QR code payload printed on notices:
//! `PAGOPA|002|<18-digit notice number>|<11-digit fiscal code of the ente>|<amount in cents>`.

use std::fmt;

use qrcode::{Color, EcLevel, QrCode};

use crate::{Error, NoticeNumber};

/// The 11-digit fiscal code of an ente creditore (a comune's codice fiscale).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EnteFiscalCode(String);

impl EnteFiscalCode {
    /// Accepts exactly 11 digits, ignoring surrounding and inner spaces.
    pub fn parse(input: &str) -> Result<Self, Error> {
        let digits: String = input.chars().filter(|c| !c.is_whitespace()).collect();
        if digits.len() == 11 && digits.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(digits))
        } else {
            Err(Error::EnteFiscalCode)
        }
    }

    /// The 11 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The data of a notice's QR code, validated: the amount is positive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrPayload {
    notice_number: NoticeNumber,
    ente_fiscal_code: EnteFiscalCode,
    amount_cents: i64,
}

impl QrPayload {
    /// Builds the payload; refuses an amount of zero or less.
    pub fn new(
        notice_number: NoticeNumber,
        ente_fiscal_code: EnteFiscalCode,
        amount_cents: i64,
    ) -> Result<Self, Error> {
        if amount_cents <= 0 {
            return Err(Error::Amount);
        }
        Ok(Self {
            notice_number,
            ente_fiscal_code,
            amount_cents,
        })
    }

    /// The QR code matrix of this payload, with error correction level M as on printed
    /// pagoPA notices.
    pub fn qr_code(&self) -> Result<QrCode, Error> {
        QrCode::with_error_correction_level(self.to_string(), EcLevel::M).map_err(Error::Qr)
    }

    /// The QR code as rows of modules, `true` for dark, without the quiet zone.
    pub fn modules(&self) -> Result<Vec<Vec<bool>>, Error> {
        let code = self.qr_code()?;
        let width = code.width();
        let colors = code.to_colors();
        Ok(colors
            .chunks(width)
            .map(|row| row.iter().map(|c| *c == Color::Dark).collect())
            .collect())
    }
}

impl fmt::Display for QrPayload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "PAGOPA|002|{}|{}|{}",
            self.notice_number, self.ente_fiscal_code, self.amount_cents
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn payload(amount_cents: i64) -> Result<QrPayload, Error> {
        QrPayload::new(
            NoticeNumber::parse("002000000013037367").expect("valid"),
            EnteFiscalCode::parse("00123450165").expect("valid"),
            amount_cents,
        )
    }

    #[test]
    fn writes_the_standard_payload() {
        assert_eq!(
            payload(4760).expect("valid").to_string(),
            "PAGOPA|002|002000000013037367|00123450165|4760"
        );
    }

    #[test]
    fn refuses_zero_and_negative_amounts() {
        for amount in [0, -1, -4760] {
            let err = payload(amount).expect_err("not positive");
            assert_eq!(err.to_string(), "L'importo deve essere maggiore di zero.");
        }
    }

    #[test]
    fn validates_the_ente_fiscal_code() {
        assert_eq!(
            EnteFiscalCode::parse(" 0012345 0165 ")
                .expect("spaces ignored")
                .as_str(),
            "00123450165"
        );
        for bad in [
            "",
            "0012345016",
            "001234501650",
            "0012345016A",
            "RSSMRA80A01H501U",
        ] {
            let err = EnteFiscalCode::parse(bad).expect_err(bad);
            assert_eq!(
                err.to_string(),
                "Il codice fiscale dell'ente deve essere di 11 cifre."
            );
        }
    }

    /// Renders the matrix as a greyscale image (with a quiet zone) and decodes it with an
    /// independent QR reader.
    #[test]
    fn the_matrix_decodes_to_the_exact_payload() {
        let p = payload(123_456).expect("valid");
        let modules = p.modules().expect("encodable");
        let scale = 4;
        let quiet = 4;
        let size = (modules.len() + 2 * quiet) * scale;
        let mut image = rqrr::PreparedImage::prepare_from_greyscale(size, size, |x, y| {
            let (mx, my) = (x / scale, y / scale);
            let dark = mx >= quiet
                && my >= quiet
                && modules
                    .get(my - quiet)
                    .and_then(|row| row.get(mx - quiet))
                    .copied()
                    .unwrap_or(false);
            if dark {
                0
            } else {
                255
            }
        });
        let grids = image.detect_grids();
        assert_eq!(grids.len(), 1);
        let (_, content) = grids[0].decode().expect("decodable");
        assert_eq!(content, "PAGOPA|002|002000000013037367|00123450165|123456");
    }
}
