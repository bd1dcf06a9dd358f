//! An application that names the signed-in organisation (a bank as
//! mortgagee): the whole application to read, then confirm or object.

use crate::api::developer::case::{org_case, OrgCaseView};
use crate::components::forms::{bi, zh_en};
use crate::components::language::current_lang;
use crate::components::page_data::{PageData, SignIn};
use crate::domain::catalogue::PartyRole;
use crate::domain::people::Standing;
use crate::domain::Lang;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

fn message(code: &str, lang: Lang) -> String {
    let (zh, en) = match code {
        "confirmed" => (
            "本单位已确认。全部当事人确认后，登记中心将继续办理。",
            "Confirmed for the organisation. Once every party has confirmed, the centre goes on.",
        ),
        "objected" => (
            "异议已送达登记中心，案件已停止办理，工作人员将与贵单位联系。",
            "Your objection has reached the centre; the case is stopped and staff will contact you.",
        ),
        "changed" => (
            "申请内容刚刚有变更，请重新阅读后再确认。",
            "The application has just changed; read it again before confirming.",
        ),
        "objection_reason" => (
            "异议原因：请写明不同意的原因（不超过 500 字）。",
            "Reason for objecting: write why you do not agree (at most 500 characters).",
        ),
        "already" => (
            "本单位已经确认过这份申请。",
            "The organisation has already confirmed this application.",
        ),
        "already_objected" => (
            "本单位已提出异议，登记中心处理前不能再确认。",
            "The organisation has objected; it cannot confirm until the centre has dealt with it.",
        ),
        "closed" => (
            "案件已不在确认阶段；如有异议请联系登记中心。",
            "The case no longer takes confirmations; call the centre with any objection.",
        ),
        _ => ("操作未完成，请重试。", "That did not go through; try again."),
    };
    zh_en(lang, zh, en)
}

#[component]
pub fn OrgCasePage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id")).unwrap_or_default();
    let data = Resource::new(id, org_case);
    view! {
        <crate::components::layout::PageTitle zh="办件详情" en="Case" />
        <p class="breadcrumb">
            <a href="/developer#cases">{bi("← 单位首页", "← Organisation")}</a>
        </p>
        <PageData data=data sign_in=SignIn::Org let:c>
            <OrgCaseBody c />
        </PageData>
    }
}

#[component]
fn OrgCaseBody(c: OrgCaseView) -> impl IntoView {
    let query = use_query_map();
    let error = query.with_untracked(|q| q.get("error"));
    let ok = query.with_untracked(|q| q.get("ok"));
    let st = c.standing;
    let can_confirm = c.open && !matches!(st, Standing::Confirmed | Standing::Objected);
    let can_object = c.open && st != Standing::Objected;
    let (mz, me) = (c.matter_zh.clone(), c.matter_en.clone());
    let stage = c.stage.clone();
    let prop = c.property.clone();
    let (id, csrf, hash) = (c.id.clone(), c.csrf.clone(), c.hash.clone());
    let (id2, csrf2, hash2) = (id.clone(), csrf.clone(), hash.clone());
    view! {
        <h1>{move || zh_en(current_lang(), &mz, &me)}</h1>
        <p class="muted wrap-anywhere">
            {bi("回执号 ", "Receipt ")} {c.receipt.clone()} " · "
            {move || {
                if stage == "withdrawn" {
                    zh_en(current_lang(), "已撤回", "Withdrawn")
                } else {
                    crate::domain::case::Stage::from_code(&stage)
                        .map(|s| s.label(current_lang()).to_string())
                        .unwrap_or_default()
                }
            }}
        </p>
        <section id="confirm" class="confirm-panel" data-testid="org-confirm">
            {error
                .map(|code| {
                    view! {
                        <p class="notice notice--error" role="alert">
                            {move || message(&code, current_lang())}
                        </p>
                    }
                })}
            {ok
                .map(|code| {
                    view! {
                        <p class="notice" role="status">
                            {move || message(&code, current_lang())}
                        </p>
                    }
                })}
            <p data-testid="org-standing">
                {bi("本单位的确认状态：", "The organisation's confirmation: ")}
                <strong>{move || st.label(current_lang())}</strong>
                {c.answered_at.clone().map(|at| view! { <span class="muted">" " {at}</span> })}
            </p>
            {(!c.note.is_empty())
                .then(|| {
                    view! {
                        <p class="field-error">{bi("异议：", "Objection: ")} {c.note.clone()}</p>
                    }
                })}
        </section>
        <h2>{bi("不动产", "The property")}</h2>
        <dl class="facts">
            <dt>{bi("不动产单元号", "Property unit number")}</dt>
            <dd class="wrap-anywhere">{prop.unit_number.clone()}</dd>
            <dt>{bi("不动产权证书号", "Certificate number")}</dt>
            <dd class="wrap-anywhere">{prop.certificate_number.clone()}</dd>
            <dt>{bi("坐落", "Address")}</dt>
            <dd>{prop.address.clone()}</dd>
            {(!prop.secured_amount.is_empty())
                .then(|| {
                    view! {
                        <dt>{bi("被担保主债权数额", "Secured amount")}</dt>
                        <dd>{format!("{} 元", prop.secured_amount)}</dd>
                    }
                })}
        </dl>
        <h2>{bi("当事人", "Parties")}</h2>
        <ul class="cards" data-testid="org-case-parties">
            {c
                .parties
                .iter()
                .map(|p| {
                    let role = PartyRole::from_code(&p.role);
                    view! {
                        <li class="card">
                            <strong>{p.name.clone()}</strong>
                            {p
                                .ours
                                .then(|| {
                                    view! { <span class="tag">{bi("本单位", "Us")}</span> }
                                })}
                            <p class="muted wrap-anywhere">
                                {move || role.map(|r| r.name(current_lang())).unwrap_or_default()}
                                " · " {p.id_number.clone()}
                                {(!p.share.is_empty()).then(|| format!(" · {}", p.share))}
                            </p>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
        <h2>{bi("已上传的材料", "Documents uploaded")}</h2>
        {if c.documents.is_empty() {
            view! { <p class="muted">{bi("没有上传材料。", "No document uploaded.")}</p> }
                .into_any()
        } else {
            view! {
                <ul class="plain-list">
                    {c
                        .documents
                        .iter()
                        .map(|(zh, en, file)| {
                            let (zh, en) = (zh.clone(), en.clone());
                            view! {
                                <li class="wrap-anywhere">
                                    {move || zh_en(current_lang(), &zh, &en)} "：" {file.clone()}
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            }
                .into_any()
        }}
        <h2>{bi("确认或提出异议", "Confirm or object")}</h2>
        <p>
            {bi(
                "上面是申请的全部内容。内容属实、本单位同意办理，请点“确认”；如不同意，请写明原因并提出异议，案件将停止办理，登记中心的负责人会收到提醒。",
                "Above is the whole application. If it is right and the organisation agrees, press Confirm; if not, write why and object: the case stops and the centre's supervisors are alerted.",
            )}
        </p>
        {can_confirm
            .then(|| {
                view! {
                    <form method="post" action="/api/org/confirm" class="form">
                        <input type="hidden" name="id" value=id.clone() />
                        <input type="hidden" name="csrf" value=csrf.clone() />
                        <input type="hidden" name="hash" value=hash.clone() />
                        <input type="hidden" name="decision" value="confirm" />
                        <button type="submit" class="button" data-testid="org-confirm-button">
                            {bi(
                                "确认（本单位同意办理）",
                                "Confirm (the organisation agrees)",
                            )}
                        </button>
                    </form>
                }
            })}
        {can_object
            .then(|| {
                view! {
                    <form method="post" action="/api/org/confirm" class="form" id="objection">
                        <input type="hidden" name="id" value=id2.clone() />
                        <input type="hidden" name="csrf" value=csrf2.clone() />
                        <input type="hidden" name="hash" value=hash2.clone() />
                        <input type="hidden" name="decision" value="object" />
                        <div class="field">
                            <label for="reason">{bi("异议原因", "Reason for objecting")}</label>
                            <textarea id="reason" name="reason" rows="3" maxlength="500"></textarea>
                        </div>
                        <button type="submit" class="button button--secondary">
                            {bi(
                                "提出异议（案件将停止办理）",
                                "Object (the case stops)",
                            )}
                        </button>
                    </form>
                }
            })}
        {(!c.open)
            .then(|| {
                view! {
                    <p class="muted">
                        {bi(
                            "这份申请已不在确认阶段。",
                            "This application no longer takes confirmations.",
                        )}
                    </p>
                }
            })}
    }
}
