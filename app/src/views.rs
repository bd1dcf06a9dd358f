//! View types shared by several areas: what a case, its documents, its
//! people, its notice and its booking look like to the pages that show them
//! (citizen, clerk and developer pages alike). Plain data, built on the server.

use crate::domain::filing::{CellError, FilingKind};
use crate::domain::people::Standing;
use crate::domain::stats::Dashboard;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Draft,
    Submitted,
    Withdrawn,
}

impl Status {
    pub fn from_code(s: &str) -> Status {
        match s {
            "submitted" => Status::Submitted,
            "withdrawn" => Status::Withdrawn,
            _ => Status::Draft,
        }
    }
}

/// An electronic certificate or proof of a case, as its applicant sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EcertLine {
    pub kind: crate::domain::ecert::EcertKind,
    pub status: crate::domain::ecert::EcertStatus,
    pub number: String,
    pub code: String,
}

/// A case's payment order, as its applicant and its clerk see it; for an
/// order still open, where to pay and the same link as a QR code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentView {
    pub id: String,
    /// `open`, `paid`, `refunding`, `refunded` or `cancelled`.
    pub status: String,
    /// In yuan, `80.00`.
    pub total: String,
    pub lines: Vec<crate::domain::fees::DueLine>,
    /// How it was paid (`wechat`, `alipay`, `unionpay`), once paid.
    pub channel: String,
    /// The channel's transaction number, once paid.
    pub txn_id: String,
    pub created_at: String,
    pub paid_at: Option<String>,
    pub refunded_at: Option<String>,
    pub refund_reason: String,
    /// `/pay/<order>` (our address, which sends on to the channel).
    pub pay_href: String,
    /// The payment link as an SVG QR code (open orders only).
    pub qr_svg: String,
}

/// The signed-in person's rating of a case, and what was done about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RatingView {
    pub level: i64,
    pub reasons: Vec<String>,
    pub comment: String,
    pub at: String,
    /// A low rating's follow-up: due day, and once done what was done.
    pub due_on: Option<String>,
    pub action: Option<String>,
    pub done_at: Option<String>,
}

/// How the paper certificate is collected, and a posting's progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryView {
    /// `window` or `post`.
    pub method: String,
    pub recipient: String,
    pub mobile: String,
    pub address: String,
    pub tracking_no: Option<String>,
    /// EMS's public tracking page for the number.
    pub tracking_url: Option<String>,
    /// `chosen`, `posted` or `delivered`.
    pub status: String,
    pub posted_at: Option<String>,
    pub delivered_at: Option<String>,
}

/// One utility asked to move its account to the new owner (登记+X).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UtilityView {
    pub utility: String,
    /// `queued`, `accepted`, `done`, `rejected` or `failed`.
    pub status: String,
    pub reference: String,
    pub note: String,
    pub at: String,
}

/// One event of a case's timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventView {
    pub kind: String,
    /// Local time in China, `YYYY-MM-DD HH:MM`.
    pub at: String,
    /// A reason the applicant may read (never shown by the public lookup).
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartyView {
    pub role: String,
    pub name: String,
    pub id_masked: String,
    pub share: String,
}

/// A file attached to a checklist item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentView {
    pub id: String,
    pub material: String,
    pub name: String,
    pub size: i64,
    pub mime: String,
    /// A preview image (thumbnail, first PDF page) is ready.
    pub preview: bool,
}

/// China Standard Time for display (UTC+8, no daylight saving).
pub fn local_time(ms: i64) -> String {
    crate::domain::calendar::china_time(ms)
        .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

/// One automatic check (智能辅助审核) and its outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckView {
    pub code: String,
    pub pass: bool,
    pub zh: String,
    pub en: String,
}

/// An item of the correction notice, with what changed since.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeItemView {
    pub material: String,
    pub material_zh: String,
    pub material_en: String,
    pub reason: String,
    pub note: String,
    /// File names added since the notice.
    pub added: Vec<String>,
    /// How many of the files at the time of the notice are gone.
    pub removed: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeView {
    pub created_at: String,
    pub answered_at: Option<String>,
    pub items: Vec<NoticeItemView>,
}

/// A material the case was accepted without (容缺) and whether it came.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwedView {
    pub material: String,
    pub name_zh: String,
    pub name_en: String,
    pub promised_at: String,
    pub received_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteChoice {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub address_zh: String,
    pub address_en: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlotView {
    /// `YYYY-MM-DD HH:MM`, what the form sends back.
    pub key: String,
    /// `09:00–09:30`.
    pub label: String,
    pub free: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayView {
    pub day: String,
    pub weekday: u32,
    pub slots: Vec<SlotView>,
}

/// A booking as its holder sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookingView {
    pub id: String,
    pub code: String,
    pub site: SiteChoice,
    /// `YYYY-MM-DD HH:MM–HH:MM`.
    pub when: String,
    pub status: String,
    /// Still before the cut-off: it may be moved or cancelled.
    pub changeable: bool,
}

/// A home visit as the clerks see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HomeVisitLine {
    pub id: String,
    pub application_id: String,
    pub receipt_no: String,
    pub reason: String,
    pub note: String,
    pub address: String,
    pub preferred: String,
    pub status: String,
    /// `YYYY-MM-DD HH:MM` once scheduled.
    pub when: String,
    pub clerk_id: String,
    pub clerk_name: String,
}

#[cfg(feature = "ssr")]
impl From<crate::db::HomeVisitRow> for HomeVisitLine {
    fn from(v: crate::db::HomeVisitRow) -> Self {
        HomeVisitLine {
            when: v
                .starts_at
                .map(|t| {
                    crate::domain::hours::local(t)
                        .format("%Y-%m-%d %H:%M")
                        .to_string()
                })
                .unwrap_or_default(),
            id: v.id,
            application_id: v.application_id,
            receipt_no: v.receipt_no.unwrap_or_default(),
            reason: v.reason,
            note: v.note,
            address: v.address,
            preferred: v.preferred,
            status: v.status,
            clerk_id: v.clerk_id.unwrap_or_default(),
            clerk_name: v.clerk_name.unwrap_or_default(),
        }
    }
}

/// Where one named party stands, as the filer, the parties and the clerk
/// see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartyStanding {
    pub idx: i64,
    pub role: String,
    pub name: String,
    pub standing: Standing,
    /// When they last confirmed or objected (China time), and how.
    pub at: Option<String>,
    pub channel: String,
    /// An objection's reason.
    pub note: String,
}

/// What the signed-in person, if named on the application, may confirm.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyPart {
    pub parties: Vec<i64>,
    pub standing: Standing,
    /// The content they read: posted back with their answer, so a change
    /// made meanwhile is never confirmed unseen.
    pub hash: String,
    /// Confirmations are still taken (before acceptance).
    pub open: bool,
    /// The identity level the matter asks of online confirmations, and
    /// the party entries of this person not verified at it yet.
    #[serde(default)]
    pub identity_level: i64,
    #[serde(default)]
    pub unverified: Vec<i64>,
    /// An identity service is configured (the check can be started).
    #[serde(default)]
    pub identity_service: bool,
    /// How this person's last check for this application went: `pending`
    /// (no answer yet), `failed`, `passed`, or empty (none).
    #[serde(default)]
    pub last_check: String,
}

/// A recorded visit, for the clerk and the applicant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisitView {
    pub at: String,
    pub staff: String,
    pub present: Vec<String>,
    pub from_booking: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchItem {
    pub id: String,
    pub batch_no: String,
    pub project_name: String,
    pub kind: FilingKind,
    pub status: String,
    pub lines: i64,
    pub passed: i64,
    pub returned: i64,
}

/// One application naming the organisation, as its list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgCaseItem {
    pub id: String,
    pub receipt: String,
    pub matter_zh: String,
    pub matter_en: String,
    pub address: String,
    pub stage: String,
    pub standing: Standing,
    pub submitted: String,
}

/// A spreadsheet taken in, and how far its checking has come.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadItem {
    pub id: String,
    pub file_name: String,
    pub checking: bool,
    pub total: i64,
    pub checked: i64,
    pub accepted: i64,
    pub failed: i64,
    /// Up to 200 failing rows: line and errors.
    pub errors: Vec<(i64, Vec<CellError>)>,
}

/// The promised deadline of an accepted case as shown, while it runs.
#[cfg(feature = "ssr")]
pub fn due_label(row: &crate::db::ApplicationRow) -> Option<String> {
    if matches!(row.stage.as_str(), "issued" | "archived") || row.status != "submitted" {
        return None;
    }
    crate::domain::hours::Due::from_columns(row.due_on.as_deref(), row.due_at).map(|d| d.label())
}

/// The periods offered, in days.
pub const PERIODS: [u32; 3] = [7, 30, 90];

/// The dashboard with the names its page needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DashboardView {
    pub dashboard: Dashboard,
    pub days: u32,
    pub site: String,
    pub matter: String,
    /// (code, Chinese name, English name) of the sites the supervisor has.
    pub sites: Vec<(String, String, String)>,
    /// (code, Chinese name, English name) of every matter.
    pub matters: Vec<(String, String, String)>,
}
