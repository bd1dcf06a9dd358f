//! The register (不动产登记簿): a unit's current entries and full history,
//! 登簿 in the transaction that moves the case, an owner's units, a bank's
//! mortgages, the import of a centre's export, and the sealed proofs of
//! registration. Entries are never deleted: ending one sets `valid_to`.

use super::{now_ms, Arg, Built, Db, WriteTx};
use crate::domain::register::{
    plan, CaseFacts, Change, Check, Entry, Holder, ImportUnit, RightKind, Standing, Unit,
};
use crate::{execute, execute_tx, fetch_all, fetch_all_tx, fetch_optional, fetch_optional_tx};
use sha2::Digest;

#[derive(Debug, Clone, sqlx::FromRow)]
struct UnitRow {
    unit_number: String,
    address: String,
    area: String,
    usage: String,
    project: String,
    building: String,
}

impl From<UnitRow> for Unit {
    fn from(r: UnitRow) -> Unit {
        Unit {
            unit_number: r.unit_number,
            address: r.address,
            area: r.area,
            usage: r.usage,
            project: r.project,
            building: r.building,
        }
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
struct RightRow {
    id: String,
    unit_number: String,
    kind: String,
    certificate_no: String,
    amount_fen: Option<i64>,
    obligors: String,
    note: String,
    valid_from: i64,
    valid_to: Option<i64>,
    made_by_case: Option<String>,
    ended_by_case: Option<String>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
struct HolderRow {
    right_id: String,
    name: String,
    id_number: String,
    share: String,
}

const UNIT_COLUMNS: &str = "unit_number, address, area, usage, project, building";
const RIGHT_COLUMNS: &str = "id, unit_number, kind, certificate_no, amount_fen, obligors, note, valid_from, valid_to, made_by_case, ended_by_case";

fn entries(rights: Vec<RightRow>, holders: Vec<HolderRow>) -> Vec<(String, Entry)> {
    rights
        .into_iter()
        .map(|r| {
            let hs = holders
                .iter()
                .filter(|h| h.right_id == r.id)
                .map(|h| Holder {
                    name: h.name.clone(),
                    id_number: h.id_number.clone(),
                    share: h.share.clone(),
                })
                .collect();
            (
                r.unit_number,
                Entry {
                    kind: RightKind::from_code(&r.kind).unwrap_or(RightKind::Ownership),
                    id: r.id,
                    holders: hs,
                    certificate_no: r.certificate_no,
                    amount_fen: r.amount_fen,
                    obligors: r.obligors,
                    note: r.note,
                    valid_from: r.valid_from,
                    valid_to: r.valid_to,
                    made_by: r.made_by_case,
                    ended_by: r.ended_by_case,
                },
            )
        })
        .collect()
}

/// A unit's facts and entries: the current ones, or all of them (its
/// history, oldest first).
pub async fn unit(db: &Db, unit_number: &str, all: bool) -> Result<Option<Standing>, sqlx::Error> {
    let Some(u) = fetch_optional!(
        db,
        UnitRow,
        &format!("SELECT {UNIT_COLUMNS} FROM reg_units WHERE unit_number = $1"),
        unit_number
    )?
    else {
        return Ok(None);
    };
    let only_current = if all { "" } else { "AND valid_to IS NULL" };
    let rights = fetch_all!(
        db,
        RightRow,
        &format!(
            "SELECT {RIGHT_COLUMNS} FROM reg_rights WHERE unit_number = $1 {only_current} ORDER BY valid_from, entered_at, CASE kind WHEN 'ownership' THEN 0 ELSE 1 END, id"
        ),
        unit_number
    )?;
    let holders = fetch_all!(
        db,
        HolderRow,
        &format!(
            "SELECT h.right_id, h.name, h.id_number, h.share FROM reg_holders h JOIN reg_rights r ON r.id = h.right_id
              WHERE r.unit_number = $1 {only_current} ORDER BY h.right_id, h.position"
        ),
        unit_number
    )?;
    Ok(Some(Standing {
        unit: u.into(),
        current: entries(rights, holders)
            .into_iter()
            .map(|(_, e)| e)
            .collect(),
    }))
}

async fn unit_tx(tx: &mut WriteTx, unit_number: &str) -> Result<Option<Standing>, sqlx::Error> {
    let Some(u) = fetch_optional_tx!(
        tx,
        UnitRow,
        &format!("SELECT {UNIT_COLUMNS} FROM reg_units WHERE unit_number = $1"),
        unit_number
    )?
    else {
        return Ok(None);
    };
    let rights = fetch_all_tx!(
        tx,
        RightRow,
        &format!(
            "SELECT {RIGHT_COLUMNS} FROM reg_rights WHERE unit_number = $1 AND valid_to IS NULL ORDER BY valid_from, entered_at, CASE kind WHEN 'ownership' THEN 0 ELSE 1 END, id"
        ),
        unit_number
    )?;
    let holders = fetch_all_tx!(
        tx,
        HolderRow,
        "SELECT h.right_id, h.name, h.id_number, h.share FROM reg_holders h JOIN reg_rights r ON r.id = h.right_id
          WHERE r.unit_number = $1 AND r.valid_to IS NULL ORDER BY h.right_id, h.position",
        unit_number
    )?;
    Ok(Some(Standing {
        unit: u.into(),
        current: entries(rights, holders)
            .into_iter()
            .map(|(_, e)| e)
            .collect(),
    }))
}

/// The unit a current certificate (or proof) number belongs to.
pub async fn unit_of_certificate(
    db: &Db,
    certificate_no: &str,
) -> Result<Option<String>, sqlx::Error> {
    fetch_optional!(
        db,
        (String,),
        "SELECT unit_number FROM reg_rights WHERE certificate_no = $1 AND valid_to IS NULL LIMIT 1",
        certificate_no
    )
    .map(|r| r.map(|(u,)| u))
}

/// The unit a certificate number was ever recorded on (current entries
/// first, then the newest historical one): for staff looking up an old
/// paper certificate.
pub async fn unit_of_any_certificate(
    db: &Db,
    certificate_no: &str,
) -> Result<Option<String>, sqlx::Error> {
    fetch_optional!(
        db,
        (String,),
        "SELECT unit_number FROM reg_rights WHERE certificate_no = $1
          ORDER BY CASE WHEN valid_to IS NULL THEN 0 ELSE 1 END, valid_from DESC LIMIT 1",
        certificate_no
    )
    .map(|r| r.map(|(u,)| u))
}

async fn unit_of_certificate_tx(
    tx: &mut WriteTx,
    certificate_no: &str,
) -> Result<Option<String>, sqlx::Error> {
    fetch_optional_tx!(
        tx,
        (String,),
        "SELECT unit_number FROM reg_rights WHERE certificate_no = $1 AND valid_to IS NULL LIMIT 1",
        certificate_no
    )
    .map(|r| r.map(|(u,)| u))
}

/// The unit a case is about: by its unit number, or by its certificate
/// number where it gave none.
pub async fn standing_for(db: &Db, facts: &CaseFacts) -> Result<Option<Standing>, sqlx::Error> {
    let unit_number = match unit_key(&facts.unit_number) {
        Some(u) => u,
        None => match cert_key(&facts.certificate_no) {
            Some(c) => match unit_of_certificate(db, &c).await? {
                Some(u) => u,
                None => return Ok(None),
            },
            None => return Ok(None),
        },
    };
    unit(db, &unit_number, false).await
}

fn unit_key(s: &str) -> Option<String> {
    crate::domain::UnitNumber::parse(s)
        .ok()
        .map(|u| u.as_str().to_string())
}

fn cert_key(s: &str) -> Option<String> {
    crate::domain::CertificateNumber::parse(s)
        .ok()
        .map(|c| c.as_str().to_string())
}

/// The register is in use once a centre has imported its register: from
/// then on cases are checked against it and 登簿 writes it. Before, a
/// centre can go live while its data is still being migrated.
pub async fn in_use(db: &Db) -> Result<bool, sqlx::Error> {
    Ok(fetch_optional!(
        db,
        (i64,),
        "SELECT CAST(1 AS BIGINT) FROM reg_imports LIMIT 1"
    )?
    .is_some())
}

/// What 登簿 did, or why it could not.
#[derive(Debug, Clone, PartialEq)]
pub enum Entered {
    Done(Vec<Change>),
    Refused(Vec<Check>),
}

/// 登簿: inside the transaction that moves the case, read the unit as it
/// stands now, plan the case's changes and write them. An entry another
/// case ended meanwhile makes the whole move fail (`Refused`, rolled back
/// by the caller). `hash` gives the keyed hash of an ID number.
pub async fn enter(
    tx: &mut WriteTx,
    case_id: &str,
    facts: &CaseFacts,
    hash: &(dyn Fn(&str) -> String + Sync),
) -> Result<Entered, sqlx::Error> {
    let now = now_ms();
    if fetch_optional_tx!(
        tx,
        (i64,),
        "SELECT CAST(1 AS BIGINT) FROM reg_imports LIMIT 1"
    )?
    .is_none()
    {
        return Ok(Entered::Done(Vec::new()));
    }
    let unit_number = match unit_key(&facts.unit_number) {
        Some(u) => Some(u),
        None => match cert_key(&facts.certificate_no) {
            Some(c) => unit_of_certificate_tx(tx, &c).await?,
            None => None,
        },
    };
    let standing = match &unit_number {
        Some(u) => unit_tx(tx, u).await?,
        None => None,
    };
    let changes = match plan(facts, standing.as_ref()) {
        Ok(c) => c,
        Err(failed) => return Ok(Entered::Refused(failed)),
    };
    let unit_number = unit_number.unwrap_or_default();
    for change in &changes {
        match change {
            Change::NewUnit(u) => {
                let n = execute_tx!(
                    tx,
                    "INSERT INTO reg_units (unit_number, address, area, usage, project, building, made_by_case, created_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (unit_number) DO NOTHING",
                    &u.unit_number,
                    &u.address,
                    &u.area,
                    &u.usage,
                    &u.project,
                    &u.building,
                    case_id,
                    now
                )?;
                if n != 1 {
                    return Ok(Entered::Refused(Vec::new()));
                }
            }
            Change::End { id, .. } => {
                let n = execute_tx!(
                    tx,
                    "UPDATE reg_rights SET valid_to = $2, ended_by_case = $3 WHERE id = $1 AND valid_to IS NULL",
                    id,
                    now,
                    case_id
                )?;
                if n != 1 {
                    return Ok(Entered::Refused(Vec::new()));
                }
            }
            Change::Start(new) => {
                let id = uuid::Uuid::new_v4().simple().to_string();
                execute_tx!(
                    tx,
                    "INSERT INTO reg_rights (id, unit_number, kind, obligors, amount_fen, valid_from, made_by_case, entered_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $6)",
                    &id,
                    &unit_number,
                    new.kind.code(),
                    &new.obligors,
                    new.amount_fen,
                    now,
                    case_id
                )?;
                for (i, h) in new.holders.iter().enumerate() {
                    execute_tx!(
                        tx,
                        "INSERT INTO reg_holders (right_id, position, name, id_number, id_hash, share)
                         VALUES ($1, $2, $3, $4, $5, $6)",
                        &id,
                        i as i64,
                        &h.name,
                        &h.id_number,
                        hash(&h.id_number),
                        &h.share
                    )?;
                }
            }
        }
    }
    Ok(Entered::Done(changes))
}

/// At issue: the certificate (or proof) number goes on the entries the
/// case made, of the kinds the document states.
pub async fn set_certificate(
    tx: &mut WriteTx,
    case_id: &str,
    certificate: bool,
    number: &str,
) -> Result<(), sqlx::Error> {
    let kinds = if certificate {
        "('ownership')"
    } else {
        "('mortgage', 'notice', 'mortgage_notice', 'seizure', 'objection')"
    };
    execute_tx!(
        tx,
        &format!(
            "UPDATE reg_rights SET certificate_no = $2 WHERE made_by_case = $1 AND certificate_no = '' AND kind IN {kinds}"
        ),
        case_id,
        number
    )?;
    Ok(())
}

/// The units where one of these (hashed) ID numbers holds a current
/// entry, with their current entries.
pub async fn units_of(db: &Db, id_hashes: &[String]) -> Result<Vec<Standing>, sqlx::Error> {
    let mut numbers: Vec<String> = Vec::new();
    for h in id_hashes {
        let rows = fetch_all!(
            db,
            (String,),
            "SELECT DISTINCT r.unit_number FROM reg_holders h JOIN reg_rights r ON r.id = h.right_id
              WHERE h.id_hash = $1 AND r.valid_to IS NULL AND r.kind IN ('ownership', 'notice')
              ORDER BY r.unit_number LIMIT 200",
            h
        )?;
        for (u,) in rows {
            if !numbers.contains(&u) {
                numbers.push(u);
            }
        }
    }
    let mut out = Vec::new();
    for n in numbers {
        if let Some(s) = unit(db, &n, false).await? {
            out.push(s);
        }
    }
    Ok(out)
}

/// The current mortgages (and mortgage notices) registered to an
/// organisation, newest first, with their units (at most 500).
pub async fn mortgages_of(db: &Db, credit_code: &str) -> Result<Vec<(Unit, Entry)>, sqlx::Error> {
    const MINE: &str = "r.valid_to IS NULL AND r.kind IN ('mortgage', 'mortgage_notice')
        AND EXISTS (SELECT 1 FROM reg_holders x WHERE x.right_id = r.id AND x.id_number = $1)";
    let columns = RIGHT_COLUMNS
        .split(", ")
        .map(|c| format!("r.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    let rights = fetch_all!(
        db,
        RightRow,
        &format!("SELECT {columns} FROM reg_rights r WHERE {MINE} ORDER BY r.valid_from DESC, r.id LIMIT 500"),
        credit_code
    )?;
    let holders = fetch_all!(
        db,
        HolderRow,
        &format!(
            "SELECT h.right_id, h.name, h.id_number, h.share FROM reg_holders h JOIN reg_rights r ON r.id = h.right_id
              WHERE {MINE} ORDER BY h.right_id, h.position"
        ),
        credit_code
    )?;
    let units = fetch_all!(
        db,
        UnitRow,
        &format!(
            "SELECT {UNIT_COLUMNS} FROM reg_units WHERE unit_number IN (SELECT r.unit_number FROM reg_rights r WHERE {MINE})"
        ),
        credit_code
    )?;
    Ok(entries(rights, holders)
        .into_iter()
        .filter_map(|(u, e)| {
            units
                .iter()
                .find(|x| x.unit_number == u)
                .map(|x| (Unit::from(x.clone()), e))
        })
        .collect())
}

/// Receipt numbers of the cases that made or ended a unit's entries.
pub async fn case_receipts(
    db: &Db,
    unit_number: &str,
) -> Result<Vec<(String, String)>, sqlx::Error> {
    fetch_all!(
        db,
        (String, String),
        "SELECT a.id, COALESCE(a.receipt_no, '') FROM applications a
          WHERE a.id IN (SELECT made_by_case FROM reg_rights WHERE unit_number = $1
                         UNION SELECT ended_by_case FROM reg_rights WHERE unit_number = $1)",
        unit_number
    )
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Imported {
    /// This file was imported before (same content): nothing changed.
    Again { imported_at: i64 },
    Done {
        units_new: i64,
        units_same: i64,
        rights_new: i64,
    },
    /// Units already in the register with other content: nothing written.
    Conflicts(Vec<String>),
}

fn fingerprint(canonical: &str) -> String {
    hex::encode(sha2::Sha256::digest(canonical.as_bytes()))
}

/// Milliseconds at 00:00 China time of a day.
fn day_ms(d: chrono::NaiveDate) -> i64 {
    d.and_hms_opt(0, 0, 0)
        .map(|t| t.and_utc().timestamp_millis() - 8 * 3_600_000)
        .unwrap_or(0)
}

/// When a file with this SHA-256 was imported, if it was: a repeated
/// import is recognised before the file is read.
pub async fn imported_at(db: &Db, sha256: &str) -> Result<Option<i64>, sqlx::Error> {
    Ok(fetch_optional!(
        db,
        (i64,),
        "SELECT imported_at FROM reg_imports WHERE sha256 = $1",
        sha256
    )?
    .map(|(at,)| at))
}

/// Import a checked export in one transaction: every unit not yet in the
/// register is written with its entries; a unit already there with the
/// same content is left as it is; one with other content refuses the
/// whole file. The same file twice changes nothing.
pub async fn import(
    db: &Db,
    sha256: &str,
    file_name: &str,
    rows_read: i64,
    units: &[ImportUnit],
    hash: &(dyn Fn(&str) -> String + Sync),
) -> Result<Imported, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let backend = tx.backend();
    if let Some((at,)) = fetch_optional_tx!(
        &mut tx,
        (i64,),
        "SELECT imported_at FROM reg_imports WHERE sha256 = $1",
        sha256
    )? {
        return Ok(Imported::Again { imported_at: at });
    }
    let now = now_ms();
    let import_id = uuid::Uuid::new_v4().simple().to_string();
    // Which units are there already, and with what content.
    let mut existing: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    for chunk in units.chunks(500) {
        let mut q = Built::new(backend);
        q.sql("SELECT unit_number, fingerprint FROM reg_units WHERE unit_number IN (")
            .list(chunk.iter().map(|u| Arg::Text(&u.unit.unit_number)))
            .sql(")");
        for (u, f) in q.fetch_all::<(String, String)>(&mut tx).await? {
            existing.insert(u, f);
        }
    }
    let mut conflicts = Vec::new();
    let mut fresh: Vec<(&ImportUnit, String)> = Vec::new();
    let mut same = 0i64;
    for u in units {
        let f = fingerprint(&u.canonical);
        match existing.get(&u.unit.unit_number) {
            Some(old) if *old == f => same += 1,
            Some(_) => conflicts.push(u.unit.unit_number.clone()),
            None => fresh.push((u, f)),
        }
    }
    if !conflicts.is_empty() {
        return Ok(Imported::Conflicts(conflicts));
    }
    // Units, rights and holders in statements of a few hundred rows.
    for chunk in fresh.chunks(200) {
        let mut q = Built::new(backend);
        q.sql("INSERT INTO reg_units (unit_number, address, area, usage, project, building, import_id, fingerprint, created_at) VALUES ");
        for (i, (u, f)) in chunk.iter().enumerate() {
            if i > 0 {
                q.sql(", ");
            }
            q.sql("(")
                .list([
                    Arg::Text(&u.unit.unit_number),
                    Arg::Text(&u.unit.address),
                    Arg::Text(&u.unit.area),
                    Arg::Text(&u.unit.usage),
                    Arg::Text(&u.unit.project),
                    Arg::Text(&u.unit.building),
                    Arg::Text(&import_id),
                    Arg::Text(f),
                    Arg::Int(now),
                ])
                .sql(")");
        }
        q.execute(&mut tx).await?;
    }
    struct R<'a> {
        id: String,
        unit: &'a str,
        e: &'a crate::domain::register::ImportEntry,
    }
    let rights: Vec<R> = fresh
        .iter()
        .flat_map(|(u, _)| {
            u.entries.iter().map(|e| R {
                id: uuid::Uuid::new_v4().simple().to_string(),
                unit: &u.unit.unit_number,
                e,
            })
        })
        .collect();
    for chunk in rights.chunks(200) {
        let mut q = Built::new(backend);
        q.sql("INSERT INTO reg_rights (id, unit_number, kind, certificate_no, amount_fen, obligors, note, valid_from, import_id, entered_at) VALUES ");
        for (i, r) in chunk.iter().enumerate() {
            if i > 0 {
                q.sql(", ");
            }
            q.sql("(")
                .list([
                    Arg::Text(&r.id),
                    Arg::Text(r.unit),
                    Arg::Text(r.e.kind.code()),
                    Arg::Text(&r.e.certificate_no),
                    Arg::OptInt(r.e.amount_fen),
                    Arg::Text(&r.e.obligors),
                    Arg::Text(&r.e.note),
                    Arg::Int(day_ms(r.e.registered_on)),
                    Arg::Text(&import_id),
                    Arg::Int(now),
                ])
                .sql(")");
        }
        q.execute(&mut tx).await?;
    }
    let holders: Vec<(&str, i64, &Holder, String)> = rights
        .iter()
        .flat_map(|r| {
            r.e.holders
                .iter()
                .enumerate()
                .map(|(i, h)| (r.id.as_str(), i as i64, h, hash(&h.id_number)))
        })
        .collect();
    for chunk in holders.chunks(200) {
        let mut q = Built::new(backend);
        q.sql(
            "INSERT INTO reg_holders (right_id, position, name, id_number, id_hash, share) VALUES ",
        );
        for (i, (right, pos, h, hashed)) in chunk.iter().enumerate() {
            if i > 0 {
                q.sql(", ");
            }
            q.sql("(")
                .list([
                    Arg::Text(right),
                    Arg::Int(*pos),
                    Arg::Text(&h.name),
                    Arg::Text(&h.id_number),
                    Arg::Text(hashed),
                    Arg::Text(&h.share),
                ])
                .sql(")");
        }
        q.execute(&mut tx).await?;
    }
    execute_tx!(
        &mut tx,
        "INSERT INTO reg_imports (id, sha256, file_name, rows_read, units_new, units_same, rights_new, imported_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        &import_id,
        sha256,
        file_name,
        rows_read,
        fresh.len() as i64,
        same,
        rights.len() as i64,
        now
    )?;
    tx.commit().await?;
    Ok(Imported::Done {
        units_new: fresh.len() as i64,
        units_same: same,
        rights_new: rights.len() as i64,
    })
}

/// How many units and current entries the register holds.
pub async fn counts(db: &Db) -> Result<(i64, i64), sqlx::Error> {
    let units = fetch_optional!(db, (i64,), "SELECT COUNT(*) FROM reg_units")?
        .map(|r| r.0)
        .unwrap_or(0);
    let rights = fetch_optional!(
        db,
        (i64,),
        "SELECT COUNT(*) FROM reg_rights WHERE valid_to IS NULL"
    )?
    .map(|r| r.0)
    .unwrap_or(0);
    Ok((units, rights))
}

// ---------------------------------------------------------------------
// Proofs of registration.

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ProofRow {
    pub id: String,
    pub code: String,
    pub citizen_id: String,
    pub statement: String,
    pub signature: String,
    pub key_id: String,
    pub issued_at: i64,
}

pub async fn insert_proof(db: &Db, p: &ProofRow) -> Result<(), sqlx::Error> {
    execute!(
        db,
        "INSERT INTO register_proofs (id, code, citizen_id, statement, signature, key_id, issued_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        &p.id,
        &p.code,
        &p.citizen_id,
        &p.statement,
        &p.signature,
        &p.key_id,
        p.issued_at
    )?;
    Ok(())
}

pub async fn proof_by_code(db: &Db, code: &str) -> Result<Option<ProofRow>, sqlx::Error> {
    fetch_optional!(
        db,
        ProofRow,
        "SELECT id, code, citizen_id, statement, signature, key_id, issued_at FROM register_proofs WHERE code = $1",
        code
    )
}

/// Record the hash of the PDF sent for a proof.
pub async fn set_proof_pdf(db: &Db, id: &str, sha256: &str) -> Result<(), sqlx::Error> {
    execute!(
        db,
        "UPDATE register_proofs SET pdf_sha256 = $2 WHERE id = $1",
        id,
        sha256
    )?;
    Ok(())
}

/// The proof whose PDF has this hash (a file checked at /verify).
pub async fn proof_by_pdf(db: &Db, sha256: &str) -> Result<Option<ProofRow>, sqlx::Error> {
    fetch_optional!(
        db,
        ProofRow,
        "SELECT id, code, citizen_id, statement, signature, key_id, issued_at FROM register_proofs WHERE pdf_sha256 = $1",
        sha256
    )
}

pub async fn proof_by_id(db: &Db, id: &str) -> Result<Option<ProofRow>, sqlx::Error> {
    fetch_optional!(
        db,
        ProofRow,
        "SELECT id, code, citizen_id, statement, signature, key_id, issued_at FROM register_proofs WHERE id = $1",
        id
    )
}

// ---------------------------------------------------------------------
// Identity checks made to see one's register.

/// The ID hashes this citizen has verified (at level 1 or above) within
/// the validity of a verification.
pub async fn verified_hashes(db: &Db, citizen_id: &str) -> Result<Vec<String>, sqlx::Error> {
    Ok(fetch_all!(
        db,
        (String,),
        "SELECT DISTINCT id_hash FROM identity_checks
          WHERE citizen_id = $1 AND status = 'passed' AND level >= 1 AND done_at >= $2",
        citizen_id,
        now_ms() - super::identity::VALID_MS
    )?
    .into_iter()
    .map(|(h,)| h)
    .collect())
}

/// Start a check of the citizen's own identity (no application): the name
/// and number typed are kept with it until the service answers.
/// The status of the citizen's latest check of their own identity (one
/// started to see their register), if any.
pub async fn last_own_check(db: &Db, citizen_id: &str) -> Result<Option<String>, sqlx::Error> {
    Ok(fetch_optional!(
        db,
        (String,),
        "SELECT status FROM identity_checks WHERE citizen_id = $1 AND application_id IS NULL
          ORDER BY created_at DESC LIMIT 1",
        citizen_id
    )?
    .map(|(s,)| s))
}

pub async fn start_own_check(
    db: &Db,
    citizen_id: &str,
    name: &str,
    id_type: &str,
    id_number: &str,
    id_hash: &str,
) -> Result<String, sqlx::Error> {
    let id = uuid::Uuid::new_v4().simple().to_string();
    let mut tx = db.begin_write().await?;
    execute_tx!(
        &mut tx,
        "INSERT INTO identity_checks (id, citizen_id, application_id, party_idx, id_hash, level, status, created_at)
         VALUES ($1, $2, NULL, -1, $3, 2, 'pending', $4)",
        &id,
        citizen_id,
        id_hash,
        now_ms()
    )?;
    execute_tx!(
        &mut tx,
        "INSERT INTO identity_subjects (check_id, name, id_type, id_number) VALUES ($1, $2, $3, $4)",
        &id,
        name,
        id_type,
        id_number
    )?;
    tx.commit().await?;
    Ok(id)
}

/// The name, document type and number of an own-identity check.
pub async fn subject(
    db: &Db,
    check_id: &str,
) -> Result<Option<(String, String, String)>, sqlx::Error> {
    fetch_optional!(
        db,
        (String, String, String),
        "SELECT name, id_type, id_number FROM identity_subjects WHERE check_id = $1",
        check_id
    )
}

/// Forget the number typed once the service has answered.
pub async fn forget_subject(db: &Db, check_id: &str) -> Result<(), sqlx::Error> {
    execute!(
        db,
        "UPDATE identity_subjects SET id_number = '' WHERE check_id = $1",
        check_id
    )?;
    Ok(())
}

/// The name and ID number the register holds for one of these hashes.
pub async fn holder_by_hashes(
    db: &Db,
    hashes: &[String],
) -> Result<Option<(String, String)>, sqlx::Error> {
    for h in hashes {
        if let Some(r) = fetch_optional!(
            db,
            (String, String),
            "SELECT name, id_number FROM reg_holders WHERE id_hash = $1 LIMIT 1",
            h
        )? {
            return Ok(Some(r));
        }
    }
    Ok(None)
}
