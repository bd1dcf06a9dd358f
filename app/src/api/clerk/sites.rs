//! A site's settings as administrators edit them: services, hours, slots.
// A form's fields are a server function's arguments; `#[server]` copies
// them into the functions it generates.
#![allow(clippy::too_many_arguments)]

use crate::error::AppError;
use leptos::prelude::*;

/// A site as its administrator edits it: details, opening periods of a
/// working day, and the booking services (windows = seats per slot, slot
/// length) per matter group, 0 windows = not offered.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SiteAdmin {
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
    /// `(group, windows, slot minutes)` for general, mortgage, consult.
    pub services: Vec<(String, i64, i64)>,
    pub csrf: String,
}

/// The booking groups an administrator configures, in form order.
pub const GROUPS: [&str; 3] = ["general", "mortgage", "consult"];

/// The slot lengths allowed (the table's CHECK).
pub const SLOT_MINUTES: [i64; 6] = [10, 15, 20, 30, 45, 60];

/// One site's settings (administrators).
#[server(endpoint = "sites/admin_get")]
pub async fn get_site_admin(code: String) -> Result<SiteAdmin, AppError> {
    let s = crate::guards::require_admin(None).await?;
    let db = crate::services::database()?;
    let (site, services) = crate::db::site_settings(&db, code.trim())
        .await
        .map_err(|e| AppError::internal("site_settings", e))?
        .ok_or(AppError::NotFound)?;
    Ok(SiteAdmin {
        services: GROUPS
            .iter()
            .map(|g| {
                services
                    .iter()
                    .find(|(x, _, _)| x == g)
                    .cloned()
                    .unwrap_or((g.to_string(), 0, 30))
            })
            .collect(),
        code: site.code,
        name_zh: site.name_zh,
        name_en: site.name_en,
        address_zh: site.address_zh,
        address_en: site.address_en,
        phone: site.phone,
        hours_zh: site.hours_zh,
        hours_en: site.hours_en,
        map_url: site.map_url,
        work_hours: site.work_hours,
        csrf: s.csrf_token,
    })
}

/// Save one site's settings (administrators; audited). Bookings already
/// made stay as they are; new slots follow the new hours and lengths.
#[server(endpoint = "sites/admin_save")]
pub async fn save_site(
    code: String,
    address_zh: String,
    address_en: String,
    phone: String,
    hours_zh: String,
    hours_en: String,
    map_url: String,
    work_hours: String,
    general_windows: String,
    general_minutes: String,
    mortgage_windows: String,
    mortgage_minutes: String,
    consult_windows: String,
    consult_minutes: String,
    csrf: String,
) -> Result<(), AppError> {
    use crate::error::FieldError;

    use crate::services::*;
    let s = crate::guards::require_admin(Some(&csrf)).await?;
    let db = database()?;
    let (current, _) = crate::db::site_settings(&db, code.trim())
        .await
        .map_err(|e| AppError::internal("site_settings", e))?
        .ok_or(AppError::NotFound)?;
    let mut errors = Vec::new();
    let text = |field: &str, v: &str, max: usize, errors: &mut Vec<FieldError>| -> String {
        let v = v.trim().to_string();
        if v.is_empty() || v.chars().count() > max {
            errors.push(FieldError::new(
                field,
                "required",
                format!("请填写（{max} 字以内）"),
                format!("Required (up to {max} characters)"),
            ));
        }
        v
    };
    let address_zh = text("address_zh", &address_zh, 200, &mut errors);
    let address_en = text("address_en", &address_en, 200, &mut errors);
    let phone = text("phone", &phone, 40, &mut errors);
    let hours_zh = text("hours_zh", &hours_zh, 200, &mut errors);
    let hours_en = text("hours_en", &hours_en, 200, &mut errors);
    let map_url = map_url.trim().to_string();
    if !map_url.is_empty() && (!map_url.starts_with("https://") || map_url.len() > 500) {
        errors.push(FieldError::new(
            "map_url",
            "map_url",
            "地图链接应以 https:// 开头（可留空）".into(),
            "A map link starts with https:// (or leave it empty)".into(),
        ));
    }
    let work_hours = work_hours.trim().replace('，', ",").replace(' ', "");
    if crate::domain::hours::WorkHours::parse(&work_hours).is_err() {
        errors.push(FieldError::new(
            "work_hours",
            "work_hours",
            "办公时段格式如 08:30-12:00,13:30-17:00（按时间先后，不重叠）".into(),
            "Opening periods look like 08:30-12:00,13:30-17:00 (in order, not overlapping)".into(),
        ));
    }
    let mut services: Vec<(&str, Option<(i64, i64)>)> = Vec::new();
    for (group, windows, minutes) in [
        ("general", &general_windows, &general_minutes),
        ("mortgage", &mortgage_windows, &mortgage_minutes),
        ("consult", &consult_windows, &consult_minutes),
    ] {
        let w = windows.trim();
        let w: Option<i64> = if w.is_empty() {
            Some(0)
        } else {
            w.parse().ok()
        };
        let m: Option<i64> = minutes.trim().parse().ok();
        match (w, m) {
            (Some(0), _) => services.push((group, None)),
            (Some(w @ 1..=50), Some(m)) if SLOT_MINUTES.contains(&m) => {
                services.push((group, Some((w, m))))
            }
            _ => errors.push(FieldError::new(
                &format!("{group}_windows"),
                "service",
                "窗口数为 0–50（0 表示不提供），时段长度为 10、15、20、30、45 或 60 分钟".into(),
                "Windows 0–50 (0: not offered); slots of 10, 15, 20, 30, 45 or 60 minutes".into(),
            )),
        }
    }
    let back = format!("/staff/sites/{}", q(&current.code));
    let form = is_form_post().await;
    if !errors.is_empty() {
        if form {
            let codes: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
            redirect(&format!("{back}?error={}", codes.join(",")));
            return Ok(());
        }
        return Err(AppError::Validation(errors));
    }
    let saved = crate::db::save_site_settings(
        &db,
        &crate::db::SiteSettings {
            address_zh,
            address_en,
            phone,
            hours_zh,
            hours_en,
            map_url,
            work_hours,
            ..current
        },
        &services,
        &s.staff_id,
        &s.role,
    )
    .await
    .map_err(|e| AppError::internal("save_site", e))?;
    if !saved {
        return Err(AppError::NotFound);
    }
    if form {
        redirect(&format!("{back}?ok=saved"));
    }
    Ok(())
}
