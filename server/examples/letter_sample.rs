//! Write a sample of each printable letter into a directory, to look at the
//! layout: `cargo run -p server --example letter_sample -- /tmp/letters`.

use app::domain::letter::{compose, LetterFacts, NoticeLine, LETTER_KINDS};

fn main() {
    let dir = std::env::args().nth(1).unwrap_or_else(|| "letters".into());
    std::fs::create_dir_all(&dir).expect("output directory");
    let font = onetrip_server::letters::font().expect("a CJK font (ONETRIP_PDF_FONT)");
    let facts = LetterFacts {
        receipt_no: "261124-ABCD-EFGH".into(),
        case_no: Some("2026-MAIN-000042".into()),
        matter: "带押过户（转移 + 抵押注销 + 新抵押）".into(),
        site: "明州市不动产登记中心".into(),
        site_address: "明州市鄞州区宁东路 1 号".into(),
        site_phone: "0574-8888 0000".into(),
        applicants: vec!["张三".into(), "李四".into(), "王五".into()],
        unit: "320684413219GB00029F00010002".into(),
        submitted_on: "2026-11-20".into(),
        accepted_on: Some("2026-11-24".into()),
        due_on: Some("2026-11-25 09:20".into()),
        promised: Some("60分钟（工作时间内）".into()),
        notice: Some((
            "2026-11-21".into(),
            vec![
                NoticeLine {
                    material: "申请人身份证明".into(),
                    reason: "照片不清晰，请重新拍摄".into(),
                    note: String::new(),
                },
                NoticeLine {
                    material: "不动产买卖合同".into(),
                    reason: "其他（见说明）".into(),
                    note: "请上传有双方签字的最后一页".into(),
                },
            ],
        )),
        refusal_reason: Some("申请登记的不动产已被人民法院查封，依法不予受理。".into()),
        owed: vec!["委托书".into()],
        printed_on: "2026-11-24".into(),
    };
    for kind in LETTER_KINDS {
        let letter = compose(kind, &facts, "https://onetrip.example.gov.cn").expect("letter");
        let pdf = onetrip_server::letters::render(&letter, &font).expect("render");
        let path = format!("{dir}/{}.pdf", kind.code());
        std::fs::write(&path, pdf).expect("write");
        println!("{path}");
    }
}
