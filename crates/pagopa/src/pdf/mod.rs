//! The payment notice (avviso di pagamento) a counter clerk can use, and the receipt
//! (ricevuta) after payment: one A4 page each, Italian text, written with `pdf-writer`.

mod canvas;

use sportello_model::format;
use sportello_model::payments::NoticeDeadline;
use time::PrimitiveDateTime;

use crate::{require, EnteFiscalCode, Error, NoticeNumber, PaymentMethod, QrPayload};
use canvas::{Canvas, Font, Style, PAGE_HEIGHT, PAGE_WIDTH};

const MARGIN: f32 = 40.0;
const RIGHT: f32 = PAGE_WIDTH - MARGIN;
const WIDTH: f32 = PAGE_WIDTH - 2.0 * MARGIN;

const TITLE: Style = Style::new(Font::Bold, 18.0);
const LABEL: Style = Style::new(Font::Bold, 8.0);
const BODY: Style = Style::new(Font::Regular, 9.5);
const SMALL: Style = Style::new(Font::Regular, 8.0);
const VALUE: Style = Style::new(Font::Regular, 11.0);
const VALUE_BOLD: Style = Style::new(Font::Bold, 11.0);
const CODE: Style = Style::new(Font::Bold, 12.0);

/// What a notice and its receipt both show: who is paid, who pays, what for and how much.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payment {
    /// The ente creditore, e.g. "Comune di Mozzecane".
    pub ente_name: String,
    /// The ente's 11-digit fiscal code.
    pub ente_fiscal_code: EnteFiscalCode,
    /// The person the notice is addressed to.
    pub payer_name: String,
    /// The payer's codice fiscale.
    pub payer_fiscal_code: String,
    /// What the payment is for (causale), e.g. "Retta Marzo 2024".
    pub object: String,
    /// The amount (to pay, or paid) in euro cents; must be positive.
    pub amount_cents: i64,
}

/// What a payment notice shows. The QR code is built from the notice number, the ente's
/// fiscal code and the amount.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeDocument {
    pub payment: Payment,
    /// Its date, printed as the portal shows it.
    pub deadline: NoticeDeadline,
    /// The notice number.
    pub notice_number: NoticeNumber,
}

/// What a payment receipt shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptDocument {
    pub payment: Payment,
    /// When it was paid, already in Italian local time (Europe/Rome): converting from the
    /// receipt's UTC instant is the caller's job.
    pub paid_at: PrimitiveDateTime,
    /// How it was paid.
    pub method: PaymentMethod,
    /// The payment service provider (PSP) that collected the money.
    pub psp_name: String,
    /// The notice number that was paid.
    pub notice_number: NoticeNumber,
    /// pagoPA's receipt identifier.
    pub receipt_id: String,
}

/// The pagoPA word mark and a document title across the top of the page.
fn header(canvas: &mut Canvas, title: &str) {
    canvas.text(MARGIN, PAGE_HEIGHT - 48.0, TITLE, title);
    canvas.text_right(RIGHT, PAGE_HEIGHT - 48.0, TITLE, "pagoPA");
}

/// A small upper-case label with a value wrapped below it; returns the next free baseline.
fn labelled(
    canvas: &mut Canvas,
    x: f32,
    y: f32,
    width: f32,
    label: &str,
    (style, max_lines): (Style, usize),
    value: &str,
) -> f32 {
    canvas.text(x, y, LABEL, label);
    canvas.paragraph(x, y - style.size - 4.0, width, style, max_lines, value)
}

impl NoticeDocument {
    /// Renders the notice as a one-page A4 PDF.
    pub fn render(&self) -> Result<Vec<u8>, Error> {
        require(&self.payment.ente_name, "nome dell'ente")?;
        require(&self.payment.payer_name, "nome del destinatario")?;
        require(
            &self.payment.payer_fiscal_code,
            "codice fiscale del destinatario",
        )?;
        require(&self.payment.object, "oggetto del pagamento")?;
        let payload = QrPayload::new(
            self.notice_number.clone(),
            self.payment.ente_fiscal_code.clone(),
            self.payment.amount_cents,
        )?;
        let modules = payload.modules()?;
        let amount = format::euro_cents(self.payment.amount_cents);
        let due = self.deadline.text();
        let column = (WIDTH - 20.0) / 2.0;
        let right_column = MARGIN + column + 20.0;

        let mut c = Canvas::new();
        header(&mut c, "AVVISO DI PAGAMENTO");
        let below_object = c.paragraph(
            MARGIN,
            PAGE_HEIGHT - 74.0,
            WIDTH,
            Style::new(Font::Bold, 13.0),
            2,
            &self.payment.object,
        );
        let rule = below_object + 4.0;
        c.rule(MARGIN, RIGHT, rule, 1.0);

        let top = rule - 22.0;
        let ente_end = labelled(
            &mut c,
            MARGIN,
            top,
            column,
            "ENTE CREDITORE",
            (VALUE_BOLD, 2),
            &self.payment.ente_name,
        );
        c.text(
            MARGIN,
            ente_end,
            BODY,
            &format!("Codice fiscale {}", self.payment.ente_fiscal_code),
        );
        let payer_end = labelled(
            &mut c,
            right_column,
            top,
            column,
            "DESTINATARIO AVVISO",
            (VALUE_BOLD, 2),
            &self.payment.payer_name,
        );
        c.text(
            right_column,
            payer_end,
            BODY,
            &format!("Codice fiscale {}", self.payment.payer_fiscal_code),
        );
        let rule = ente_end.min(payer_end) - 14.0;
        c.rule(MARGIN, RIGHT, rule, 0.5);

        let top = rule - 22.0;
        c.text(MARGIN, top, LABEL, "QUANTO E QUANDO PAGARE?");
        c.text(MARGIN, top - 28.0, Style::new(Font::Bold, 22.0), &amount);
        c.text(MARGIN, top - 46.0, VALUE, &due);
        c.paragraph(
            MARGIN,
            top - 66.0,
            column,
            BODY,
            4,
            "L'importo va pagato in un'unica soluzione. Se hai già pagato questo avviso, \
             non pagarlo di nuovo: la ricevuta arriva all'ente in automatico.",
        );
        c.text(right_column, top, LABEL, "DOVE PAGARE?");
        c.paragraph(
            right_column,
            top - 16.0,
            column,
            BODY,
            9,
            "Puoi pagare online dal portale dell'ente, con l'app IO o sul sito di pagoPA, \
             con carta di pagamento, conto corrente, MyBank, PayPal, Satispay o altri \
             metodi, oppure presso banche, uffici postali, tabaccherie, ricevitorie, \
             supermercati e sportelli ATM aderenti a pagoPA, presentando questo avviso: \
             basta il codice QR o il codice avviso.",
        );

        self.payment_slip(&mut c, &modules, &amount, &due);
        Ok(c.finish("Avviso di pagamento pagoPA"))
    }

    /// The bottom part of the notice, the one a clerk scans or types from.
    fn payment_slip(&self, c: &mut Canvas, modules: &[Vec<bool>], amount: &str, due: &str) {
        let (bottom, height) = (MARGIN, 240.0);
        let top = bottom + height;
        c.paragraph(
            MARGIN,
            top + 14.0,
            WIDTH,
            SMALL,
            1,
            "Utilizza questa parte dell'avviso per pagare presso banche, uffici postali, \
             tabaccherie e gli altri canali pagoPA.",
        );
        c.band(MARGIN, top - 24.0, WIDTH, 24.0, 0.88);
        c.frame(MARGIN, bottom, WIDTH, height);
        let band_text = Style::new(Font::Bold, 10.0);
        c.text(MARGIN + 8.0, top - 16.0, band_text, "BANCHE E ALTRI CANALI");
        c.text_right(
            RIGHT - 8.0,
            top - 16.0,
            band_text,
            &format!("RATA UNICA {due}"),
        );

        let qr_size = 156.0;
        let qr_x = MARGIN + 6.0;
        let qr_top = top - 30.0;
        c.qr(qr_x, qr_top, qr_size, modules);
        c.paragraph(
            qr_x + 8.0,
            qr_top - qr_size - 4.0,
            qr_size - 16.0,
            SMALL,
            4,
            "Inquadra il codice QR con l'app della tua banca o mostralo all'operatore.",
        );

        let x = qr_x + qr_size + 14.0;
        let width = RIGHT - 8.0 - x;
        let half = x + width / 2.0 + 10.0;
        let mut y = top - 44.0;
        y = labelled(
            c,
            x,
            y,
            width,
            "DESTINATARIO",
            (VALUE, 1),
            &self.payment.payer_name,
        ) - 4.0;
        y = labelled(
            c,
            x,
            y,
            width,
            "ENTE CREDITORE",
            (VALUE, 1),
            &self.payment.ente_name,
        ) - 4.0;
        y = labelled(
            c,
            x,
            y,
            width,
            "OGGETTO DEL PAGAMENTO",
            (VALUE, 2),
            &self.payment.object,
        ) - 6.0;
        c.text(x, y, LABEL, "CODICE AVVISO");
        c.text(half, y, LABEL, "COD. FISCALE ENTE CREDITORE");
        c.text(x, y - 16.0, CODE, &self.notice_number.formatted());
        c.text(half, y - 16.0, CODE, self.payment.ente_fiscal_code.as_str());
        y -= 38.0;
        c.text(x, y, LABEL, "IUV");
        c.text(half, y, LABEL, "IMPORTO");
        c.text(x, y - 16.0, VALUE, self.notice_number.iuv().as_str());
        c.text(half, y - 18.0, Style::new(Font::Bold, 15.0), amount);
    }
}

impl ReceiptDocument {
    /// Renders the receipt as a one-page A4 PDF.
    pub fn render(&self) -> Result<Vec<u8>, Error> {
        require(&self.payment.ente_name, "nome dell'ente")?;
        require(&self.payment.payer_name, "nome dell'intestatario")?;
        require(&self.payment.object, "oggetto del pagamento")?;
        require(&self.receipt_id, "identificativo della ricevuta")?;
        if self.payment.amount_cents <= 0 {
            return Err(Error::Amount);
        }
        let paid_at = format!(
            "{} alle {}",
            format::date(self.paid_at.date()),
            format::hour_minute(self.paid_at.time())
        );
        let iuv = self.notice_number.iuv();
        let rows: [(&str, Style, &str); 12] = [
            ("Ente creditore", VALUE_BOLD, &self.payment.ente_name),
            (
                "Codice fiscale dell'ente",
                VALUE,
                self.payment.ente_fiscal_code.as_str(),
            ),
            ("Intestatario", VALUE_BOLD, &self.payment.payer_name),
            (
                "Codice fiscale dell'intestatario",
                VALUE,
                &self.payment.payer_fiscal_code,
            ),
            ("Oggetto del pagamento", VALUE, &self.payment.object),
            (
                "Importo pagato",
                Style::new(Font::Bold, 14.0),
                &format::euro_cents(self.payment.amount_cents),
            ),
            ("Data e ora del pagamento", VALUE, &paid_at),
            ("Metodo di pagamento", VALUE, self.method.label()),
            ("Prestatore di servizi di pagamento", VALUE, &self.psp_name),
            ("Codice avviso", VALUE, &self.notice_number.formatted()),
            ("IUV", VALUE, iuv.as_str()),
            ("Identificativo ricevuta", VALUE, &self.receipt_id),
        ];

        let mut c = Canvas::new();
        header(&mut c, "RICEVUTA DI PAGAMENTO");
        c.text(
            MARGIN,
            PAGE_HEIGHT - 72.0,
            Style::new(Font::Regular, 11.0),
            "Pagamento eseguito con successo tramite la piattaforma pagoPA.",
        );
        let mut y = PAGE_HEIGHT - 86.0;
        c.rule(MARGIN, RIGHT, y, 1.0);
        let value_x = MARGIN + 200.0;
        let label_style = Style::new(Font::Bold, 9.0);
        for (label, style, value) in rows {
            let baseline = y - 20.0;
            let label_end = c.paragraph(MARGIN, baseline, 190.0, label_style, 2, label);
            let value_end = c.paragraph(value_x, baseline, RIGHT - value_x, style, 3, value);
            y = label_end.min(value_end) + style.size.min(9.0) - 6.0;
            c.rule(MARGIN, RIGHT, y, 0.3);
        }
        c.paragraph(
            MARGIN,
            y - 28.0,
            WIDTH,
            BODY,
            4,
            "La presente ricevuta attesta l'avvenuto pagamento tramite la piattaforma \
             pagoPA. Conservala: può servirti per eventuali verifiche e per la \
             dichiarazione dei redditi.",
        );
        Ok(c.finish("Ricevuta di pagamento pagoPA"))
    }
}
