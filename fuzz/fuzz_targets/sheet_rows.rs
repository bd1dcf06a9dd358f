//! A developer's or a bank's spreadsheet: any bytes as CSV (UTF-8, UTF-8
//! with BOM, GBK/GB18030, UTF-16) or XLSX, read row by row as the filing
//! worker does, within its limits. No input panics or runs away.
#![no_main]

use libfuzzer_sys::fuzz_target;
use onetrip_server::filings::sheet::{self, Limits, SheetReader};

fuzz_target!(|data: &[u8]| {
    let limits = Limits {
        max_rows: 200,
        max_bytes: 1024 * 1024,
    };
    let _ = sheet::decode(data);
    let _ = sheet::survey(data, limits);
    let _ = sheet::read(data, limits);
    if let Ok((_, mut reader)) = SheetReader::open(data, limits.max_bytes) {
        let _ = reader.headers();
        for _ in 0..limits.max_rows {
            match reader.next_rows(16) {
                Ok(rows) if !rows.is_empty() => {}
                _ => break,
            }
        }
    }
});
