//! A one-page A4 drawing surface over `pdf-writer`: standard Helvetica fonts with
//! WinAnsiEncoding (so Italian accents and `€` print without embedding a font), text
//! measured with the fonts' published metrics, wrapped paragraphs, rules, boxes and a QR
//! code drawn as vector squares.

use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

/// A4 width in points.
pub(crate) const PAGE_WIDTH: f32 = 595.0;
/// A4 height in points.
pub(crate) const PAGE_HEIGHT: f32 = 842.0;

/// The two faces the documents use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Font {
    Regular,
    Bold,
}

/// A face at a size.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Style {
    pub(crate) font: Font,
    pub(crate) size: f32,
}

impl Style {
    pub(crate) const fn new(font: Font, size: f32) -> Self {
        Self { font, size }
    }
}

impl Font {
    fn resource(self) -> Name<'static> {
        match self {
            Font::Regular => Name(b"F1"),
            Font::Bold => Name(b"F2"),
        }
    }

    fn base_font(self) -> Name<'static> {
        match self {
            Font::Regular => Name(b"Helvetica"),
            Font::Bold => Name(b"Helvetica-Bold"),
        }
    }
}

/// Advance widths (thousandths of an em) of the printable ASCII characters, space (32)
/// to tilde (126), from Adobe's Helvetica font metrics.
const HELVETICA: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556,
    556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667,
    611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667,
    667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500,
    222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
];

/// The same for Helvetica-Bold.
const HELVETICA_BOLD: [u16; 95] = [
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556,
    556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611, 975, 722, 722, 722, 722, 667,
    611, 778, 722, 278, 556, 722, 611, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667,
    667, 611, 333, 278, 333, 584, 556, 333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556,
    278, 889, 611, 611, 611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584,
];

/// The Windows-1252 byte of a character, as the standard fonts with WinAnsiEncoding
/// expect; control characters become spaces and anything else unprintable becomes `?`.
fn win_ansi_byte(c: char) -> u8 {
    match c {
        ' '..='~' => c as u8,
        '\u{a0}'..='\u{ff}' => c as u32 as u8,
        c if c.is_control() => b' ',
        '€' => 0x80,
        '‚' => 0x82,
        'ƒ' => 0x83,
        '„' => 0x84,
        '…' => 0x85,
        '†' => 0x86,
        '‡' => 0x87,
        'ˆ' => 0x88,
        '‰' => 0x89,
        'Š' => 0x8a,
        '‹' => 0x8b,
        'Œ' => 0x8c,
        'Ž' => 0x8e,
        '‘' => 0x91,
        '’' => 0x92,
        '“' => 0x93,
        '”' => 0x94,
        '•' => 0x95,
        '–' => 0x96,
        '—' => 0x97,
        '˜' => 0x98,
        '™' => 0x99,
        'š' => 0x9a,
        '›' => 0x9b,
        'œ' => 0x9c,
        'ž' => 0x9e,
        'Ÿ' => 0x9f,
        _ => b'?',
    }
}

/// Encodes text as Windows-1252.
pub(crate) fn win_ansi(text: &str) -> Vec<u8> {
    text.chars().map(win_ansi_byte).collect()
}

/// The unaccented letter whose width an accented Latin-1 letter shares in Helvetica.
fn base_letter(c: char) -> Option<char> {
    Some(match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => 'a',
        'è' | 'é' | 'ê' | 'ë' => 'e',
        'ì' | 'í' | 'î' | 'ï' => 'i',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' => 'o',
        'ù' | 'ú' | 'û' | 'ü' => 'u',
        'ç' => 'c',
        'ñ' => 'n',
        'ý' | 'ÿ' => 'y',
        'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' => 'A',
        'È' | 'É' | 'Ê' | 'Ë' => 'E',
        'Ì' | 'Í' | 'Î' | 'Ï' => 'I',
        'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' => 'O',
        'Ù' | 'Ú' | 'Û' | 'Ü' => 'U',
        'Ç' => 'C',
        'Ñ' => 'N',
        'Ý' => 'Y',
        _ => return None,
    })
}

/// Advance width of one character in thousandths of an em.
fn char_width(font: Font, c: char) -> u16 {
    let table = match font {
        Font::Regular => &HELVETICA,
        Font::Bold => &HELVETICA_BOLD,
    };
    let c = base_letter(c).unwrap_or(c);
    match c {
        ' '..='~' => table[usize::from(c as u8 - b' ')],
        '‘' | '’' => match font {
            Font::Regular => 222,
            Font::Bold => 278,
        },
        '“' | '”' => match font {
            Font::Regular => 333,
            Font::Bold => 500,
        },
        '°' => 400,
        '•' => 350,
        '—' => 1000,
        _ => 556,
    }
}

/// Width of a text in points.
pub(crate) fn text_width(style: Style, text: &str) -> f32 {
    let thousandths: u32 = text
        .chars()
        .map(|c| u32::from(char_width(style.font, c)))
        .sum();
    thousandths as f32 * style.size / 1000.0
}

/// Splits a text into lines no wider than `width`, breaking between words; a word wider
/// than a line is broken between characters. At most `max_lines` lines are returned, the
/// last one ending in `…` when text was left out.
pub(crate) fn wrap(style: Style, width: f32, text: &str, max_lines: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let candidate = if line.is_empty() {
            word.to_string()
        } else {
            format!("{line} {word}")
        };
        if text_width(style, &candidate) <= width {
            line = candidate;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        for c in word.chars() {
            line.push(c);
            if text_width(style, &line) > width && line.chars().count() > 1 {
                line.pop();
                lines.push(std::mem::replace(&mut line, c.to_string()));
            }
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    if lines.len() > max_lines {
        lines.truncate(max_lines);
        if let Some(last) = lines.last_mut() {
            while !last.is_empty() && text_width(style, &format!("{last}…")) > width {
                last.pop();
            }
            last.push('…');
        }
    }
    lines
}

/// Drawing operations for one page, with the origin at the bottom-left corner.
pub(crate) struct Canvas {
    content: Content,
}

impl Canvas {
    pub(crate) fn new() -> Self {
        Self {
            content: Content::new(),
        }
    }

    /// One line of text with its baseline at `y`.
    pub(crate) fn text(&mut self, x: f32, y: f32, style: Style, text: &str) {
        self.content
            .begin_text()
            .set_font(style.font.resource(), style.size)
            .next_line(x, y)
            .show(Str(&win_ansi(text)))
            .end_text();
    }

    /// One line of text ending at `right`.
    pub(crate) fn text_right(&mut self, right: f32, y: f32, style: Style, text: &str) {
        self.text(right - text_width(style, text), y, style, text);
    }

    /// A paragraph wrapped to `width`, first baseline at `y`; returns the baseline below
    /// its last line.
    pub(crate) fn paragraph(
        &mut self,
        x: f32,
        y: f32,
        width: f32,
        style: Style,
        max_lines: usize,
        text: &str,
    ) -> f32 {
        let leading = style.size * 1.3;
        let mut baseline = y;
        for line in wrap(style, width, text, max_lines) {
            self.text(x, baseline, style, &line);
            baseline -= leading;
        }
        baseline
    }

    /// A horizontal rule.
    pub(crate) fn rule(&mut self, x1: f32, x2: f32, y: f32, thickness: f32) {
        self.content
            .set_line_width(thickness)
            .move_to(x1, y)
            .line_to(x2, y)
            .stroke();
    }

    /// The outline of a rectangle whose bottom-left corner is `(x, y)`.
    pub(crate) fn frame(&mut self, x: f32, y: f32, width: f32, height: f32) {
        self.content
            .set_line_width(0.8)
            .rect(x, y, width, height)
            .stroke();
    }

    /// A filled grey rectangle (`gray` from 0 black to 1 white); later drawing is black.
    pub(crate) fn band(&mut self, x: f32, y: f32, width: f32, height: f32, gray: f32) {
        self.content
            .set_fill_gray(gray)
            .rect(x, y, width, height)
            .fill_nonzero()
            .set_fill_gray(0.0);
    }

    /// A QR code of `size` points square with its top-left corner at `(x, top)`, drawn as
    /// black squares (runs of dark modules on a row merged into one rectangle) inside a
    /// quiet zone of four modules that is part of `size`.
    pub(crate) fn qr(&mut self, x: f32, top: f32, size: f32, modules: &[Vec<bool>]) {
        const QUIET: usize = 4;
        let count = modules.len() + 2 * QUIET;
        let module = size / count as f32;
        for (row_index, row) in modules.iter().enumerate() {
            let y = top - (row_index + QUIET + 1) as f32 * module;
            let mut column = 0;
            while column < row.len() {
                if !row[column] {
                    column += 1;
                    continue;
                }
                let start = column;
                while column < row.len() && row[column] {
                    column += 1;
                }
                let left = x + (start + QUIET) as f32 * module;
                self.content
                    .rect(left, y, (column - start) as f32 * module, module);
            }
        }
        self.content.fill_nonzero();
    }

    /// The finished one-page PDF, with `title` in its document information.
    pub(crate) fn finish(self, title: &str) -> Vec<u8> {
        let mut pdf = Pdf::new();
        let catalog_id = Ref::new(1);
        let tree_id = Ref::new(2);
        let page_id = Ref::new(3);
        let content_id = Ref::new(4);
        let regular_id = Ref::new(5);
        let bold_id = Ref::new(6);
        let info_id = Ref::new(7);

        pdf.catalog(catalog_id).pages(tree_id);
        pdf.pages(tree_id).kids([page_id]).count(1);
        for (id, font) in [(regular_id, Font::Regular), (bold_id, Font::Bold)] {
            let mut f = pdf.type1_font(id);
            f.base_font(font.base_font());
            f.encoding_predefined(Name(b"WinAnsiEncoding"));
            f.finish();
        }
        let mut page = pdf.page(page_id);
        page.media_box(Rect::new(0.0, 0.0, PAGE_WIDTH, PAGE_HEIGHT));
        page.parent(tree_id);
        page.contents(content_id);
        let mut resources = page.resources();
        let mut fonts = resources.fonts();
        fonts.pair(Font::Regular.resource(), regular_id);
        fonts.pair(Font::Bold.resource(), bold_id);
        fonts.finish();
        resources.finish();
        page.finish();
        pdf.stream(content_id, &self.content.finish());
        pdf.document_info(info_id)
            .title(TextStr(title))
            .producer(TextStr("Sportello"));
        pdf.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_italian_text_as_windows_1252() {
        assert_eq!(win_ansi("è € à"), vec![0xe8, b' ', 0x80, b' ', 0xe0]);
        assert_eq!(
            win_ansi("perché però più così"),
            b"perch\xe9 per\xf2 pi\xf9 cos\xec"
        );
        assert_eq!(win_ansi("a\nb\u{80}✓"), b"a b ?");
        assert_eq!(
            win_ansi("l’avviso – “sì”"),
            b"l\x92avviso \x96 \x93s\xec\x94"
        );
    }

    #[test]
    fn measures_with_the_font_metrics() {
        // "47,60 €": 4 digits (556 each) + comma 278 + space 278 + euro 556 = 3336.
        assert!((text_width(Style::new(Font::Regular, 10.0), "47,60 €") - 33.36).abs() < 1e-3);
        // Accented letters are as wide as their base letter.
        assert_eq!(
            text_width(Style::new(Font::Bold, 12.0), "però"),
            text_width(Style::new(Font::Bold, 12.0), "pero")
        );
    }

    #[test]
    fn wraps_within_the_width_and_elides_the_rest() {
        let text = "Retta del servizio di trasporto scolastico per il mese di marzo 2024";
        let lines = wrap(Style::new(Font::Regular, 10.0), 120.0, text, 10);
        assert!(lines.len() > 1);
        assert!(lines
            .iter()
            .all(|l| text_width(Style::new(Font::Regular, 10.0), l) <= 120.0));
        assert_eq!(lines.join(" "), text);

        let short = wrap(Style::new(Font::Regular, 10.0), 120.0, text, 2);
        assert_eq!(short.len(), 2);
        assert!(short[1].ends_with('…'));
        assert!(text_width(Style::new(Font::Regular, 10.0), &short[1]) <= 120.0);

        let long_word = "x".repeat(100);
        let broken = wrap(Style::new(Font::Regular, 10.0), 50.0, &long_word, 100);
        assert_eq!(broken.concat(), long_word);
        assert!(broken
            .iter()
            .all(|l| text_width(Style::new(Font::Regular, 10.0), l) <= 50.0));
    }
}
