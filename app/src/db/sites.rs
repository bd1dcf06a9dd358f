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
        })
    }
}

/// Every active site, main centre first, then sub-centres, then town offices.
#[tracing::instrument(skip_all)]
pub async fn list_active_sites(db: &Db) -> Result<Vec<Site>, sqlx::Error> {
    let rows = crate::fetch_all!(
        db,
        SiteRow,
        "SELECT id, code, kind, name_zh, name_en, address_zh, address_en, phone, hours_zh, hours_en
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
        "SELECT id, code, kind, name_zh, name_en, address_zh, address_en, phone, hours_zh, hours_en
           FROM sites
          WHERE code = $1 AND active = 1",
        code
    )?;
    Ok(row.and_then(SiteRow::into_site))
}
