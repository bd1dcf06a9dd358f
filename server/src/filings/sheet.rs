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
    if bytes.is_empty() {
        return Err(FileError::EmptyFile);
    }
    if !utf16 && binary > 0 {
        return Err(FileError::NotSpreadsheet);
    }
    Ok(Format::Csv)
}

/// Read a whole file of either format.
pub fn read(bytes: &[u8], limits: Limits) -> Result<(Format, Sheet), FileError> {
    let (format, mut reader) = SheetReader::open(bytes, limits.max_bytes)?;
    let mut sheet = Sheet {
        headers: reader.headers().to_vec(),
        rows: Vec::new(),
    };
    while let Some(row) = reader.next_row()? {
        if sheet.rows.len() == limits.max_rows {
            return Err(FileError::TooManyRows {
                limit: limits.max_rows,
            });
        }
        sheet.rows.push(row);
    }
    if sheet.rows.is_empty() {
        return Err(FileError::Empty);
    }
    Ok((format, sheet))
}

/// Check a whole file without keeping its rows (what the upload route
/// does before storing it): the format, the header row and the row count.
pub fn survey(bytes: &[u8], limits: Limits) -> Result<(Format, Vec<String>, usize), FileError> {
    let (format, mut reader) = SheetReader::open(bytes, limits.max_bytes)?;
    let mut rows = 0;
    while reader.skip_row()? {
        if rows == limits.max_rows {
            return Err(FileError::TooManyRows {
                limit: limits.max_rows,
            });
        }
        rows += 1;
    }
    if rows == 0 {
        return Err(FileError::Empty);
    }
    Ok((format, reader.headers, rows))
}

/// A sheet read a row at a time, so that a large file is never held as
/// cells all at once (a CSV is held only as its decoded text; calamine
/// holds an XLSX's cells in its own compact form).
pub struct SheetReader {
    headers: Vec<String>,
    rows: Rows,
}

enum Rows {
    Csv {
        reader: csv::Reader<Cursor<Vec<u8>>>,
        record: csv::StringRecord,
        index: usize,
    },
    Xlsx {
        range: calamine::Range<calamine::Data>,
        next: usize,
        first_line: usize,
    },
}

impl SheetReader {
    /// Open a file of either format and read up to its header row (the
    /// first row with anything in it). A file without one is `Empty`.
    pub fn open(bytes: &[u8], max_bytes: usize) -> Result<(Format, SheetReader), FileError> {
        if bytes.len() > max_bytes {
            return Err(FileError::TooLarge {
                max_mb: max_bytes / (1024 * 1024),
            });
        }
        let format = detect(bytes)?;
        let rows = match format {
            Format::Xlsx => open_xlsx(bytes)?,
            Format::Csv => Rows::Csv {
                reader: csv::ReaderBuilder::new()
                    .has_headers(false)
                    .flexible(true)
                    .from_reader(Cursor::new(decode(bytes)?.into_bytes())),
                record: csv::StringRecord::new(),
                index: 0,
            },
        };
        let mut reader = SheetReader {
            headers: Vec::new(),
            rows,
        };
        match reader.next_row()? {
            Some((_, cells)) => reader.headers = cells.iter().map(Cell::text).collect(),
            None => return Err(FileError::Empty),
        }
        Ok((format, reader))
    }

    pub fn headers(&self) -> &[String] {
        &self.headers
    }

    /// The next row with anything in it, with its line as a spreadsheet
    /// shows it; `None` at the end.
    pub fn next_row(&mut self) -> Result<Option<(usize, Vec<Cell>)>, FileError> {
        loop {
            let Some(line) = self.advance()? else {
                return Ok(None);
            };
            let cells = self.cells();
            if cells.iter().any(|c| *c != Cell::Empty) {
                return Ok(Some((line, cells)));
            }
        }
    }

    /// Up to `n` more rows (fewer only at the end).
    pub fn next_rows(&mut self, n: usize) -> Result<Vec<(usize, Vec<Cell>)>, FileError> {
        let mut out = Vec::with_capacity(n.min(4096));
        while out.len() < n {
            match self.next_row()? {
                Some(row) => out.push(row),
                None => break,
            }
        }
        Ok(out)
    }

    /// Pass over the next row with anything in it without building its
    /// cells; `false` at the end.
    fn skip_row(&mut self) -> Result<bool, FileError> {
        loop {
            if self.advance()?.is_none() {
                return Ok(false);
            }
            let blank = match &self.rows {
                Rows::Csv { record, .. } => record.iter().all(|c| c.trim().is_empty()),
                Rows::Xlsx { .. } => self.cells().iter().all(|c| *c == Cell::Empty),
            };
            if !blank {
                return Ok(true);
            }
        }
    }

    /// Move to the next row; its line number, or `None` at the end.
    fn advance(&mut self) -> Result<Option<usize>, FileError> {
        match &mut self.rows {
            Rows::Csv {
                reader,
                record,
                index,
            } => {
                let more = reader
                    .read_record(record)
                    .map_err(|_| FileError::NotSpreadsheet)?;
                *index += 1;
                Ok(more.then_some(*index))
            }
            Rows::Xlsx {
                range,
                next,
                first_line,
            } => {
                if *next >= range.height() {
                    return Ok(None);
                }
                *next += 1;
                Ok(Some(*first_line + *next - 1))
            }
        }
    }

    /// The current row's cells.
    fn cells(&self) -> Vec<Cell> {
        match &self.rows {
            Rows::Csv { record, .. } => record
                .iter()
                .map(|c| {
                    if c.trim().is_empty() {
                        Cell::Empty
                    } else {
                        Cell::Text(c.to_string())
                    }
                })
                .collect(),
            Rows::Xlsx { range, next, .. } => {
                let width = range.width();
                (0..width)
                    .map(|col| range.get((*next - 1, col)).map_or(Cell::Empty, xlsx_cell))
                    .collect()
            }
        }
    }
}

fn xlsx_cell(d: &calamine::Data) -> Cell {
    use calamine::Data;
    match d {
        Data::Empty => Cell::Empty,
        Data::String(s) if s.trim().is_empty() => Cell::Empty,
        Data::String(s) => Cell::Text(s.clone()),
        Data::Float(f) => Cell::Number(*f),
        Data::Int(n) => Cell::Number(*n as f64),
        Data::Bool(b) => Cell::Text(b.to_string()),
        Data::DateTimeIso(s) | Data::DurationIso(s) => Cell::Text(s.clone()),
        Data::DateTime(d) => Cell::Text(d.to_string()),
        Data::Error(e) => Cell::Text(format!("#{e:?}")),
    }
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
    let utf8_error = match std::str::from_utf8(bytes) {
        Ok(s) => return Ok(s.to_string()),
        Err(e) => e,
    };
    // A file whose readable start already holds UTF-8 Chinese (multi-byte
    // sequences) is a UTF-8 file with a damaged spot: name that spot's line,
    // not the first line GBK cannot read.
    let good = &bytes[..utf8_error.valid_up_to()];
    if good.iter().any(|b| *b >= 0x80) {
        let line = 1 + good.iter().filter(|b| **b == b'\n').count();
        return Err(FileError::BadEncoding { line });
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

fn open_xlsx(bytes: &[u8]) -> Result<Rows, FileError> {
    use calamine::{Reader, Xlsx};
    check_unpacked_size(bytes)?;
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|_| FileError::BrokenXlsx)?;
    let range = book
        .worksheet_range_at(0)
        .ok_or(FileError::BrokenXlsx)?
        .map_err(|_| FileError::BrokenXlsx)?;
    let first_line = range.start().map_or(1, |(r, _)| r as usize + 1);
    Ok(Rows::Xlsx {
        range,
        next: 0,
        first_line,
    })
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
    fn a_damaged_character_in_a_utf8_file_is_named_on_its_line() {
        let mut text = String::from("不动产单元号,买受人姓名\n");
        for i in 2..50 {
            text.push_str(&format!("单元{i},张三{i}\n"));
        }
        let mut bytes = text.into_bytes();
        bytes.extend_from_slice(b"X,\xE5\xBC\n");
        bytes.extend_from_slice("单元51,李四\n".as_bytes());
        assert_eq!(
            decode(&bytes).unwrap_err(),
            FileError::BadEncoding { line: 50 }
        );
        assert_eq!(detect(b"").unwrap_err(), FileError::EmptyFile);
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

    #[test]
    fn a_file_read_in_parts_gives_the_rows_read_whole() {
        let text = "单元号,姓名\n1,甲\n,\n2,乙\n3,丙\n4,丁\n";
        let limits = Limits {
            max_rows: 10,
            max_bytes: 1 << 20,
        };
        let (_, whole) = read(text.as_bytes(), limits).unwrap();
        let (_, mut reader) = SheetReader::open(text.as_bytes(), 1 << 20).unwrap();
        assert_eq!(reader.headers(), ["单元号", "姓名"]);
        let mut parts = Vec::new();
        loop {
            let part = reader.next_rows(3).unwrap();
            if part.is_empty() {
                break;
            }
            parts.push(part);
        }
        assert_eq!(parts.iter().map(Vec::len).collect::<Vec<_>>(), [3, 1]);
        assert_eq!(parts.concat(), whole.rows);
        // The blank line is skipped but keeps its number: 丁 is on line 6.
        assert_eq!(whole.rows[3].0, 6);
        let (format, headers, rows) = survey(text.as_bytes(), limits).unwrap();
        assert_eq!((format, headers.len(), rows), (Format::Csv, 2, 4));
        assert_eq!(
            survey(text.as_bytes(), LIMITS).unwrap_err(),
            FileError::TooManyRows { limit: 3 }
        );
    }
}
