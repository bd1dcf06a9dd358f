//! The case lifecycle as a state machine, staff roles and what each may do,
//! and the standard reasons of a correction notice. Pure: the server applies
//! a move only if [`transition`] allows it, inside a conditional update.

use super::Lang;
use serde::{Deserialize, Serialize};

/// Where a submitted application stands (domain.md, "The life of an application").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// A draft or a withdrawn application: not a case.
    None,
    PreReview,
    Returned,
    PreAccepted,
    Rejected,
    Accepted,
    Review,
    Register,
    Certificate,
    FeePaid,
    Issued,
    Archived,
}

pub const STAGES: [Stage; 12] = [
    Stage::None,
    Stage::PreReview,
    Stage::Returned,
    Stage::PreAccepted,
    Stage::Rejected,
    Stage::Accepted,
    Stage::Review,
    Stage::Register,
    Stage::Certificate,
    Stage::FeePaid,
    Stage::Issued,
    Stage::Archived,
];

impl Stage {
    pub fn code(self) -> &'static str {
        match self {
            Stage::None => "none",
            Stage::PreReview => "pre_review",
            Stage::Returned => "returned",
            Stage::PreAccepted => "pre_accepted",
            Stage::Rejected => "rejected",
            Stage::Accepted => "accepted",
            Stage::Review => "review",
            Stage::Register => "register",
            Stage::Certificate => "certificate",
            Stage::FeePaid => "fee_paid",
            Stage::Issued => "issued",
            Stage::Archived => "archived",
        }
    }

    pub fn from_code(s: &str) -> Option<Stage> {
        STAGES.into_iter().find(|x| x.code() == s)
    }

    pub fn label(self, lang: Lang) -> &'static str {
        let (zh, en) = match self {
            Stage::None => ("—", "—"),
            Stage::PreReview => ("已提交，待预审", "Submitted, awaiting pre-review"),
            Stage::Returned => ("退回补正", "Returned for correction"),
            Stage::PreAccepted => ("预审通过", "Pre-accepted"),
            Stage::Rejected => ("不予受理", "Not accepted"),
            Stage::Accepted => ("已受理", "Accepted"),
            Stage::Review => ("审核中", "In review"),
            Stage::Register => ("待登簿", "Ready for the register"),
            Stage::Certificate => ("待缮证", "Ready for the certificate"),
            Stage::FeePaid => ("已缴费，待发证", "Fees paid, ready to issue"),
            Stage::Issued => ("已发证", "Issued"),
            Stage::Archived => ("已归档", "Archived"),
        };
        match lang {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }

    /// The formal stages in order, from acceptance to the archive.
    pub fn formal_order(self) -> Option<usize> {
        [
            Stage::Accepted,
            Stage::Review,
            Stage::Register,
            Stage::Certificate,
            Stage::FeePaid,
            Stage::Issued,
            Stage::Archived,
        ]
        .iter()
        .position(|s| *s == self)
    }

    /// Is the case still in the centre's hands (counted in queues)?
    pub fn is_open(self) -> bool {
        !matches!(
            self,
            Stage::None | Stage::Rejected | Stage::Issued | Stage::Archived
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Clerk,
    Reviewer,
    Supervisor,
    Admin,
}

impl Role {
    pub fn code(self) -> &'static str {
        match self {
            Role::Clerk => "clerk",
            Role::Reviewer => "reviewer",
            Role::Supervisor => "supervisor",
            Role::Admin => "admin",
        }
    }

    pub fn from_code(s: &str) -> Option<Role> {
        [Role::Clerk, Role::Reviewer, Role::Supervisor, Role::Admin]
            .into_iter()
            .find(|r| r.code() == s)
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Role::Clerk, Lang::Zh) => "窗口人员",
            (Role::Clerk, Lang::En) => "Clerk",
            (Role::Reviewer, Lang::Zh) => "审核人员",
            (Role::Reviewer, Lang::En) => "Reviewer",
            (Role::Supervisor, Lang::Zh) => "科室负责人",
            (Role::Supervisor, Lang::En) => "Supervisor",
            (Role::Admin, Lang::Zh) => "系统管理员",
            (Role::Admin, Lang::En) => "Administrator",
        }
    }
}

/// What someone does to a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    PreAccept,
    Return,
    Reject,
    /// The applicant, after fixing the items of a notice.
    Resubmit,
    Accept,
    /// To the next formal stage.
    Advance,
    /// A supervisor sends a case back one formal stage, with a reason.
    SendBack,
    /// Stop the statutory clock while the case waits on the applicant
    /// (a missing original, a signature, a fee), with a reason they see.
    Pause,
    /// Restart it: the deadline moves on by the working time paused.
    Resume,
}

impl Action {
    pub fn code(self) -> &'static str {
        match self {
            Action::PreAccept => "pre_accept",
            Action::Return => "return",
            Action::Reject => "reject",
            Action::Resubmit => "resubmit",
            Action::Accept => "accept",
            Action::Advance => "advance",
            Action::SendBack => "send_back",
            Action::Pause => "pause",
            Action::Resume => "resume",
        }
    }

    pub fn from_code(s: &str) -> Option<Action> {
        [
            Action::PreAccept,
            Action::Return,
            Action::Reject,
            Action::Resubmit,
            Action::Accept,
            Action::Advance,
            Action::SendBack,
            Action::Pause,
            Action::Resume,
        ]
        .into_iter()
        .find(|a| a.code() == s)
    }
}

/// Who may do what: `None` is the applicant.
pub fn allowed(role: Option<Role>, action: Action, from: Stage) -> bool {
    match (role, action) {
        (None, Action::Resubmit) => true,
        (None, _) | (Some(_), Action::Resubmit) => false,
        (Some(Role::Admin), _) => false,
        (Some(Role::Supervisor), _) => true,
        (Some(_), Action::SendBack) => false,
        // Whoever holds a formal case may stop its clock for the applicant.
        (Some(_), Action::Pause | Action::Resume) => true,
        // Review and entry in the register are the reviewers' work.
        (Some(Role::Reviewer), Action::Advance) => {
            matches!(from, Stage::Review | Stage::Register)
        }
        // Refusing registration (不予登记) is a review's outcome.
        (Some(Role::Reviewer), Action::Reject) => from == Stage::Review,
        (Some(Role::Reviewer), _) => false,
        (Some(Role::Clerk), Action::Advance) => !matches!(from, Stage::Review | Stage::Register),
        (Some(Role::Clerk), _) => true,
    }
}

/// Whose desk a stage is on: review and entry in the register are the
/// reviewers'; every other stage is the clerks'.
pub fn reviewers_desk(stage: Stage) -> bool {
    matches!(stage, Stage::Review | Stage::Register)
}

/// A move that takes the case to the other desk releases it from whoever
/// held it, so that it lands in that desk's queue for someone there to take
/// (sending to review, returning from review for the certificate, a
/// supervisor's send-back across desks).
pub fn hands_over(from: Stage, to: Stage) -> bool {
    reviewers_desk(from) != reviewers_desk(to)
}

/// The queue a member of staff lands on.
pub fn first_queue(role: Option<Role>) -> &'static str {
    match role {
        Some(Role::Reviewer) => "review",
        _ => "pre_review",
    }
}

/// The stage a legal move leads to; `None` for an illegal one.
pub fn transition(from: Stage, action: Action) -> Option<Stage> {
    use Stage::*;
    match (from, action) {
        (PreReview, Action::PreAccept) => Some(PreAccepted),
        (PreReview, Action::Return) => Some(Returned),
        (PreReview, Action::Reject) => Some(Rejected),
        // Review may end in a refusal to register (不予登记), with a reason.
        (Review, Action::Reject) => Some(Rejected),
        (Returned, Action::Resubmit) => Some(PreReview),
        (PreAccepted, Action::Accept) => Some(Accepted),
        (Accepted, Action::Advance) => Some(Review),
        (Review, Action::Advance) => Some(Register),
        (Register, Action::Advance) => Some(Certificate),
        (Certificate, Action::Advance) => Some(FeePaid),
        (FeePaid, Action::Advance) => Some(Issued),
        (Issued, Action::Advance) => Some(Archived),
        (Review, Action::SendBack) => Some(Accepted),
        (Register, Action::SendBack) => Some(Review),
        (Certificate, Action::SendBack) => Some(Register),
        (FeePaid, Action::SendBack) => Some(Certificate),
        // The clock stops and restarts in a formal stage that runs on it;
        // the stage stays (whether it is stopped is the case's own state).
        (Accepted | Review | Register | Certificate | FeePaid, Action::Pause | Action::Resume) => {
            Some(from)
        }
        _ => Option::None,
    }
}

/// The event the applicant's timeline shows for a move.
pub fn event_kind(action: Action, to: Stage) -> &'static str {
    match action {
        Action::SendBack => "sent_back",
        Action::Resubmit => "resubmitted",
        Action::Pause => "paused",
        Action::Resume => "resumed",
        _ => to.code(),
    }
}

/// Standard reasons for an item of a correction notice.
pub const REASONS: [(&str, &str, &str); 6] = [
    (
        "unclear",
        "照片不清晰，请重新拍摄",
        "The photo is not clear; please take it again",
    ),
    (
        "missing_page",
        "缺少页面，请补齐全部页面",
        "Pages are missing; please add every page",
    ),
    (
        "wrong_document",
        "文件不对，请上传要求的材料",
        "Wrong document; please upload the one asked for",
    ),
    (
        "signature",
        "缺少签名或盖章",
        "A signature or seal is missing",
    ),
    ("expired", "证件已过期", "The document has expired"),
    ("other", "其他（见说明）", "Other (see the note)"),
];

pub fn reason_label(code: &str, lang: Lang) -> &'static str {
    REASONS
        .iter()
        .find(|(c, _, _)| *c == code)
        .map(|(_, zh, en)| if lang == Lang::Zh { *zh } else { *en })
        .unwrap_or("")
}

/// A notice's items must name real checklist items, each once, with a known
/// reason; "other" needs a note. Returns the error's code for the form.
pub fn check_notice_item(reason: &str, note: &str) -> Result<(), &'static str> {
    if reason_label(reason, Lang::Zh).is_empty() {
        return Err("reason_unknown");
    }
    if reason == "other" && note.trim().is_empty() {
        return Err("note_required");
    }
    if note.chars().count() > 500 {
        return Err("note_too_long");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const ACTIONS: [Action; 9] = [
        Action::PreAccept,
        Action::Return,
        Action::Reject,
        Action::Resubmit,
        Action::Accept,
        Action::Advance,
        Action::SendBack,
        Action::Pause,
        Action::Resume,
    ];

    #[test]
    fn the_happy_path_runs_from_submission_to_the_archive() {
        let mut s = Stage::PreReview;
        for a in [
            Action::Return,
            Action::Resubmit,
            Action::PreAccept,
            Action::Accept,
            Action::Advance,
            Action::Advance,
            Action::Advance,
            Action::Advance,
            Action::Advance,
            Action::Advance,
        ] {
            s = transition(s, a).unwrap_or_else(|| panic!("{a:?} from {s:?}"));
        }
        assert_eq!(s, Stage::Archived);
    }

    #[test]
    fn every_other_move_is_refused() {
        // 16 stage moves (a refusal in review among them), and
        // pausing/resuming in the 5 clocked stages.
        let legal = 26;
        let mut n = 0;
        for s in STAGES {
            for a in ACTIONS {
                if transition(s, a).is_some() {
                    n += 1;
                }
            }
        }
        assert_eq!(n, legal, "exactly the listed moves are legal");
        for a in ACTIONS {
            for s in [Stage::None, Stage::Rejected, Stage::Archived] {
                assert_eq!(transition(s, a), None, "{a:?} from {s:?}");
            }
        }
        assert_eq!(transition(Stage::Accepted, Action::SendBack), None);
        assert_eq!(
            transition(Stage::Review, Action::Reject),
            Some(Stage::Rejected)
        );
        assert_eq!(
            transition(Stage::Register, Action::Reject),
            None,
            "registered: too late"
        );
        assert_eq!(transition(Stage::Issued, Action::SendBack), None);
        assert_eq!(
            transition(Stage::PreReview, Action::Pause),
            None,
            "no clock yet"
        );
        assert_eq!(
            transition(Stage::Issued, Action::Pause),
            None,
            "clock stopped"
        );
        assert_eq!(
            transition(Stage::Review, Action::Pause),
            Some(Stage::Review)
        );
    }

    #[test]
    fn roles_do_their_own_work() {
        assert!(allowed(Some(Role::Clerk), Action::Return, Stage::PreReview));
        assert!(!allowed(Some(Role::Clerk), Action::Advance, Stage::Review));
        assert!(allowed(
            Some(Role::Reviewer),
            Action::Advance,
            Stage::Review
        ));
        assert!(!allowed(
            Some(Role::Reviewer),
            Action::Accept,
            Stage::PreAccepted
        ));
        // A reviewer may refuse registration in review, nowhere else.
        assert!(allowed(Some(Role::Reviewer), Action::Reject, Stage::Review));
        assert!(!allowed(
            Some(Role::Reviewer),
            Action::Reject,
            Stage::PreReview
        ));
        assert!(!allowed(Some(Role::Clerk), Action::SendBack, Stage::Review));
        assert!(allowed(
            Some(Role::Supervisor),
            Action::SendBack,
            Stage::Review
        ));
        assert!(!allowed(
            Some(Role::Admin),
            Action::PreAccept,
            Stage::PreReview
        ));
        assert!(allowed(None, Action::Resubmit, Stage::Returned));
        assert!(allowed(Some(Role::Reviewer), Action::Pause, Stage::Review));
        assert!(!allowed(None, Action::Pause, Stage::Review));
        assert!(!allowed(Some(Role::Admin), Action::Resume, Stage::Review));
        assert!(!allowed(None, Action::PreAccept, Stage::PreReview));
        assert!(!allowed(
            Some(Role::Clerk),
            Action::Resubmit,
            Stage::Returned
        ));
    }

    #[test]
    fn review_is_handed_over_and_back() {
        assert!(hands_over(Stage::Accepted, Stage::Review));
        assert!(!hands_over(Stage::Review, Stage::Register));
        assert!(hands_over(Stage::Register, Stage::Certificate));
        assert!(hands_over(Stage::Review, Stage::Accepted), "a send-back");
        assert!(!hands_over(Stage::Certificate, Stage::FeePaid));
        assert_eq!(first_queue(Some(Role::Reviewer)), "review");
        assert_eq!(first_queue(Some(Role::Clerk)), "pre_review");
    }

    #[test]
    fn codes_round_trip() {
        for s in STAGES {
            assert_eq!(Stage::from_code(s.code()), Some(s));
        }
        for a in ACTIONS {
            assert_eq!(Action::from_code(a.code()), Some(a));
        }
        assert_eq!(Stage::from_code("nonsense"), None);
    }

    #[test]
    fn notice_items_need_a_known_reason_and_a_note_for_other() {
        assert_eq!(check_notice_item("unclear", ""), Ok(()));
        assert_eq!(check_notice_item("other", " "), Err("note_required"));
        assert_eq!(check_notice_item("nope", "x"), Err("reason_unknown"));
        assert_eq!(check_notice_item("other", "请补充原件扫描件"), Ok(()));
    }
}
