//! The clerks' workbench through HTTP on both backends: staff sign-in and
//! lockout, administration, queues, taking a case (one winner), the whole
//! lifecycle with a one-time correction notice, illegal and stale moves,
//! site authorisation, and the audit chain.

use crate::citizen::{call, csrf, sign_in, HOLDER_A};
use crate::documents::{upload, Filer};
use crate::helpers::TestApp;
use crate::on_both_backends;
use reqwest::StatusCode;
use serde_json::Value;

const PASSWORD: &str = "correct horse battery";

/// Create a staff account directly (as `onetrip create-admin` would).
pub async fn staff(app: &TestApp, username: &str, role: &str, sites: &[&str]) {
    let hash = app::services::hash_password(PASSWORD.into()).await.unwrap();
    let sites: Vec<String> = sites.iter().map(|s| s.to_string()).collect();
    let id = uuid::Uuid::new_v4().to_string();
    assert!(
        app::db::insert_staff(&app.db, &id, username, username, &hash, role, &sites)
            .await
            .unwrap()
    );
}

fn staff_cookie(res: &reqwest::Response) -> Option<String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("onetrip_staff=") && !v.starts_with("onetrip_staff=;"))
        .map(|v| v.split(';').next().unwrap_or_default().to_string())
}

async fn staff_sign_in(app: &TestApp, username: &str, password: &str) -> reqwest::Response {
    app.server_fn(
        "staff/sign_in",
        &[("username", username), ("password", password)],
    )
    .await
}

/// Signed-in staff: cookie and CSRF token.
pub struct Staff {
    pub cookie: String,
    pub csrf: String,
}

pub async fn signed_in(app: &TestApp, username: &str) -> Staff {
    let res = staff_sign_in(app, username, PASSWORD).await;
    assert_eq!(res.status(), StatusCode::OK, "staff sign-in");
    let cookie = staff_cookie(&res).expect("staff cookie");
    let me: Value = call(app, &cookie, "staff/me", &[])
        .await
        .json()
        .await
        .unwrap();
    Staff {
        csrf: me["csrf"].as_str().expect("signed in").to_string(),
        cookie,
    }
}

/// A move, with what must come before it done first: every named party
/// confirms before a pre-acceptance, and every party is recorded present
/// before an acceptance (the journeys that test those gates themselves, in
/// people.rs, use [`act_raw`]).
pub async fn act(
    app: &TestApp,
    s: &Staff,
    id: &str,
    version: i64,
    action: &str,
    extra: &[(&str, &str)],
) -> reqwest::Response {
    let mut version = version;
    match action {
        "pre_accept" => confirm_all(app, id).await,
        "accept" => visit_all(app, s, id).await,
        "advance" => {
            let mut c = case(app, s, id).await;
            // A move to the other desk released the case; whoever goes on
            // with it here takes it again.
            if c["assignee"].is_null() && take(app, s, id).await == StatusCode::OK {
                c = case(app, s, id).await;
                version = c["version"].as_i64().unwrap();
            }
            // Fees paid records the amounts: what a residential case owes.
            if c["stage"] == "certificate" && extra.is_empty() {
                let due: i64 = c["matter"]["fees"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|l| l["item"] == "residential")
                    .map(|l| l["amount_fen"].as_i64().unwrap())
                    .sum();
                let paid = app::domain::fees::yuan(due);
                let fee = [
                    ("f[fee_use]", "residential"),
                    ("f[fee_certs]", "1"),
                    ("f[fee_method]", "wechat"),
                    ("f[fee_paid]", paid.as_str()),
                ];
                return act_raw(app, s, id, version, action, &fee).await;
            }
        }
        _ => {}
    }
    act_raw(app, s, id, version, action, extra).await
}

/// Set-up: every named party not yet agreeing confirms the application as
/// it is now.
pub async fn confirm_all(app: &TestApp, id: &str) {
    use app::domain::people::Standing;
    // Only a case in pre-review can be pre-accepted.
    let row = app::db::application_row(&app.db, id).await.expect("row");
    if row.map(|r| r.stage) != Some("pre_review".into()) {
        return;
    }
    let p = app::ops::people::people(&app.db, id).await.expect("people");
    let waiting: Vec<i64> = p
        .standings
        .iter()
        .filter(|s| matches!(s.standing, Standing::Waiting | Standing::Outdated))
        .map(|s| s.idx)
        .collect();
    for idx in waiting {
        app::db::record_confirmation(
            &app.db,
            &app::db::Confirm {
                identity_level: 0,
                identity_method: "window",
                identity_check: None,
                application_id: id,
                parties: &[idx],
                kind: "confirmed",
                content_hash: &p.hash,
                channel: "online",
                actor_id: "test-setup",
                actor_role: None,
                note: "",
                supervisors: &[],
                today: "2026-01-01",
                lang: app::domain::Lang::Zh,
            },
        )
        .await
        .expect("confirm");
    }
}

/// Set-up: the clerk records a visit with every party present.
pub async fn visit_all(app: &TestApp, s: &Staff, id: &str) {
    let n = app::db::parties(&app.db, id).await.expect("parties").len();
    let keys: Vec<String> = (0..n).map(|i| format!("f[present-{i}]")).collect();
    let mut form = vec![("id", id), ("csrf", s.csrf.as_str())];
    form.extend(keys.iter().map(|k| (k.as_str(), "1")));
    call(app, &s.cookie, "cases/record_visit", &form).await;
}

pub async fn act_raw(
    app: &TestApp,
    s: &Staff,
    id: &str,
    version: i64,
    action: &str,
    extra: &[(&str, &str)],
) -> reqwest::Response {
    let v = version.to_string();
    let mut form = vec![
        ("id", id),
        ("csrf", s.csrf.as_str()),
        ("version", v.as_str()),
        ("action", action),
    ];
    form.extend_from_slice(extra);
    call(app, &s.cookie, "cases/act", &form).await
}

pub async fn case(app: &TestApp, s: &Staff, id: &str) -> Value {
    let res = call(app, &s.cookie, "cases/get", &[("id", id)]).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

pub async fn take(app: &TestApp, s: &Staff, id: &str) -> StatusCode {
    call(
        app,
        &s.cookie,
        "cases/assign",
        &[("id", id), ("csrf", &s.csrf), ("op", "take")],
    )
    .await
    .status()
}

/// A citizen's submitted application: (citizen cookie, application id).
pub async fn submitted(app: &TestApp) -> (String, String) {
    let cookie = sign_in(app, HOLDER_A.2).await;
    let id = crate::citizen::submit(app, &cookie).await;
    (cookie, id)
}

fn res_is_refused(body: &Value) -> bool {
    body["Validation"][0]["field"] == "password"
}

async fn staff_sign_in_and_lockout(app: &TestApp) {
    staff(app, "clerk.li", "clerk", &["MAIN"]).await;
    // Unknown user and wrong password answer alike.
    for (u, p) in [("nobody", PASSWORD), ("clerk.li", "wrong password!")] {
        let res = staff_sign_in(app, u, p).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["Validation"][0]["code"], "credentials");
    }
    // Four more failures: five in a row lock the account, even for the
    // right password — and a locked account answers exactly as a wrong
    // password does (no enumeration by wording).
    for _ in 0..4 {
        staff_sign_in(app, "clerk.li", "wrong password!").await;
    }
    let res = staff_sign_in(app, "clerk.li", PASSWORD).await;
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["Validation"][0]["code"], "credentials");
    assert!(res_is_refused(&body));

    // A burst of 50 wrong guesses on a fresh account, all in flight at once:
    // every one answers alike and the account is locked when they are done.
    // Which request the database serves first is not ours to choose, so the
    // right password is not part of the burst (it could legitimately be one
    // of the five that are checked); the limit itself is proved below on the
    // claim every request makes before its password is checked.
    staff(app, "clerk.burst", "clerk", &["MAIN"]).await;
    let tries: Vec<String> = (0..50).map(|i| format!("wrong guess {i:02}!")).collect();
    let answers = futures::future::join_all(
        tries
            .iter()
            .map(|p| async move { staff_sign_in(app, "clerk.burst", p).await.status() }),
    )
    .await;
    assert!(
        answers
            .iter()
            .all(|s| *s == StatusCode::UNPROCESSABLE_ENTITY),
        "nobody gets in: {answers:?}"
    );
    let row = app::db::staff_by_username(&app.db, "clerk.burst")
        .await
        .unwrap()
        .unwrap();
    assert!(
        row.locked_until > app::db::now_ms(),
        "the burst locked the account"
    );
    let res = staff_sign_in(app, "clerk.burst", PASSWORD).await;
    assert_eq!(
        res.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "not during the lock"
    );
    // 51 claims at once on another fresh account: exactly five may go on to
    // check a password (before the fix the lock was read before any attempt
    // was counted, so every request of a burst was checked).
    staff(app, "clerk.claims", "clerk", &["MAIN"]).await;
    let id = app::db::staff_by_username(&app.db, "clerk.claims")
        .await
        .unwrap()
        .unwrap()
        .id;
    let claims =
        futures::future::join_all((0..51).map(|_| app::db::claim_login_attempt(&app.db, &id)))
            .await;
    let granted = claims.into_iter().filter(|c| *c.as_ref().unwrap()).count();
    assert_eq!(granted as i64, app::db::MAX_FAILED_LOGINS);

    // A citizen's session is not a staff session.
    let citizen = sign_in(app, HOLDER_A.2).await;
    assert_eq!(
        call(app, &citizen, "cases/queue", &[("queue", "all")])
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );

    // The administrator creates accounts; nobody else may.
    staff(app, "admin", "admin", &[]).await;
    let admin = signed_in(app, "admin").await;
    let create = |s: &Staff, username: &str| {
        let (client, url) = (app.client.clone(), app.url("/api/staff/create"));
        let (cookie, csrf, username) = (s.cookie.clone(), s.csrf.clone(), username.to_string());
        async move {
            client
                .post(url)
                .header("cookie", cookie)
                .form(&[
                    ("csrf", csrf.as_str()),
                    ("username", username.as_str()),
                    ("name", "王审核"),
                    ("role", "reviewer"),
                    ("password", "reviewer password"),
                    ("f[site-MAIN]", "1"),
                ])
                .send()
                .await
                .unwrap()
        }
    };
    assert_eq!(
        create(&admin, "reviewer.wang").await.status(),
        StatusCode::OK
    );
    assert_eq!(
        create(&admin, "reviewer.wang").await.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "username taken"
    );
    let res = app
        .server_fn(
            "staff/sign_in",
            &[
                ("username", "reviewer.wang"),
                ("password", "reviewer password"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let reviewer_cookie = staff_cookie(&res).unwrap();
    let me: Value = call(app, &reviewer_cookie, "staff/me", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["role"], "reviewer");
    assert_eq!(me["sites"], serde_json::json!(["MAIN"]));
    let reviewer = Staff {
        csrf: me["csrf"].as_str().unwrap().into(),
        cookie: reviewer_cookie,
    };
    assert_eq!(
        create(&reviewer, "sneaky").await.status(),
        StatusCode::FORBIDDEN
    );
    // Disabling ends the reviewer's sessions at once.
    let list: Value = call(app, &admin.cookie, "staff/list", &[])
        .await
        .json()
        .await
        .unwrap();
    let id = list
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["username"] == "reviewer.wang")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let res = call(
        app,
        &admin.cookie,
        "staff/set_active",
        &[("csrf", &admin.csrf), ("id", &id), ("active", "0")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let me: Value = call(app, &reviewer.cookie, "staff/me", &[])
        .await
        .json()
        .await
        .unwrap();
    assert!(me.is_null(), "signed out by disabling");
}

async fn a_case_goes_from_submission_to_issue(app: &TestApp) {
    staff(app, "clerk", "clerk", &["MAIN"]).await;
    staff(app, "reviewer", "reviewer", &["MAIN"]).await;
    let clerk = signed_in(app, "clerk").await;
    let reviewer = signed_in(app, "reviewer").await;
    let (citizen, id) = submitted(app).await;

    let queue: Value = call(
        app,
        &clerk.cookie,
        "cases/queue",
        &[("queue", "pre_review")],
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(queue.as_array().unwrap().len(), 1);
    assert_eq!(queue[0]["id"], id.as_str());

    let c = case(app, &clerk, &id).await;
    assert_eq!(c["stage"], "pre_review");
    assert_eq!(c["actions"], serde_json::json!([]), "nothing until taken");
    let checks = c["checks"].as_array().unwrap();
    let check = |code: &str| checks.iter().find(|x| x["code"] == code).unwrap()["pass"].clone();
    assert_eq!(check("id_checksums"), true);
    assert_eq!(check("materials"), false, "no documents uploaded yet");
    assert_eq!(check("unit_open_case"), true);

    assert_eq!(take(app, &clerk, &id).await, StatusCode::OK);
    let c = case(app, &clerk, &id).await;
    let version = c["version"].as_i64().unwrap();
    let materials: Vec<String> = c["matter"]["checklist"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["material"].as_str().unwrap().to_string())
        .collect();
    let (m1, m2, m3) = (&materials[0], &materials[1], &materials[2]);

    // A notice needs items, and "other" needs a note.
    let res = act(app, &clerk, &id, version, "return", &[]).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let (p1, r1, p2, r2) = (
        format!("f[pick-{m1}]"),
        format!("f[reason-{m1}]"),
        format!("f[pick-{m2}]"),
        format!("f[reason-{m2}]"),
    );
    let res = act(
        app,
        &clerk,
        &id,
        version,
        "return",
        &[(&p1, "1"), (&r1, "unclear"), (&p2, "1"), (&r2, "other")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let n2 = format!("f[note-{m2}]");
    let res = act(
        app,
        &clerk,
        &id,
        version,
        "return",
        &[
            (&p1, "1"),
            (&r1, "unclear"),
            (&p2, "1"),
            (&r2, "other"),
            (&n2, "请上传盖章页"),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let version: i64 = res.json().await.unwrap();
    // The same page acting again: stale.
    let res = act(app, &clerk, &id, version - 1, "pre_accept", &[]).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);

    // The citizen sees the notice item by item; only those items unlock.
    let view: Value = call(app, &citizen, "applications/get", &[("id", &id)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(view["stage"], "returned");
    let items = view["notice"]["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    let token = csrf(app, &citizen).await;
    let filer = |material: &str| Filer {
        cookie: citizen.clone(),
        csrf: token.clone(),
        application: id.clone(),
        material: material.to_string(),
    };
    let photo = crate::documents::jpeg(1600, 1200, 3000);
    assert_eq!(
        upload(app, &filer(m3), "other.jpg", &photo).await.status(),
        StatusCode::CONFLICT,
        "an item not in the notice stays locked"
    );
    assert_eq!(
        upload(app, &filer(m1), "clear.jpg", &photo).await.status(),
        StatusCode::NO_CONTENT
    );
    // Not everything fixed yet.
    let res = call(
        app,
        &citizen,
        "applications/resubmit",
        &[("id", &id), ("csrf", &token)],
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        upload(app, &filer(m2), "sealed.pdf", &crate::documents::pdf(2000))
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    let res = call(
        app,
        &citizen,
        "applications/resubmit",
        &[("id", &id), ("csrf", &token)],
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    // Twice: the second finds it already back in pre-review.
    let res = call(
        app,
        &citizen,
        "applications/resubmit",
        &[("id", &id), ("csrf", &token)],
    )
    .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert_eq!(
        upload(app, &filer(m1), "late.jpg", &photo).await.status(),
        StatusCode::CONFLICT,
        "locked again after resubmission"
    );

    // The clerk sees exactly what changed since the notice.
    let c = case(app, &clerk, &id).await;
    assert_eq!(c["stage"], "pre_review");
    let items = c["notice"]["items"].as_array().unwrap();
    let added = |m: &str| {
        items.iter().find(|i| i["material"] == m).unwrap()["added"]
            .as_array()
            .unwrap()
            .clone()
    };
    assert_eq!(added(m1), vec![Value::from("clear.jpg")]);
    assert_eq!(added(m2), vec![Value::from("sealed.pdf")]);

    // Staff of the case's site open its documents and the viewer; staff of
    // another site get 404.
    let doc = c["documents"][0]["id"].as_str().unwrap().to_string();
    for path in [
        format!("/documents/{doc}"),
        format!("/documents/{doc}/view"),
    ] {
        assert_eq!(
            app.get_with_cookie(&path, &clerk.cookie).await.status(),
            StatusCode::OK,
            "{path}"
        );
    }
    staff(app, "town.clerk", "clerk", &["TOWN-QS"]).await;
    let town = signed_in(app, "town.clerk").await;
    assert_eq!(
        app.get_with_cookie(&format!("/documents/{doc}"), &town.cookie)
            .await
            .status(),
        StatusCode::NOT_FOUND,
        "another site's case"
    );

    // Pre-accept, accept (case number, deadline), then the formal stages.
    let mut version = c["version"].as_i64().unwrap();
    for (who, action) in [
        (&clerk, "pre_accept"),
        (&clerk, "accept"),
        (&clerk, "advance"),
    ] {
        let res = act(app, who, &id, version, action, &[]).await;
        assert_eq!(res.status(), StatusCode::OK, "{action}");
        version = res.json().await.unwrap();
    }
    let c = case(app, &clerk, &id).await;
    assert_eq!(c["stage"], "review");
    let case_no = c["case_no"].as_str().unwrap().to_string();
    let year = &case_no[..4];
    assert_eq!(
        case_no,
        format!("{year}-MAIN-000001"),
        "the site's first this year"
    );
    assert_eq!(
        app::db::next_case_no(&app.db, "MAIN", year.parse().unwrap())
            .await
            .unwrap(),
        format!("{year}-MAIN-000002")
    );
    assert!(c["due_on"].as_str().is_some());
    // Review is the reviewer's: the clerk is refused, and the reviewer must
    // take the case first.
    assert_eq!(
        act_raw(app, &clerk, &id, version, "advance", &[])
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    // Sending it to review released it into the reviewers' queue, which
    // is where a reviewer lands.
    assert!(c["assignee"].is_null(), "handed over to review");
    let landing: Value = call(app, &reviewer.cookie, "cases/queue", &[("queue", "")])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(landing[0]["id"], id.as_str());
    assert_eq!(take(app, &reviewer, &id).await, StatusCode::OK);
    version += 1;
    for _ in 0..2 {
        let res = act(app, &reviewer, &id, version, "advance", &[]).await;
        assert_eq!(res.status(), StatusCode::OK);
        version = res.json().await.unwrap();
    }
    // Registered: back in the clerks' queue for the certificate.
    assert!(case(app, &clerk, &id).await["assignee"].is_null());
    assert_eq!(take(app, &clerk, &id).await, StatusCode::OK);
    version += 1;
    for _ in 0..2 {
        let res = act(app, &clerk, &id, version, "advance", &[]).await;
        assert_eq!(res.status(), StatusCode::OK);
        version = res.json().await.unwrap();
    }
    let view: Value = call(app, &citizen, "applications/get", &[("id", &id)])
        .await
        .json()
        .await
        .unwrap();
    let kinds: Vec<&str> = view["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "submitted",
            "returned",
            "resubmitted",
            "confirmed",
            "confirmed",
            "confirmed",
            "pre_accepted",
            "visit_recorded",
            "accepted",
            "review",
            "register",
            "certificate",
            "fee_paid",
            "issued"
        ]
    );
    // The filer was texted what asked something of them or gave them
    // something (return, pre-acceptance, acceptance, issue), not the
    // centre's own stages.
    let texts = app::db::recent_messages(&app.db, 100).await.unwrap();
    let mut stages: Vec<String> = texts
        .iter()
        .filter(|m| m.template == "case_event")
        .map(|m| m.params()["stage"].as_str().unwrap().to_string())
        .collect();
    stages.sort();
    assert_eq!(
        stages,
        ["accepted", "fee_paid", "issued", "pre_accepted", "returned"]
    );
    // Issued: out of the open queues, and no more moves but archiving.
    let all: Value = call(app, &clerk.cookie, "cases/queue", &[("queue", "all")])
        .await
        .json()
        .await
        .unwrap();
    assert!(all.as_array().unwrap().is_empty());
    assert_eq!(app::db::verify_audit(&app.db).await.unwrap(), None);
}

async fn illegal_moves_races_and_sites(app: &TestApp) {
    staff(app, "clerk.a", "clerk", &["MAIN"]).await;
    staff(app, "clerk.b", "clerk", &["MAIN"]).await;
    staff(app, "town.clerk", "clerk", &["TOWN-QS"]).await;
    staff(app, "super", "supervisor", &["MAIN"]).await;
    staff(app, "admin", "admin", &[]).await;
    let a = signed_in(app, "clerk.a").await;
    let b = signed_in(app, "clerk.b").await;
    let (_, id) = submitted(app).await;

    // Two clerks take the same case at once: exactly one wins.
    let (ra, rb) = tokio::join!(take(app, &a, &id), take(app, &b, &id));
    let wins = [ra, rb].iter().filter(|s| **s == StatusCode::OK).count();
    assert_eq!(wins, 1, "{ra} {rb}");
    let (winner, loser) = if ra == StatusCode::OK {
        (&a, &b)
    } else {
        (&b, &a)
    };
    let version = case(app, winner, &id).await["version"].as_i64().unwrap();
    // The other clerk may not act on it.
    assert_eq!(
        act(app, loser, &id, version, "pre_accept", &[])
            .await
            .status(),
        StatusCode::CONFLICT
    );
    // Illegal moves from pre-review are refused without changing anything.
    for action in ["accept", "advance", "resubmit", "send_back"] {
        let res = act(app, winner, &id, version, action, &[]).await;
        assert!(
            res.status() == StatusCode::CONFLICT || res.status() == StatusCode::FORBIDDEN,
            "{action}: {}",
            res.status()
        );
    }
    assert_eq!(
        act(app, winner, &id, version, "nonsense", &[])
            .await
            .status(),
        StatusCode::BAD_REQUEST
    );
    // A rejection needs a reason.
    assert_eq!(
        act(app, winner, &id, version, "reject", &[]).await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(case(app, winner, &id).await["version"], version);

    // Another site's clerk cannot even see it; an administrator works no cases.
    let town = signed_in(app, "town.clerk").await;
    assert_eq!(
        call(app, &town.cookie, "cases/get", &[("id", &id)])
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let queue: Value = call(app, &town.cookie, "cases/queue", &[("queue", "all")])
        .await
        .json()
        .await
        .unwrap();
    assert!(queue.as_array().unwrap().is_empty());
    let admin = signed_in(app, "admin").await;
    assert_eq!(
        call(app, &admin.cookie, "cases/get", &[("id", &id)])
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    // A supervisor releases the case for someone else.
    let sup = signed_in(app, "super").await;
    let res = call(
        app,
        &sup.cookie,
        "cases/assign",
        &[("id", &id), ("csrf", &sup.csrf), ("op", "release")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(take(app, loser, &id).await, StatusCode::OK);

    // The audit chain holds, and an edited row breaks it; the supervisor's
    // review page says so (clerks may not open it).
    let review = "cases/audit_review";
    assert_eq!(
        call(app, &a.cookie, review, &[]).await.status(),
        StatusCode::FORBIDDEN
    );
    let r: Value = call(app, &sup.cookie, review, &[])
        .await
        .json()
        .await
        .unwrap();
    assert!(r["broken_at"].is_null());
    assert_eq!(app::db::verify_audit(&app.db).await.unwrap(), None);
    app::execute!(&app.db, "UPDATE audit SET reason = 'edited' WHERE seq = 2").unwrap();
    assert_eq!(app::db::verify_audit(&app.db).await.unwrap(), Some(2));
    let r: Value = call(app, &sup.cookie, review, &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(r["broken_at"], 2);
}

/// 容缺受理: accepted with a tolerable material owed; not issued until a
/// clerk records it received; the applicant sees what is owed.
async fn tolerated_deficiency(app: &TestApp) {
    staff(app, "sup", "supervisor", &["MAIN"]).await;
    let sup = signed_in(app, "sup").await;
    let (citizen, id) = submitted(app).await;
    assert_eq!(take(app, &sup, &id).await, StatusCode::OK);
    let c = case(app, &sup, &id).await;
    let checklist = c["matter"]["checklist"].as_array().unwrap().clone();
    let tolerable = checklist
        .iter()
        .find(|i| i["requirement"] == "tolerable")
        .expect("the matter has a tolerable material");
    let required = checklist
        .iter()
        .find(|i| i["requirement"] == "required")
        .unwrap();
    let (owe, owe_name) = (
        tolerable["material"].as_str().unwrap(),
        tolerable["name_zh"].as_str().unwrap(),
    );
    let mut version = c["version"].as_i64().unwrap();
    let res = act(app, &sup, &id, version, "pre_accept", &[]).await;
    version = res.json().await.unwrap();

    // A required material cannot be owed; nothing changes.
    let bad = format!("f[owe-{}]", required["material"].as_str().unwrap());
    let res = act(app, &sup, &id, version, "accept", &[(&bad, "1")]).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(case(app, &sup, &id).await["stage"], "pre_accepted");

    let field = format!("f[owe-{owe}]");
    let res = act(app, &sup, &id, version, "accept", &[(&field, "1")]).await;
    assert_eq!(res.status(), StatusCode::OK);
    version = res.json().await.unwrap();
    let c = case(app, &sup, &id).await;
    assert_eq!(c["owed"].as_array().unwrap().len(), 1);
    assert_eq!(c["owed"][0]["material"], owe);
    assert!(c["owed"][0]["received_at"].is_null());
    let view: Value = call(app, &citizen, "applications/get", &[("id", &id)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(view["owed"][0]["name_zh"], owe_name);
    let accepted = view["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "accepted")
        .unwrap()
        .clone();
    assert_eq!(
        accepted["note"],
        format!("容缺受理，承诺补交：{owe_name}").as_str()
    );

    // Through the stages up to fee paid; issuing is refused while owed.
    for _ in 0..4 {
        let res = act(app, &sup, &id, version, "advance", &[]).await;
        assert_eq!(res.status(), StatusCode::OK);
        version = res.json().await.unwrap();
    }
    assert_eq!(case(app, &sup, &id).await["stage"], "fee_paid");
    let res = act(app, &sup, &id, version, "advance", &[]).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let body: Value = res.json().await.unwrap();
    assert!(body.to_string().contains("owed"), "{body}");
    assert_eq!(case(app, &sup, &id).await["version"], version);

    // Recorded as received, once; then the certificate can be issued.
    let receive = |material: &str| {
        let material = material.to_string();
        let (cookie, token, id) = (sup.cookie.clone(), sup.csrf.clone(), id.clone());
        async move {
            call(
                app,
                &cookie,
                "cases/receive_owed",
                &[("id", &id), ("csrf", &token), ("material", &material)],
            )
            .await
            .status()
        }
    };
    assert_eq!(
        receive(required["material"].as_str().unwrap()).await,
        StatusCode::NOT_FOUND,
        "not an owed material"
    );
    assert_eq!(receive(owe).await, StatusCode::OK);
    assert_eq!(receive(owe).await, StatusCode::CONFLICT, "only once");
    let c = case(app, &sup, &id).await;
    assert!(c["owed"][0]["received_at"].is_string());
    let res = act(app, &sup, &id, version, "advance", &[]).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(case(app, &sup, &id).await["stage"], "issued");
    assert_eq!(app::db::verify_audit(&app.db).await.unwrap(), None);
}

/// Queue filters (matter, site, submission days, priority lane) and the
/// supervisor's priority lane, on the server side.
async fn queue_filters_and_priority_lane(app: &TestApp) {
    staff(app, "sup", "supervisor", &["MAIN", "TOWN-QS"]).await;
    staff(app, "clerk", "clerk", &["MAIN", "TOWN-QS"]).await;
    let sup = signed_in(app, "sup").await;
    let clerk = signed_in(app, "clerk").await;
    let (citizen, first) = submitted(app).await;
    let id = crate::citizen::submit(app, &citizen).await;
    app::execute!(
        &app.db,
        "UPDATE applications SET site_code = 'TOWN-QS' WHERE id = $1",
        &id
    )
    .unwrap();

    let lines = |filters: Vec<(&'static str, String)>| {
        let cookie = clerk.cookie.clone();
        async move {
            let mut form: Vec<(String, String)> = vec![("queue".into(), "all".into())];
            form.extend(
                filters
                    .into_iter()
                    .map(|(k, v)| (format!("filter[{k}]"), v)),
            );
            let form: Vec<(&str, &str)> =
                form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            let res = call(app, &cookie, "cases/queue", &form).await;
            let status = res.status();
            let body: Value = res.json().await.unwrap();
            match body.as_array() {
                Some(a) if status == StatusCode::OK => Ok(a
                    .iter()
                    .map(|l| l["id"].as_str().unwrap().to_string())
                    .collect::<Vec<_>>()),
                _ => Err(status),
            }
        }
    };
    assert_eq!(lines(vec![]).await.unwrap().len(), 2);
    assert_eq!(
        lines(vec![("site", "TOWN-QS".into())]).await.unwrap(),
        vec![id.clone()]
    );
    assert_eq!(
        lines(vec![("site", "MAIN".into())]).await.unwrap(),
        vec![first.clone()]
    );
    assert_eq!(
        lines(vec![("matter", "TRANSFER-WITH-MORTGAGE".into())])
            .await
            .unwrap()
            .len(),
        2
    );
    assert!(lines(vec![("matter", "DOUBLE-NOTICE".into())])
        .await
        .unwrap()
        .is_empty());
    let today = chrono::Utc::now()
        .with_timezone(&app::domain::calendar::china())
        .date_naive();
    let day = |d: chrono::NaiveDate| d.format("%Y-%m-%d").to_string();
    let tomorrow = today.succ_opt().unwrap();
    let yesterday = today.pred_opt().unwrap();
    assert_eq!(
        lines(vec![("from", day(today)), ("to", day(today))])
            .await
            .unwrap()
            .len(),
        2
    );
    assert!(lines(vec![("from", day(tomorrow))])
        .await
        .unwrap()
        .is_empty());
    assert!(lines(vec![("to", day(yesterday))])
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        lines(vec![("from", "2026-13-01".into())]).await,
        Err(StatusCode::UNPROCESSABLE_ENTITY)
    );
    assert_eq!(
        lines(vec![("from", day(today)), ("to", day(yesterday))]).await,
        Err(StatusCode::UNPROCESSABLE_ENTITY)
    );
    assert!(lines(vec![("lane", "1".into())]).await.unwrap().is_empty());

    // The priority lane: a supervisor's decision, with a reason.
    let priority = |s: &Staff, reason: &str| {
        let (cookie, token, id, reason) = (
            s.cookie.clone(),
            s.csrf.clone(),
            id.clone(),
            reason.to_string(),
        );
        async move {
            call(
                app,
                &cookie,
                "cases/priority",
                &[
                    ("id", &id),
                    ("csrf", &token),
                    ("lane", "1"),
                    ("reason", &reason),
                ],
            )
            .await
            .status()
        }
    };
    assert_eq!(priority(&clerk, "老人").await, StatusCode::FORBIDDEN);
    assert_eq!(priority(&sup, "  ").await, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(priority(&sup, "申请人行动不便").await, StatusCode::OK);
    assert_eq!(
        lines(vec![("lane", "1".into())]).await.unwrap(),
        vec![id.clone()]
    );
    assert_eq!(lines(vec![]).await.unwrap()[0], id, "the lane comes first");
    assert_eq!(case(app, &sup, &id).await["priority"], true);
    let audited = app::db::audit_rows(&app.db)
        .await
        .unwrap()
        .into_iter()
        .any(|a| a.action == "priority" && a.reason == "申请人行动不便");
    assert!(audited);
}

/// The supervisors' dashboard and its CSV: a case received, accepted and
/// issued today is counted once in each, within its deadline.
async fn dashboard_and_csv(app: &TestApp) {
    staff(app, "sup", "supervisor", &["MAIN"]).await;
    staff(app, "clerk", "clerk", &["MAIN"]).await;
    let sup = signed_in(app, "sup").await;
    let clerk = signed_in(app, "clerk").await;
    let (_, id) = submitted(app).await;
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

    assert_eq!(
        call(app, &clerk.cookie, "cases/dashboard", &[])
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    let v: Value = call(app, &sup.cookie, "cases/dashboard", &[("days", "7")])
        .await
        .json()
        .await
        .unwrap();
    let d = &v["dashboard"];
    assert_eq!(d["days"].as_array().unwrap().len(), 7);
    let total = &d["total"];
    assert_eq!(
        (&total["received"], &total["accepted"], &total["issued"]),
        (&Value::from(1), &Value::from(1), &Value::from(1))
    );
    assert_eq!(
        (&total["overdue"], &total["with_deadline"]),
        (&Value::from(0), &Value::from(1))
    );
    let today = d["to"].as_str().unwrap().to_string();
    let last = d["days"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["day"], today.as_str());
    assert_eq!(last["received"], 1);
    let stays: Vec<i64> = d["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["count"].as_i64().unwrap())
        .collect();
    // pre-review, returned, pre-accepted, accepted, review, register,
    // certificate, fee paid: each passed through once except "returned".
    assert_eq!(stays, vec![1, 0, 1, 1, 1, 1, 1, 1]);
    assert_eq!(d["by_site"][0]["key"], "MAIN");
    // Another matter: nothing.
    let v: Value = call(
        app,
        &sup.cookie,
        "cases/dashboard",
        &[("matter", "DOUBLE-NOTICE")],
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(v["dashboard"]["total"]["received"], 0);

    // The page draws the charts on the server.
    let html = app
        .get_with_cookie("/staff/dashboard?days=7", &sup.cookie)
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains(r#"data-testid="daily-chart""#));
    assert!(html.contains("<rect"));

    // CSV: supervisors only, Excel-friendly.
    let res = app
        .get_with_cookie("/staff/dashboard.csv?days=7", &sup.cookie)
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "text/csv; charset=utf-8");
    assert!(res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment;"));
    let csv = res.text().await.unwrap();
    assert!(csv.starts_with('\u{feff}'));
    assert!(
        csv.contains(&format!("\"{today}\",\"1\",\"1\",\"1\"\r\n")),
        "{csv}"
    );
    assert!(csv.contains("带押过户"), "matters by name");
    assert_eq!(
        app.get_with_cookie("/staff/dashboard.csv", &clerk.cookie)
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get("/staff/dashboard.csv").await.status(),
        StatusCode::UNAUTHORIZED
    );
}

/// The administrators' calendar: a day declared a holiday moves the
/// deadlines computed afterwards; every change is audited.
async fn calendar_editing_moves_new_deadlines(app: &TestApp) {
    staff(app, "root", "admin", &["MAIN"]).await;
    staff(app, "sup", "supervisor", &["MAIN"]).await;
    let admin = signed_in(app, "root").await;
    let sup = signed_in(app, "sup").await;
    assert_eq!(
        call(app, &sup.cookie, "calendar/year", &[]).await.status(),
        StatusCode::FORBIDDEN
    );
    let year: Value = call(app, &admin.cookie, "calendar/year", &[("year", "2026")])
        .await
        .json()
        .await
        .unwrap();
    let days = year["days"].as_array().unwrap();
    assert!(
        days.contains(&serde_json::json!(["2026-10-01", "holiday"])),
        "seeded"
    );
    assert!(
        days.contains(&serde_json::json!(["2026-02-14", "workday"])),
        "调休 seeded"
    );

    let set = |day: String, kind: &'static str, csrf: String| {
        let cookie = admin.cookie.clone();
        async move {
            call(
                app,
                &cookie,
                "calendar/set",
                &[("csrf", &csrf), ("day", &day), ("kind", kind)],
            )
            .await
            .status()
        }
    };
    let first_due = accept_again(app, &sup, crate::citizen::HOLDER_A.2).await;
    assert_eq!(
        set(first_due.clone(), "holiday", admin.csrf.clone()).await,
        StatusCode::OK
    );
    let second_due = accept_again(app, &sup, crate::citizen::HOLDER_B.2).await;
    assert!(second_due > first_due, "{second_due} after {first_due}");
    // Bad input changes nothing.
    assert_eq!(
        set("2026-02-30".into(), "holiday", admin.csrf.clone()).await,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        set("2026-12-26".into(), "party", admin.csrf.clone()).await,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_ne!(
        set("2026-12-26".into(), "holiday", "forged".into()).await,
        StatusCode::OK
    );
    // Back to the weekday rule.
    assert_eq!(
        set(first_due.clone(), "normal", admin.csrf.clone()).await,
        StatusCode::OK
    );
    let year: Value = call(
        app,
        &admin.cookie,
        "calendar/year",
        &[("year", &first_due[..4])],
    )
    .await
    .json()
    .await
    .unwrap();
    assert!(!year["days"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d[0] == first_due.as_str()));
    let audited: Vec<String> = app::db::audit_rows(&app.db)
        .await
        .unwrap()
        .into_iter()
        .filter(|a| a.action == "calendar")
        .map(|a| format!("{}:{}>{}", a.reason, a.before_state, a.after_state))
        .collect();
    assert_eq!(
        audited,
        vec![
            format!("{first_due}:>holiday"),
            format!("{first_due}:holiday>"),
        ]
    );
}

/// An application of a new citizen (by mobile), accepted by `sup`: its due day.
async fn accept_again(app: &TestApp, sup: &Staff, mobile: &str) -> String {
    let cookie = crate::citizen::sign_in(app, mobile).await;
    let id = crate::citizen::submit(app, &cookie).await;
    assert_eq!(take(app, sup, &id).await, StatusCode::OK);
    let mut version = case(app, sup, &id).await["version"].as_i64().unwrap();
    for action in ["pre_accept", "accept"] {
        let res = act(app, sup, &id, version, action, &[]).await;
        assert_eq!(res.status(), StatusCode::OK);
        version = res.json().await.unwrap();
    }
    case(app, sup, &id).await["due_on"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Noon of a day in China (Unix ms).
fn noon(day: chrono::NaiveDate) -> i64 {
    day.and_hms_opt(4, 0, 0)
        .unwrap()
        .and_utc()
        .timestamp_millis()
}

/// A matter promised in 60 working minutes: the deadline is an instant in
/// the site's opening hours (stored, shown to clerk and citizen to the
/// minute), the deadline job warns in the last 20 working minutes and
/// again once it has passed, the overdue queue and the dashboard count it
/// by the minute, not by the day.
async fn sixty_minute_matters_are_due_to_the_minute(app: &TestApp) {
    use app::domain::hours::{add_working_minutes, local, WorkHours};
    use onetrip_server::deadlines::run_once;
    app::execute!(
        &app.db,
        "UPDATE matters SET time_limit_minutes = 60 WHERE code = 'TRANSFER-WITH-MORTGAGE'"
    )
    .unwrap();
    app.state.services.catalogue.invalidate();
    app::execute!(
        &app.db,
        "UPDATE sites SET work_hours = '08:30-12:00,13:30-17:00' WHERE code = 'MAIN'"
    )
    .unwrap();
    staff(app, "clerk", "clerk", &["MAIN"]).await;
    staff(app, "sup", "supervisor", &["MAIN"]).await;
    let clerk = signed_in(app, "clerk").await;
    let sup = signed_in(app, "sup").await;
    let (citizen, id) = submitted(app).await;
    assert_eq!(take(app, &clerk, &id).await, StatusCode::OK);
    let mut version = case(app, &clerk, &id).await["version"].as_i64().unwrap();
    for action in ["pre_accept", "accept"] {
        let res = act(app, &clerk, &id, version, action, &[]).await;
        assert_eq!(res.status(), StatusCode::OK);
        version = res.json().await.unwrap();
    }
    let (accepted_at, due_at): (i64, Option<i64>) = app::fetch_optional!(
        &app.db,
        (i64, Option<i64>),
        "SELECT accepted_at, due_at FROM applications WHERE id = $1",
        &id
    )
    .unwrap()
    .unwrap();
    let due_at = due_at.expect("a limit in minutes stores its instant");
    let cal = app::db::load_calendar(&app.db).await.unwrap();
    let hours = WorkHours::parse("08:30-12:00,13:30-17:00").unwrap();
    let expected = add_working_minutes(&cal, &hours, local(accepted_at), 60);
    assert_eq!(
        local(due_at),
        expected,
        "60 working minutes after acceptance"
    );
    let label = expected.format("%Y-%m-%d %H:%M").to_string();
    let c = case(app, &clerk, &id).await;
    assert_eq!(c["due"], label.as_str());
    assert_eq!(
        c["due_on"],
        expected.format("%Y-%m-%d").to_string().as_str()
    );
    let mine: Value = call(app, &citizen, "applications/get", &[("id", &id)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        mine["due"],
        label.as_str(),
        "the applicant sees the promise"
    );

    // The job: nothing at acceptance, a warning with a minute left, an
    // overdue alert a minute after (each for the clerk and the supervisor).
    assert_eq!(run_once(&app.db, accepted_at).await.unwrap(), 0);
    assert_eq!(run_once(&app.db, due_at - 60_000).await.unwrap(), 2);
    assert_eq!(run_once(&app.db, due_at + 60_000).await.unwrap(), 2);
    let alerts: Value = call(app, &clerk.cookie, "cases/alerts", &[])
        .await
        .json()
        .await
        .unwrap();
    assert!(alerts
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a["due_on"] == label.as_str()));

    // Overdue by the minute while still due today: in the overdue queue,
    // flagged, and counted late on the dashboard.
    let queue_has = |q: &'static str| {
        let cookie = clerk.cookie.clone();
        let id = id.clone();
        async move {
            let lines: Value = call(app, &cookie, "cases/queue", &[("queue", q)])
                .await
                .json()
                .await
                .unwrap();
            lines
                .as_array()
                .unwrap()
                .iter()
                .find(|l| l["id"] == id.as_str())
                .cloned()
        }
    };
    let today = local(app::db::now_ms()).date();
    app::execute!(
        &app.db,
        "UPDATE applications SET due_at = $2, due_on = $3 WHERE id = $1",
        &id,
        app::db::now_ms() - 60_000,
        today.format("%Y-%m-%d").to_string()
    )
    .unwrap();
    let line = queue_has("overdue").await.expect("in the overdue queue");
    assert_eq!(line["urgency"], "overdue");
    let dashboard: Value = call(app, &sup.cookie, "cases/dashboard", &[("days", "7")])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(dashboard["dashboard"]["total"]["overdue"], 1);
    // Due a week from now: on time, not in the overdue queue.
    app::execute!(
        &app.db,
        "UPDATE applications SET due_at = $2, due_on = $3 WHERE id = $1",
        &id,
        app::db::now_ms() + 7 * 24 * 3_600_000,
        (today + chrono::Days::new(7))
            .format("%Y-%m-%d")
            .to_string()
    )
    .unwrap();
    assert!(queue_has("overdue").await.is_none());
    assert_eq!(queue_has("all").await.unwrap()["urgency"], "on_time");
}

/// Waiting on the applicant after acceptance: the clerk stops the clock
/// with a reason the applicant reads (timeline and SMS); nothing moves and
/// nothing alerts while it stands; restarting it moves the deadline on by
/// the working days begun in the pause.
async fn the_clock_stops_while_the_case_waits_on_the_applicant(app: &TestApp) {
    use onetrip_server::deadlines::run_once;
    staff(app, "clerk", "clerk", &["MAIN"]).await;
    let clerk = signed_in(app, "clerk").await;
    let (citizen, id) = submitted(app).await;
    assert_eq!(take(app, &clerk, &id).await, StatusCode::OK);
    let mut version = case(app, &clerk, &id).await["version"].as_i64().unwrap();
    // No clock to stop before acceptance.
    let res = act(app, &clerk, &id, version, "pause", &[("reason", "x")]).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    for action in ["pre_accept", "accept"] {
        let res = act(app, &clerk, &id, version, action, &[]).await;
        version = res.json().await.unwrap();
    }
    let c = case(app, &clerk, &id).await;
    let due: chrono::NaiveDate = c["due_on"].as_str().unwrap().parse().unwrap();
    assert!(c["actions"].as_array().unwrap().contains(&"pause".into()));
    assert!(!c["actions"].as_array().unwrap().contains(&"resume".into()));

    let res = act(app, &clerk, &id, version, "pause", &[("reason", " ")]).await;
    assert_eq!(
        res.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "a reason is required"
    );
    let reason = "请补交抵押权人同意注销的证明原件";
    let res = act(app, &clerk, &id, version, "pause", &[("reason", reason)]).await;
    assert_eq!(res.status(), StatusCode::OK);
    version = res.json().await.unwrap();
    let c = case(app, &clerk, &id).await;
    assert!(c["paused_since"].is_string());
    assert_eq!(c["urgency"], Value::Null, "no flag while the clock stands");
    assert_eq!(c["actions"], serde_json::json!(["resume"]));
    // Nothing else moves it, and it is not paused twice.
    for action in ["advance", "pause"] {
        let res = act(app, &clerk, &id, version, action, &[("reason", "again")]).await;
        assert_eq!(res.status(), StatusCode::CONFLICT, "{action}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["Conflict"]["code"], "paused");
    }
    // The applicant reads why, in the timeline and by SMS.
    let mine: Value = call(app, &citizen, "applications/get", &[("id", &id)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine["paused"], true);
    let paused_event = mine["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "paused")
        .cloned()
        .expect("a timeline event");
    assert_eq!(paused_event["note"], reason);
    let texts = app::db::recent_messages(&app.db, 10).await.unwrap();
    assert!(texts
        .iter()
        .any(|m| m.template == "case_event" && m.params.contains(reason)));
    // The deadline job leaves it alone, however late.
    let noon = |d: chrono::NaiveDate| d.and_hms_opt(4, 0, 0).unwrap().and_utc().timestamp_millis();
    assert_eq!(
        run_once(&app.db, noon(due + chrono::Days::new(20)))
            .await
            .unwrap(),
        0
    );

    // Stopped two weeks ago (as if): restarting moves the due date on by
    // the working days begun since.
    let since = app::db::now_ms() - 14 * 24 * 3_600_000;
    app::execute!(
        &app.db,
        "UPDATE applications SET paused_at = $2 WHERE id = $1",
        &id,
        since
    )
    .unwrap();
    let res = act(app, &clerk, &id, version, "resume", &[]).await;
    assert_eq!(res.status(), StatusCode::OK);
    version = res.json().await.unwrap();
    let cal = app::db::load_calendar(&app.db).await.unwrap();
    let local = app::domain::hours::local;
    let paused_days =
        cal.working_days_between(local(since).date(), local(app::db::now_ms()).date());
    assert!(paused_days >= 5);
    let c = case(app, &clerk, &id).await;
    assert_eq!(
        c["due_on"],
        cal.add_working_days(due, paused_days).to_string().as_str()
    );
    assert_eq!(c["paused_since"], Value::Null);
    let res = act(app, &clerk, &id, version, "resume", &[]).await;
    assert_eq!(
        res.json::<Value>().await.unwrap()["Conflict"]["code"],
        "not_paused"
    );
    assert_eq!(
        act(app, &clerk, &id, version, "advance", &[])
            .await
            .status(),
        StatusCode::OK
    );
    let kinds: Vec<String> = call(app, &citizen, "applications/get", &[("id", &id)])
        .await
        .json::<Value>()
        .await
        .unwrap()["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_string())
        .collect();
    assert!(kinds.ends_with(&["paused".into(), "resumed".into(), "review".into()]));
}

/// The deadline job: the assigned clerk and the site's supervisors are
/// alerted once when a case falls due, once more when it is overdue, never
/// twice for the same (even with two passes at once); alerts are read on
/// the workbench and dismissed by their owner only.
async fn deadline_job_alerts_clerk_and_supervisor(app: &TestApp) {
    use onetrip_server::deadlines::run_once;
    staff(app, "clerk", "clerk", &["MAIN"]).await;
    staff(app, "sup", "supervisor", &["MAIN"]).await;
    staff(app, "town.sup", "supervisor", &["TOWN-QS"]).await;
    let clerk = signed_in(app, "clerk").await;
    let sup = signed_in(app, "sup").await;
    let (_, id) = submitted(app).await;
    assert_eq!(take(app, &clerk, &id).await, StatusCode::OK);
    let mut version = case(app, &clerk, &id).await["version"].as_i64().unwrap();
    for action in ["pre_accept", "accept"] {
        let res = act(app, &clerk, &id, version, action, &[]).await;
        version = res.json().await.unwrap();
    }
    let due: chrono::NaiveDate = case(app, &clerk, &id).await["due_on"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let cal = app::db::load_calendar(&app.db).await.unwrap();
    let long_before = due - chrono::Days::new(30);
    assert_eq!(
        run_once(&app.db, noon(long_before)).await.unwrap(),
        0,
        "not due yet"
    );
    // Due today: two alerts (the clerk, the site's supervisor), once only,
    // even with two passes racing.
    let (a, b) = tokio::join!(run_once(&app.db, noon(due)), run_once(&app.db, noon(due)));
    assert_eq!(a.unwrap() + b.unwrap(), 2);
    assert_eq!(run_once(&app.db, noon(due)).await.unwrap(), 0);
    // Overdue the next working day: one more each.
    let after = cal.add_working_days(due, 1);
    assert_eq!(run_once(&app.db, noon(after)).await.unwrap(), 2);

    let alerts: Value = call(app, &clerk.cookie, "cases/alerts", &[])
        .await
        .json()
        .await
        .unwrap();
    let kinds: Vec<&str> = alerts
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds.len(), 2);
    assert!(kinds.contains(&"due_soon") && kinds.contains(&"overdue"));
    assert_eq!(alerts[0]["application_id"], id.as_str());
    let html = app
        .get_with_cookie("/staff", &clerk.cookie)
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains(r#"data-testid="alerts""#));
    // Someone else cannot dismiss the clerk's alert; the clerk can, once.
    let alert_id = alerts[0]["id"].as_str().unwrap();
    let read = |s: &Staff| {
        let (cookie, csrf) = (s.cookie.clone(), s.csrf.clone());
        async move {
            call(
                app,
                &cookie,
                "cases/alert_read",
                &[("id", alert_id), ("csrf", &csrf)],
            )
            .await
            .status()
        }
    };
    assert_eq!(read(&sup).await, StatusCode::NOT_FOUND);
    assert_eq!(read(&clerk).await, StatusCode::OK);
    assert_eq!(read(&clerk).await, StatusCode::NOT_FOUND);
    let left: Value = call(app, &clerk.cookie, "cases/alerts", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(left.as_array().unwrap().len(), 1);
    let sup_alerts: Value = call(app, &sup.cookie, "cases/alerts", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(sup_alerts.as_array().unwrap().len(), 2);
    let town = signed_in(app, "town.sup").await;
    let town_alerts: Value = call(app, &town.cookie, "cases/alerts", &[])
        .await
        .json()
        .await
        .unwrap();
    assert!(
        town_alerts.as_array().unwrap().is_empty(),
        "another site's supervisor"
    );
    // Issued cases stop alerting.
    let res = call(
        app,
        &sup.cookie,
        "cases/assign",
        &[("id", &id), ("csrf", &sup.csrf), ("op", "release")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(take(app, &sup, &id).await, StatusCode::OK);
    let mut version = case(app, &sup, &id).await["version"].as_i64().unwrap();
    for _ in 0..5 {
        let res = act(app, &sup, &id, version, "advance", &[]).await;
        assert_eq!(res.status(), StatusCode::OK);
        version = res.json().await.unwrap();
    }
    assert_eq!(case(app, &sup, &id).await["stage"], "issued");
    assert_eq!(
        run_once(&app.db, noon(cal.add_working_days(after, 1)))
            .await
            .unwrap(),
        0
    );
}

on_both_backends!(
    the_clock_stops_while_the_case_waits_on_the_applicant,
    sixty_minute_matters_are_due_to_the_minute,
    deadline_job_alerts_clerk_and_supervisor,
    calendar_editing_moves_new_deadlines,
    dashboard_and_csv,
    queue_filters_and_priority_lane,
    tolerated_deficiency,
    staff_sign_in_and_lockout,
    a_case_goes_from_submission_to_issue,
    illegal_moves_races_and_sites,
);
