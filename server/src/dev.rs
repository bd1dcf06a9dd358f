//! `/dev/outbox`: the most recent outbox messages, rendered, for testers on a
//! development machine (the log sender's twin). Answers 404 unless
//! `ONETRIP_DEV_OUTBOX=1`.

use crate::AppState;
use axum::extract::{Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

#[derive(serde::Deserialize)]
pub struct OutboxQuery {
    /// Only the messages to this recipient (a tester following one person).
    to: Option<String>,
}

pub async fn outbox_page(State(state): State<AppState>, Query(q): Query<OutboxQuery>) -> Response {
    if !state.services.policy.dev_outbox {
        return StatusCode::NOT_FOUND.into_response();
    }
    let rows = match q.to.as_deref().filter(|t| !t.is_empty()) {
        Some(to) => app::db::recent_messages_to(&state.db, to, 50).await,
        None => app::db::recent_messages(&state.db, 50).await,
    };
    let rows = match rows {
        Ok(r) => r,
        Err(e) => {
            tracing::error!(error = %e, "dev outbox");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let mut items = String::new();
    for r in rows {
        let text = app::domain::notify::render(&r.template, &r.params(), r.lang())
            .unwrap_or_else(|| format!("({})", r.template));
        items.push_str(&format!(
            "<li class=\"message\" data-recipient=\"{to}\" data-template=\"{tpl}\" data-status=\"{st}\"><p><strong>{ch} → {to}</strong> · {at} · {st} · {n} 次尝试</p><p class=\"text\">{text}</p></li>",
            to = escape(&r.recipient),
            tpl = escape(&r.template),
            st = escape(&r.status),
            ch = escape(&r.channel),
            at = app::views::local_time(r.created_at),
            n = r.attempts,
            text = escape(&text),
        ));
    }
    let body = format!(
        "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><meta name=\"robots\" content=\"noindex\"><title>开发用发件箱 · Development outbox</title></head><body><h1>开发用发件箱 · Development outbox</h1><p>仅供开发测试：最近 50 条消息（含验证码）。Development only: the 50 most recent messages, codes included.</p><ol>{items}</ol></body></html>"
    );
    let mut res = Html(body).into_response();
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}
