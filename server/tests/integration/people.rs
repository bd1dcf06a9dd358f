//! One case, all its people (issue 15), through HTTP on both backends:
//! every named party is told at submission and confirms (only the named
//! person, once, again after a change); a clerk records a confirmation given
//! at the window; pre-acceptance waits for everyone; acceptance waits for the
//! visit with everyone present, which completes the booking; closing moves
//! cancel the booking with a message; an objection stops the case and
//! alerts the supervisors.

use crate::bookings::{book, error_code, first_slots, pre_accepted};
use crate::citizen::{
    call, csrf, sign_in, submit, BANK_CODE, HOLDER_A, HOLDER_B, OTHER_MOBILE, SELLER,
};
use crate::documents::{upload, Filer};
use crate::helpers::TestApp;
use crate::on_both_backends;
use crate::workbench::{act_raw, case, signed_in, staff, take, Staff};
use reqwest::StatusCode;
use serde_json::Value;

const BANK_MOBILE: &str = "13500135005";

async fn messages(app: &TestApp, template: &str) -> Vec<app::db::OutboxRow> {
    app::db::recent_messages(&app.db, 500)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.template == template)
        .collect()
}

async fn view(app: &TestApp, cookie: &str, id: &str) -> Value {
    let res = call(app, cookie, "applications/get", &[("id", id)]).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

async fn answer(
    app: &TestApp,
    cookie: &str,
    id: &str,
    hash: &str,
    decision: &str,
    reason: &str,
) -> reqwest::Response {
    let token = csrf(app, cookie).await;
    call(
        app,
        cookie,
        "applications/confirm",
        &[
            ("id", id),
            ("csrf", &token),
            ("hash", hash),
            ("decision", decision),
            ("reason", reason),
        ],
    )
    .await
}

async fn version(app: &TestApp, s: &Staff, id: &str) -> i64 {
    case(app, s, id).await["version"].as_i64().unwrap()
}

fn standing(c: &Value, idx: i64) -> String {
    c["people"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["idx"] == idx)
        .unwrap()["standing"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn every_party_is_told_and_confirms(app: &TestApp) {
    staff(app, "clerk", "clerk", &["MAIN"]).await;
    staff(app, "reviewer", "reviewer", &["MAIN"]).await;
    let clerk = signed_in(app, "clerk").await;
    let reviewer = signed_in(app, "reviewer").await;
    let filer = sign_in(app, HOLDER_A.2).await;
    let id = submit(app, &filer).await;
    let receipt = view(app, &filer, &id).await["receipt_no"]
        .as_str()
        .unwrap()
        .to_string();

    // Everyone named but the filer is told who filed what, where, and where
    // to confirm; the filer is not told twice.
    let told = messages(app, "party_named").await;
    let mut to: Vec<&str> = told.iter().map(|m| m.recipient.as_str()).collect();
    to.sort();
    assert_eq!(to, vec![SELLER.2, HOLDER_B.2]);
    // The bank (no verified account here) is told at the number given for
    // it that it confirms through an organisation account — not "sign in
    // with this number".
    let org_told: Vec<String> = messages(app, "party_named_org")
        .await
        .into_iter()
        .map(|m| m.recipient)
        .collect();
    assert_eq!(org_told, vec![BANK_MOBILE.to_string()]);
    let text = app::domain::notify::render("party_named", &told[0].params(), app::domain::Lang::Zh)
        .unwrap();
    assert!(text.contains(HOLDER_A.0), "names the filer: {text}");
    assert!(text.contains(&receipt) && text.contains(&format!("/applications/{id}")));
    assert!(text.contains("320684413219GB00029F00010002"));

    // Nobody has confirmed: the clerk cannot pre-accept and sees who waits.
    assert_eq!(take(app, &clerk, &id).await, StatusCode::OK);
    let res = act_raw(
        app,
        &clerk,
        &id,
        version(app, &clerk, &id).await,
        "pre_accept",
        &[],
    )
    .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert_eq!(error_code(res).await, "unconfirmed");
    let c = case(app, &clerk, &id).await;
    assert_eq!(standing(&c, 0), "filer");
    for idx in 1..4 {
        assert_eq!(standing(&c, idx), "waiting");
    }

    // The seller signs in with their own number, reads it and confirms.
    let seller = sign_in(app, SELLER.2).await;
    let v = view(app, &seller, &id).await;
    let hash = v["my_part"]["hash"].as_str().unwrap().to_string();
    assert_eq!(v["my_part"]["parties"], serde_json::json!([1]));
    assert_eq!(v["my_part"]["standing"], "waiting");
    // A stale page (another hash) is not taken as a confirmation.
    let res = answer(app, &seller, &id, &"0".repeat(64), "confirm", "").await;
    assert_eq!(error_code(res).await, "changed");
    let res = answer(app, &seller, &id, &hash, "confirm", "").await;
    assert_eq!(res.status(), StatusCode::OK);
    // Once.
    let res = answer(app, &seller, &id, &hash, "confirm", "").await;
    assert_eq!(error_code(res).await, "already");
    // Someone not named sees nothing and confirms nothing; the filer has
    // nothing to confirm.
    let stranger = sign_in(app, OTHER_MOBILE).await;
    let res = answer(app, &stranger, &id, &hash, "confirm", "").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = answer(app, &filer, &id, &hash, "confirm", "").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert!(view(app, &filer, &id).await["my_part"].is_null());
    // Whoever holds the number typed for the bank cannot confirm for the
    // bank: an organisation confirms through its account or at the window.
    let holder = sign_in(app, BANK_MOBILE).await;
    assert!(view(app, &holder, &id).await["my_part"].is_null());
    let res = answer(app, &holder, &id, &hash, "confirm", "").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);

    // The bank's representative confirms at the window: the clerk must
    // have checked the ID; a reviewer may not record it.
    let window = |s: &Staff, checked: &'static str| {
        let (cookie, token, id) = (s.cookie.clone(), s.csrf.clone(), id.clone());
        async move {
            call(
                app,
                &cookie,
                "cases/confirm_at_window",
                &[
                    ("id", id.as_str()),
                    ("csrf", token.as_str()),
                    ("party", "2"),
                    ("id_checked", checked),
                ],
            )
            .await
        }
    };
    assert_eq!(error_code(window(&clerk, "").await).await, "id_unchecked");
    // The filer's own entry stands by filing: nothing to record for it.
    let res = call(
        app,
        &clerk.cookie,
        "cases/confirm_at_window",
        &[
            ("id", id.as_str()),
            ("csrf", clerk.csrf.as_str()),
            ("party", "0"),
            ("id_checked", "1"),
        ],
    )
    .await;
    assert_eq!(error_code(res).await, "filer");
    assert_eq!(window(&reviewer, "1").await.status(), StatusCode::FORBIDDEN);
    assert_eq!(window(&clerk, "1").await.status(), StatusCode::OK);
    let c = case(app, &clerk, &id).await;
    assert_eq!(standing(&c, 1), "confirmed");
    assert_eq!(standing(&c, 2), "confirmed");
    assert_eq!(standing(&c, 3), "waiting");

    // A changed application needs confirming again: the clerk returns it,
    // the filer replaces a document and resubmits.
    let c = case(app, &clerk, &id).await;
    let m1 = c["matter"]["checklist"][0]["material"]
        .as_str()
        .unwrap()
        .to_string();
    let (pick, reason) = (format!("f[pick-{m1}]"), format!("f[reason-{m1}]"));
    let res = act_raw(
        app,
        &clerk,
        &id,
        c["version"].as_i64().unwrap(),
        "return",
        &[(&pick, "1"), (&reason, "unclear")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let token = csrf(app, &filer).await;
    let f = Filer {
        cookie: filer.clone(),
        csrf: token.clone(),
        application: id.clone(),
        material: m1,
    };
    let photo = crate::documents::jpeg(1600, 1200, 3000);
    assert_eq!(
        upload(app, &f, "clear.jpg", &photo).await.status(),
        StatusCode::NO_CONTENT
    );
    let res = call(
        app,
        &filer,
        "applications/resubmit",
        &[("id", &id), ("csrf", &token)],
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let c = case(app, &clerk, &id).await;
    assert_eq!(standing(&c, 1), "outdated");
    assert_eq!(standing(&c, 2), "outdated");
    // Whoever had confirmed online is asked to confirm again (the bank,
    // confirmed at the window and without an account here, is not texted).
    let again: Vec<String> = messages(app, "party_reconfirm")
        .await
        .into_iter()
        .map(|m| m.recipient)
        .collect();
    assert_eq!(again, vec![SELLER.2.to_string()]);
    let v = view(app, &seller, &id).await;
    assert_eq!(v["my_part"]["standing"], "outdated");
    let new_hash = v["my_part"]["hash"].as_str().unwrap().to_string();
    assert_ne!(new_hash, hash);
    // The old page's confirmation is refused; the new one is taken.
    assert_eq!(
        error_code(answer(app, &seller, &id, &hash, "confirm", "").await).await,
        "changed"
    );
    assert_eq!(
        answer(app, &seller, &id, &new_hash, "confirm", "")
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(window(&clerk, "1").await.status(), StatusCode::OK);
    let res = act_raw(
        app,
        &clerk,
        &id,
        version(app, &clerk, &id).await,
        "pre_accept",
        &[],
    )
    .await;
    assert_eq!(error_code(res).await, "unconfirmed", "the second buyer");
    let buyer = sign_in(app, HOLDER_B.2).await;
    let h = view(app, &buyer, &id).await["my_part"]["hash"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        answer(app, &buyer, &id, &h, "confirm", "").await.status(),
        StatusCode::OK
    );

    // Everyone agrees: the filer sees it, the clerk pre-accepts.
    let v = view(app, &filer, &id).await;
    assert!(v["people"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["standing"] == "confirmed" || p["standing"] == "filer"));
    let res = act_raw(
        app,
        &clerk,
        &id,
        version(app, &clerk, &id).await,
        "pre_accept",
        &[],
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    // The record: who, what (the hash), when, by which channel.
    let rows = app::db::confirmations(&app.db, &id).await.unwrap();
    assert_eq!(rows.len(), 5);
    assert!(rows
        .iter()
        .any(|r| r.party_idx == 2 && r.channel == "window" && r.content_hash == new_hash));
    assert!(rows.iter().all(|r| r.content_hash.len() == 64));
    // Confirmations are closed once the case moves past acceptance's door:
    // the timeline shows each confirmation.
    let kinds: Vec<String> = view(app, &filer, &id).await["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(kinds.iter().filter(|k| *k == "confirmed").count(), 5);
}

async fn acceptance_needs_the_visit_and_closing_moves_cancel_bookings(app: &TestApp) {
    staff(app, "clerk", "clerk", &["MAIN"]).await;
    let clerk = signed_in(app, "clerk").await;
    let filer = sign_in(app, HOLDER_A.2).await;
    let (_, id) = pre_accepted(app, &clerk, &filer).await;
    let opts: Value = call(app, &filer, "bookings/options", &[("id", &id)])
        .await
        .json()
        .await
        .unwrap();
    let site = opts["site"].as_str().unwrap().to_string();
    let slots = first_slots(&opts, 2);
    assert_eq!(
        book(app, &filer, &id, &site, &slots[0]).await.status(),
        StatusCode::OK
    );
    // Everyone named is told the time, not only the filer.
    let mut to: Vec<String> = messages(app, "booked")
        .await
        .into_iter()
        .map(|m| m.recipient)
        .collect();
    to.sort();
    assert_eq!(to, vec![BANK_MOBILE, SELLER.2, HOLDER_A.2, HOLDER_B.2]);

    // Nobody has come: no acceptance.
    let res = act_raw(
        app,
        &clerk,
        &id,
        version(app, &clerk, &id).await,
        "accept",
        &[],
    )
    .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert_eq!(error_code(res).await, "no_visit");
    let c = case(app, &clerk, &id).await;
    assert!(c["case_no"].is_null() && c["due"].is_null());
    assert_eq!(c["not_seen"].as_array().unwrap().len(), 4);

    // A visit needs someone ticked; two came first.
    let record = |present: &'static [&'static str]| {
        let (cookie, token, id) = (clerk.cookie.clone(), clerk.csrf.clone(), id.clone());
        async move {
            let mut form = vec![("id", id.as_str()), ("csrf", token.as_str())];
            form.extend(present.iter().map(|k| (*k, "1")));
            call(app, &cookie, "cases/record_visit", &form).await
        }
    };
    assert_eq!(record(&[]).await.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        record(&["f[present-0]", "f[present-1]"]).await.status(),
        StatusCode::OK
    );
    // The booking is completed (no longer live; nothing more to book).
    let c = case(app, &clerk, &id).await;
    assert!(c["booking"].is_null(), "the booking is completed");
    assert_eq!(c["visits"].as_array().unwrap().len(), 1);
    assert_eq!(c["visits"][0]["from_booking"], true);
    let status: Vec<(String,)> = app::fetch_all!(
        &app.db,
        (String,),
        "SELECT status FROM bookings WHERE application_id = $1",
        &id
    )
    .unwrap();
    assert_eq!(status, vec![("arrived".to_string(),)]);
    let v = view(app, &filer, &id).await;
    assert_eq!(v["bookable"], false);
    assert!(v["booking"].is_null());
    assert_eq!(
        book(app, &filer, &id, &site, &slots[1]).await.status(),
        StatusCode::CONFLICT,
        "nothing to book once seen"
    );
    let res = act_raw(
        app,
        &clerk,
        &id,
        version(app, &clerk, &id).await,
        "accept",
        &[],
    )
    .await;
    assert_eq!(error_code(res).await, "no_visit", "two parties not seen");
    assert_eq!(
        record(&["f[present-2]", "f[present-3]"]).await.status(),
        StatusCode::OK
    );
    let before = chrono::Utc::now().timestamp_millis();
    let res = act_raw(
        app,
        &clerk,
        &id,
        version(app, &clerk, &id).await,
        "accept",
        &[],
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let row = app::db::application_row(&app.db, &id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.stage, "accepted");
    assert!(row.case_no.is_some());
    let accepted_at: i64 = app::fetch_all!(
        &app.db,
        (i64,),
        "SELECT accepted_at FROM applications WHERE id = $1",
        &id
    )
    .unwrap()[0]
        .0;
    assert!(accepted_at >= before, "the promise counts from acceptance");
    // No visit can be recorded any more.
    assert_eq!(
        error_code(record(&["f[present-0]"]).await).await,
        "not_waiting"
    );

    // A second case: booked, then withdrawn — the booking is cancelled in
    // the same move, and its holder is told why.
    app::execute!(&app.db, "DELETE FROM outbox").unwrap();
    let (_, id2) = pre_accepted(app, &clerk, &filer).await;
    assert_eq!(
        book(app, &filer, &id2, &site, &slots[1]).await.status(),
        StatusCode::OK
    );
    let token = csrf(app, &filer).await;
    let res = call(
        app,
        &filer,
        "applications/withdraw",
        &[("id", &id2), ("csrf", &token)],
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let live: Vec<(String,)> = app::fetch_all!(
        &app.db,
        (String,),
        "SELECT status FROM bookings WHERE application_id = $1",
        &id2
    )
    .unwrap();
    assert_eq!(live, vec![("cancelled".to_string(),)]);
    // The holder and every other party (they were all to come) are told.
    let told = messages(app, "booking_closed").await;
    let mut to: Vec<&str> = told.iter().map(|m| m.recipient.as_str()).collect();
    to.sort();
    assert_eq!(to, vec![BANK_MOBILE, SELLER.2, HOLDER_A.2, HOLDER_B.2]);
    assert!(told[0].params()["reason"]
        .as_str()
        .unwrap()
        .contains("撤回"));
    let text =
        app::domain::notify::render("booking_closed", &told[0].params(), app::domain::Lang::Zh)
            .unwrap();
    assert!(
        !text.contains("重新预约"),
        "a closed case is not booked again: {text}"
    );
    let events = app::db::events(&app.db, &id2).await.unwrap();
    assert!(events.iter().any(|e| e.kind == "booking_cancelled"));
}

async fn an_objection_stops_the_case_and_alerts_the_supervisors(app: &TestApp) {
    staff(app, "clerk", "clerk", &["MAIN"]).await;
    staff(app, "sup", "supervisor", &["MAIN"]).await;
    staff(app, "town.sup", "supervisor", &["TOWN-QS"]).await;
    let clerk = signed_in(app, "clerk").await;
    let sup = signed_in(app, "sup").await;
    let town = signed_in(app, "town.sup").await;
    let filer = sign_in(app, HOLDER_A.2).await;
    let id = submit(app, &filer).await;
    assert_eq!(take(app, &clerk, &id).await, StatusCode::OK);

    let seller = sign_in(app, SELLER.2).await;
    let hash = view(app, &seller, &id).await["my_part"]["hash"]
        .as_str()
        .unwrap()
        .to_string();
    // An objection needs a reason, without control characters.
    let res = answer(app, &seller, &id, &hash, "object", "  ").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // (A direction override is refused at the door, before the handler.)
    let res = answer(app, &seller, &id, &hash, "object", "不卖\u{202E}了").await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    app::execute!(&app.db, "DELETE FROM outbox").unwrap();
    let res = answer(app, &seller, &id, &hash, "object", "我没有出售这套房子").await;
    assert_eq!(res.status(), StatusCode::OK);

    // The supervisor of the site is alerted; another site's is not.
    let alerts: Value = call(app, &sup.cookie, "cases/alerts", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(alerts.as_array().unwrap().len(), 1);
    assert_eq!(alerts[0]["kind"], "objection");
    assert_eq!(alerts[0]["application_id"], id.as_str());
    let alerts: Value = call(app, &town.cookie, "cases/alerts", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(alerts.as_array().unwrap().len(), 0);
    // The filer is told; the clerk sees the reason.
    let told = messages(app, "objection_filer").await;
    assert_eq!(told.len(), 1);
    assert_eq!(told[0].recipient, HOLDER_A.2);
    let c = case(app, &clerk, &id).await;
    assert_eq!(standing(&c, 1), "objected");
    assert!(c["people"][1]["note"]
        .as_str()
        .unwrap()
        .contains("没有出售"));
    // Nor can a clerk turn the objection into a confirmation at the window.
    let res = call(
        app,
        &clerk.cookie,
        "cases/confirm_at_window",
        &[
            ("id", id.as_str()),
            ("csrf", clerk.csrf.as_str()),
            ("party", "1"),
            ("id_checked", "1"),
        ],
    )
    .await;
    assert_eq!(error_code(res).await, "already_objected");
    let c = case(app, &clerk, &id).await;
    assert_eq!(standing(&c, 1), "objected");
    assert!(c["people"][1]["note"]
        .as_str()
        .unwrap()
        .contains("没有出售"));

    // Even when everyone else confirms, the case stops.
    crate::workbench::confirm_all(app, &id).await;
    let res = act_raw(
        app,
        &clerk,
        &id,
        version(app, &clerk, &id).await,
        "pre_accept",
        &[],
    )
    .await;
    assert_eq!(error_code(res).await, "objected");
    // The seller cannot take it back by confirming.
    let res = answer(app, &seller, &id, &hash, "confirm", "").await;
    assert_ne!(res.status(), StatusCode::OK);
    assert_eq!(
        app::db::application_row(&app.db, &id)
            .await
            .unwrap()
            .unwrap()
            .stage,
        "pre_review"
    );
    // The clerk may refuse it with the reason.
    let res = act_raw(
        app,
        &clerk,
        &id,
        version(app, &clerk, &id).await,
        "reject",
        &[("reason", "卖方提出异议，不予受理")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
}

async fn fees_are_shown_and_recorded_with_amounts(app: &TestApp) {
    staff(app, "clerk", "clerk", &["MAIN"]).await;
    staff(app, "reviewer", "reviewer", &["MAIN"]).await;
    staff(app, "admin", "admin", &[]).await;
    let clerk = signed_in(app, "clerk").await;
    let reviewer = signed_in(app, "reviewer").await;
    let admin = signed_in(app, "admin").await;

    // A combined matter shows its parts' fees and costs their sum.
    let matter: Value = app
        .server_fn("matters/get", &[("code", "TRANSFER-WITH-MORTGAGE")])
        .await
        .json()
        .await
        .unwrap();
    let residential = |m: &Value| -> i64 {
        m["fees"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|l| l["item"] == "residential")
            .map(|l| l["amount_fen"].as_i64().unwrap())
            .sum()
    };
    let parts = matter["parts"].as_array().unwrap().len() as i64;
    assert!(parts >= 2);
    let before = residential(&matter);
    assert!(before > 0);
    // The administrator raises one part's residential fee; nobody else may.
    let first = matter["parts"][0].as_str().unwrap().to_string();
    let set = |s: &Staff, r: &'static str| {
        let (cookie, token, m) = (s.cookie.clone(), s.csrf.clone(), first.clone());
        async move {
            call(
                app,
                &cookie,
                "matters/set_fees",
                &[
                    ("csrf", token.as_str()),
                    ("matter", m.as_str()),
                    ("residential", r),
                    ("non_residential", "550"),
                    ("extra_certificate", "10"),
                ],
            )
            .await
        }
    };
    assert_eq!(set(&clerk, "90").await.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        set(&admin, "-5").await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let old_part: i64 = matter["fees"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["item"] == "residential")
        .unwrap()["amount_fen"]
        .as_i64()
        .unwrap();
    assert_eq!(set(&admin, "90.00").await.status(), StatusCode::OK);
    let matter: Value = app
        .server_fn("matters/get", &[("code", "TRANSFER-WITH-MORTGAGE")])
        .await
        .json()
        .await
        .unwrap();
    let due = residential(&matter);
    assert_eq!(due, before - old_part + 9_000);

    // A case reaches the certificate; fees paid needs the amounts.
    let filer = sign_in(app, HOLDER_A.2).await;
    let (_, id) = pre_accepted(app, &clerk, &filer).await;
    let mut v = version(app, &clerk, &id).await;
    for (who, action) in [(&clerk, "accept"), (&clerk, "advance")] {
        let res = crate::workbench::act(app, who, &id, v, action, &[]).await;
        assert_eq!(res.status(), StatusCode::OK, "{action}");
        v = res.json().await.unwrap();
    }
    assert_eq!(take(app, &reviewer, &id).await, StatusCode::OK);
    v += 1;
    for _ in 0..2 {
        let res = act_raw(app, &reviewer, &id, v, "advance", &[]).await;
        assert_eq!(res.status(), StatusCode::OK);
        v = res.json().await.unwrap();
    }
    assert_eq!(take(app, &clerk, &id).await, StatusCode::OK);
    v += 1;
    let res = act_raw(app, &clerk, &id, v, "advance", &[]).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = res.json().await.unwrap();
    let codes: Vec<&str> = body["Validation"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"fee_use_required") && codes.contains(&"fee_method_required"));
    // Two certificates: one extra at 10 yuan; the wrong amount is refused.
    let owed = app::domain::fees::yuan(due + 1_000);
    let fee = |paid: &'static str| {
        vec![
            ("f[fee_use]", "residential"),
            ("f[fee_certs]", "2"),
            ("f[fee_method]", "alipay"),
            ("f[fee_paid]", paid),
        ]
    };
    let res = act_raw(app, &clerk, &id, v, "advance", &fee("1")).await;
    assert_eq!(error_code(res).await, "fee_amount_mismatch");
    let owed: &'static str = Box::leak(owed.into_boxed_str());
    let res = act_raw(app, &clerk, &id, v, "advance", &fee(owed)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let rows: Vec<(i64, String, i64)> = app::fetch_all!(
        &app.db,
        (i64, String, i64),
        "SELECT total_fen, method, CAST(certificates AS BIGINT) FROM fee_payments WHERE application_id = $1",
        &id
    )
    .unwrap();
    assert_eq!(rows, vec![(due + 1_000, "alipay".to_string(), 2)]);
    // The applicant reads what was paid, on their page and in the text.
    let events = app::db::events(&app.db, &id).await.unwrap();
    let note = &events.iter().find(|e| e.kind == "fee_paid").unwrap().note;
    assert!(note.contains(owed) && note.contains("支付宝"), "{note}");
    let text = messages(app, "case_event")
        .await
        .into_iter()
        .find(|m| m.params()["stage"] == "fee_paid")
        .map(|m| {
            app::domain::notify::render(&m.template, &m.params(), app::domain::Lang::Zh).unwrap()
        })
        .unwrap();
    assert!(text.contains(owed), "{text}");
}

/// The mortgagee bank, a verified organisation of kind `bank` named by its
/// credit code, is told through its administrators and confirms in its own
/// account; another organisation (or one not yet verified) sees nothing.
async fn a_bank_confirms_through_its_organisation_account(app: &TestApp) {
    use crate::filings::{member_sign_in, uscc, verify_all};
    const BANK_ADMIN: &str = "13600136001";
    const OTHER_ADMIN: &str = "13600136002";
    const PENDING_ADMIN: &str = "13600136003";
    let password = "a long enough secret";
    for (code, name, mobile, kind) in [
        (BANK_CODE, "明州银行", BANK_ADMIN, "bank"),
        (
            &uscc("91330200MA2B00001"),
            "甬江置业",
            OTHER_ADMIN,
            "developer",
        ),
    ] {
        let res = app
            .server_fn(
                "org/register",
                &[
                    ("credit_code", code),
                    ("org_name", name),
                    ("contact_name", "钱经理"),
                    ("mobile", mobile),
                    ("password", password),
                    ("password2", password),
                    ("kind", kind),
                ],
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK, "{name} registers");
    }
    verify_all(app).await;
    // Registered after the others were verified: still pending.
    let res = app
        .server_fn(
            "org/register",
            &[
                ("credit_code", &uscc("91330200MA2B00002")),
                ("org_name", "待审银行"),
                ("contact_name", "孙经理"),
                ("mobile", PENDING_ADMIN),
                ("password", password),
                ("password2", password),
                ("kind", "bank"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = app
        .server_fn(
            "org/register",
            &[
                ("credit_code", &uscc("91330200MA2B00003")),
                ("org_name", "某单位"),
                ("contact_name", "周经理"),
                ("mobile", "13600136004"),
                ("password", password),
                ("password2", password),
                ("kind", "insurer"),
            ],
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "an unknown kind is refused"
    );

    staff(app, "clerk", "clerk", &["MAIN"]).await;
    let clerk = signed_in(app, "clerk").await;
    let filer = sign_in(app, HOLDER_A.2).await;
    let id = submit(app, &filer).await;

    // The bank's administrator is told, with the link to the organisation's page.
    let told: Vec<_> = messages(app, "party_named_org")
        .await
        .into_iter()
        .filter(|m| m.params()["receipt"].as_str().is_some())
        .collect();
    assert_eq!(
        told.iter()
            .map(|m| m.recipient.as_str())
            .collect::<Vec<_>>(),
        vec![BANK_ADMIN]
    );
    let text =
        app::domain::notify::render("party_named_org", &told[0].params(), app::domain::Lang::Zh)
            .unwrap();
    assert!(
        text.contains("明州银行") && text.contains(&format!("/developer/cases/{id}")),
        "{text}"
    );

    let bank = member_sign_in(app, BANK_ADMIN).await;
    let home: Value = call(app, &bank.cookie, "org/home", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(home["me"]["kind"], "bank");
    assert_eq!(home["cases"][0]["id"], id.as_str());
    assert_eq!(home["cases"][0]["standing"], "waiting");
    let res = call(app, &bank.cookie, "org/case", &[("id", &id)]).await;
    assert_eq!(res.status(), StatusCode::OK);
    let c: Value = res.json().await.unwrap();
    let hash = c["hash"].as_str().unwrap().to_string();
    let ours: Vec<&Value> = c["parties"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["ours"] == true)
        .collect();
    assert_eq!(ours.len(), 1);
    assert_eq!(ours[0]["id_number"], BANK_CODE);
    // Others' ID numbers are masked for the bank.
    assert!(c["parties"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["ours"] == false)
        .all(|p| p["id_number"].as_str().unwrap().starts_with("****")));

    let confirm = |cookie: String, csrf: String, hash: String, decision: &'static str| {
        let id = id.clone();
        async move {
            call(
                app,
                &cookie,
                "org/confirm",
                &[
                    ("id", &id),
                    ("csrf", &csrf),
                    ("hash", &hash),
                    ("decision", decision),
                ],
            )
            .await
        }
    };
    // Without the member's CSRF token: refused.
    let res = confirm(bank.cookie.clone(), "x".into(), hash.clone(), "confirm").await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // A stale page is not a confirmation.
    let res = confirm(
        bank.cookie.clone(),
        bank.csrf.clone(),
        "0".repeat(64),
        "confirm",
    )
    .await;
    assert_eq!(error_code(res).await, "changed");
    // An objection needs a reason.
    let res = confirm(
        bank.cookie.clone(),
        bank.csrf.clone(),
        hash.clone(),
        "object",
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = confirm(
        bank.cookie.clone(),
        bank.csrf.clone(),
        hash.clone(),
        "confirm",
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = confirm(
        bank.cookie.clone(),
        bank.csrf.clone(),
        hash.clone(),
        "confirm",
    )
    .await;
    assert_eq!(error_code(res).await, "already");

    // The clerk sees the bank's entry confirmed through its account.
    let c = case(app, &clerk, &id).await;
    assert_eq!(standing(&c, 2), "confirmed");
    let bank_entry = c["people"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["idx"] == 2)
        .unwrap();
    assert_eq!(bank_entry["channel"], "org");
    let rows = app::db::confirmations(&app.db, &id).await.unwrap();
    assert!(rows
        .iter()
        .any(|r| r.party_idx == 2 && r.channel == "org" && r.content_hash == hash));

    // Another organisation, and one not yet verified: nothing to see or confirm.
    let other = member_sign_in(app, OTHER_ADMIN).await;
    let pending = member_sign_in(app, PENDING_ADMIN).await;
    for m in [&other, &pending] {
        let res = call(app, &m.cookie, "org/case", &[("id", &id)]).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        let res = confirm(m.cookie.clone(), m.csrf.clone(), hash.clone(), "confirm").await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        let home: Value = call(app, &m.cookie, "org/home", &[])
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(home["cases"], serde_json::json!([]));
    }
    // Nobody signed in: 401.
    let res = app.server_fn("org/case", &[("id", &id)]).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    // The page itself, server-rendered for the bank.
    let html = app
        .client
        .get(app.url(&format!("/developer/cases/{id}")))
        .header("cookie", &bank.cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("明州市海曙区望京路 8 号") && html.contains("已确认"),
        "the bank's page"
    );
}

on_both_backends!(
    a_bank_confirms_through_its_organisation_account,
    fees_are_shown_and_recorded_with_amounts,
    every_party_is_told_and_confirms,
    acceptance_needs_the_visit_and_closing_moves_cancel_bookings,
    an_objection_stops_the_case_and_alerts_the_supervisors,
);
