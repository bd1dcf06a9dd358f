//! Citizen traffic against the release server, to the breaking point.
//!
//! Simulated users, each looping: pick an action by weight — 70 % a
//! progress lookup (`GET /track?no=…&id=…`), 20 % the pre-application
//! journey (a code requested, read from the outbox, verified; the wizard's
//! steps; submit), 8 % a booking (options, book, cancel again when won),
//! 2 % a phone photo uploaded (tus, a real 1–2 MB JPEG) — then think
//! 0.5–1.5 s. Every action is a different citizen from a different address
//! (`X-Forwarded-For`; the server trusts one proxy), as behind a balancer.
//!
//! The ramp doubles users stage by stage until the p99 of lookups or
//! submits passes 200 ms or an unexpected answer appears; the last stage
//! within both is the sustained load. Then a spike of 5× that many users:
//! every answer must be a success, or a 429/503 with Retry-After — no
//! timeout, no other 5xx — and afterwards every acknowledged submit must be
//! there, with its parties and timeline. The same users against a bare axum
//! handler give this machine's ceiling, in the same run.
//!
//! `cargo run --release -p server --example load -- [--short] [--target URL]`
//! Without `--target` it starts `target/release/onetrip` (or `ONETRIP_BIN`)
//! on a fresh data directory (SQLite) or, with `DATABASE_URL=postgres://…`,
//! on a fresh database on that server. With `--target` it needs
//! `DATABASE_URL` naming the target's database (bookable cases are made
//! there, and sign-in codes read from the outbox, as a phone would get them).
//! Exit status 1 when the spike broke a rule or a submit was lost.
//! `--seed` only submits the cases and prints them (`case RECEIPT LAST6`).

use app::db::Db;
use common::traffic::*;
use futures::StreamExt as _;
use rand::Rng as _;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

mod common;

/// Run `users` users for `secs`; the stage's statistics.
async fn stage(world: Arc<World>, users: usize, secs: u64) -> Stats {
    let stats: Shared = Arc::default();
    let until = Instant::now() + Duration::from_secs(secs);
    let tasks: Vec<_> = (0..users)
        .map(|i| {
            let (world, stats) = (world.clone(), stats.clone());
            tokio::spawn(async move {
                // Users arrive spread over the first second.
                tokio::time::sleep(Duration::from_millis((i as u64 * 1000) / users as u64)).await;
                while Instant::now() < until {
                    let roll = rand::thread_rng().gen_range(0..100);
                    match roll {
                        0..=69 => world.lookup(&stats).await,
                        70..=89 => {
                            world.journey(&stats, true).await;
                        }
                        90..=97 => {
                            world.booking(&stats).await;
                        }
                        _ => {
                            world.upload(&stats).await;
                        }
                    }
                    let ms = rand::thread_rng().gen_range(500..1500);
                    tokio::time::sleep(Duration::from_millis(ms)).await;
                }
            })
        })
        .collect();
    for t in tasks {
        let _ = t.await;
    }
    Arc::try_unwrap(stats)
        .ok()
        .map(|m| m.into_inner().unwrap())
        .unwrap_or_default()
}

fn report(title: &str, users: usize, secs: f64, s: &Stats) {
    println!(
        "{title}: {users} users, {:.0} requests/s ({} requests; {} fine, {} 429, {} 503, {} broke a rule)",
        s.requests as f64 / secs,
        s.requests,
        s.ok,
        s.limited,
        s.unavailable,
        s.bad.len()
    );
    if s.gateway > 0 {
        println!(
            "    {} answers from the balancer while a replica died (502/504 or a dropped connection: the client retries)",
            s.gateway
        );
    }
    let mut kinds: Vec<_> = s.lat.keys().copied().collect();
    kinds.sort();
    for k in kinds {
        println!(
            "    {:<24} {:>6} × p50 {:>7.1} ms  p99 {:>7.1} ms",
            k.name(),
            s.lat[&k].len(),
            s.p(k, 0.5).unwrap_or_default().as_secs_f64() * 1000.0,
            s.p(k, 0.99).unwrap_or_default().as_secs_f64() * 1000.0
        );
    }
    for b in s.bad.iter().take(5) {
        println!("    ! {b}");
    }
}

/// The same users against a bare axum handler: this machine's ceiling.
async fn bare(users: usize, secs: u64) -> (f64, Duration, Duration) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = axum::Router::new().route("/track", axum::routing::get(|| async { "ok" }));
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let client = reqwest::Client::new();
    let lat: Arc<Mutex<Vec<Duration>>> = Arc::default();
    let until = Instant::now() + Duration::from_secs(secs);
    let tasks: Vec<_> = (0..users)
        .map(|_| {
            let (client, base, lat) = (client.clone(), base.clone(), lat.clone());
            tokio::spawn(async move {
                while Instant::now() < until {
                    let t = Instant::now();
                    let _ = client.get(format!("{base}/track?no=x&id=y")).send().await;
                    lat.lock().unwrap().push(t.elapsed());
                    let ms = rand::thread_rng().gen_range(500..1500);
                    tokio::time::sleep(Duration::from_millis(ms)).await;
                }
            })
        })
        .collect();
    for t in tasks {
        let _ = t.await;
    }
    server.abort();
    let mut v = Arc::try_unwrap(lat).unwrap().into_inner().unwrap();
    v.sort();
    let p = |q: f64| {
        v.get(((v.len() as f64 * q).ceil() as usize).saturating_sub(1))
            .copied()
            .unwrap_or_default()
    };
    (v.len() as f64 / secs as f64, p(0.5), p(0.99))
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let short = args.iter().any(|a| a == "--short");
    let target = args
        .iter()
        .position(|a| a == "--target")
        .and_then(|i| args.get(i + 1))
        .cloned();
    let secs: u64 = if short { 4 } else { 20 };
    let spike_secs: u64 = if short { 6 } else { 60 };
    let stages: &[usize] = if short {
        &[20, 60]
    } else {
        &[50, 100, 200, 300, 400, 500, 600, 800, 1000, 1300, 1600]
    };

    // The server: the one named, or the release build on fresh data.
    let dir = tempfile::tempdir_in(std::env::var("TMPDIR").unwrap_or_else(|_| "/tmp".into()))
        .expect("temp dir");
    let mut child = None;
    let (base, db_url) = match &target {
        Some(t) => (
            t.trim_end_matches('/').to_string(),
            std::env::var("DATABASE_URL")
                .expect("--target needs DATABASE_URL (the target's database)"),
        ),
        None => {
            let url = match std::env::var("DATABASE_URL") {
                Ok(admin) if admin.starts_with("postgres") => {
                    let name = format!(
                        "onetrip_load_{}",
                        &uuid::Uuid::new_v4().simple().to_string()[..8]
                    );
                    let status = Command::new("psql")
                        .args([&admin, "-qc", &format!("CREATE DATABASE {name}")])
                        .status()
                        .expect("psql");
                    assert!(status.success(), "CREATE DATABASE");
                    let (head, _) = admin.rsplit_once('/').expect("postgres://…/db");
                    format!("{head}/{name}")
                }
                _ => format!("sqlite://{}", dir.path().join("onetrip.db").display()),
            };
            let port = 3950 + (std::process::id() % 40) as u16;
            let bin =
                std::env::var("ONETRIP_BIN").unwrap_or_else(|_| "target/release/onetrip".into());
            let c = Command::new(&bin)
                .env("ONETRIP_DATA_DIR", dir.path())
                .env("DATABASE_URL", &url)
                .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
                .env(
                    "LEPTOS_SITE_ROOT",
                    std::env::var("LEPTOS_SITE_ROOT").unwrap_or_else(|_| "target/site".into()),
                )
                .env("ONETRIP_DEV_OUTBOX", "1")
                .env("ONETRIP_TRUST_PROXY", "1")
                .env("RUST_LOG", "warn")
                .stdout(Stdio::null())
                .spawn()
                .unwrap_or_else(|e| panic!("run {bin} (build it first: make load does): {e}"));
            child = Some(c);
            (format!("http://127.0.0.1:{port}"), url)
        }
    };
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(2000)
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let mut up = false;
    for _ in 0..300 {
        if matches!(client.get(format!("{base}/healthz")).send().await, Ok(r) if r.status().is_success())
        {
            up = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(up, "the server at {base} did not become ready");
    let db = Db::open(&db_url).await.expect("the target's database");
    let backend = db.backend().name();
    println!(
        "load against {base} ({backend}), {} cores",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    );

    let warm = Arc::new(World {
        base: base.clone(),
        client: client.clone(),
        db: db.clone(),
        cases: Mutex::default(),
        bookers: bookers(&db, 200).await,
        slots: Vec::new(),
        photo: photo(),
        next: std::sync::atomic::AtomicU64::new(
            u64::from(std::process::id()) * 1_000_000 % 90_000_000,
        ),
    });
    // Cases to look up: real submits through the journey.
    let seeded: Shared = Arc::default();
    futures::stream::iter(0..40)
        .for_each_concurrent(8, |_| {
            let (w, s) = (warm.clone(), seeded.clone());
            async move {
                w.journey(&s, false).await;
            }
        })
        .await;
    let seeded_cases = warm.cases.lock().unwrap().len();
    // `--seed`: only the cases, one `receipt last-six` line each (for wrk).
    if args.iter().any(|a| a == "--seed") {
        for c in warm.cases.lock().unwrap().iter() {
            println!("case {} {}", c.receipt, c.last6);
        }
        return;
    }
    assert!(
        seeded_cases > 0,
        "no journey could submit: {:?}",
        seeded.lock().unwrap().bad
    );
    let opts: serde_json::Value = client
        .post(format!("{base}/api/bookings/options"))
        .header("cookie", &warm.bookers[0].0)
        .form(&[("id", warm.bookers[0].2.as_str())])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap_or_default();
    let slots: Vec<String> = opts["days"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|d| d["slots"].as_array().into_iter().flatten())
        .filter_map(|s| s["key"].as_str().map(String::from))
        .take(40)
        .collect();
    let world = Arc::new(World {
        base: base.clone(),
        client: client.clone(),
        db: db.clone(),
        cases: Mutex::new(warm.cases.lock().unwrap().clone()),
        bookers: warm.bookers.clone(),
        slots,
        photo: warm.photo.clone(),
        next: std::sync::atomic::AtomicU64::new(
            warm.next.load(std::sync::atomic::Ordering::SeqCst),
        ),
    });
    println!(
        "{seeded_cases} cases submitted to look up; {} bookable slots",
        world.slots.len()
    );

    // The ramp.
    let mut sustained = 0usize;
    for &users in stages {
        let t = Instant::now();
        let s = stage(world.clone(), users, secs).await;
        report("stage", users, t.elapsed().as_secs_f64(), &s);
        let slow = [Kind::Lookup, Kind::Submit].iter().any(|k| {
            s.p(*k, 0.99)
                .is_some_and(|p| p > Duration::from_millis(200))
        });
        if slow || !s.bad.is_empty() || s.unavailable > 0 {
            println!(
                "    breaking point: {}",
                if slow { "p99 over 200 ms" } else { "errors" }
            );
            break;
        }
        sustained = users;
    }
    println!(
        "sustained: {sustained} users with lookups' and submits' p99 under 200 ms and no errors"
    );
    let (bare_rps, b50, b99) = bare(sustained.max(stages[0]), secs).await;
    println!(
        "bare axum, the same {} users: {bare_rps:.0} requests/s, p50 {:.1} ms, p99 {:.1} ms",
        sustained.max(stages[0]),
        b50.as_secs_f64() * 1000.0,
        b99.as_secs_f64() * 1000.0
    );

    // The spike: five times the sustained users.
    let before = world.cases.lock().unwrap().len();
    let spike_users = 5 * sustained.max(stages[0]);
    let t = Instant::now();
    let s = stage(world.clone(), spike_users, spike_secs).await;
    report("spike", spike_users, t.elapsed().as_secs_f64(), &s);
    let acknowledged: Vec<Case> = world.cases.lock().unwrap().clone();
    println!(
        "    {} submits acknowledged during the run ({} in the spike)",
        acknowledged.len(),
        acknowledged.len() - before
    );

    // Nothing acknowledged is lost: each case, its parties and timeline.
    let mut lost = Vec::new();
    for c in &acknowledged {
        let row: Option<(String, i64, i64)> = app::fetch_optional!(
            &db,
            (String, i64, i64),
            "SELECT a.status,
                    (SELECT COUNT(*) FROM application_parties p WHERE p.application_id = a.id),
                    (SELECT COUNT(*) FROM application_events e WHERE e.application_id = a.id)
               FROM applications a WHERE a.id = $1",
            &c.id
        )
        .ok()
        .flatten();
        match row {
            Some((status, parties, events)) if status != "draft" && parties >= 4 && events >= 1 => {
            }
            other => lost.push(format!("{} ({}): {other:?}", c.receipt, c.cookie.len())),
        }
    }
    let broke = !s.bad.is_empty() || !lost.is_empty();
    println!(
        "spike: {} — {} answers broke a rule, {} acknowledged submits missing or incomplete",
        if broke { "FAILED" } else { "passed" },
        s.bad.len(),
        lost.len()
    );
    for l in lost.iter().take(5) {
        println!("    lost: {l}");
    }
    if let Some(mut c) = child {
        println!(
            "server memory: {} kB now, {} kB at its peak",
            common::memory_kb(&c.id().to_string(), "VmRSS:"),
            common::memory_kb(&c.id().to_string(), "VmHWM:")
        );
        let _ = c.kill();
        let _ = c.wait();
    }
    if broke {
        std::process::exit(1);
    }
}
