//! /staff/admin: staff accounts (administrators).

use crate::api::clerk::admin::list_staff;
use crate::api::clerk::signin::current_staff_member;
use crate::components::forms::{bi, zh_en};
use crate::components::language::current_lang;
use crate::components::page_data::{PageData, SignIn};
use crate::components::staff::*;
use crate::domain::case::Role;
use crate::error::AppError;
use leptos::prelude::*;

/// `/staff/admin`: accounts (administrators only).
#[component]
pub fn AdminPage() -> impl IntoView {
    // One resource for the page: the signed-in administrator, the accounts,
    // the sites (an empty list if they cannot be read).
    let data = Resource::new(
        || (),
        |_| async {
            let me = current_staff_member()
                .await?
                .ok_or(AppError::Unauthorized)?;
            let staff = list_staff().await?;
            let sites = crate::api::public::sites::list_sites()
                .await
                .unwrap_or_default();
            Ok::<_, AppError>((me, staff, sites))
        },
    );
    view! {
        <crate::components::layout::PageTitle zh="账户管理" en="Accounts" />
        <PageData data sign_in=SignIn::Staff let:loaded>
            {
                let (me, staff, sites) = loaded;
                let csrf = me.csrf.clone();
                view! {
                    <StaffBar me />
                    <h1>{bi("账户管理", "Accounts")}</h1>
                    <p>
                        <a href="/staff/calendar">
                            {bi("工作日历（节假日与调休）", "Working-day calendar")}
                        </a>
                    </p>
                    <p>
                        <a href="/staff/orgs">
                            {bi(
                                "单位审核（开发企业、银行）",
                                "Organisations (developers, banks)",
                            )}
                        </a>
                    </p>
                    <p>
                        <a href="/staff/fees">{bi("收费标准", "Fees")}</a>
                    </p>
                    <p>
                        <a href="/staff/help">{bi("常见问题管理", "Help articles")}</a>
                    </p>
                    <details data-testid="site-links">
                        <summary>
                            {bi(
                                "办理点设置（地址、办公时段、预约窗口）",
                                "Sites (address, hours, booking windows)",
                            )}
                        </summary>
                        <ul>
                            {sites
                                .iter()
                                .map(|s| {
                                    let (zh, en) = (s.name_zh.clone(), s.name_en.clone());
                                    view! {
                                        <li>
                                            <a href=format!(
                                                "/staff/sites/{}",
                                                s.code,
                                            )>{move || zh_en(current_lang(), &zh, &en)}</a>
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    </details>
                    <QueryMessage />
                    <table class="cases">
                        <thead>
                            <tr>
                                <th>{bi("用户名", "Username")}</th>
                                <th>{bi("姓名", "Name")}</th>
                                <th>{bi("角色", "Role")}</th>
                                <th>{bi("网点", "Sites")}</th>
                                <th>{bi("状态", "Status")}</th>
                            </tr>
                        </thead>
                        <tbody>
                            {staff
                                .into_iter()
                                .map(|s| {
                                    let role = Role::from_code(&s.role);
                                    let csrf = csrf.clone();
                                    view! {
                                        <tr>
                                            <td>{s.username.clone()}</td>
                                            <td>{s.name.clone()}</td>
                                            <td>
                                                {move || {
                                                    role.map(|r| r.label(current_lang())).unwrap_or_default()
                                                }}
                                            </td>
                                            <td>{s.sites.join(", ")}</td>
                                            <td>
                                                {if s.active {
                                                    bi("启用", "Active")()
                                                } else {
                                                    bi("已停用", "Disabled")()
                                                }} {s.locked.then(|| bi("（锁定中）", " (locked)")())}
                                                <form
                                                    method="post"
                                                    action="/api/staff/set_active"
                                                    class="inline-form"
                                                >
                                                    <input type="hidden" name="csrf" value=csrf />
                                                    <input type="hidden" name="id" value=s.id.clone() />
                                                    <input
                                                        type="hidden"
                                                        name="active"
                                                        value=if s.active { "0" } else { "1" }
                                                    />
                                                    <button type="submit" class="button button--link">
                                                        {if s.active {
                                                            bi("停用", "Disable")()
                                                        } else {
                                                            bi("启用", "Enable")()
                                                        }}
                                                    </button>
                                                </form>
                                            </td>
                                        </tr>
                                    }
                                })
                                .collect_view()}
                        </tbody>
                    </table>
                    <h2>{bi("新建账户", "New account")}</h2>
                    <form method="post" action="/api/staff/create" class="form">
                        <input type="hidden" name="csrf" value=csrf.clone() />
                        <div class="field">
                            <label for="new-username">{bi("用户名", "Username")}</label>
                            <input id="new-username" name="username" required=true />
                        </div>
                        <div class="field">
                            <label for="new-name">{bi("姓名", "Name")}</label>
                            <input id="new-name" name="name" required=true />
                        </div>
                        <div class="field">
                            <label for="new-role">{bi("角色", "Role")}</label>
                            <select id="new-role" name="role">
                                {[Role::Clerk, Role::Reviewer, Role::Supervisor, Role::Admin]
                                    .into_iter()
                                    .map(|r| {
                                        view! {
                                            <option value=r
                                                .code()>{move || r.label(current_lang())}</option>
                                        }
                                    })
                                    .collect_view()}
                            </select>
                        </div>
                        <div class="field">
                            <label for="new-password">
                                {bi(
                                    "初始密码（至少 10 位）",
                                    "Initial password (10+ characters)",
                                )}
                            </label>
                            <input
                                id="new-password"
                                name="password"
                                type="password"
                                autocomplete="new-password"
                                required=true
                            />
                        </div>
                        <fieldset class="field">
                            <legend>{bi("服务网点", "Sites")}</legend>
                            {sites
                                .into_iter()
                                .map(|s| {
                                    let (zh, en) = (s.name_zh.clone(), s.name_en.clone());
                                    view! {
                                        <label class="check">
                                            <input
                                                type="checkbox"
                                                name=format!("f[site-{}]", s.code)
                                                value="1"
                                            />
                                            " "
                                            {move || zh_en(current_lang(), &zh, &en)}
                                        </label>
                                    }
                                })
                                .collect_view()}
                        </fieldset>
                        <button type="submit" class="button">
                            {bi("创建账户", "Create the account")}
                        </button>
                    </form>
                }
                    .into_any()
            }
        </PageData>
    }
}
