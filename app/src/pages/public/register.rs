//! The register's pages: `/me/register` (an owner's units, after an
//! identity check; the sealed proof of registration), `/staff/register`
//! (a unit's whole history, for staff; every query audited) and
//! `/developer/mortgages` (a bank's registered mortgages). Plain GET forms
//! and form posts: everything works without JavaScript.

use crate::api::clerk::signin::current_staff_member;
use crate::api::public::register::{
    my_mortgages, my_register, unit_history, EntryView, UnitView, VerifyForRegister,
};
use crate::components::forms::{bi, zh_en};
use crate::components::language::current_lang;
use crate::components::page_data::{PageData, SignIn};
use crate::components::staff::StaffBar;
use crate::error::AppError;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
fn EntryItem(e: EntryView, staff: bool) -> impl IntoView {
    let (zh, en) = (e.kind_zh.clone(), e.kind_en.clone());
    let ended = e.valid_to.is_some();
    view! {
        <li class:history=ended data-testid=format!("entry-{}", e.kind)>
            <strong>{move || zh_en(current_lang(), &zh, &en)}</strong>
            " "
            {if ended {
                bi("（历史）", "(history)")().into_any()
            } else {
                bi("（现势）", "(current)")().into_any()
            }}
            <br />
            <span>{e.holders.clone()}</span>
            {(!e.amount.is_empty())
                .then(|| {
                    view! {
                        <br />
                        {bi("债权数额：", "Secured amount: ")}
                        {format!("{} 元", e.amount)}
                    }
                })}
            {(!e.obligors.is_empty())
                .then(|| {
                    view! {
                        <br />
                        {bi("义务人：", "Obligors: ")}
                        {e.obligors.clone()}
                    }
                })}
            {(!e.certificate_no.is_empty())
                .then(|| {
                    view! {
                        <br />
                        {bi("证书号：", "Certificate: ")}
                        <span class="wrap-anywhere">{e.certificate_no.clone()}</span>
                    }
                })}
            {(!e.note.is_empty())
                .then(|| {
                    view! {
                        <br />
                        {bi("备注：", "Note: ")}
                        {e.note.clone()}
                    }
                })}
            <br />
            {bi("登记于 ", "Registered ")}
            {e.valid_from.clone()}
            {e
                .valid_to
                .clone()
                .map(|t| {
                    view! {
                        {bi("，注销于 ", ", ended ")}
                        {t}
                    }
                })}
            {(staff && !e.made_by.is_empty())
                .then(|| {
                    view! {
                        <br />
                        {bi("设立案件：", "Made by case: ")}
                        {e.made_by.clone()}
                    }
                })}
            {(staff && !e.ended_by.is_empty())
                .then(|| {
                    view! {
                        <br />
                        {bi("注销案件：", "Ended by case: ")}
                        {e.ended_by.clone()}
                    }
                })}
        </li>
    }
}

#[component]
fn UnitCard(u: UnitView, staff: bool) -> impl IntoView {
    view! {
        <section class="card" data-testid="register-unit">
            <h2>{u.address.clone()}</h2>
            <dl class="facts">
                <dt>{bi("不动产单元号", "Unit number")}</dt>
                <dd class="wrap-anywhere">{u.unit_number.clone()}</dd>
                {(!u.area.is_empty())
                    .then(|| {
                        view! {
                            <dt>{bi("面积", "Area")}</dt>
                            <dd>{format!("{} ㎡", u.area)}</dd>
                        }
                    })}
                {(!u.usage.is_empty())
                    .then(|| {
                        view! {
                            <dt>{bi("用途", "Use")}</dt>
                            <dd>{u.usage.clone()}</dd>
                        }
                    })}
                {(!u.project.is_empty())
                    .then(|| {
                        view! {
                            <dt>{bi("项目 / 幢", "Project / building")}</dt>
                            <dd>{format!("{} {}", u.project, u.building)}</dd>
                        }
                    })}
            </dl>
            <h3>{bi("权利与限制", "Rights and restrictions")}</h3>
            <ul class="register-entries">
                {u.entries.into_iter().map(|e| view! { <EntryItem e staff /> }).collect_view()}
            </ul>
        </section>
    }
}

/// `/me/register`: the units registered in the verified citizen's name.
#[component]
pub fn MyRegisterPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| my_register());
    let query = use_query_map();
    let error = query.with_untracked(|q| q.get("error")).unwrap_or_default();
    let typed_name = query.with_untracked(|q| q.get("name")).unwrap_or_default();
    view! {
        <crate::components::layout::PageTitle zh="我的不动产" en="My property register" />
        <h1>{bi("我的不动产（登记簿查询）", "My property in the register")}</h1>
        <PageData data sign_in=SignIn::Citizen let:r>
            {
                let error = error.clone();
                let typed_name = typed_name.clone();
                if r.verified {
                    let csrf = r.csrf.clone();
                    let none = r.units.is_empty();
                    view! {
                        <p class="lead">
                            {bi(
                                "以下是登记簿中以您为权利人的现势登记，包括抵押、查封等限制。",
                                "What the register holds in your name now, with mortgages, seizures and other restrictions.",
                            )}
                        </p>
                        {none
                            .then(|| {
                                view! {
                                    <p class="notice" data-testid="register-none">
                                        {bi(
                                            "登记簿中没有以您为权利人的现势登记。刚办完的登记在“登簿”后即可查到。",
                                            "The register holds nothing in your name now. A registration shows here once it is entered in the register.",
                                        )}
                                    </p>
                                }
                            })}
                        {r
                            .units
                            .into_iter()
                            .map(|u| view! { <UnitCard u staff=false /> })
                            .collect_view()}
                        <form method="post" action="/me/register/proof" class="form">
                            <input type="hidden" name="csrf" value=csrf />
                            <button type="submit" class="button" data-testid="register-proof">
                                {bi(
                                    "下载不动产登记信息查询结果（PDF，带电子印章）",
                                    "Download the register query result (PDF, sealed)",
                                )}
                            </button>
                            <p class="hint">
                                {bi(
                                    "查询结果可交给银行、法院或买方，他们扫描二维码或在“证照查验”输入验证码即可核实。",
                                    "Hand it to a bank, a court or a buyer: they scan its QR code, or enter its code under Verify, to check it.",
                                )}
                            </p>
                        </form>
                    }
                        .into_any()
                } else if r.identity_service {
                    let action = ServerAction::<VerifyForRegister>::new();
                    let name_error = error == "name";
                    let id_error = error == "id_number";
                    let last_failed = r.last_failed;
                    view! {
                        {last_failed
                            .then(|| {
                                view! {
                                    <p
                                        class="notice notice--error"
                                        role="alert"
                                        data-testid="identity-failed"
                                    >
                                        {bi(
                                            "上次实名核验未通过：请核对姓名和身份证号码后重试，人脸识别时请正对镜头、光线充足。多次不通过请携带身份证到登记窗口或自助查询机查询。",
                                            "Your last identity check did not pass: check your name and ID number and try again, facing the camera in good light. If it keeps failing, bring your ID card to a window or self-service terminal.",
                                        )}
                                    </p>
                                }
                            })}
                        <p class="lead">
                            {bi(
                                "为保护您的财产信息，查看前请先通过实名核验（人脸识别），30 天内有效。",
                                "To protect your property information, pass an identity check (face verification) first; it counts for 30 days.",
                            )}
                        </p>
                        {(name_error || id_error)
                            .then(|| {
                                view! {
                                    <div class="error-summary" role="alert" tabindex="-1">
                                        <h2>{bi("请修改以下内容", "Please correct the following")}</h2>
                                        <ul>
                                            {name_error
                                                .then(|| {
                                                    view! {
                                                        <li>
                                                            <a href="#name">{bi("姓名：请填写", "Name: fill it in")}</a>
                                                        </li>
                                                    }
                                                })}
                                            {id_error
                                                .then(|| {
                                                    view! {
                                                        <li>
                                                            <a href="#id_number">
                                                                {bi(
                                                                    "身份证号码：请检查，应为 18 位且校验位正确",
                                                                    "ID number: check it (18 characters with a valid check digit)",
                                                                )}
                                                            </a>
                                                        </li>
                                                    }
                                                })}
                                        </ul>
                                    </div>
                                }
                            })}
                        <ActionForm action attr:class="form">
                            <input type="hidden" name="csrf" value=r.csrf.clone() />
                            <div class="field" class:field--error=name_error>
                                <label for="name">{bi("姓名", "Name")}</label>
                                <input
                                    id="name"
                                    name="name"
                                    type="text"
                                    autocomplete="name"
                                    value=typed_name
                                    required
                                />
                            </div>
                            <div class="field" class:field--error=id_error>
                                <label for="id_number">
                                    {bi("居民身份证号码", "Resident ID number")}
                                </label>
                                <input
                                    id="id_number"
                                    name="id_number"
                                    type="text"
                                    inputmode="text"
                                    autocomplete="off"
                                    maxlength="30"
                                    required
                                />
                            </div>
                            <button type="submit" class="button" data-testid="register-verify">
                                {bi("去实名核验", "Verify my identity")}
                            </button>
                        </ActionForm>
                    }
                        .into_any()
                } else {
                    view! {
                        <p class="notice">
                            {bi(
                                "本中心暂未开通线上实名核验。请携带身份证到任一登记窗口或自助查询机查询。",
                                "This centre has no online identity check yet. Bring your ID card to any window or self-service terminal to query the register.",
                            )}
                        </p>
                    }
                        .into_any()
                }
            }
        </PageData>
    }
}

/// `/staff/register?unit=`: a unit's whole history, by unit or certificate number.
#[component]
pub fn StaffRegisterPage() -> impl IntoView {
    let query = use_query_map();
    let q = move || query.with(|q| q.get("unit")).unwrap_or_default();
    let data = Resource::new(q, |q| async move {
        let me = current_staff_member()
            .await?
            .ok_or(AppError::Unauthorized)?;
        Ok::<_, AppError>((me, unit_history(q).await?))
    });
    view! {
        <crate::components::layout::PageTitle zh="登记簿查询" en="The register" />
        <PageData data sign_in=SignIn::Staff let:loaded>
            {
                let (me, h) = loaded;
                view! {
                    <StaffBar me />
                    <p class="breadcrumb">
                        <a href="/staff">{bi("← 队列", "← Queues")}</a>
                    </p>
                    <h1>{bi("登记簿查询", "The register")}</h1>
                    <p class="hint">
                        {format!(
                            "登记簿共 {} 个单元、{} 条现势登记。",
                            h.units,
                            h.current,
                        )} {bi("每次查询均记入审计。", " Every query is audited.")}
                    </p>
                    <form method="get" action="/staff/register" class="form">
                        <div class="field">
                            <label for="unit">
                                {bi(
                                    "不动产单元号或证书号",
                                    "Unit number or certificate number",
                                )}
                            </label>
                            <input id="unit" name="unit" type="text" value=h.query.clone() />
                        </div>
                        <button type="submit" class="button">
                            {bi("查询", "Search")}
                        </button>
                    </form>
                    {match h.unit {
                        Some(u) => view! { <UnitCard u staff=true /> }.into_any(),
                        None if !h.query.is_empty() => {
                            view! {
                                <p class="notice" role="status" data-testid="register-none">
                                    {bi(
                                        "登记簿中没有该单元或证书号。",
                                        "The register holds no such unit or certificate.",
                                    )}
                                </p>
                            }
                                .into_any()
                        }
                        None => ().into_any(),
                    }}
                }
            }
        </PageData>
    }
}

/// `/developer/mortgages`: the mortgages registered to the signed-in bank.
#[component]
pub fn BankMortgagesPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| my_mortgages());
    view! {
        <crate::components::layout::PageTitle zh="本行抵押登记" en="Our mortgages" />
        <p class="breadcrumb">
            <a href="/developer">{bi("← 企业首页", "← Organisation")}</a>
        </p>
        <h1>{bi("登记在本行名下的抵押", "Mortgages registered to us")}</h1>
        <PageData data sign_in=SignIn::Org let:rows>
            {if rows.is_empty() {
                view! {
                    <p class="notice" data-testid="mortgages-none">
                        {bi(
                            "目前没有登记在本行名下的现势抵押。",
                            "No current mortgage is registered to you.",
                        )}
                    </p>
                }
                    .into_any()
            } else {
                view! {
                    <ul class="register-entries" data-testid="mortgages">
                        {rows
                            .into_iter()
                            .map(|m| {
                                view! {
                                    <li>
                                        <strong>{m.address.clone()}</strong>
                                        <br />
                                        <span class="wrap-anywhere">{m.unit_number.clone()}</span>
                                        <ul>
                                            <EntryItem e=m.entry staff=false />
                                        </ul>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
                    .into_any()
            }}
        </PageData>
    }
}
