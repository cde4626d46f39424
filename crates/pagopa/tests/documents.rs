//! The notice and receipt PDFs read back with Debian's poppler-utils: `pdftotext` for the
//! text and `pdftoppm` for a rendered page whose QR code an independent reader decodes.

use std::path::PathBuf;
use std::process::Command;

use sportello_model::payments::NoticeDeadline;
use sportello_pagopa::{
    EnteFiscalCode, Error, NoticeDocument, NoticeNumber, Payment, PaymentMethod, ReceiptDocument,
};
use time::macros::{date, datetime};

/// Where a test writes its files: unique per process and test.
fn scratch(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("sportello-pagopa-{}-{name}", std::process::id()))
}

/// Runs a poppler-utils tool, failing with instructions when it is not installed.
fn poppler(tool: &str, args: &[&std::ffi::OsStr]) -> Vec<u8> {
    let output = match Command::new(tool).args(args).output() {
        Ok(output) => output,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => panic!(
            "`{tool}` is not installed: these tests need Debian's poppler-utils \
             (apt-get install -y poppler-utils)"
        ),
        Err(e) => panic!("could not run `{tool}`: {e}"),
    };
    assert!(
        output.status.success(),
        "`{tool}` failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

/// The text of a PDF as `pdftotext` extracts it, in reading order, with every run of
/// white space (line breaks of wrapped paragraphs included) made one space.
fn pdftotext(pdf: &[u8], name: &str) -> String {
    let path = scratch(&format!("{name}.pdf"));
    std::fs::write(&path, pdf).expect("write the PDF");
    let text = poppler(
        "pdftotext",
        &[
            "-enc".as_ref(),
            "UTF-8".as_ref(),
            path.as_os_str(),
            "-".as_ref(),
        ],
    );
    std::fs::remove_file(&path).expect("remove the PDF");
    String::from_utf8(text)
        .expect("pdftotext writes UTF-8")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Every QR code `rqrr` finds on the first page, rendered in greyscale at 150 dpi.
fn qr_codes(pdf: &[u8], name: &str) -> Vec<String> {
    let path = scratch(&format!("{name}.pdf"));
    let prefix = scratch(name);
    std::fs::write(&path, pdf).expect("write the PDF");
    poppler(
        "pdftoppm",
        &[
            "-r".as_ref(),
            "150".as_ref(),
            "-gray".as_ref(),
            "-singlefile".as_ref(),
            path.as_os_str(),
            prefix.as_os_str(),
        ],
    );
    let pgm_path = prefix.with_extension("pgm");
    let pgm = std::fs::read(&pgm_path).expect("pdftoppm wrote the page");
    std::fs::remove_file(&path).expect("remove the PDF");
    std::fs::remove_file(&pgm_path).expect("remove the image");

    let (width, height, pixels) = parse_pgm(&pgm);
    let mut image =
        rqrr::PreparedImage::prepare_from_greyscale(width, height, |x, y| pixels[y * width + x]);
    image
        .detect_grids()
        .into_iter()
        .map(|grid| grid.decode().expect("a readable QR code").1)
        .collect()
}

/// A binary PGM (`P5`, 8 bits): width, height and the grey pixels.
fn parse_pgm(data: &[u8]) -> (usize, usize, &[u8]) {
    let mut fields = Vec::new();
    let mut i = 0;
    while fields.len() < 4 {
        while data[i].is_ascii_whitespace() {
            i += 1;
        }
        let start = i;
        while !data[i].is_ascii_whitespace() {
            i += 1;
        }
        fields.push(std::str::from_utf8(&data[start..i]).expect("ASCII header"));
    }
    assert_eq!(fields[0], "P5", "binary greyscale");
    assert_eq!(fields[3], "255", "8-bit greyscale");
    let width: usize = fields[1].parse().expect("width");
    let height: usize = fields[2].parse().expect("height");
    let pixels = &data[i + 1..];
    assert_eq!(pixels.len(), width * height);
    (width, height, pixels)
}

fn payment() -> Payment {
    Payment {
        ente_name: "Comune di Mozzecane".to_string(),
        ente_fiscal_code: EnteFiscalCode::parse("00123450165").expect("valid"),
        payer_name: "Niccolò Saccà".to_string(),
        payer_fiscal_code: "SCCNCL80A01F241X".to_string(),
        object: "Retta Marzo 2024 – Trasporto scolastico".to_string(),
        amount_cents: 4760,
    }
}

fn notice() -> NoticeDocument {
    NoticeDocument {
        payment: payment(),
        deadline: NoticeDeadline::DueBy(date!(2024 - 04 - 27)),
        notice_number: NoticeNumber::parse("003012410800055787").expect("valid"),
    }
}

fn receipt() -> ReceiptDocument {
    ReceiptDocument {
        payment: payment(),
        paid_at: datetime!(2024-04-27 10:15),
        method: PaymentMethod::Satispay,
        psp_name: "Simulatore pagoPA".to_string(),
        notice_number: NoticeNumber::parse("003012410800055787").expect("valid"),
        receipt_id: "f43cf6263ddb47248222b039f6d1f1f5".to_string(),
    }
}

#[test]
fn the_notice_shows_what_a_clerk_needs() {
    let pdf = notice().render().expect("rendered");
    assert!(pdf.starts_with(b"%PDF-"));
    let text = pdftotext(&pdf, "notice");
    for expected in [
        "AVVISO DI PAGAMENTO",
        "Comune di Mozzecane",
        "Codice fiscale 00123450165",
        "Niccolò Saccà",
        "Codice fiscale SCCNCL80A01F241X",
        "Retta Marzo 2024 – Trasporto scolastico",
        "47,60 €",
        "entro il 27/04/2024",
        "RATA UNICA entro il 27/04/2024",
        "0030 1241 0800 0557 87",
        "012410800055787",
        "Puoi pagare online",
        "oppure presso banche, uffici postali, tabaccherie",
        "già pagato",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} missing from:\n{text}"
        );
    }
}

#[test]
fn the_notice_qr_code_decodes_to_the_pagopa_payload() {
    let pdf = notice().render().expect("rendered");
    assert_eq!(
        qr_codes(&pdf, "notice-qr"),
        vec!["PAGOPA|002|003012410800055787|00123450165|4760".to_string()]
    );
}

#[test]
fn a_recharge_notice_prints_the_last_day_it_can_be_paid() {
    let mut n = notice();
    n.deadline = NoticeDeadline::ValidUntil(date!(2027 - 02 - 28));
    let text = pdftotext(&n.render().expect("rendered"), "notice-valid-until");
    assert!(text.contains("valido fino al 28/02/2027"), "{text}");
    assert!(!text.contains("senza scadenza"), "{text}");
}

#[test]
fn a_notice_without_due_date_says_so() {
    let mut n = notice();
    n.deadline = NoticeDeadline::Open;
    let text = pdftotext(&n.render().expect("rendered"), "notice-no-due-date");
    assert!(text.contains("senza scadenza"), "{text}");
    assert!(!text.contains("entro il"), "{text}");
}

#[test]
fn long_texts_are_wrapped_and_cut_not_lost_off_the_page() {
    let mut n = notice();
    n.payment.object = "Retta del servizio di trasporto scolastico ".repeat(12);
    n.payment.ente_name = "Unione dei Comuni ".repeat(20);
    let text = pdftotext(&n.render().expect("rendered"), "notice-long");
    assert!(text.contains('…'), "{text}");
    assert!(text.contains("0030 1241 0800 0557 87"));
}

#[test]
fn the_notice_refuses_incomplete_data() {
    let mut n = notice();
    n.payment.amount_cents = 0;
    assert!(matches!(n.render(), Err(Error::Amount)));

    let mut n = notice();
    n.payment.object = " ".to_string();
    assert_eq!(
        n.render().expect_err("no object").to_string(),
        "Manca un dato obbligatorio: oggetto del pagamento."
    );
}

#[test]
fn the_receipt_shows_the_payment() {
    let pdf = receipt().render().expect("rendered");
    assert!(pdf.starts_with(b"%PDF-"));
    let text = pdftotext(&pdf, "receipt");
    for expected in [
        "RICEVUTA DI PAGAMENTO",
        "Comune di Mozzecane",
        "00123450165",
        "Niccolò Saccà",
        "SCCNCL80A01F241X",
        "Retta Marzo 2024 – Trasporto scolastico",
        "47,60 €",
        "27/04/2024 alle 10:15",
        "Satispay",
        "Simulatore pagoPA",
        "0030 1241 0800 0557 87",
        "012410800055787",
        "f43cf6263ddb47248222b039f6d1f1f5",
        "dichiarazione dei redditi",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} missing from:\n{text}"
        );
    }
}

#[test]
fn the_receipt_refuses_incomplete_data() {
    let mut r = receipt();
    r.payment.amount_cents = -5;
    assert!(matches!(r.render(), Err(Error::Amount)));

    let mut r = receipt();
    r.receipt_id = String::new();
    assert_eq!(
        r.render().expect_err("no id").to_string(),
        "Manca un dato obbligatorio: identificativo della ricevuta."
    );
}
