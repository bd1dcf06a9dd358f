//! Message templates for the notifications outbox: template code + parameters
//! → text in the recipient's language. Pure, so it can be tested and so that
//! every sender (log, SMS gateway, e-mail) sends the same words.

use super::Lang;
use serde_json::Value;

/// The text of a message, or `None` for an unknown template (the worker then
/// marks the message failed rather than sending something wrong).
pub fn render(template: &str, params: &Value, lang: Lang) -> Option<String> {
    let p = |k: &str| params.get(k).and_then(Value::as_str).unwrap_or("");
    let moved = params.get("moved").and_then(Value::as_bool) == Some(true);
    let text = match (template, lang) {
        ("signin_code", Lang::Zh) => format!(
            "【一趟办】您的登录验证码是 {}，5 分钟内有效。工作人员不会向您索要验证码，请勿告诉他人。",
            p("code")
        ),
        ("signin_code", Lang::En) => format!(
            "[OneTrip] Your sign-in code is {}. It expires in 5 minutes. Staff will never ask you for it.",
            p("code")
        ),
        ("receipt", Lang::Zh) => format!(
            "【一趟办】您的“{}”预申请已提交，受理回执号 {}。预审结果将通过短信通知，也可在“办件进度”凭回执号查询。",
            p("matter_zh"),
            p("receipt")
        ),
        ("receipt", Lang::En) => format!(
            "[OneTrip] Your pre-application \"{}\" has been submitted. Receipt number {}. We will text you the pre-review result; you can also follow it under Track progress.",
            p("matter_en"),
            p("receipt")
        ),
        ("withdrawn", Lang::Zh) => format!("【一趟办】回执号 {} 的申请已撤回，不再办理。", p("receipt")),
        ("withdrawn", Lang::En) => format!(
            "[OneTrip] The application with receipt {} has been withdrawn and will not be processed.",
            p("receipt")
        ),
        // A step of the case: `stage` is the new stage's code.
        ("booked", Lang::Zh) => format!(
            "【一趟办】{}：{}，{}（{}），预约码 {}。请全体当事人（买卖双方、共有人；涉及抵押的还有银行经办人）携带本人身份证件和材料原件按时一同到场；开始前 {} 小时内不能再改约或取消。",
            if moved { "改约成功，原预约已取消。新的时间" } else { "预约成功" },
            p("when"),
            p("site_zh"),
            p("address_zh"),
            p("code"),
            p("close_hours")
        ),
        ("booked", Lang::En) => format!(
            "[OneTrip] {}: {} at {} ({}), booking code {}. Every party (buyers, sellers, co-owners and, with a mortgage, the bank's officer) comes together, each with their own ID, and the original documents. It can be moved or cancelled until {} hours before.",
            if moved { "Moved, and the earlier time cancelled. New time" } else { "Booked" },
            p("when"),
            p("site_en"),
            p("address_en"),
            p("code"),
            p("close_hours")
        ),
        ("booking_reminder_day", Lang::Zh) => format!(
            "【一趟办】提醒：您明天 {} 在{}（{}）有到场预约，预约码 {}。请携带身份证件和材料原件；如需改约，请在开始前 {} 小时以前办理。",
            p("when"),
            p("site_zh"),
            p("address_zh"),
            p("code"),
            p("close_hours")
        ),
        ("booking_reminder_day", Lang::En) => format!(
            "[OneTrip] Reminder: your visit tomorrow, {} at {} ({}), booking code {}. Bring your ID and the original documents; move it at least {} hours before if needed.",
            p("when"),
            p("site_en"),
            p("address_en"),
            p("code"),
            p("close_hours")
        ),
        ("booking_reminder_soon", Lang::Zh) => format!(
            "【一趟办】提醒：您的到场预约 {} 即将开始，地点{}（{}），预约码 {}。到场后向取号处出示预约码。",
            p("when"),
            p("site_zh"),
            p("address_zh"),
            p("code")
        ),
        ("booking_reminder_soon", Lang::En) => format!(
            "[OneTrip] Your visit at {} starts soon: {} ({}), booking code {}. Show the code at the front desk.",
            p("when"),
            p("site_en"),
            p("address_en"),
            p("code")
        ),
        ("home_visit_scheduled", Lang::Zh) => format!(
            "【一趟办】您申请的上门服务已安排：{}，工作人员将到 {} 办理回执号 {} 的业务。工作人员会出示工作证，不会收取任何现金。",
            p("when"),
            p("address"),
            p("receipt")
        ),
        ("home_visit_scheduled", Lang::En) => format!(
            "[OneTrip] Your home visit is scheduled: {} at {}, for the case with receipt {}. Staff show their ID card and never take cash.",
            p("when"),
            p("address"),
            p("receipt")
        ),
        ("filed_in_your_name", Lang::Zh) => format!(
            "【一趟办】{}已以您的名义申报“{}”（单元 {}），回执号 {}。可凭回执号和身份证号后 6 位在“办件进度”查询；如非您本人所购，请致电登记中心。",
            p("org"),
            p("matter_zh"),
            p("unit"),
            p("receipt")
        ),
        ("filed_in_your_name", Lang::En) => format!(
            "[OneTrip] {} has filed \"{}\" in your name (unit {}), receipt {}. Follow it under Track progress with the receipt and the last 6 characters of your ID. If you did not buy this unit, call the registration centre.",
            p("org"),
            p("matter_en"),
            p("unit"),
            p("receipt")
        ),
        ("party_named", Lang::Zh) => format!(
            "【一趟办】{}提交了“{}”申请，您是申请中的当事人（不动产 {}，{}；回执号 {}）。请用本手机号登录 {} 阅读全部内容并确认；如您不同意，请在同一页面提出异议，案件将停止办理。",
            named(p("filer"), "有人"),
            p("matter_zh"),
            p("unit"),
            p("address"),
            p("receipt"),
            p("link")
        ),
        ("party_named", Lang::En) => format!(
            "[OneTrip] {} filed \"{}\" naming you as a party (unit {}, {}; receipt {}). Sign in with this mobile number at {} to read all of it and confirm; if you do not agree, object on the same page and the case stops.",
            named(p("filer"), "Someone"),
            p("matter_en"),
            p("unit"),
            p("address"),
            p("receipt"),
            p("link")
        ),
        ("party_named_org", Lang::Zh) => format!(
            "【一趟办】{}提交了“{}”申请，{}被列为当事人（不动产 {}，{}；回执号 {}）。请贵单位管理员登录单位账户 {} 阅读全部内容并确认；如不同意，请在同一页面提出异议，案件将停止办理。",
            named(p("filer"), "有人"),
            p("matter_zh"),
            p("org"),
            p("unit"),
            p("address"),
            p("receipt"),
            p("org_link")
        ),
        ("party_named_org", Lang::En) => format!(
            "[OneTrip] {} filed \"{}\" naming {} as a party (unit {}, {}; receipt {}). An administrator of the organisation signs in to its account at {} to read all of it and confirm; if you do not agree, object on the same page and the case stops.",
            named(p("filer"), "Someone"),
            p("matter_en"),
            p("org"),
            p("unit"),
            p("address"),
            p("receipt"),
            p("org_link")
        ),
        ("party_reconfirm", Lang::Zh) => format!(
            "【一趟办】回执号 {} 的申请已按补正通知更正，内容有变化，您之前的确认不再有效。请重新登录阅读并确认；如不同意，可在同一页面提出异议。",
            p("receipt")
        ),
        ("party_reconfirm", Lang::En) => format!(
            "[OneTrip] The application with receipt {} was corrected and its content changed, so your earlier confirmation no longer counts. Sign in again to read it and confirm; if you do not agree, object on the same page.",
            p("receipt")
        ),
        ("objection_filer", Lang::Zh) => format!(
            "【一趟办】回执号 {} 的申请中有当事人提出了异议，案件已停止办理。登记中心将与各方联系；您可登录查看。",
            p("receipt")
        ),
        ("objection_filer", Lang::En) => format!(
            "[OneTrip] A party named in the application with receipt {} has objected, and the case is stopped. The centre will contact everyone; sign in to see it.",
            p("receipt")
        ),
        ("org_invite", Lang::Zh) => format!(
            "【一趟办】{}邀请您加入其企业账户，用于办理批量预申请。请在 7 天内打开链接设置密码：{}",
            p("org"),
            p("link")
        ),
        ("org_invite", Lang::En) => format!(
            "[OneTrip] {} invites you to its organisation account for bulk filings. Set your password within 7 days: {}",
            p("org"),
            p("link")
        ),
        ("org_verified", Lang::Zh) if p("kind") == "bank" => format!(
            "【一趟办】{}的单位账户已通过审核。今后申请人把贵行列为抵押权人的申请，会短信通知您登录单位账户在线确认。",
            p("org")
        ),
        ("org_verified", Lang::En) if p("kind") == "bank" => format!(
            "[OneTrip] {}'s organisation account is verified. Applications naming the bank as mortgagee will be texted to you to confirm online in the account.",
            p("org")
        ),
        ("org_verified", Lang::Zh) => format!(
            "【一趟办】{}的企业账户已通过审核，现在可以建项目、批量申报。",
            p("org")
        ),
        ("org_verified", Lang::En) => format!(
            "[OneTrip] {}'s organisation account is verified: you can now add projects and file in bulk.",
            p("org")
        ),
        ("org_rejected", Lang::Zh) => format!(
            "【一趟办】{}的企业账户未通过审核：{}。如有疑问请致电登记中心。",
            p("org"),
            p("reason")
        ),
        ("org_rejected", Lang::En) => format!(
            "[OneTrip] {}'s organisation account was not verified: {}. Call the registration centre with any question.",
            p("org"),
            p("reason")
        ),
        ("booking_closed", Lang::Zh) => format!(
            "【一趟办】很抱歉，您 {} 的到场预约因“{}”已取消。{}",
            p("when"),
            p("reason"),
            if params.get("rebook").and_then(Value::as_bool) == Some(false) {
                ""
            } else {
                "请登录重新预约其他时间。"
            }
        ),
        ("booking_closed", Lang::En) => format!(
            "[OneTrip] Sorry: your visit at {} is cancelled ({}).{}",
            p("when"),
            p("reason"),
            if params.get("rebook").and_then(Value::as_bool) == Some(false) {
                ""
            } else {
                " Please sign in and book another time."
            }
        ),
        ("case_event", lang) if p("event") == "refused" => match lang {
            Lang::Zh => format!(
                "【一趟办】很抱歉，回执号 {} 的案件经审核不予登记，原因：{}。已缴的登记费将原路退回。如有疑问请致电登记中心。",
                p("receipt"),
                p("note")
            ),
            Lang::En => format!(
                "[OneTrip] Sorry: after review, the case with receipt {} is refused registration. Reason: {}. Any fee paid is refunded. Call the centre with any question.",
                p("receipt"),
                p("note")
            ),
        },
        ("rating_followed_up", Lang::Zh) => format!(
            "【一趟办】您对回执号 {} 的评价，登记中心负责人已核实处理：{}。感谢您的监督；如仍不满意，可致电 12345。",
            p("receipt"),
            p("action").trim_end_matches(['。', '.', '！', '!'])
        ),
        ("rating_followed_up", Lang::En) => format!(
            "[OneTrip] Your rating of receipt {} has been looked into by the centre's supervisor: {}. Thank you; if you are still not satisfied, call 12345.",
            p("receipt"),
            p("action").trim_end_matches(['。', '.', '！', '!'])
        ),
        ("certificate_posted", Lang::Zh) => format!(
            "【一趟办】回执号 {} 的纸质不动产权证书已通过 EMS 寄出，运单号 {}，可在 EMS 官网或登录“一趟办”查看物流。",
            p("receipt"),
            p("tracking")
        ),
        ("certificate_posted", Lang::En) => format!(
            "[OneTrip] The paper certificate for receipt {} has been posted by EMS, tracking number {}; follow it on EMS's site or your case page.",
            p("receipt"),
            p("tracking")
        ),
        ("certificate_delivered", Lang::Zh) => format!(
            "【一趟办】回执号 {} 的纸质证书已妥投。如未收到，请致电登记中心。",
            p("receipt")
        ),
        ("certificate_delivered", Lang::En) => format!(
            "[OneTrip] The paper certificate for receipt {} has been delivered. If you did not get it, call the centre.",
            p("receipt")
        ),
        ("utility_answered", Lang::Zh) => format!(
            "【一趟办】回执号 {} 的{}过户：{}{}",
            p("receipt"),
            super::aftercare::utility_label(p("utility"), Lang::Zh),
            if p("status") == "done" { "已办好" } else { "未能办理" },
            if p("note").is_empty() { "。".to_string() } else { format!("（{}）。", p("note")) }
        ),
        ("utility_answered", Lang::En) => format!(
            "[OneTrip] {} for receipt {}: {}{}",
            super::aftercare::utility_label(p("utility"), Lang::En),
            p("receipt"),
            if p("status") == "done" { "moved to your name" } else { "not done" },
            if p("note").is_empty() { ".".to_string() } else { format!(" ({}).", p("note")) }
        ),
        ("payment_due", Lang::Zh) => format!(
            "【一趟办】回执号 {} 的登记费 ¥{} 已可在线缴纳（微信、支付宝、云闪付），请打开 {} 缴费，无需到窗口。",
            p("receipt"),
            p("amount"),
            p("link")
        ),
        ("payment_due", Lang::En) => format!(
            "[OneTrip] The fee of ¥{} for receipt {} can be paid online (WeChat, Alipay, UnionPay): open {}. No need to come to a window.",
            p("amount"),
            p("receipt"),
            p("link")
        ),
        ("payment_received", Lang::Zh) => format!(
            "【一趟办】已收到回执号 {} 的缴费 ¥{}（{}）。{}",
            p("receipt"),
            p("amount"),
            super::fees::method_label(p("channel"), Lang::Zh),
            if params.get("refund").and_then(Value::as_bool) == Some(true) {
                "该缴费单已作废或案件已结束，款项将原路退回。"
            } else {
                "可登录查看电子缴费凭证。"
            }
        ),
        ("payment_received", Lang::En) => format!(
            "[OneTrip] Payment of ¥{} received for receipt {} ({}).{}",
            p("amount"),
            p("receipt"),
            super::fees::method_label(p("channel"), Lang::En),
            if params.get("refund").and_then(Value::as_bool) == Some(true) {
                " The order had been cancelled or the case closed: it will be refunded."
            } else {
                " Sign in to see the receipt."
            }
        ),
        ("payment_refunded", Lang::Zh) => format!(
            "【一趟办】回执号 {} 的登记费 ¥{} 已原路退回，到账时间以支付渠道为准。",
            p("receipt"),
            p("amount")
        ),
        ("payment_refunded", Lang::En) => format!(
            "[OneTrip] The fee of ¥{} for receipt {} has been refunded to where it came from.",
            p("amount"),
            p("receipt")
        ),
        ("case_event", lang) if p("event") == "paused" => match lang {
            Lang::Zh => format!(
                "【一趟办】回执号 {} 的案件暂停计时，需要您补充：{}。补充后继续办理，办结期限相应顺延。",
                p("receipt"),
                p("note")
            ),
            Lang::En => format!(
                "[OneTrip] The case with receipt {} is on hold until you supply: {}. The deadline moves on accordingly.",
                p("receipt"),
                p("note")
            ),
        },
        ("case_event", lang) if p("event") == "resumed" => match lang {
            Lang::Zh => format!(
                "【一趟办】回执号 {} 的案件已恢复办理，办结期限已顺延，可登录查看。",
                p("receipt")
            ),
            Lang::En => format!(
                "[OneTrip] The case with receipt {} is moving again; sign in to see the new deadline.",
                p("receipt")
            ),
        },
        ("case_event", lang) => {
            use super::case::Stage;
            let stage = Stage::from_code(p("stage"))?;
            let label = stage.label(lang);
            let no_visit = params.get("no_visit").and_then(Value::as_bool) == Some(true);
            match (stage, lang) {
                (Stage::PreAccepted, Lang::Zh) if params.get("no_visit").and_then(Value::as_bool) == Some(true) => format!(
                    "【一趟办】回执号 {} 的申请已预审通过。此事项全程网办、无需到场：登记中心将直接受理，受理后短信告诉您。",
                    p("receipt")
                ),
                (Stage::PreAccepted, Lang::En) if params.get("no_visit").and_then(Value::as_bool) == Some(true) => format!(
                    "[OneTrip] The application with receipt {} passed pre-review. This matter is done online with no visit: the centre accepts it next and texts you.",
                    p("receipt")
                ),
                (Stage::PreAccepted, Lang::Zh) => format!(
                    "【一趟办】回执号 {} 的申请已预审通过。下一步：请登录“一趟办”预约到场时间；到场时全体当事人（买卖双方、共有人，涉及抵押的还有银行经办人）都需带本人身份证件原件和材料原件一同办理，只需来这一次。",
                    p("receipt")
                ),
                (Stage::PreAccepted, Lang::En) => format!(
                    "[OneTrip] The application with receipt {} passed pre-review. Next: sign in to book a visit. Every party (buyers, sellers, co-owners and, with a mortgage, the bank's officer) comes together with their own ID and the original documents; one visit is all it takes.",
                    p("receipt")
                ),
                (Stage::Accepted, Lang::Zh) if no_visit => format!(
                    "【一趟办】回执号 {} 的申请已正式受理，案件号 {}，承诺 {} 前办结。全程网办，无需到场；办结后电子证照在网上签发，登录即可下载。",
                    p("receipt"),
                    p("case_no"),
                    p("due")
                ),
                (Stage::Accepted, Lang::En) if no_visit => format!(
                    "[OneTrip] The application with receipt {} is accepted: case number {}, to be completed by {}. It is done online with no visit; the electronic certificate will be issued online for you to download.",
                    p("receipt"),
                    p("case_no"),
                    p("due")
                ),
                (Stage::Accepted, Lang::Zh) => format!(
                    "【一趟办】回执号 {} 的申请已正式受理，案件号 {}，承诺 {} 前办结。办理中无需再跑；办结后我们会短信告诉您领证的地点和时间。",
                    p("receipt"),
                    p("case_no"),
                    p("due")
                ),
                (Stage::Accepted, Lang::En) => format!(
                    "[OneTrip] The application with receipt {} is accepted: case number {}, to be completed by {}. You need not come meanwhile; we will text you where and when to collect.",
                    p("receipt"),
                    p("case_no"),
                    p("due")
                ),
                (Stage::Rejected, Lang::Zh) => format!(
                    "【一趟办】很抱歉，回执号 {} 的申请不予受理，原因：{}。可登录查看并下载不予受理告知书；如有疑问请致电登记中心。",
                    p("receipt"),
                    p("note")
                ),
                (Stage::Rejected, Lang::En) => format!(
                    "[OneTrip] Sorry: the application with receipt {} was not accepted. Reason: {}. Sign in to read and download the letter; call the centre with any question.",
                    p("receipt"),
                    p("note")
                ),
                (Stage::FeePaid, Lang::Zh) if no_visit => format!(
                    "【一趟办】回执号 {} 的登记费用已收：{}。办结后电子证照在网上签发，短信通知您，无需到场。",
                    p("receipt"),
                    p("note")
                ),
                (Stage::FeePaid, Lang::En) if no_visit => format!(
                    "[OneTrip] Fees received for receipt {}: {}. We will text you when the electronic certificate is issued online; no need to come.",
                    p("receipt"),
                    p("fee_en")
                ),
                (Stage::FeePaid, Lang::Zh) => format!(
                    "【一趟办】回执号 {} 的登记费用已收：{}。证书办好后我们会短信通知您领取。",
                    p("receipt"),
                    p("note")
                ),
                (Stage::FeePaid, Lang::En) => format!(
                    "[OneTrip] Fees received for receipt {}: {}. We will text you when the certificate is ready to collect.",
                    p("receipt"),
                    p("fee_en")
                ),
                (Stage::Issued, Lang::Zh) if params.get("post").and_then(Value::as_bool) == Some(true) => format!(
                    "【一趟办】回执号 {} 已登簿发证：电子证照已签发，登录即可下载，并可凭验证码查验；纸质证书将通过 EMS 邮寄到您填写的地址，寄出后短信告诉您运单号，无需到窗口。",
                    p("receipt")
                ),
                (Stage::Issued, Lang::En) if params.get("post").and_then(Value::as_bool) == Some(true) => format!(
                    "[OneTrip] Receipt {} is registered: the electronic certificate is issued (sign in to download it; anyone can verify it by its code). The paper certificate will be posted by EMS to the address you gave; we will text you its tracking number. No need to come.",
                    p("receipt")
                ),
                (Stage::Issued, Lang::Zh) if no_visit => format!(
                    "【一趟办】回执号 {} 已登簿发证：电子证照已签发，登录即可下载，并可凭验证码查验，无需到场。如需纸质证书，可在办件页面选择邮寄（EMS），或到{}领取。",
                    p("receipt"),
                    p("site_zh")
                ),
                (Stage::Issued, Lang::En) if no_visit => format!(
                    "[OneTrip] Receipt {} is registered: the electronic certificate is issued (sign in to download it; anyone can verify it by its code). No need to come. For a paper certificate, choose post (EMS) on the case page, or collect it at {}.",
                    p("receipt"),
                    p("site_en")
                ),
                (Stage::Issued, Lang::Zh) => format!(
                    "【一趟办】回执号 {} 已登簿发证：电子证照已签发，登录即可下载，并可凭验证码查验；纸质证书请携带身份证件原件和受理回执，到{}（{}）领取，办公时间 {}。",
                    p("receipt"),
                    p("site_zh"),
                    p("address_zh"),
                    p("hours_zh")
                ),
                (Stage::Issued, Lang::En) => format!(
                    "[OneTrip] Receipt {} is registered: the electronic certificate is issued (sign in to download it; anyone can verify it by its code). Collect the paper certificate with your ID and the acceptance receipt at {} ({}), open {}.",
                    p("receipt"),
                    p("site_en"),
                    p("address_en"),
                    p("hours_en")
                ),
                (super::case::Stage::Returned, Lang::Zh) => format!(
                    "【一趟办】回执号 {} 的申请需要补正：请登录查看补正通知，按要求修改后重新提交。",
                    p("receipt")
                ),
                (super::case::Stage::Returned, Lang::En) => format!(
                    "[OneTrip] The application with receipt {} needs corrections: sign in to read the notice, fix the items and resubmit.",
                    p("receipt")
                ),
                (_, Lang::Zh) => format!("【一趟办】回执号 {} 的申请：{}。", p("receipt"), label),
                (_, Lang::En) => format!(
                    "[OneTrip] Application with receipt {}: {}.",
                    p("receipt"),
                    label
                ),
            }
        }
        _ => return None,
    };
    Some(text)
}

/// Which timeline events are texted to the applicant: those that ask
/// something of them or give them something. The centre's own stages
/// (review, register, certificate, archive, a send-back) stay on the
/// timeline, so nobody gets six texts in two minutes.
pub fn texted(event: &str) -> bool {
    matches!(
        event,
        "returned"
            | "pre_accepted"
            | "rejected"
            | "accepted"
            | "paused"
            | "resumed"
            | "fee_paid"
            | "issued"
            | "refused"
    )
}

/// A name, or a stand-in when none was given.
fn named<'a>(name: &'a str, otherwise: &'a str) -> &'a str {
    if name.trim().is_empty() {
        otherwise
    } else {
        name
    }
}

/// A short subject line for e-mail.
/// May this message wait a little to go out in one text with the others
/// about the same person's cases? Codes, invitations and reminders go at
/// once; the steps of a case (submitted, named, pre-accepted, booked, …) may
/// be merged, so nobody is texted six times in two minutes.
pub fn mergeable(template: &str) -> bool {
    !matches!(
        template,
        "signin_code"
            | "org_invite"
            | "org_verified"
            | "org_rejected"
            | "booking_reminder_day"
            | "booking_reminder_soon"
    )
}

/// Several texts to one person as one: the brand once, then each message on
/// its own line, oldest first.
pub fn merge(texts: &[String], lang: Lang) -> String {
    let brand = match lang {
        Lang::Zh => "【一趟办】",
        Lang::En => "[OneTrip] ",
    };
    let mut out = String::from(brand);
    for (i, t) in texts.iter().enumerate() {
        let body = t
            .strip_prefix(brand)
            .or_else(|| t.strip_prefix(brand.trim_end()))
            .unwrap_or(t)
            .trim();
        if i > 0 {
            out.push('\n');
        }
        if texts.len() > 1 {
            out.push_str(&format!("{}. ", i + 1));
        }
        out.push_str(body);
    }
    out
}

pub fn subject(template: &str, lang: Lang) -> &'static str {
    match (template, lang) {
        ("signin_code", Lang::Zh) => "一趟办登录验证码",
        ("signin_code", Lang::En) => "OneTrip sign-in code",
        ("receipt", Lang::Zh) => "一趟办预申请回执",
        ("receipt", Lang::En) => "OneTrip pre-application receipt",
        (_, Lang::Zh) => "一趟办通知",
        (_, Lang::En) => "OneTrip notice",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_no_visit_case_is_never_told_to_come() {
        for (stage, extra) in [
            (
                "accepted",
                serde_json::json!({ "case_no": "C1", "due": "2026-12-08" }),
            ),
            ("fee_paid", serde_json::json!({ "note": "80 元" })),
            (
                "issued",
                serde_json::json!({ "site_zh": "明州市不动产登记中心", "site_en": "Mingzhou" }),
            ),
        ] {
            let mut p = extra.clone();
            p["receipt"] = "R1".into();
            p["stage"] = stage.into();
            p["event"] = stage.into();
            let visit = render("case_event", &p, Lang::Zh).unwrap();
            p["no_visit"] = true.into();
            let zh = render("case_event", &p, Lang::Zh).unwrap();
            let en = render("case_event", &p, Lang::En).unwrap();
            assert_ne!(visit, zh, "{stage}");
            assert!(zh.contains("无需到场"), "{stage}: {zh}");
            assert!(!zh.contains("携带身份证件原件"), "{stage}: {zh}");
            assert!(!zh.contains("领证的地点"), "{stage}: {zh}");
            assert!(
                en.contains("no visit")
                    || en.contains("No need to come")
                    || en.contains("no need to come"),
                "{stage}: {en}"
            );
        }
    }

    #[test]
    fn templates_render_in_both_languages_and_unknown_ones_do_not() {
        let p = serde_json::json!({ "code": "123456" });
        assert!(render("signin_code", &p, Lang::Zh)
            .unwrap()
            .contains("123456"));
        assert!(render("signin_code", &p, Lang::En)
            .unwrap()
            .contains("123456"));
        assert_eq!(render("nope", &p, Lang::Zh), None);
    }

    #[test]
    fn merged_texts_carry_the_brand_once_and_every_message() {
        let a = render(
            "receipt",
            &serde_json::json!({ "receipt": "R1", "matter_zh": "转移登记" }),
            Lang::Zh,
        )
        .unwrap();
        let b = render(
            "withdrawn",
            &serde_json::json!({ "receipt": "R1" }),
            Lang::Zh,
        )
        .unwrap();
        let m = merge(&[a, b], Lang::Zh);
        assert_eq!(m.matches("【一趟办】").count(), 1, "{m}");
        assert!(
            m.contains("1. 您的“转移登记”预申请已提交") && m.contains("\n2. 回执号 R1"),
            "{m}"
        );
        let one = merge(&["[OneTrip] Hello.".to_string()], Lang::En);
        assert_eq!(one, "[OneTrip] Hello.");
        assert!(!mergeable("signin_code") && mergeable("case_event") && mergeable("party_named"));
    }

    #[test]
    fn a_named_party_is_told_who_filed_what_and_where_to_confirm() {
        let p = serde_json::json!({ "filer": "王五", "matter_zh": "二手房转移登记",
            "matter_en": "Transfer", "unit": "320684413219GB00029F00010002",
            "address": "湖滨路 1 号", "receipt": "261203-ABCD-EFGH",
            "link": "https://x/applications/1" });
        let zh = render("party_named", &p, Lang::Zh).unwrap();
        for part in [
            "王五",
            "二手房转移登记",
            "320684413219GB00029F00010002",
            "261203-ABCD-EFGH",
            "https://x/applications/1",
            "异议",
        ] {
            assert!(zh.contains(part), "{part} in {zh}");
        }
        let en = render("party_named", &p, Lang::En).unwrap();
        assert!(en.contains("object") && en.contains("王五"));
        let mut bank = p.clone();
        bank["org"] = "明州银行".into();
        bank["org_link"] = "https://x/developer/cases/1".into();
        for lang in [Lang::Zh, Lang::En] {
            let t = render("party_named_org", &bank, lang).unwrap();
            assert!(
                t.contains("明州银行") && t.contains("https://x/developer/cases/1"),
                "{t}"
            );
        }
        let nobody = serde_json::json!({ "filer": "" });
        assert!(render("party_named", &nobody, Lang::Zh)
            .unwrap()
            .contains("有人"));
    }

    #[test]
    fn a_stopped_clock_tells_the_applicant_what_to_supply() {
        let p = serde_json::json!({
            "receipt": "261124-ABCD-EFGH", "stage": "review", "event": "paused",
            "note": "请补交抵押合同原件",
        });
        let zh = render("case_event", &p, Lang::Zh).unwrap();
        assert!(zh.contains("暂停计时") && zh.contains("请补交抵押合同原件"));
        assert!(render("case_event", &p, Lang::En)
            .unwrap()
            .contains("on hold"));
        let moved = serde_json::json!({ "receipt": "X", "stage": "review", "event": "review" });
        let visit = serde_json::json!({ "when": "2026-11-26 09:00–09:20", "site_zh": "东湖分中心",
            "address_zh": "湖滨路 88 号", "code": "ABCD3467", "close_hours": "2" });
        for t in ["booking_reminder_day", "booking_reminder_soon"] {
            let zh = render(t, &visit, Lang::Zh).unwrap();
            assert!(zh.contains("ABCD3467") && zh.contains("东湖分中心"), "{zh}");
            assert!(render(t, &visit, Lang::En).unwrap().contains("ABCD3467"));
        }
        assert!(render("case_event", &moved, Lang::Zh)
            .unwrap()
            .contains("审核"));
    }
}
