//! Electronic certificates through HTTP on both backends: sealed at issue,
//! downloaded by the applicant only, verified by anyone by code (page and
//! API) or by the file, offline with the published key; a tampered file or
//! record fails; a later registration on the unit supersedes; a revoked one
//! says so.

use crate::helpers::TestApp;
use crate::letters::text_of;
use crate::on_both_backends;
use crate::workbench::{act, case, signed_in, staff, submitted, take};

use reqwest::StatusCode;
use serde_json::Value;

/// A submitted case taken to "issued" by a supervisor; (citizen cookie, id).
/// The citizen signs in unless already signed in (`cookie`).
async fn issued(app: &TestApp, cookie: Option<&str>) -> (String, String) {
    let sup = signed_in(app, "sup").await;
    let (cookie, id) = match cookie {
        None => submitted(app).await,
        Some(c) => (c.to_string(), crate::citizen::submit(app, c).await),
    };
    assert_eq!(take(app, &sup, &id).await, StatusCode::OK);
    let mut version = case(app, &sup, &id).await["version"].as_i64().unwrap();
    for action in [
        "pre_accept",
        "accept",
        "advance",
        "advance",
        "advance",
        "advance",
        "advance",
    ] {
        let res = act(app, &sup, &id, version, action, &[]).await;
        assert_eq!(res.status(), StatusCode::OK, "{action}");
        version = res.json().await.unwrap();
    }
    assert_eq!(case(app, &sup, &id).await["stage"], "issued");
    (cookie, id)
}

async fn verify(app: &TestApp, code: &str) -> (StatusCode, Value) {
    let res = app.get(&format!("/api/v1/verify?code={code}")).await;
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// Post a file to /verify/file: (where it sends the browser, the cookie it sets).
async fn check_file_with_cookie(app: &TestApp, bytes: Vec<u8>) -> (String, String) {
    let part = reqwest::multipart::Part::bytes(bytes)
        .file_name("cert.pdf")
        .mime_str("application/pdf")
        .unwrap();
    let form = reqwest::multipart::Form::new().part("file", part);
    let res = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(app.url("/verify/file"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("Path=/verify"),
        "{cookie}"
    );
    let cookie = cookie.split(';').next().unwrap().to_string();
    (
        res.headers()["location"].to_str().unwrap().to_string(),
        cookie,
    )
}

pub async fn check_file(app: &TestApp, bytes: Vec<u8>) -> String {
    check_file_with_cookie(app, bytes).await.0
}

async fn an_issued_case_is_sealed_and_anyone_can_verify_it(app: &TestApp) {
    staff(app, "sup", "supervisor", &["MAIN"]).await;
    let (cookie, id) = issued(app, None).await;

    // One certificate (a transfer: the buyer's right), sealed and numbered.
    let rows = app::db::ecerts::of_application(&app.db, &id).await.unwrap();
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    assert_eq!(row.kind, "certificate");
    assert_eq!(row.status, "valid");
    let year = chrono::Utc::now().format("%Y").to_string();
    assert_eq!(row.number, format!("浙({year})明州市不动产权第0000001号"));
    assert!(app::domain::CertificateNumber::parse(&row.number).is_ok());
    let statement: app::domain::ecert::Statement = serde_json::from_str(&row.statement).unwrap();
    assert_eq!(statement.holders.len(), 2, "{:?}", statement.holders);
    assert!(statement.holders.iter().any(|h| h.name == "张三"));
    assert_eq!(
        statement.others,
        vec!["王五".to_string(), "明州银行".to_string()]
    );
    assert_eq!(statement.unit_number, row.unit_number);

    // By code: valid, the seal checks, names masked; the page says the same.
    let (status, v) = verify(
        app,
        &app::domain::ecert::format_code(&row.code).to_lowercase(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["status"], "valid");
    assert_eq!(v["seal_ok"], true);
    let shown = v["holders"].to_string();
    assert!(shown.contains("张*") && !shown.contains("张三"), "{shown}");
    let page = app.get(&format!("/verify?code={}", row.code)).await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("电子证照查验"));
    assert!(
        html.contains("data-status=\"valid\""),
        "the page shows the status"
    );
    assert!(html.contains(&row.number));
    assert!(!html.contains("张三"), "no full names on the public page");

    // The public answer holds no full name (the signed statement does: it
    // goes to the case's people only).
    assert!(v.get("statement").is_none(), "{v}");
    assert!(
        !v.to_string().contains("张三") && !v.to_string().contains("王五"),
        "{v}"
    );
    let own = app
        .get_with_cookie(
            &format!("/applications/{id}/ecerts/certificate/statement"),
            &cookie,
        )
        .await;
    assert_eq!(own.status(), StatusCode::OK);
    let own: Value = own.json().await.unwrap();
    // Offline: the statement and signature check against the published
    // key, and fail when one character changes.
    let key: Value = app.get("/verify/key.json").await.json().await.unwrap();
    let public = key["public_key"].as_str().unwrap();
    let signed = own["statement"].as_str().unwrap();
    let sig = own["signature"].as_str().unwrap();
    assert!(app::ops::seal::verify_with_public(
        public,
        signed.as_bytes(),
        sig
    ));
    let forged = signed.replace("张三", "赵六");
    assert!(!app::ops::seal::verify_with_public(
        public,
        forged.as_bytes(),
        sig
    ));
    let pem = app.get("/verify/key").await.text().await.unwrap();
    assert!(pem.starts_with("-----BEGIN PUBLIC KEY-----"));

    // The file: the applicant downloads it (twice: the same bytes), nobody
    // else can; the file checks as the one issued, a changed one does not.
    let path = format!("/applications/{id}/ecerts/certificate");
    let res = app.get_with_cookie(&path, &cookie).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    let pdf = res.bytes().await.unwrap().to_vec();
    assert!(pdf.starts_with(b"%PDF-"));
    let again = app
        .get_with_cookie(&path, &cookie)
        .await
        .bytes()
        .await
        .unwrap()
        .to_vec();
    assert_eq!(pdf, again, "the kept file, not a new drawing");
    if let Some(text) = text_of(&pdf) {
        let flat: String = text.split_whitespace().collect();
        assert!(
            flat.contains(&app::domain::ecert::format_code(&row.code)),
            "{text}"
        );
        assert!(flat.contains("张三"));
    }
    let stranger = crate::citizen::sign_in(app, crate::citizen::OTHER_MOBILE).await;
    assert_eq!(
        app.get_with_cookie(&path, &stranger).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get_with_cookie(&format!("{path}/statement"), &stranger)
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_ne!(app.get(&path).await.status(), StatusCode::OK);
    assert_eq!(
        app.get_with_cookie(&format!("/applications/{id}/ecerts/proof"), &cookie)
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let (location, file_cookie) = check_file_with_cookie(app, pdf.clone()).await;
    assert_eq!(location, format!("/verify?code={}&file=same", row.code));
    // The result shows only in the browser that uploaded: the same address
    // without its cookie (a link a forger sends) says nothing of a file.
    let with = app
        .get_with_cookie(&location, &file_cookie)
        .await
        .text()
        .await
        .unwrap();
    assert!(with.contains("完全一致"), "the uploader sees the match");
    let without = app.get(&location).await.text().await.unwrap();
    assert!(!without.contains("完全一致") && without.contains("data-status=\"valid\""));
    let forged = file_cookie.replacen("same", "same.x", 1);
    let other = app
        .get_with_cookie(&location, &forged)
        .await
        .text()
        .await
        .unwrap();
    assert!(
        !other.contains("完全一致"),
        "a changed cookie counts for nothing"
    );
    let elsewhere = app
        .get_with_cookie("/verify?code=ZZZZZZZZZZZZZZZZ&file=same", &file_cookie)
        .await
        .text()
        .await
        .unwrap();
    assert!(
        !elsewhere.contains("完全一致"),
        "the match is for its own code only"
    );
    let mut tampered = pdf.clone();
    let at = tampered.len() / 2;
    tampered[at] ^= 1;
    let (location, file_cookie) = check_file_with_cookie(app, tampered).await;
    assert_eq!(location, "/verify?file=unknown");
    let page = app
        .get_with_cookie(&location, &file_cookie)
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("不是登记机构签发的电子证照"));
    assert_eq!(check_file(app, Vec::new()).await, "/verify?file=invalid");

    // Junk codes: not found, no error.
    for junk in [
        "",
        "xyz",
        "ZZZZ-ZZZZ-ZZZZ-ZZZZ",
        "%27%3B",
        "中文中文中文中文中文中文中文中文",
    ] {
        let (status, _) = verify(app, junk).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{junk}");
    }
    // A control character is refused before any handler (hardening).
    assert_eq!(verify(app, "%00").await.0, StatusCode::BAD_REQUEST);
    let page = app.get("/verify?code=ZZZZ-ZZZZ-ZZZZ-ZZZZ").await;
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page
        .text()
        .await
        .unwrap()
        .contains("没有这个验证码对应的电子证照"));

    // A record changed behind the seal's back no longer checks.
    let original = row.statement.clone();
    app::execute!(
        &app.db,
        "UPDATE ecerts SET statement = $1 WHERE id = $2",
        original.replace("张三", "赵六"),
        &row.id
    )
    .unwrap();
    let (_, v) = verify(app, &row.code).await;
    assert_eq!(v["seal_ok"], false);
    app::execute!(
        &app.db,
        "UPDATE ecerts SET statement = $1 WHERE id = $2",
        &original,
        &row.id
    )
    .unwrap();
    assert_eq!(verify(app, &row.code).await.1["seal_ok"], true);

    // A second registration on the same unit supersedes the first.
    let (_, second) = issued(app, Some(&cookie)).await;
    let newer = app::db::ecerts::of_application(&app.db, &second)
        .await
        .unwrap();
    assert_eq!(newer.len(), 1);
    assert_eq!(newer[0].unit_number, row.unit_number);
    assert!(
        newer[0].number.ends_with("第0000002号"),
        "{}",
        newer[0].number
    );
    let (_, v) = verify(app, &row.code).await;
    assert_eq!(v["status"], "superseded");
    assert_eq!(verify(app, &newer[0].code).await.1["status"], "valid");
    let html = app
        .get(&format!("/verify?code={}", row.code))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("已被新的登记取代"));

    // Revoked by the centre: the reason is shown.
    assert!(
        app::db::ecerts::revoke(&app.db, &newer[0].id, "法院判决更正")
            .await
            .unwrap()
    );
    assert!(!app::db::ecerts::revoke(&app.db, &newer[0].id, "again")
        .await
        .unwrap());
    let (_, v) = verify(app, &newer[0].code).await;
    assert_eq!(v["status"], "revoked");
    assert_eq!(v["reason"], "法院判决更正");
}

on_both_backends!(an_issued_case_is_sealed_and_anyone_can_verify_it);

/// Checks are counted per address and the count holds under parallel
/// requests: of 20 at once with an allowance of 5, exactly 5 are answered.
async fn checks_are_limited_per_address(app: &TestApp) {
    let tries = (0..20).map(|i| {
        let url = app.url(&format!("/api/v1/verify?code=ZZZZZZZZZZZZZZZ{}", i % 10));
        let client = app.client.clone();
        async move { client.get(url).send().await.unwrap() }
    });
    let answers = futures::future::join_all(tries).await;
    let limited: Vec<&reqwest::Response> = answers
        .iter()
        .filter(|r| r.status() == StatusCode::TOO_MANY_REQUESTS)
        .collect();
    assert_eq!(limited.len(), 15);
    assert!(limited
        .iter()
        .all(|r| r.headers().contains_key("retry-after")));
    assert_eq!(
        answers
            .iter()
            .filter(|r| r.status() == StatusCode::NOT_FOUND)
            .count(),
        5
    );
}

mod limited {
    fn policy() -> app::services::Policy {
        app::services::Policy {
            lookups_per_ip_10min: 5,
            ..Default::default()
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        crate::helpers::run_with(crate::helpers::Backend::Sqlite, policy(), |app| {
            Box::pin(async move { super::checks_are_limited_per_address(app).await })
        })
        .await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        crate::helpers::run_with(crate::helpers::Backend::Postgres, policy(), |app| {
            Box::pin(async move { super::checks_are_limited_per_address(app).await })
        })
        .await;
    }
}
