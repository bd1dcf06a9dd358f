//! /staff/audit: the supervisor's review of actions outside working hours.

use crate::api::clerk::audit::review_audit;
use crate::api::clerk::signin::current_staff_member;
use crate::components::forms::bi;
use crate::components::language::current_lang;
use crate::components::page_data::{PageData, SignIn};
use crate::components::staff::*;
use crate::domain::Lang;
use crate::error::AppError;
use leptos::prelude::*;

/// `/staff/audit`: a supervisor's review of case views made outside working
/// hours, and the state of the audit chain.
#[component]
pub fn AuditPage() -> impl IntoView {
    let data = Resource::new(
        || (),
        |_| async {
            let me = current_staff_member()
                .await?
                .ok_or(AppError::Unauthorized)?;
            Ok::<_, AppError>((me, review_audit().await?))
        },
    );
    view! {
        <crate::components::layout::PageTitle zh="审计" en="Audit" />
        <PageData data sign_in=SignIn::Staff let:loaded>
            {
                let (me, r) = loaded;
                view! {
                    <StaffBar me />
                    <p class="breadcrumb">
                        <a href="/staff">{bi("← 队列", "← Queues")}</a>
                    </p>
                    <h1>{bi("非工作时间查询审查", "Off-hours views")}</h1>
                    {match r.broken_at {
                        None => {
                            view! {
                                <p class="notice" role="status" data-testid="chain">
                                    {bi(
                                        "审计记录链完整，未发现改动。",
                                        "The audit chain is intact.",
                                    )}
                                </p>
                            }
                                .into_any()
                        }
                        Some(seq) => {
                            view! {
                                <p class="notice notice--error" role="alert" data-testid="chain">
                                    {move || {
                                        if current_lang() == Lang::Zh {
                                            format!(
                                                "审计记录第 {seq} 条之后的链接不成立：记录可能被改动。",
                                            )
                                        } else {
                                            format!(
                                                "The audit chain breaks at record {seq}: records may have been edited.",
                                            )
                                        }
                                    }}
                                </p>
                            }
                                .into_any()
                        }
                    }}
                    <p class="muted">
                        {bi(
                            "近 30 天内，在非工作日或 8:00 前、18:00 后查看本网点案件的记录。",
                            "Views of this site's cases in the last 30 days on days off, before 08:00 or from 18:00.",
                        )}
                    </p>
                    {if r.off_hours.is_empty() {
                        view! {
                            <p>{bi("没有非工作时间的查询。", "No off-hours views.")}</p>
                        }
                            .into_any()
                    } else {
                        view! {
                            <table class="cases">
                                <thead>
                                    <tr>
                                        <th>{bi("时间", "Time")}</th>
                                        <th>{bi("人员", "Who")}</th>
                                        <th>{bi("回执号", "Receipt")}</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {r
                                        .off_hours
                                        .into_iter()
                                        .map(|v| {
                                            view! {
                                                <tr>
                                                    <td>{v.at}</td>
                                                    <td>{v.who}</td>
                                                    <td>{v.receipt_no}</td>
                                                </tr>
                                            }
                                        })
                                        .collect_view()}
                                </tbody>
                            </table>
                        }
                            .into_any()
                    }}
                    <h2>{bi("登记簿查询记录", "Queries of the register")}</h2>
                    <p class="muted">
                        {bi(
                            "近 30 天内工作人员查询登记簿（单元历史）的全部记录。",
                            "Every staff query of the register (a unit's history) in the last 30 days.",
                        )}
                    </p>
                    {if r.register_queries.is_empty() {
                        view! { <p>{bi("没有查询记录。", "No queries.")}</p> }.into_any()
                    } else {
                        view! {
                            <table class="cases" data-testid="register-queries">
                                <thead>
                                    <tr>
                                        <th>{bi("时间", "Time")}</th>
                                        <th>{bi("人员", "Who")}</th>
                                        <th>{bi("查询内容", "Query")}</th>
                                        <th>{bi("结果", "Result")}</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {r
                                        .register_queries
                                        .into_iter()
                                        .map(|v| {
                                            view! {
                                                <tr>
                                                    <td>{v.at}</td>
                                                    <td>{v.who}</td>
                                                    <td class="wrap-anywhere">{v.query}</td>
                                                    <td>
                                                        {if v.found {
                                                            bi("找到", "Found")().into_any()
                                                        } else {
                                                            bi("未找到", "Not found")().into_any()
                                                        }}
                                                    </td>
                                                </tr>
                                            }
                                        })
                                        .collect_view()}
                                </tbody>
                            </table>
                        }
                            .into_any()
                    }}
                }
                    .into_any()
            }
        </PageData>
    }
}
