//! What a file's content must be beyond its first bytes, read as a stream
//! (a file is never held whole): a JPEG is walked marker by marker to its
//! end, and nothing but padding or further JPEG images (a phone's
//! multi-picture format) may follow; a HEIC/HEIF is a sequence of ISO boxes
//! that fill the file exactly and hold a `meta` box; a PDF may not carry
//! JavaScript or launch actions, also where they hide in compressed object
//! streams or behind `#xx` escapes in names.

use app::domain::document::DocKind;
use app::domain::DomainError;
use std::io::{BufRead, ErrorKind, Read, Seek, SeekFrom};

/// Check the structure of a complete file of `kind`.
pub fn check(
    kind: DocKind,
    r: &mut (impl BufRead + Seek),
) -> std::io::Result<Result<(), DomainError>> {
    match kind {
        DocKind::Jpeg => check_jpeg(r),
        DocKind::Heic | DocKind::Heif => check_heif(r),
        DocKind::Pdf => check_pdf(r),
        DocKind::Png | DocKind::Webp => Ok(Ok(())),
    }
}

fn byte(r: &mut impl BufRead) -> std::io::Result<Option<u8>> {
    let buf = r.fill_buf()?;
    let Some(b) = buf.first().copied() else {
        return Ok(None);
    };
    r.consume(1);
    Ok(Some(b))
}

fn skip(r: &mut impl BufRead, mut n: u64) -> std::io::Result<bool> {
    while n > 0 {
        let buf = r.fill_buf()?;
        if buf.is_empty() {
            return Ok(false);
        }
        let k = (buf.len() as u64).min(n) as usize;
        r.consume(k);
        n -= k as u64;
    }
    Ok(true)
}

/// Walk one JPEG image from its SOI to its EOI. `Ok(false)`: the file
/// ended first.
fn walk_jpeg(r: &mut impl BufRead) -> std::io::Result<bool> {
    if (byte(r)?, byte(r)?) != (Some(0xFF), Some(0xD8)) {
        return Ok(false);
    }
    let mut pending: Option<u8> = None;
    loop {
        let marker = match pending.take() {
            Some(m) => m,
            None => {
                // Markers start with FF (any number of fill bytes).
                let Some(first) = byte(r)? else {
                    return Ok(false);
                };
                if first != 0xFF {
                    return Ok(false);
                }
                let mut m = 0xFF;
                while m == 0xFF {
                    let Some(b) = byte(r)? else {
                        return Ok(false);
                    };
                    m = b;
                }
                m
            }
        };
        match marker {
            0xD9 => return Ok(true),
            0xD0..=0xD7 | 0x01 => {}
            _ => {
                let (Some(hi), Some(lo)) = (byte(r)?, byte(r)?) else {
                    return Ok(false);
                };
                let len = u16::from_be_bytes([hi, lo]);
                if len < 2 || !skip(r, len as u64 - 2)? {
                    return Ok(false);
                }
                if marker == 0xDA {
                    // Entropy-coded data up to the next marker that is
                    // neither a stuffed zero nor a restart.
                    loop {
                        let buf = r.fill_buf()?;
                        if buf.is_empty() {
                            return Ok(false);
                        }
                        match memchr::memchr(0xFF, buf) {
                            None => {
                                let n = buf.len();
                                r.consume(n);
                            }
                            Some(i) => {
                                r.consume(i + 1);
                                let mut next = 0xFF;
                                while next == 0xFF {
                                    let Some(b) = byte(r)? else {
                                        return Ok(false);
                                    };
                                    next = b;
                                }
                                if next != 0x00 && !(0xD0..=0xD7).contains(&next) {
                                    pending = Some(next);
                                    break;
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn check_jpeg(r: &mut impl BufRead) -> std::io::Result<Result<(), DomainError>> {
    if !walk_jpeg(r)? {
        return Ok(Err(DomainError::FileTruncated));
    }
    // After the image: padding, or more whole images (MPF: a phone's
    // depth map or gain map), and nothing else.
    loop {
        let buf = r.fill_buf()?;
        let Some(i) = buf.iter().position(|b| !matches!(b, 0 | b'\n' | b'\r')) else {
            if buf.is_empty() {
                return Ok(Ok(()));
            }
            let n = buf.len();
            r.consume(n);
            continue;
        };
        r.consume(i);
        let buf = r.fill_buf()?;
        if buf.len() < 2 || buf[..2] != [0xFF, 0xD8] || !walk_jpeg(r)? {
            return Ok(Err(DomainError::FileTrailingData));
        }
    }
}

/// HEIF box types are four printable ASCII characters.
fn is_box_type(t: &[u8; 4]) -> bool {
    t.iter().all(|c| (0x20..0x7F).contains(c))
}

fn check_heif(r: &mut impl BufRead) -> std::io::Result<Result<(), DomainError>> {
    let bad = Ok(Err(DomainError::FileStructure));
    let mut first = true;
    let mut meta = false;
    loop {
        let mut header = [0u8; 8];
        let got = read_up_to(r, &mut header)?;
        if got == 0 && !first {
            return if meta { Ok(Ok(())) } else { bad };
        }
        if got < 8 {
            return bad;
        }
        let kind: [u8; 4] = header[4..8].try_into().unwrap_or_default();
        if !is_box_type(&kind) || (first && &kind != b"ftyp") {
            return bad;
        }
        let size = u32::from_be_bytes(header[..4].try_into().unwrap_or_default()) as u64;
        let body = match size {
            // To the end of the file: must be the last box.
            0 => {
                meta |= &kind == b"meta";
                let mut sink = std::io::sink();
                std::io::copy(r, &mut sink)?;
                return if meta { Ok(Ok(())) } else { bad };
            }
            1 => {
                let mut large = [0u8; 8];
                if read_up_to(r, &mut large)? < 8 {
                    return bad;
                }
                match u64::from_be_bytes(large).checked_sub(16) {
                    Some(n) => n,
                    None => return bad,
                }
            }
            2..=7 => return bad,
            n => n - 8,
        };
        if !skip(r, body)? {
            return bad;
        }
        meta |= &kind == b"meta";
        first = false;
    }
}

fn read_up_to(r: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// Names in a PDF that make it act when opened.
const ACTIVE: [&[u8]; 3] = [b"JavaScript", b"JS", b"Launch"];
/// Decompressed object streams are read up to this much in all.
const OBJECT_STREAMS_MAX: u64 = 64 * 1024 * 1024;

/// Every name (`/Name`, with `#xx` escapes decoded) in some PDF bytes, to
/// `seen`.
fn scan_names(bytes: &[u8], seen: &mut impl FnMut(&[u8])) {
    let mut i = 0;
    let mut name = Vec::with_capacity(32);
    while let Some(at) = memchr::memchr(b'/', &bytes[i..]) {
        i += at + 1;
        name.clear();
        while i < bytes.len() && name.len() <= 64 {
            let c = bytes[i];
            if c.is_ascii_whitespace() || b"()<>[]{}/%".contains(&c) || c == 0 {
                break;
            }
            if c == b'#' && i + 2 < bytes.len() {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                if let Some(b) = hex {
                    name.push(b);
                    i += 3;
                    continue;
                }
            }
            name.push(c);
            i += 1;
        }
        seen(&name);
    }
}

fn check_pdf(r: &mut (impl BufRead + Seek)) -> std::io::Result<Result<(), DomainError>> {
    // Read in overlapping windows so that a name split between two reads
    // is still seen; note where object streams are, to inflate them after.
    const WINDOW: usize = 1 << 20;
    const OVERLAP: usize = 4096;
    const OBJECT_STREAM_READ: u64 = 8 << 20;
    let mut active = false;
    let mut data: Vec<u8> = Vec::with_capacity(WINDOW + OVERLAP);
    let mut chunk = vec![0u8; WINDOW];
    let mut base: u64 = 0;
    let mut object_streams: Vec<u64> = Vec::new();
    loop {
        let n = read_up_to(r, &mut chunk)?;
        data.extend_from_slice(&chunk[..n]);
        scan_names(&data, &mut |name| active |= ACTIVE.contains(&name));
        for at in memchr::memmem::find_iter(&data, b"ObjStm") {
            let at = base + at as u64;
            if object_streams.last().is_none_or(|last| at > *last) && object_streams.len() < 10_000
            {
                object_streams.push(at);
            }
        }
        if n == 0 || active {
            break;
        }
        let keep = data.len().saturating_sub(OVERLAP);
        data.drain(..keep);
        base += keep as u64;
    }
    let mut inflated_total: u64 = 0;
    let mut window = Vec::new();
    for at in object_streams {
        if active || inflated_total >= OBJECT_STREAMS_MAX {
            break;
        }
        r.seek(SeekFrom::Start(at))?;
        window.clear();
        r.by_ref()
            .take(OBJECT_STREAM_READ)
            .read_to_end(&mut window)?;
        let Some(s) = memchr::memmem::find(&window, b"stream") else {
            continue;
        };
        let mut start = s + 6;
        while start < window.len() && matches!(window[start], b'\r' | b'\n') {
            start += 1;
        }
        let end = memchr::memmem::find(&window[start..], b"endstream")
            .map_or(window.len(), |e| start + e);
        let mut out = Vec::new();
        // Object streams are Flate-compressed in practice; one that does not
        // inflate is read no further (its names were scanned raw above).
        let _ = flate2::read::ZlibDecoder::new(&window[start..end])
            .take(OBJECT_STREAMS_MAX - inflated_total)
            .read_to_end(&mut out);
        inflated_total += out.len() as u64;
        scan_names(&out, &mut |name| active |= ACTIVE.contains(&name));
    }
    Ok(if active {
        Err(DomainError::PdfActiveContent)
    } else {
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufReader, Cursor, Write};

    fn run(kind: DocKind, bytes: &[u8]) -> Result<(), DomainError> {
        // A small buffer so markers and names fall across reads.
        check(kind, &mut BufReader::with_capacity(7, Cursor::new(bytes))).unwrap()
    }

    fn jpeg() -> Vec<u8> {
        let img = image::RgbImage::from_fn(64, 48, |x, y| image::Rgb([x as u8 * 4, y as u8, 90]));
        let mut out = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 80)
            .encode_image(&img)
            .unwrap();
        out
    }

    #[test]
    fn a_jpeg_ends_at_its_end_marker_and_only_images_may_follow() {
        let photo = jpeg();
        assert_eq!(run(DocKind::Jpeg, &photo), Ok(()));
        let mut padded = photo.clone();
        padded.extend_from_slice(b"\0\0\r\n");
        assert_eq!(run(DocKind::Jpeg, &padded), Ok(()));
        // A phone's multi-picture file: a second whole image after the first.
        let mut mpf = photo.clone();
        mpf.extend_from_slice(&photo);
        assert_eq!(run(DocKind::Jpeg, &mpf), Ok(()));
        // A ZIP behind the photo, its comment ending as a JPEG ends.
        let mut polyglot = photo.clone();
        polyglot.extend_from_slice(b"PK\x03\x04 hidden archive \xFF\xD9");
        assert_eq!(
            run(DocKind::Jpeg, &polyglot),
            Err(DomainError::FileTrailingData)
        );
        let mut cut = photo.clone();
        cut.truncate(photo.len() / 2);
        cut.extend_from_slice(&[0xFF, 0xD9]);
        assert_ne!(run(DocKind::Jpeg, &cut[..cut.len() - 2]), Ok(()));
    }

    #[test]
    fn a_heif_is_boxes_that_fill_the_file() {
        let mut heic = Vec::new();
        heic.extend_from_slice(b"\0\0\0\x18ftypheic\0\0\0\0mif1heic");
        heic.extend_from_slice(b"\0\0\0\x10meta\0\0\0\0\0\0\0\0");
        heic.extend_from_slice(b"\0\0\0\x0cmdat\x01\x02\x03\x04");
        assert_eq!(run(DocKind::Heic, &heic), Ok(()));
        let mut html = heic[..24].to_vec();
        html.extend_from_slice(b"<html><script>alert(1)</script></html>");
        assert_eq!(run(DocKind::Heic, &html), Err(DomainError::FileStructure));
        // A box longer than the file, or no meta box at all.
        assert_eq!(
            run(DocKind::Heic, &heic[..heic.len() - 1]),
            Err(DomainError::FileStructure)
        );
        assert_eq!(
            run(DocKind::Heic, &heic[..24]),
            Err(DomainError::FileStructure)
        );
    }

    #[test]
    fn a_pdf_with_javascript_or_a_launch_action_is_refused_however_hidden() {
        let plain =
            b"%PDF-1.7\n1 0 obj << /Type /Catalog /OpenAction [3 0 R /Fit] >> endobj\n%%EOF\n";
        assert_eq!(run(DocKind::Pdf, plain), Ok(()));
        for bad in [
            &b"%PDF-1.7\n1 0 obj << /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>\n%%EOF"
                [..],
            b"%PDF-1.7\n1 0 obj << /OpenAction << /S /Launch /F (cmd.exe) >> >>\n%%EOF",
            b"%PDF-1.7\n1 0 obj << /OpenAction << /S /J#61vaScript /J#53 (x) >> >>\n%%EOF",
        ] {
            assert_eq!(
                run(DocKind::Pdf, bad),
                Err(DomainError::PdfActiveContent),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
        // Inside a compressed object stream.
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        z.write_all(b"5 0 << /S /JavaScript /JS (app.alert(1)) >>")
            .unwrap();
        let packed = z.finish().unwrap();
        let mut pdf =
            b"%PDF-1.7\n4 0 obj << /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode >>\nstream\n"
                .to_vec();
        pdf.extend_from_slice(&packed);
        pdf.extend_from_slice(b"\nendstream\nendobj\n%%EOF\n");
        assert_eq!(run(DocKind::Pdf, &pdf), Err(DomainError::PdfActiveContent));
    }
}
