//! The register (不动产登记簿) on both backends: the import (row errors,
//! all or nothing, idempotent), every matter's effect of 登簿, each
//! automatic check failing and passing, a unit's history after three
//! transfers, and through the front door a 带押过户 from the import to the
//! owner's sealed proof, and a non-owner's sale flagged and returned.

use crate::citizen::{call, csrf, sign_in, BANK_CODE, HOLDER_A, HOLDER_B, SELLER};
use crate::helpers::TestApp;
use crate::on_both_backends;
use crate::workbench::{act, case, signed_in, staff, submitted, take};
use app::db::register::{enter, import, unit, Entered, Imported};
use app::domain::catalogue::PartyRole;
use app::domain::register::{CaseFacts, CaseParty, RightKind};
use reqwest::StatusCode;
use serde_json::Value;

const UNIT: &str = "320684413219GB00029F00010002";
const UNIT2: &str = "320684413219GB00029F00010003";
const CERT: &str = "浙(2019)明州市不动产权第0012345号";
const OTHER: (&str, &str) = ("赵六", "330203197708083453");
const BANK2: &str = "91330200MA2AAAAA1X";
const HEADER: &str = "不动产单元号,坐落,面积,用途,项目,幢号,登记类型,权利人,证件号码,份额,债权数额,证书号,登簿日期,义务人,备注\n";

fn hash(app: &TestApp) -> impl Fn(&str) -> String + Sync + '_ {
    |id: &str| app::ops::people::identity_hash(&app.state.services, id)
}

/// Import a CSV body (after the header) as the command does.
async fn import_csv(app: &TestApp, body: &str) -> Result<Imported, Vec<String>> {
    let bytes = format!("{HEADER}{body}").into_bytes();
    let (report, units) = onetrip_server::register::check_file(&bytes).map_err(|e| vec![e])?;
    if !report.errors.is_empty() {
        return Err(report
            .errors
            .iter()
            .map(|e| format!("{}:{}:{}", e.line, e.column, e.zh))
            .collect());
    }
    use sha2::Digest;
    let sha = hex::encode(sha2::Sha256::digest(&bytes));
    Ok(import(
        &app.db,
        &sha,
        "t.csv",
        report.rows as i64,
        &units,
        &hash(app),
    )
    .await
    .unwrap())
}

fn row(
    unit: &str,
    kind: &str,
    holder: (&str, &str),
    share: &str,
    amount: &str,
    cert: &str,
    note: &str,
) -> String {
    format!(
        "{unit},明州市海曙区望京路 8 号 3 幢 1201 室,89.5,住宅,望京府,3,{kind},{},{},{share},{amount},{cert},2019-06-30,,{note}\n",
        holder.0, holder.1
    )
}

/// A draft application of the filer, as the case a register entry names.
async fn case_id(app: &TestApp, cookie: &str) -> String {
    let token = csrf(app, cookie).await;
    let res = call(
        app,
        cookie,
        "applications/start",
        &[("matter", "RESALE-TRANSFER"), ("csrf", &token)],
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

fn p(role: PartyRole, who: (&str, &str), share: &str) -> CaseParty {
    CaseParty {
        role,
        name: who.0.into(),
        id_number: who.1.into(),
        share: share.into(),
    }
}

fn facts(code: &str, parts: &[&str], unit: &str, parties: Vec<CaseParty>) -> CaseFacts {
    CaseFacts {
        matter_code: code.into(),
        parts: parts.iter().map(|s| s.to_string()).collect(),
        parties,
        unit_number: unit.into(),
        certificate_no: String::new(),
        address: "明州市海曙区望京路 8 号 3 幢 1202 室".into(),
        amount_fen: None,
    }
}

/// 登簿 of these facts as case `id`, committed; the changes or the failing checks.
async fn enter_now(app: &TestApp, id: &str, f: &CaseFacts) -> Entered {
    let mut tx = app.db.begin_write().await.unwrap();
    let out = enter(&mut tx, id, f, &hash(app)).await.unwrap();
    if matches!(out, Entered::Done(_)) {
        tx.commit().await.unwrap();
    }
    out
}

fn current(s: &app::domain::register::Standing, kind: RightKind) -> Vec<String> {
    s.current
        .iter()
        .filter(|e| e.kind == kind && e.valid_to.is_none())
        .map(|e| {
            e.holders
                .iter()
                .map(|h| {
                    format!(
                        "{}{}",
                        h.name,
                        if h.share.is_empty() {
                            String::new()
                        } else {
                            format!("({})", h.share)
                        }
                    )
                })
                .collect::<Vec<_>>()
                .join("+")
        })
        .collect()
}

const BANK: (&str, &str) = ("明州银行", BANK_CODE);
const A: (&str, &str) = (HOLDER_A.0, HOLDER_A.1);
const B: (&str, &str) = (HOLDER_B.0, HOLDER_B.1);
const S: (&str, &str) = (SELLER.0, SELLER.1);

async fn import_is_checked_all_or_nothing_and_idempotent(app: &TestApp) {
    // Row errors: each named by line and column; nothing is written.
    let bad = format!(
        "{}{}{}",
        row(UNIT, "所有权", S, "", "", CERT, ""),
        row("320684413219GB0002", "所有权", A, "", "", CERT, ""),
        row(UNIT2, "抵押", BANK, "", "abc", "", "")
    );
    let errors = import_csv(app, &bad).await.unwrap_err();
    assert!(
        errors.iter().any(|e| e.starts_with("3:不动产单元号")),
        "{errors:?}"
    );
    assert!(
        errors.iter().any(|e| e.starts_with("4:债权数额")),
        "{errors:?}"
    );
    assert!(
        errors.iter().any(|e| e.starts_with("4:证书号")),
        "{errors:?}"
    );
    let orphan = row(
        UNIT2,
        "抵押",
        BANK,
        "",
        "1000",
        "浙(2019)明州市不动产证明第0005679号",
        "",
    );
    let errors = import_csv(app, &orphan).await.unwrap_err();
    assert!(
        errors[0].starts_with("2:登记类型"),
        "a mortgage without an owner: {errors:?}"
    );
    assert_eq!(app::db::register::counts(&app.db).await.unwrap(), (0, 0));
    assert!(!app::db::register::in_use(&app.db).await.unwrap());
    // Shares must add up.
    let shares = format!(
        "{}{}",
        row(UNIT, "所有权", A, "50", "", CERT, ""),
        row(UNIT, "所有权", B, "40", "", CERT, "")
    );
    assert!(import_csv(app, &shares).await.unwrap_err()[0].contains("份额"));

    let good = format!(
        "{}{}{}",
        row(UNIT, "所有权", S, "", "", CERT, ""),
        row(
            UNIT,
            "抵押",
            BANK,
            "",
            "1200000",
            "浙(2019)明州市不动产证明第0005678号",
            ""
        ),
        row(
            UNIT2,
            "所有权",
            OTHER,
            "",
            "",
            "浙(2019)明州市不动产权第0012346号",
            ""
        )
    );
    assert_eq!(
        import_csv(app, &good).await.unwrap(),
        Imported::Done {
            units_new: 2,
            units_same: 0,
            rights_new: 3
        }
    );
    // The same file again changes nothing; the same units in another file
    // with the same content are left as they are; other content refuses it.
    assert!(matches!(
        import_csv(app, &good).await.unwrap(),
        Imported::Again { .. }
    ));
    let same_again = format!(
        "{}{}",
        row(
            UNIT2,
            "所有权",
            OTHER,
            "",
            "",
            "浙(2019)明州市不动产权第0012346号",
            ""
        ),
        ""
    );
    assert_eq!(
        import_csv(app, &same_again).await.unwrap(),
        Imported::Done {
            units_new: 0,
            units_same: 1,
            rights_new: 0
        }
    );
    let changed = row(
        UNIT2,
        "所有权",
        A,
        "",
        "",
        "浙(2019)明州市不动产权第0012346号",
        "",
    );
    assert_eq!(
        import_csv(app, &changed).await.unwrap(),
        Imported::Conflicts(vec![UNIT2.to_string()])
    );
    assert_eq!(app::db::register::counts(&app.db).await.unwrap(), (2, 3));
    let s = unit(&app.db, UNIT, false).await.unwrap().unwrap();
    assert_eq!(current(&s, RightKind::Ownership), vec!["王五"]);
    let m = s
        .current
        .iter()
        .find(|e| e.kind == RightKind::Mortgage)
        .unwrap();
    assert_eq!(m.amount_fen, Some(120_000_000));
}
on_both_backends!(import_is_checked_all_or_nothing_and_idempotent);

async fn every_matter_changes_the_register(app: &TestApp) {
    let cookie = sign_in(app, HOLDER_A.2).await;
    // A developer's building: first registration creates the unit.
    let dev = ("望京置业", "91330200MA2CCCCC3Z");
    // The register is in use once anything was imported.
    import_csv(
        app,
        &row(
            UNIT2,
            "所有权",
            OTHER,
            "",
            "",
            "浙(2019)明州市不动产权第0012346号",
            "",
        ),
    )
    .await
    .unwrap();
    let new_unit = "320684413219GB00029F00020001";
    let first = facts(
        "FIRST-BUILDING",
        &[],
        new_unit,
        vec![p(PartyRole::RightHolder, dev, "")],
    );
    assert!(matches!(
        enter_now(app, &case_id(app, &cookie).await, &first).await,
        Entered::Done(_)
    ));
    let s = unit(&app.db, new_unit, false).await.unwrap().unwrap();
    assert_eq!(current(&s, RightKind::Ownership), vec!["望京置业"]);
    // Twice: refused (already registered).
    assert!(matches!(
        enter_now(app, &case_id(app, &cookie).await, &first).await,
        Entered::Refused(_)
    ));

    // 双预告 then 预转本: the notices are recorded (the mortgage notice
    // with the secured amount filed), then replaced.
    let mut notices = facts(
        "DOUBLE-NOTICE",
        &["PRESALE-NOTICE", "PREMORTGAGE-NOTICE"],
        new_unit,
        vec![
            p(PartyRole::RightHolder, A, ""),
            p(PartyRole::Obligor, dev, ""),
            p(PartyRole::Mortgagee, BANK, ""),
        ],
    );
    notices.amount_fen = Some(80_000_000);
    assert!(matches!(
        enter_now(app, &case_id(app, &cookie).await, &notices).await,
        Entered::Done(_)
    ));
    let s = unit(&app.db, new_unit, false).await.unwrap().unwrap();
    assert_eq!(current(&s, RightKind::Notice), vec!["张三"]);
    assert_eq!(current(&s, RightKind::MortgageNotice), vec!["明州银行"]);
    let amount_of = |s: &app::domain::register::Standing, kind: RightKind| {
        s.current
            .iter()
            .find(|e| e.kind == kind && e.valid_to.is_none())
            .and_then(|e| e.amount_fen)
    };
    assert_eq!(amount_of(&s, RightKind::MortgageNotice), Some(80_000_000));
    // Another buyer's sale of the same flat is stopped by the notice.
    let other_sale = facts(
        "NEW-HOME-TRANSFER",
        &[],
        new_unit,
        vec![
            p(PartyRole::RightHolder, OTHER, ""),
            p(PartyRole::Obligor, dev, ""),
        ],
    );
    match enter_now(app, &case_id(app, &cookie).await, &other_sale).await {
        Entered::Refused(f) => assert_eq!(
            f.iter().map(|c| c.code).collect::<Vec<_>>(),
            vec!["reg_notice"]
        ),
        e => panic!("{e:?}"),
    }
    let conversion = facts(
        "NOTICE-CONVERSION",
        &["NEW-HOME-TRANSFER", "MORTGAGE-FIRST"],
        new_unit,
        vec![
            p(PartyRole::RightHolder, A, ""),
            p(PartyRole::Obligor, dev, ""),
            p(PartyRole::Mortgagee, BANK, ""),
        ],
    );
    let conv_id = case_id(app, &cookie).await;
    assert!(matches!(
        enter_now(app, &conv_id, &conversion).await,
        Entered::Done(_)
    ));
    let s = unit(&app.db, new_unit, false).await.unwrap().unwrap();
    assert_eq!(current(&s, RightKind::Ownership), vec!["张三"]);
    assert_eq!(current(&s, RightKind::Mortgage), vec!["明州银行"]);
    // No other amount filed: the notice's stands on the mortgage.
    assert_eq!(amount_of(&s, RightKind::Mortgage), Some(80_000_000));
    assert!(current(&s, RightKind::Notice).is_empty());
    assert!(current(&s, RightKind::MortgageNotice).is_empty());
    let history = unit(&app.db, new_unit, true).await.unwrap().unwrap();
    let ended_by_conversion = history
        .current
        .iter()
        .filter(|e| e.ended_by.as_deref() == Some(conv_id.as_str()))
        .count();
    assert_eq!(
        ended_by_conversion, 3,
        "developer's ownership and both notices"
    );

    // Mortgage cancellation, then a new mortgage with another bank.
    let cancel = facts(
        "MORTGAGE-CANCEL",
        &[],
        new_unit,
        vec![
            p(PartyRole::Mortgagee, BANK, ""),
            p(PartyRole::Mortgagor, A, ""),
        ],
    );
    assert!(matches!(
        enter_now(app, &case_id(app, &cookie).await, &cancel).await,
        Entered::Done(_)
    ));
    assert!(current(
        &unit(&app.db, new_unit, false).await.unwrap().unwrap(),
        RightKind::Mortgage
    )
    .is_empty());
    // Cancelling again: nothing of this bank's is left.
    match enter_now(app, &case_id(app, &cookie).await, &cancel).await {
        Entered::Refused(f) => assert_eq!(f[0].code, "reg_mortgage"),
        e => panic!("{e:?}"),
    }
    let mortgage = facts(
        "MORTGAGE-FIRST",
        &[],
        new_unit,
        vec![
            p(PartyRole::Mortgagor, A, ""),
            p(PartyRole::Mortgagee, ("宁波银行", BANK2), ""),
        ],
    );
    assert!(matches!(
        enter_now(app, &case_id(app, &cookie).await, &mortgage).await,
        Entered::Done(_)
    ));
    let banks = app::db::register::mortgages_of(&app.db, BANK2)
        .await
        .unwrap();
    assert_eq!(banks.len(), 1);
    assert_eq!(banks[0].0.unit_number, new_unit);
    assert_eq!(banks[0].1.obligors, "张三");
    assert!(app::db::register::mortgages_of(&app.db, BANK_CODE)
        .await
        .unwrap()
        .is_empty());

    // Inheritance: the heirs own it by shares.
    let inherit = facts(
        "INHERITANCE",
        &[],
        new_unit,
        vec![p(PartyRole::Heir, B, "60"), p(PartyRole::Heir, OTHER, "40")],
    );
    assert!(matches!(
        enter_now(app, &case_id(app, &cookie).await, &inherit).await,
        Entered::Done(_)
    ));
    let s = unit(&app.db, new_unit, false).await.unwrap().unwrap();
    assert_eq!(current(&s, RightKind::Ownership), vec!["李四(60)+赵六(40)"]);
    // The mortgage stays on the unit.
    assert_eq!(current(&s, RightKind::Mortgage), vec!["宁波银行"]);
}
on_both_backends!(every_matter_changes_the_register);

async fn each_check_fails_and_passes(app: &TestApp) {
    import_csv(
        app,
        &format!(
            "{}{}{}{}{}",
            row(UNIT, "所有权", A, "50", "", CERT, ""),
            row(UNIT, "所有权", B, "50", "", CERT, ""),
            row(
                UNIT,
                "抵押",
                BANK,
                "",
                "800000",
                "浙(2019)明州市不动产证明第0005678号",
                ""
            ),
            row(
                UNIT2,
                "所有权",
                S,
                "",
                "",
                "浙(2019)明州市不动产权第0012346号",
                ""
            ),
            row(
                UNIT2,
                "查封",
                ("明州市海曙区人民法院", ""),
                "",
                "",
                "",
                "(2024)浙0203执123号"
            ),
        ),
    )
    .await
    .unwrap();
    let codes = |f: &CaseFacts| {
        let f = f.clone();
        async move {
            app::ops::register::case_checks(&app.db, &f)
                .await
                .unwrap()
                .into_iter()
                .map(|c| (c.code, c.pass))
                .collect::<Vec<_>>()
        }
    };
    let sale = |obligors: Vec<CaseParty>| {
        let mut parties = vec![p(PartyRole::RightHolder, OTHER, "")];
        parties.extend(obligors);
        facts("RESALE-TRANSFER", &[], UNIT, parties)
    };
    let ok = sale(vec![
        p(PartyRole::Obligor, A, "50"),
        p(PartyRole::Obligor, B, "50"),
    ]);
    assert!(
        codes(&ok).await.iter().all(|(_, pass)| *pass),
        "{:?}",
        codes(&ok).await
    );
    // reg_holders: a stranger; one of two owners; wrong shares.
    for bad in [
        sale(vec![p(PartyRole::Obligor, S, "")]),
        sale(vec![p(PartyRole::Obligor, A, "")]),
        sale(vec![
            p(PartyRole::Obligor, A, "70"),
            p(PartyRole::Obligor, B, "30"),
        ]),
    ] {
        assert!(codes(&bad).await.contains(&("reg_holders", false)));
    }
    // reg_unit: not in the register; found by the certificate alone.
    let mut unknown = ok.clone();
    unknown.unit_number = "320684413219GB00029F00099999".into();
    assert_eq!(codes(&unknown).await, vec![("reg_unit", false)]);
    let mut by_cert = ok.clone();
    by_cert.unit_number = String::new();
    by_cert.certificate_no = "浙（2019）明州市不动产权第 0012345 号".into();
    assert!(codes(&by_cert).await.iter().all(|(_, pass)| *pass));
    // reg_certificate: another unit's number.
    let mut wrong_cert = ok.clone();
    wrong_cert.certificate_no = "浙(2019)明州市不动产权第0012346号".into();
    assert!(codes(&wrong_cert)
        .await
        .contains(&("reg_certificate", false)));
    let mut right_cert = ok.clone();
    right_cert.certificate_no = CERT.into();
    assert!(codes(&right_cert)
        .await
        .contains(&("reg_certificate", true)));
    // reg_mortgage: this bank's mortgage, or another bank's.
    let cancel = |bank: (&str, &str)| {
        facts(
            "MORTGAGE-CANCEL",
            &[],
            UNIT,
            vec![
                p(PartyRole::Mortgagee, bank, ""),
                p(PartyRole::Mortgagor, A, ""),
            ],
        )
    };
    assert!(codes(&cancel(BANK)).await.contains(&("reg_mortgage", true)));
    assert!(codes(&cancel(("宁波银行", BANK2)))
        .await
        .contains(&("reg_mortgage", false)));
    // reg_restrictions: the seized flat cannot be sold; the free one can.
    let seized = facts(
        "RESALE-TRANSFER",
        &[],
        UNIT2,
        vec![
            p(PartyRole::RightHolder, OTHER, ""),
            p(PartyRole::Obligor, S, ""),
        ],
    );
    let c = codes(&seized).await;
    assert!(
        c.contains(&("reg_restrictions", false)) && c.contains(&("reg_holders", true)),
        "{c:?}"
    );
    assert!(codes(&ok).await.contains(&("reg_restrictions", true)));
    // reg_notice: another buyer's notice stops the sale; the buyer's own does not.
    let cookie = sign_in(app, HOLDER_A.2).await;
    let notice = facts(
        "PRESALE-NOTICE",
        &[],
        UNIT,
        vec![
            p(
                PartyRole::RightHolder,
                (HOLDER_B.0, "330203196003033451"),
                "",
            ),
            p(PartyRole::Obligor, A, "50"),
            p(PartyRole::Obligor, B, "50"),
        ],
    );
    assert!(codes(&notice).await.contains(&("reg_notice", true)));
    assert!(matches!(
        enter_now(app, &case_id(app, &cookie).await, &notice).await,
        Entered::Done(_)
    ));
    assert!(codes(&ok).await.contains(&("reg_notice", false)));
    // reg_notice_own: a conversion needs the buyers' own notice.
    let conv = |buyer: (&str, &str)| {
        facts(
            "NOTICE-CONVERSION",
            &["NEW-HOME-TRANSFER", "MORTGAGE-FIRST"],
            UNIT,
            vec![
                p(PartyRole::RightHolder, buyer, ""),
                p(PartyRole::Obligor, A, "50"),
                p(PartyRole::Obligor, B, "50"),
                p(PartyRole::Mortgagee, BANK, ""),
            ],
        )
    };
    assert!(codes(&conv(OTHER))
        .await
        .contains(&("reg_notice_own", false)));
    assert!(codes(&conv((HOLDER_B.0, "330203196003033451")))
        .await
        .contains(&("reg_notice_own", true)));
}
on_both_backends!(each_check_fails_and_passes);

async fn history_after_three_transfers(app: &TestApp) {
    import_csv(app, &row(UNIT, "所有权", A, "", "", CERT, ""))
        .await
        .unwrap();
    let cookie = sign_in(app, HOLDER_A.2).await;
    let chain = [(A, B), (B, S), (S, OTHER)];
    let mut ids = Vec::new();
    for (from, to) in chain {
        let id = case_id(app, &cookie).await;
        let f = facts(
            "RESALE-TRANSFER",
            &[],
            UNIT,
            vec![
                p(PartyRole::RightHolder, to, ""),
                p(PartyRole::Obligor, from, ""),
            ],
        );
        assert!(
            matches!(enter_now(app, &id, &f).await, Entered::Done(_)),
            "{} → {}",
            from.0,
            to.0
        );
        ids.push(id);
        // Entries are ordered by when they began: apart by a millisecond at least.
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    // The first seller cannot sell again.
    let again = facts(
        "RESALE-TRANSFER",
        &[],
        UNIT,
        vec![
            p(PartyRole::RightHolder, B, ""),
            p(PartyRole::Obligor, A, ""),
        ],
    );
    assert!(matches!(
        enter_now(app, &case_id(app, &cookie).await, &again).await,
        Entered::Refused(_)
    ));
    let h = unit(&app.db, UNIT, true).await.unwrap().unwrap();
    let owners: Vec<(&str, Option<&str>, Option<&str>, bool)> = h
        .current
        .iter()
        .map(|e| {
            (
                e.holders[0].name.as_str(),
                e.made_by.as_deref(),
                e.ended_by.as_deref(),
                e.valid_to.is_none(),
            )
        })
        .collect();
    assert_eq!(
        owners,
        vec![
            ("张三", None, Some(ids[0].as_str()), false),
            ("李四", Some(ids[0].as_str()), Some(ids[1].as_str()), false),
            ("王五", Some(ids[1].as_str()), Some(ids[2].as_str()), false),
            ("赵六", Some(ids[2].as_str()), None, true),
        ]
    );
    for w in h.current.windows(2) {
        assert_eq!(
            w[0].valid_to,
            Some(w[1].valid_from),
            "each ends when the next begins"
        );
    }
    assert_eq!(h.current[0].certificate_no, CERT);
}
on_both_backends!(history_after_three_transfers);

/// Through the front door: the import, the 带押过户 filed by the buyers
/// (the default application), checked, previewed, entered, issued; the
/// buyer's page and sealed proof; the staff history, audited.
async fn transfer_with_mortgage_from_import_to_proof(app: &TestApp) {
    staff(app, "sup", "supervisor", &["MAIN"]).await;
    let sup = signed_in(app, "sup").await;
    import_csv(
        app,
        &format!(
            "{}{}",
            row(UNIT, "所有权", S, "", "", CERT, ""),
            row(
                UNIT,
                "抵押",
                BANK,
                "",
                "1000000",
                "浙(2019)明州市不动产证明第0005678号",
                ""
            )
        ),
    )
    .await
    .unwrap();
    let (cookie, id) = submitted(app).await;
    assert_eq!(take(app, &sup, &id).await, StatusCode::OK);
    let c = case(app, &sup, &id).await;
    let checks: Vec<(String, bool)> = c["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|k| k["code"].as_str().unwrap().starts_with("reg_"))
        .map(|k| {
            (
                k["code"].as_str().unwrap().to_string(),
                k["pass"].as_bool().unwrap(),
            )
        })
        .collect();
    for code in [
        "reg_unit",
        "reg_holders",
        "reg_mortgage",
        "reg_restrictions",
        "reg_notice",
    ] {
        assert!(
            checks.contains(&(code.to_string(), true)),
            "{code}: {checks:?}"
        );
    }
    let mut version = c["version"].as_i64().unwrap();
    for action in ["pre_accept", "accept", "advance", "advance"] {
        let res = act(app, &sup, &id, version, action, &[]).await;
        assert_eq!(res.status(), StatusCode::OK, "{action}");
        version = res.json().await.unwrap();
    }
    let c = case(app, &sup, &id).await;
    assert_eq!(c["stage"], "register");
    let preview: Vec<String> = c["register_preview"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l[0].as_str().unwrap().to_string())
        .collect();
    assert_eq!(preview.len(), 4, "{preview:?}");
    assert!(preview[0].starts_with("注销所有权：王五"), "{preview:?}");
    assert!(
        preview[1].contains("张三（50%）、李四（50%）"),
        "{preview:?}"
    );
    assert!(
        preview[2].starts_with("注销抵押权：明州银行"),
        "{preview:?}"
    );
    assert!(
        preview[3].starts_with("新增抵押权：明州银行"),
        "{preview:?}"
    );
    assert!(
        preview[3].ends_with("债权数额 1200000.00 元"),
        "the secured amount filed: {preview:?}"
    );
    // Nothing changed before 登簿.
    let s = unit(&app.db, UNIT, false).await.unwrap().unwrap();
    assert_eq!(current(&s, RightKind::Ownership), vec!["王五"]);
    for action in ["advance", "advance", "advance"] {
        let res = act(app, &sup, &id, version, action, &[]).await;
        assert_eq!(res.status(), StatusCode::OK, "{action}");
        version = res.json().await.unwrap();
    }
    assert_eq!(case(app, &sup, &id).await["stage"], "issued");
    let s = unit(&app.db, UNIT, false).await.unwrap().unwrap();
    assert_eq!(current(&s, RightKind::Ownership), vec!["张三(50)+李四(50)"]);
    assert_eq!(current(&s, RightKind::Mortgage), vec!["明州银行"]);
    let own = s
        .current
        .iter()
        .find(|e| e.kind == RightKind::Ownership)
        .unwrap();
    let certs = app::db::ecerts::of_application(&app.db, &id).await.unwrap();
    assert_eq!(
        own.certificate_no, certs[0].number,
        "the issued number is on the entry"
    );
    let m = s
        .current
        .iter()
        .find(|e| e.kind == RightKind::Mortgage)
        .unwrap();
    assert_eq!(m.obligors, "张三、李四");
    assert_eq!(m.amount_fen, Some(120_000_000), "the secured amount filed");

    // The buyer: not verified yet → no units; after a passed check → the flat.
    let mine: Value = call(app, &cookie, "me/register", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine["verified"], false);
    assert!(mine["units"].as_array().unwrap().is_empty());
    let citizen: (String,) = match &app.db {
        app::db::Db::Sqlite(p) => sqlx::query_as("SELECT id FROM citizens WHERE mobile = $1")
            .bind(HOLDER_A.2)
            .fetch_one(p)
            .await
            .unwrap(),
        app::db::Db::Postgres(p) => sqlx::query_as("SELECT id FROM citizens WHERE mobile = $1")
            .bind(HOLDER_A.2)
            .fetch_one(p)
            .await
            .unwrap(),
    };
    let check = app::db::register::start_own_check(
        &app.db,
        &citizen.0,
        HOLDER_A.0,
        "resident_id",
        HOLDER_A.1,
        &app::ops::people::identity_hash(&app.state.services, HOLDER_A.1),
    )
    .await
    .unwrap();
    // Not passed yet: still nothing.
    let mine: Value = call(app, &cookie, "me/register", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine["verified"], false);
    assert!(
        app::db::identity::settle(&app.db, &check, true, 2, "face", "t")
            .await
            .unwrap()
    );
    let mine: Value = call(app, &cookie, "me/register", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine["verified"], true);
    let units = mine["units"].as_array().unwrap();
    assert_eq!(units.len(), 1);
    assert_eq!(units[0]["unit_number"], UNIT);
    let kinds: Vec<&str> = units[0]["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, vec!["ownership", "mortgage"]);
    // Someone else sees nothing of it.
    let other = sign_in(app, "13600136009").await;
    let theirs: Value = call(app, &other, "me/register", &[])
        .await
        .json()
        .await
        .unwrap();
    assert!(theirs["units"].as_array().unwrap().is_empty());

    // The sealed proof: a PDF whose code verifies, names masked; a forged CSRF is refused.
    let token = csrf(app, &cookie).await;
    let forged = app
        .client
        .post(app.url("/me/register/proof"))
        .header("cookie", &cookie)
        .form(&[("csrf", "nope")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    let res = app
        .client
        .post(app.url("/me/register/proof"))
        .header("cookie", &cookie)
        .form(&[("csrf", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    let pdf = res.bytes().await.unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    let code: (String, String, String) = match &app.db {
        app::db::Db::Sqlite(p) => {
            sqlx::query_as("SELECT code, statement, signature FROM register_proofs")
                .fetch_one(p)
                .await
                .unwrap()
        }
        app::db::Db::Postgres(p) => {
            sqlx::query_as("SELECT code, statement, signature FROM register_proofs")
                .fetch_one(p)
                .await
                .unwrap()
        }
    };
    if let Some(text) = crate::letters::text_of(&pdf) {
        assert!(text.contains("不动产登记信息查询结果"), "{text}");
        assert!(text.contains(UNIT), "{text}");
        assert!(
            text.contains(&app::domain::ecert::format_code(&code.0)),
            "{text}"
        );
    }
    let v: Value = app
        .get(&format!("/api/v1/verify?code={}", code.0))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["kind"], "register_result");
    assert_eq!(v["seal_ok"], true);
    // The file itself checks as unchanged; one byte changed does not.
    assert_eq!(
        crate::ecerts::check_file(app, pdf.to_vec()).await,
        format!("/verify?code={}&file=same", code.0)
    );
    let mut changed = pdf.to_vec();
    let last = changed.len() - 10;
    changed[last] ^= 1;
    assert_eq!(
        crate::ecerts::check_file(app, changed).await,
        "/verify?file=unknown"
    );
    assert_eq!(v["unit_number"], UNIT);
    assert!(!v.to_string().contains("张三"), "masked: {v}");
    assert!(app::ops::seal::verify_with_public(
        &app.state.services.seal.public_raw(),
        code.1.as_bytes(),
        &code.2
    ));
    // Anonymous: no proof.
    let anon = app
        .client
        .post(app.url("/me/register/proof"))
        .form(&[("csrf", "x")])
        .send()
        .await
        .unwrap();
    assert_ne!(anon.status(), StatusCode::OK);

    // Staff: the unit's history with the case's receipt number; audited.
    let before = app::db::audit_rows(&app.db).await.unwrap().len();
    let h: Value = call(app, &sup.cookie, "staff/register", &[("query", UNIT)])
        .await
        .json()
        .await
        .unwrap();
    let entries = h["unit"]["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 4);
    assert_eq!(
        entries.iter().filter(|e| e["valid_to"].is_null()).count(),
        2
    );
    let receipt = c["receipt_no"].as_str().unwrap();
    assert!(
        entries.iter().any(|e| e["ended_by"] == receipt),
        "{entries:?}"
    );
    let rows = app::db::audit_rows(&app.db).await.unwrap();
    assert_eq!(rows.len(), before + 1);
    assert_eq!(rows.last().unwrap().action, "register_query");
    // The supervisor finds it in the audit review: who, what, found.
    let r: Value = call(app, &sup.cookie, "cases/audit_review", &[])
        .await
        .json()
        .await
        .unwrap();
    let queries = r["register_queries"].as_array().unwrap();
    assert_eq!(queries.len(), 1, "{r}");
    assert_eq!(queries[0]["query"], UNIT);
    assert_eq!(queries[0]["found"], true);
    // An old certificate number finds its unit too (as history).
    let old_cert = entries
        .iter()
        .find(|e| e["kind"] == "ownership" && !e["valid_to"].is_null())
        .and_then(|e| e["certificate_no"].as_str())
        .unwrap()
        .to_string();
    let h: Value = call(app, &sup.cookie, "staff/register", &[("query", &old_cert)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(h["unit"]["unit_number"], UNIT, "{h}");
    // After 登簿 the case is no longer checked against the register it changed.
    let done = case(app, &sup, &id).await;
    let codes: Vec<&str> = done["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|k| k["code"].as_str().unwrap().starts_with("reg_"))
        .map(|k| k["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, vec!["reg_entered"]);
    // A citizen may not query it.
    assert_ne!(
        call(app, &cookie, "staff/register", &[("query", UNIT)])
            .await
            .status(),
        StatusCode::OK
    );
}
on_both_backends!(transfer_with_mortgage_from_import_to_proof);

/// A sale by someone who does not own the flat: flagged, not pre-accepted,
/// returned with the register's reason in words that do not name the owner.
async fn a_non_owners_sale_is_flagged_and_returned(app: &TestApp) {
    staff(app, "sup", "supervisor", &["MAIN"]).await;
    let sup = signed_in(app, "sup").await;
    import_csv(app, &row(UNIT, "所有权", OTHER, "", "", CERT, ""))
        .await
        .unwrap();
    let (cookie, id) = submitted(app).await;
    assert_eq!(take(app, &sup, &id).await, StatusCode::OK);
    let c = case(app, &sup, &id).await;
    let holders = c["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["code"] == "reg_holders")
        .unwrap()
        .clone();
    assert_eq!(holders["pass"], false);
    assert!(
        holders["zh"].as_str().unwrap().contains("赵六"),
        "the clerk sees who owns it"
    );
    assert!(!c["actions"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a == "pre_accept"));
    let version = c["version"].as_i64().unwrap();
    let res = act(app, &sup, &id, version, "pre_accept", &[]).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert!(res.text().await.unwrap().contains("register_check"));
    // Returned: the applicant's timeline says why, without the owner's name.
    let version = case(app, &sup, &id).await["version"].as_i64().unwrap();
    let res = act(
        app,
        &sup,
        &id,
        version,
        "return",
        // No material ticked: the register's reason is the notice.
        &[],
    )
    .await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap_or_default()
    );
    let view: Value = call(app, &cookie, "applications/get", &[("id", &id)])
        .await
        .json()
        .await
        .unwrap();
    let text = view.to_string();
    assert!(text.contains("登记簿核验"), "{text}");
    assert!(text.contains("出卖人（义务人）"), "{text}");
    assert!(text.contains("请撤回本申请后重新填写提交"), "{text}");
    assert!(
        !text.contains("赵六"),
        "the owner is never named to the filer"
    );
    // Nothing in the register changed.
    let s = unit(&app.db, UNIT, false).await.unwrap().unwrap();
    assert_eq!(current(&s, RightKind::Ownership), vec!["赵六"]);
}
on_both_backends!(a_non_owners_sale_is_flagged_and_returned);
