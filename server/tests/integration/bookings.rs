//! Appointments through HTTP on both backends: who may book what, the rules
//! a slot must pass, moving and cancelling, the calendar file, the clerks'
//! day view, and the last seat of a slot going to exactly one of many
//! concurrent requests.

use crate::citizen::{call, csrf, sign_in, submit, HOLDER_A, HOLDER_B, OTHER_MOBILE, SELLER};
use crate::helpers::TestApp;
use crate::on_both_backends;
use crate::workbench::{act, case, signed_in, staff, take, Staff};
use reqwest::StatusCode;
use serde_json::Value;

/// A citizen's submitted application, pre-accepted by the clerk.
pub async fn pre_accepted(app: &TestApp, clerk: &Staff, cookie: &str) -> (String, String) {
    let cookie = cookie.to_string();
    let id = submit(app, &cookie).await;
    assert_eq!(take(app, clerk, &id).await, StatusCode::OK);
    let version = case(app, clerk, &id).await["version"].as_i64().unwrap();
    let res = act(app, clerk, &id, version, "pre_accept", &[]).await;
    assert_eq!(res.status(), StatusCode::OK);
    (cookie, id)
}

async fn options(app: &TestApp, cookie: &str, id: &str) -> reqwest::Response {
    call(app, cookie, "bookings/options", &[("id", id)]).await
}

pub async fn book(
    app: &TestApp,
    cookie: &str,
    id: &str,
    site: &str,
    slot: &str,
) -> reqwest::Response {
    let token = csrf(app, cookie).await;
    call(
        app,
        cookie,
        "bookings/book",
        &[("id", id), ("site", site), ("slot", slot), ("csrf", &token)],
    )
    .await
}

pub fn first_slots(opts: &Value, n: usize) -> Vec<String> {
    opts["days"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|d| d["slots"].as_array().unwrap().iter())
        .take(n)
        .map(|s| s["key"].as_str().unwrap().to_string())
        .collect()
}

pub async fn error_code(res: reqwest::Response) -> String {
    let body: Value = res.json().await.unwrap();
    body["Validation"][0]["code"]
        .as_str()
        .or(body["Conflict"]["code"].as_str())
        .unwrap_or("")
        .to_string()
}

async fn booking_a_pre_accepted_case(app: &TestApp) {
    staff(app, "clerk", "clerk", &["MAIN"]).await;
    staff(app, "town", "clerk", &["TOWN-QS"]).await;
    let clerk = signed_in(app, "clerk").await;
    let citizen = sign_in(app, HOLDER_A.2).await;
    let id = submit(app, &citizen).await;
    // Not before pre-review has passed.
    assert_eq!(
        options(app, &citizen, &id).await.status(),
        StatusCode::CONFLICT
    );
    assert_eq!(take(app, &clerk, &id).await, StatusCode::OK);
    let version = case(app, &clerk, &id).await["version"].as_i64().unwrap();
    act(app, &clerk, &id, version, "pre_accept", &[]).await;

    let opts: Value = options(app, &citizen, &id).await.json().await.unwrap();
    assert_eq!(opts["site"], "MAIN", "the main centre first");
    assert!(
        opts["sites"].as_array().unwrap().len() >= 4,
        "centres and town offices"
    );
    let slots = first_slots(&opts, 3);
    assert_eq!(slots.len(), 3);
    let first_free = opts["days"][0]["slots"][0]["free"].as_i64().unwrap();
    assert_eq!(first_free, 6, "six general windows at the main centre");

    // Someone else cannot book it, see its options or its calendar file.
    let other = sign_in(app, OTHER_MOBILE).await;
    assert_eq!(
        options(app, &other, &id).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        book(app, &other, &id, "MAIN", &slots[0]).await.status(),
        StatusCode::NOT_FOUND
    );

    // Bad slots are refused with a reason, and nothing is booked.
    let weekend = {
        let cal = app::db::load_calendar(&app.db).await.unwrap();
        let today = app::domain::hours::local(app::db::now_ms()).date();
        (1..10)
            .map(|i| today + chrono::Days::new(i))
            .find(|d| !cal.is_working_day(*d))
            .unwrap()
    };
    let off_grid = format!("{}7", &slots[0][..slots[0].len() - 1]);
    let time = &slots[0][11..];
    for (slot, site, code) in [
        (format!("2020-01-06 {time}"), "MAIN", "too_late"),
        ("tomorrow morning".to_string(), "MAIN", "slot"),
        (off_grid.clone(), "MAIN", "not_a_slot"),
        (format!("{weekend} {time}"), "MAIN", "not_a_slot"),
        (slots[0].clone(), "NOWHERE", "site"),
    ] {
        let res = book(app, &citizen, &id, site, &slot).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{slot}");
        assert_eq!(error_code(res).await, code, "{slot}");
    }
    let far = {
        let cal = app::db::load_calendar(&app.db).await.unwrap();
        let today = app::domain::hours::local(app::db::now_ms()).date();
        (20..40)
            .map(|i| today + chrono::Days::new(i))
            .find(|d| cal.is_working_day(*d))
            .unwrap()
    };
    let res = book(app, &citizen, &id, "MAIN", &format!("{far} {time}")).await;
    assert_eq!(error_code(res).await, "too_far");
    assert!(app::db::live_booking(&app.db, &id).await.unwrap().is_none());

    // Book, then move: one live booking, the seat of the first freed.
    let res = book(app, &citizen, &id, "MAIN", &slots[0]).await;
    assert_eq!(res.status(), StatusCode::OK);
    let first: String = res.json().await.unwrap();
    let mine: Value = call(app, &citizen, "applications/get", &[("id", &id)])
        .await
        .json()
        .await
        .unwrap();
    let code = mine["booking"]["code"].as_str().unwrap().to_string();
    assert_eq!(code.len(), 8);
    assert!(mine["booking"]["when"]
        .as_str()
        .unwrap()
        .starts_with(&slots[0]));
    let texts = app::db::recent_messages(&app.db, 10).await.unwrap();
    assert!(texts
        .iter()
        .any(|m| m.template == "booked" && m.params.contains(&code)));

    let res = book(app, &citizen, &id, "MAIN", &slots[1]).await;
    assert_eq!(res.status(), StatusCode::OK, "moved");
    let live = app::db::live_booking(&app.db, &id).await.unwrap().unwrap();
    assert_ne!(live.id, first);
    assert_eq!(
        app::db::booking(&app.db, &first)
            .await
            .unwrap()
            .unwrap()
            .status,
        "cancelled"
    );
    let opts: Value = options(app, &citizen, &id).await.json().await.unwrap();
    assert_eq!(
        opts["days"][0]["slots"][0]["free"], 6,
        "the first seat is free again"
    );

    // The calendar file: the filer and staff of the site; no one else.
    let res = app
        .get_with_cookie(&format!("/applications/{id}/booking.ics"), &citizen)
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/calendar"));
    let ics = res.text().await.unwrap();
    let start = app::domain::hours::local(live.starts_at);
    let utc = (start - chrono::Duration::hours(8)).format("%Y%m%dT%H%M%SZ");
    assert!(ics.contains(&format!("DTSTART:{utc}\r\n")), "{ics}");
    assert!(ics.replace("\r\n ", "").contains(&live.code));
    assert_eq!(
        app.get_with_cookie(&format!("/applications/{id}/booking.ics"), &other)
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&format!("/applications/{id}/booking.ics"))
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );

    // The clerks' day: the main centre's clerk sees the visit and marks it
    // arrived, once; a town office's clerk sees nothing and marks nothing.
    let day = start.date().to_string();
    let plan: Value = call(
        app,
        &clerk.cookie,
        "bookings/day",
        &[("site", "MAIN"), ("day", &day)],
    )
    .await
    .json()
    .await
    .unwrap();
    let visits = plan["visits"].as_array().unwrap();
    assert_eq!(visits.len(), 1);
    assert_eq!(visits[0]["application_id"], id.as_str());
    assert_eq!(visits[0]["code"], live.code.as_str());
    assert_eq!(visits[0]["window"], 1, "the first free window");
    let html = app
        .get_with_cookie(
            &format!("/staff/bookings?site=MAIN&day={day}"),
            &clerk.cookie,
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains(&live.code), "the day view page lists it");
    let town = signed_in(app, "town").await;
    let plan: Value = call(
        app,
        &town.cookie,
        "bookings/day",
        &[("site", "MAIN"), ("day", &day)],
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(plan["site"], "TOWN-QS", "only one's own sites");
    assert!(plan["visits"].as_array().unwrap().is_empty());
    let mark = |s: &Staff, status: &'static str| {
        let (cookie, token, booking) = (s.cookie.clone(), s.csrf.clone(), live.id.clone());
        async move {
            call(
                app,
                &cookie,
                "bookings/mark",
                &[("id", &booking), ("status", status), ("csrf", &token)],
            )
            .await
            .status()
        }
    };
    assert_eq!(mark(&town, "arrived").await, StatusCode::NOT_FOUND);
    assert_eq!(mark(&clerk, "vanished").await, StatusCode::BAD_REQUEST);

    // Cancelling frees the seat and shows in the timeline.
    let token = csrf(app, &citizen).await;
    let res = call(
        app,
        &citizen,
        "bookings/cancel",
        &[("id", &id), ("csrf", &token)],
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(app::db::live_booking(&app.db, &id).await.unwrap().is_none());
    let res = call(
        app,
        &citizen,
        "bookings/cancel",
        &[("id", &id), ("csrf", &token)],
    )
    .await;
    assert_eq!(res.status(), StatusCode::CONFLICT, "nothing left to cancel");
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
    assert!(kinds.ends_with(&["booked".into(), "booked".into(), "booking_cancelled".into()]));

    // Booked again and marked arrived by the clerk, once.
    let res = book(app, &citizen, &id, "MAIN", &slots[2]).await;
    assert_eq!(res.status(), StatusCode::OK);
    let again = app::db::live_booking(&app.db, &id).await.unwrap().unwrap();
    let res = call(
        app,
        &clerk.cookie,
        "bookings/mark",
        &[
            ("id", &again.id),
            ("status", "arrived"),
            ("csrf", &clerk.csrf),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = call(
        app,
        &clerk.cookie,
        "bookings/mark",
        &[
            ("id", &again.id),
            ("status", "no_show"),
            ("csrf", &clerk.csrf),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND, "marked once");
}

/// One window: nine pre-accepted cases of three people press "book" on the
/// same slot at once. Exactly one gets it; the others are told it was just
/// taken, and each can have the next slot.
async fn the_last_seat_goes_to_exactly_one(app: &TestApp) {
    app::execute!(
        &app.db,
        "UPDATE site_services SET windows = 1 WHERE site_code = 'MAIN' AND matter_group = 'general'"
    )
    .unwrap();
    staff(app, "clerk", "clerk", &["MAIN"]).await;
    let clerk = signed_in(app, "clerk").await;
    let mut people = Vec::new();
    for mobile in [HOLDER_A.2, HOLDER_B.2, SELLER.2] {
        let cookie = sign_in(app, mobile).await;
        for _ in 0..3 {
            people.push(pre_accepted(app, &clerk, &cookie).await);
        }
    }
    let opts: Value = options(app, &people[0].0, &people[0].1)
        .await
        .json()
        .await
        .unwrap();
    let slots = first_slots(&opts, 2);
    let mut tokens = Vec::new();
    for (cookie, _) in &people {
        tokens.push(csrf(app, cookie).await);
    }
    let slot = slots[0].clone();
    let results =
        futures::future::join_all(people.iter().zip(&tokens).map(|((cookie, id), token)| {
            let (cookie, id, token, slot) =
                (cookie.clone(), id.clone(), token.clone(), slot.clone());
            async move {
                call(
                    app,
                    &cookie,
                    "bookings/book",
                    &[
                        ("id", &id),
                        ("site", "MAIN"),
                        ("slot", &slot),
                        ("csrf", &token),
                    ],
                )
                .await
            }
        }))
        .await;
    let mut won = 0;
    let mut full = 0;
    for res in results {
        match res.status() {
            StatusCode::OK => won += 1,
            StatusCode::UNPROCESSABLE_ENTITY => {
                assert_eq!(error_code(res).await, "full");
                full += 1;
            }
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!((won, full), (1, 8));
    let opts: Value = options(app, &people[0].0, &people[0].1)
        .await
        .json()
        .await
        .unwrap();
    assert_ne!(
        first_slots(&opts, 1)[0],
        slots[0],
        "a full slot is no longer offered"
    );
    let mut loser = None;
    for p in &people {
        if app::db::live_booking(&app.db, &p.1)
            .await
            .unwrap()
            .is_none()
        {
            loser = Some(p);
            break;
        }
    }
    let loser = loser.unwrap();
    assert_eq!(
        book(app, &loser.0, &loser.1, "MAIN", &slots[1])
            .await
            .status(),
        StatusCode::OK,
        "the next slot"
    );
}

async fn close(app: &TestApp, s: &Staff, day: &str, from: &str, to: &str) -> reqwest::Response {
    call(
        app,
        &s.cookie,
        "bookings/close",
        &[
            ("site", "MAIN"),
            ("day", day),
            ("from", from),
            ("to", to),
            ("reason", "停电检修"),
            ("csrf", &s.csrf),
        ],
    )
    .await
}

/// A supervisor closes the main centre for an hour: the booking inside is
/// cancelled and its holder texted, the hour is no longer offered or
/// bookable; a closure racing with bookings of the same slot leaves no
/// booking on it.
async fn a_closure_cancels_bookings_and_none_slips_through(app: &TestApp) {
    staff(app, "clerk", "clerk", &["MAIN"]).await;
    staff(app, "sup", "supervisor", &["MAIN"]).await;
    staff(app, "town.sup", "supervisor", &["TOWN-QS"]).await;
    let clerk = signed_in(app, "clerk").await;
    let sup = signed_in(app, "sup").await;
    let citizen = sign_in(app, HOLDER_A.2).await;
    let (_, id) = pre_accepted(app, &clerk, &citizen).await;
    let opts: Value = options(app, &citizen, &id).await.json().await.unwrap();
    let slot = first_slots(&opts, 1).remove(0);
    assert_eq!(
        book(app, &citizen, &id, "MAIN", &slot).await.status(),
        StatusCode::OK
    );
    let (day, time) = (&slot[..10], &slot[11..]);
    let start = chrono::NaiveTime::parse_from_str(time, "%H:%M").unwrap();
    let end = (start + chrono::Duration::hours(1))
        .format("%H:%M")
        .to_string();

    // Only a supervisor of the site, with a sensible period and a reason.
    assert_eq!(
        close(app, &clerk, day, time, &end).await.status(),
        StatusCode::FORBIDDEN
    );
    let town = signed_in(app, "town.sup").await;
    assert_eq!(
        close(app, &town, day, time, &end).await.status(),
        StatusCode::NOT_FOUND
    );
    let res = close(app, &sup, day, &end, time).await;
    assert_eq!(
        res.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "ends before it starts"
    );
    assert!(app::db::live_booking(&app.db, &id).await.unwrap().is_some());

    let res = close(app, &sup, day, time, &end).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<i64>().await.unwrap(), 1, "one booking cancelled");
    assert!(app::db::live_booking(&app.db, &id).await.unwrap().is_none());
    let texts = app::db::recent_messages(&app.db, 10).await.unwrap();
    assert!(texts
        .iter()
        .any(|m| m.template == "booking_closed" && m.params.contains("停电检修")));
    let res = book(app, &citizen, &id, "MAIN", &slot).await;
    assert_eq!(error_code(res).await, "closed");
    let opts: Value = options(app, &citizen, &id).await.json().await.unwrap();
    let offered = first_slots(&opts, 500);
    assert!(!offered.contains(&slot), "no longer offered");
    let plan: Value = call(
        app,
        &sup.cookie,
        "bookings/day",
        &[("site", "MAIN"), ("day", day)],
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(plan["closures"][0][1], "停电检修");

    // The race: four cases book one slot while the supervisor closes it.
    let mut cases = Vec::new();
    for mobile in [HOLDER_B.2, SELLER.2] {
        let cookie = sign_in(app, mobile).await;
        for _ in 0..2 {
            cases.push(pre_accepted(app, &clerk, &cookie).await);
        }
    }
    let target = offered.iter().find(|s| &s[..10] != day).unwrap().clone();
    let (tday, ttime) = (target[..10].to_string(), target[11..].to_string());
    let tend = (chrono::NaiveTime::parse_from_str(&ttime, "%H:%M").unwrap()
        + chrono::Duration::minutes(30))
    .format("%H:%M")
    .to_string();
    let mut tokens = Vec::new();
    for (cookie, _) in &cases {
        tokens.push(csrf(app, cookie).await);
    }
    let bookings =
        futures::future::join_all(cases.iter().zip(&tokens).map(|((cookie, id), token)| {
            let (cookie, id, token, slot) =
                (cookie.clone(), id.clone(), token.clone(), target.clone());
            async move {
                call(
                    app,
                    &cookie,
                    "bookings/book",
                    &[
                        ("id", &id),
                        ("site", "MAIN"),
                        ("slot", &slot),
                        ("csrf", &token),
                    ],
                )
                .await
                .status()
            }
        }));
    let (statuses, closed) = tokio::join!(bookings, close(app, &sup, &tday, &ttime, &tend));
    assert_eq!(closed.status(), StatusCode::OK);
    assert!(statuses
        .iter()
        .all(|s| *s == StatusCode::OK || *s == StatusCode::UNPROCESSABLE_ENTITY));
    for (_, id) in &cases {
        assert!(
            app::db::live_booking(&app.db, id).await.unwrap().is_none(),
            "no booking survives on a closed slot"
        );
    }
}

/// `n` citizens, each signed in (a session made directly) with one
/// pre-accepted case at the main centre: (cookie, csrf, application id).
async fn many_pre_accepted(app: &TestApp, n: usize) -> Vec<(String, String, String)> {
    let now = app::db::now_ms();
    let mut out = Vec::new();
    for i in 0..n {
        let citizen = uuid::Uuid::new_v4().to_string();
        let (token, csrf) = (app::services::random_token(), app::services::random_token());
        let id = uuid::Uuid::new_v4().to_string();
        app::execute!(
            &app.db,
            "INSERT INTO citizens (id, mobile, created_at, last_sign_in_at) VALUES ($1, $2, $3, $3)",
            &citizen,
            format!("139{i:08}"),
            now
        )
        .unwrap();
        app::execute!(
            &app.db,
            "INSERT INTO sessions (token_hash, citizen_id, csrf_token, created_at, last_seen_at, expires_at)
             VALUES ($1, $2, $3, $4, $4, $5)",
            app::services::sha256_hex(&token),
            &citizen,
            &csrf,
            now,
            now + 3_600_000
        )
        .unwrap();
        app::execute!(
            &app.db,
            "INSERT INTO applications (id, filer_id, matter_code, status, receipt_no, draft, created_at,
                                       updated_at, submitted_at, stage, site_code)
             VALUES ($1, $2, 'TRANSFER-WITH-MORTGAGE', 'submitted', $3, '{}', $4, $4, $4, 'pre_accepted', 'MAIN')",
            &id,
            &citizen,
            format!("RACE-{i:05}"),
            now
        )
        .unwrap();
        out.push((format!("onetrip_session={token}"), csrf, id));
    }
    out
}

/// The acceptance race: 200 concurrent requests for a slot with 3 seats,
/// 20 rounds — exactly 3 bookings each round, every other request told
/// "full"; on PostgreSQL the requests are split between two server
/// instances with their own pools.
async fn two_hundred_requests_three_seats_twenty_rounds(app: &TestApp) {
    app::execute!(
        &app.db,
        "UPDATE site_services SET windows = 3 WHERE site_code = 'MAIN' AND matter_group = 'general'"
    )
    .unwrap();
    let people = many_pre_accepted(app, 200).await;
    let bases = match app.backend {
        crate::helpers::Backend::Postgres => vec![app.base.clone(), app.second_server().await],
        crate::helpers::Backend::Sqlite => vec![app.base.clone()],
    };
    let opts: Value = options(app, &people[0].0, &people[0].2)
        .await
        .json()
        .await
        .unwrap();
    let slots = first_slots(&opts, 20);
    assert_eq!(slots.len(), 20);
    for (round, slot) in slots.iter().enumerate() {
        let statuses =
            futures::future::join_all(people.iter().enumerate().map(|(i, (cookie, csrf, id))| {
                let url = format!("{}/api/bookings/book", bases[i % bases.len()]);
                let client = app.client.clone();
                let form = [
                    ("id", id.clone()),
                    ("site", "MAIN".to_string()),
                    ("slot", slot.clone()),
                    ("csrf", csrf.clone()),
                ];
                let cookie = cookie.clone();
                async move {
                    let res = client
                        .post(url)
                        .header("cookie", cookie)
                        .header("accept", "application/json")
                        .form(&form)
                        .send()
                        .await
                        .unwrap();
                    let status = res.status();
                    (status, error_code(res).await)
                }
            }))
            .await;
        let won = statuses
            .iter()
            .filter(|(s, _)| *s == StatusCode::OK)
            .count();
        let full = statuses
            .iter()
            .filter(|(s, c)| *s == StatusCode::UNPROCESSABLE_ENTITY && c == "full")
            .count();
        assert_eq!((won, full), (3, 197), "round {round}: {statuses:?}");
        let (start, _) = slot.split_at(16);
        let at = chrono::NaiveDateTime::parse_from_str(start, "%Y-%m-%d %H:%M")
            .unwrap()
            .and_utc()
            .timestamp_millis()
            - 8 * 3_600_000;
        let live: i64 = app::fetch_optional!(
            &app.db,
            (i64,),
            "SELECT COUNT(*) FROM bookings WHERE starts_at = $1 AND status = 'booked'",
            at
        )
        .unwrap()
        .unwrap()
        .0;
        assert_eq!(live, 3, "round {round}: three seats, three bookings");
        // Free the winners for the next round.
        app::execute!(
            &app.db,
            "UPDATE bookings SET status = 'cancelled' WHERE status = 'booked'"
        )
        .unwrap();
    }
}

on_both_backends!(
    two_hundred_requests_three_seats_twenty_rounds,
    booking_a_pre_accepted_case,
    the_last_seat_goes_to_exactly_one,
    a_closure_cancels_bookings_and_none_slips_through
);
