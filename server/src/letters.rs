//! Printable letters as PDF: `GET /applications/{id}/letters/{kind}` for the
//! acceptance receipt, the correction notice and the non-acceptance notice.
//! The words come from `app::domain::letter`; this lays them out on A4 with
//! krilla (the font subsetted and embedded, so every reader shows the same
//! page) and a QR code that opens the public progress lookup.
#![allow(clippy::result_large_err)]

use crate::documents::{internal, may_read_application, Reader};
use crate::AppState;
use app::domain::letter::{compose, width_em, wrap, Letter, LetterKind};
use app::error::AppError;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::Fill;
use krilla::surface::Surface;
use krilla::text::{Font, TextDirection};
use krilla::Document;
use std::sync::{Arc, OnceLock};

pub fn routes() -> Router<AppState> {
    Router::new().route("/applications/{id}/letters/{kind}", get(letter))
}

/// Fonts with Chinese glyphs from Debian's packages, in order of preference.
const FONT_CANDIDATES: [&str; 4] = [
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
];

/// The letters' font: `ONETRIP_PDF_FONT`, else the first Debian CJK font
/// found; read once per process. `None` when there is none.
pub fn font() -> Option<Font> {
    static FONT: OnceLock<Option<Font>> = OnceLock::new();
    FONT.get_or_init(|| {
        let chosen = std::env::var("ONETRIP_PDF_FONT").ok().filter(|p| !p.is_empty());
        let paths: Vec<String> = match chosen {
            Some(p) => vec![p],
            None => FONT_CANDIDATES.iter().map(|p| p.to_string()).collect(),
        };
        for path in paths {
            if let Ok(bytes) = std::fs::read(&path) {
                let data: Arc<Vec<u8>> = Arc::new(bytes);
                if let Some(font) = Font::new(data.into(), 0) {
                    tracing::info!(font = %path, "letters: font loaded");
                    return Some(font);
                }
                tracing::warn!(font = %path, "letters: not a usable font");
            }
        }
        tracing::warn!("letters: no font with Chinese glyphs (set ONETRIP_PDF_FONT or install fonts-wqy-microhei); letters answer 503");
        None
    })
    .clone()
}

async fn letter(
    State(st): State<AppState>,
    Path((id, kind)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    match serve(&st, &headers, &id, &kind).await {
        Ok(r) | Err(r) => r,
    }
}

async fn serve(
    st: &AppState,
    headers: &HeaderMap,
    id: &str,
    kind: &str,
) -> Result<Response, Response> {
    let reader = may_read_application(st, headers, Some(id)).await?;
    let kind = LetterKind::from_code(kind).ok_or_else(|| AppError::NotFound.into_response())?;
    let facts = app::ops::letters::letter_facts(&st.db, id)
        .await
        .map_err(IntoResponse::into_response)?;
    let letter = compose(kind, &facts, &st.services.policy.public_url)
        .ok_or_else(|| AppError::NotFound.into_response())?;
    let font = font().ok_or_else(|| internal("letters", "no CJK font: set ONETRIP_PDF_FONT"))?;
    if let Reader::Staff(staff) = &reader {
        app::db::audit_now(
            &st.db,
            &app::db::AuditEntry {
                actor: &staff.staff_id,
                role: &staff.role,
                action: "print",
                application_id: Some(id),
                reason: kind.code(),
                ..Default::default()
            },
        )
        .await
        .map_err(|e| internal("audit", e))?;
    }
    let pdf = tokio::task::spawn_blocking(move || render(&letter, &font))
        .await
        .map_err(|e| internal("render task", e))?
        .map_err(|e| internal("render", e))?;
    let mut res = pdf.into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/pdf"),
    );
    let name = format!(
        "{}-{}.pdf",
        kind.code(),
        facts.case_no.unwrap_or(facts.receipt_no)
    );
    if let Ok(v) = HeaderValue::from_str(&format!("inline; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    Ok(res)
}

const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
const MARGIN: f32 = 56.0;
/// Room kept at the foot of the last page for the QR code and signature.
const FOOTER_H: f32 = 150.0;

/// One line of type, placed by the paginator.
struct Line {
    x: f32,
    size: f32,
    grey: bool,
    centred: bool,
    text: String,
    /// Space above the line (its leading).
    above: f32,
}

fn lines_of(letter: &Letter) -> Vec<Line> {
    let width = PAGE_W - 2.0 * MARGIN;
    let mut out = vec![
        Line {
            x: PAGE_W - MARGIN,
            size: 10.0,
            grey: true,
            centred: false,
            text: format!("编号 No. {}", letter.number),
            above: 10.0,
        },
        Line {
            x: PAGE_W / 2.0,
            size: 20.0,
            grey: false,
            centred: true,
            text: letter.title.clone(),
            above: 40.0,
        },
        Line {
            x: PAGE_W / 2.0,
            size: 11.0,
            grey: true,
            centred: true,
            text: letter.subtitle.clone(),
            above: 20.0,
        },
    ];
    let label_w = 90.0;
    for (i, (label, value)) in letter.fields.iter().enumerate() {
        for (j, part) in wrap(value, (width - label_w) / 12.0)
            .into_iter()
            .enumerate()
        {
            if j == 0 {
                out.push(Line {
                    x: MARGIN,
                    size: 11.0,
                    grey: true,
                    centred: false,
                    text: label.clone(),
                    above: if i == 0 { 36.0 } else { 22.0 },
                });
            }
            out.push(Line {
                x: MARGIN + label_w,
                size: 12.0,
                grey: false,
                centred: false,
                text: part,
                above: if j == 0 { 0.0 } else { 18.0 },
            });
        }
    }
    for (i, p) in letter.paragraphs.iter().enumerate() {
        let numbered = p
            .split_once(". ")
            .is_some_and(|(n, _)| n.parse::<u32>().is_ok());
        let indent = if numbered { 24.0 } else { 0.0 };
        for (j, part) in wrap(p, (width - indent) / 12.0).into_iter().enumerate() {
            out.push(Line {
                x: MARGIN + if j == 0 { indent / 2.0 } else { indent },
                size: 12.0,
                grey: false,
                centred: false,
                text: part,
                above: match (i, j) {
                    (0, 0) => 36.0,
                    (_, 0) => 26.0,
                    _ => 20.0,
                },
            });
        }
    }
    out
}

fn fill(surface: &mut Surface, grey: bool) {
    let c = if grey { 90 } else { 0 };
    surface.set_fill(Some(Fill {
        paint: rgb::Color::new(c, c, c).into(),
        opacity: NormalizedF32::ONE,
        rule: Default::default(),
    }));
}

fn text(surface: &mut Surface, font: &Font, line: &Line, y: f32) {
    let w = width_em(&line.text) * line.size;
    let x = if line.centred {
        line.x - w / 2.0
    } else if line.x > PAGE_W / 2.0 && line.size <= 10.0 {
        line.x - w // the number, set flush right
    } else {
        line.x
    };
    fill(surface, line.grey);
    surface.draw_text(
        Point::from_xy(x, y),
        font.clone(),
        line.size,
        &line.text,
        false,
        TextDirection::Auto,
    );
}

/// The QR code's dark modules as one path, `module` points each.
fn qr_path(url: &str, x: f32, y: f32, module: f32) -> Option<krilla::geom::Path> {
    let code =
        qrcode::QrCode::with_error_correction_level(url.as_bytes(), qrcode::EcLevel::M).ok()?;
    let n = code.width();
    let colors = code.to_colors();
    let mut pb = PathBuilder::new();
    for row in 0..n {
        let mut col = 0;
        while col < n {
            if colors[row * n + col] == qrcode::Color::Dark {
                let start = col;
                while col < n && colors[row * n + col] == qrcode::Color::Dark {
                    col += 1;
                }
                pb.push_rect(Rect::from_xywh(
                    x + start as f32 * module,
                    y + row as f32 * module,
                    (col - start) as f32 * module,
                    module,
                )?);
            } else {
                col += 1;
            }
        }
    }
    pb.finish()
}

fn qr_modules(url: &str) -> usize {
    qrcode::QrCode::with_error_correction_level(url.as_bytes(), qrcode::EcLevel::M)
        .map(|c| c.width())
        .unwrap_or(25)
}

/// Each line with its baseline, page by page; a page ends before the room
/// kept for the footer.
fn paginate(lines: &[Line]) -> Vec<Vec<(f32, &Line)>> {
    let mut pages: Vec<Vec<(f32, &Line)>> = vec![Vec::new()];
    let mut y = MARGIN;
    let limit = PAGE_H - MARGIN - FOOTER_H;
    for line in lines {
        if y + line.above > limit && !pages.last().is_some_and(|p| p.is_empty()) {
            pages.push(Vec::new());
            y = MARGIN;
        }
        y += line.above;
        if let Some(p) = pages.last_mut() {
            p.push((y, line));
        }
    }
    pages
}

/// Lay a letter out on A4 pages: the text flows over as many pages as it
/// needs; the QR code, issuer and date close the last one.
pub fn render(letter: &Letter, font: &Font) -> Result<Vec<u8>, String> {
    let lines = lines_of(letter);
    let pages = paginate(&lines);
    let mut doc = Document::new();
    doc.set_metadata(
        krilla::metadata::Metadata::new()
            .title(format!("{} {}", letter.title, letter.number))
            .language("zh-CN".into())
            .creator("OneTrip 一趟办".into()),
    );
    let count = pages.len();
    for (i, placed) in pages.into_iter().enumerate() {
        let settings = PageSettings::from_wh(PAGE_W, PAGE_H).ok_or("page size")?;
        let mut page = doc.start_page_with(settings);
        let last = i + 1 == count;
        let qr_size = 96.0;
        let qr_y = PAGE_H - MARGIN - qr_size;
        {
            let mut surface = page.surface();
            for (y, line) in placed {
                text(&mut surface, font, line, y);
            }
            if count > 1 {
                let footer = Line {
                    x: PAGE_W / 2.0,
                    size: 9.0,
                    grey: true,
                    centred: true,
                    text: format!("第 {} 页 / 共 {count} 页", i + 1),
                    above: 0.0,
                };
                text(&mut surface, font, &footer, PAGE_H - 24.0);
            }
            if last {
                let n = qr_modules(&letter.qr_url) as f32;
                fill(&mut surface, false);
                if let Some(path) = qr_path(&letter.qr_url, MARGIN, qr_y, qr_size / n) {
                    surface.draw_path(&path);
                }
                let caption = Line {
                    x: MARGIN,
                    size: 9.0,
                    grey: true,
                    centred: false,
                    text: letter.qr_caption.clone(),
                    above: 0.0,
                };
                text(&mut surface, font, &caption, qr_y + qr_size + 14.0);
                let right = PAGE_W - MARGIN;
                let mut y = qr_y + 20.0;
                let closing = letter.issuer.iter().enumerate().map(|(i, l)| (l, i == 0));
                for (l, first) in closing.chain(std::iter::once((&letter.date, true))) {
                    let size = if first { 12.0 } else { 10.0 };
                    let line = Line {
                        x: right - width_em(l) * size,
                        size,
                        grey: !first,
                        centred: false,
                        text: l.clone(),
                        above: 0.0,
                    };
                    text(&mut surface, font, &line, y);
                    y += size + 8.0;
                }
            }
            surface.finish();
        }
        if last {
            let rect = Rect::from_xywh(MARGIN, qr_y, qr_size, qr_size).ok_or("qr rect")?;
            page.add_annotation(
                krilla::annotation::LinkAnnotation::new(
                    rect,
                    krilla::annotation::Target::Action(
                        krilla::action::LinkAction::new(letter.qr_url.clone()).into(),
                    ),
                )
                .into(),
            );
        }
        page.finish();
    }
    doc.finish().map_err(|e| format!("{e:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::domain::letter::{LetterFacts, NoticeLine};

    fn long_notice() -> Letter {
        let facts = LetterFacts {
            receipt_no: "261124-ABCD-EFGH".into(),
            matter: "二手房转移登记".into(),
            notice: Some((
                "2026-11-24".into(),
                (0..40)
                    .map(|i| NoticeLine {
                        material: format!("材料{i}"),
                        reason: "照片不清晰，请重新拍摄".into(),
                        note: "请在光线充足处拍摄，保证四角完整、文字清楚可辨。".into(),
                    })
                    .collect(),
            )),
            ..Default::default()
        };
        compose(LetterKind::Correction, &facts, "http://x").unwrap()
    }

    #[test]
    fn a_long_notice_flows_onto_more_pages_within_the_margins() {
        let letter = long_notice();
        let lines = lines_of(&letter);
        let pages = paginate(&lines);
        assert!(pages.len() >= 2, "{} pages", pages.len());
        assert_eq!(pages.iter().map(Vec::len).sum::<usize>(), lines.len());
        for page in &pages {
            for (y, line) in page {
                assert!(*y <= PAGE_H - MARGIN - FOOTER_H, "{y}: {}", line.text);
                assert!(
                    width_em(&line.text) * line.size <= PAGE_W - MARGIN,
                    "{}",
                    line.text
                );
            }
        }
    }

    #[test]
    fn a_letter_renders_as_a_pdf_when_a_font_is_installed() {
        let Some(font) = font() else {
            eprintln!("no CJK font installed: rendering not exercised here");
            return;
        };
        let pdf = render(&long_notice(), &font).unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        assert!(pdf.len() < 200_000, "subsetted font: {} bytes", pdf.len());
    }
}
