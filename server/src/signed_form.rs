//! The signed application form (电子签名申请书): the application's
//! canonical content hash, every signer's record (who, as which party, how
//! their identity was verified, when, and whether their signature is on the
//! form as it stands now), sealed by the centre's key. For the case's
//! people and its staff:
//! - `GET /applications/{id}/signed-form.json`: `{statement, signature, key_id}`,
//!   checkable offline with the key at `/verify/key`;
//! - `GET /applications/{id}/signed-form`: the same as a PDF.
#![allow(clippy::result_large_err)]

use crate::documents::{internal, may_read_application};
use crate::AppState;
use app::error::AppError;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/applications/{id}/signed-form.json", get(as_json))
        .route("/applications/{id}/signed-form", get(as_pdf))
}

#[derive(Debug, Clone, Serialize)]
pub struct Signer {
    pub role: String,
    pub name: String,
    pub id_masked: String,
    /// `online` (the person), `window` (in person, ID checked), `filing`.
    pub channel: String,
    /// 0 the SMS code only, 1 real name, 2 face.
    pub identity_level: i64,
    pub identity_method: String,
    pub signed_at: String,
    /// The content hash they signed.
    pub form_sha256: String,
    /// Their signature is on the form as it stands (a changed application
    /// needs signing again).
    pub counts: bool,
}

/// What the seal signs, as canonical JSON (fields in this order).
#[derive(Debug, Clone, Serialize)]
pub struct SignedForm {
    pub v: u32,
    pub kind: &'static str,
    pub receipt_no: String,
    pub matter: String,
    pub unit_number: String,
    pub address: String,
    /// SHA-256 of the application's canonical content now.
    pub form_sha256: String,
    pub signers: Vec<Signer>,
    pub sealed_at: String,
    pub key_id: String,
}

async fn build(st: &AppState, id: &str) -> Result<(SignedForm, String), Response> {
    let row = app::db::application_row(&st.db, id)
        .await
        .map_err(|e| internal("application", e))?
        .ok_or_else(|| AppError::NotFound.into_response())?;
    if row.status == "draft" {
        return Err(AppError::NotFound.into_response());
    }
    let p = app::ops::people::people(&st.db, id)
        .await
        .map_err(|e| e.into_response())?;
    let draft: app::domain::application::Draft =
        serde_json::from_str(&row.draft).unwrap_or_default();
    let matter = app::db::list_matters(&st.db)
        .await
        .map_err(|e| internal("matters", e))?
        .into_iter()
        .find(|m| m.code == row.matter_code)
        .map(|m| m.name_zh)
        .unwrap_or(row.matter_code.clone());
    let rows: Vec<(i64, String, String, i64, String, i64)> = app::fetch_all!(
        &st.db,
        (i64, String, String, i64, String, i64),
        "SELECT CAST(party_idx AS BIGINT), content_hash, channel, identity_level, identity_method, at
           FROM party_confirmations WHERE application_id = $1 AND kind = 'confirmed'
          ORDER BY at, party_idx",
        id
    )
    .map_err(|e| internal("confirmations", e))?;
    let signers = rows
        .into_iter()
        .filter_map(|(idx, hash, channel, level, method, at)| {
            let party = p.parties.iter().find(|x| x.idx == idx)?;
            Some(Signer {
                role: party.role.clone(),
                name: party.name.clone(),
                id_masked: app::api::citizen::applications::mask_id(&party.id_number),
                channel,
                identity_level: level,
                identity_method: method,
                signed_at: app::views::local_time(at),
                counts: hash == p.hash,
                form_sha256: hash,
            })
        })
        .collect();
    let form = SignedForm {
        v: 1,
        kind: "signed_application_form",
        receipt_no: row.receipt_no.clone().unwrap_or_default(),
        matter,
        unit_number: draft.property.unit_number.clone(),
        address: draft.property.address.clone(),
        form_sha256: p.hash.clone(),
        signers,
        sealed_at: app::views::local_time(app::db::now_ms()),
        key_id: st.services.seal.key_id().to_string(),
    };
    let canonical = serde_json::to_string(&form).map_err(|e| internal("canonical", e))?;
    let signature = st.services.seal.sign(canonical.as_bytes());
    Ok((form, signature))
}

async fn as_json(
    State(st): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Err(r) = may_read_application(&st, &headers, Some(&id)).await {
        return r;
    }
    match build(&st, &id).await {
        Ok((form, signature)) => {
            let statement = serde_json::to_string(&form).unwrap_or_default();
            let mut res = Json(serde_json::json!({
                "statement": statement,
                "signature": signature,
                "key_id": form.key_id,
            }))
            .into_response();
            res.headers_mut().insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, no-store"),
            );
            res
        }
        Err(r) => r,
    }
}

fn level_words(level: i64, method: &str, channel: &str) -> String {
    match (channel, level) {
        ("window", _) => "窗口当面核验身份证件".into(),
        ("filing", _) => "申请人本人提交".into(),
        (_, 2) => format!("人脸识别实名核验（{method}）"),
        (_, 1) => format!("实名核验（{method}）"),
        _ => "短信验证码".into(),
    }
}

async fn as_pdf(
    State(st): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Err(r) = may_read_application(&st, &headers, Some(&id)).await {
        return r;
    }
    let (form, signature) = match build(&st, &id).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let mut paragraphs = vec![format!(
        "本申请书内容的 SHA-256：{}。以下当事人已在线确认（电子签名）；“有效”表示其签名对应本申请书当前内容，申请内容变更后需重新签名。",
        form.form_sha256
    )];
    for (i, s) in form.signers.iter().enumerate() {
        paragraphs.push(format!(
            "{}. {}（{}，{}）：{}，{}；签名内容 SHA-256 {}…；{}",
            i + 1,
            s.name,
            app::components::labels::role_label(&s.role, app::domain::Lang::Zh),
            s.id_masked,
            level_words(s.identity_level, &s.identity_method, &s.channel),
            s.signed_at,
            &s.form_sha256[..16.min(s.form_sha256.len())],
            if s.counts {
                "有效"
            } else {
                "已失效（内容已变更）"
            }
        ));
    }
    paragraphs.push(format!(
        "登记机构电子签章（Ed25519，密钥 {}）：{}",
        form.key_id, signature
    ));
    let letter = app::domain::letter::Letter {
        kind: None,
        title: "不动产登记申请书（电子签名）".into(),
        subtitle: "Application form, signed electronically".into(),
        number: form.receipt_no.clone(),
        fields: vec![
            ("登记事项".into(), form.matter.clone()),
            ("不动产单元号".into(), form.unit_number.clone()),
            ("坐落".into(), form.address.clone()),
            ("签章时间".into(), form.sealed_at.clone()),
        ],
        paragraphs,
        issuer: vec!["不动产登记中心".into()],
        date: form.sealed_at.clone(),
        qr_url: format!("{}/verify/key", st.services.policy.public_url),
        qr_caption: "登记机构公钥（离线核验签章）".into(),
    };
    let Some(font) = crate::letters::font() else {
        return AppError::Unavailable {
            retry_after_secs: 60,
        }
        .into_response();
    };
    let pdf =
        match tokio::task::spawn_blocking(move || crate::letters::render(&letter, &font)).await {
            Ok(Ok(pdf)) => pdf,
            Ok(Err(e)) => return internal("render", e),
            Err(e) => return internal("render task", e),
        };
    let mut res = pdf.into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/pdf"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"signed-form.pdf\""),
    );
    res
}
