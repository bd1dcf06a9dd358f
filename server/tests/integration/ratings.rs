//! Ratings (好差评) through HTTP on both backends: only once the case has
//! ended, once per person, only by the case's people; nobody changes or
//! deletes one (not even with SQL); a low rating opens a follow-up that
//! only a supervisor of the case's site closes, and the applicant is told.

use crate::citizen::{call, csrf, sign_in, HOLDER_A, HOLDER_B, OTHER_MOBILE};
use crate::helpers::TestApp;
use crate::on_both_backends;
use crate::workbench::{act, case, signed_in, staff, submitted, take};
use reqwest::StatusCode;
use serde_json::Value;

on_both_backends!(ratings_are_given_once_by_the_case_people_and_followed_up);

async fn rate(app: &TestApp, cookie: &str, id: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    let token = csrf(app, cookie).await;
    let mut form = vec![("id", id), ("csrf", token.as_str())];
    form.extend_from_slice(fields);
    call(app, cookie, "applications/rate", &form).await
}

async fn view(app: &TestApp, cookie: &str, id: &str) -> Value {
    call(app, cookie, "applications/get", &[("id", id)])
        .await
        .json()
        .await
        .unwrap()
}

async fn ratings_are_given_once_by_the_case_people_and_followed_up(app: &TestApp) {
    staff(app, "sup", "supervisor", &["MAIN"]).await;
    staff(app, "sup-town", "supervisor", &["TOWN-LW"]).await;
    staff(app, "clerk1", "clerk", &["MAIN"]).await;
    let sup = signed_in(app, "sup").await;
    let (citizen, id) = submitted(app).await;

    // Not before the case has ended.
    let low = [
        ("level", "2"),
        ("f[reason-slow]", "1"),
        ("f[reason-trips]", "1"),
        ("comment", "等了很久，来回跑了两趟"),
    ];
    let res = rate(app, &citizen, &id, &low).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert!(!view(app, &citizen, &id).await["can_rate"]
        .as_bool()
        .unwrap());

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
    assert!(view(app, &citizen, &id).await["can_rate"]
        .as_bool()
        .unwrap());

    // A low rating needs a reason; a stranger cannot rate; the applicant
    // rates once.
    let res = rate(app, &citizen, &id, &[("level", "1")]).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = rate(app, &citizen, &id, &[("level", "9")]).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let stranger = sign_in(app, OTHER_MOBILE).await;
    assert_eq!(
        rate(app, &stranger, &id, &low).await.status(),
        StatusCode::NOT_FOUND
    );
    // Without JavaScript a refused rating comes back to the page with what
    // was chosen and typed (nothing lost), and the page shows it again.
    let token = csrf(app, &citizen).await;
    let typed = "等了很久</textarea><b>x</b>";
    let res = app
        .client
        .post(app.url("/api/applications/rate"))
        .header("cookie", &citizen)
        .header("accept", "text/html")
        .form(&[
            ("id", id.as_str()),
            ("csrf", token.as_str()),
            ("level", "2"),
            ("comment", typed),
        ])
        .send()
        .await
        .unwrap();
    assert!(res.status().is_redirection());
    let back = res.headers()["location"].to_str().unwrap().to_string();
    assert!(back.contains("error=rating_reasons"), "{back}");
    let page = app
        .get_with_cookie(&back, &citizen)
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("等了很久&lt;/textarea&gt;&lt;b&gt;x&lt;/b&gt;"),
        "the comment is back, as text"
    );
    assert!(page.contains("id=\"level-2\" name=\"level\" value=\"2\" checked"));
    let res = rate(app, &citizen, &id, &low).await;
    assert_eq!(res.status(), StatusCode::OK);
    // Twice, even at once: one rating.
    let again =
        futures::future::join_all((0..5).map(|_| rate(app, &citizen, &id, &[("level", "5")])))
            .await;
    assert!(again.iter().all(|r| r.status() == StatusCode::CONFLICT));
    let mine = view(app, &citizen, &id).await;
    assert_eq!(mine["rating"]["level"], 2);
    // The order reasons were ticked in is not kept: compare as a set.
    let mut reasons: Vec<&str> = mine["rating"]["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    reasons.sort();
    assert_eq!(reasons, vec!["slow", "trips"]);
    assert!(mine["rating"]["due_on"].is_string());
    assert!(!mine["can_rate"].as_bool().unwrap());
    // The other buyer, named on the case, rates too (once).
    let other_buyer = sign_in(app, HOLDER_B.2).await;
    assert_eq!(
        rate(app, &other_buyer, &id, &[("level", "5")])
            .await
            .status(),
        StatusCode::OK
    );

    // Nobody changes a rating, not even with SQL.
    let changed = app::execute!(
        &app.db,
        "UPDATE ratings SET level = 5 WHERE application_id = $1",
        &id
    );
    assert!(changed.is_err(), "an UPDATE is refused");
    let deleted = app::execute!(
        &app.db,
        "DELETE FROM ratings WHERE application_id = $1",
        &id
    );
    assert!(deleted.is_err(), "a DELETE is refused");

    // The supervisor of the site sees both, per site, matter and clerk.
    let overview: Value = call(app, &sup.cookie, "cases/ratings", &[])
        .await
        .json()
        .await
        .unwrap();
    let rows = overview["ratings"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["level"], 2, "open follow-ups first");
    assert_eq!(rows[0]["follow_up_open"], true);
    assert_eq!(rows[0]["clerk"], "sup");
    assert_eq!(overview["by_site"][0]["count"], 2);
    assert_eq!(overview["by_site"][0]["low"], 1);
    assert_eq!(overview["by_site"][0]["average"], 3.5);
    assert_eq!(overview["by_clerk"][0]["name"], "sup");
    let rating_id = rows[0]["id"].as_str().unwrap().to_string();
    // Another site's supervisor sees none and cannot close it; a clerk may not.
    let town = signed_in(app, "sup-town").await;
    let theirs: Value = call(app, &town.cookie, "cases/ratings", &[])
        .await
        .json()
        .await
        .unwrap();
    assert!(theirs["ratings"].as_array().unwrap().is_empty());
    let answer = "已核实：当日系统升级导致排队，已增开窗口并致电道歉";
    let res = call(
        app,
        &town.cookie,
        "cases/rating_follow_up",
        &[("id", &rating_id), ("csrf", &town.csrf), ("action", answer)],
    )
    .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let clerk = signed_in(app, "clerk1").await;
    let res = call(
        app,
        &clerk.cookie,
        "cases/rating_follow_up",
        &[
            ("id", &rating_id),
            ("csrf", &clerk.csrf),
            ("action", answer),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        call(app, &clerk.cookie, "cases/ratings", &[])
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    // Too short an answer; then the real one, once.
    let res = call(
        app,
        &sup.cookie,
        "cases/rating_follow_up",
        &[("id", &rating_id), ("csrf", &sup.csrf), ("action", "ok")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = call(
        app,
        &sup.cookie,
        "cases/rating_follow_up",
        &[("id", &rating_id), ("csrf", &sup.csrf), ("action", answer)],
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = call(
        app,
        &sup.cookie,
        "cases/rating_follow_up",
        &[("id", &rating_id), ("csrf", &sup.csrf), ("action", answer)],
    )
    .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND, "closed once");
    // The applicant sees and is texted what was done.
    assert_eq!(view(app, &citizen, &id).await["rating"]["action"], answer);
    let texted: Vec<(String,)> = app::fetch_all!(
        &app.db,
        (String,),
        "SELECT template FROM outbox WHERE recipient = $1 AND template = 'rating_followed_up'",
        HOLDER_A.2
    )
    .unwrap();
    assert_eq!(texted.len(), 1);
}
