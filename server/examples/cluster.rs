//! OneTrip as a cluster, on this machine: N replicas of the release server
//! (default 2) behind HAProxy (Debian's package), on one PostgreSQL database
//! and one S3-compatible object store (the `s3_dev` example as its own
//! process). The balancer spreads requests round-robin with no stickiness, so
//! every journey crosses replicas. Then:
//!
//! 1. **checks** across replicas: a session and its CSRF token made on one
//!    replica work on the other (and a forged token does not); a resumable
//!    upload begun on one replica is continued on the other and the document
//!    is whole from the balancer, with its preview made by whichever replica's
//!    worker took it; 40 wrong sign-in codes in parallel through the balancer
//!    lock the code on both; lookups from one address counted on one replica
//!    are limited on the other; every notification is sent once;
//! 2. **the booking race** through the balancer: 400 citizens press "book" on
//!    one slot at once; exactly its free seats are won, none twice;
//! 3. **load with a replica killed**: the load command against the balancer
//!    while one replica is killed with SIGKILL in the middle; every answer is
//!    a success, a 429/503 with Retry-After, or (only while the balancer
//!    notices the dead replica) a 502 a client retries; every acknowledged
//!    submit is there with its parties and timeline;
//! 4. with `--journeys`, the Playwright journeys against the balancer (the
//!    replicas restarted with the journeys' limits).
//!
//! `cargo run --release -p server --example cluster -- [--replicas N] [--short] [--journeys]`
//! with `DATABASE_URL=postgres://…` (a server to create the cluster's
//! database on; default the machine's). `ONETRIP_BIN`, `ONETRIP_S3_DEV_BIN`,
//! `ONETRIP_LOAD_BIN`, `LEPTOS_SITE_ROOT` and `HAPROXY` name the programs;
//! `ONETRIP_CLUSTER_PORT` (default 3936) the first of its ports (the store;
//! the balancer is 4 above, the replicas from 5 above).
//! Exit status 1 when a check failed.

use app::db::Db;
use common::traffic::*;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

mod common;

const BUCKET: &str = "onetrip";

/// Ports from `ONETRIP_CLUSTER_PORT` (default 3936): the store on it, the
/// balancer on it + 4, the replicas from it + 5.
fn port_base() -> u16 {
    std::env::var("ONETRIP_CLUSTER_PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(3936)
}

fn bin(var: &str, default: &str) -> String {
    std::env::var(var).unwrap_or_else(|_| default.into())
}

struct Cluster {
    dir: tempfile::TempDir,
    db_url: String,
    secret: String,
    replicas: Vec<Option<Child>>,
    others: Vec<Child>,
}

impl Cluster {
    fn port(i: usize) -> u16 {
        port_base() + 5 + i as u16
    }

    fn base(i: usize) -> String {
        format!("http://127.0.0.1:{}", Self::port(i))
    }

    /// Start (or restart) replica `i`; `e2e`: the journeys' raised limits.
    fn start_replica(&mut self, i: usize, e2e: bool) {
        let data = self.dir.path().join(format!("replica-{i}"));
        let mut cmd = Command::new(bin("ONETRIP_BIN", "target/release/onetrip"));
        cmd.env("ONETRIP_DATA_DIR", &data)
            .env("DATABASE_URL", &self.db_url)
            .env("ONETRIP_SECRET_KEY", &self.secret)
            .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{}", Self::port(i)))
            .env("LEPTOS_SITE_ROOT", bin("LEPTOS_SITE_ROOT", "target/site"))
            .env("LEPTOS_ENV", "PROD")
            .env("ONETRIP_STORE", format!("s3://{BUCKET}/centre"))
            .env("AWS_ENDPOINT", format!("http://127.0.0.1:{}", port_base()))
            .env("AWS_ALLOW_HTTP", "true")
            .env("AWS_ACCESS_KEY_ID", "dev-key")
            .env("AWS_SECRET_ACCESS_KEY", "dev-secret")
            .env("AWS_REGION", "us-east-1")
            .env("AWS_VIRTUAL_HOSTED_STYLE_REQUEST", "false")
            .env("ONETRIP_DEV_OUTBOX", "1")
            // The balancer adds the address it saw; the load command plays
            // citizens arriving through one more proxy (a CDN) before it.
            .env("ONETRIP_TRUST_PROXY", "2")
            // Case texts to one person wait 2 s to go as one (default 60 s),
            // so the check that each was sent once need not wait a minute.
            .env("ONETRIP_SMS_MERGE_SECS", "2")
            .env("RUST_LOG", "error")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit());
        if e2e {
            cmd.env("ONETRIP_CODES_PER_IP_HOUR", "10000")
                .env("ONETRIP_LOOKUPS_PER_IP_10MIN", "10000");
        } else {
            cmd.env("ONETRIP_LOOKUPS_PER_IP_10MIN", "30");
        }
        let child = cmd.spawn().expect("start a replica (build it first)");
        self.replicas[i] = Some(child);
    }

    fn kill_replica(&mut self, i: usize) {
        if let Some(mut c) = self.replicas[i].take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    fn haproxy(&mut self, n: usize) {
        let servers: String = (0..n)
            .map(|i| format!("    server r{i} 127.0.0.1:{} check\n", Self::port(i)))
            .collect();
        let lb_port = port_base() + 4;
        let cfg = format!(
            "global
    maxconn 8192
defaults
    mode http
    timeout connect 2s
    timeout client 60s
    timeout server 60s
    timeout http-request 30s
    option forwardfor
    option redispatch 1
    retries 3
    retry-on conn-failure empty-response
frontend web
    bind 127.0.0.1:{lb_port}
    default_backend replicas
backend replicas
    balance roundrobin
    option httpchk GET /readyz
    http-check expect status 200
    default-server inter 500ms fall 2 rise 2
{servers}"
        );
        let path = self.dir.path().join("haproxy.cfg");
        std::fs::write(&path, cfg).unwrap();
        let child = Command::new(bin("HAPROXY", "haproxy"))
            .args(["-db", "-q", "-f"])
            .arg(&path)
            .stdout(Stdio::null())
            .spawn()
            .expect("start haproxy (apt-get install haproxy)");
        self.others.push(child);
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for c in self
            .replicas
            .iter_mut()
            .flatten()
            .chain(self.others.iter_mut())
        {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

async fn ready(client: &reqwest::Client, url: &str) -> bool {
    for _ in 0..300 {
        if matches!(client.get(url).send().await, Ok(r) if r.status().is_success()) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

/// Failures of one check, collected.
#[derive(Default)]
struct Report(Mutex<Vec<String>>);

impl Report {
    fn check(&self, ok: bool, what: impl Into<String>) {
        let what = what.into();
        println!("    {} {what}", if ok { "ok  " } else { "FAIL" });
        if !ok {
            self.0.lock().unwrap().push(what);
        }
    }
}

fn world(base: &str, client: &reqwest::Client, db: &Db, seed: u64) -> World {
    World {
        base: base.to_string(),
        client: client.clone(),
        db: db.clone(),
        cases: Mutex::default(),
        bookers: Vec::new(),
        slots: Vec::new(),
        photo: photo(),
        next: std::sync::atomic::AtomicU64::new(seed),
    }
}

/// Sessions, CSRF, a resumable upload and previews across two replicas.
async fn across_replicas(report: &Report, client: &reqwest::Client, db: &Db) {
    let stats: Shared = Arc::default();
    let (a, b) = (Cluster::base(0), Cluster::base(1));
    let wa = world(&a, client, db, 71_000_000);
    let from = ip();
    let Some((cookie, csrf)) = wa.sign_in(&stats, "13912340001", &from).await else {
        report.check(false, "sign in on replica 1");
        return;
    };
    let wb = world(&b, client, db, 72_000_000);
    let started = wb
        .post("/api/applications/start", &cookie, &from)
        .form(&[("matter", "RESALE-TRANSFER"), ("csrf", csrf.as_str())])
        .send()
        .await;
    let id: Option<String> = match started {
        Ok(r) if r.status().is_success() => r.json().await.ok(),
        _ => None,
    };
    report.check(
        id.is_some(),
        "a session and CSRF token from replica 1 start an application on replica 2",
    );
    let Some(id) = id else { return };
    let forged = wb
        .post("/api/applications/start", &cookie, &from)
        .form(&[("matter", "RESALE-TRANSFER"), ("csrf", "forged")])
        .send()
        .await
        .map(|r| r.status().as_u16())
        .unwrap_or(0);
    report.check(
        forged == 403,
        format!("a forged CSRF token is refused on replica 2 (HTTP {forged})"),
    );

    // A photo: half sent to replica 1, the rest to replica 2.
    let view: serde_json::Value = wa
        .post("/api/applications/get", &cookie, &from)
        .form(&[("id", id.as_str())])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap_or_default();
    let material = view["matter"]["checklist"][0]["material"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let body = wa.photo.clone();
    use base64::Engine as _;
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    let tus = |base: &str, method: reqwest::Method, path: &str| {
        client
            .request(method, format!("{base}{path}"))
            .header("cookie", &cookie)
            .header("x-csrf-token", &csrf)
            .header("x-forwarded-for", &from)
            .header("tus-resumable", "1.0.0")
    };
    let created = tus(&a, reqwest::Method::POST, "/uploads")
        .header("upload-length", body.len().to_string())
        .header(
            "upload-metadata",
            format!(
                "application {},material {},filename {}",
                b64(&id),
                b64(&material),
                b64("photo.jpg")
            ),
        )
        .send()
        .await
        .unwrap();
    let location = created
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let half = body.len() / 2;
    let first = tus(&a, reqwest::Method::PATCH, &location)
        .header("upload-offset", "0")
        .header("content-type", "application/offset+octet-stream")
        .body(body[..half].to_vec())
        .send()
        .await
        .map(|r| r.status().as_u16())
        .unwrap_or(0);
    let head = tus(&b, reqwest::Method::HEAD, &location)
        .send()
        .await
        .ok()
        .and_then(|r| {
            r.headers()
                .get("upload-offset")?
                .to_str()
                .ok()?
                .parse()
                .ok()
        })
        .unwrap_or(0usize);
    report.check(
        first == 204 && head == half,
        format!("half a photo sent to replica 1 is known to replica 2 (HTTP {first}; its offset there {head}, sent {half})"),
    );
    let rest = tus(&b, reqwest::Method::PATCH, &location)
        .header("upload-offset", half.to_string())
        .header("content-type", "application/offset+octet-stream")
        .body(body[half..].to_vec())
        .send()
        .await
        .unwrap();
    let doc = rest
        .headers()
        .get("onetrip-document-id")
        .and_then(|v| v.to_str().ok())
        .map(String::from);
    report.check(
        rest.status() == 204 && doc.is_some(),
        format!("replica 2 finishes the upload ({})", rest.status()),
    );
    let Some(doc) = doc else { return };
    let lb = format!("http://127.0.0.1:{}", port_base() + 4);
    let mut whole = 0;
    for _ in 0..4 {
        let got = client
            .get(format!("{lb}/documents/{doc}"))
            .header("cookie", &cookie)
            .send()
            .await;
        if let Ok(r) = got {
            if r.status().is_success() && r.bytes().await.ok().as_deref() == Some(&body[..]) {
                whole += 1;
            }
        }
    }
    report.check(
        whole == 4,
        format!("the photo is whole from both replicas through the balancer ({whole}/4)"),
    );
    let t = Instant::now();
    let mut preview = false;
    while t.elapsed() < Duration::from_secs(20) && !preview {
        preview = client
            .get(format!("{lb}/documents/{doc}/preview"))
            .header("cookie", &cookie)
            .send()
            .await
            .is_ok_and(|r| r.status().is_success());
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    report.check(
        preview,
        format!(
            "its preview is served through the balancer ({:.1} s)",
            t.elapsed().as_secs_f64()
        ),
    );
    let left: i64 = app::fetch_optional!(db, (i64,), "SELECT COUNT(*) FROM upload_parts")
        .ok()
        .flatten()
        .map(|r| r.0)
        .unwrap_or(-1);
    report.check(left == 0, format!("no upload part rows left ({left})"));
}

/// 40 wrong codes in parallel through the balancer, then the right one.
async fn lockout(report: &Report, client: &reqwest::Client, db: &Db) {
    let lb = format!("http://127.0.0.1:{}", port_base() + 4);
    let w = world(&lb, client, db, 73_000_000);
    let mobile = "13912340002";
    let from = ip();
    let challenge: String = match w
        .post("/api/auth/request_code", "", &from)
        .form(&[("mobile", mobile)])
        .send()
        .await
    {
        Ok(r) => r.json().await.unwrap_or_default(),
        Err(_) => String::new(),
    };
    let Some(code) = w.code_for(mobile).await else {
        report.check(false, "the sign-in code reached the outbox");
        return;
    };
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let tries = futures::future::join_all((0..40).map(|_| {
        w.post("/api/auth/verify_code", "", &ip())
            .form(&[("c", challenge.as_str()), ("code", wrong)])
            .send()
    }))
    .await;
    let mut said_wrong = 0;
    for t in tries.into_iter().flatten() {
        if t.text().await.unwrap_or_default().contains("code.wrong") {
            said_wrong += 1;
        }
    }
    let right = w
        .post("/api/auth/verify_code", "", &from)
        .form(&[("c", challenge.as_str()), ("code", code.as_str())])
        .send()
        .await
        .map(|r| r.headers().contains_key("set-cookie") && r.status().is_success())
        .unwrap_or(true);
    report.check(
        !right && (said_wrong as i64) < app::db::CODE_MAX_ATTEMPTS,
        format!(
            "40 wrong codes in parallel on both replicas lock the code ({said_wrong} told \"wrong\", then the right code {})",
            if right { "SIGNED IN" } else { "refused" }
        ),
    );
}

const ALPHABET: &[u8] = app::domain::application::RECEIPT_ALPHABET;

/// Lookups from one address: counted on replica 1, limited on replica 2.
async fn shared_limits(report: &Report, client: &reqwest::Client) {
    let from = ip();
    // A different (valid, unknown) receipt each time: only the address's
    // count grows, not a receipt's failures.
    let look = |base: String| {
        let from = from.clone();
        let no: String = (0..8)
            .map(|_| ALPHABET[rand::random::<usize>() % ALPHABET.len()] as char)
            .collect();
        async move {
            client
                .get(format!("{base}/track?no=261203{no}&id=000000"))
                .header("x-forwarded-for", from)
                .send()
                .await
                .map(|r| r.status().as_u16())
                .unwrap_or(0)
        }
    };
    let mut first = Vec::new();
    for _ in 0..20 {
        first.push(look(Cluster::base(0)).await);
    }
    // Replicas share their counts every second.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let mut second = Vec::new();
    for _ in 0..20 {
        second.push(look(Cluster::base(1)).await);
    }
    let limited = second.iter().filter(|s| **s == 429).count();
    let first_limited = first.iter().filter(|s| **s == 429).count();
    report.check(
        first_limited == 0 && limited >= 5,
        format!("30 lookups per address per 10 min: 20 on replica 1 answered, then {limited} of 20 on replica 2 limited"),
    );
}

/// Every notification sent; the only ones sent twice are those the killed
/// replica had claimed (one message group at most: a worker sends one group
/// at a time) and that went again once their lease ran out — delivery is at
/// least once, and the SMS contract's message id lets the gateway drop the
/// repeat.
async fn outbox_once(report: &Report, db: &Db) {
    // The worker's lease (60 s) plus time to send what it frees.
    let limit = Duration::from_secs(60 + 30);
    // One group: a message and up to 20 waiting for the same person.
    let one_group = 21;
    let t = Instant::now();
    let mut last = (0, 0, 0);
    while t.elapsed() < limit {
        let row: Option<(i64, i64, i64)> = app::fetch_optional!(
            db,
            (i64, i64, i64),
            "SELECT COUNT(*),
                    COALESCE(SUM(CASE WHEN status = 'sent' THEN 1 ELSE 0 END), 0),
                    COALESCE(SUM(CASE WHEN status = 'sent' AND attempts <> 1 THEN 1 ELSE 0 END), 0)
               FROM outbox"
        )
        .ok()
        .flatten();
        last = row.unwrap_or_default();
        if last.0 == last.1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    report.check(
        last.0 > 0 && last.0 == last.1 && last.2 <= one_group,
        format!(
            "notifications sent by the replicas' workers: {} of {} in {:.0} s; {} sent again after the killed replica's lease (at most one group of {one_group})",
            last.1,
            last.0,
            t.elapsed().as_secs_f64(),
            last.2
        ),
    );
}

/// The booking race through the balancer.
async fn race(report: &Report, client: &reqwest::Client, db: &Db, people: usize) {
    let lb = format!("http://127.0.0.1:{}", port_base() + 4);
    let bookers = bookers(db, people).await;
    let opts: serde_json::Value = client
        .post(format!("{lb}/api/bookings/options"))
        .header("cookie", &bookers[0].0)
        .header("accept", "application/json")
        .form(&[("id", bookers[0].2.as_str())])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap_or_default();
    let Some((slot, free)) = opts["days"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|d| d["slots"].as_array().into_iter().flatten())
        .find(|s| s["free"].as_i64().unwrap_or(0) > 0)
        .map(|s| {
            (
                s["key"].as_str().unwrap_or_default().to_string(),
                s["free"].as_i64().unwrap_or(0),
            )
        })
    else {
        report.check(false, "a bookable slot");
        return;
    };
    let t0 = Instant::now();
    let answers = futures::future::join_all(bookers.iter().map(|(cookie, csrf, id)| {
        let (client, lb, slot) = (client.clone(), lb.clone(), slot.clone());
        async move {
            let t = Instant::now();
            let r = client
                .post(format!("{lb}/api/bookings/book"))
                .header("cookie", cookie)
                .header("accept", "application/json")
                .header("x-forwarded-for", ip())
                .form(&[
                    ("id", id.as_str()),
                    ("site", "MAIN"),
                    ("slot", slot.as_str()),
                    ("csrf", csrf.as_str()),
                ])
                .send()
                .await
                .map(|r| r.status().as_u16())
                .unwrap_or(0);
            (r, t.elapsed())
        }
    }))
    .await;
    let took = t0.elapsed();
    let won = answers.iter().filter(|(s, _)| *s == 200).count() as i64;
    let mut losers: Vec<Duration> = answers
        .iter()
        .filter(|(s, _)| *s != 200)
        .map(|(_, d)| *d)
        .collect();
    losers.sort();
    let p99 = losers
        .get((losers.len() * 99 / 100).saturating_sub(1))
        .copied()
        .unwrap_or_default();
    let odd = answers
        .iter()
        .filter(|(s, _)| !matches!(s, 200 | 422 | 429))
        .count();
    let booked: i64 = app::fetch_optional!(
        db,
        (i64,),
        "SELECT COUNT(*) FROM bookings WHERE status = 'booked'"
    )
    .ok()
    .flatten()
    .map(|r| r.0)
    .unwrap_or(-1);
    report.check(
        won == free && odd == 0 && booked == won,
        format!(
            "booking race: {people} at once for {free} seats through the balancer: {won} won, {odd} odd answers, losers' p99 {:.0} ms, {:.0} requests/s ({booked} bookings stored)",
            p99.as_secs_f64() * 1000.0,
            people as f64 / took.as_secs_f64()
        ),
    );
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let short = args.iter().any(|a| a == "--short");
    let journeys = args.iter().any(|a| a == "--journeys");
    let n: usize = args
        .iter()
        .position(|a| a == "--replicas")
        .and_then(|i| args.get(i + 1)?.parse().ok())
        .unwrap_or(2)
        .max(2);
    let admin = std::env::var("DATABASE_URL")
        .ok()
        .filter(|u| u.starts_with("postgres"))
        .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let name = format!(
        "onetrip_cluster_{}",
        &uuid::Uuid::new_v4().simple().to_string()[..8]
    );
    let psql = |sql: &str| {
        Command::new("psql")
            .args([admin.as_str(), "-qc", sql])
            .status()
            .is_ok_and(|s| s.success())
    };
    assert!(
        psql(&format!("CREATE DATABASE {name}")),
        "CREATE DATABASE on {admin}"
    );
    let (head, _) = admin.rsplit_once('/').expect("postgres://…/db");
    let db_url = format!("{head}/{name}");
    let secret: String = (0..64)
        .map(|_| format!("{:x}", rand::random::<u8>() % 16))
        .collect();
    let dir = tempfile::tempdir().expect("temp dir");
    let mut cluster = Cluster {
        dir,
        db_url: db_url.clone(),
        secret,
        replicas: (0..n).map(|_| None).collect(),
        others: Vec::new(),
    };
    let s3_root = cluster.dir.path().join("s3");
    std::fs::create_dir_all(&s3_root).unwrap();
    let s3 = Command::new(bin("ONETRIP_S3_DEV_BIN", "target/release/examples/s3_dev"))
        .args([
            format!("127.0.0.1:{}", port_base()),
            s3_root.display().to_string(),
            BUCKET.into(),
        ])
        .stdout(Stdio::null())
        .spawn()
        .expect("start s3_dev (build the example first)");
    cluster.others.push(s3);
    tokio::time::sleep(Duration::from_millis(300)).await;
    // The first replica migrates the database; the others start after it.
    cluster.start_replica(0, false);
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(2000)
        .timeout(Duration::from_secs(30))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    assert!(
        ready(&client, &format!("{}/readyz", Cluster::base(0))).await,
        "replica 1 did not become ready"
    );
    for i in 1..n {
        cluster.start_replica(i, false);
    }
    for i in 1..n {
        assert!(
            ready(&client, &format!("{}/readyz", Cluster::base(i))).await,
            "replica {} did not become ready",
            i + 1
        );
    }
    cluster.haproxy(n);
    let lb = format!("http://127.0.0.1:{}", port_base() + 4);
    assert!(
        ready(&client, &format!("{lb}/readyz")).await,
        "the balancer did not become ready"
    );
    let db = Db::open(&db_url).await.expect("the cluster's database");
    println!("cluster: {n} replicas behind HAProxy at {lb}, PostgreSQL database {name}, s3_dev at 127.0.0.1:{}", port_base());

    let report = Report::default();
    println!("checks across replicas:");
    across_replicas(&report, &client, &db).await;
    lockout(&report, &client, &db).await;
    shared_limits(&report, &client).await;
    race(&report, &client, &db, if short { 200 } else { 1000 }).await;

    // Load through the balancer; one replica killed in the middle.
    println!("load through the balancer, replica {n} killed with SIGKILL in the middle:");
    let mut load = Command::new(bin("ONETRIP_LOAD_BIN", "target/release/examples/load"));
    load.args(["--target", &lb])
        .env("DATABASE_URL", &db_url)
        .env("ONETRIP_LOAD_GATEWAY", "1");
    if short {
        load.arg("--short");
    }
    let mut load = load
        .spawn()
        .expect("start the load command (build it first)");
    let kill_after = if short { 12 } else { 120 };
    let t = Instant::now();
    let mut killed = false;
    let status = loop {
        if let Some(s) = load.try_wait().unwrap() {
            break s;
        }
        if !killed && t.elapsed() > Duration::from_secs(kill_after) {
            println!(
                "    killing replica {n} (SIGKILL) at {:.0} s",
                t.elapsed().as_secs_f64()
            );
            cluster.kill_replica(n - 1);
            killed = true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    report.check(
        status.success() && killed,
        format!("the load command passed with a replica killed (exit {status}, killed: {killed})"),
    );
    // The replica comes back and takes traffic again.
    let t = Instant::now();
    cluster.start_replica(n - 1, false);
    let back = ready(&client, &format!("{}/readyz", Cluster::base(n - 1))).await;
    report.check(
        back,
        format!(
            "the killed replica restarted and ready in {:.2} s",
            t.elapsed().as_secs_f64()
        ),
    );
    outbox_once(&report, &db).await;

    if journeys {
        println!("the Playwright journeys through the balancer:");
        for i in 0..n {
            cluster.kill_replica(i);
            cluster.start_replica(i, true);
        }
        for i in 0..n {
            ready(&client, &format!("{}/readyz", Cluster::base(i))).await;
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
        let admin_ok = Command::new(bin("ONETRIP_BIN", "target/release/onetrip"))
            .args(["create-admin", "admin"])
            .env("DATABASE_URL", &db_url)
            .env("ONETRIP_DATA_DIR", cluster.dir.path().join("admin"))
            .env("ONETRIP_ADMIN_PASSWORD", "e2e-admin-password")
            .status()
            .is_ok_and(|s| s.success());
        report.check(admin_ok, "the first administrator created");
        let e2e = Command::new("npx")
            .args(["playwright", "test"])
            .current_dir("end2end")
            .env("ONETRIP_E2E_BASE_URL", &lb)
            .status()
            .is_ok_and(|s| s.success());
        report.check(e2e, "the Playwright journeys passed through the balancer");
    }

    db.close().await;
    drop(cluster);
    psql(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
    let failed = report.0.lock().unwrap().clone();
    if failed.is_empty() {
        println!("cluster: all checks passed");
    } else {
        println!("cluster: {} checks FAILED", failed.len());
        std::process::exit(1);
    }
}
