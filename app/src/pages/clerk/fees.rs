//! The administrators' fee editor (`/staff/fees`): each simple matter's
//! registration fee (residential, non-residential) and extra-certificate
//! cost; combined matters show the sum of their parts.

use crate::api::clerk::signin::current_staff_member;
use crate::api::public::matters::list_matters;
use crate::components::forms::{bi, zh_en};
use crate::components::language::current_lang;
use crate::components::page_data::{PageData, SignIn};
use crate::domain::fees::{yuan, FeeItem};
use crate::error::AppError;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn FeesPage() -> impl IntoView {
    // Administrators only: staff of another role are told so.
    let data = Resource::new(
        || (),
        |_| async {
            let me = current_staff_member()
                .await?
                .ok_or(AppError::Unauthorized)?;
            if me.role != "admin" {
                return Err(AppError::Forbidden);
            }
            Ok::<_, AppError>((me, list_matters().await.unwrap_or_default()))
        },
    );
    let query = use_query_map();
    let ok = query.with_untracked(|q| q.get("ok").is_some());
    let error = query.with_untracked(|q| q.get("error").is_some());
    view! {
        <crate::components::layout::PageTitle zh="收费标准" en="Fees" />
        <p class="breadcrumb">
            <a href="/staff/admin">{bi("← 账户管理", "← Accounts")}</a>
        </p>
        <h1>{bi("收费标准", "Fees")}</h1>
        {ok
            .then(|| {
                view! {
                    <p class="notice" role="status">
                        {bi("已保存。", "Saved.")}
                    </p>
                }
            })}
        {error
            .then(|| {
                view! {
                    <p class="notice notice--error" role="alert">
                        {bi(
                            "金额：请填写元，如 80 或 80.00（不能为负数）。",
                            "Amounts: enter yuan, e.g. 80 or 80.00 (not negative).",
                        )}
                    </p>
                }
            })}
        <p class="muted">
            {bi(
                "按件收取：住宅、非住宅登记费，每增加一本证书收工本费。组合办的费用为各子事项之和。修改对此后缴费的案件生效。",
                "Per case: the registration fee by use, and a cost for each certificate beyond the first. A combined matter costs the sum of its parts. A change applies to fees paid from now on.",
            )}
        </p>
        <PageData data sign_in=SignIn::Staff let:loaded>
            {
                let (me, list) = loaded;
                view! {
                    <ul class="plain-list fee-list">
                        {list
                            .into_iter()
                            .map(|m| {
                                let (zh, en) = (m.name_zh.clone(), m.name_en.clone());
                                let amount = |item: FeeItem| {
                                    yuan(
                                        m
                                            .fees
                                            .iter()
                                            .filter(|l| l.item == item)
                                            .map(|l| l.amount_fen)
                                            .sum(),
                                    )
                                };
                                let (r, n, x) = (
                                    amount(FeeItem::Residential),
                                    amount(FeeItem::NonResidential),
                                    amount(FeeItem::ExtraCertificate),
                                );
                                let code = m.code.clone();
                                let (visit_needed, level) = (m.visit_required, m.identity_level);
                                view! {
                                    <li id=format!("fee-{code}")>
                                        <h2>{move || zh_en(current_lang(), &zh, &en)}</h2>
                                        <form
                                            method="post"
                                            action="/api/matters/set_mode"
                                            class="form"
                                            data-testid=format!("mode-{code}")
                                        >
                                            <input type="hidden" name="csrf" value=me.csrf.clone() />
                                            <input type="hidden" name="matter" value=code.clone() />
                                            <div class="field">
                                                <label for=format!(
                                                    "visit-{code}",
                                                )>{bi("办理方式", "How it is done")}</label>
                                                <select id=format!("visit-{code}") name="visit">
                                                    <option value="needed" selected=visit_needed>
                                                        {bi(
                                                            "需到场一次（最多跑一次）",
                                                            "One visit (at most once)",
                                                        )}
                                                    </option>
                                                    <option value="none" selected=!visit_needed>
                                                        {bi(
                                                            "无需到场（一次不用跑）",
                                                            "No visit (zero trips)",
                                                        )}
                                                    </option>
                                                </select>
                                            </div>
                                            <div class="field">
                                                <label for=format!(
                                                    "identity-{code}",
                                                )>
                                                    {bi(
                                                        "网上确认的身份核验",
                                                        "Identity check for online confirmation",
                                                    )}
                                                </label>
                                                <select id=format!("identity-{code}") name="identity">
                                                    <option value="0" selected=level == 0>
                                                        {bi("短信验证码", "SMS code")}
                                                    </option>
                                                    <option value="1" selected=level == 1>
                                                        {bi("实名核验", "Real-name check")}
                                                    </option>
                                                    <option value="2" selected=level == 2>
                                                        {bi("人脸识别", "Face check")}
                                                    </option>
                                                </select>
                                            </div>
                                            <button type="submit" class="button button--secondary">
                                                {bi("保存办理方式", "Save how it is done")}
                                            </button>
                                        </form>
                                        {if m.parts.is_empty() {
                                            view! {
                                                <form
                                                    method="post"
                                                    action="/api/matters/set_fees"
                                                    class="form fee-form"
                                                >
                                                    <input type="hidden" name="csrf" value=me.csrf.clone() />
                                                    <input type="hidden" name="matter" value=code.clone() />
                                                    <FeeInput
                                                        code=code.clone()
                                                        item=FeeItem::Residential
                                                        value=r
                                                    />
                                                    <FeeInput
                                                        code=code.clone()
                                                        item=FeeItem::NonResidential
                                                        value=n
                                                    />
                                                    <FeeInput
                                                        code=code.clone()
                                                        item=FeeItem::ExtraCertificate
                                                        value=x
                                                    />
                                                    <button type="submit" class="button">
                                                        {bi("保存", "Save")}
                                                    </button>
                                                </form>
                                            }
                                                .into_any()
                                        } else {
                                            view! {
                                                <p class="muted">
                                                    {bi(
                                                        "组合办（各子事项之和）：住宅 ",
                                                        "Combined (sum of parts): residential ",
                                                    )} {r} {bi(" 元，非住宅 ", " yuan, non-residential ")}
                                                    {n} {bi(" 元", " yuan")}
                                                </p>
                                            }
                                                .into_any()
                                        }}
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
                    .into_any()
            }
        </PageData>
    }
}

#[component]
fn FeeInput(code: String, item: FeeItem, value: String) -> impl IntoView {
    let id = format!("{}-{code}", item.code());
    view! {
        <div class="field">
            <label for=id
                .clone()>{move || item.label(current_lang())} {bi("（元）", " (yuan)")}</label>
            <input
                id=id
                name=item.code()
                type="text"
                inputmode="decimal"
                maxlength="12"
                value=value
            />
        </div>
    }
}
