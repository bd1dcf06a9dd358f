//! Faults under load, against the release server as its own process:
//! - `pg`: PostgreSQL restarted, then stopped for 10 s, while citizens look
//!   up progress and submit;
//! - `disk`: the data directory on a small tmpfs (made here; needs root)
//!   filling up with phone photos, then room made again;
//! - `store`: the S3-compatible object store (the `s3_dev` example as its
//!   own process) killed for 8 s during uploads, then started again.
//!
//! Rules for every answer during a fault: a success, or 503/507 with
//! Retry-After — no other 5xx, no timeout, no panic; after the fault good
//! answers again within 5 s; no document without its whole content; every
//! acknowledged submit present. Prints each scenario's figures; exit status
//! 1 when a rule broke.
//!
//! `cargo run --release -p server --example faults -- [pg|disk|store]…`
//! (default: all three). `pg` needs `DATABASE_URL=postgres://…` (a server to
//! create a database on) and stops and starts it with `ONETRIP_PG_STOP` /
//! `ONETRIP_PG_START` (default `pg_ctlcluster 15 main stop -m fast` /
//! `… start`).

use app::db::Db;
use common::traffic::*;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

mod common;

/// One answer seen during a scenario.
#[derive(Clone, Debug)]
struct Seen {
    at: Instant,
    what: &'static str,
    status: u16,
    retry_after: bool,
    error: Option<String>,
}

type Log = Arc<Mutex<Vec<Seen>>>;

fn record(log: &Log, what: &'static str, res: &Result<reqwest::Response, reqwest::Error>) -> bool {
    let seen = match res {
        Ok(r) => Seen {
            at: Instant::now(),
            what,
            status: r.status().as_u16(),
            retry_after: r.headers().contains_key("retry-after"),
            error: None,
        },
        Err(e) => Seen {
            at: Instant::now(),
            what,
            status: 0,
            retry_after: false,
            error: Some(if e.is_timeout() {
                "timeout".into()
            } else {
                e.to_string()
            }),
        },
    };
    let ok = (200..400).contains(&seen.status);
    log.lock().unwrap().push(seen);
    ok
}

/// Broken rules among the answers.
fn broken(log: &Log) -> Vec<String> {
    log.lock()
        .unwrap()
        .iter()
        .filter(|s| {
            let fine = (200..500).contains(&s.status) && s.status != 500
                || (matches!(s.status, 503 | 507) && s.retry_after);
            !fine
        })
        .map(|s| format!("{}: HTTP {} {:?}", s.what, s.status, s.error))
        .collect()
}

/// Seconds from `from` to the first good answer of `what` after it.
fn recovery(log: &Log, what: &str, from: Instant) -> Option<f64> {
    log.lock()
        .unwrap()
        .iter()
        .filter(|s| s.what == what && s.at > from && (200..300).contains(&s.status))
        .map(|s| s.at.duration_since(from).as_secs_f64())
        .reduce(f64::min)
}

fn tally(log: &Log, from: Instant, to: Instant) -> String {
    let log = log.lock().unwrap();
    let within: Vec<_> = log.iter().filter(|s| s.at >= from && s.at <= to).collect();
    let count = |f: &dyn Fn(&Seen) -> bool| within.iter().filter(|s| f(s)).count();
    format!(
        "{} answers: {} good, {} 503 with Retry-After, {} 507 with Retry-After, {} other",
        within.len(),
        count(&|s| (200..300).contains(&s.status)),
        count(&|s| s.status == 503 && s.retry_after),
        count(&|s| s.status == 507 && s.retry_after),
        count(&|s| {
            !((200..300).contains(&s.status) || matches!(s.status, 503 | 507) && s.retry_after)
        }),
    )
}

struct Server {
    child: Child,
    base: String,
}

fn start(dir: &std::path::Path, url: &str, port: u16, extra: &[(&str, String)]) -> Server {
    let mut cmd = Command::new(
        std::env::var("ONETRIP_BIN").unwrap_or_else(|_| "target/release/onetrip".into()),
    );
    cmd.env("ONETRIP_DATA_DIR", dir)
        .env("DATABASE_URL", url)
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
        .env(
            "LEPTOS_SITE_ROOT",
            std::env::var("LEPTOS_SITE_ROOT").unwrap_or_else(|_| "target/site".into()),
        )
        .env("ONETRIP_DEV_OUTBOX", "1")
        .env("ONETRIP_TRUST_PROXY", "1")
        .env("RUST_LOG", "error")
        .stdout(if std::env::var_os("ONETRIP_FAULTS_VERBOSE").is_some() {
            Stdio::inherit()
        } else {
            Stdio::null()
        })
        .stderr(Stdio::inherit());
    for (k, v) in extra {
        cmd.env(k, v);
    }
    Server {
        child: cmd.spawn().expect("start the server"),
        base: format!("http://127.0.0.1:{port}"),
    }
}

async fn ready(client: &reqwest::Client, base: &str) {
    for _ in 0..500 {
        if matches!(client.get(format!("{base}/readyz")).send().await, Ok(r) if r.status().is_success())
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("{base} did not become ready");
}

async fn world(base: &str, db: &Db, client: &reqwest::Client) -> Arc<World> {
    Arc::new(World {
        base: base.to_string(),
        client: client.clone(),
        db: db.clone(),
        cases: Mutex::default(),
        bookers: Vec::new(),
        slots: Vec::new(),
        photo: photo(),
        next: std::sync::atomic::AtomicU64::new(u64::from(std::process::id()) * 7919 % 90_000_000),
    })
}

/// Traffic until `stop`: lookups of known cases, journeys (acknowledged
/// submits kept), uploads when asked.
fn traffic(
    w: &Arc<World>,
    log: &Log,
    stop: &Arc<AtomicBool>,
    uploads: bool,
) -> Vec<tokio::task::JoinHandle<()>> {
    let mut tasks = Vec::new();
    for i in 0..8 {
        let (w, log, stop) = (w.clone(), log.clone(), stop.clone());
        tasks.push(tokio::spawn(async move {
            let sink: Shared = Arc::default();
            while !stop.load(Ordering::SeqCst) {
                match (i, uploads) {
                    (0..=3, _) => {
                        let case = w.cases.lock().unwrap().last().cloned();
                        if let Some(c) = case {
                            let res = w
                                .client
                                .get(format!("{}/track?no={}&id={}", w.base, c.receipt, c.last6))
                                .header("x-forwarded-for", ip())
                                .send()
                                .await;
                            record(&log, "lookup", &res);
                        }
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                    (4..=5, true) => {
                        let before = sink.lock().unwrap().bad.len();
                        let done = w.upload(&sink).await.is_some();
                        let status = if done {
                            204
                        } else {
                            let s = sink.lock().unwrap();
                            s.bad[before..]
                                .first()
                                .and_then(|b| b.split("HTTP ").nth(1))
                                .and_then(|c| c.get(..3))
                                .and_then(|c| c.parse().ok())
                                .unwrap_or(503)
                        };
                        log.lock().unwrap().push(Seen {
                            at: Instant::now(),
                            what: "upload",
                            status,
                            retry_after: true,
                            error: None,
                        });
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                    _ => {
                        let done = w.journey(&sink, false).await.is_some();
                        log.lock().unwrap().push(Seen {
                            at: Instant::now(),
                            what: "journey",
                            status: if done { 200 } else { 503 },
                            retry_after: true,
                            error: None,
                        });
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                }
            }
            // Answers that broke a rule inside the journeys and uploads.
            for b in sink.lock().unwrap().bad.iter() {
                let code: u16 = b
                    .split("HTTP ")
                    .nth(1)
                    .and_then(|c| c.get(..3))
                    .and_then(|c| c.parse().ok())
                    .unwrap_or(0);
                if !matches!(code, 503 | 507 | 429) {
                    log.lock().unwrap().push(Seen {
                        at: Instant::now(),
                        what: "inside a journey",
                        status: code,
                        retry_after: false,
                        error: Some(b.clone()),
                    });
                }
            }
        }));
    }
    tasks
}

/// Every acknowledged submit is there with its parties.
async fn submits_kept(w: &World, db: &Db) -> usize {
    let cases = w.cases.lock().unwrap().clone();
    let mut lost = 0;
    for c in &cases {
        let n: i64 = app::fetch_optional!(
            db,
            (i64,),
            "SELECT COUNT(*) FROM application_parties WHERE application_id = $1",
            &c.id
        )
        .ok()
        .flatten()
        .map(|r| r.0)
        .unwrap_or(0);
        if n != 4 {
            lost += 1;
        }
    }
    lost
}

fn sh(cmd: &str) -> bool {
    Command::new("sh")
        .args(["-c", cmd])
        .status()
        .is_ok_and(|s| s.success())
}

async fn pg(client: &reqwest::Client) -> Vec<String> {
    let Ok(admin) = std::env::var("DATABASE_URL") else {
        println!("pg: skipped (DATABASE_URL=postgres://… not set)");
        return Vec::new();
    };
    let stop_cmd = std::env::var("ONETRIP_PG_STOP")
        .unwrap_or_else(|_| "pg_ctlcluster 15 main stop -m fast".into());
    let start_cmd =
        std::env::var("ONETRIP_PG_START").unwrap_or_else(|_| "pg_ctlcluster 15 main start".into());
    let name = format!(
        "onetrip_faults_{}",
        &uuid::Uuid::new_v4().simple().to_string()[..8]
    );
    assert!(
        sh(&format!("psql '{admin}' -qc 'CREATE DATABASE {name}'")),
        "CREATE DATABASE"
    );
    let (head, _) = admin.rsplit_once('/').expect("postgres://…/db");
    let url = format!("{head}/{name}");
    let dir = tempfile::tempdir().unwrap();
    let mut server = start(dir.path(), &url, 3931, &[]);
    ready(client, &server.base).await;
    let db = Db::open(&url).await.expect("database");
    let w = world(&server.base, &db, client).await;
    let sink: Shared = Arc::default();
    for _ in 0..5 {
        w.journey(&sink, false).await;
    }
    let (log, stop): (Log, _) = (Arc::default(), Arc::new(AtomicBool::new(false)));
    let tasks = traffic(&w, &log, &stop, false);
    tokio::time::sleep(Duration::from_secs(3)).await;
    // A restart.
    let t0 = Instant::now();
    assert!(
        sh(&format!("{stop_cmd} && {start_cmd}")),
        "restart PostgreSQL"
    );
    let back1 = Instant::now();
    tokio::time::sleep(Duration::from_secs(6)).await;
    // Stopped for 10 s.
    assert!(sh(&stop_cmd), "stop PostgreSQL");
    let t1 = Instant::now();
    tokio::time::sleep(Duration::from_secs(10)).await;
    let starting = Instant::now();
    assert!(sh(&start_cmd), "start PostgreSQL");
    let back2 = Instant::now();
    tokio::time::sleep(Duration::from_secs(8)).await;
    stop.store(true, Ordering::SeqCst);
    for t in tasks {
        let _ = t.await;
    }
    let mut bad = broken(&log);
    let r1 = recovery(&log, "lookup", back1);
    let r2 = recovery(&log, "lookup", back2);
    println!(
        "pg restart ({:.1} s): {}; good lookups again {:.2} s after it was back",
        back1.duration_since(t0).as_secs_f64(),
        tally(&log, t0, back1 + Duration::from_secs(1)),
        r1.unwrap_or(f64::NAN)
    );
    println!(
        "pg stopped 10 s: {}; good lookups again {:.2} s after the start",
        tally(&log, t1, starting),
        r2.unwrap_or(f64::NAN)
    );
    for (what, r) in [("restart", r1), ("stop", r2)] {
        if r.is_none_or(|r| r > 5.0) {
            bad.push(format!(
                "pg {what}: no good answer within 5 s of recovery ({r:?})"
            ));
        }
    }
    let lost = submits_kept(&w, &db).await;
    println!(
        "pg: {} submits acknowledged, {lost} missing",
        w.cases.lock().unwrap().len()
    );
    if lost > 0 {
        bad.push(format!("pg: {lost} acknowledged submits missing"));
    }
    let _ = server.child.kill();
    let _ = server.child.wait();
    db.close().await;
    sh(&format!("psql '{admin}' -qc 'DROP DATABASE {name}'"));
    bad
}

/// Every document's content is whole where the store keeps it.
fn documents_whole(rows: &[(String, i64)], root: &std::path::Path) -> usize {
    use sha2::Digest as _;
    rows.iter()
        .filter(|(sha, size)| {
            let p = root.join(&sha[..2]).join(&sha[2..4]).join(sha);
            !std::fs::read(&p).is_ok_and(|b| {
                b.len() as i64 == *size && hex::encode(sha2::Sha256::digest(&b)) == *sha
            })
        })
        .count()
}

async fn disk(client: &reqwest::Client) -> Vec<String> {
    let mount = tempfile::tempdir().unwrap();
    if !sh(&format!(
        "mount -t tmpfs -o size=48m onetrip-faults '{}'",
        mount.path().display()
    )) {
        println!("disk: skipped (mounting a tmpfs needs root)");
        return Vec::new();
    }
    let dir = mount.path().to_path_buf();
    let url = format!("sqlite://{}", dir.join("onetrip.db").display());
    let mut server = start(&dir, &url, 3932, &[]);
    ready(client, &server.base).await;
    let db = Db::open(&url).await.expect("database");
    let w = world(&server.base, &db, client).await;
    let sink: Shared = Arc::default();
    for _ in 0..3 {
        w.journey(&sink, false).await;
    }
    // Room held back, given again once the disk has filled.
    let filler = dir.join("filler");
    sh(&format!(
        "dd if=/dev/zero of='{}' bs=1M count=6 status=none",
        filler.display()
    ));
    let (log, stop): (Log, _) = (Arc::default(), Arc::new(AtomicBool::new(false)));
    let tasks = traffic(&w, &log, &stop, true);
    let t0 = Instant::now();
    // Until uploads are refused for a full disk (at most 60 s).
    let full_at = loop {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let full = log.lock().unwrap().iter().any(|s| s.status == 507);
        if full || t0.elapsed() > Duration::from_secs(60) {
            break Instant::now();
        }
    };
    tokio::time::sleep(Duration::from_secs(3)).await;
    let _ = std::fs::remove_file(&filler);
    let freed = Instant::now();
    tokio::time::sleep(Duration::from_secs(6)).await;
    stop.store(true, Ordering::SeqCst);
    for t in tasks {
        let _ = t.await;
    }
    let mut bad = broken(&log);
    let saw_full = log.lock().unwrap().iter().any(|s| s.status == 507);
    let r = recovery(&log, "upload", freed);
    println!(
        "disk full after {:.1} s: {}; good uploads again {:.2} s after room was made",
        full_at.duration_since(t0).as_secs_f64(),
        tally(&log, full_at, freed),
        r.unwrap_or(f64::NAN)
    );
    if !saw_full {
        bad.push("disk: the disk never filled (no 507)".into());
    }
    if r.is_none_or(|r| r > 5.0) {
        bad.push(format!("disk: no good upload within 5 s of room ({r:?})"));
    }
    let rows: Vec<(String, i64)> =
        app::fetch_all!(&db, (String, i64), "SELECT sha256, size FROM documents")
            .unwrap_or_default();
    let partial = documents_whole(&rows, &dir.join("documents"));
    println!(
        "disk: {} documents, {partial} without their whole content",
        rows.len()
    );
    if partial > 0 {
        bad.push(format!(
            "disk: {partial} documents without their whole content"
        ));
    }
    let _ = server.child.kill();
    let _ = server.child.wait();
    db.close().await;
    sh(&format!("umount '{}'", mount.path().display()));
    bad
}

async fn store(client: &reqwest::Client) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let s3_root = dir.path().join("s3");
    let s3_bin = std::env::var("ONETRIP_S3_DEV_BIN")
        .unwrap_or_else(|_| "target/release/examples/s3_dev".into());
    let s3 = |root: &std::path::Path| {
        Command::new(&s3_bin)
            .args(["127.0.0.1:3934", &root.display().to_string(), "onetrip"])
            .stdout(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("run {s3_bin}: {e}"))
    };
    let mut s3_child = s3(&s3_root);
    let url = format!("sqlite://{}", dir.path().join("onetrip.db").display());
    let env = [
        ("ONETRIP_STORE", "s3://onetrip".to_string()),
        ("AWS_ENDPOINT", "http://127.0.0.1:3934".to_string()),
        ("AWS_ALLOW_HTTP", "true".to_string()),
        ("AWS_ACCESS_KEY_ID", "dev-key".to_string()),
        ("AWS_SECRET_ACCESS_KEY", "dev-secret".to_string()),
        ("AWS_REGION", "us-east-1".to_string()),
        ("AWS_VIRTUAL_HOSTED_STYLE_REQUEST", "false".to_string()),
    ];
    let mut server = start(dir.path(), &url, 3933, &env);
    ready(client, &server.base).await;
    let db = Db::open(&url).await.expect("database");
    let w = world(&server.base, &db, client).await;
    let sink: Shared = Arc::default();
    for _ in 0..3 {
        w.journey(&sink, false).await;
    }
    let (log, stop): (Log, _) = (Arc::default(), Arc::new(AtomicBool::new(false)));
    let tasks = traffic(&w, &log, &stop, true);
    tokio::time::sleep(Duration::from_secs(4)).await;
    let _ = s3_child.kill();
    let _ = s3_child.wait();
    let down = Instant::now();
    tokio::time::sleep(Duration::from_secs(8)).await;
    s3_child = s3(&s3_root);
    let back = Instant::now();
    tokio::time::sleep(Duration::from_secs(8)).await;
    stop.store(true, Ordering::SeqCst);
    for t in tasks {
        let _ = t.await;
    }
    let mut bad = broken(&log);
    let r = recovery(&log, "upload", back);
    println!(
        "object store down 8 s: {}; good uploads again {:.2} s after it was back",
        tally(&log, down, back),
        r.unwrap_or(f64::NAN)
    );
    if r.is_none_or(|r| r > 5.0) {
        bad.push(format!(
            "store: no good upload within 5 s of its return ({r:?})"
        ));
    }
    let rows: Vec<(String, i64)> =
        app::fetch_all!(&db, (String, i64), "SELECT sha256, size FROM documents")
            .unwrap_or_default();
    let partial = documents_whole(&rows, &s3_root.join("onetrip"));
    println!(
        "store: {} documents, {partial} without their whole content in the store",
        rows.len()
    );
    if partial > 0 {
        bad.push(format!(
            "store: {partial} documents without their whole content"
        ));
    }
    let _ = server.child.kill();
    let _ = server.child.wait();
    let _ = s3_child.kill();
    let _ = s3_child.wait();
    db.close().await;
    bad
}

#[tokio::main]
async fn main() {
    let mut which: Vec<String> = std::env::args().skip(1).collect();
    if which.is_empty() {
        which = vec!["pg".into(), "disk".into(), "store".into()];
    }
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap();
    let mut bad = Vec::new();
    for w in &which {
        bad.extend(match w.as_str() {
            "pg" => pg(&client).await,
            "disk" => disk(&client).await,
            "store" => store(&client).await,
            other => vec![format!("no scenario {other}")],
        });
    }
    if bad.is_empty() {
        println!("faults: every answer a success or 503/507 with Retry-After; recovered within 5 s; nothing lost");
    } else {
        for b in bad.iter().take(20) {
            println!("  ! {b}");
        }
        println!("faults: {} rules broken", bad.len());
        std::process::exit(1);
    }
}
