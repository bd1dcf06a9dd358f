//! The rest of the appointment service through HTTP on both backends:
//! reminders (the job's passes at chosen instants, each reminder once even
//! with two servers racing), the no-show limit, the booking's QR code and
//! the code lookup, walk-ins into free capacity, home visits, consultations
//! without a case, and the administrators' site editor.

use crate::citizen::{call, csrf, sign_in, submit, HOLDER_A, HOLDER_B, OTHER_MOBILE};
use crate::helpers::TestApp;
use crate::on_both_backends;
use crate::workbench::{act, case, signed_in, staff, take, Staff};
use app::domain::booking::Reminder;
use reqwest::StatusCode;
use serde_json::Value;

async fn pre_accepted(app: &TestApp, clerk: &Staff, cookie: &str) -> String {
    let id = submit(app, cookie).await;
    assert_eq!(take(app, clerk, &id).await, StatusCode::OK);
    let version = case(app, clerk, &id).await["version"].as_i64().unwrap();
    let res = act(app, clerk, &id, version, "pre_accept", &[]).await;
    assert_eq!(res.status(), StatusCode::OK);
    id
}

async fn book_first(app: &TestApp, cookie: &str, id: &str) -> reqwest::Response {
    let opts: Value = call(app, cookie, "bookings/options", &[("id", id)])
        .await
        .json()
        .await
        .unwrap();
    let slot = opts["days"][0]["slots"][0]["key"]
        .as_str()
        .unwrap()
        .to_string();
    let token = csrf(app, cookie).await;
    call(
        app,
        cookie,
        "bookings/book",
        &[
            ("id", id),
            ("site", "MAIN"),
            ("slot", &slot),
            ("csrf", &token),
        ],
    )
    .await
}

async fn error_code(res: reqwest::Response) -> String {
    let body: Value = res.json().await.unwrap();
    body["Validation"][0]["code"]
        .as_str()
        .or(body["Conflict"]["code"].as_str())
        .unwrap_or("")
        .to_string()
}

async fn count_messages(app: &TestApp, template: &str) -> usize {
    app::db::recent_messages(&app.db, 500)
        .await
        .unwrap()
        .iter()
        .filter(|m| m.template == template)
        .count()
}

async fn reminders_the_day_before_and_two_hours_before(app: &TestApp) {
    staff(app, "clerk", "clerk", &["MAIN"]).await;
    let clerk = signed_in(app, "clerk").await;
    let citizen = sign_in(app, HOLDER_A.2).await;
    let id = pre_accepted(app, &clerk, &citizen).await;
    assert_eq!(
        book_first(app, &citizen, &id).await.status(),
        StatusCode::OK
    );
    let b = app::db::live_booking(&app.db, &id).await.unwrap().unwrap();
    // As if booked a week before.
    app::execute!(
        &app.db,
        "UPDATE bookings SET created_at = $2 WHERE id = $1",
        &b.id,
        b.starts_at - 7 * 86_400_000
    )
    .unwrap();
    let run = |now: i64| async move {
        onetrip_server::reminders::run_once(&app.db, now, 120)
            .await
            .unwrap()
    };
    let day = Reminder::DayBefore.moment(b.starts_at);
    let soon = Reminder::Soon.moment(b.starts_at);
    assert_eq!(run(day - 60_000).await, 0, "not yet");
    // Two servers' jobs at the same instant: one reminder between them.
    let (x, y) = tokio::join!(run(day), run(day));
    assert_eq!(x + y, 1);
    assert_eq!(run(day + 3_600_000).await, 0, "once");
    assert_eq!(count_messages(app, "booking_reminder_day").await, 1);
    let (x, y) = tokio::join!(run(soon), run(soon + 1));
    assert_eq!(x + y, 1);
    assert_eq!(run(soon + 60_000).await, 0, "once");
    let texts = app::db::recent_messages(&app.db, 20).await.unwrap();
    let text = texts
        .iter()
        .find(|m| m.template == "booking_reminder_soon")
        .unwrap();
    assert!(text.params.contains(&b.code), "the code is in the reminder");
    let rendered =
        app::domain::notify::render(&text.template, &text.params(), text.lang()).unwrap();
    assert!(rendered.contains(&b.code) && rendered.contains("明州市不动产登记中心"));

    // A cancelled booking is not reminded; nor is one booked after 09:00
    // the day before (its confirmation said it all).
    let second = pre_accepted(app, &clerk, &citizen).await;
    assert_eq!(
        book_first(app, &citizen, &second).await.status(),
        StatusCode::OK
    );
    let c = app::db::live_booking(&app.db, &second)
        .await
        .unwrap()
        .unwrap();
    app::execute!(
        &app.db,
        "UPDATE bookings SET created_at = $2 WHERE id = $1",
        &c.id,
        Reminder::DayBefore.moment(c.starts_at) + 60_000
    )
    .unwrap();
    assert_eq!(
        run(Reminder::DayBefore.moment(c.starts_at) + 120_000).await,
        0
    );
    let token = csrf(app, &citizen).await;
    let res = call(
        app,
        &citizen,
        "bookings/cancel",
        &[("id", &second), ("csrf", &token)],
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(run(Reminder::Soon.moment(c.starts_at)).await, 0);
    assert_eq!(count_messages(app, "booking_reminder_soon").await, 1);
}

async fn repeated_no_shows_limit_online_booking(app: &TestApp) {
    staff(app, "clerk", "clerk", &["MAIN"]).await;
    let clerk = signed_in(app, "clerk").await;
    let citizen = sign_in(app, HOLDER_A.2).await;
    let mut missed = Vec::new();
    for _ in 0..2 {
        let id = pre_accepted(app, &clerk, &citizen).await;
        assert_eq!(
            book_first(app, &citizen, &id).await.status(),
            StatusCode::OK
        );
        let b = app::db::live_booking(&app.db, &id).await.unwrap().unwrap();
        // A no-show is recorded only once the time has come.
        let res = call(
            app,
            &clerk.cookie,
            "bookings/mark",
            &[("id", &b.id), ("status", "no_show"), ("csrf", &clerk.csrf)],
        )
        .await;
        assert_eq!(error_code(res).await, "too_early");
        // Time passes: the visit was yesterday, and nobody came.
        let shift = b.starts_at - (app::db::now_ms() - 86_400_000);
        app::execute!(
            &app.db,
            "UPDATE bookings SET starts_at = starts_at - $2, ends_at = ends_at - $2 WHERE id = $1",
            &b.id,
            shift
        )
        .unwrap();
        let res = call(
            app,
            &clerk.cookie,
            "bookings/mark",
            &[("id", &b.id), ("status", "no_show"), ("csrf", &clerk.csrf)],
        )
        .await;
        assert_eq!(res.status(), StatusCode::OK);
        missed.push(b.id);
    }
    // Two no-shows within 60 days: online booking is limited, and said so.
    let third = pre_accepted(app, &clerk, &citizen).await;
    let opts: Value = call(app, &citizen, "bookings/options", &[("id", &third)])
        .await
        .json()
        .await
        .unwrap();
    let until = opts["limited_until"].as_str().expect("limited").to_string();
    let expected = app::domain::hours::local(app::db::now_ms() - 86_400_000 + 60 * 86_400_000)
        .format("%Y-%m-%d")
        .to_string();
    assert_eq!(until, expected, "until the older one is 60 days old");
    let res = book_first(app, &citizen, &third).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["Validation"][0]["code"], "no_shows");
    assert!(body["Validation"][0]["zh"]
        .as_str()
        .unwrap()
        .contains(&until));
    assert!(app::db::live_booking(&app.db, &third)
        .await
        .unwrap()
        .is_none());
    // Someone else is not affected.
    let other = sign_in(app, HOLDER_B.2).await;
    let theirs = pre_accepted(app, &clerk, &other).await;
    assert_eq!(
        book_first(app, &other, &theirs).await.status(),
        StatusCode::OK
    );
    // When one of the two ages out of the 60 days, booking opens again.
    app::execute!(
        &app.db,
        "UPDATE bookings SET starts_at = starts_at - $2 WHERE id = $1",
        &missed[0],
        61 * 86_400_000i64
    )
    .unwrap();
    assert_eq!(
        book_first(app, &citizen, &third).await.status(),
        StatusCode::OK
    );
}

async fn the_qr_code_leads_the_clerk_to_the_visit(app: &TestApp) {
    staff(app, "clerk", "clerk", &["MAIN"]).await;
    staff(app, "town", "clerk", &["TOWN-QS"]).await;
    let clerk = signed_in(app, "clerk").await;
    let citizen = sign_in(app, HOLDER_A.2).await;
    let id = pre_accepted(app, &clerk, &citizen).await;
    let path = format!("/applications/{id}/booking.svg");
    assert_eq!(
        app.get_with_cookie(&path, &citizen).await.status(),
        StatusCode::NOT_FOUND,
        "no booking yet"
    );
    assert_eq!(
        book_first(app, &citizen, &id).await.status(),
        StatusCode::OK
    );
    let b = app::db::live_booking(&app.db, &id).await.unwrap().unwrap();
    let res = app.get_with_cookie(&path, &citizen).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "image/svg+xml");
    let svg = res.text().await.unwrap();
    // The same QR code as one made independently for the day view's URL.
    let url = format!("http://127.0.0.1:3000/staff/bookings?code={}", b.code);
    let expected = qrcode::QrCode::with_error_correction_level(url.as_bytes(), qrcode::EcLevel::M)
        .unwrap()
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(160, 160)
        .quiet_zone(true)
        .build();
    assert_eq!(svg, expected);
    let other = sign_in(app, OTHER_MOBILE).await;
    assert_eq!(
        app.get_with_cookie(&path, &other).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.get(&path).await.status(), StatusCode::UNAUTHORIZED);

    // The scanned URL: the site's clerk lands on that day with the visit
    // marked; a clerk of another site finds nothing.
    let plan: Value = call(
        app,
        &clerk.cookie,
        "bookings/day",
        &[("code", &b.code.to_lowercase())],
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(plan["found"], b.code.as_str());
    assert_eq!(plan["site"], "MAIN");
    let day = app::domain::hours::local(b.starts_at)
        .format("%Y-%m-%d")
        .to_string();
    assert_eq!(plan["day"], day.as_str());
    let html = app
        .get_with_cookie(&format!("/staff/bookings?code={}", b.code), &clerk.cookie)
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("data-testid=\"found-visit\""), "marked");
    let town = signed_in(app, "town").await;
    let plan: Value = call(app, &town.cookie, "bookings/day", &[("code", &b.code)])
        .await
        .json()
        .await
        .unwrap();
    assert!(plan["found"].is_null());
    assert!(plan["visits"].as_array().unwrap().is_empty());
}

async fn walk_ins_take_free_seats_today(app: &TestApp) {
    // Today opens all day at the main centre, one window, 10-minute slots.
    let today = app::domain::hours::local(app::db::now_ms()).date();
    app::execute!(
        &app.db,
        "DELETE FROM calendar_days WHERE day = $1",
        today.format("%Y-%m-%d").to_string()
    )
    .unwrap();
    app::execute!(
        &app.db,
        "INSERT INTO calendar_days (day, kind, updated_at) VALUES ($1, 'workday', 0)",
        today.format("%Y-%m-%d").to_string()
    )
    .unwrap();
    app::execute!(
        &app.db,
        "UPDATE sites SET work_hours = '00:00-23:59' WHERE code = 'MAIN'"
    )
    .unwrap();
    app::execute!(
        &app.db,
        "UPDATE site_services SET windows = 1, slot_minutes = 10
          WHERE site_code = 'MAIN' AND matter_group = 'general'"
    )
    .unwrap();
    staff(app, "clerk", "clerk", &["MAIN"]).await;
    staff(app, "town", "clerk", &["TOWN-QS"]).await;
    let clerk = signed_in(app, "clerk").await;
    let citizen = sign_in(app, HOLDER_A.2).await;
    let first = pre_accepted(app, &clerk, &citizen).await;
    let second = pre_accepted(app, &clerk, &citizen).await;
    let receipt = |id: String| async move {
        app::db::application_row(&app.db, &id)
            .await
            .unwrap()
            .unwrap()
            .receipt_no
            .unwrap()
    };
    let (r1, r2) = (receipt(first.clone()).await, receipt(second.clone()).await);
    let walk = |s: &Staff, site: &'static str, receipt: String| {
        let (cookie, token) = (s.cookie.clone(), s.csrf.clone());
        async move {
            call(
                app,
                &cookie,
                "bookings/walk_in",
                &[("site", site), ("receipt", &receipt), ("csrf", &token)],
            )
            .await
        }
    };
    // Refused: an unknown receipt, another site's clerk.
    let res = walk(&clerk, "MAIN", "NO-SUCH-RECEIPT".into()).await;
    assert_eq!(error_code(res).await, "receipt");
    let town = signed_in(app, "town").await;
    assert_eq!(
        walk(&town, "MAIN", r1.clone()).await.status(),
        StatusCode::NOT_FOUND
    );
    // At their own site, another site's receipt is answered exactly as an
    // unknown one: nothing about its existence, stage or booking.
    let unknown: Value = walk(&town, "TOWN-QS", "NO-SUCH-RECEIPT".into())
        .await
        .json()
        .await
        .unwrap();
    let known: Value = walk(&town, "TOWN-QS", r1.clone())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(unknown["Validation"][0]["code"], "receipt");
    assert_eq!(known, unknown);
    let now = app::domain::hours::local(app::db::now_ms());
    let open_slots_left = now.time() < chrono::NaiveTime::from_hms_opt(23, 40, 0).unwrap();
    let res = walk(&clerk, "MAIN", r1.to_lowercase()).await;
    if !open_slots_left {
        // Within the day's last slots there may be no seat left: said so.
        assert_eq!(error_code(res).await, "no_capacity");
        return;
    }
    assert_eq!(res.status(), StatusCode::OK);
    let first_time: String = res.json().await.unwrap();
    let res = walk(&clerk, "MAIN", r2.clone()).await;
    assert_eq!(res.status(), StatusCode::OK);
    let second_time: String = res.json().await.unwrap();
    assert!(
        second_time > first_time,
        "one window: the next walk-in takes the next slot ({first_time}, {second_time})"
    );
    // Recorded as arrived, shown in the day view as walk-ins.
    let plan: Value = call(app, &clerk.cookie, "bookings/day", &[("site", "MAIN")])
        .await
        .json()
        .await
        .unwrap();
    let visits = plan["visits"].as_array().unwrap();
    assert_eq!(visits.len(), 2);
    assert!(visits
        .iter()
        .all(|v| v["walk_in"] == true && v["status"] == "arrived"));
    // Twice for one case: refused (it has its seat already).
    let third = pre_accepted(app, &clerk, &citizen).await;
    assert_eq!(
        book_first(app, &citizen, &third).await.status(),
        StatusCode::OK
    );
    let res = walk(&clerk, "MAIN", receipt(third).await).await;
    assert_eq!(error_code(res).await, "case_booked");
    // A case not pre-accepted: refused.
    let fresh = submit(app, &citizen).await;
    let res = walk(&clerk, "MAIN", receipt(fresh).await).await;
    assert_eq!(error_code(res).await, "not_bookable");
}

async fn home_visits_are_requested_scheduled_and_planned(app: &TestApp) {
    staff(app, "clerk", "clerk", &["MAIN"]).await;
    staff(app, "clerk2", "clerk", &["MAIN"]).await;
    staff(app, "town", "clerk", &["TOWN-QS"]).await;
    let clerk = signed_in(app, "clerk").await;
    let citizen = sign_in(app, HOLDER_A.2).await;
    let id = pre_accepted(app, &clerk, &citizen).await;
    let cal = app::db::load_calendar(&app.db).await.unwrap();
    let today = app::domain::hours::local(app::db::now_ms()).date();
    let working: Vec<String> = (1..30)
        .map(|i| today + chrono::Days::new(i))
        .filter(|d| cal.is_working_day(*d))
        .take(3)
        .map(|d| d.format("%Y-%m-%d").to_string())
        .collect();
    let weekend = (1..10)
        .map(|i| today + chrono::Days::new(i))
        .find(|d| !cal.is_working_day(*d))
        .unwrap()
        .format("%Y-%m-%d")
        .to_string();
    let request = |cookie: String, case: String, fields: Vec<(&'static str, String)>| async move {
        let token = csrf(app, &cookie).await;
        let mut form: Vec<(&str, String)> = vec![("id", case), ("csrf", token)];
        form.extend(fields);
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        call(app, &cookie, "home_visits/request", &form).await
    };
    let good = |date: &str| {
        vec![
            ("reason", "age".to_string()),
            ("note", "今年 86 岁，腿脚不便".to_string()),
            ("address", "东湖区湖滨路 12 号 3 幢 201 室".to_string()),
            ("date1", date.to_string()),
        ]
    };
    // Every field checked, each with its own message.
    let res = request(
        citizen.clone(),
        id.clone(),
        vec![
            ("reason", "bored".into()),
            ("note", "x".into()),
            ("address", "家".into()),
            ("date1", weekend.clone()),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = res.json().await.unwrap();
    let codes: Vec<&str> = body["Validation"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["reason", "note", "address", "dates"]);
    let mut past = good("2020-01-06");
    past.push(("date2", working[0].clone()));
    assert_eq!(
        error_code(request(citizen.clone(), id.clone(), past).await).await,
        "dates"
    );
    // Someone else's case: 404.
    let other = sign_in(app, OTHER_MOBILE).await;
    assert_eq!(
        request(other, id.clone(), good(&working[0])).await.status(),
        StatusCode::NOT_FOUND
    );
    let mut two = good(&working[1]);
    two.push(("date2", working[0].clone()));
    assert_eq!(
        request(citizen.clone(), id.clone(), two).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        error_code(request(citizen.clone(), id.clone(), good(&working[0])).await).await,
        "home_visit_open",
        "one open request per case"
    );
    let mine: Value = call(app, &citizen, "applications/get", &[("id", &id)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine["home_visit"]["status"], "requested");
    assert_eq!(
        mine["home_visit"]["preferred"],
        format!("{},{}", working[0], working[1]),
        "sorted"
    );

    // The site's clerks see it waiting; another site's do not.
    let plan: Value = call(app, &clerk.cookie, "bookings/day", &[("site", "MAIN")])
        .await
        .json()
        .await
        .unwrap();
    let waiting = plan["home_waiting"].as_array().unwrap();
    assert_eq!(waiting.len(), 1);
    let visit = waiting[0]["id"].as_str().unwrap().to_string();
    let workers: Vec<String> = plan["workers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w[0].as_str().unwrap().to_string())
        .collect();
    assert_eq!(workers.len(), 2, "both clerks of the site");
    let me = plan["me"].as_str().unwrap().to_string();
    let town = signed_in(app, "town").await;
    let schedule = |s: &Staff, visit: String, clerk: String, day: String, time: &'static str| {
        let (cookie, token) = (s.cookie.clone(), s.csrf.clone());
        async move {
            call(
                app,
                &cookie,
                "home_visits/schedule",
                &[
                    ("id", visit.as_str()),
                    ("clerk", clerk.as_str()),
                    ("day", day.as_str()),
                    ("time", time),
                    ("site", "MAIN"),
                    ("csrf", token.as_str()),
                ],
            )
            .await
        }
    };
    assert_eq!(
        schedule(
            &town,
            visit.clone(),
            me.clone(),
            working[0].clone(),
            "09:30"
        )
        .await
        .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        error_code(schedule(&clerk, visit.clone(), me.clone(), weekend.clone(), "09:30").await)
            .await,
        "when"
    );
    assert_eq!(
        schedule(
            &clerk,
            visit.clone(),
            me.clone(),
            working[0].clone(),
            "09:30"
        )
        .await
        .status(),
        StatusCode::OK
    );
    assert_eq!(
        schedule(
            &clerk,
            visit.clone(),
            me.clone(),
            working[0].clone(),
            "10:30"
        )
        .await
        .status(),
        StatusCode::NOT_FOUND,
        "scheduled once"
    );
    // The same clerk at the same time for another case: refused.
    let second = pre_accepted(app, &clerk, &citizen).await;
    assert_eq!(
        request(citizen.clone(), second.clone(), good(&working[0]))
            .await
            .status(),
        StatusCode::OK
    );
    let plan: Value = call(app, &clerk.cookie, "bookings/day", &[("site", "MAIN")])
        .await
        .json()
        .await
        .unwrap();
    let visit2 = plan["home_waiting"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(
        error_code(
            schedule(
                &clerk,
                visit2.clone(),
                me.clone(),
                working[0].clone(),
                "09:30"
            )
            .await
        )
        .await,
        "clash"
    );
    let colleague = workers.iter().find(|w| **w != me).unwrap().clone();
    assert_eq!(
        schedule(&clerk, visit2, colleague, working[0].clone(), "09:30")
            .await
            .status(),
        StatusCode::OK
    );
    // Both appear in that day's plan, each with its clerk.
    let plan: Value = call(
        app,
        &clerk.cookie,
        "bookings/day",
        &[("site", "MAIN"), ("day", &working[0])],
    )
    .await
    .json()
    .await
    .unwrap();
    let day = plan["home_day"].as_array().unwrap();
    assert_eq!(day.len(), 2);
    assert!(day.iter().any(|v| v["clerk_id"] == me.as_str()));
    assert!(day
        .iter()
        .all(|v| v["when"] == format!("{} 09:30", working[0])));
    // The applicant is told, and sees it.
    assert_eq!(count_messages(app, "home_visit_scheduled").await, 2);
    let mine: Value = call(app, &citizen, "applications/get", &[("id", &id)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine["home_visit"]["status"], "scheduled");
    let kinds: Vec<&str> = mine["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.ends_with(&["home_visit_requested", "home_visit_scheduled"]));
    // Withdrawn by the applicant: gone from the plan.
    let token = csrf(app, &citizen).await;
    let res = call(
        app,
        &citizen,
        "home_visits/cancel",
        &[("id", &id), ("csrf", &token)],
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let plan: Value = call(
        app,
        &clerk.cookie,
        "bookings/day",
        &[("site", "MAIN"), ("day", &working[0])],
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(plan["home_day"].as_array().unwrap().len(), 1);
}

async fn consultations_need_no_case(app: &TestApp) {
    staff(app, "town", "clerk", &["TOWN-QS"]).await;
    let town = signed_in(app, "town").await;
    let anonymous = app.server_fn("consult/options", &[]).await;
    assert_eq!(anonymous.status(), StatusCode::OK);
    assert!(
        anonymous.json::<Value>().await.unwrap().is_null(),
        "nothing for nobody"
    );
    let token = csrf(app, &sign_in(app, HOLDER_B.2).await).await;
    assert_eq!(
        app.server_fn(
            "consult/book",
            &[
                ("site", "TOWN-QS"),
                ("slot", "x"),
                ("topic", "xx"),
                ("csrf", &token)
            ]
        )
        .await
        .status(),
        StatusCode::UNAUTHORIZED,
        "booking needs a session"
    );
    let citizen = sign_in(app, HOLDER_A.2).await;
    let opts: Value = call(app, &citizen, "consult/options", &[("site", "TOWN-QS")])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(opts["site"], "TOWN-QS");
    assert_eq!(
        opts["sites"].as_array().unwrap().len(),
        15,
        "every site has a consultation window"
    );
    let slot = opts["days"][0]["slots"][0]["key"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(opts["days"][0]["slots"][0]["free"], 1);
    let book = |topic: &'static str| {
        let (cookie, slot) = (citizen.clone(), slot.clone());
        async move {
            let token = csrf(app, &cookie).await;
            call(
                app,
                &cookie,
                "consult/book",
                &[
                    ("site", "TOWN-QS"),
                    ("slot", &slot),
                    ("topic", topic),
                    ("csrf", &token),
                ],
            )
            .await
        }
    };
    assert_eq!(error_code(book(" ").await).await, "topic");
    let res = book("继承房产需要哪些材料").await;
    assert_eq!(res.status(), StatusCode::OK);
    let code: String = res.json().await.unwrap();
    assert_eq!(code.len(), 8);
    assert_eq!(
        error_code(book("再约一次").await).await,
        "full",
        "one window"
    );
    assert!(app::db::recent_messages(&app.db, 5)
        .await
        .unwrap()
        .iter()
        .any(|m| m.template == "booked" && m.params.contains(&code)));
    // The town office sees it with its topic.
    let day = &slot[..10];
    let plan: Value = call(
        app,
        &town.cookie,
        "bookings/day",
        &[("site", "TOWN-QS"), ("day", day)],
    )
    .await
    .json()
    .await
    .unwrap();
    let v = &plan["visits"][0];
    assert_eq!(v["topic"], "继承房产需要哪些材料");
    assert_eq!(v["application_id"], "");
    // Listed for its holder, cancelled by them only.
    let opts: Value = call(app, &citizen, "consult/options", &[("site", "TOWN-QS")])
        .await
        .json()
        .await
        .unwrap();
    let id = opts["current"][0]["id"].as_str().unwrap().to_string();
    let other = sign_in(app, OTHER_MOBILE).await;
    let token = csrf(app, &other).await;
    assert_eq!(
        call(
            app,
            &other,
            "consult/cancel",
            &[("id", &id), ("csrf", &token)]
        )
        .await
        .status(),
        StatusCode::NOT_FOUND
    );
    let token = csrf(app, &citizen).await;
    assert_eq!(
        call(
            app,
            &citizen,
            "consult/cancel",
            &[("id", &id), ("csrf", &token)]
        )
        .await
        .status(),
        StatusCode::OK
    );
    assert_eq!(book("继承房产需要哪些材料").await.status(), StatusCode::OK);
}

async fn administrators_edit_sites_and_slots_follow(app: &TestApp) {
    staff(app, "admin", "admin", &[]).await;
    staff(app, "clerk", "clerk", &["MAIN"]).await;
    let admin = signed_in(app, "admin").await;
    let clerk = signed_in(app, "clerk").await;
    let current: Value = call(app, &admin.cookie, "sites/admin_get", &[("code", "MAIN")])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(current["work_hours"], "08:30-17:00");
    let save = |s: &Staff, hours: &'static str, windows: &'static str| {
        let (cookie, token) = (s.cookie.clone(), s.csrf.clone());
        let c = current.clone();
        async move {
            let text = |k: &str| c[k].as_str().unwrap().to_string();
            let form = [
                ("code", "MAIN".to_string()),
                ("address_zh", text("address_zh")),
                ("address_en", text("address_en")),
                ("phone", text("phone")),
                ("hours_zh", "周一至周五 9:00–11:00".to_string()),
                ("hours_en", "Mon–Fri 9:00–11:00".to_string()),
                (
                    "map_url",
                    "https://uri.amap.com/marker?position=121.55,29.87".to_string(),
                ),
                ("work_hours", hours.to_string()),
                ("general_windows", windows.to_string()),
                ("general_minutes", "30".to_string()),
                ("mortgage_windows", "3".to_string()),
                ("mortgage_minutes", "20".to_string()),
                ("consult_windows", "0".to_string()),
                ("consult_minutes", "30".to_string()),
                ("csrf", token),
            ];
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            call(app, &cookie, "sites/admin_save", &form).await
        }
    };
    // Only administrators.
    assert_eq!(
        save(&clerk, "09:00-11:00", "2").await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        call(app, &clerk.cookie, "sites/admin_get", &[("code", "MAIN")])
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    // Bad hours and windows: field errors, nothing saved.
    let res = save(&admin, "11:00-09:00", "99").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = res.json().await.unwrap();
    let fields: Vec<&str> = body["Validation"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["work_hours", "general_windows"]);
    assert_eq!(
        app::db::load_clock(&app.db, app::db::now_ms())
            .await
            .unwrap()
            .hours("MAIN")
            .to_string(),
        "08:30-17:00"
    );
    assert_eq!(
        save(&admin, "09:00-11:00", "2").await.status(),
        StatusCode::OK
    );
    // New slots follow: 09:00–11:00 in 30 minutes, two seats each.
    let citizen = sign_in(app, HOLDER_A.2).await;
    let id = pre_accepted(app, &clerk, &citizen).await;
    let opts: Value = call(app, &citizen, "bookings/options", &[("id", &id)])
        .await
        .json()
        .await
        .unwrap();
    let days = opts["days"].as_array().unwrap();
    let full_day = days
        .iter()
        .find(|d| d["slots"].as_array().unwrap().len() == 4)
        .expect("a whole day ahead");
    let labels: Vec<&str> = full_day["slots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["label"].as_str().unwrap())
        .collect();
    assert_eq!(
        labels,
        ["09:00–09:30", "09:30–10:00", "10:00–10:30", "10:30–11:00"]
    );
    assert!(days
        .iter()
        .flat_map(|d| d["slots"].as_array().unwrap())
        .all(|s| s["free"] == 2));
    // The public site page shows the new text and map link; consultation
    // is no longer offered there; the edit is audited.
    let site: Value = app
        .server_fn("sites/get", &[("code", "MAIN")])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(site["hours_zh"], "周一至周五 9:00–11:00");
    assert!(site["map_url"].as_str().unwrap().starts_with("https://"));
    let consult: Value = call(app, &citizen, "consult/options", &[])
        .await
        .json()
        .await
        .unwrap();
    assert!(consult["sites"]
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s["code"] != "MAIN"));
    assert!(app::db::audit_rows(&app.db)
        .await
        .unwrap()
        .iter()
        .any(|r| r.action == "edit_site" && r.after_state.starts_with("09:00-11:00")));
}

on_both_backends!(
    reminders_the_day_before_and_two_hours_before,
    repeated_no_shows_limit_online_booking,
    the_qr_code_leads_the_clerk_to_the_visit,
    walk_ins_take_free_seats_today,
    home_visits_are_requested_scheduled_and_planned,
    consultations_need_no_case,
    administrators_edit_sites_and_slots_follow
);
