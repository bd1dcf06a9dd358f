//! The people of a case (issue 15): whether each named party has confirmed
//! what was filed in their name, and whether the visit that formal
//! acceptance requires has been recorded with everyone present. Pure; the
//! server feeds it rows and applies its answers inside conditional updates.

use serde::{Deserialize, Serialize};

/// One confirmation or objection as recorded (append-only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded<'a> {
    pub party_idx: i64,
    /// `confirmed` or `objected`.
    pub kind: &'a str,
    pub content_hash: &'a str,
    pub at: i64,
}

/// Where a named party stands towards the application as it is now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    /// The filer, named as a party: filing it was their confirmation.
    Filer,
    /// Confirmed the application as it is now.
    Confirmed,
    /// Confirmed an earlier version: the application changed since.
    Outdated,
    /// Objected: the case stops.
    Objected,
    /// Not yet heard from.
    Waiting,
}

impl Standing {
    pub fn code(self) -> &'static str {
        match self {
            Standing::Filer => "filer",
            Standing::Confirmed => "confirmed",
            Standing::Outdated => "outdated",
            Standing::Objected => "objected",
            Standing::Waiting => "waiting",
        }
    }

    /// Does this party let the case go on to pre-acceptance?
    pub fn agrees(self) -> bool {
        matches!(self, Standing::Filer | Standing::Confirmed)
    }

    pub fn label(self, lang: super::Lang) -> &'static str {
        let (zh, en) = match self {
            Standing::Filer => (
                "申请人本人（提交即确认）",
                "The filer (confirmed by filing)",
            ),
            Standing::Confirmed => ("已确认", "Confirmed"),
            Standing::Outdated => (
                "申请内容已变更，待重新确认",
                "The application changed: to confirm again",
            ),
            Standing::Objected => ("已提出异议", "Objected"),
            Standing::Waiting => ("待确认", "Not yet confirmed"),
        };
        match lang {
            super::Lang::Zh => zh,
            super::Lang::En => en,
        }
    }
}

/// A party's standing: the filer's own entries stand by filing; otherwise
/// the latest record decides — an objection, a confirmation of the current
/// content, or of an earlier one.
pub fn standing(
    party_idx: i64,
    is_filer: bool,
    records: &[Recorded<'_>],
    current_hash: &str,
) -> Standing {
    if is_filer {
        return Standing::Filer;
    }
    if records
        .iter()
        .any(|r| r.party_idx == party_idx && r.kind == "objected")
    {
        return Standing::Objected;
    }
    let confirmations: Vec<&Recorded> = records
        .iter()
        .filter(|r| r.party_idx == party_idx && r.kind == "confirmed")
        .collect();
    if confirmations.iter().any(|r| r.content_hash == current_hash) {
        Standing::Confirmed
    } else if confirmations.is_empty() {
        Standing::Waiting
    } else {
        Standing::Outdated
    }
}

/// How a named party may confirm what was filed in their name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Confirmer {
    /// The filer's own entry (their mobile and their ID number): filing is
    /// their confirmation.
    Filer,
    /// Online, by whoever signs in with the entry's mobile number.
    Online,
    /// Only in person at the window, with the ID checked: the entry's
    /// number is the filer's or is shared with someone else named (a number
    /// that is not theirs alone proves nothing), or there is none.
    WindowOnly,
    /// An organisation (by its credit code): through its verified account,
    /// or at the window — never by a mobile number someone typed for it.
    Organisation,
}

/// Who may confirm each party entry, from `(id_type, id_number, mobile)` as
/// filed and the filer's own (verified) mobile number. Nobody confirms for
/// someone else: the filer typing their own number for a seller, or one
/// number for two people, makes those entries window-only.
pub fn confirmers(parties: &[(&str, &str, &str)], filer_mobile: &str) -> Vec<Confirmer> {
    let personal = |t: &str| t != "organisation";
    let filer_id = parties
        .iter()
        .find(|(t, _, m)| personal(t) && !filer_mobile.is_empty() && *m == filer_mobile)
        .map(|(_, id, _)| *id);
    parties
        .iter()
        .map(|(t, id, m)| {
            if !personal(t) {
                Confirmer::Organisation
            } else if !filer_mobile.is_empty() && *m == filer_mobile {
                if Some(*id) == filer_id {
                    Confirmer::Filer
                } else {
                    Confirmer::WindowOnly
                }
            } else if m.is_empty()
                || parties
                    .iter()
                    .any(|(t2, id2, m2)| personal(t2) && m2 == m && id2 != id)
            {
                Confirmer::WindowOnly
            } else {
                Confirmer::Online
            }
        })
        .collect()
}

/// The parties (by index) not yet seen at a recorded visit: acceptance
/// needs every party present, at one visit or across several.
pub fn missing_at_visit(parties: usize, visits: &[Vec<usize>]) -> Vec<usize> {
    (0..parties)
        .filter(|i| !visits.iter().any(|v| v.contains(i)))
        .collect()
}

/// The indices ticked present, as stored (`"0,2"`).
pub fn present_to_column(present: &[usize]) -> String {
    present
        .iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(",")
}

pub fn present_from_column(s: &str) -> Vec<usize> {
    s.split(',').filter_map(|p| p.trim().parse().ok()).collect()
}

/// The SHA-256 of what a party reads and confirms: the matter, the
/// property, every party as filed and every document's own hash. Any change
/// to one of them is a changed application that needs confirming again.
#[cfg(feature = "ssr")]
pub fn content_hash(
    matter_code: &str,
    property: &super::application::PropertyForm,
    parties: &[[&str; 6]],
    documents: &[(&str, &str)],
) -> String {
    use sha2::{Digest, Sha256};
    let mut docs: Vec<&(&str, &str)> = documents.iter().collect();
    docs.sort();
    let body = serde_json::json!({
        "matter": matter_code,
        "property": [property.unit_number, property.certificate_number, property.address],
        "parties": parties,
        "documents": docs,
    });
    hex::encode(Sha256::digest(body.to_string().as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nobody_confirms_for_someone_else() {
        use Confirmer::*;
        let me = "13800000001";
        // The filer's own entry; a seller with their own number; the bank.
        assert_eq!(
            confirmers(
                &[
                    ("resident_id", "A", me),
                    ("resident_id", "B", "13900000002"),
                    ("organisation", "BANK", me),
                ],
                me
            ),
            [Filer, Online, Organisation]
        );
        // The filer typed their own number for the seller: window only.
        assert_eq!(
            confirmers(&[("resident_id", "A", me), ("resident_id", "B", me)], me),
            [Filer, WindowOnly]
        );
        // Two sellers sharing one number: neither confirms online; one
        // person named twice (same ID) does.
        assert_eq!(
            confirmers(
                &[
                    ("resident_id", "A", me),
                    ("resident_id", "B", "139"),
                    ("resident_id", "C", "139"),
                    ("resident_id", "D", "137"),
                    ("resident_id", "D", "137"),
                ],
                me
            ),
            [Filer, WindowOnly, WindowOnly, Online, Online]
        );
        // An agent files for others: nobody is the filer.
        assert_eq!(confirmers(&[("resident_id", "A", "136")], me), [Online]);
    }

    fn rec(idx: i64, kind: &'static str, hash: &'static str, at: i64) -> Recorded<'static> {
        Recorded {
            party_idx: idx,
            kind,
            content_hash: hash,
            at,
        }
    }

    #[test]
    fn a_party_is_confirmed_only_for_the_content_they_read() {
        let r = [rec(1, "confirmed", "h1", 10)];
        assert_eq!(standing(1, false, &r, "h1"), Standing::Confirmed);
        assert_eq!(standing(1, false, &r, "h2"), Standing::Outdated);
        assert_eq!(standing(2, false, &r, "h1"), Standing::Waiting);
        assert_eq!(standing(2, true, &r, "h1"), Standing::Filer);
        assert!(!Standing::Outdated.agrees() && Standing::Filer.agrees());
    }

    #[test]
    fn an_objection_stands_even_after_a_confirmation() {
        let r = [rec(0, "confirmed", "h", 1), rec(0, "objected", "h", 2)];
        assert_eq!(standing(0, false, &r, "h"), Standing::Objected);
        assert!(!Standing::Objected.agrees());
    }

    #[test]
    fn everyone_must_have_been_seen_at_a_visit() {
        assert_eq!(missing_at_visit(3, &[]), vec![0, 1, 2]);
        assert_eq!(missing_at_visit(3, &[vec![0, 2]]), vec![1]);
        assert!(missing_at_visit(3, &[vec![0], vec![1, 2]]).is_empty());
        assert_eq!(present_from_column(&present_to_column(&[0, 2])), vec![0, 2]);
        assert!(present_from_column("").is_empty());
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn the_hash_changes_with_any_document_and_not_with_their_order() {
        let p = super::super::application::PropertyForm::default();
        let party = [["obligor", "张三", "resident_id", "x", "13800000000", ""]];
        let a = content_hash("T", &p, &party, &[("a", "1"), ("b", "2")]);
        let b = content_hash("T", &p, &party, &[("b", "2"), ("a", "1")]);
        let c = content_hash("T", &p, &party, &[("a", "1"), ("b", "3")]);
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(a.len(), 64);
    }
}
