//! Queries on the site network (main centre, sub-centres, town offices).

use super::Db;
use crate::model::{Site, SiteKind};

#[derive(sqlx::FromRow)]
struct SiteRow {
    id: i64,
    code: String,
    kind: String,
    name_zh: String,
    name_en: String,
    address_zh: String,
    address_en: String,
    phone: String,
    hours_zh: String,
    hours_en: String,
    map_url: String,
}

impl SiteRow {
    fn into_site(self) -> Option<Site> {
        Some(Site {
            id: self.id,
            code: self.code,
            kind: SiteKind::from_code(&self.kind)?,
            name_zh: self.name_zh,
            name_en: self.name_en,
            address_zh: self.address_zh,
            address_en: self.address_en,
            phone: self.phone,
            hours_zh: self.hours_zh,
            hours_en: self.hours_en,
            map_url: self.map_url,
        })
    }
}

/// Every active site, main centre first, then sub-centres, then town offices.
#[tracing::instrument(skip_all)]
pub async fn list_active_sites(db: &Db) -> Result<Vec<Site>, sqlx::Error> {
    let rows = crate::fetch_all!(
        db,
        SiteRow,
        "SELECT id, code, kind, name_zh, name_en, address_zh, address_en, phone, hours_zh, hours_en, map_url
           FROM sites
          WHERE active = 1
          ORDER BY CASE kind WHEN 'main' THEN 0 WHEN 'sub' THEN 1 WHEN 'town' THEN 2 ELSE 3 END,
                   sort_order, code"
    )?;
    // The CHECK constraint on `kind` makes an unknown kind impossible; skip defensively.
    Ok(rows.into_iter().filter_map(SiteRow::into_site).collect())
}

/// One active site by its code.
#[tracing::instrument(skip_all)]
pub async fn find_active_site(db: &Db, code: &str) -> Result<Option<Site>, sqlx::Error> {
    let row = crate::fetch_optional!(
        db,
        SiteRow,
        "SELECT id, code, kind, name_zh, name_en, address_zh, address_en, phone, hours_zh, hours_en, map_url
           FROM sites
          WHERE code = $1 AND active = 1",
        code
    )?;
    Ok(row.and_then(SiteRow::into_site))
}

/// What an administrator edits about a site.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SiteSettings {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub address_zh: String,
    pub address_en: String,
    pub phone: String,
    pub hours_zh: String,
    pub hours_en: String,
    pub map_url: String,
    pub work_hours: String,
}

/// A site's settings and its booking services `(group, windows, slot minutes)`.
pub async fn site_settings(
    db: &Db,
    code: &str,
) -> Result<Option<(SiteSettings, Vec<(String, i64, i64)>)>, sqlx::Error> {
    let Some(site) = crate::fetch_optional!(
        db,
        SiteSettings,
        "SELECT code, name_zh, name_en, address_zh, address_en, phone, hours_zh, hours_en, map_url,
                work_hours
           FROM sites WHERE code = $1",
        code
    )?
    else {
        return Ok(None);
    };
    let services = crate::fetch_all!(
        db,
        (String, i64, i64),
        "SELECT matter_group, CAST(windows AS BIGINT), CAST(slot_minutes AS BIGINT)
           FROM site_services WHERE site_code = $1 ORDER BY matter_group",
        code
    )?;
    Ok(Some((site, services)))
}

/// Save a site's settings and services (`None` = the group is not offered
/// there), with an audit record, in one transaction. Bookings already made
/// stay as they are.
pub async fn save_site_settings(
    db: &Db,
    s: &SiteSettings,
    services: &[(&str, Option<(i64, i64)>)],
    actor: &str,
    role: &str,
) -> Result<bool, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let n = crate::execute_tx!(
        &mut tx,
        "UPDATE sites SET address_zh = $2, address_en = $3, phone = $4, hours_zh = $5,
                hours_en = $6, map_url = $7, work_hours = $8, updated_at = $9
          WHERE code = $1",
        &s.code,
        &s.address_zh,
        &s.address_en,
        &s.phone,
        &s.hours_zh,
        &s.hours_en,
        &s.map_url,
        &s.work_hours,
        super::now_ms()
    )?;
    if n != 1 {
        return Ok(false);
    }
    let mut summary = Vec::new();
    for (group, offer) in services {
        match offer {
            Some((windows, minutes)) => {
                crate::execute_tx!(
                    &mut tx,
                    "INSERT INTO site_services (site_code, matter_group, windows, slot_minutes)
                     VALUES ($1, $2, $3, $4)
                     ON CONFLICT (site_code, matter_group)
                     DO UPDATE SET windows = excluded.windows, slot_minutes = excluded.slot_minutes",
                    &s.code,
                    *group,
                    *windows,
                    *minutes
                )?;
                summary.push(format!("{group}:{windows}x{minutes}"));
            }
            None => {
                crate::execute_tx!(
                    &mut tx,
                    "DELETE FROM site_services WHERE site_code = $1 AND matter_group = $2",
                    &s.code,
                    *group
                )?;
            }
        }
    }
    super::staff::audit(
        &mut tx,
        &super::staff::AuditEntry {
            actor,
            role,
            action: "edit_site",
            application_id: None,
            before: &s.code,
            after: &format!("{} {}", s.work_hours, summary.join(",")),
            reason: "",
        },
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// Record `value` for `name` unless one is there; the value that holds.
/// `replace`: this value holds from now on.
pub async fn agree_setting(
    db: &Db,
    name: &str,
    value: &str,
    replace: bool,
) -> Result<String, sqlx::Error> {
    let sql = if replace {
        "INSERT INTO server_settings (name, value, updated_at) VALUES ($1, $2, $3)
         ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at"
    } else {
        "INSERT INTO server_settings (name, value, updated_at) VALUES ($1, $2, $3)
         ON CONFLICT (name) DO NOTHING"
    };
    crate::execute!(db, sql, name, value, super::now_ms())?;
    let row: Option<(String,)> = crate::fetch_optional!(
        db,
        (String,),
        "SELECT value FROM server_settings WHERE name = $1",
        name
    )?;
    Ok(row.map(|r| r.0).unwrap_or_default())
}
