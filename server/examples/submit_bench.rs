//! Submit throughput: the whole app on a fresh database, driven over HTTP by
//! a concurrent client in the same process (as a load tool would), against
//! this machine's ceiling measured the same way (a bare axum handler).
//!
//! `cargo run --release -p server --example submit_bench [-- N CONCURRENCY]`
//! with `DATABASE_URL=postgres://…` for PostgreSQL (default: a temporary
//! SQLite file). Prints submits per second for first submissions (each one
//! flips a draft, writes parties, the timeline event and the receipt SMS in one
//! transaction), for repeated submissions (the idempotent path), and the ratio
//! of each to the bare-axum ceiling.

use app::services::Policy;
use futures::stream::{self, StreamExt};
use onetrip_server::{open_database, router, AppState};
use std::time::Instant;

const MOBILE: &str = "13800138001";

async fn post(
    client: &reqwest::Client,
    base: &str,
    cookie: &str,
    ep: &str,
    form: &[(String, String)],
) -> reqwest::Response {
    client
        .post(format!("{base}/api/{ep}"))
        .header("cookie", cookie)
        .form(form)
        .send()
        .await
        .expect("request")
}

fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(1000);
    let conc: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(16);
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

    // The ceiling: a bare axum handler served and driven the same way.
    let bare = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let bare_base = format!("http://{}", bare.local_addr().unwrap());
    let bare_app = axum::Router::new().route("/", axum::routing::post(|| async { "ok" }));
    tokio::spawn(async move { axum::serve(bare, bare_app).await.unwrap() });

    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(conc)
        .build()
        .unwrap();

    // Sign in once (code read from the outbox table).
    let res = post(
        &client,
        &base,
        "",
        "auth/request_code",
        &pairs(&[("mobile", MOBILE)]),
    )
    .await;
    let challenge: String = res.json().await.unwrap();
    let code = app::db::recent_messages(&db, 1).await.unwrap()[0].params()["code"]
        .as_str()
        .unwrap()
        .to_string();
    let res = post(
        &client,
        &base,
        "",
        "auth/verify_code",
        &pairs(&[("c", &challenge), ("code", &code)]),
    )
    .await;
    let cookie = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("onetrip_session="))
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let me: serde_json::Value = post(&client, &base, &cookie, "auth/me", &[])
        .await
        .json()
        .await
        .unwrap();
    let csrf = me["csrf"].as_str().unwrap().to_string();

    // Prepare N complete drafts of a resale transfer.
    eprintln!("preparing {n} complete drafts…");
    let view_matter: serde_json::Value = post(
        &client,
        &base,
        &cookie,
        "matters/get",
        &pairs(&[("code", "RESALE-TRANSFER")]),
    )
    .await
    .json()
    .await
    .unwrap();
    let required: Vec<(String, String)> = view_matter["checklist"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["requirement"] == "required")
        .map(|i| {
            (
                format!("f[material_{}]", i["material"].as_str().unwrap()),
                "on".into(),
            )
        })
        .collect();
    let ids: Vec<String> = stream::iter(0..n)
        .map(|_| {
            let (client, base, cookie, csrf, required) =
                (&client, &base, &cookie, &csrf, &required);
            async move {
                let id: String = post(
                    client,
                    base,
                    cookie,
                    "applications/start",
                    &pairs(&[("matter", "RESALE-TRANSFER"), ("csrf", csrf)]),
                )
                .await
                .json()
                .await
                .unwrap();
                let step = |s: &str, extra: Vec<(String, String)>| {
                    let mut f = pairs(&[("id", &id), ("step", s), ("csrf", csrf), ("op", "next")]);
                    f.extend(extra);
                    f
                };
                let steps = [
                    (
                        "property",
                        pairs(&[
                            ("f[unit_number]", "320684413219GB00029F00010002"),
                            ("f[address]", "明州市海曙区望京路 8 号"),
                            ("f[secured_amount]", "1200000"),
                        ]),
                    ),
                    (
                        "parties",
                        pairs(&[
                            ("f[party0_role]", "right_holder"),
                            ("f[party0_name]", "张三"),
                            ("f[party0_id_type]", "resident_id"),
                            ("f[party0_id_number]", "330203198501011238"),
                            ("f[party0_mobile]", MOBILE),
                            ("f[party0_share]", ""),
                            ("f[party1_role]", "obligor"),
                            ("f[party1_name]", "王五"),
                            ("f[party1_id_type]", "resident_id"),
                            ("f[party1_id_number]", "330203196003033451"),
                            ("f[party1_mobile]", "13700137003"),
                            ("f[party1_share]", ""),
                        ]),
                    ),
                    ("agent", pairs(&[("f[filing_for]", "self")])),
                    ("materials", required.clone()),
                    ("declarations", pairs(&[("f[truthful]", "on")])),
                ];
                for (s, extra) in steps {
                    let r = post(
                        client,
                        base,
                        cookie,
                        "applications/save_step",
                        &step(s, extra),
                    )
                    .await;
                    assert!(
                        r.status().is_success(),
                        "{s}: {}",
                        r.text().await.unwrap_or_default()
                    );
                }
                id
            }
        })
        .buffer_unordered(conc)
        .collect()
        .await;

    let run = |label: &'static str, targets: Vec<String>| {
        let (client, base, cookie, csrf) =
            (client.clone(), base.clone(), cookie.clone(), csrf.clone());
        async move {
            let start = Instant::now();
            let total = targets.len();
            let ok = stream::iter(targets)
                .map(|id| {
                    let (client, base, cookie, csrf) = (&client, &base, &cookie, &csrf);
                    async move {
                        post(
                            client,
                            base,
                            cookie,
                            "applications/submit",
                            &pairs(&[("id", &id), ("csrf", csrf)]),
                        )
                        .await
                        .status()
                        .is_success()
                    }
                })
                .buffer_unordered(conc)
                .filter(|ok| futures::future::ready(*ok))
                .count()
                .await;
            let rate = total as f64 / start.elapsed().as_secs_f64();
            assert_eq!(ok, total, "{label}: every submit answered 200");
            rate
        }
    };
    let first = run("first", ids.clone()).await;
    let repeat = run("repeat", ids.iter().cycle().take(n).cloned().collect()).await;

    let start = Instant::now();
    stream::iter(0..n)
        .map(|_| {
            let (client, bare_base) = (&client, &bare_base);
            async move {
                client
                    .post(format!("{bare_base}/"))
                    .send()
                    .await
                    .unwrap()
                    .status()
            }
        })
        .buffer_unordered(conc)
        .count()
        .await;
    let ceiling = n as f64 / start.elapsed().as_secs_f64();
    let backend = db.backend().name();
    println!("backend {backend}, {n} requests, concurrency {conc}");
    println!("bare axum POST (ceiling):   {ceiling:>8.0} req/s");
    println!(
        "first submit (new receipt): {first:>8.0} req/s  = {:.1}% of ceiling",
        100.0 * first / ceiling
    );
    println!(
        "repeat submit (idempotent): {repeat:>8.0} req/s  = {:.1}% of ceiling",
        100.0 * repeat / ceiling
    );
}
