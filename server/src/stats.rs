//! `GET /staff/dashboard.csv`: the supervisors' dashboard as CSV, for the
//! same period, site and matter as the page.
#![allow(clippy::result_large_err)]

use crate::extract::Staff;
use crate::AppState;
use axum::extract::{Query, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new().route("/staff/dashboard.csv", get(csv))
}

#[derive(Debug, Deserialize)]
struct Params {
    days: Option<u32>,
    site: Option<String>,
    matter: Option<String>,
}

async fn csv(State(st): State<AppState>, Staff(staff): Staff, Query(p): Query<Params>) -> Response {
    let view = match app::ops::stats::load(
        &st.db,
        &staff,
        p.days.unwrap_or(30),
        p.site.as_deref().unwrap_or(""),
        p.matter.as_deref().unwrap_or(""),
    )
    .await
    {
        Ok(v) => v,
        Err(e) => return e.into_response(),
    };
    let body = app::domain::stats::to_csv(&view.dashboard, |code| {
        view.matters
            .iter()
            .find(|(c, _, _)| c == code)
            .map(|(_, zh, _)| zh.clone())
            .unwrap_or_else(|| code.to_string())
    });
    let mut res = body.into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    let name = format!(
        "attachment; filename=\"onetrip-statistics-{}-{}.csv\"",
        view.dashboard.from, view.dashboard.to
    );
    if let Ok(v) = HeaderValue::from_str(&name) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    res
}
