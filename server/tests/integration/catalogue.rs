use crate::helpers::{without_markers, TestApp};
use crate::on_both_backends;
use app::domain::catalogue::{Matter, Requirement};
use app::execute_tx;

on_both_backends!(
    the_catalogue_is_seeded_with_the_common_and_combined_matters,
    a_combined_matter_lists_the_union_of_its_parts_each_item_once,
    seeding_happens_once_and_never_overwrites_staff_edits,
    editing_a_part_changes_every_combination_that_uses_it,
    the_matter_page_shows_the_one_time_notice,
    advance_notice_matters_carry_the_risk_notice,
    an_unknown_matter_answers_404,
    search_and_family_filters_work_as_plain_get_forms,
);

async fn matters(app: &TestApp) -> Vec<Matter> {
    let res = app.server_fn("matters/list", &[]).await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

fn find<'a>(list: &'a [Matter], code: &str) -> &'a Matter {
    list.iter()
        .find(|m| m.code == code)
        .unwrap_or_else(|| panic!("{code} missing"))
}

async fn the_catalogue_is_seeded_with_the_common_and_combined_matters(app: &TestApp) {
    let list = matters(app).await;
    for code in [
        "FIRST-BUILDING",
        "NEW-HOME-TRANSFER",
        "RESALE-TRANSFER",
        "MORTGAGE-FIRST",
        "MORTGAGE-CANCEL",
        "PRESALE-NOTICE",
        "PREMORTGAGE-NOTICE",
        "CHANGE",
        "CORRECTION",
        "INHERITANCE",
        "TRANSFER-WITH-MORTGAGE",
        "DOUBLE-NOTICE",
        "NOTICE-CONVERSION",
    ] {
        let m = find(&list, code);
        assert!(!m.checklist.is_empty(), "{code} has a checklist");
        assert!(!m.name_zh.is_empty() && !m.name_en.is_empty());
        assert!(m.time_limit_days >= 1);
        assert!(!m.parties.is_empty(), "{code} names its parties");
        // Mortgages and ordinary transfers are promised in 60 minutes.
        let sixty = ["RESALE-TRANSFER", "MORTGAGE-FIRST", "MORTGAGE-CANCEL"].contains(&code);
        assert_eq!(m.time_limit_minutes, sixty.then_some(60), "{code}");
    }
    assert_eq!(find(&list, "TRANSFER-WITH-MORTGAGE").parts.len(), 3);
}

async fn a_combined_matter_lists_the_union_of_its_parts_each_item_once(app: &TestApp) {
    let list = matters(app).await;
    let combo = find(&list, "TRANSFER-WITH-MORTGAGE");
    let codes: Vec<&str> = combo
        .checklist
        .iter()
        .map(|i| i.material.as_str())
        .collect();
    let mut dedup = codes.clone();
    dedup.sort();
    dedup.dedup();
    assert_eq!(dedup.len(), codes.len(), "each item once: {codes:?}");
    for part in ["RESALE-TRANSFER", "MORTGAGE-CANCEL", "MORTGAGE-FIRST"] {
        for item in &find(&list, part).checklist {
            assert!(
                codes.contains(&item.material.as_str()),
                "{} from {part}",
                item.material
            );
        }
    }
    assert_eq!(codes[0], "application_form");
    // The agent's power of attorney is tolerable in every part, so it stays tolerable.
    let poa = combo
        .checklist
        .iter()
        .find(|i| i.material == "agent_authorisation")
        .unwrap();
    assert_eq!(poa.requirement, Requirement::Tolerable);
}

async fn seeding_happens_once_and_never_overwrites_staff_edits(app: &TestApp) {
    let mut tx = app.db.begin_write().await.unwrap();
    execute_tx!(
        &mut tx,
        "UPDATE matters SET name_zh = $1 WHERE code = 'CHANGE'",
        "变更登记（已修订）"
    )
    .unwrap();
    tx.commit().await.unwrap();
    // An edit behind the app's back: the public copy is dropped by hand
    // (an edit through the app drops it itself).
    app.state.services.catalogue.invalidate();
    let seeded = app::db::seed_catalogue_if_empty(&app.db, app::db::SEED)
        .await
        .unwrap();
    assert!(!seeded, "a database with matters is not seeded again");
    app.db.migrate().await.unwrap();
    let list = matters(app).await;
    assert_eq!(find(&list, "CHANGE").name_zh, "变更登记（已修订）");
    assert_eq!(list.len(), 13);
}

async fn editing_a_part_changes_every_combination_that_uses_it(app: &TestApp) {
    let mut tx = app.db.begin_write().await.unwrap();
    execute_tx!(
        &mut tx,
        "INSERT INTO matter_materials (matter_code, material_code, position, requirement, form, copies)
         VALUES ('MORTGAGE-FIRST', 'survey_report', 99, 'required', 'copy', 2)"
    )
    .unwrap();
    tx.commit().await.unwrap();
    app.state.services.catalogue.invalidate();
    let list = matters(app).await;
    for code in [
        "MORTGAGE-FIRST",
        "TRANSFER-WITH-MORTGAGE",
        "NOTICE-CONVERSION",
    ] {
        let item = find(&list, code)
            .checklist
            .iter()
            .find(|i| i.material == "survey_report")
            .cloned();
        assert_eq!(item.map(|i| i.copies), Some(2), "{code}");
    }
}

async fn the_matter_page_shows_the_one_time_notice(app: &TestApp) {
    let res = app.get("/matters/TRANSFER-WITH-MORTGAGE").await;
    assert_eq!(res.status(), 200);
    let html = without_markers(&res.text().await.unwrap());
    assert!(html.contains("带押过户"));
    assert!(html.contains("一次性告知：需要准备的材料"));
    assert!(html.contains("借款合同") && html.contains("已网签备案的存量房买卖合同"));
    assert_eq!(
        html.matches(r#"data-material="application_form""#).count(),
        1
    );
    assert!(html.contains("可容缺") && html.contains("必须提供"));
    assert!(html.contains("抵押权人（贷款银行）"), "who must take part");
    assert!(html.contains("1 个工作日"));
    let html = without_markers(
        &app.get("/matters/MORTGAGE-CANCEL")
            .await
            .text()
            .await
            .unwrap(),
    );
    assert!(
        html.contains("60 分钟（工作时间内）"),
        "a promise in minutes"
    );
    assert!(!html.contains("1 个工作日"));

    let en = app
        .get_with_cookie("/matters/transfer-with-mortgage", "i18n_pref_locale=en")
        .await;
    assert_eq!(en.status(), 200, "codes are case-insensitive");
    let html = en.text().await.unwrap();
    assert!(html.contains("One-time notice: materials to prepare"));
    assert!(html.contains("Loan contract"));
}

async fn advance_notice_matters_carry_the_risk_notice(app: &TestApp) {
    let html = app
        .get("/matters/DOUBLE-NOTICE")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("风险提示"));
    assert!(html.contains("九十日"));
    let html = app
        .get("/matters/RESALE-TRANSFER")
        .await
        .text()
        .await
        .unwrap();
    assert!(!html.contains("风险提示"));
}

async fn an_unknown_matter_answers_404(app: &TestApp) {
    let res = app.get("/matters/NO-SUCH-MATTER").await;
    assert_eq!(res.status(), 404);
    assert!(res.text().await.unwrap().contains("没有这个事项"));
    let res = app
        .server_fn("matters/get", &[("code", "NO-SUCH-MATTER")])
        .await;
    assert_eq!(res.status(), 404);
    let res = app
        .server_fn("matters/get", &[("code", "double-notice")])
        .await;
    assert_eq!(res.status(), 200);
}

async fn search_and_family_filters_work_as_plain_get_forms(app: &TestApp) {
    let html = app
        .get("/matters?q=%E4%BA%8C%E6%89%8B%E6%88%BF")
        .await
        .text()
        .await
        .unwrap(); // 二手房
    assert!(html.contains(r#"href="/matters/RESALE-TRANSFER""#));
    assert!(
        !html.contains(r#"class="matter-link" href="/matters/INHERITANCE""#)
            && !html.contains(r#"href="/matters/INHERITANCE" class="matter-link""#)
    );
    let html = without_markers(&app.get("/matters?q=dyqzx").await.text().await.unwrap()); // pinyin initials
    assert!(html.contains("共 1 项"), "one result for pinyin initials");
    let html = without_markers(&app.get("/matters?family=700").await.text().await.unwrap());
    assert!(html.contains("共 3 项"), "three advance-notice matters");
    let html = app.get("/matters?q=zzzzzz").await.text().await.unwrap();
    assert!(html.contains("没有找到符合的事项"));
    let html = without_markers(&app.get("/matters?family=abc").await.text().await.unwrap());
    assert!(
        html.contains("共 13 项"),
        "a bad family filter shows everything"
    );
}
