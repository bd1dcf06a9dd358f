//! `GET /applications/{id}/booking.ics`: the case's live appointment as an
//! iCalendar file for the phone's calendar (the filer, a named party, or
//! staff of the case's site; anyone else 404), with a reminder two hours
//! before.
#![allow(clippy::result_large_err)]

use crate::documents::{internal, may_read_application};
use crate::AppState;
use app::error::AppError;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/applications/{id}/booking.ics", get(calendar_file))
        .route("/applications/{id}/booking.svg", get(qr_code))
}

/// `GET /applications/{id}/booking.svg`: the live booking's QR code (SVG).
/// It carries the clerks' day view for the booking code, so a scan at the
/// desk opens the visit (staff sign-in required there); the code itself is
/// printed beside it for people who read it out.
async fn qr_code(
    State(st): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let served = async {
        may_read_application(&st, &headers, Some(&id)).await?;
        let booking = app::db::live_booking(&st.db, &id)
            .await
            .map_err(|e| internal("booking", e))?
            .ok_or_else(|| AppError::NotFound.into_response())?;
        let url = format!(
            "{}/staff/bookings?code={}",
            st.services.policy.public_url, booking.code
        );
        let code = qrcode::QrCode::with_error_correction_level(url.as_bytes(), qrcode::EcLevel::M)
            .map_err(|_| AppError::Internal.into_response())?;
        let svg = code
            .render::<qrcode::render::svg::Color>()
            .min_dimensions(160, 160)
            .quiet_zone(true)
            .build();
        let mut res = svg.into_response();
        let h = res.headers_mut();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("image/svg+xml"),
        );
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        Ok::<Response, Response>(res)
    };
    match served.await {
        Ok(r) | Err(r) => r,
    }
}

async fn calendar_file(
    State(st): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    match serve(&st, &headers, &id).await {
        Ok(r) | Err(r) => r,
    }
}

async fn serve(st: &AppState, headers: &HeaderMap, id: &str) -> Result<Response, Response> {
    may_read_application(st, headers, Some(id)).await?;
    let booking = app::db::live_booking(&st.db, id)
        .await
        .map_err(|e| internal("booking", e))?
        .ok_or_else(|| AppError::NotFound.into_response())?;
    let sites = app::db::list_active_sites(&st.db)
        .await
        .map_err(|e| internal("sites", e))?;
    let site = sites.iter().find(|s| s.code == booking.site_code);
    let receipt = app::db::application_row(&st.db, id)
        .await
        .map_err(|e| internal("application", e))?
        .and_then(|a| a.receipt_no)
        .unwrap_or_default();
    let body = app::domain::booking::ics(
        &format!("{}@onetrip", booking.id),
        booking.starts_at,
        booking.ends_at,
        app::db::now_ms(),
        &format!(
            "不动产登记到场办理（{}）",
            site.map(|s| s.name_zh.as_str()).unwrap_or("")
        ),
        &site
            .map(|s| format!("{} {}", s.name_zh, s.address_zh))
            .unwrap_or_default(),
        &format!(
            "预约码 {}，回执号 {receipt}。请携带本人身份证件和申请材料原件按时到场。",
            booking.code
        ),
    );
    let mut res = body.into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/calendar; charset=utf-8"),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"onetrip-booking.ics\""),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}
