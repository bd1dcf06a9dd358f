//! The booking race as a benchmark: the whole app on a fresh database,
//! `PEOPLE` signed-in citizens each with a pre-accepted case, all pressing
//! "book" on the same slot at once, round after round (a new slot each
//! round, the winners' bookings released in between). Reports winners per
//! round (must equal the seats), the losers' p50/p99 latency, requests per
//! second, and the same concurrency against a bare axum handler (this
//! machine's ceiling).
//!
//! `cargo run --release -p server --example booking_bench [-- PEOPLE SEATS ROUNDS]`
//! (default 1000 10 100) with `DATABASE_URL=postgres://…` for PostgreSQL
//! (default: a temporary SQLite file).

use app::services::Policy;
use onetrip_server::{open_database, router, AppState};
use std::time::{Duration, Instant};

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |i: usize, d: usize| args.get(i).and_then(|a| a.parse().ok()).unwrap_or(d);
    let (people, seats, rounds) = (arg(1, 1000), arg(2, 10), arg(3, 100));
    let dir = tempfile::tempdir().expect("temp dir");
    let url = std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}", dir.path().join("bench.db").display()));
    let db = open_database(&url).await.expect("database");
    let leptos = leptos::prelude::LeptosOptions::builder()
        .output_name("onetrip")
        .site_root("target/site")
        .site_pkg_dir("pkg")
        .build();
    let state = AppState::new(leptos, db.clone(), Policy::default(), vec![1u8; 32]);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let bare = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let bare_base = format!("http://{}", bare.local_addr().unwrap());
    let bare_app = axum::Router::new().route("/", axum::routing::post(|| async { "ok" }));
    tokio::spawn(async move { axum::serve(bare, bare_app).await.unwrap() });
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(people)
        .timeout(Duration::from_secs(120))
        .build()
        .unwrap();

    app::execute!(
        &db,
        "UPDATE site_services SET windows = $1 WHERE site_code = 'MAIN' AND matter_group = 'general'",
        seats as i64
    )
    .expect("seats");
    // People with sessions and pre-accepted cases, made directly.
    let now = app::db::now_ms();
    let run = uuid::Uuid::new_v4().simple().to_string();
    let mut who = Vec::new();
    for i in 0..people {
        let citizen = uuid::Uuid::new_v4().to_string();
        let (token, csrf) = (app::services::random_token(), app::services::random_token());
        let id = uuid::Uuid::new_v4().to_string();
        app::execute!(
            &db,
            "INSERT INTO citizens (id, mobile, created_at, last_sign_in_at) VALUES ($1, $2, $3, $3)",
            &citizen,
            format!("B{}{i:07}", &run[..8]),
            now
        )
        .expect("citizen");
        app::execute!(
            &db,
            "INSERT INTO sessions (token_hash, citizen_id, csrf_token, created_at, last_seen_at, expires_at)
             VALUES ($1, $2, $3, $4, $4, $5)",
            app::services::sha256_hex(&token),
            &citizen,
            &csrf,
            now,
            now + 86_400_000
        )
        .expect("session");
        app::execute!(
            &db,
            "INSERT INTO applications (id, filer_id, matter_code, status, receipt_no, draft, created_at,
                                       updated_at, submitted_at, stage, site_code)
             VALUES ($1, $2, 'TRANSFER-WITH-MORTGAGE', 'submitted', $3, '{}', $4, $4, $4, 'pre_accepted', 'MAIN')",
            &id,
            &citizen,
            format!("BENCH-{}-{i:06}", &run[..8]),
            now
        )
        .expect("application");
        who.push((format!("onetrip_session={token}"), csrf, id));
    }
    let opts: serde_json::Value = client
        .post(format!("{base}/api/bookings/options"))
        .header("cookie", &who[0].0)
        .form(&[("id", who[0].2.as_str())])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let slots: Vec<String> = opts["days"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|d| d["slots"].as_array().unwrap().iter())
        .map(|s| s["key"].as_str().unwrap().to_string())
        .take(rounds)
        .collect();
    if slots.len() < rounds {
        println!(
            "only {} open slots: running {} rounds",
            slots.len(),
            slots.len()
        );
    }

    let mut winners = Vec::new();
    let mut lost: Vec<Duration> = Vec::new();
    let mut requests = 0usize;
    let started = Instant::now();
    for slot in &slots {
        let results = futures::future::join_all(who.iter().map(|(cookie, csrf, id)| {
            let client = client.clone();
            let url = format!("{base}/api/bookings/book");
            let form = [
                ("id", id.clone()),
                ("site", "MAIN".to_string()),
                ("slot", slot.clone()),
                ("csrf", csrf.clone()),
            ];
            let cookie = cookie.clone();
            async move {
                let t = Instant::now();
                let res = client
                    .post(url)
                    .header("cookie", cookie)
                    .form(&form)
                    .send()
                    .await;
                let ok = matches!(&res, Ok(r) if r.status().is_success());
                (ok, t.elapsed())
            }
        }))
        .await;
        requests += results.len();
        winners.push(results.iter().filter(|(ok, _)| *ok).count());
        lost.extend(results.iter().filter(|(ok, _)| !*ok).map(|(_, d)| *d));
        app::execute!(
            &db,
            "UPDATE bookings SET status = 'cancelled' WHERE status = 'booked'"
        )
        .expect("release");
    }
    let elapsed = started.elapsed();
    lost.sort();
    let pct = |p: f64| {
        lost.get(((lost.len() as f64 * p).ceil() as usize).saturating_sub(1))
            .copied()
            .unwrap_or_default()
    };
    let exact = winners.iter().all(|w| *w == seats);
    println!(
        "{} rounds of {people} requests for {seats} seats ({}): winners per round {} (min {}, max {})",
        winners.len(),
        if url.starts_with("postgres") { "PostgreSQL" } else { "SQLite" },
        if exact { "always exact" } else { "NOT EXACT" },
        winners.iter().min().unwrap_or(&0),
        winners.iter().max().unwrap_or(&0),
    );
    let rps = requests as f64 / elapsed.as_secs_f64();
    println!(
        "booking: {rps:.0} requests/s; losers' latency p50 {:?}, p99 {:?}",
        pct(0.50),
        pct(0.99)
    );

    // The ceiling: the same bursts against a bare handler.
    let bare_rounds = 10.min(slots.len().max(1));
    let t = Instant::now();
    for _ in 0..bare_rounds {
        futures::future::join_all((0..people).map(|_| {
            let client = client.clone();
            let url = format!("{bare_base}/");
            async move { client.post(url).send().await.map(|r| r.status()) }
        }))
        .await;
    }
    let bare_rps = (bare_rounds * people) as f64 / t.elapsed().as_secs_f64();
    println!(
        "bare axum: {bare_rps:.0} requests/s; booking = {:.1}% of the ceiling",
        rps * 100.0 / bare_rps
    );
    if !exact {
        std::process::exit(1);
    }
}
