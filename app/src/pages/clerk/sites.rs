//! /staff/sites: a site's services, hours and slots (administrators).

use crate::api::clerk::sites::{get_site_admin, SiteAdmin, SLOT_MINUTES};
use crate::components::forms::{bi, zh_en};
use crate::components::language::current_lang;
use crate::components::page_data::{PageData, Refused, SignIn};
use crate::error::AppError;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

/// `/staff/sites/:code`: an administrator edits a site — its details, the
/// opening periods of a working day, and the booking windows per group.
#[component]
pub fn SiteAdminPage() -> impl IntoView {
    let params = use_params_map();
    let code = move || params.with(|p| p.get("code")).unwrap_or_default();
    let data = Resource::new(code, get_site_admin);
    view! {
        <crate::components::layout::PageTitle zh="网点管理" en="Site" />
        <p class="breadcrumb">
            <a href="/staff/admin">{bi("← 账户管理", "← Accounts")}</a>
        </p>
        <PageData data=data sign_in=SignIn::Staff refused=admins_only as Refused let:s>
            <SiteForm s />
        </PageData>
    }
}

#[component]
fn SiteForm(s: SiteAdmin) -> impl IntoView {
    let query = use_query_map();
    let (ok, error) = query.with_untracked(|q| (q.get("ok"), q.get("error")));
    let bad: Vec<String> = error
        .map(|e| e.split(',').map(str::to_string).collect())
        .unwrap_or_default();
    let is_bad = |f: &str| bad.iter().any(|b| b == f);
    let text_field = |name: &'static str, zh: &'static str, en: &'static str, value: String| {
        let invalid = is_bad(name);
        view! {
            <div class="field">
                <label for=name>{move || zh_en(current_lang(), zh, en)}</label>
                <input
                    id=name
                    name=name
                    value=value
                    required=true
                    aria-invalid=invalid.then_some("true")
                />
                {invalid
                    .then(|| {
                        view! {
                            <p class="field-error">
                                {bi(
                                    "请填写（200 字以内）",
                                    "Required (up to 200 characters)",
                                )}
                            </p>
                        }
                    })}
            </div>
        }
    };
    let (nzh, nen) = (s.name_zh.clone(), s.name_en.clone());
    view! {
        <h1>{move || zh_en(current_lang(), &nzh, &nen)}</h1>
        {ok
            .map(|_| {
                view! {
                    <p class="notice" role="status" data-testid="site-saved">
                        {bi(
                            "已保存。已有的预约不变，新的时段按新设置生成。",
                            "Saved. Existing bookings stay; new slots follow the new settings.",
                        )}
                    </p>
                }
            })}
        {(!bad.is_empty())
            .then(|| {
                view! {
                    <p class="notice notice--error" role="alert" data-testid="site-errors">
                        {bi("请修改标出的项目。", "Correct the marked fields.")}
                    </p>
                }
            })}
        <form method="post" action="/api/sites/admin_save" class="form">
            <input type="hidden" name="code" value=s.code.clone() />
            <input type="hidden" name="csrf" value=s.csrf.clone() />
            {text_field(
                "address_zh",
                "地址（中文）",
                "Address (Chinese)",
                s.address_zh.clone(),
            )}
            {text_field(
                "address_en",
                "地址（英文）",
                "Address (English)",
                s.address_en.clone(),
            )}
            {text_field("phone", "电话", "Phone", s.phone.clone())}
            {text_field(
                "hours_zh",
                "办公时间说明（中文）",
                "Opening hours text (Chinese)",
                s.hours_zh.clone(),
            )}
            {text_field(
                "hours_en",
                "办公时间说明（英文）",
                "Opening hours text (English)",
                s.hours_en.clone(),
            )}
            <div class="field">
                <label for="work_hours">
                    {bi(
                        "工作日办公时段（决定预约时段和按分钟计算的时限）",
                        "Opening periods of a working day (slots and minute deadlines follow them)",
                    )}
                </label>
                <input
                    id="work_hours"
                    name="work_hours"
                    value=s.work_hours.clone()
                    required=true
                    aria-invalid=is_bad("work_hours").then_some("true")
                    aria-describedby="work_hours-hint"
                />
                <p class="muted" id="work_hours-hint">
                    {bi(
                        "如 08:30-12:00,13:30-17:00；中午不休息写 08:30-17:00。哪些日子上班由工作日历决定。",
                        "E.g. 08:30-12:00,13:30-17:00; open through lunch: 08:30-17:00. The working-day calendar decides which days open.",
                    )}
                </p>
                {is_bad("work_hours")
                    .then(|| {
                        view! {
                            <p class="field-error">
                                {bi(
                                    "格式如 08:30-12:00,13:30-17:00（按时间先后，不重叠）",
                                    "Like 08:30-12:00,13:30-17:00 (in order, not overlapping)",
                                )}
                            </p>
                        }
                    })}
            </div>
            <div class="field">
                <label for="map_url">
                    {bi("地图链接（可不填）", "Map link (optional)")}
                </label>
                <input
                    id="map_url"
                    name="map_url"
                    type="url"
                    value=s.map_url.clone()
                    aria-invalid=is_bad("map_url").then_some("true")
                />
                {is_bad("map_url")
                    .then(|| {
                        view! {
                            <p class="field-error">
                                {bi("应以 https:// 开头", "Starts with https://")}
                            </p>
                        }
                    })}
            </div>
            <table class="cases" data-testid="site-services">
                <thead>
                    <tr>
                        <th>{bi("窗口类别", "Windows")}</th>
                        <th>{bi("窗口数（0 = 不提供）", "Windows (0 = none)")}</th>
                        <th>{bi("每个时段（分钟）", "Slot (minutes)")}</th>
                    </tr>
                </thead>
                <tbody>
                    {s
                        .services
                        .iter()
                        .map(|(group, windows, minutes)| {
                            let g = group.clone();
                            let invalid = is_bad(&format!("{group}_windows"));
                            let minutes = *minutes;
                            view! {
                                <tr>
                                    <td>
                                        <label for=format!(
                                            "{group}_windows",
                                        )>
                                            {move || crate::domain::booking::group_label(
                                                &g,
                                                current_lang(),
                                            )}
                                        </label>
                                    </td>
                                    <td>
                                        <input
                                            id=format!("{group}_windows")
                                            name=format!("{group}_windows")
                                            type="number"
                                            min="0"
                                            max="50"
                                            inputmode="numeric"
                                            value=windows.to_string()
                                            aria-invalid=invalid.then_some("true")
                                        />
                                    </td>
                                    <td>
                                        <select
                                            name=format!("{group}_minutes")
                                            aria-label=format!("{group} minutes")
                                        >
                                            {SLOT_MINUTES
                                                .iter()
                                                .map(|m| {
                                                    view! {
                                                        <option value=m.to_string() selected=*m == minutes>
                                                            {m.to_string()}
                                                        </option>
                                                    }
                                                })
                                                .collect_view()}
                                        </select>
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
            <button type="submit" class="button" data-testid="site-save">
                {bi("保存", "Save")}
            </button>
        </form>
    }
}

/// Sites are edited by administrators: anyone else is told so.
fn admins_only(e: &AppError) -> Option<AnyView> {
    matches!(e, AppError::Forbidden).then(|| {
        view! {
            <p class="notice notice--error" role="alert">
                {bi("仅管理员可以修改办理点。", "Only administrators edit sites.")}
            </p>
        }
        .into_any()
    })
}
