//! Printable letters through HTTP on both backends: who may fetch them,
//! which exist at which stage, what they say (read back with Poppler's
//! `pdftotext`) and where their QR code leads (rendered with `pdftoppm` and
//! decoded).

use crate::citizen::{call, sign_in, submit};
use crate::helpers::TestApp;
use crate::on_both_backends;
use crate::workbench::{act, case, signed_in, staff, submitted, take};
use reqwest::StatusCode;
use serde_json::Value;

async fn fetch(app: &TestApp, id: &str, kind: &str, cookie: &str) -> reqwest::Response {
    app.get_with_cookie(&format!("/applications/{id}/letters/{kind}"), cookie)
        .await
}

/// A PDF that answers 200 with the right headers; its bytes.
async fn pdf(app: &TestApp, id: &str, kind: &str, cookie: &str) -> Vec<u8> {
    let res = fetch(app, id, kind, cookie).await;
    assert_eq!(res.status(), StatusCode::OK, "{kind}");
    assert_eq!(res.headers()["content-type"], "application/pdf");
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    assert!(res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("inline; filename=\""));
    let bytes = res.bytes().await.unwrap().to_vec();
    assert!(bytes.starts_with(b"%PDF-"), "{kind} is a PDF");
    bytes
}

fn has(tool: &str) -> bool {
    std::process::Command::new(tool).arg("-v").output().is_ok()
}

/// The text of a PDF, by Poppler's `pdftotext` (installed by `make test`).
pub fn text_of(pdf: &[u8]) -> Option<String> {
    if !has("pdftotext") {
        eprintln!("pdftotext missing: letter text not read back");
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("letter.pdf");
    std::fs::write(&file, pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8"])
        .arg(&file)
        .arg("-")
        .output()
        .unwrap();
    assert!(out.status.success(), "pdftotext reads the letter");
    Some(String::from_utf8(out.stdout).unwrap())
}

/// The URL in the QR code of the letter's last page.
fn qr_of(pdf: &[u8]) -> Option<String> {
    if !has("pdftoppm") {
        eprintln!("pdftoppm missing: QR code not decoded");
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("letter.pdf");
    std::fs::write(&file, pdf).unwrap();
    let out = std::process::Command::new("pdftoppm")
        .args(["-r", "150", "-gray", "-png", "-singlefile"])
        .arg(&file)
        .arg(dir.path().join("page"))
        .output()
        .unwrap();
    assert!(out.status.success(), "pdftoppm renders the letter");
    let img = image::open(dir.path().join("page.png")).unwrap().to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(img);
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code on the page");
    let (_, content) = grids[0].decode().expect("the QR code decodes");
    Some(content)
}

async fn letters_follow_the_case(app: &TestApp) {
    staff(app, "clerk", "clerk", &["MAIN"]).await;
    staff(app, "town.clerk", "clerk", &["TOWN-QS"]).await;
    let clerk = signed_in(app, "clerk").await;
    let town = signed_in(app, "town.clerk").await;
    let (citizen, id) = submitted(app).await;
    let stranger = sign_in(app, "13600136006").await;

    // Nothing to print yet; unknown kinds and applications are 404.
    for kind in ["receipt", "correction", "refusal", "nonsense"] {
        assert_eq!(
            fetch(app, &id, kind, &citizen).await.status(),
            StatusCode::NOT_FOUND,
            "{kind} before any decision"
        );
    }
    assert_eq!(
        fetch(app, "no-such-application", "receipt", &citizen)
            .await
            .status(),
        StatusCode::NOT_FOUND
    );

    // Return with two items: the correction notice lists both.
    assert_eq!(take(app, &clerk, &id).await, StatusCode::OK);
    let c = case(app, &clerk, &id).await;
    let receipt_no = c["receipt_no"].as_str().unwrap().to_string();
    let checklist = c["matter"]["checklist"].as_array().unwrap().clone();
    let (m1, m2) = (
        checklist[0]["material"].as_str().unwrap(),
        checklist[1]["material"].as_str().unwrap(),
    );
    let (name1, name2) = (
        checklist[0]["name_zh"].as_str().unwrap(),
        checklist[1]["name_zh"].as_str().unwrap(),
    );
    let (p1, r1, p2, r2, n2) = (
        format!("f[pick-{m1}]"),
        format!("f[reason-{m1}]"),
        format!("f[pick-{m2}]"),
        format!("f[reason-{m2}]"),
        format!("f[note-{m2}]"),
    );
    let res = act(
        app,
        &clerk,
        &id,
        c["version"].as_i64().unwrap(),
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

    // Who may fetch it: the citizen and the site's clerk; not another
    // citizen, another site's clerk, or anyone signed out.
    let notice = pdf(app, &id, "correction", &citizen).await;
    pdf(app, &id, "correction", &clerk.cookie).await;
    assert_eq!(
        fetch(app, &id, "correction", &stranger).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        fetch(app, &id, "correction", &town.cookie).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&format!("/applications/{id}/letters/correction"))
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    // A browser following the link gets pages, not JSON: signed out, the
    // sign-in page that brings it back; not theirs, the 404 page.
    let letter = format!("/applications/{id}/letters/correction");
    let res = app
        .client
        .get(app.url(&letter))
        .header("accept", "text/html,application/xhtml+xml")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        res.headers()["location"],
        format!("/signin?next={}", app::services::q(&letter)).as_str()
    );
    let res = app
        .client
        .get(app.url(&letter))
        .header("accept", "text/html")
        .header("cookie", &stranger)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert!(res.text().await.unwrap().contains("页面不存在"));
    // The clerk's print is in the audit trail.
    let printed = app::db::audit_rows(&app.db)
        .await
        .unwrap()
        .into_iter()
        .filter(|a| a.action == "print" && a.reason == "correction")
        .count();
    assert_eq!(
        printed, 1,
        "one print by staff audited (the citizen's is not)"
    );
    // The pages name the letters the case has.
    let view: Value = call(app, &citizen, "applications/get", &[("id", &id)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(view["letters"], serde_json::json!(["correction"]));

    if let Some(text) = text_of(&notice) {
        for expected in [
            "不动产登记补正材料通知书",
            receipt_no.as_str(),
            name1,
            name2,
            "照片不清晰，请重新拍摄",
            "请上传盖章页",
            "一次性告知",
        ] {
            assert!(text.contains(expected), "{expected} in:\n{text}");
        }
    }
    if let Some(url) = qr_of(&notice) {
        assert_eq!(url, format!("http://127.0.0.1:3000/track?no={receipt_no}"));
    }

    // Another application of the same citizen, pre-accepted and accepted:
    // the receipt carries the case number and the promised date.
    let id = submit(app, &citizen).await;
    assert_eq!(take(app, &clerk, &id).await, StatusCode::OK);
    let mut version = case(app, &clerk, &id).await["version"].as_i64().unwrap();
    for action in ["pre_accept", "accept"] {
        let res = act(app, &clerk, &id, version, action, &[]).await;
        assert_eq!(res.status(), StatusCode::OK, "{action}");
        version = res.json().await.unwrap();
    }
    assert!(version > 0);
    let c = case(app, &clerk, &id).await;
    let case_no = c["case_no"].as_str().unwrap().to_string();
    let receipt_no = c["receipt_no"].as_str().unwrap().to_string();
    assert_eq!(c["letters"], serde_json::json!(["receipt"]));
    let receipt = pdf(app, &id, "receipt", &citizen).await;
    if let Some(text) = text_of(&receipt) {
        for expected in [
            "不动产登记受理回执",
            case_no.as_str(),
            receipt_no.as_str(),
            c["due_on"].as_str().unwrap(),
            "张三",
        ] {
            assert!(text.contains(expected), "{expected} in:\n{text}");
        }
    }
    assert_eq!(
        fetch(app, &id, "refusal", &citizen).await.status(),
        StatusCode::NOT_FOUND,
        "an accepted case has no refusal"
    );

    // A rejected application: the refusal gives the written reason.
    let other = submit(app, &citizen).await;
    let other_citizen = citizen.clone();
    assert_eq!(take(app, &clerk, &other).await, StatusCode::OK);
    let v = case(app, &clerk, &other).await["version"].as_i64().unwrap();
    let res = act(
        app,
        &clerk,
        &other,
        v,
        "reject",
        &[("reason", "该不动产已被查封，依法不予办理")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let refusal = pdf(app, &other, "refusal", &other_citizen).await;
    if let Some(text) = text_of(&refusal) {
        for expected in [
            "不予受理通知书",
            "该不动产已被查封，依法不予办理",
            "行政复议",
        ] {
            assert!(text.contains(expected), "{expected} in:\n{text}");
        }
    }
    assert_eq!(
        fetch(app, &other, "receipt", &other_citizen).await.status(),
        StatusCode::NOT_FOUND
    );
}

on_both_backends!(letters_follow_the_case);
