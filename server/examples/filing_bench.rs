//! Bulk filings as a benchmark: `ROWS` dual-notice rows as a CSV or an
//! XLSX file, taken in and checked by the filing worker's own code path
//! (`filings::process`: read, decode, every cell and cross-row rule, the
//! natural-key upserts in chunks with progress) on a fresh database whose
//! project holds those units; next to the machine's ceiling, a raw batch
//! insert of the same rows into a bare SQLite table in one transaction
//! (1,000 rows to a statement).
//! Reports rows/s, end-to-end seconds and the process's memory growth
//! (peak RSS over the RSS before the run), so run one format per process.
//!
//! `cargo run --release -p server --example filing_bench -- ROWS csv|xlsx`
//! (default 10000 csv) with `DATABASE_URL=postgres://…` for PostgreSQL
//! (default: a temporary SQLite file).

use app::db::{self, FilingUpload};
use app::domain::filing::FilingKind;
use onetrip_server::filings::{process, sheet};
use std::time::Instant;

mod common;

fn memory_kb(field: &str) -> u64 {
    common::memory_kb("self", field)
}

fn resident_id(seq: u32) -> String {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let body = format!("33020319850101{:03}", seq % 1000);
    let sum: u32 = body
        .chars()
        .zip(W)
        .map(|(c, w)| c.to_digit(10).unwrap() * w)
        .sum();
    format!(
        "{body}{}",
        "10X98765432".chars().nth((sum % 11) as usize).unwrap()
    )
}

fn unit(n: u32) -> String {
    format!(
        "320684413219GB{:05}F{:04}{:04}",
        100 + n / 10_000_000,
        1 + n / 10_000,
        n % 10_000
    )
}

fn row(n: u32) -> Vec<String> {
    vec![
        unit(n),
        format!("买受人{n}"),
        resident_id(n),
        format!("137{:08}", n),
        format!("YS2026-{n:07}"),
        format!("{}", 1_000_000 + n % 1000 * 1000),
        "600000".into(),
        "91350100M000100Y43".into(),
        format!("JK-{n}"),
    ]
}

fn file(rows: u32, xlsx: bool) -> Vec<u8> {
    let headers: Vec<&str> = FilingKind::DualNotice
        .columns()
        .iter()
        .map(|c| c.header)
        .collect();
    if xlsx {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        for (c, h) in headers.iter().enumerate() {
            ws.write_string(0, c as u16, *h).unwrap();
        }
        for n in 1..=rows {
            for (c, v) in row(n).iter().enumerate() {
                ws.write_string(n, c as u16, v).unwrap();
            }
        }
        wb.save_to_buffer().unwrap()
    } else {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(&headers).unwrap();
        for n in 1..=rows {
            w.write_record(row(n)).unwrap();
        }
        w.into_inner().unwrap()
    }
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let rows: u32 = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let xlsx = args.get(2).is_some_and(|a| a == "xlsx");
    let dir = tempfile::tempdir().expect("temp dir");
    let url = std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}", dir.path().join("bench.db").display()));
    let db = onetrip_server::open_database(&url).await.expect("database");

    // An organisation, a project holding the units, a draft batch.
    let org = db::OrgRow {
        id: uuid::Uuid::new_v4().to_string(),
        credit_code: format!("91330200MA2{:06}X", rows % 1_000_000),
        name: "基准置业".into(),
        contact_name: "基准".into(),
        contact_mobile: format!("139{:08}", rows),
        status: "verified".into(),
        reject_reason: String::new(),
        created_at: db::now_ms(),
        kind: "developer".into(),
    };
    let member = uuid::Uuid::new_v4().to_string();
    db::insert_org(&db, &org, &member, "x")
        .await
        .unwrap()
        .unwrap();
    let project = db::ProjectRow {
        id: uuid::Uuid::new_v4().to_string(),
        org_id: org.id.clone(),
        name: "基准项目".into(),
        site_code: "MAIN".into(),
        address: "基准路 1 号".into(),
        created_at: db::now_ms(),
    };
    assert!(db::insert_project(&db, &project).await.unwrap());
    let mut tx = db.begin_write().await.unwrap();
    for n in 1..=rows {
        db::upsert_unit(&mut tx, &project.id, "1号楼", &unit(n), 1, 8950, "住宅")
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    let batch = db::BatchRow {
        id: uuid::Uuid::new_v4().to_string(),
        org_id: org.id.clone(),
        project_id: project.id.clone(),
        kind: "dual_notice".into(),
        status: "draft".into(),
        batch_no: "PLBENCH".into(),
        created_at: db::now_ms(),
        updated_at: db::now_ms(),
        submitted_at: None,
    };
    db::insert_batch(&db, &batch, &member, None).await.unwrap();

    let content = file(rows, xlsx);
    let format = if xlsx { "xlsx" } else { "csv" };
    let rss_before = memory_kb("VmRSS:");
    let started = Instant::now();
    // Taken in: read through once to refuse bad files (as the upload route does)...
    let limits = sheet::Limits {
        max_rows: usize::MAX,
        max_bytes: usize::MAX,
    };
    let (_, _, counted) = sheet::survey(&content, limits).expect("a good sheet");
    assert_eq!(counted, rows as usize);
    let read_secs = started.elapsed().as_secs_f64();
    let upload = FilingUpload {
        id: uuid::Uuid::new_v4().to_string(),
        org_id: org.id.clone(),
        batch_id: Some(batch.id.clone()),
        project_id: project.id.clone(),
        purpose: "batch".into(),
        file_name: format!("bench.{format}"),
        format: format.into(),
        status: "checking".into(),
        total_rows: rows as i64,
        checked_rows: 0,
        accepted_rows: 0,
        failed_rows: 0,
        created_at: db::now_ms(),
        finished_at: None,
    };
    db::insert_upload(&db, &upload, &content, &member, None)
        .await
        .unwrap();
    // ...then checked and stored by the worker's code.
    process(&db, &upload, &content).await.expect("processed");
    let total = started.elapsed().as_secs_f64();
    let peak = memory_kb("VmHWM:");
    let lines = db::lines_of(&db, &batch.id).await.unwrap().len();
    assert_eq!(lines, rows as usize, "every row stored");

    // The ceiling: the same rows into a bare SQLite table, one transaction,
    // a thousand rows to a prepared statement (a raw batch insert).
    let raw_dir = tempfile::tempdir().unwrap();
    let raw = db::Db::open(&format!(
        "sqlite://{}",
        raw_dir.path().join("raw.db").display()
    ))
    .await
    .unwrap();
    let db::Db::Sqlite(pool) = &raw else {
        unreachable!()
    };
    sqlx::query("CREATE TABLE raw (unit_no TEXT NOT NULL, contract_no TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (unit_no, contract_no))")
        .execute(pool)
        .await
        .unwrap();
    let raw_rows: Vec<Vec<String>> = (1..=rows).map(row).collect();
    let raw_started = Instant::now();
    let mut t = pool.begin().await.unwrap();
    for part in raw_rows.chunks(1000) {
        // Anonymous placeholders: SQLite looks numbered ones up by name.
        let values: Vec<&str> = part.iter().map(|_| "(?, ?, ?)").collect();
        let sql = format!(
            "INSERT INTO raw (unit_no, contract_no, data) VALUES {}",
            values.join(", ")
        );
        let mut q = sqlx::query(&sql);
        for r in part {
            q = q.bind(&r[0]).bind(&r[4]).bind(r.join(","));
        }
        q.execute(&mut *t).await.unwrap();
    }
    t.commit().await.unwrap();
    let raw_secs = raw_started.elapsed().as_secs_f64();

    println!(
        "{} {rows} rows ({} KB {format}) on {}: read {:.2} s; end to end {:.2} s = {:.0} rows/s; memory growth {} MB",
        format.to_uppercase(),
        content.len() / 1024,
        db.backend().name(),
        read_secs,
        total,
        rows as f64 / total,
        peak.saturating_sub(rss_before) / 1024
    );
    println!(
        "raw SQLite batch insert of the same rows (one transaction, 1,000 rows a statement): {:.2} s = {:.0} rows/s; OneTrip takes {:.1}× as long",
        raw_secs,
        rows as f64 / raw_secs,
        total / raw_secs
    );
}
