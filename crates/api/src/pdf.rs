//! Plain text documents as PDF (A4, Helvetica, WinAnsi so Italian accents and € print),
//! written with `pdf-writer`.

use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str};

const PAGE_WIDTH: f32 = 595.0;
const PAGE_HEIGHT: f32 = 842.0;
const MARGIN: f32 = 64.0;
const BODY_SIZE: f32 = 11.0;
const TITLE_SIZE: f32 = 18.0;
const LEADING: f32 = 15.0;
/// Characters per line at `BODY_SIZE` (Helvetica averages about half an em).
const LINE_CHARS: usize = 88;

/// Encodes text as Windows-1252, the encoding of the standard fonts with WinAnsiEncoding.
fn win_ansi(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            '€' => 0x80,
            '‘' => 0x91,
            '’' => 0x92,
            '“' => 0x93,
            '”' => 0x94,
            '•' => 0x95,
            '–' => 0x96,
            '—' => 0x97,
            c if (c as u32) < 0x100 => c as u32 as u8,
            _ => b'?',
        })
        .collect()
}

fn wrap(paragraph: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in paragraph.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > LINE_CHARS {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    lines.push(line);
    lines
}

/// A PDF with a title and paragraphs, over as many pages as needed.
pub fn text_document<P: AsRef<str>>(title: &str, paragraphs: &[P]) -> Vec<u8> {
    let mut lines: Vec<(f32, String)> =
        vec![(TITLE_SIZE, title.to_string()), (BODY_SIZE, String::new())];
    for p in paragraphs {
        lines.extend(wrap(p.as_ref()).into_iter().map(|l| (BODY_SIZE, l)));
        lines.push((BODY_SIZE, String::new()));
    }
    let per_page = ((PAGE_HEIGHT - 2.0 * MARGIN) / LEADING) as usize;
    let chunks: Vec<&[(f32, String)]> = lines.chunks(per_page.max(1)).collect();

    let mut pdf = Pdf::new();
    let catalog_id = Ref::new(1);
    let tree_id = Ref::new(2);
    let font_id = Ref::new(3);
    let regular = Name(b"F1");
    let page_ids: Vec<Ref> = (0..chunks.len())
        .map(|i| Ref::new(10 + 2 * i as i32))
        .collect();
    pdf.catalog(catalog_id).pages(tree_id);
    pdf.pages(tree_id)
        .kids(page_ids.iter().copied())
        .count(page_ids.len() as i32);
    let mut font = pdf.type1_font(font_id);
    font.base_font(Name(b"Helvetica"));
    font.encoding_predefined(Name(b"WinAnsiEncoding"));
    font.finish();
    for (i, chunk) in chunks.iter().enumerate() {
        let content_id = Ref::new(11 + 2 * i as i32);
        let mut page = pdf.page(page_ids[i]);
        page.media_box(Rect::new(0.0, 0.0, PAGE_WIDTH, PAGE_HEIGHT));
        page.parent(tree_id);
        page.contents(content_id);
        page.resources().fonts().pair(regular, font_id);
        page.finish();
        let mut content = Content::new();
        content.begin_text();
        content.next_line(MARGIN, PAGE_HEIGHT - MARGIN);
        for (size, line) in chunk.iter() {
            content.set_font(regular, *size);
            content.show(Str(&win_ansi(line)));
            content.next_line(0.0, -LEADING);
        }
        content.end_text();
        pdf.stream(content_id, &content.finish());
    }
    pdf.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_a_pdf_with_accents() {
        let bytes = text_document(
            "Menù scolastico",
            &["Pasto bianco: 5,00 €. Verrà servito così."],
        );
        assert!(bytes.starts_with(b"%PDF-"));
        let path =
            std::env::temp_dir().join(format!("sportello-pdf-test-{}.pdf", std::process::id()));
        std::fs::write(&path, &bytes).unwrap();
        let out = std::process::Command::new("pdftotext")
            .arg(&path)
            .arg("-")
            .output()
            .expect("pdftotext (poppler-utils, installed by scripts/setup --browser)");
        std::fs::remove_file(&path).ok();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("Menù scolastico"), "{text}");
        assert!(
            text.contains("Pasto bianco: 5,00 €. Verrà servito così."),
            "{text}"
        );
    }

    #[test]
    fn wraps_long_paragraphs() {
        let long = "parola ".repeat(100);
        assert!(wrap(&long).iter().all(|l| l.chars().count() <= LINE_CHARS));
    }
}
