//! Citizen sign-in, sessions, the application wizard, submission, access
//! control and the public lookup, through HTTP on both backends.

use crate::helpers::{Backend, TestApp};
use crate::on_both_backends;
use app::services::Policy;
use reqwest::StatusCode;
use serde_json::Value;

pub const HOLDER_A: (&str, &str, &str) = ("张三", "330203198501011238", "13800138001");
pub const HOLDER_B: (&str, &str, &str) = ("李四", "330203198802022344", "13900139002");
pub const SELLER: (&str, &str, &str) = ("王五", "330203196003033451", "13700137003");
pub const OTHER_MOBILE: &str = "13600136004";
pub const BANK_CODE: &str = "91350100M000100Y43";

/// The latest sign-in code sent to a mobile number, read from the outbox.
pub async fn latest_code(app: &TestApp, mobile: &str) -> String {
    let rows = app::db::recent_messages(&app.db, 200)
        .await
        .expect("outbox");
    let row = rows
        .into_iter()
        .find(|r| r.recipient == mobile && r.template == "signin_code")
        .expect("a code was queued");
    row.params()["code"].as_str().expect("code").to_string()
}

/// Request a code, read it from the outbox, verify it; the session cookie.
pub async fn sign_in(app: &TestApp, mobile: &str) -> String {
    let res = app
        .server_fn("auth/request_code", &[("mobile", mobile)])
        .await;
    assert_eq!(res.status(), StatusCode::OK, "request_code");
    let challenge: String = res.json().await.expect("challenge");
    let code = latest_code(app, mobile).await;
    let res = app
        .server_fn("auth/verify_code", &[("c", &challenge), ("code", &code)])
        .await;
    assert_eq!(res.status(), StatusCode::OK, "verify_code");
    session_cookie(&res).expect("session cookie set")
}

pub fn session_cookie(res: &reqwest::Response) -> Option<String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("onetrip_session=") && !v.starts_with("onetrip_session=;"))
        .map(|v| v.split(';').next().unwrap_or_default().to_string())
}

pub async fn call(
    app: &TestApp,
    cookie: &str,
    endpoint: &str,
    form: &[(&str, &str)],
) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/api/{endpoint}")))
        .header("cookie", cookie)
        .form(form)
        .send()
        .await
        .expect("POST")
}

pub async fn csrf(app: &TestApp, cookie: &str) -> String {
    let me: Value = call(app, cookie, "auth/me", &[])
        .await
        .json()
        .await
        .expect("me");
    me["csrf"].as_str().expect("signed in").to_string()
}

fn party(
    i: usize,
    role: &str,
    p: (&str, &str, &str),
    id_type: &str,
    share: &str,
) -> Vec<(String, String)> {
    vec![
        (format!("f[party{i}_role]"), role.into()),
        (format!("f[party{i}_name]"), p.0.into()),
        (format!("f[party{i}_id_type]"), id_type.into()),
        (format!("f[party{i}_id_number]"), p.1.into()),
        (format!("f[party{i}_mobile]"), p.2.into()),
        (format!("f[party{i}_share]"), share.into()),
    ]
}

async fn step(
    app: &TestApp,
    cookie: &str,
    csrf: &str,
    id: &str,
    step: &str,
    op: &str,
    fields: Vec<(String, String)>,
) -> reqwest::Response {
    let mut form: Vec<(String, String)> = vec![
        ("id".into(), id.into()),
        ("step".into(), step.into()),
        ("csrf".into(), csrf.into()),
        ("op".into(), op.into()),
    ];
    form.extend(fields);
    app.client
        .post(app.url("/api/applications/save_step"))
        .header("cookie", cookie)
        .form(&form)
        .send()
        .await
        .expect("save_step")
}

/// File a complete 带押过户 (transfer with mortgage) draft: two right holders
/// 50/50, the seller, the new bank. Returns the application id.
/// One more submitted application of a signed-in citizen: its id.
pub async fn submit(app: &TestApp, cookie: &str) -> String {
    let id = complete_draft(app, cookie).await;
    let token = csrf(app, cookie).await;
    let res = call(
        app,
        cookie,
        "applications/submit",
        &[("id", &id), ("csrf", &token)],
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK, "submit");
    id
}

pub async fn complete_draft(app: &TestApp, cookie: &str) -> String {
    let csrf = csrf(app, cookie).await;
    let res = call(
        app,
        cookie,
        "applications/start",
        &[("matter", "TRANSFER-WITH-MORTGAGE"), ("csrf", &csrf)],
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK, "start");
    let id: String = res.json().await.expect("id");
    let ok = |r: reqwest::Response, what: &'static str| async move {
        let s = r.status();
        let body = r.text().await.unwrap_or_default();
        assert_eq!(s, StatusCode::OK, "{what}: {body}");
    };
    ok(
        step(
            app,
            cookie,
            &csrf,
            &id,
            "property",
            "next",
            vec![
                (
                    "f[unit_number]".into(),
                    "320684413219GB00029F00010002".into(),
                ),
                ("f[certificate_number]".into(), "".into()),
                (
                    "f[address]".into(),
                    "明州市海曙区望京路 8 号 3 幢 1201 室".into(),
                ),
                ("f[secured_amount]".into(), "1,200,000".into()),
            ],
        )
        .await,
        "property",
    )
    .await;
    // The new draft has one empty party per role; add a second right holder.
    ok(
        step(
            app,
            cookie,
            &csrf,
            &id,
            "parties",
            "add:right_holder",
            vec![],
        )
        .await,
        "add",
    )
    .await;
    let mut parties = Vec::new();
    parties.extend(party(0, "right_holder", HOLDER_A, "resident_id", "50"));
    parties.extend(party(1, "obligor", SELLER, "resident_id", ""));
    parties.extend(party(
        2,
        "mortgagee",
        ("明州银行", BANK_CODE, "13500135005"),
        "organisation",
        "",
    ));
    parties.extend(party(3, "right_holder", HOLDER_B, "resident_id", "50"));
    ok(
        step(app, cookie, &csrf, &id, "parties", "next", parties).await,
        "parties",
    )
    .await;
    ok(
        step(
            app,
            cookie,
            &csrf,
            &id,
            "agent",
            "next",
            vec![("f[filing_for]".into(), "self".into())],
        )
        .await,
        "agent",
    )
    .await;
    let view: Value = call(app, cookie, "applications/get", &[("id", &id)])
        .await
        .json()
        .await
        .expect("view");
    let required: Vec<(String, String)> = view["matter"]["checklist"]
        .as_array()
        .expect("checklist")
        .iter()
        .filter(|i| i["requirement"] == "required")
        .map(|i| {
            (
                format!("f[material_{}]", i["material"].as_str().unwrap_or_default()),
                "on".to_string(),
            )
        })
        .collect();
    ok(
        step(app, cookie, &csrf, &id, "materials", "next", required).await,
        "materials",
    )
    .await;
    ok(
        step(
            app,
            cookie,
            &csrf,
            &id,
            "declarations",
            "next",
            vec![("f[truthful]".into(), "on".into())],
        )
        .await,
        "declarations",
    )
    .await;
    id
}

async fn code_expiry_reuse_and_limits(app: &TestApp) {
    // Bad numbers are refused with a field error in both languages.
    let res = app
        .server_fn("auth/request_code", &[("mobile", "12345")])
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = res.json().await.expect("json");
    assert_eq!(body["Validation"][0]["field"], "mobile");

    // Five wrong tries lock the code, even for the right code afterwards.
    let res = app
        .server_fn("auth/request_code", &[("mobile", "13800000001")])
        .await;
    let challenge: String = res.json().await.expect("challenge");
    let code = latest_code(app, "13800000001").await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for i in 0..5 {
        let res = app
            .server_fn("auth/verify_code", &[("c", &challenge), ("code", wrong)])
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body: Value = res.json().await.expect("json");
        let expected = if i < 4 { "code.wrong" } else { "code.expired" };
        assert_eq!(body["Validation"][0]["code"], expected, "try {i}");
    }
    let res = app
        .server_fn("auth/verify_code", &[("c", &challenge), ("code", &code)])
        .await;
    assert_eq!(
        res.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "locked after 5 wrong tries"
    );
    assert!(session_cookie(&res).is_none());

    // A code works once.
    let res = app
        .server_fn("auth/request_code", &[("mobile", "13800000002")])
        .await;
    let challenge: String = res.json().await.expect("challenge");
    let code = latest_code(app, "13800000002").await;
    let ok = app
        .server_fn("auth/verify_code", &[("c", &challenge), ("code", &code)])
        .await;
    assert_eq!(ok.status(), StatusCode::OK);
    let cookie_header = ok
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("onetrip_session="))
        .expect("cookie")
        .to_string();
    for attr in ["HttpOnly", "SameSite=Lax", "Secure", "Path=/"] {
        assert!(
            cookie_header.contains(attr),
            "cookie lacks {attr}: {cookie_header}"
        );
    }
    let again = app
        .server_fn("auth/verify_code", &[("c", &challenge), ("code", &code)])
        .await;
    assert_eq!(
        again.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "reuse refused"
    );

    // A code expires after 5 minutes.
    let res = app
        .server_fn("auth/request_code", &[("mobile", "13800000003")])
        .await;
    let challenge: String = res.json().await.expect("challenge");
    let code = latest_code(app, "13800000003").await;
    app::execute!(
        &app.db,
        "UPDATE signin_codes SET expires_at = $1 WHERE id = $2",
        app::db::now_ms() - 1,
        &challenge
    )
    .expect("age the code");
    let res = app
        .server_fn("auth/verify_code", &[("c", &challenge), ("code", &code)])
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "expired");
    let body: Value = res.json().await.expect("json");
    assert_eq!(body["Validation"][0]["code"], "code.expired");

    // One code per number per minute: 429 with Retry-After.
    let res = app
        .server_fn("auth/request_code", &[("mobile", "13800000003")])
        .await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry), "retry-after {retry}");

    // Nothing in the code table is stored in clear.
    let stored: Vec<(String,)> =
        app::fetch_all!(&app.db, (String,), "SELECT code_hash FROM signin_codes").expect("codes");
    assert!(stored.iter().all(|(h,)| h.len() == 64 && h != &code));
}

async fn codes_are_limited_per_address() {
    // The per-address limit needs its own server with a small limit.
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let policy = Policy {
            codes_per_ip_hour: 3,
            ..Policy::default()
        };
        let Some(app) = TestApp::spawn_with(backend, policy).await else {
            continue;
        };
        for i in 0..3 {
            let res = app
                .server_fn(
                    "auth/request_code",
                    &[("mobile", &format!("1380000100{i}"))],
                )
                .await;
            assert_eq!(res.status(), StatusCode::OK);
        }
        let res = app
            .server_fn("auth/request_code", &[("mobile", "13800001009")])
            .await;
        assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
        assert!(res.headers().contains_key("retry-after"));
        // The refused request left no code behind.
        let n: Vec<(String,)> = app::fetch_all!(
            &app.db,
            (String,),
            "SELECT id FROM signin_codes WHERE mobile = $1",
            "13800001009"
        )
        .expect("q");
        assert!(n.is_empty());
        app.cleanup().await;
    }
}

/// Behind one proxy of our own, forged `X-Forwarded-For` entries do not
/// dodge the per-address limit: the address the proxy appended (right-most)
/// is the client's.
async fn forged_forwarded_addresses_share_the_real_client_s_limit() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let policy = Policy {
            codes_per_ip_hour: 3,
            trusted_proxies: 1,
            ..Policy::default()
        };
        let Some(app) = TestApp::spawn_with(backend, policy).await else {
            continue;
        };
        let ask = |i: u32, xff: String| {
            let app = &app;
            async move {
                app.client
                    .post(app.url("/api/auth/request_code"))
                    .header("x-forwarded-for", xff)
                    .form(&[("mobile", format!("1380000{:04}", 2000 + i))])
                    .send()
                    .await
                    .unwrap()
                    .status()
            }
        };
        // 40 requests, each with another forged address in front of the
        // one our proxy appended: three pass, the rest are limited.
        let mut passed = 0;
        for i in 0..40 {
            let status = ask(i, format!("10.9.{}.{}, 203.0.113.7", i / 200, i % 200)).await;
            if status == StatusCode::OK {
                passed += 1;
            } else {
                assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
            }
        }
        assert_eq!(passed, 3, "one client, one limit");
        // Another real client (another address appended by the proxy) has its own.
        assert_eq!(ask(99, "203.0.113.8".into()).await, StatusCode::OK);
        app.cleanup().await;
    }
}

async fn sessions_rotate_time_out_and_sign_out_everywhere() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let policy = Policy {
            code_interval_ms: 1,
            ..Policy::default()
        };
        let Some(app) = TestApp::spawn_with(backend, policy).await else {
            continue;
        };
        let first = sign_in(&app, HOLDER_A.2).await;
        let me: Value = call(&app, &first, "auth/me", &[])
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(me["mobile_masked"], "138****8001");

        // Signing in again from the same browser rotates the token.
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        let res = app
            .server_fn("auth/request_code", &[("mobile", HOLDER_A.2)])
            .await;
        let challenge: String = res.json().await.unwrap();
        let code = latest_code(&app, HOLDER_A.2).await;
        let res = call(
            &app,
            &first,
            "auth/verify_code",
            &[("c", &challenge), ("code", &code)],
        )
        .await;
        let second = session_cookie(&res).expect("new cookie");
        assert_ne!(first, second);
        let old: Value = call(&app, &first, "auth/me", &[])
            .await
            .json()
            .await
            .unwrap();
        assert!(old.is_null(), "the old token no longer works");

        // A second device.
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        let phone = sign_in(&app, HOLDER_A.2).await;
        // Sign-out needs the session's CSRF token.
        let res = call(
            &app,
            &second,
            "auth/sign_out",
            &[("csrf", "forged"), ("everywhere", "1")],
        )
        .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        let token = csrf(&app, &second).await;
        let res = call(
            &app,
            &second,
            "auth/sign_out",
            &[("csrf", &token), ("everywhere", "1")],
        )
        .await;
        assert_eq!(res.status(), StatusCode::OK);
        for c in [&second, &phone] {
            let me: Value = call(&app, c, "auth/me", &[]).await.json().await.unwrap();
            assert!(me.is_null(), "signed out everywhere");
        }

        // Idle timeout.
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        let c = sign_in(&app, HOLDER_B.2).await;
        let idle = app.state.services.policy.session_idle_ms;
        app::execute!(
            &app.db,
            "UPDATE sessions SET last_seen_at = $1",
            app::db::now_ms() - idle - 1000
        )
        .unwrap();
        let me: Value = call(&app, &c, "auth/me", &[]).await.json().await.unwrap();
        assert!(me.is_null(), "idle session expired");
        app.cleanup().await;
    }
}

async fn submit_is_idempotent_under_50_parallel_requests(app: &TestApp) {
    let cookie = sign_in(app, HOLDER_A.2).await;
    let id = complete_draft(app, &cookie).await;
    let token = csrf(app, &cookie).await;
    let calls = (0..50).map(|_| {
        let (cookie, token, id) = (cookie.clone(), token.clone(), id.clone());
        async move {
            let res = call(
                app,
                &cookie,
                "applications/submit",
                &[("id", &id), ("csrf", &token)],
            )
            .await;
            let status = res.status();
            let body = res.text().await.unwrap_or_default();
            assert_eq!(status, StatusCode::OK, "{body}");
            serde_json::from_str::<String>(&body).expect("receipt")
        }
    });
    let receipts = futures::future::join_all(calls).await;
    let first = receipts[0].clone();
    assert!(
        receipts.iter().all(|r| *r == first),
        "every call answers the same receipt"
    );
    assert!(app::domain::application::normalize_receipt(&first).as_deref() == Some(first.as_str()));
    let apps: Vec<(String,)> = app::fetch_all!(
        &app.db,
        (String,),
        "SELECT id FROM applications WHERE status = 'submitted'"
    )
    .unwrap();
    assert_eq!(apps.len(), 1);
    let events: Vec<(String,)> =
        app::fetch_all!(&app.db, (String,), "SELECT kind FROM application_events").unwrap();
    assert_eq!(events, vec![("submitted".to_string(),)]);
    let notices: Vec<(String,)> = app::fetch_all!(
        &app.db,
        (String,),
        "SELECT recipient FROM outbox WHERE template = 'receipt'"
    )
    .unwrap();
    assert_eq!(notices, vec![(HOLDER_A.2.to_string(),)]);
    let parties: Vec<(String,)> =
        app::fetch_all!(&app.db, (String,), "SELECT name FROM application_parties").unwrap();
    assert_eq!(parties.len(), 4);
}

async fn invalid_steps_are_saved_and_reported(app: &TestApp) {
    let cookie = sign_in(app, HOLDER_A.2).await;
    let token = csrf(app, &cookie).await;
    let res = call(
        app,
        &cookie,
        "applications/start",
        &[("matter", "RESALE-TRANSFER"), ("csrf", &token)],
    )
    .await;
    let id: String = res.json().await.unwrap();
    // A wrong check character: 422 naming the expected character; the draft keeps the value.
    let mut fields = party(
        0,
        "right_holder",
        ("张三", "330203198501011239", HOLDER_A.2),
        "resident_id",
        "",
    );
    fields.extend(party(1, "obligor", ("", "", "123"), "resident_id", ""));
    let res = step(app, &cookie, &token, &id, "parties", "next", fields).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = res.json().await.unwrap();
    let errs = body["Validation"].as_array().unwrap();
    let id_err = errs
        .iter()
        .find(|e| e["field"] == "party0_id_number")
        .expect("id error");
    assert!(
        id_err["zh"].as_str().unwrap().contains("应为 8"),
        "{id_err}"
    );
    assert!(errs
        .iter()
        .any(|e| e["field"] == "party1_name" && e["code"] == "empty"));
    assert!(errs.iter().any(|e| e["field"] == "party1_mobile"));
    let view: Value = call(app, &cookie, "applications/get", &[("id", &id)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        view["draft"]["parties"][0]["id_number"], "330203198501011239",
        "nothing typed is lost"
    );
    // Submitting an incomplete application is refused.
    let res = call(
        app,
        &cookie,
        "applications/submit",
        &[("id", &id), ("csrf", &token)],
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let n: Vec<(String,)> = app::fetch_all!(
        &app.db,
        (String,),
        "SELECT id FROM applications WHERE status <> 'draft'"
    )
    .unwrap();
    assert!(n.is_empty());
    // A plain form post (no JavaScript) is answered with a redirect back to the step.
    let res = app
        .client
        .post(app.url("/api/applications/save_step"))
        .header("cookie", &cookie)
        .header("accept", "text/html")
        .form(&[
            ("id", id.as_str()),
            ("step", "property"),
            ("csrf", &token),
            ("op", "next"),
            ("f[address]", "x"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FOUND);
    assert_eq!(res.headers()["location"], format!("/apply/{id}/property"));
    let page = app
        .get_with_cookie(&format!("/apply/{id}/property"), &cookie)
        .await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("error-summary"),
        "errors shown after the attempt"
    );
    assert!(html.contains("请填写不动产单元号或不动产权证书号"));
}

async fn access_control_matrix(app: &TestApp) {
    let filer = sign_in(app, HOLDER_A.2).await;
    let id = complete_draft(app, &filer).await;
    let token = csrf(app, &filer).await;
    // Before submission only the filer sees the draft.
    let co_party = sign_in(app, HOLDER_B.2).await;
    let res = call(app, &co_party, "applications/get", &[("id", &id)]).await;
    assert_eq!(
        res.status(),
        StatusCode::NOT_FOUND,
        "a draft is the filer's alone"
    );
    let res = call(
        app,
        &filer,
        "applications/submit",
        &[("id", &id), ("csrf", &token)],
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let other = sign_in(app, OTHER_MOBILE).await;
    let other_token = csrf(app, &other).await;
    let co_token = csrf(app, &co_party).await;

    // get_application: filer and co-party 200, other 404, anonymous 401.
    assert_eq!(
        call(app, &filer, "applications/get", &[("id", &id)])
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        call(app, &co_party, "applications/get", &[("id", &id)])
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        call(app, &other, "applications/get", &[("id", &id)])
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.server_fn("applications/get", &[("id", &id)])
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    // An id that does not exist looks the same as another's.
    assert_eq!(
        call(
            app,
            &other,
            "applications/get",
            &[("id", "00000000-0000-4000-8000-000000000000")]
        )
        .await
        .status(),
        StatusCode::NOT_FOUND
    );
    // Pages: the other citizen gets 404.
    let page = app
        .get_with_cookie(&format!("/applications/{id}"), &other)
        .await;
    assert_eq!(page.status(), StatusCode::NOT_FOUND);
    let page = app
        .get_with_cookie(&format!("/applications/{id}"), &co_party)
        .await;
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("李四"));
    // Lists.
    let mine: Value = call(app, &co_party, "applications/mine", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine.as_array().unwrap().len(), 1);
    assert_eq!(mine[0]["is_filer"], false);
    let theirs: Value = call(app, &other, "applications/mine", &[])
        .await
        .json()
        .await
        .unwrap();
    assert!(theirs.as_array().unwrap().is_empty());
    // Only the filer may withdraw; others get 404 and nothing changes.
    assert_eq!(
        call(
            app,
            &other,
            "applications/withdraw",
            &[("id", &id), ("csrf", &other_token)]
        )
        .await
        .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        call(
            app,
            &co_party,
            "applications/withdraw",
            &[("id", &id), ("csrf", &co_token)]
        )
        .await
        .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        call(
            app,
            &filer,
            "applications/withdraw",
            &[("id", &id), ("csrf", "forged")]
        )
        .await
        .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        call(
            app,
            &filer,
            "applications/withdraw",
            &[("id", &id), ("csrf", &token)]
        )
        .await
        .status(),
        StatusCode::OK
    );
    let view: Value = call(app, &co_party, "applications/get", &[("id", &id)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(view["status"], "withdrawn");
    assert_eq!(view["events"].as_array().unwrap().len(), 2);
    // A second withdrawal is a conflict, not a second event.
    assert_eq!(
        call(
            app,
            &filer,
            "applications/withdraw",
            &[("id", &id), ("csrf", &token)]
        )
        .await
        .status(),
        StatusCode::CONFLICT
    );
}

async fn cross_site_posts_are_refused(app: &TestApp) {
    let res = app
        .client
        .post(app.url("/api/auth/request_code"))
        .header("origin", "https://evil.example")
        .form(&[("mobile", "13800000009")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = app
        .client
        .post(app.url("/api/auth/request_code"))
        .header("sec-fetch-site", "cross-site")
        .form(&[("mobile", "13800000009")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let none: Vec<(String,)> =
        app::fetch_all!(&app.db, (String,), "SELECT id FROM signin_codes").unwrap();
    assert!(none.is_empty(), "a refused request did nothing");
    // The same request from our own origin works.
    let res = app
        .client
        .post(app.url("/api/auth/request_code"))
        .header("origin", app.base.clone())
        .header("sec-fetch-site", "same-origin")
        .form(&[("mobile", "13800000009")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

async fn no_js_sign_in_redirects(app: &TestApp) {
    let html = |path: &str| {
        app.client
            .post(app.url(path))
            .header("accept", "text/html,application/xhtml+xml")
    };
    let res = html("/api/auth/request_code")
        .form(&[("mobile", "１３８ ００００ ０００７"), ("next", "/me")])
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::FOUND,
        "full-width digits and spaces are fine"
    );
    let loc = res.headers()["location"].to_str().unwrap().to_string();
    assert!(loc.starts_with("/signin/verify?c="), "{loc}");
    let res = html("/api/auth/request_code")
        .form(&[("mobile", "abc"), ("next", "https://evil.example/")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FOUND);
    let loc = res.headers()["location"].to_str().unwrap().to_string();
    assert!(loc.starts_with("/signin?error=mobile.format"), "{loc}");
    assert!(!loc.contains("evil"), "no open redirect: {loc}");
    let page = app.get(&loc).await;
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page
        .text()
        .await
        .unwrap()
        .contains("手机号码应为以 1 开头的 11 位数字"));
}

on_both_backends!(
    code_expiry_reuse_and_limits,
    submit_is_idempotent_under_50_parallel_requests,
    invalid_steps_are_saved_and_reported,
    access_control_matrix,
    cross_site_posts_are_refused,
    no_js_sign_in_redirects,
);

/// These two need a server with their own policy, on each backend in turn.
mod own_policy {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn codes_are_limited_per_address() {
        super::codes_are_limited_per_address().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn forged_forwarded_addresses_share_the_real_client_s_limit() {
        super::forged_forwarded_addresses_share_the_real_client_s_limit().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sessions_rotate_time_out_and_sign_out_everywhere() {
        super::sessions_rotate_time_out_and_sign_out_everywhere().await;
    }
}
