//! Help (常见问题) through HTTP on both backends: the seeded everyday answers
//! are found by Chinese, pinyin initials and English, shown with the
//! catalogue's current checklist, linked from the matter's notice and the
//! wizard's steps; only administrators write them (CSRF, each change
//! audited); a refused form keeps what was typed; an unpublished article is
//! gone for the public.

use crate::citizen::{call, sign_in, HOLDER_A};
use crate::helpers::TestApp;
use crate::on_both_backends;
use crate::workbench::{signed_in, staff, Staff};
use reqwest::StatusCode;
use serde_json::Value;

on_both_backends!(
    help_is_found_by_chinese_pinyin_initials_and_english,
    only_administrators_write_help_and_nothing_typed_is_lost
);

async fn search(app: &TestApp, q: &str) -> Vec<String> {
    let res = app.server_fn("help/search", &[("q", q)]).await;
    assert_eq!(res.status(), StatusCode::OK, "search {q}");
    let body: Value = res.json().await.unwrap();
    body["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap().to_string())
        .collect()
}

async fn page(app: &TestApp, path: &str) -> (StatusCode, String) {
    let res = app.get(path).await;
    let status = res.status();
    (status, res.text().await.unwrap())
}

async fn help_is_found_by_chinese_pinyin_initials_and_english(app: &TestApp) {
    // The seed's everyday questions, found every way people type.
    for q in ["注销抵押", "zxdy", "ＺＸＤＹ", "mortgage cancel", "解押"] {
        let hits = search(app, q).await;
        assert_eq!(
            hits.first().map(String::as_str),
            Some("mortgage-cancel-needs"),
            "{q}: {hits:?}"
        );
    }
    assert!(search(app, "esf")
        .await
        .contains(&"resale-needs".to_string()));
    assert!(search(app, "刷脸")
        .await
        .contains(&"identity-check".to_string()));
    assert!(search(app, "zzzz 不存在的问题").await.is_empty());
    // A huge or hostile query is cut and answered, never an error.
    let huge = "抵".repeat(20_000);
    assert!(search(app, &huge).await.is_empty());
    assert!(search(app, "<script>alert(1)</script>").await.is_empty());

    // The search page without JavaScript: a GET form and its results.
    let (status, html) = page(app, "/help?q=zxdy").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("还清房贷后，怎么注销抵押？"), "{html}");
    assert!(html.contains("href=\"/help/mortgage-cancel-needs\""));
    assert!(html.contains("<title>常见问题 · 一趟办</title>"));
    let (_, html) = page(app, "/help?q=%3Cscript%3Ealert(1)%3C/script%3E").await;
    assert!(!html.contains("<script>alert(1)"), "the query is escaped");

    // One answer, with the matter's checklist as the catalogue has it now.
    let (status, html) = page(app, "/help/mortgage-cancel-needs").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<title>还清房贷后，怎么注销抵押？ · 一趟办</title>"));
    let matter: Value = app
        .server_fn("matters/get", &[("code", "MORTGAGE-CANCEL")])
        .await
        .json()
        .await
        .unwrap();
    for item in matter["checklist"].as_array().unwrap() {
        let name = item["name_zh"].as_str().unwrap();
        assert!(html.contains(name), "the checklist names {name}");
    }
    assert!(html.contains("href=\"/matters/MORTGAGE-CANCEL\""));
    let (status, _) = page(app, "/help/no-such-question").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.server_fn("help/article", &[("id", "no-such-question")])
            .await
            .status(),
        StatusCode::NOT_FOUND
    );

    // Linked from the matter's notice.
    let (_, html) = page(app, "/matters/MORTGAGE-CANCEL").await;
    assert!(
        html.contains("href=\"/help/mortgage-cancel-needs\""),
        "notice links its help"
    );
    let (_, html) = page(app, "/matters/INHERITANCE").await;
    assert!(!html.contains("href=\"/help/mortgage-cancel-needs\""));

    // Offered on the wizard's steps it belongs to.
    let steps = |matter: &'static str, step: &'static str| async move {
        let res = app
            .server_fn("help/for", &[("matter", matter), ("step", step)])
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        let list: Vec<Value> = res.json().await.unwrap();
        list.iter()
            .map(|a| a["id"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    let materials = steps("MORTGAGE-CANCEL", "materials").await;
    assert!(materials.contains(&"mortgage-cancel-needs".into()));
    assert!(
        materials.contains(&"photo-tips".into()),
        "an every-matter article too"
    );
    assert!(!materials.contains(&"resale-needs".into()));
    assert!(steps("MORTGAGE-CANCEL", "agent")
        .await
        .contains(&"agent-filing".into()));
    assert_eq!(
        app.server_fn("help/for", &[("matter", "X"), ("step", "nowhere")])
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    // ... and on the wizard's page itself, opened in place.
    let citizen = sign_in(app, HOLDER_A.2).await;
    let token = crate::citizen::csrf(app, &citizen).await;
    let res = call(
        app,
        &citizen,
        "applications/start",
        &[("matter", "RESALE-TRANSFER"), ("csrf", &token)],
    )
    .await;
    let id: String = res.json().await.unwrap();
    let res = app
        .get_with_cookie(&format!("/apply/{id}/materials"), &citizen)
        .await;
    let html = res.text().await.unwrap();
    assert!(html.contains("data-testid=\"step-help\""), "{html}");
    assert!(html.contains("买卖二手房过户，需要准备什么？"));
}

async fn save(app: &TestApp, s: &Staff, fields: &[(&str, &str)], html: bool) -> reqwest::Response {
    let mut form = vec![("csrf", s.csrf.as_str())];
    form.extend_from_slice(fields);
    let mut req = app
        .client
        .post(app.url("/api/help/save"))
        .header("cookie", &s.cookie)
        .form(&form);
    if html {
        req = req.header("accept", "text/html");
    }
    req.send().await.unwrap()
}

const NEW: &[(&str, &str)] = &[
    ("original", ""),
    ("id", "lost-certificate"),
    ("position", "5"),
    ("question_zh", "不动产权证书丢了怎么办？"),
    ("answer_zh", "办理补证登记。\n\n- 身份证\n- 遗失声明"),
    ("question_en", "I lost my certificate. What now?"),
    ("answer_en", "Apply for a replacement."),
    ("keywords", "补证 证丢了"),
    ("matters", "change"),
    ("steps", "property"),
];

async fn audits(app: &TestApp, action: &str) -> i64 {
    app::fetch_optional!(
        &app.db,
        (i64,),
        "SELECT CAST(COUNT(*) AS BIGINT) FROM audit WHERE action = $1",
        action
    )
    .unwrap()
    .map(|r| r.0)
    .unwrap_or(0)
}

async fn only_administrators_write_help_and_nothing_typed_is_lost(app: &TestApp) {
    staff(app, "admin", "admin", &[]).await;
    staff(app, "clerk1", "clerk", &["MAIN"]).await;
    let admin = signed_in(app, "admin").await;
    let clerk = signed_in(app, "clerk1").await;

    // Nobody but an administrator, and never without the form's token.
    assert_eq!(
        save(app, &clerk, NEW, false).await.status(),
        StatusCode::FORBIDDEN
    );
    let citizen = sign_in(app, HOLDER_A.2).await;
    let token = crate::citizen::csrf(app, &citizen).await;
    let mut as_citizen = vec![("csrf", token.as_str())];
    as_citizen.extend_from_slice(NEW);
    assert_eq!(
        call(app, &citizen, "help/save", &as_citizen).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let forged = Staff {
        cookie: admin.cookie.clone(),
        csrf: "forged".into(),
    };
    assert_eq!(
        save(app, &forged, NEW, false).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        call(app, &clerk.cookie, "help/admin", &[("draft", "")])
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    assert!(search(app, "补证").await.is_empty(), "nothing was written");

    // Ten administrators' tabs create the same address at once: one wins,
    // the others are told it is taken.
    let tries = (0..10).map(|_| save(app, &admin, NEW, false));
    let answers = futures::future::join_all(tries).await;
    let created = answers
        .iter()
        .filter(|r| r.status() == StatusCode::OK)
        .count();
    assert_eq!(
        created,
        1,
        "{:?}",
        answers.iter().map(|r| r.status()).collect::<Vec<_>>()
    );
    assert!(answers.iter().all(|r| matches!(
        r.status(),
        StatusCode::OK | StatusCode::UNPROCESSABLE_ENTITY
    )));
    // The initials were worked out: 不动产权证书丢了怎么办 → bdcqzsdlzmb.
    assert_eq!(search(app, "bdcqzs").await, ["lost-certificate"]);
    assert_eq!(
        search(app, "zdl").await,
        ["lost-certificate"],
        "keywords' initials"
    );
    assert_eq!(search(app, "lost certificate").await, ["lost-certificate"]);
    let for_change: Vec<Value> = app
        .server_fn("help/for", &[("matter", "CHANGE"), ("step", "property")])
        .await
        .json()
        .await
        .unwrap();
    assert!(for_change.iter().any(|a| a["id"] == "lost-certificate"));
    assert_eq!(audits(app, "help_saved").await, 1);

    // Bad fields are named, in both languages.
    let bad = [
        ("original", ""),
        ("id", "Bad Id!"),
        ("position", ""),
        ("question_zh", ""),
        ("answer_zh", "答案"),
        ("question_en", ""),
        ("answer_en", ""),
        ("keywords", ""),
        ("matters", "NO-SUCH-MATTER"),
        ("steps", ""),
    ];
    let res = save(app, &admin, &bad, false).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = res.json().await.unwrap();
    let fields: Vec<&str> = body["Validation"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["id", "question_zh", "matters"]);
    assert!(body.to_string().contains("NO-SUCH-MATTER"));

    // Without JavaScript a refused form comes back with what was typed,
    // even text that would break out of the answer box.
    let typed = "第一段很长的回答</textarea><script>alert(1)</script> & 更多";
    let refused = [
        ("original", "lost-certificate"),
        ("id", "ignored"),
        ("position", "5"),
        ("question_zh", "不动产权证书丢了怎么办？"),
        ("answer_zh", typed),
        ("question_en", ""),
        ("answer_en", ""),
        ("keywords", ""),
        ("matters", ""),
        ("steps", ""),
    ];
    let res = save(app, &admin, &refused, true).await;
    assert!(res.status().is_redirection(), "{}", res.status());
    assert_eq!(
        res.headers()["location"].to_str().unwrap(),
        "/staff/help?draft=1#help-form"
    );
    let html = app
        .get_with_cookie("/staff/help?draft=1", &admin.cookie)
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains(
            "第一段很长的回答&lt;/textarea&gt;&lt;script&gt;alert(1)&lt;/script&gt; &amp; 更多"
        ),
        "the typed answer is back in its box, escaped"
    );
    assert!(!html.contains("<script>alert(1)"));
    assert!(
        html.contains("error-summary"),
        "the summary names the field"
    );
    assert!(html.contains("answer_zh-error"));
    // The article itself is unchanged.
    let a: Value = app
        .server_fn("help/article", &[("id", "lost-certificate")])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        a["article"]["answer_zh"],
        "办理补证登记。\n\n- 身份证\n- 遗失声明"
    );

    // A change keeps the address (the typed one is ignored).
    let mut change: Vec<(&str, &str)> = NEW.to_vec();
    change[0] = ("original", "lost-certificate");
    change[1] = ("id", "another-address");
    change[4] = ("answer_zh", "到窗口办理补证登记。");
    let res = save(app, &admin, &change, false).await;
    assert_eq!(res.status(), StatusCode::OK);
    let a: Value = app
        .server_fn("help/article", &[("id", "lost-certificate")])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(a["article"]["answer_zh"], "到窗口办理补证登记。");
    assert_eq!(
        app.server_fn("help/article", &[("id", "another-address")])
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let mut unknown = change.clone();
    unknown[0] = ("original", "never-written");
    assert_eq!(
        save(app, &admin, &unknown, false).await.status(),
        StatusCode::NOT_FOUND
    );

    // Unpublished: gone for the public, kept for the administrators.
    let publish = |s: &Staff, id: &'static str, p: &'static str| {
        let (cookie, token) = (s.cookie.clone(), s.csrf.clone());
        async move {
            call(
                app,
                &cookie,
                "help/publish",
                &[("csrf", token.as_str()), ("id", id), ("published", p)],
            )
            .await
        }
    };
    assert_eq!(
        publish(&clerk, "lost-certificate", "0").await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        publish(&admin, "nope-nope", "0").await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        publish(&admin, "lost-certificate", "0").await.status(),
        StatusCode::OK
    );
    assert!(search(app, "补证").await.is_empty());
    assert_eq!(
        page(app, "/help/lost-certificate").await.0,
        StatusCode::NOT_FOUND
    );
    let all: Value = call(app, &admin.cookie, "help/admin", &[("draft", "")])
        .await
        .json()
        .await
        .unwrap();
    let row = all["articles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == "lost-certificate")
        .unwrap()
        .clone();
    assert_eq!(row["published"], false);
    assert_eq!(
        publish(&admin, "lost-certificate", "1").await.status(),
        StatusCode::OK
    );
    assert_eq!(search(app, "补证").await, ["lost-certificate"]);
    assert_eq!(audits(app, "help_unpublished").await, 1);
    assert_eq!(audits(app, "help_published").await, 1);
    assert_eq!(audits(app, "help_saved").await, 2);
}
