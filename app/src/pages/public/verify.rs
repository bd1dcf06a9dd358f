//! /verify: is this electronic certificate or proof genuine and still valid?
//! For a bank, a buyer or a court holding a phone's PDF: by the code printed
//! on it (or its QR code), or by the file itself. Plain GET and a plain form:
//! no JavaScript needed.

use crate::api::public::verify::{verify_code, verify_file_result};
use crate::components::forms::bi;
use crate::components::language::current_lang;
use crate::domain::ecert::{format_code, EcertStatus, Verified};
use crate::domain::Lang;
use crate::error::AppError;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn EcertCheckPage() -> impl IntoView {
    let query = use_query_map();
    let code = move || query.with(|q| q.get("code")).unwrap_or_default();
    // Shown only to the browser that uploaded (a signed cookie), never on
    // the strength of the address: `?file=same` alone shows nothing.
    let file = Resource::new(code, |code| async move {
        verify_file_result(code)
            .await
            .ok()
            .flatten()
            .unwrap_or_default()
    });
    let result = Resource::new(code, |code| async move {
        if code.trim().is_empty() {
            None
        } else {
            Some(verify_code(code).await)
        }
    });
    let file_note = move |file: String| {
        match file.as_str() {
        "same" => Some((
            true,
            "您上传的文件与登记机构签发的文件完全一致，未被改动。",
            "The file you uploaded is exactly the one the centre issued; it has not been changed.",
        )),
        "unknown" => Some((
            false,
            "您上传的文件不是登记机构签发的电子证照，或已被改动（哪怕一个字节）。请向持证人索取原文件，或以验证码查验。",
            "The file you uploaded is not an electronic certificate issued by the centre, or it has been changed (even by one byte). Ask the holder for the original file, or check by the code.",
        )),
        "invalid" => Some((
            false,
            "请选择一个 PDF 文件（不超过 5 MB）。",
            "Choose a PDF file (at most 5 MB).",
        )),
        _ => None,
    }
    };
    view! {
        <crate::components::layout::PageTitle
            zh="电子证照查验"
            en="Verify an electronic certificate"
        />
        <h1>{bi("电子证照查验", "Verify an electronic certificate")}</h1>
        <p class="lead">
            {bi(
                "输入证照上的 16 位验证码，或扫描其二维码，查看它是否由登记机构签发、是否仍然有效。无需登录。",
                "Enter the 16-character code printed on the certificate, or scan its QR code, to see whether the centre issued it and whether it is still valid. No sign-in needed.",
            )}
        </p>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                file_note(file.await)
                    .map(|(ok, zh, en)| {
                        view! {
                            <p
                                class=if ok { "notice notice--ok" } else { "notice notice--error" }
                                role=if ok { "status" } else { "alert" }
                                data-testid="file-result"
                            >
                                {bi(zh, en)}
                            </p>
                        }
                    })
            })}
        </Suspense>
        <form method="get" action="/verify" class="form">
            <div class="field">
                <label for="code">{bi("验证码", "Verification code")}</label>
                <p class="hint" id="code-hint">
                    {bi("例如 7KQM-3RTX-9ABC-DEFG", "e.g. 7KQM-3RTX-9ABC-DEFG")}
                </p>
                <input
                    id="code"
                    name="code"
                    type="text"
                    autocomplete="off"
                    autocapitalize="characters"
                    maxlength="40"
                    aria-describedby="code-hint"
                    prop:value=code
                    value=code
                />
            </div>
            <button type="submit" class="button">
                {bi("查验", "Verify")}
            </button>
        </form>
        <Suspense fallback=|| {
            view! { <p class="muted">"…"</p> }
        }>
            {move || Suspend::new(async move {
                match result.await {
                    None => ().into_any(),
                    Some(Ok(v)) => view! { <VerifiedFacts v /> }.into_any(),
                    Some(
                        Err(e @ (AppError::Unavailable { .. } | AppError::RateLimited { .. })),
                    ) => {
                        crate::components::respond::respond_error(&e);
                        view! {
                            <p
                                class="notice notice--error"
                                role="alert"
                                data-testid="verify-result"
                            >
                                {bi(
                                    "暂时无法查验（查询过于频繁或系统繁忙），请稍后再试。",
                                    "Verification is unavailable for a moment (too many checks, or the system is busy); please try again shortly.",
                                )}
                            </p>
                        }
                            .into_any()
                    }
                    Some(Err(_)) => {
                        view! {
                            <p
                                class="notice notice--error"
                                role="alert"
                                data-testid="verify-result"
                            >
                                {bi(
                                    "没有这个验证码对应的电子证照。请核对验证码；若仍查不到，该文件不是本登记机构签发的。",
                                    "No electronic certificate has this code. Check the code; if it still is not found, the document was not issued by this centre.",
                                )}
                            </p>
                        }
                            .into_any()
                    }
                }
            })}
        </Suspense>
        <section class="verify-file">
            <h2>{bi("核对文件是否被改动", "Check that a file is unchanged")}</h2>
            <p>
                {bi(
                    "上传持证人给您的 PDF 文件：只有与登记机构签发的文件逐字节一致时，才会显示一致。文件只用于比对，不会保存。",
                    "Upload the PDF the holder gave you: it matches only when it is byte for byte the file the centre issued. The file is only compared, never kept.",
                )}
            </p>
            <form method="post" action="/verify/file" enctype="multipart/form-data" class="form">
                <div class="field">
                    <label for="file">{bi("PDF 文件", "PDF file")}</label>
                    <input id="file" name="file" type="file" accept="application/pdf,.pdf" />
                </div>
                <button type="submit" class="button button--secondary">
                    {bi("核对文件", "Check the file")}
                </button>
            </form>
            <p class="muted">
                {bi("登记机构电子印章的公钥：", "The centre's seal public key: ")}
                <a href="/verify/key">"/verify/key"</a>
            </p>
        </section>
    }
}

#[component]
fn VerifiedFacts(v: Verified) -> impl IntoView {
    let status = v.status;
    let ok = status == EcertStatus::Valid && v.seal_ok;
    let holders = v
        .holders
        .iter()
        .map(|h| {
            if h.share.is_empty() {
                h.name.clone()
            } else {
                format!("{}（{}）", h.name, h.share)
            }
        })
        .collect::<Vec<_>>()
        .join("、");
    let kind = v.kind;
    let proof = kind == crate::domain::ecert::EcertKind::Proof;
    // A register query result states what was registered at a moment, for
    // the person queried.
    let query = kind == crate::domain::ecert::EcertKind::RegisterResult;
    let reason = v.reason.clone();
    let changed = v.changed_on.clone();
    view! {
        <section class="track-result" data-testid="verify-result">
            <p
                class=if ok { "notice notice--ok" } else { "notice notice--error" }
                role="status"
                data-testid="verify-status"
                data-status=status.code()
            >
                {move || {
                    let lang = current_lang();
                    if !v.seal_ok {
                        return if lang == Lang::Zh {
                            "印章核验失败：记录与登记机构的电子印章不符，请勿采信。"
                                .to_string()
                        } else {
                            "The seal does not check: this record does not match the centre's seal; do not rely on it."
                                .to_string()
                        };
                    }
                    let mut s = status.label(lang).to_string();
                    if !changed.is_empty() {
                        s.push_str(
                            &if lang == Lang::Zh {
                                format!("（{changed}）")
                            } else {
                                format!(" ({changed})")
                            },
                        );
                    }
                    if !reason.is_empty() {
                        s.push_str(if lang == Lang::Zh { "原因：" } else { " Reason: " });
                        s.push_str(&reason);
                    }
                    s
                }}
            </p>
            <h2>{move || kind.label(current_lang())}</h2>
            <dl class="facts">
                {(!query)
                    .then(|| {
                        view! {
                            <dt>{bi("证号", "Number")}</dt>
                            <dd class="wrap-anywhere">{v.number.clone()}</dd>
                        }
                    })}
                <dt>
                    {if query {
                        bi("查询事项", "Query")
                    } else {
                        bi("登记事项", "Registration")
                    }}
                </dt> <dd>{v.matter.clone()}</dd>
                <dt>
                    {if query {
                        bi("查询对象", "Person queried")
                    } else if proof {
                        bi("权利人（申请人）", "Right holder (applicant)")
                    } else {
                        bi("权利人", "Holders")
                    }}
                </dt> <dd>{holders}</dd> <dt>{bi("不动产单元号", "Unit number")}</dt>
                <dd class="wrap-anywhere">{v.unit_number.clone()}</dd>
                <dt>{bi("坐落", "Address")}</dt> <dd>{v.address.clone()}</dd>
                <dt>
                    {if query {
                        bi("查询时间", "Queried at")
                    } else {
                        bi("登记日期", "Registered on")
                    }}
                </dt> <dd>{v.issued_on.clone()}</dd> <dt>{bi("登记机构", "Issued by")}</dt>
                <dd>{v.issuer.clone()}</dd> <dt>{bi("验证码", "Code")}</dt>
                <dd class="receipt">{format_code(&v.code)}</dd>
            </dl>
        </section>
    }
}
