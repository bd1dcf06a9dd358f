//! Names of statuses, events and roles in both languages.

use crate::domain::catalogue::PartyRole;
use crate::domain::Lang;
use crate::views::Status;

pub fn status_label(s: Status, lang: Lang) -> &'static str {
    match (s, lang) {
        (Status::Draft, Lang::Zh) => "草稿（尚未提交）",
        (Status::Draft, Lang::En) => "Draft (not submitted)",
        (Status::Submitted, Lang::Zh) => "已提交，待预审",
        (Status::Submitted, Lang::En) => "Submitted, awaiting pre-review",
        (Status::Withdrawn, Lang::Zh) => "已撤回",
        (Status::Withdrawn, Lang::En) => "Withdrawn",
    }
}

pub fn event_label(kind: &str, lang: Lang) -> &'static str {
    match (kind, lang) {
        ("submitted", Lang::Zh) => "提交预申请，取得回执号",
        ("submitted", Lang::En) => "Pre-application submitted; receipt issued",
        ("withdrawn", Lang::Zh) => "申请人撤回",
        ("withdrawn", Lang::En) => "Withdrawn by the applicant",
        ("returned", Lang::Zh) => "预审退回补正（一次性告知）",
        ("returned", Lang::En) => "Returned for correction (one notice listing everything)",
        ("resubmitted", Lang::Zh) => "补正后重新提交",
        ("resubmitted", Lang::En) => "Corrected and resubmitted",
        ("pre_accepted", Lang::Zh) => "预审通过",
        ("pre_accepted", Lang::En) => "Pre-accepted",
        ("rejected", Lang::Zh) => "不予受理",
        ("rejected", Lang::En) => "Not accepted",
        ("accepted", Lang::Zh) => "正式受理，开始计算办理时限",
        ("accepted", Lang::En) => "Formally accepted; the time limit starts",
        ("review", Lang::Zh) => "进入审核",
        ("review", Lang::En) => "In review",
        ("register", Lang::Zh) => "审核通过，待登簿",
        ("register", Lang::En) => "Reviewed; to be entered in the register",
        ("certificate", Lang::Zh) => "已登簿，缮制证书",
        ("certificate", Lang::En) => "Registered; certificate being prepared",
        ("fee_paid", Lang::Zh) => "已缴费，待领证",
        ("fee_paid", Lang::En) => "Fees paid; ready to collect",
        ("issued", Lang::Zh) => "已发证",
        ("issued", Lang::En) => "Certificate issued",
        ("archived", Lang::Zh) => "已归档",
        ("archived", Lang::En) => "Archived",
        ("sent_back", Lang::Zh) => "退回上一环节重新办理",
        ("sent_back", Lang::En) => "Sent back a stage",
        ("owed_received", Lang::Zh) => "已收到容缺补交的材料",
        ("owed_received", Lang::En) => "Owed material received",
        ("booked", Lang::Zh) => "已预约到场时间",
        ("booked", Lang::En) => "Visit booked",
        ("booking_cancelled", Lang::Zh) => "已取消到场预约",
        ("booking_cancelled", Lang::En) => "Visit cancelled",
        ("booking_closed", Lang::Zh) => "办理点临时闭厅，预约已取消，请重新预约",
        ("booking_closed", Lang::En) => {
            "The site closed; your visit was cancelled, please book again"
        }
        ("walk_in", Lang::Zh) => "已到场（现场登记）",
        ("walk_in", Lang::En) => "Arrived (walk-in)",
        ("home_visit_requested", Lang::Zh) => "已申请上门服务，等待安排",
        ("home_visit_requested", Lang::En) => "Home visit requested; waiting to be scheduled",
        ("home_visit_scheduled", Lang::Zh) => "已安排上门服务",
        ("home_visit_scheduled", Lang::En) => "Home visit scheduled",
        ("home_visit_cancelled", Lang::Zh) => "已撤回上门服务申请",
        ("home_visit_cancelled", Lang::En) => "Home visit withdrawn",
        ("visit_recorded", Lang::Zh) => "已到窗口办理，到场登记完成",
        ("visit_recorded", Lang::En) => "Seen at the window; visit recorded",
        ("confirmed", Lang::Zh) => "当事人已确认申请内容",
        ("confirmed", Lang::En) => "A party confirmed the application",
        ("objected", Lang::Zh) => "当事人提出异议，案件停止办理",
        ("objected", Lang::En) => "A party objected; the case is stopped",
        ("paused", Lang::Zh) => "暂停计时：等待您补充（见说明）",
        ("paused", Lang::En) => "Clock stopped: waiting for you (see the note)",
        ("refused", Lang::Zh) => "经审核不予登记",
        ("refused", Lang::En) => "Registration refused after review",
        ("payment_due", Lang::Zh) => "已开具缴费单，可在线缴费",
        ("payment_due", Lang::En) => "Fee order issued; pay online",
        ("paid_online", Lang::Zh) => "已在线缴费",
        ("paid_online", Lang::En) => "Paid online",
        ("payment_cancelled", Lang::Zh) => "缴费单已作废",
        ("payment_cancelled", Lang::En) => "Fee order cancelled",
        ("posted", Lang::Zh) => "纸质证书已通过 EMS 寄出",
        ("posted", Lang::En) => "Paper certificate posted (EMS)",
        ("delivered", Lang::Zh) => "纸质证书已妥投",
        ("delivered", Lang::En) => "Paper certificate delivered",
        ("utilities_requested", Lang::Zh) => "已申请水电气网同步过户",
        ("utilities_requested", Lang::En) => "Utilities asked to move to the new owner",
        ("tax", Lang::Zh) => "税务部门的完税信息",
        ("tax", Lang::En) => "Word from the tax authority",
        ("refunded", Lang::Zh) => "已退款（原路退回）",
        ("refunded", Lang::En) => "Refunded",
        ("resumed", Lang::Zh) => "已收到补充，恢复计时",
        ("resumed", Lang::En) => "Received; the clock runs again",
        (_, Lang::Zh) => "办理进展",
        (_, Lang::En) => "Progress",
    }
}

pub fn role_label(code: &str, lang: Lang) -> String {
    PartyRole::from_code(code)
        .map(|r| r.name(lang).to_string())
        .unwrap_or_default()
}
