//! Uploaded documents: accepted kinds, file-name rules, and the checks on a
//! file's content. Pure functions over bytes the server has read.

use super::DomainError;

/// The kinds of file accepted for a checklist item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocKind {
    Jpeg,
    Png,
    Webp,
    Heic,
    Heif,
    Pdf,
}

impl DocKind {
    pub fn mime(self) -> &'static str {
        match self {
            DocKind::Jpeg => "image/jpeg",
            DocKind::Png => "image/png",
            DocKind::Webp => "image/webp",
            DocKind::Heic => "image/heic",
            DocKind::Heif => "image/heif",
            DocKind::Pdf => "application/pdf",
        }
    }

    pub fn from_mime(m: &str) -> Option<DocKind> {
        [
            DocKind::Jpeg,
            DocKind::Png,
            DocKind::Webp,
            DocKind::Heic,
            DocKind::Heif,
            DocKind::Pdf,
        ]
        .into_iter()
        .find(|k| k.mime() == m)
    }

    /// File-name extensions that may carry this kind.
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            DocKind::Jpeg => &["jpg", "jpeg", "jpe", "jfif"],
            DocKind::Png => &["png"],
            DocKind::Webp => &["webp"],
            DocKind::Heic | DocKind::Heif => &["heic", "heif", "hif"],
            DocKind::Pdf => &["pdf"],
        }
    }

    pub fn is_image(self) -> bool {
        self != DocKind::Pdf
    }
}

/// Longest accepted display name, in characters.
pub const NAME_MAX: usize = 200;

/// Check a client-supplied file name, kept only as display text: no path
/// separators, NUL, control or bidirectional-override characters, at most
/// 200 characters. Returns it trimmed.
pub fn check_file_name(name: &str) -> Result<String, DomainError> {
    let name = name.trim();
    let bad = |c: char| {
        c == '/'
            || c == '\\'
            || c.is_control()
            || matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
    };
    if name.is_empty() || name == "." || name == ".." {
        return Err(DomainError::FileName);
    }
    if name.chars().count() > NAME_MAX || name.chars().any(bad) {
        return Err(DomainError::FileName);
    }
    Ok(name.to_string())
}

/// The lower-case extension of a file name, if any.
pub fn extension(name: &str) -> Option<String> {
    name.rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .filter(|e| !e.is_empty() && e.len() <= 8)
}

/// The kind the content says, from its leading bytes (magic numbers).
pub fn sniff(head: &[u8]) -> Option<DocKind> {
    if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Some(DocKind::Jpeg);
    }
    if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Some(DocKind::Png);
    }
    if head.len() >= 12 && &head[..4] == b"RIFF" && &head[8..12] == b"WEBP" {
        return Some(DocKind::Webp);
    }
    if head.starts_with(b"%PDF-") {
        return Some(DocKind::Pdf);
    }
    if head.len() >= 12 && &head[4..8] == b"ftyp" {
        return match &head[8..12] {
            b"heic" | b"heix" | b"heim" | b"heis" | b"hevc" | b"hevx" => Some(DocKind::Heic),
            b"mif1" | b"msf1" | b"heif" => Some(DocKind::Heif),
            _ => None,
        };
    }
    None
}

/// Accept a file: its content must be an accepted kind and, when the name has
/// an extension, agree with it.
pub fn check_kind(head: &[u8], file_name: &str) -> Result<DocKind, DomainError> {
    if head.is_empty() {
        return Err(DomainError::FileEmpty);
    }
    let kind = sniff(head).ok_or(DomainError::FileType)?;
    if let Some(ext) = extension(file_name) {
        if !kind.extensions().contains(&ext.as_str()) {
            return Err(DomainError::FileTypeMismatch);
        }
    }
    Ok(kind)
}

/// A file cut short: JPEG without its end marker, PNG without IEND, PDF
/// without `%%EOF` in its last kilobyte.
pub fn check_complete(kind: DocKind, tail: &[u8]) -> Result<(), DomainError> {
    let ok = match kind {
        DocKind::Jpeg => {
            let t: Vec<u8> = tail
                .iter()
                .rev()
                .skip_while(|b| matches!(b, 0 | b'\n' | b'\r'))
                .take(2)
                .copied()
                .collect();
            t == [0xD9, 0xFF]
        }
        DocKind::Png => tail.windows(4).any(|w| w == b"IEND"),
        DocKind::Pdf => tail.windows(5).any(|w| w == b"%%EOF"),
        DocKind::Webp | DocKind::Heic | DocKind::Heif => true,
    };
    if ok {
        Ok(())
    } else {
        Err(DomainError::FileTruncated)
    }
}

/// At most this many pixels (a 100-megapixel photo is already far beyond a phone's).
pub const MAX_PIXELS: u64 = 100_000_000;

/// Refuse images whose declared dimensions would exhaust memory when decoded.
pub fn check_dimensions(width: u64, height: u64) -> Result<(), DomainError> {
    if width == 0 || height == 0 || width.saturating_mul(height) > MAX_PIXELS {
        Err(DomainError::ImageDimensions)
    } else {
        Ok(())
    }
}

/// Something about a photo worth retaking it for (a hint, never a refusal).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhotoHint {
    /// Fewer than 1,000 pixels on the long side: small print will not read.
    Small,
    /// Mean brightness below 25 %.
    Dark,
    /// Little fine detail (low variance of the Laplacian): out of focus or shaken.
    Blurred,
}

impl PhotoHint {
    pub fn code(self) -> &'static str {
        match self {
            PhotoHint::Small => "small",
            PhotoHint::Dark => "dark",
            PhotoHint::Blurred => "blurred",
        }
    }

    pub fn from_code(s: &str) -> Option<PhotoHint> {
        [PhotoHint::Small, PhotoHint::Dark, PhotoHint::Blurred]
            .into_iter()
            .find(|h| h.code() == s)
    }

    pub fn message(self, lang: super::Lang) -> &'static str {
        use super::Lang::*;
        match (self, lang) {
            (PhotoHint::Small, Zh) => "分辨率偏低，小字可能看不清",
            (PhotoHint::Small, En) => "low resolution: small print may not be readable",
            (PhotoHint::Dark, Zh) => "光线偏暗",
            (PhotoHint::Dark, En) => "too dark",
            (PhotoHint::Blurred, Zh) => "可能模糊（对焦不准或手抖）",
            (PhotoHint::Blurred, En) => "possibly blurred (out of focus or shaken)",
        }
    }
}

/// Look at a photo, given as grey levels of a small copy (`w`×`h`, about
/// 256 px on the long side) and the original's long side in pixels.
pub fn photo_hints(grey: &[u8], w: usize, h: usize, original_long_side: u32) -> Vec<PhotoHint> {
    let mut hints = Vec::new();
    if original_long_side < 1000 {
        hints.push(PhotoHint::Small);
    }
    if w < 3 || h < 3 || grey.len() < w * h {
        return hints;
    }
    let mean = grey.iter().map(|g| *g as f64).sum::<f64>() / grey.len() as f64;
    if mean < 64.0 {
        hints.push(PhotoHint::Dark);
    }
    // Variance of the 4-neighbour Laplacian over the interior.
    let (mut sum, mut sum2, mut n) = (0f64, 0f64, 0f64);
    for y in 1..h - 1 {
        for x in 1..w - 1 {
            let c = grey[y * w + x] as f64;
            let l = grey[y * w + x - 1] as f64
                + grey[y * w + x + 1] as f64
                + grey[(y - 1) * w + x] as f64
                + grey[(y + 1) * w + x] as f64
                - 4.0 * c;
            sum += l;
            sum2 += l * l;
            n += 1.0;
        }
    }
    let var = sum2 / n - (sum / n).powi(2);
    if var < 30.0 {
        hints.push(PhotoHint::Blurred);
    }
    hints
}

/// The error a redirect's `upload_error` code stands for (no-JavaScript form).
pub fn error_from_code(code: &str, max_mb: u64) -> Option<DomainError> {
    Some(match code {
        "file.too_large" => DomainError::FileTooLarge { max_mb },
        "file.application_full" => DomainError::ApplicationFull { max_mb },
        "file.empty" => DomainError::FileEmpty,
        "file.type" => DomainError::FileType,
        "file.type_mismatch" => DomainError::FileTypeMismatch,
        "file.truncated" => DomainError::FileTruncated,
        "file.dimensions" => DomainError::ImageDimensions,
        "file.name" => DomainError::FileName,
        "file.trailing" => DomainError::FileTrailingData,
        "file.structure" => DomainError::FileStructure,
        "file.pdf_active" => DomainError::PdfActiveContent,
        _ => return None,
    })
}

/// A size for people: 850 KB, 3.2 MB.
pub fn human_size(bytes: i64) -> String {
    const MB: i64 = 1024 * 1024;
    if bytes < MB {
        format!("{} KB", (bytes + 1023) / 1024)
    } else {
        // Tenths of a megabyte, rounded half up, in whole numbers: float
        // formatting would bring its 10 KB of code into the upload widget's
        // wasm.
        let tenths = (bytes * 10 + MB / 2) / MB;
        format!("{}.{} MB", tenths / 10, tenths % 10)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_people_say_them() {
        assert_eq!(human_size(0), "0 KB");
        assert_eq!(human_size(1), "1 KB");
        assert_eq!(human_size(1024 * 1024 - 1), "1024 KB");
        assert_eq!(human_size(1024 * 1024), "1.0 MB");
        assert_eq!(human_size(1024 * 1024 * 3 / 2), "1.5 MB");
        assert_eq!(human_size(2_621_440), "2.5 MB");
        assert_eq!(human_size(20 * 1024 * 1024 - 1), "20.0 MB");
        for n in [1_048_576_i64, 1_500_000, 7_777_777, 52_428_800, 99_999_999] {
            let old = format!("{:.1} MB", n as f64 / 1_048_576.0);
            assert_eq!(human_size(n), old, "{n}");
        }
    }

    #[test]
    fn file_names_with_separators_controls_or_overrides_are_refused() {
        assert_eq!(
            check_file_name(" 身份证 正面.jpg ").unwrap(),
            "身份证 正面.jpg"
        );
        for bad in [
            "../etc/passwd",
            "a\\\\b.pdf",
            "a\u{0}.pdf",
            "a\nb.pdf",
            "invoice\u{202E}fdp.exe",
            "",
            "..",
        ] {
            assert_eq!(check_file_name(bad), Err(DomainError::FileName), "{bad:?}");
        }
        assert!(check_file_name(&"长".repeat(300)).is_err());
        assert!(check_file_name(&"长".repeat(200)).is_ok());
    }

    #[test]
    fn content_decides_the_kind_and_must_agree_with_the_name() {
        assert_eq!(check_kind(b"%PDF-1.7\n", "合同.pdf"), Ok(DocKind::Pdf));
        assert_eq!(
            check_kind(b"%PDF-1.7\n", "photo.JPG"),
            Err(DomainError::FileTypeMismatch)
        );
        assert_eq!(
            check_kind(b"MZ\x90\x00", "contract.pdf"),
            Err(DomainError::FileType)
        );
        assert_eq!(check_kind(b"", "a.pdf"), Err(DomainError::FileEmpty));
        assert_eq!(
            check_kind(&[0xFF, 0xD8, 0xFF, 0xE0], "IMG_0001.jpeg"),
            Ok(DocKind::Jpeg)
        );
        assert_eq!(
            check_kind(b"\0\0\0\x18ftypheic\0\0", "IMG.HEIC"),
            Ok(DocKind::Heic)
        );
        assert_eq!(check_kind(b"%PDF-1.4", "no-extension"), Ok(DocKind::Pdf));
    }

    #[test]
    fn photo_hints_notice_dark_flat_and_small_pictures() {
        // A sharp, bright checkerboard: no hints.
        let (w, h) = (64, 48);
        let sharp: Vec<u8> = (0..w * h)
            .map(|i| if (i % w + i / w) % 2 == 0 { 250 } else { 120 })
            .collect();
        assert!(photo_hints(&sharp, w, h, 4000).is_empty());
        // The same scene, dark.
        let dark: Vec<u8> = sharp.iter().map(|g| g / 8).collect();
        assert!(photo_hints(&dark, w, h, 4000).contains(&PhotoHint::Dark));
        // A smooth gradient: no fine detail.
        let flat: Vec<u8> = (0..w * h).map(|i| (100 + (i % w) / 4) as u8).collect();
        assert_eq!(photo_hints(&flat, w, h, 4000), vec![PhotoHint::Blurred]);
        assert!(photo_hints(&sharp, w, h, 640).contains(&PhotoHint::Small));
    }

    #[test]
    fn truncated_files_and_bombs_are_caught() {
        assert!(check_complete(DocKind::Pdf, b"...%%EOF\n").is_ok());
        assert_eq!(
            check_complete(DocKind::Pdf, b"...obj"),
            Err(DomainError::FileTruncated)
        );
        assert!(check_complete(DocKind::Jpeg, &[1, 2, 0xFF, 0xD9]).is_ok());
        assert!(check_complete(DocKind::Jpeg, &[1, 2, 3]).is_err());
        assert!(check_dimensions(4032, 3024).is_ok());
        assert!(check_dimensions(100_000, 100_000).is_err());
        assert!(check_dimensions(0, 10).is_err());
    }
}
