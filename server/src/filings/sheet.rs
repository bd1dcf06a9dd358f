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

/// The most columns a sheet may have (the widest template has 14): a cell
/// with anything in it further right refuses the file, so a row is never
/// wider than this, whatever the file.
pub const MAX_COLUMNS: usize = 64;
/// The most characters kept of one cell (the longest field of a template
/// is 50): a longer cell keeps this much and fails its field's check, so
/// neither a row nor a stored error report grows with what a cell holds.
pub const MAX_CELL_CHARS: usize = 200;

/// Text as kept from a cell: at most [`MAX_CELL_CHARS`] characters.
fn clip(s: &str) -> String {
    match s.char_indices().nth(MAX_CELL_CHARS) {
        Some((at, _)) => format!("{}…", &s[..at]),
        None => s.to_string(),
    }
}

/// Rows an XLSX's reading thread may get ahead of its reader.
const XLSX_AHEAD: usize = 64;

/// A row as read: its line as a spreadsheet shows it, and its cells.
pub type Row = (usize, Vec<Cell>);

/// A sheet read a row at a time, so that a large file is never held as
/// cells all at once: a CSV is held only as its decoded text; an XLSX's
/// worksheet is read as a stream of XML by a thread of its own that stays
/// at most a few dozen rows ahead (only the workbook's shared strings are
/// held whole, and their size is bounded when the file is measured).
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
        rows: std::sync::mpsc::Receiver<Result<Option<Row>, FileError>>,
        done: bool,
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
    pub fn next_row(&mut self) -> Result<Option<Row>, FileError> {
        match &mut self.rows {
            Rows::Csv {
                reader,
                record,
                index,
            } => {
                if !csv_next(reader, record, index)? {
                    return Ok(None);
                }
                let cells = record
                    .iter()
                    .take(MAX_COLUMNS)
                    .map(|c| {
                        if c.trim().is_empty() {
                            Cell::Empty
                        } else {
                            Cell::Text(clip(c))
                        }
                    })
                    .collect();
                Ok(Some((*index, cells)))
            }
            Rows::Xlsx { rows, done } => {
                if *done {
                    return Ok(None);
                }
                // The thread ends every file with `None` or an error: a
                // thread that stopped without either is a broken file,
                // never a short one.
                let next = rows.recv().unwrap_or(Err(FileError::BrokenXlsx));
                if !matches!(next, Ok(Some(_))) {
                    *done = true;
                }
                next
            }
        }
    }

    /// Up to `n` more rows (fewer only at the end).
    pub fn next_rows(&mut self, n: usize) -> Result<Vec<Row>, FileError> {
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
    /// cells (a CSV's); `false` at the end.
    fn skip_row(&mut self) -> Result<bool, FileError> {
        match &mut self.rows {
            Rows::Csv {
                reader,
                record,
                index,
            } => csv_next(reader, record, index),
            Rows::Xlsx { .. } => Ok(self.next_row()?.is_some()),
        }
    }
}

/// Move to the next CSV row with anything in it (`index`: its line);
/// `false` at the end. A row with something beyond the last column a sheet
/// may have refuses the file.
fn csv_next(
    reader: &mut csv::Reader<Cursor<Vec<u8>>>,
    record: &mut csv::StringRecord,
    index: &mut usize,
) -> Result<bool, FileError> {
    loop {
        let more = reader
            .read_record(record)
            .map_err(|_| FileError::NotSpreadsheet)?;
        *index += 1;
        if !more {
            return Ok(false);
        }
        if record.iter().any(|c| !c.trim().is_empty()) {
            if record
                .iter()
                .skip(MAX_COLUMNS)
                .any(|c| !c.trim().is_empty())
            {
                return Err(FileError::TooManyColumns { limit: MAX_COLUMNS });
            }
            return Ok(true);
        }
    }
}

fn xlsx_cell(d: &calamine::DataRef<'_>) -> Cell {
    use calamine::DataRef;
    match d {
        DataRef::Empty => Cell::Empty,
        DataRef::String(s) if s.trim().is_empty() => Cell::Empty,
        DataRef::SharedString(s) if s.trim().is_empty() => Cell::Empty,
        DataRef::String(s) => Cell::Text(clip(s)),
        DataRef::SharedString(s) => Cell::Text(clip(s)),
        DataRef::Float(f) => Cell::Number(*f),
        DataRef::Int(n) => Cell::Number(*n as f64),
        DataRef::Bool(b) => Cell::Text(b.to_string()),
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => Cell::Text(s.clone()),
        DataRef::DateTime(d) => Cell::Text(d.to_string()),
        DataRef::Error(e) => Cell::Text(format!("#{e:?}")),
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
/// is refused without ever being held in memory. The parts calamine holds
/// whole when it opens a workbook (shared strings, styles, the workbook's
/// own lists) are bounded on their own, so opening never takes more than a
/// few tens of megabytes; only worksheets, which are read as a stream, may
/// be larger.
fn check_unpacked_size(bytes: &[u8]) -> Result<(), FileError> {
    const ABSOLUTE: u64 = 400 * 1024 * 1024;
    const RATIO: u64 = 100;
    const FLOOR: u64 = 32 * 1024 * 1024;
    const HELD_WHOLE: u64 = 24 * 1024 * 1024;
    let cap = ABSOLUTE.min((bytes.len() as u64 * RATIO).max(FLOOR));
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| FileError::BrokenXlsx)?;
    let mut total: u64 = 0;
    let mut held: u64 = 0;
    let mut buf = vec![0u8; 64 * 1024];
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).map_err(|_| FileError::BrokenXlsx)?;
        let streamed = entry.name().is_ok_and(|n| n.starts_with("xl/worksheets/"));
        loop {
            let n = entry.read(&mut buf).map_err(|_| FileError::BrokenXlsx)?;
            if n == 0 {
                break;
            }
            total += n as u64;
            if !streamed {
                held += n as u64;
            }
            if total > cap || held > HELD_WHOLE {
                return Err(FileError::ZipBomb);
            }
        }
    }
    Ok(())
}

/// Measure the workbook, then start the thread that reads its first
/// worksheet a cell at a time and hands over whole rows.
fn open_xlsx(bytes: &[u8]) -> Result<Rows, FileError> {
    check_unpacked_size(bytes)?;
    let bytes = bytes.to_vec();
    let (send, rows) = std::sync::mpsc::sync_channel(XLSX_AHEAD);
    std::thread::Builder::new()
        .name("xlsx-reader".into())
        .spawn(move || {
            let end = xlsx_rows(&bytes, &mut |row| send.send(Ok(Some(row))).is_ok());
            // The reader may be gone (it stopped early): nothing to tell.
            let _ = send.send(end.map(|()| None));
        })
        .map_err(|_| FileError::BrokenXlsx)?;
    Ok(Rows::Xlsx { rows, done: false })
}

/// Read the first worksheet of a workbook in stream order and give each
/// row with anything in it to `row` (which answers whether to go on). A
/// formula cell is given as its formula: what a person typed is wanted,
/// not what Excel computed.
fn xlsx_rows(bytes: &[u8], row: &mut dyn FnMut(Row) -> bool) -> Result<(), FileError> {
    use calamine::{Reader, Xlsx};
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|_| FileError::BrokenXlsx)?;
    let first = book
        .sheet_names()
        .into_iter()
        .next()
        .ok_or(FileError::BrokenXlsx)?;
    let mut cells = book
        .worksheet_cells_reader(&first)
        .map_err(|_| FileError::BrokenXlsx)?;
    let mut current: Option<(u32, Vec<Cell>)> = None;
    let flush =
        |current: &mut Option<(u32, Vec<Cell>)>, row: &mut dyn FnMut(Row) -> bool| match current
            .take()
        {
            Some((r, cells)) if cells.iter().any(|c| *c != Cell::Empty) => {
                row((r as usize + 1, cells))
            }
            _ => true,
        };
    while let Some(cell) = cells
        .next_cell_with_formula()
        .map_err(|_| FileError::BrokenXlsx)?
    {
        let (r, c) = cell.pos;
        let value = match cell.formula {
            Some(f) if !f.trim().is_empty() => {
                Cell::Formula(clip(f.trim().trim_start_matches('=')))
            }
            _ => xlsx_cell(&cell.value),
        };
        if value == Cell::Empty {
            continue;
        }
        if c as usize >= MAX_COLUMNS {
            return Err(FileError::TooManyColumns { limit: MAX_COLUMNS });
        }
        if current.as_ref().is_some_and(|(at, _)| *at != r) && !flush(&mut current, row) {
            return Ok(());
        }
        let (_, cells) = current.get_or_insert_with(|| (r, Vec::new()));
        let c = c as usize;
        if cells.len() <= c {
            cells.resize(c + 1, Cell::Empty);
        }
        cells[c] = value;
    }
    flush(&mut current, row);
    Ok(())
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

    fn workbook(rows: &[Vec<&str>], formula: Option<(u32, u16, &str)>) -> Vec<u8> {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                if !v.is_empty() {
                    sheet.write_string(r as u32, c as u16, *v).unwrap();
                }
            }
        }
        if let Some((r, c, f)) = formula {
            sheet
                .write_formula(r, c, rust_xlsxwriter::Formula::new(f).set_result("张三"))
                .unwrap();
        }
        book.save_to_buffer().unwrap()
    }

    #[test]
    fn an_xlsx_is_read_as_a_stream_with_its_formulas_named() {
        let rows = [
            vec!["单元号", "姓名"],
            vec!["1", "甲"],
            vec![],
            vec!["2", ""],
            vec!["3", "丙"],
        ];
        let bytes = workbook(&rows, Some((3, 1, "=HYPERLINK(\"http://x\",\"张三\")")));
        let limits = Limits {
            max_rows: 10,
            max_bytes: 1 << 20,
        };
        let (format, sheet) = read(&bytes, limits).unwrap();
        assert_eq!(format, Format::Xlsx);
        assert_eq!(sheet.headers, ["单元号", "姓名"]);
        let lines: Vec<usize> = sheet.rows.iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, [2, 4, 5]);
        assert_eq!(
            sheet.rows[1].1[1],
            Cell::Formula("HYPERLINK(\"http://x\",\"张三\")".into())
        );
        assert_eq!(
            survey(&bytes, limits).unwrap(),
            (Format::Xlsx, sheet.headers.clone(), 3)
        );
        // Stopping early (a reader dropped half way) ends its thread.
        let (_, mut reader) = SheetReader::open(&bytes, 1 << 20).unwrap();
        assert_eq!(reader.next_rows(1).unwrap().len(), 1);
        drop(reader);
    }

    #[test]
    fn a_huge_cell_is_kept_only_in_part() {
        let csv = format!("单元号,姓名\n1,{}\n", "长".repeat(6000));
        let (_, sheet) = read(csv.as_bytes(), LIMITS).unwrap();
        let Cell::Text(kept) = &sheet.rows[0].1[1] else {
            panic!("text")
        };
        assert_eq!(kept.chars().count(), MAX_CELL_CHARS + 1);
        let big = "x".repeat(6000);
        let bytes = workbook(&[vec!["单元号", "姓名"], vec!["1", big.as_str()]], None);
        let (_, sheet) = read(&bytes, LIMITS).unwrap();
        assert_eq!(
            sheet.rows[0].1[1].text().chars().count(),
            MAX_CELL_CHARS + 1
        );
    }

    #[test]
    fn too_wide_a_sheet_or_too_many_strings_are_refused() {
        let mut wide = vec!["x"; MAX_COLUMNS + 1];
        wide[0] = "单元号";
        let bytes = workbook(&[wide.clone(), vec!["1"]], None);
        assert_eq!(
            read(&bytes, LIMITS).unwrap_err(),
            FileError::TooManyColumns { limit: MAX_COLUMNS }
        );
        let csv = format!("{}\n1\n", wide.join(","));
        assert_eq!(
            read(csv.as_bytes(), LIMITS).unwrap_err(),
            FileError::TooManyColumns { limit: MAX_COLUMNS }
        );
        // Empty cells far right are no reason to refuse.
        let csv = format!("单元号,姓名{}\n1,甲\n", ",".repeat(200));
        assert!(read(csv.as_bytes(), LIMITS).is_ok());
        // Shared strings are held whole: more than a bound of them is
        // refused, even when the file as a whole is within its ratio.
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let stored = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        zip.start_file("xl/sharedStrings.xml", stored).unwrap();
        std::io::Write::write_all(&mut zip, &vec![b'x'; 25 << 20]).unwrap();
        let bytes = zip.finish().unwrap().into_inner();
        assert_eq!(check_unpacked_size(&bytes), Err(FileError::ZipBomb));
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        zip.start_file("xl/worksheets/sheet1.xml", stored).unwrap();
        std::io::Write::write_all(&mut zip, &vec![b'x'; 25 << 20]).unwrap();
        let bytes = zip.finish().unwrap().into_inner();
        assert_eq!(check_unpacked_size(&bytes), Ok(()));
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
