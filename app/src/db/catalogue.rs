//! The matter catalogue: seeding from `seed/matters.json` and reading.

use super::{now_ms, Db};
use crate::domain::catalogue::{
    union_checklists, ChecklistItem, Family, Filer, MaterialForm, Matter, PartyRole, Requirement,
};
use serde::Deserialize;
use std::collections::HashMap;

/// The catalogue shipped with the code, loaded at the first start.
pub const SEED: &str = include_str!("../../../seed/matters.json");

#[derive(Deserialize)]
struct SeedFile {
    materials: HashMap<String, SeedName>,
    matters: Vec<SeedMatter>,
}

#[derive(Deserialize)]
struct SeedName {
    zh: String,
    en: String,
}

#[derive(Deserialize)]
struct SeedMatter {
    code: String,
    family: i64,
    name_zh: String,
    name_en: String,
    #[serde(default)]
    keywords: String,
    filers: Vec<String>,
    parties: Vec<String>,
    time_limit_days: i64,
    #[serde(default)]
    time_limit_minutes: Option<i64>,
    visit_required: bool,
    /// Unset: face verification (2) for a matter done without a visit.
    #[serde(default)]
    identity_level: Option<i64>,
    risk_notice: bool,
    fee_zh: String,
    fee_en: String,
    #[serde(default)]
    materials: Vec<SeedItem>,
    #[serde(default)]
    parts: Vec<String>,
}

#[derive(Deserialize)]
struct SeedItem {
    id: String,
    #[serde(default)]
    requirement: Requirement,
    #[serde(default)]
    form: MaterialForm,
    #[serde(default = "one")]
    copies: i64,
    #[serde(default)]
    note_zh: String,
    #[serde(default)]
    note_en: String,
}

fn one() -> i64 {
    1
}

#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error("seed/matters.json is not valid: {0}")]
    Invalid(String),
    #[error("database error while seeding the catalogue: {0}")]
    Db(#[from] sqlx::Error),
}

/// Load the catalogue into an empty database, in one write transaction. Does
/// nothing when matters exist (the database is then the source of truth).
/// Safe when several servers start at once: inserts ignore existing keys.
pub async fn seed_catalogue_if_empty(db: &Db, json: &str) -> Result<bool, SeedError> {
    let seed: SeedFile =
        serde_json::from_str(json).map_err(|e| SeedError::Invalid(e.to_string()))?;
    validate_seed(&seed)?;
    let now = now_ms();
    let mut tx = db.begin_write().await?;
    let existing: i64 = crate::fetch_scalar_tx!(&mut tx, i64, "SELECT COUNT(*) FROM matters")?;
    if existing > 0 {
        tx.commit().await?;
        return Ok(false);
    }
    for (code, name) in &seed.materials {
        crate::execute_tx!(
            &mut tx,
            "INSERT INTO materials (code, name_zh, name_en, updated_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (code) DO NOTHING",
            code,
            &name.zh,
            &name.en,
            now
        )?;
    }
    for (pos, m) in seed.matters.iter().enumerate() {
        crate::execute_tx!(
            &mut tx,
            "INSERT INTO matters (code, family, name_zh, name_en, keywords, filers, parties, time_limit_days,
                                  visit_required, risk_notice, fee_zh, fee_en, sort_order, active, created_at, updated_at,
                                  time_limit_minutes, identity_level)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 1, $14, $14, $15, $16)
             ON CONFLICT (code) DO NOTHING",
            &m.code,
            m.family,
            &m.name_zh,
            &m.name_en,
            &m.keywords,
            m.filers.join(","),
            m.parties.join(","),
            m.time_limit_days,
            i64::from(m.visit_required),
            i64::from(m.risk_notice),
            &m.fee_zh,
            &m.fee_en,
            (pos as i64) * 10,
            now,
            m.time_limit_minutes,
            m.identity_level
                .unwrap_or(if m.visit_required { 0 } else { 2 })
                .clamp(0, 2)
        )?;
    }
    for m in &seed.matters {
        for (pos, item) in m.materials.iter().enumerate() {
            crate::execute_tx!(
                &mut tx,
                "INSERT INTO matter_materials (matter_code, material_code, position, requirement, form, copies, note_zh, note_en)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                 ON CONFLICT (matter_code, material_code) DO NOTHING",
                &m.code,
                &item.id,
                pos as i64,
                item.requirement.code(),
                item.form.code(),
                item.copies,
                &item.note_zh,
                &item.note_en
            )?;
        }
        for (pos, part) in m.parts.iter().enumerate() {
            crate::execute_tx!(
                &mut tx,
                "INSERT INTO matter_parts (matter_code, part_code, position) VALUES ($1, $2, $3)
                 ON CONFLICT (matter_code, part_code) DO NOTHING",
                &m.code,
                part,
                pos as i64
            )?;
        }
    }
    tx.commit().await?;
    Ok(true)
}

/// Reject a seed that would load but mislead: unknown codes, dangling references.
fn validate_seed(seed: &SeedFile) -> Result<(), SeedError> {
    let bad = |msg: String| Err(SeedError::Invalid(msg));
    let codes: Vec<&str> = seed.matters.iter().map(|m| m.code.as_str()).collect();
    for m in &seed.matters {
        if Family::from_code(m.family).is_none() {
            return bad(format!("matter {}: unknown family {}", m.code, m.family));
        }
        if let Some(f) = m.filers.iter().find(|f| Filer::from_code(f).is_none()) {
            return bad(format!("matter {}: unknown filer {f}", m.code));
        }
        if let Some(p) = m.parties.iter().find(|p| PartyRole::from_code(p).is_none()) {
            return bad(format!("matter {}: unknown party role {p}", m.code));
        }
        if let Some(i) = m
            .materials
            .iter()
            .find(|i| !seed.materials.contains_key(&i.id))
        {
            return bad(format!("matter {}: unknown material {}", m.code, i.id));
        }
        if let Some(p) = m
            .parts
            .iter()
            .find(|p| !codes.contains(&p.as_str()) || **p == m.code)
        {
            return bad(format!("matter {}: unknown part {p}", m.code));
        }
        if m.parts.is_empty() == m.materials.is_empty() {
            return bad(format!("matter {}: give either materials or parts", m.code));
        }
    }
    Ok(())
}

#[derive(sqlx::FromRow)]
struct MatterRow {
    code: String,
    family: i64,
    name_zh: String,
    name_en: String,
    keywords: String,
    filers: String,
    parties: String,
    time_limit_days: i64,
    time_limit_minutes: Option<i64>,
    visit_required: i64,
    identity_level: i64,
    risk_notice: i64,
    fee_zh: String,
    fee_en: String,
}

#[derive(sqlx::FromRow)]
struct ItemRow {
    matter_code: String,
    material_code: String,
    name_zh: String,
    name_en: String,
    requirement: String,
    form: String,
    copies: i64,
    note_zh: String,
    note_en: String,
}

#[derive(sqlx::FromRow)]
struct PartRow {
    matter_code: String,
    part_code: String,
}

/// Every active matter with its full checklist (combined matters get the
/// union of their parts'), in catalogue order.
#[tracing::instrument(skip_all)]
pub async fn list_matters(db: &Db) -> Result<Vec<Matter>, sqlx::Error> {
    let rows = crate::fetch_all!(
        db,
        MatterRow,
        "SELECT code, CAST(family AS BIGINT) AS family, name_zh, name_en, keywords, filers, parties,
                CAST(time_limit_days AS BIGINT) AS time_limit_days,
                CAST(time_limit_minutes AS BIGINT) AS time_limit_minutes,
                CAST(visit_required AS BIGINT) AS visit_required, CAST(risk_notice AS BIGINT) AS risk_notice,
                CAST(identity_level AS BIGINT) AS identity_level,
                fee_zh, fee_en
           FROM matters WHERE active = 1 ORDER BY sort_order, code"
    )?;
    let items = crate::fetch_all!(
        db,
        ItemRow,
        "SELECT mm.matter_code, mm.material_code, m.name_zh, m.name_en, mm.requirement, mm.form,
                CAST(mm.copies AS BIGINT) AS copies, mm.note_zh, mm.note_en
           FROM matter_materials mm JOIN materials m ON m.code = mm.material_code
          ORDER BY mm.matter_code, mm.position"
    )?;
    let parts = crate::fetch_all!(
        db,
        PartRow,
        "SELECT matter_code, part_code FROM matter_parts ORDER BY matter_code, position"
    )?;

    let mut own: HashMap<String, Vec<ChecklistItem>> = HashMap::new();
    for r in items {
        let (Some(requirement), Some(form)) = (
            Requirement::from_code(&r.requirement),
            MaterialForm::from_code(&r.form),
        ) else {
            continue;
        };
        own.entry(r.matter_code).or_default().push(ChecklistItem {
            material: r.material_code,
            name_zh: r.name_zh,
            name_en: r.name_en,
            requirement,
            form,
            copies: r.copies,
            note_zh: r.note_zh,
            note_en: r.note_en,
        });
    }
    let mut parts_of: HashMap<String, Vec<String>> = HashMap::new();
    for p in parts {
        parts_of.entry(p.matter_code).or_default().push(p.part_code);
    }

    let split = |s: &str| -> Vec<String> {
        s.split(',')
            .map(str::trim)
            .filter(|x| !x.is_empty())
            .map(String::from)
            .collect()
    };
    let fee_rows: Vec<(String, String, i64)> = crate::fetch_all!(
        db,
        (String, String, i64),
        "SELECT matter_code, item, amount_fen FROM matter_fees"
    )?;
    let names: HashMap<String, (String, String, i64)> = rows
        .iter()
        .map(|r| {
            (
                r.code.clone(),
                (r.name_zh.clone(), r.name_en.clone(), r.family),
            )
        })
        .collect();
    let own_fees = |code: &str| -> Vec<crate::domain::fees::FeeLine> {
        use crate::domain::fees::{default_amount, FeeLine, FEE_ITEMS};
        let Some((zh, en, family)) = names.get(code) else {
            return Vec::new();
        };
        FEE_ITEMS
            .into_iter()
            .map(|item| FeeLine {
                part_zh: zh.clone(),
                part_en: en.clone(),
                item,
                amount_fen: fee_rows
                    .iter()
                    .find(|(c, i, _)| c == code && i == item.code())
                    .map(|(_, _, a)| *a)
                    .unwrap_or_else(|| default_amount(*family, item)),
            })
            .collect()
    };
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            let parts = parts_of.get(&r.code).cloned().unwrap_or_default();
            let fees = if parts.is_empty() {
                own_fees(&r.code)
            } else {
                parts.iter().flat_map(|p| own_fees(p)).collect()
            };
            let checklist = if parts.is_empty() {
                own.get(&r.code).cloned().unwrap_or_default()
            } else {
                let empty = Vec::new();
                union_checklists(
                    parts
                        .iter()
                        .map(|p| own.get(p).unwrap_or(&empty).as_slice()),
                )
            };
            Some(Matter {
                family: Family::from_code(r.family)?,
                filers: split(&r.filers)
                    .iter()
                    .filter_map(|f| Filer::from_code(f))
                    .collect(),
                parties: split(&r.parties)
                    .iter()
                    .filter_map(|p| PartyRole::from_code(p))
                    .collect(),
                code: r.code,
                name_zh: r.name_zh,
                name_en: r.name_en,
                keywords: r.keywords,
                time_limit_days: r.time_limit_days,
                time_limit_minutes: r.time_limit_minutes,
                visit_required: r.visit_required != 0,
                identity_level: r.identity_level,
                risk_notice: r.risk_notice != 0,
                fee_zh: r.fee_zh,
                fee_en: r.fee_en,
                parts,
                checklist,
                fees,
            })
        })
        .collect())
}

/// An administrator sets a simple matter's fee items (in fen).
pub async fn set_fees(
    db: &Db,
    matter: &str,
    amounts: &[(crate::domain::fees::FeeItem, i64)],
    staff_id: &str,
) -> Result<bool, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let simple = crate::fetch_scalar_tx!(
        &mut tx,
        i64,
        "SELECT COUNT(*) FROM matters m WHERE m.code = $1
            AND NOT EXISTS (SELECT 1 FROM matter_parts p WHERE p.matter_code = m.code)",
        matter
    )?;
    if simple != 1 {
        return Ok(false);
    }
    let now = super::now_ms();
    for (item, fen) in amounts {
        crate::execute_tx!(
            &mut tx,
            "INSERT INTO matter_fees (matter_code, item, amount_fen, updated_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (matter_code, item) DO UPDATE SET amount_fen = $3, updated_at = $4",
            matter,
            item.code(),
            *fen,
            now
        )?;
    }
    super::staff::audit(
        &mut tx,
        &super::staff::AuditEntry {
            actor: staff_id,
            role: "admin",
            action: "set_fees",
            application_id: None,
            before: matter,
            after: &amounts
                .iter()
                .map(|(i, f)| format!("{}={f}", i.code()))
                .collect::<Vec<_>>()
                .join(","),
            reason: "",
        },
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// The catalogue as the public pages read it: kept in memory and read again
/// from the database at most every [`CatalogueCache::FRESH_FOR`], or at once after an
/// edit through this process ([`CatalogueCache::invalidate`]). Another replica's edit
/// shows here within `FRESH_FOR`. The guide, a matter's notice, the progress
/// lookup and the wizard read it without a query; staff pages that edit the
/// catalogue read the tables themselves.
#[derive(Debug, Default)]
pub struct CatalogueCache {
    value: std::sync::RwLock<Option<(std::time::Instant, std::sync::Arc<Vec<Matter>>)>>,
    loading: tokio::sync::Mutex<()>,
}

impl CatalogueCache {
    pub const FRESH_FOR: std::time::Duration = std::time::Duration::from_secs(2);

    fn fresh(&self) -> Option<std::sync::Arc<Vec<Matter>>> {
        let value = self.value.read().unwrap_or_else(|e| e.into_inner());
        value
            .as_ref()
            .filter(|(at, _)| at.elapsed() < Self::FRESH_FOR)
            .map(|(_, m)| m.clone())
    }

    /// Every active matter (as [`list_matters`]), from memory when fresh.
    pub async fn matters(&self, db: &Db) -> Result<std::sync::Arc<Vec<Matter>>, sqlx::Error> {
        if let Some(m) = self.fresh() {
            return Ok(m);
        }
        // One reload at a time; the others wait for it and take its result.
        let _loading = self.loading.lock().await;
        if let Some(m) = self.fresh() {
            return Ok(m);
        }
        let started = std::time::Instant::now();
        let matters = std::sync::Arc::new(list_matters(db).await?);
        *self.value.write().unwrap_or_else(|e| e.into_inner()) = Some((started, matters.clone()));
        Ok(matters)
    }

    /// The catalogue changed: the next read goes to the database.
    pub fn invalidate(&self) {
        *self.value.write().unwrap_or_else(|e| e.into_inner()) = None;
    }
}

/// An administrator sets whether a matter needs a visit and how sure the
/// centre must be of who confirms it online (0–2); audited. False for an
/// unknown matter.
pub async fn set_matter_mode(
    db: &Db,
    matter: &str,
    visit_required: bool,
    identity_level: i64,
    staff_id: &str,
) -> Result<bool, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let n = crate::execute_tx!(
        &mut tx,
        "UPDATE matters SET visit_required = $2, identity_level = $3, updated_at = $4 WHERE code = $1",
        matter,
        i64::from(visit_required),
        identity_level,
        super::now_ms()
    )?;
    if n != 1 {
        return Ok(false);
    }
    let after = format!(
        "visit_required={};identity_level={identity_level}",
        i64::from(visit_required)
    );
    super::staff::audit(
        &mut tx,
        &super::staff::AuditEntry {
            actor: staff_id,
            role: "admin",
            action: "matter_mode",
            application_id: None,
            before: matter,
            after: &after,
            reason: "",
        },
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}
