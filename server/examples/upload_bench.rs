//! Upload throughput and server memory: 20 parallel 20 MB uploads (tus,
//! one PATCH each, streamed) into the release server running as its own
//! process on a fresh data directory, next to `dd` writing the same amount to
//! the same disk with fsync.
//!
//! `make bench-upload` (builds the release server first), or
//! `cargo run --release -p server --example upload_bench [-- FILES MB]`.
//! Prints MB/s for both, their ratio, and the server's resident memory before,
//! at its peak (VmHWM) and the growth.

use base64::Engine;
use futures::StreamExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const MOBILE: &str = "13800138001";

mod common;

fn rss_kb(pid: u32, field: &str) -> u64 {
    common::memory_kb(&pid.to_string(), field)
}

/// A valid PDF of `size` bytes whose filler depends on `seed` (so the
/// content-addressed store keeps every file).
fn pdf_stream(
    size: usize,
    seed: u8,
) -> impl futures::Stream<Item = Result<Vec<u8>, std::io::Error>> {
    let head = b"%PDF-1.7\n".to_vec();
    let tail = b"\n%%EOF\n".to_vec();
    let body = size - head.len() - tail.len();
    let chunk = 256 * 1024;
    let mut parts: Vec<usize> = vec![chunk; body / chunk];
    if !body.is_multiple_of(chunk) {
        parts.push(body % chunk);
    }
    futures::stream::iter(
        std::iter::once(head)
            .chain(parts.into_iter().map(move |n| vec![b'a' + seed % 26; n]))
            .chain(std::iter::once(tail))
            .map(Ok),
    )
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let files: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(20);
    let mb: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(20);
    let size = mb * 1024 * 1024;
    let dir = tempfile::tempdir_in("target").expect("temp dir under target/");
    let addr = "127.0.0.1:3913";
    let base = format!("http://{addr}");
    let mut child = Command::new("target/release/onetrip")
        .env("ONETRIP_DATA_DIR", dir.path())
        .env("LEPTOS_SITE_ADDR", addr)
        .env("LEPTOS_SITE_ROOT", "target/site")
        .env("ONETRIP_DEV_OUTBOX", "1")
        .env("ONETRIP_MAX_APPLICATION_MB", "100000")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .expect("run target/release/onetrip (build it first: make bench-upload does)");
    let pid = child.id();
    let client = reqwest::Client::new();
    for _ in 0..100 {
        if client.get(format!("{base}/healthz")).send().await.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // Sign in (the code from the development outbox) and start an application.
    let post = |ep: &str, cookie: &str, form: Vec<(&str, String)>| {
        client
            .post(format!("{base}/api/{ep}"))
            .header("cookie", cookie.to_string())
            .form(&form)
            .send()
    };
    let challenge: String = post("auth/request_code", "", vec![("mobile", MOBILE.into())])
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let page = client
        .get(format!("{base}/dev/outbox"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let code: String = page
        .split("登录验证码是 ")
        .nth(1)
        .map(|s| s.chars().take(6).collect())
        .expect("code in the outbox");
    let res = post(
        "auth/verify_code",
        "",
        vec![("c", challenge), ("code", code)],
    )
    .await
    .unwrap();
    let cookie = res.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let me: serde_json::Value = post("auth/me", &cookie, vec![])
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let csrf = me["csrf"].as_str().unwrap().to_string();
    let app_id: String = post(
        "applications/start",
        &cookie,
        vec![("matter", "RESALE-TRANSFER".into()), ("csrf", csrf.clone())],
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let view: serde_json::Value = post("applications/get", &cookie, vec![("id", app_id.clone())])
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let material = view["matter"]["checklist"][0]["material"]
        .as_str()
        .unwrap()
        .to_string();

    let rss_before = rss_kb(pid, "VmRSS:");
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    let start = Instant::now();
    let results: Vec<u16> = futures::stream::iter(0..files)
        .map(|i| {
            let (client, base, cookie, csrf) =
                (client.clone(), base.clone(), cookie.clone(), csrf.clone());
            let meta = format!(
                "application {},material {},filename {}",
                b64(&app_id),
                b64(&material),
                b64(&format!("file{i}.pdf"))
            );
            async move {
                let res = client
                    .post(format!("{base}/uploads"))
                    .header("cookie", &cookie)
                    .header("x-csrf-token", &csrf)
                    .header("tus-resumable", "1.0.0")
                    .header("upload-length", size.to_string())
                    .header("upload-metadata", meta)
                    .send()
                    .await
                    .unwrap();
                let loc = res.headers()["location"].to_str().unwrap().to_string();
                client
                    .patch(format!("{base}{loc}"))
                    .header("cookie", &cookie)
                    .header("x-csrf-token", &csrf)
                    .header("tus-resumable", "1.0.0")
                    .header("upload-offset", "0")
                    .header("content-type", "application/offset+octet-stream")
                    .body(reqwest::Body::wrap_stream(pdf_stream(size, i as u8)))
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            }
        })
        .buffer_unordered(files)
        .collect()
        .await;
    let secs = start.elapsed().as_secs_f64();
    let peak = rss_kb(pid, "VmHWM:");
    assert!(
        results.iter().all(|s| *s == 204),
        "every upload completed: {results:?}"
    );
    let total_mb = (files * mb) as f64;
    let _ = child.kill();
    let _ = child.wait();

    // dd: the same amount to the same disk, with fsync.
    let dd_start = Instant::now();
    let status = Command::new("dd")
        .arg("if=/dev/zero")
        .arg(format!("of={}", dir.path().join("dd.bin").display()))
        .arg("bs=1M")
        .arg(format!("count={}", files * mb))
        .arg("conv=fsync")
        .stderr(Stdio::null())
        .status()
        .expect("dd");
    assert!(status.success());
    let dd_secs = dd_start.elapsed().as_secs_f64();

    let ours = total_mb / secs;
    let dd = total_mb / dd_secs;
    println!("{files} parallel uploads of {mb} MB ({total_mb} MB)");
    println!("uploads: {secs:.2} s = {ours:.0} MB/s (streamed, sha256, sniffed, fsynced, stored)");
    println!("dd:      {dd_secs:.2} s = {dd:.0} MB/s (bs=1M conv=fsync, same disk)");
    println!("ratio:   {:.2} × dd", ours / dd);
    println!(
        "server RSS: {} MB before, {} MB peak, growth {} MB",
        rss_before / 1024,
        peak / 1024,
        peak.saturating_sub(rss_before) / 1024
    );
}
