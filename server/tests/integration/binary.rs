//! The real `onetrip` binary: start-up errors are one clear sentence, and
//! SIGTERM stops it gracefully.

use crate::helpers::{Backend, FreshDb};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn onetrip() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_onetrip"));
    cmd.env_remove("DATABASE_URL")
        .env_remove("ONETRIP_SECRET_KEY")
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

fn free_addr() -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().to_string()
}

/// Run to completion (it must exit by itself) and return (code, stderr).
fn run_expecting_exit(cmd: &mut Command) -> (i32, String) {
    let mut child = cmd.spawn().expect("spawn onetrip");
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let out = child.wait_with_output().unwrap();
            return (
                status.code().unwrap_or(-1),
                String::from_utf8_lossy(&out.stderr).into_owned(),
            );
        }
        if start.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            panic!("onetrip did not exit on a bad setting");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn assert_one_clear_sentence(stderr: &str, setting: &str) {
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "exactly one line, got: {stderr}");
    assert!(lines[0].contains(setting), "names {setting}: {stderr}");
    assert!(
        !stderr.contains("panicked") && !stderr.contains("backtrace"),
        "{stderr}"
    );
}

#[test]
fn a_malformed_database_url_stops_the_server_with_one_sentence() {
    let dir = tempfile::tempdir().unwrap();
    let (code, stderr) = run_expecting_exit(
        onetrip()
            .env("ONETRIP_DATA_DIR", dir.path())
            .env("LEPTOS_SITE_ADDR", free_addr())
            .env("DATABASE_URL", "mysql://root@localhost/onetrip"),
    );
    assert_eq!(code, 2);
    assert_one_clear_sentence(&stderr, "DATABASE_URL");
}

#[test]
fn an_unwritable_data_directory_stops_the_server_with_one_sentence() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, b"not a directory").unwrap();
    let (code, stderr) = run_expecting_exit(
        onetrip()
            .env("ONETRIP_DATA_DIR", file.join("data"))
            .env("LEPTOS_SITE_ADDR", free_addr()),
    );
    assert_eq!(code, 2);
    assert_one_clear_sentence(&stderr, "ONETRIP_DATA_DIR");
}

#[test]
fn a_port_in_use_stops_the_server_with_one_sentence() {
    let dir = tempfile::tempdir().unwrap();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let (code, stderr) = run_expecting_exit(
        onetrip()
            .env("ONETRIP_DATA_DIR", dir.path())
            .env("LEPTOS_SITE_ADDR", &addr),
    );
    assert_eq!(code, 2);
    assert_one_clear_sentence(&stderr, "LEPTOS_SITE_ADDR");
    assert!(stderr.contains("already in use"), "{stderr}");
}

#[test]
fn a_bad_site_address_stops_the_server_with_one_sentence() {
    let dir = tempfile::tempdir().unwrap();
    let (code, stderr) = run_expecting_exit(
        onetrip()
            .env("ONETRIP_DATA_DIR", dir.path())
            .env("LEPTOS_SITE_ADDR", "localhost:port"),
    );
    assert_eq!(code, 2);
    assert_one_clear_sentence(&stderr, "LEPTOS_SITE_ADDR");
}

#[test]
fn a_half_configured_sender_stops_the_server_with_one_sentence() {
    let dir = tempfile::tempdir().unwrap();
    let (code, stderr) = run_expecting_exit(
        onetrip()
            .env("ONETRIP_DATA_DIR", dir.path())
            .env("ONETRIP_SMS_SENDER", "webhook"),
    );
    assert_eq!(code, 2);
    assert_one_clear_sentence(&stderr, "ONETRIP_SMS_WEBHOOK_URL");
    let (code, stderr) = run_expecting_exit(
        onetrip()
            .env("ONETRIP_DATA_DIR", dir.path())
            .env("ONETRIP_SMS_SENDER", "webhook")
            .env("ONETRIP_SMS_WEBHOOK_URL", "http://gateway.example/sms"),
    );
    assert_eq!(code, 2);
    assert_one_clear_sentence(&stderr, "https://");
}

async fn sigterm_stops_gracefully(backend: Backend) {
    let Some(fresh) = FreshDb::create(backend).await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let addr = free_addr();
    let mut child = onetrip()
        .env("ONETRIP_DATA_DIR", dir.path())
        .env("LEPTOS_SITE_ADDR", &addr)
        .env("DATABASE_URL", &fresh.url)
        .spawn()
        .expect("spawn onetrip");
    let client = reqwest::Client::new();
    let start = Instant::now();
    let mut healthy = false;
    while start.elapsed() < Duration::from_secs(30) {
        if let Ok(res) = client.get(format!("http://{addr}/healthz")).send().await {
            healthy = res.status() == 200;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    if !healthy {
        let _ = child.kill();
    }
    assert!(healthy, "server became healthy");
    // The secret key was generated into the data directory, owner-only.
    let key = dir.path().join("secret.key");
    assert!(key.exists(), "secret key generated");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&key).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let start = Instant::now();
    let code = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s.code();
        }
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "stopped within 15 s of SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(code, Some(0), "clean exit after SIGTERM");

    // A second replica of this database with another key (its own data
    // directory generates one) is refused at start, saying why…
    let other = tempfile::tempdir().unwrap();
    let (code, stderr) = run_expecting_exit(
        onetrip()
            .env("ONETRIP_DATA_DIR", other.path())
            .env("LEPTOS_SITE_ADDR", free_addr())
            .env("DATABASE_URL", &fresh.url),
    );
    assert_eq!(code, 2, "{stderr}");
    assert_one_clear_sentence(&stderr, "ONETRIP_SECRET_KEY");
    // …unless the key was replaced on purpose.
    let addr = free_addr();
    let mut child = onetrip()
        .env("ONETRIP_DATA_DIR", other.path())
        .env("LEPTOS_SITE_ADDR", &addr)
        .env("DATABASE_URL", &fresh.url)
        .env("ONETRIP_SECRET_KEY_REPLACED", "1")
        .spawn()
        .expect("spawn onetrip");
    let start = Instant::now();
    let mut healthy = false;
    while start.elapsed() < Duration::from_secs(30) && !healthy {
        healthy = client
            .get(format!("http://{addr}/healthz"))
            .send()
            .await
            .is_ok_and(|r| r.status() == 200);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(healthy, "a replaced key is recorded and the server starts");
    fresh.drop_database().await;
}

#[tokio::test]
async fn sigterm_stops_the_server_gracefully_on_sqlite() {
    sigterm_stops_gracefully(Backend::Sqlite).await;
}

#[tokio::test]
async fn sigterm_stops_the_server_gracefully_on_postgres() {
    sigterm_stops_gracefully(Backend::Postgres).await;
}

/// Seen from outside (issue 16, item 18): "you tried to access a reactive
/// value … already disposed" panics in the log after loads. The language
/// context's cookie effect ran its first time on a task of its own, after the
/// request that made it had been answered and its values dropped. Pages of
/// every kind, in parallel, some cut off by the client: the log stays clean.
#[tokio::test]
async fn pages_under_load_and_cut_off_leave_no_panic_in_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let addr = free_addr();
    let mut child = onetrip()
        .env("ONETRIP_DATA_DIR", dir.path())
        .env("LEPTOS_SITE_ADDR", &addr)
        .spawn()
        .expect("spawn onetrip");
    let client = reqwest::Client::new();
    let start = Instant::now();
    while client
        .get(format!("http://{addr}/healthz"))
        .send()
        .await
        .is_err()
    {
        assert!(start.elapsed() < Duration::from_secs(30), "server up");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let pages = [
        "/",
        "/signin",
        "/signin/verify?c=x",
        "/matters",
        "/matters/RESALE-TRANSFER",
        "/track",
        "/sites",
        "/me",
        "/nowhere",
        "/staff/signin",
    ];
    let mut tasks = tokio::task::JoinSet::new();
    for worker in 0..32usize {
        let client = client.clone();
        let base = format!("http://{addr}");
        tasks.spawn(async move {
            let mut answered = 0;
            for i in 0..60usize {
                let page = pages[(worker + i) % pages.len()];
                let req = client.get(format!("{base}{page}"));
                // Every third request is given up almost at once, as a
                // second tap or a closed tab would.
                let req = if i % 3 == 0 {
                    req.timeout(Duration::from_millis(1))
                } else {
                    req
                };
                if let Ok(res) = req.send().await {
                    if res.bytes().await.is_ok() {
                        answered += 1;
                    }
                }
            }
            answered
        });
    }
    let mut answered = 0;
    while let Some(n) = tasks.join_next().await {
        answered += n.unwrap();
    }
    assert!(answered >= 32 * 40, "pages answered: {answered}");
    // Let any task left behind by those requests run.
    tokio::time::sleep(Duration::from_millis(500)).await;
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        assert!(start.elapsed() < Duration::from_secs(15), "stopped");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let out = child.wait_with_output().unwrap();
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !log.contains("disposed") && !log.contains("panic"),
        "the log has a panic:\n{log}"
    );
    assert!(!log.contains("ERROR"), "the log has an error:\n{log}");
}
