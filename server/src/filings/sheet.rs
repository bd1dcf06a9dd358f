//! Reading a developer's spreadsheet: XLSX (calamine) or CSV (csv), the CSV
//! decoded the way Excel saves it in China — UTF-8 with or without a BOM,
//! UTF-16 with a BOM, or GBK (GB 18030) — and every way a whole file can be
//! wrong named precisely. Nothing here touches the database.

use app::domain::filing::{Cell, FileError};
use std::io::{Cursor, Read};

/// What kind of file the bytes are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Xlsx,
    Csv,
}

impl Format {
    pub fn code(self) -> &'static str {
        match self {
            Format::Xlsx => "xlsx",
            Format::Csv => "csv",
        }
    }
}

/// A sheet as read: the header row's cells and the data rows with their
/// line numbers as a spreadsheet shows them (the header's line counts).
#[derive(Debug, Clone, Default)]
pub struct Sheet {
    pub headers: Vec<String>,
    pub rows: Vec<(usize, Vec<Cell>)>,
}

/// Limits for one file.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_rows: usize,
    pub max_bytes: usize,
}

/// Tell the format by content, not by name.
pub fn detect(bytes: &[u8]) -> Result<Format, FileError> {
    if bytes.starts_with(b"PK\x03\x04") {
        return Ok(Format::Xlsx);
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err(FileError::OldExcel);
    }
    let head = &bytes[..bytes.len().min(8192)];
    let utf16 = head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]);
    // Text has no NUL bytes (except UTF-16) and few control characters.
    let binary = head
        .iter()
        .filter(|b| matches!(**b, 0..=8 | 14..=26 | 28..=31))
        .count();
    if bytes.is_empty() || (!utf16 && binary > 0) {
        return Err(FileError::NotSpreadsheet);
    }
    Ok(Format::Csv)
}

/// Read a whole file of either format.
pub fn read(bytes: &[u8], limits: Limits) -> Result<(Format, Sheet), FileError> {
    if bytes.len() > limits.max_bytes {
        return Err(FileError::TooLarge {
            max_mb: limits.max_bytes / (1024 * 1024),
        });
    }
    let format = detect(bytes)?;
    let sheet = match format {
        Format::Xlsx => read_xlsx(bytes, limits)?,
        Format::Csv => read_csv(&decode(bytes)?, limits)?,
    };
    Ok((format, sheet))
}

/// Text of a CSV file: UTF-8 (a BOM is dropped), UTF-16 with a BOM, or GBK.
/// A byte that fits none is reported with its line.
pub fn decode(bytes: &[u8]) -> Result<String, FileError> {
    if let Some((enc, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, had_errors) = enc.decode_without_bom_handling(&bytes[bom..]);
        if !had_errors {
            return Ok(text.into_owned());
        }
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Ok(s.to_string());
    }
    match encoding_rs::GB18030.decode_without_bom_handling_and_without_replacement(bytes) {
        Some(text) => Ok(text.into_owned()),
        None => {
            // Find the first line that does not decode, for the message.
            let mut line = 1;
            for chunk in bytes.split(|b| *b == b'\n') {
                if encoding_rs::GB18030
                    .decode_without_bom_handling_and_without_replacement(chunk)
                    .is_none()
                {
                    break;
                }
                line += 1;
            }
            Err(FileError::BadEncoding { line })
        }
    }
}

fn read_csv(text: &str, limits: Limits) -> Result<Sheet, FileError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut sheet = Sheet::default();
    let mut have_header = false;
    for (i, record) in reader.records().enumerate() {
        let Ok(record) = record else {
            return Err(FileError::NotSpreadsheet);
        };
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if !have_header {
            sheet.headers = record.iter().map(str::to_string).collect();
            have_header = true;
            continue;
        }
        if sheet.rows.len() == limits.max_rows {
            return Err(FileError::TooManyRows {
                limit: limits.max_rows,
            });
        }
        let cells = record
            .iter()
            .map(|c| {
                if c.trim().is_empty() {
                    Cell::Empty
                } else {
                    Cell::Text(c.to_string())
                }
            })
            .collect();
        sheet.rows.push((i + 1, cells));
    }
    finish(sheet, have_header)
}

fn finish(sheet: Sheet, have_header: bool) -> Result<Sheet, FileError> {
    if !have_header || sheet.rows.is_empty() {
        return Err(FileError::Empty);
    }
    Ok(sheet)
}

/// Unpack every entry into a counter before calamine opens the workbook:
/// one that unpacks to far more than the file (or to an absurd size at all)
/// is refused without ever being held in memory.
fn check_unpacked_size(bytes: &[u8]) -> Result<(), FileError> {
    const ABSOLUTE: u64 = 400 * 1024 * 1024;
    const RATIO: u64 = 100;
    const FLOOR: u64 = 32 * 1024 * 1024;
    let cap = ABSOLUTE.min((bytes.len() as u64 * RATIO).max(FLOOR));
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| FileError::BrokenXlsx)?;
    let mut total: u64 = 0;
    let mut buf = vec![0u8; 64 * 1024];
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).map_err(|_| FileError::BrokenXlsx)?;
        loop {
            let n = entry.read(&mut buf).map_err(|_| FileError::BrokenXlsx)?;
            if n == 0 {
                break;
            }
            total += n as u64;
            if total > cap {
                return Err(FileError::ZipBomb);
            }
        }
    }
    Ok(())
}

fn read_xlsx(bytes: &[u8], limits: Limits) -> Result<Sheet, FileError> {
    use calamine::{Data, Reader, Xlsx};
    check_unpacked_size(bytes)?;
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|_| FileError::BrokenXlsx)?;
    let range = book
        .worksheet_range_at(0)
        .ok_or(FileError::BrokenXlsx)?
        .map_err(|_| FileError::BrokenXlsx)?;
    let first_line = range.start().map_or(1, |(r, _)| r as usize + 1);
    let mut sheet = Sheet::default();
    let mut have_header = false;
    for (i, row) in range.rows().enumerate() {
        let cells: Vec<Cell> = row
            .iter()
            .map(|d| match d {
                Data::Empty => Cell::Empty,
                Data::String(s) if s.trim().is_empty() => Cell::Empty,
                Data::String(s) => Cell::Text(s.clone()),
                Data::Float(f) => Cell::Number(*f),
                Data::Int(n) => Cell::Number(*n as f64),
                Data::Bool(b) => Cell::Text(b.to_string()),
                Data::DateTimeIso(s) | Data::DurationIso(s) => Cell::Text(s.clone()),
                Data::DateTime(d) => Cell::Text(d.to_string()),
                Data::Error(e) => Cell::Text(format!("#{e:?}")),
            })
            .collect();
        if cells.iter().all(|c| *c == Cell::Empty) {
            continue;
        }
        if !have_header {
            sheet.headers = cells.iter().map(Cell::text).collect();
            have_header = true;
            continue;
        }
        if sheet.rows.len() == limits.max_rows {
            return Err(FileError::TooManyRows {
                limit: limits.max_rows,
            });
        }
        sheet.rows.push((first_line + i, cells));
    }
    finish(sheet, have_header)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: Limits = Limits {
        max_rows: 3,
        max_bytes: 1 << 20,
    };

    #[test]
    fn csv_in_utf8_with_a_bom_and_in_gbk_read_the_same() {
        let text = "不动产单元号,买受人姓名\n320684413219GB00029F00010002,张三\n";
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice(text.as_bytes());
        let (gbk, _, _) = encoding_rs::GBK.encode(text);
        for bytes in [text.as_bytes().to_vec(), bom, gbk.into_owned()] {
            let (format, sheet) = read(&bytes, LIMITS).unwrap();
            assert_eq!(format, Format::Csv);
            assert_eq!(sheet.headers, ["不动产单元号", "买受人姓名"]);
            assert_eq!(sheet.rows[0].0, 2);
            assert_eq!(sheet.rows[0].1[1], Cell::Text("张三".into()));
        }
    }

    #[test]
    fn a_broken_gbk_byte_is_named_with_its_line() {
        let (gbk, _, _) = encoding_rs::GBK.encode("单元号,姓名\n1,张三\n");
        let mut bytes = gbk.into_owned();
        bytes.extend_from_slice(b"2,\x81\x20\n");
        assert_eq!(
            read(&bytes, LIMITS).unwrap_err(),
            FileError::BadEncoding { line: 3 }
        );
    }

    #[test]
    fn files_that_are_not_spreadsheets_are_told_apart() {
        assert_eq!(
            detect(b"\x89PNG\r\n\x1a\n\0\0").unwrap_err(),
            FileError::NotSpreadsheet
        );
        assert_eq!(
            detect(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1]).unwrap_err(),
            FileError::OldExcel
        );
        assert_eq!(
            read(b"PK\x03\x04garbage", LIMITS).unwrap_err(),
            FileError::BrokenXlsx
        );
    }

    #[test]
    fn too_many_rows_and_no_rows_are_refused() {
        let many = "a,b\n1,2\n3,4\n5,6\n7,8\n";
        assert_eq!(
            read(many.as_bytes(), LIMITS).unwrap_err(),
            FileError::TooManyRows { limit: 3 }
        );
        assert_eq!(read(b"a,b\n\n,\n", LIMITS).unwrap_err(), FileError::Empty);
    }
}
