//! Spreadsheets and memory: what reading a hostile or maximal sheet adds to
//! a process, through the upload's own code (`sheet::survey`, then every
//! row through `SheetReader`, as the filing worker reads it).
//!
//! `cargo run --release -p server --example sheet_memory -- gen DIR` writes
//! the files; `… -- run FILE` reads one in a fresh process and reports its
//! peak resident memory over the resident memory before (`VmHWM − VmRSS`),
//! the time, and the outcome. `make bench-sheets` does both for:
//! - wide.xlsx: 5,000 rows × 4,000 numeric cells (≈300 MB of XML unpacked,
//!   within the zip-bomb ratio) — the file that once took 1.6 GB;
//! - full.xlsx: 5,000 rows × 64 columns of distinct text (the most a sheet
//!   may hold: every limit reached);
//! - full.csv: a 10 MB CSV, 5,000 rows.

use onetrip_server::filings::sheet::{self, Limits, SheetReader};
use std::io::Write;
use std::time::Instant;

mod common;

fn memory_kb(field: &str) -> u64 {
    common::memory_kb("self", field)
}

fn column(mut c: usize) -> String {
    let mut s = Vec::new();
    c += 1;
    while c > 0 {
        s.push(b'A' + ((c - 1) % 26) as u8);
        c = (c - 1) / 26;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

/// A minimal workbook whose one sheet is written row by row (inline
/// strings or numbers), never held whole by the generator.
fn xlsx(path: &std::path::Path, rows: usize, cols: usize, text: bool) {
    let file = std::fs::File::create(path).expect("create");
    let mut zip = zip::ZipWriter::new(file);
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let parts: [(&str, &str); 4] = [
        (
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#,
        ),
        (
            "_rels/.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
        ),
        (
            "xl/workbook.xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
        ),
        (
            "xl/_rels/workbook.xml.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#,
        ),
    ];
    for (name, body) in parts {
        zip.start_file(name, opts).expect("zip");
        zip.write_all(body.as_bytes()).expect("zip");
    }
    zip.start_file("xl/worksheets/sheet1.xml", opts)
        .expect("zip");
    zip.write_all(br#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#)
        .expect("zip");
    let mut line = String::new();
    for r in 0..rows {
        line.clear();
        line.push_str(&format!("<row r=\"{}\">", r + 1));
        for c in 0..cols {
            if text {
                let at = format!("{}{}", column(c), r + 1);
                line.push_str(&format!(
                    "<c r=\"{at}\" t=\"inlineStr\"><is><t>第{r}行第{c}列的内容{:08}</t></is></c>",
                    r * cols + c
                ));
            } else {
                // As the probe's file: no cell references, small numbers
                // (deflate packs it to a few MB).
                line.push_str(&format!("<c><v>{}</v></c>", (r * 3 + c * 7) % 97));
            }
        }
        line.push_str("</row>");
        zip.write_all(line.as_bytes()).expect("zip");
    }
    zip.write_all(b"</sheetData></worksheet>").expect("zip");
    zip.finish().expect("zip");
}

fn csv(path: &std::path::Path, target_bytes: usize, rows: usize) {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).expect("create"));
    let per_row = target_bytes / (rows + 1);
    let cols = 48;
    let cell = per_row / cols;
    let header: Vec<String> = (0..cols).map(|c| format!("列{c}")).collect();
    writeln!(out, "{}", header.join(",")).expect("write");
    for r in 0..rows {
        let cells: Vec<String> = (0..cols)
            .map(|c| {
                let s = format!("{r}-{c}-");
                format!("{s}{}", "字".repeat((cell.saturating_sub(s.len() + 1)) / 3))
            })
            .collect();
        writeln!(out, "{}", cells.join(",")).expect("write");
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("gen") => {
            let dir =
                std::path::PathBuf::from(args.get(2).cloned().unwrap_or("target/sheets".into()));
            std::fs::create_dir_all(&dir).expect("dir");
            xlsx(&dir.join("wide.xlsx"), 5_000, 4_000, false);
            xlsx(&dir.join("full.xlsx"), 5_000, sheet::MAX_COLUMNS, true);
            csv(&dir.join("full.csv"), 10 * 1024 * 1024 - 4096, 5_000);
            for f in ["wide.xlsx", "full.xlsx", "full.csv"] {
                let len = std::fs::metadata(dir.join(f)).map(|m| m.len()).unwrap_or(0);
                println!("{f}: {:.1} MB", len as f64 / 1048576.0);
            }
        }
        Some("run") => {
            let path = args.get(2).expect("a file");
            let bytes = std::fs::read(path).expect("read");
            let limits = Limits {
                max_rows: 5_000,
                max_bytes: 10 * 1024 * 1024,
            };
            let before = memory_kb("VmRSS:");
            let started = Instant::now();
            // As the upload takes it in, then as the worker reads it.
            let outcome = sheet::survey(&bytes, limits).and_then(|(format, _, rows)| {
                let (_, mut reader) = SheetReader::open(&bytes, limits.max_bytes)?;
                let mut cells = 0usize;
                loop {
                    let part = reader.next_rows(1000)?;
                    if part.is_empty() {
                        break;
                    }
                    cells += part.iter().map(|(_, c)| c.len()).sum::<usize>();
                }
                Ok(format!("{} rows, {cells} cells ({})", rows, format.code()))
            });
            let secs = started.elapsed().as_secs_f64();
            let peak = memory_kb("VmHWM:");
            let growth_mb = peak.saturating_sub(before) as f64 / 1024.0;
            let file_mb = bytes.len() as f64 / 1048576.0;
            println!(
                "{path}: {file_mb:.1} MB file · {} · {secs:.2} s · peak memory growth {growth_mb:.1} MB ({:.1}× the file)",
                match outcome {
                    Ok(s) => s,
                    Err(e) => format!("refused: {}", e.message(app::domain::Lang::En)),
                },
                growth_mb / file_mb.max(0.001)
            );
        }
        _ => eprintln!("usage: sheet_memory gen DIR | run FILE"),
    }
}
