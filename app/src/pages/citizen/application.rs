//! The citizen's own pages: "my applications", one application with its
//! timeline, and the public progress lookup.

use crate::api::citizen::applications::{get_application, ApplicationView};
use crate::components::documents::{DocumentList, LetterLinks, OwedStatus};
use crate::components::forms::{bi, zh_en};
use crate::components::labels::*;
use crate::components::language::current_lang;
use crate::components::page_data::PageData;
use crate::components::timeline::*;
use crate::domain::Lang;
use crate::views::Status;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn ApplicationPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id")).unwrap_or_default();
    let app = Resource::new(id, get_application);
    view! {
        <crate::components::layout::PageTitle zh="办件详情" en="Application" />
        <PageData
            data=app
            failed=(
                "暂时无法加载，请稍后刷新页面。",
                "This could not be loaded; please reload the page in a moment.",
            )
            let:a
        >
            <ApplicationDetail a />
        </PageData>
    }
}

#[component]
fn ApplicationDetail(a: ApplicationView) -> impl IntoView {
    let m = StoredValue::new(a.matter.clone());
    let status = a.status;
    let stage = a.stage.clone();
    let can_withdraw = a.is_filer
        && status == Status::Submitted
        && matches!(
            a.stage.as_str(),
            "pre_review" | "returned" | "pre_accepted" | "accepted" | "review"
        );
    let correction = (a.is_filer && a.stage == "returned" && a.notice.is_some())
        .then(|| view! { <Correction a=a.clone() /> });
    let track_href = a
        .receipt_no
        .clone()
        .map(|r| format!("/track?no={r}"))
        .unwrap_or_default();
    view! {
        <p class="breadcrumb">
            <A href="/me">{bi("← 我的办件", "← My applications")}</A>
        </p>
        <h1>{move || m.with_value(|m| m.name(current_lang()).to_string())}</h1>
        <dl class="facts">
            <dt>{bi("回执号", "Receipt number")}</dt>
            <dd class="receipt" data-testid="receipt">
                {a.receipt_no.clone().unwrap_or_default()}
            </dd>
            <dt>{bi("状态", "Status")}</dt>
            <dd data-testid="status">
                {move || {
                    match crate::domain::case::Stage::from_code(&stage) {
                        Some(st) if status == Status::Submitted => {
                            st.label(current_lang()).to_string()
                        }
                        _ => status_label(status, current_lang()).to_string(),
                    }
                }}
            </dd>
            <dt>{bi("提交时间", "Submitted")}</dt>
            <dd>{a.submitted_at.clone().unwrap_or_default()}</dd>
            {a
                .case_no
                .clone()
                .map(|n| {
                    view! {
                        <dt>{bi("受理编号", "Case number")}</dt>
                        <dd>{n}</dd>
                    }
                })}
            <DuePromise due=a.due.clone() paused=a.paused />
        </dl>
        {a
            .people
            .iter()
            .any(|p| p.standing == crate::domain::people::Standing::Objected)
            .then(|| {
                view! {
                    <p class="notice notice--error" role="alert" data-testid="objected">
                        {bi(
                            "已停止：有当事人对这份申请提出了异议，登记中心将与各方联系。",
                            "Stopped: a party named on this application has objected; the centre will contact everyone.",
                        )}
                    </p>
                }
            })}
        {a
            .my_part
            .clone()
            .filter(|p| p.open && !p.standing.agrees())
            .map(|_| {
                view! {
                    <p class="notice" data-testid="confirm-first">
                        {bi(
                            "您是这份申请的当事人。请先阅读本页全部内容，再在页面底部确认或提出异议。",
                            "You are named on this application. Read the whole page, then confirm or object at the bottom.",
                        )}
                        " "
                        <a href="#confirm">{bi("去确认", "Go to confirm")}</a>
                    </p>
                }
            })}
        <crate::components::booking::BookingCard
            application_id=a.id.clone()
            booking=a.booking.clone()
            bookable=a.bookable && a.is_filer
            csrf=a.csrf.clone()
            home_visit=a.home_visit.clone()
        />
        <crate::components::documents::EcertLinks
            application_id=a.id.clone()
            ecerts=a.ecerts.clone()
        />
        <LetterLinks application_id=a.id.clone() kinds=a.letters.clone() />
        {(!a.owed.is_empty())
            .then(|| {
                view! {
                    <section class="owed" data-testid="owed">
                        <h2>
                            {bi(
                                "承诺补交的材料（容缺受理）",
                                "Materials you promised to bring",
                            )}
                        </h2>
                        <p class="muted">
                            {bi(
                                "您的申请已先行受理。请在领证前将以下材料交到窗口，补齐后方可发证。",
                                "Your case was accepted first. Bring these to the window before collection: the certificate is issued once they are in.",
                            )}
                        </p>
                        <ul class="owed-list">
                            {a
                                .owed
                                .iter()
                                .map(|o| {
                                    view! {
                                        <li>
                                            <OwedStatus o=o.clone() />
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    </section>
                }
            })}
        {(!a.visits.is_empty())
            .then(|| {
                view! {
                    <section class="visits" data-testid="visits">
                        <h2>{bi("到场记录", "Visits")}</h2>
                        <ul class="plain-list">
                            {a
                                .visits
                                .iter()
                                .map(|v| {
                                    view! {
                                        <li>
                                            {v.at.clone()} " · " {bi("到场：", "present: ")}
                                            {v.present.join("、")}
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    </section>
                }
            })}
        <h2>{bi("申请人", "Parties")}</h2>
        <ul class="party-list" data-testid="parties">
            {a
                .parties
                .clone()
                .into_iter()
                .enumerate()
                .map(|(i, p)| {
                    let role = p.role.clone();
                    let st = a.people.iter().find(|s| s.idx == i as i64).map(|s| s.standing);
                    view! {
                        <li>
                            <strong>{p.name}</strong>
                            " · "
                            {move || role_label(&role, current_lang())}
                            " · "
                            {p.id_masked}
                            {(!p.share.is_empty())
                                .then(|| format!(" · {}%", p.share.trim_end_matches('%')))}
                            {st
                                .map(|st| {
                                    view! {
                                        " "
                                        <span class=if st.agrees() {
                                            "tag tag--ok"
                                        } else {
                                            "tag tag--warn"
                                        }>{move || st.label(current_lang())}</span>
                                    }
                                })}
                        </li>
                    }
                })
                .collect_view()}
        </ul>
        {(status == Status::Submitted)
            .then(|| {
                view! {
                    <p>
                        <a
                            href=format!("/applications/{}/signed-form", a.id)
                            rel="external"
                            data-testid="signed-form"
                        >
                            {bi(
                                "电子签名申请书（PDF，列明各当事人的签名与核验方式）",
                                "Signed application form (PDF: every party's signature and how they were verified)",
                            )}
                        </a>
                    </p>
                }
            })}
        {correction}
        <section class="fees" data-testid="fees">
            <h2>{bi("费用", "Fees")}</h2>
            <p class="muted">
                {bi(
                    "按件收取，受理后在窗口或网上缴纳；缴费后会短信告诉您所缴金额。",
                    "Charged per case, paid after acceptance; you are texted what was paid.",
                )}
            </p>
            <crate::components::fees::FeeTable fees=m.with_value(|m| m.fees.clone()) />
        </section>
        {a.payment.clone().map(|p| view! { <crate::components::fees::PaymentPanel p /> })}
        {(a.can_choose_delivery || a.delivery.is_some())
            .then(|| {
                view! {
                    <crate::components::aftercare::DeliveryPanel
                        id=a.id.clone()
                        csrf=a.csrf.clone()
                        delivery=a.delivery.clone()
                        can_choose=a.can_choose_delivery
                    />
                }
            })}
        {((a.can_request_utilities && !a.utilities_offered.is_empty()) || !a.utilities.is_empty())
            .then(|| {
                view! {
                    <crate::components::aftercare::UtilitiesPanel
                        id=a.id.clone()
                        csrf=a.csrf.clone()
                        requests=a.utilities.clone()
                        offered=a.utilities_offered.clone()
                        can_request=a.can_request_utilities
                    />
                }
            })}
        {(a.can_rate || a.rating.is_some()).then(|| view! { <RatingPanel a=a.clone() /> })}
        <h2>{bi("申请材料", "Documents")}</h2>
        <DocumentList matter=m.get_value() docs=a.documents.clone() />
        {a.my_part.clone().map(|part| view! { <ConfirmPanel a=a.clone() part /> })}
        <h2>{bi("办理进度", "Progress")}</h2>
        <Timeline events=a.events />
        <p>
            <a href=track_href>
                {bi(
                    "公开查询页（可分享给其他申请人）",
                    "Public progress page (share it with the other parties)",
                )}
            </a>
        </p>
        {can_withdraw
            .then(|| {
                view! {
                    <section class="withdraw">
                        <h2>{bi("撤回申请", "Withdraw")}</h2>
                        <p>
                            {bi(
                                "登簿前可以撤回；已在线缴纳的费用原路退回。撤回后如需办理，需要重新提交。",
                                "You can withdraw until the registration is entered in the register; a fee paid online is refunded. To go on afterwards you would file again.",
                            )}
                        </p>
                        <form method="post" action="/api/applications/withdraw">
                            <input type="hidden" name="id" value=a.id.clone() />
                            <input type="hidden" name="csrf" value=a.csrf.clone() />
                            <button type="submit" class="button button--danger">
                                {bi("撤回这份申请", "Withdraw this application")}
                            </button>
                        </form>
                    </section>
                }
            })}
    }
}

/// For a person named on someone else's application: read it all, then
/// confirm it or object (which stops the case).
#[component]
fn ConfirmPanel(a: ApplicationView, part: crate::views::MyPart) -> impl IntoView {
    use crate::domain::people::Standing;
    let query = leptos_router::hooks::use_query_map();
    // A rating's messages are the rating panel's.
    let theirs = |c: &String| !(c.starts_with("rating_") || c == "rated_already" || c == "rated");
    let error = query.with_untracked(|q| q.get("error")).filter(theirs);
    let ok = query.with_untracked(|q| q.get("ok")).filter(theirs);
    let msg = move |code: &str, lang: Lang| -> String {
        let (zh, en) = match code {
            "confirmed" => (
                "您已确认。其他当事人全部确认后，登记中心将继续预审。",
                "Confirmed. Once every party has confirmed, the centre goes on with the pre-review.",
            ),
            "objected" => (
                "您的异议已送达登记中心，案件已停止办理，工作人员将与您联系。",
                "Your objection has reached the centre; the case is stopped and staff will contact you.",
            ),
            "changed" => (
                "申请内容刚刚有变更，请重新阅读后再确认。",
                "The application has just changed; read it again before confirming.",
            ),
            "objection_reason" => (
                "异议原因：请写明您不同意的原因（不超过 500 字）。",
                "Reason for objecting: write why you do not agree (at most 500 characters).",
            ),
            "already" => ("您已经确认过这份申请。", "You have already confirmed this application."),
            "already_objected" => (
                "您已提出异议，登记中心处理前不能再确认。",
                "You have objected; you cannot confirm until the centre has dealt with it.",
            ),
            "identity_required" => (
                "请先完成实名核验，再确认。",
                "Verify your identity first, then confirm.",
            ),
            "closed" => (
                "案件已不在确认阶段；如有异议请联系登记中心。",
                "The case no longer takes confirmations; call the centre with any objection.",
            ),
            _ => ("操作未完成，请重试。", "That did not go through; try again."),
        };
        zh_en(lang, zh, en)
    };
    let st = part.standing;
    let can_answer = part.open && !matches!(st, Standing::Confirmed | Standing::Objected);
    let can_object = part.open && st != Standing::Objected;
    let prop = a.draft.property.for_matter(&a.matter);
    view! {
        <section id="confirm" class="confirm-panel" data-testid="confirm-panel">
            <h2>
                {if can_answer {
                    bi("请您确认这份申请", "Please confirm this application")
                } else {
                    bi("您的确认", "Your confirmation")
                }}
            </h2>
            {error
                .map(|c| {
                    view! {
                        <p class="notice notice--error" role="alert">
                            {move || msg(&c, current_lang())}
                        </p>
                    }
                })}
            {ok
                .map(|c| {
                    view! {
                        <p class="notice" role="status">
                            {move || msg(&c, current_lang())}
                        </p>
                    }
                })}
            <p data-testid="my-standing">
                {bi("您的确认状态：", "Your confirmation: ")}
                <strong>{move || st.label(current_lang())}</strong>
            </p>
            <p hidden=!can_answer>
                {bi(
                    "您被列为这份申请的当事人，上面是申请的全部内容（当事人、费用、材料），不动产信息再列在下面。内容属实、您同意办理，请点“确认”；如不同意，请写明原因并提出异议，案件将停止办理。确认后在受理前发现问题，仍可提出异议。",
                    "You are named as a party on this application. You have read it above (parties, fees, documents); the property is repeated here. If it is right and you agree, press Confirm; if not, write why and object, and the case stops. Until acceptance you may still object after confirming.",
                )}
            </p>
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
            {(can_answer && !part.unverified.is_empty())
                .then(|| {
                    let face = part.identity_level >= 2;
                    view! {
                        <div class="notice" data-testid="identity-needed">
                            {match part.last_check.as_str() {
                                "failed" => {
                                    Some(
                                        view! {
                                            <p
                                                class="field-error"
                                                role="alert"
                                                data-testid="identity-failed"
                                            >
                                                {bi(
                                                    "上次实名核验没有通过，您还没有确认。请确认是本人、光线充足、正对镜头后再试一次；多次不通过，可以预约到窗口当面确认。",
                                                    "Your last identity check did not pass; you have not confirmed yet. Make sure it is you, in good light, facing the camera, and try again; if it keeps failing, book a visit and confirm at a window.",
                                                )}
                                            </p>
                                        }
                                            .into_any(),
                                    )
                                }
                                "pending" => {
                                    Some(
                                        view! {
                                            <p role="status" data-testid="identity-pending">
                                                {bi(
                                                    "核验结果还没有返回。如果您已完成核验，请稍等片刻后刷新本页；也可以重新核验。",
                                                    "The result of the check has not come back yet. If you finished it, wait a moment and reload this page; or start the check again.",
                                                )}
                                            </p>
                                        }
                                            .into_any(),
                                    )
                                }
                                _ => None,
                            }}
                            <p>
                                {if face {
                                    bi(
                                        "这件事项可以全程网上办理、无需到场。确认前，请先完成实名核验（人脸识别），您的确认将作为电子签名记录。",
                                        "This matter is done without a visit. Before you confirm, verify your identity (face check); your confirmation is recorded as your electronic signature.",
                                    )
                                } else {
                                    bi(
                                        "确认前，请先完成实名核验，您的确认将作为电子签名记录。",
                                        "Before you confirm, verify your identity; your confirmation is recorded as your electronic signature.",
                                    )
                                }}
                            </p>
                            {if part.identity_service {
                                part.unverified
                                    .iter()
                                    .map(|idx| {
                                        view! {
                                            <form
                                                method="post"
                                                action="/api/applications/identity"
                                                class="form"
                                            >
                                                <input type="hidden" name="id" value=a.id.clone() />
                                                <input type="hidden" name="csrf" value=a.csrf.clone() />
                                                <input type="hidden" name="party" value=idx.to_string() />
                                                <button
                                                    type="submit"
                                                    class="button"
                                                    data-testid="verify-identity"
                                                >
                                                    {if face {
                                                        bi(
                                                            "去实名核验（人脸识别）",
                                                            "Verify my identity (face check)",
                                                        )
                                                    } else {
                                                        bi("去实名核验", "Verify my identity")
                                                    }}
                                                </button>
                                            </form>
                                        }
                                    })
                                    .collect_view()
                                    .into_any()
                            } else {
                                view! {
                                    <p>
                                        {bi(
                                            "网上实名核验暂未开通：请带身份证件原件到窗口当面确认。",
                                            "Online identity checks are not available: confirm in person at a window with your ID.",
                                        )}
                                    </p>
                                }
                                    .into_any()
                            }}
                        </div>
                    }
                })}
            {(can_answer && part.unverified.is_empty())
                .then(|| {
                    view! {
                        <form method="post" action="/api/applications/confirm" class="form">
                            <input type="hidden" name="id" value=a.id.clone() />
                            <input type="hidden" name="csrf" value=a.csrf.clone() />
                            <input type="hidden" name="hash" value=part.hash.clone() />
                            <input type="hidden" name="decision" value="confirm" />
                            <button type="submit" class="button" data-testid="confirm">
                                {bi(
                                    "我已阅读全部内容，确认无误",
                                    "I have read all of it: confirm",
                                )}
                            </button>
                        </form>
                    }
                })}
            {can_object
                .then(|| {
                    view! {
                        <form
                            method="post"
                            action="/api/applications/confirm"
                            class="form"
                            id="objection"
                        >
                            <input type="hidden" name="id" value=a.id.clone() />
                            <input type="hidden" name="csrf" value=a.csrf.clone() />
                            <input type="hidden" name="hash" value=part.hash.clone() />
                            <input type="hidden" name="decision" value="object" />
                            <div class="field">
                                <label for="objection-reason">
                                    {bi("不同意？请写明原因", "Do not agree? Say why")}
                                </label>
                                <textarea
                                    id="objection-reason"
                                    name="reason"
                                    rows="3"
                                    maxlength="500"
                                ></textarea>
                            </div>
                            <button type="submit" class="button button--danger">
                                {bi(
                                    "提出异议（案件将停止办理）",
                                    "Object (the case stops)",
                                )}
                            </button>
                        </form>
                    }
                })}
        </section>
    }
}

/// After a return for correction: the notice item by item, each with its
/// files and an upload form (plain multipart forms: they work with or
/// without JavaScript), then "resubmit".
#[component]
fn Correction(a: ApplicationView) -> impl IntoView {
    use crate::components::documents::{viewer_href, DocThumb};
    use crate::domain::case::reason_label;
    use crate::domain::document::{error_from_code, human_size};
    let query = use_query_map();
    let upload_error = query.with_untracked(|q| {
        let m = q.get("m").unwrap_or_default();
        q.get("upload_error")
            .and_then(|c| error_from_code(&c, a.max_file_mb as u64))
            .map(|e| (m, e))
    });
    let not_fixed = query.with_untracked(|q| q.get("error").as_deref() == Some("not_fixed"));
    let notice = a
        .notice
        .clone()
        .unwrap_or_else(|| crate::views::NoticeView {
            created_at: String::new(),
            answered_at: None,
            items: vec![],
        });
    let csrf = a.csrf.clone();
    let id = a.id.clone();
    view! {
        <section class="correction" id="correction" aria-labelledby="correction-title">
            <h2 id="correction-title">{bi("需要补正", "Corrections needed")}</h2>
            <p>
                {bi(
                    "预审人员一次性列出了需要修改的全部材料。请逐项重新上传，完成后点击“补正完毕，重新提交”。其他材料无需改动。",
                    "The pre-review lists everything to fix, at once. Upload a new file for each item below, then press “Resubmit”. Nothing else needs to change.",
                )}
            </p>
            {not_fixed
                .then(|| {
                    view! {
                        <p class="notice notice--error" role="alert">
                            {bi(
                                "还有事项没有上传新的文件，请逐项完成后再提交。",
                                "Some items have no new file yet; finish each one, then resubmit.",
                            )}
                        </p>
                    }
                })}
            <ol class="notice-items">
                {notice
                    .items
                    .into_iter()
                    .map(|item| {
                        let material = item.material.clone();
                        let docs: Vec<_> = a
                            .documents
                            .iter()
                            .filter(|d| d.material == material)
                            .cloned()
                            .collect();
                        let reason = item.reason.clone();
                        let names = StoredValue::new((
                            item.material_zh.clone(),
                            item.material_en.clone(),
                        ));
                        let fixed = !item.added.is_empty();
                        let error = upload_error
                            .clone()
                            .filter(|(m, _)| *m == material)
                            .map(|(_, e)| e);
                        let file_id = format!("fix-{material}");
                        view! {
                            <li class="notice-item" id=format!("material_{material}")>
                                <h3>
                                    {move || {
                                        names
                                            .with_value(|(zh, en)| {
                                                if current_lang() == Lang::En {
                                                    en.clone()
                                                } else {
                                                    zh.clone()
                                                }
                                            })
                                    }}
                                </h3>
                                <p class="notice-reason">
                                    {move || reason_label(&reason, current_lang())}
                                    {(!item.note.is_empty()).then(|| format!("：{}", item.note))}
                                </p>
                                {fixed
                                    .then(|| {
                                        view! {
                                            <p class="tag tag--ok">
                                                {bi("✓ 已上传新文件", "✓ New file uploaded")}
                                            </p>
                                        }
                                    })}
                                <ul class="doc-list">
                                    {docs
                                        .into_iter()
                                        .map(|d| {
                                            view! {
                                                <li class="doc">
                                                    <DocThumb doc=d.clone() />
                                                    <span class="doc-body">
                                                        <a href=viewer_href(&d.id)>{d.name.clone()}</a>
                                                        <span class="muted">{human_size(d.size)}</span>
                                                    </span>
                                                    <form
                                                        method="post"
                                                        action=format!("/documents/{}/delete", d.id)
                                                    >
                                                        <input type="hidden" name="csrf" value=csrf.clone() />
                                                        <input type="hidden" name="back" value="application" />
                                                        <button
                                                            type="submit"
                                                            class="button button--link"
                                                            aria-label=format!("删除 {}", d.name)
                                                        >
                                                            {bi("删除", "Delete")}
                                                        </button>
                                                    </form>
                                                </li>
                                            }
                                        })
                                        .collect_view()}
                                </ul>
                                <form
                                    method="post"
                                    action="/uploads/form"
                                    enctype="multipart/form-data"
                                    class="upload"
                                >
                                    <input type="hidden" name="csrf" value=csrf.clone() />
                                    <input type="hidden" name="application" value=id.clone() />
                                    <input type="hidden" name="material" value=material.clone() />
                                    <input type="hidden" name="back" value="application" />
                                    {error
                                        .map(|e| {
                                            view! {
                                                <p class="field-error" role="alert">
                                                    {move || e.message(current_lang())}
                                                </p>
                                            }
                                        })}
                                    <label for=file_id.clone() class="upload__label">
                                        {bi(
                                            "选择新的照片或 PDF",
                                            "Choose a new photo or PDF",
                                        )}
                                    </label>
                                    <input
                                        id=file_id
                                        type="file"
                                        name="file"
                                        accept="image/jpeg,image/png,image/webp,image/heic,image/heif,.heic,.heif,application/pdf"
                                    />
                                    <button type="submit" class="button button--secondary">
                                        {bi("上传", "Upload")}
                                    </button>
                                </form>
                            </li>
                        }
                    })
                    .collect_view()}
            </ol>
            <form method="post" action="/api/applications/resubmit">
                <input type="hidden" name="id" value=a.id.clone() />
                <input type="hidden" name="csrf" value=a.csrf.clone() />
                <button type="submit" class="button">
                    {bi("补正完毕，重新提交", "Resubmit")}
                </button>
            </form>
        </section>
    }
}

/// Rating the service once the case has ended (好差评): five levels as big
/// radio buttons, reasons for a low rating, a comment; once given, the
/// rating and what the centre did about a low one.
#[component]
fn RatingPanel(a: ApplicationView) -> impl IntoView {
    use crate::domain::rating::{level_label, reason_label, LEVELS, REASONS};
    let query = use_query_map();
    let error = query.with_untracked(|q| q.get("error"));
    let ok = query
        .with_untracked(|q| q.get("ok"))
        .filter(|c| c == "rated");
    let error = error.filter(|c| c.starts_with("rating_") || c == "rated_already");
    // A refused rating comes back with what was chosen and typed.
    let (kept_level, kept_reasons, kept_comment) = if error.is_some() {
        query.with_untracked(|q| {
            (
                q.get("level").unwrap_or_default(),
                q.get("reasons")
                    .unwrap_or_default()
                    .split_whitespace()
                    .map(str::to_string)
                    .collect::<Vec<_>>(),
                q.get("comment").unwrap_or_default(),
            )
        })
    } else {
        (String::new(), Vec::new(), String::new())
    };
    let msg = move |code: &str, lang: Lang| -> &'static str {
        match (code, lang) {
            ("rating_level", Lang::Zh) => "请选择一项满意度。",
            ("rating_level", Lang::En) => "Choose how satisfied you are.",
            ("rating_reasons", Lang::Zh) => "选择“不满意”或“非常不满意”时，请至少勾选一项原因。",
            ("rating_reasons", Lang::En) => {
                "With Dissatisfied or Very dissatisfied, tick at least one reason."
            }
            ("rating_comment", Lang::Zh) => "意见不超过 500 字。",
            ("rating_comment", Lang::En) => "The comment is at most 500 characters.",
            ("rated_already", Lang::Zh) => "您已评价过这件事项，每人只能评价一次。",
            ("rated_already", Lang::En) => "You have rated this case already; once per person.",
            (_, Lang::Zh) => "评价未能提交，请重试。",
            (_, Lang::En) => "The rating could not be sent; try again.",
        }
    };
    view! {
        <section class="rating" id="rating" data-testid="rating">
            <h2>{bi("评价本次服务（好差评）", "Rate this service")}</h2>
            {error
                .map(|c| {
                    view! {
                        <p class="notice notice--error" role="alert">
                            {move || msg(&c, current_lang())}
                        </p>
                    }
                })}
            {ok
                .map(|_| {
                    view! {
                        <p class="notice" role="status">
                            {bi("感谢您的评价。", "Thank you for rating.")}
                        </p>
                    }
                })}
            {match a.rating.clone() {
                Some(r) => {
                    let level = r.level;
                    let reasons = r.reasons.clone();
                    view! {
                        <dl class="facts" data-testid="my-rating">
                            <dt>{bi("您的评价", "Your rating")}</dt>
                            <dd data-testid="my-rating-level">
                                {move || level_label(level, current_lang())}
                            </dd>
                            {(!reasons.is_empty())
                                .then(|| {
                                    view! {
                                        <dt>{bi("原因", "Reasons")}</dt>
                                        <dd>
                                            {move || {
                                                reasons
                                                    .iter()
                                                    .map(|c| reason_label(c, current_lang()))
                                                    .collect::<Vec<_>>()
                                                    .join("、")
                                            }}
                                        </dd>
                                    }
                                })}
                            {(!r.comment.is_empty())
                                .then(|| {
                                    view! {
                                        <dt>{bi("意见", "Comment")}</dt>
                                        <dd>{r.comment.clone()}</dd>
                                    }
                                })}
                            <dt>{bi("评价时间", "Rated")}</dt>
                            <dd>{r.at.clone()}</dd>
                        </dl>
                        {match (r.action.clone(), r.due_on.clone()) {
                            (Some(action), _) => {
                                view! {
                                    <p class="notice" role="status" data-testid="follow-up">
                                        {bi(
                                            "登记中心的处理情况：",
                                            "What the centre did: ",
                                        )}
                                        {action}
                                    </p>
                                }
                                    .into_any()
                            }
                            (None, Some(due)) => {
                                view! {
                                    <p class="muted" data-testid="follow-up">
                                        {bi(
                                            "登记中心负责人将核实处理，并在以下日期前短信告诉您结果：",
                                            "The centre's supervisor will look into it and text you by ",
                                        )}
                                        {due}
                                    </p>
                                }
                                    .into_any()
                            }
                            _ => ().into_any(),
                        }}
                    }
                        .into_any()
                }
                None => {
                    view! {
                        <form method="post" action="/api/applications/rate" class="form">
                            <input type="hidden" name="id" value=a.id.clone() />
                            <input type="hidden" name="csrf" value=a.csrf.clone() />
                            <fieldset class="choices">
                                <legend>
                                    {bi("您对本次服务满意吗？", "How satisfied are you?")}
                                </legend>
                                {LEVELS
                                    .iter()
                                    .map(|(l, zh, en)| {
                                        let id = format!("level-{l}");
                                        let label_for = id.clone();
                                        view! {
                                            <label class="choice" for=label_for>
                                                <input
                                                    type="radio"
                                                    id=id
                                                    name="level"
                                                    value=l.to_string()
                                                    checked=kept_level == l.to_string()
                                                />
                                                {move || crate::components::forms::zh_en(
                                                    current_lang(),
                                                    zh,
                                                    en,
                                                )}
                                            </label>
                                        }
                                    })
                                    .collect_view()}
                            </fieldset>
                            <fieldset class="choices">
                                <legend>
                                    {bi(
                                        "不满意的原因（选择“不满意”或“非常不满意”时必选，可多选）",
                                        "What went wrong (needed with Dissatisfied or below; tick any)",
                                    )}
                                </legend>
                                {REASONS
                                    .iter()
                                    .map(|(c, zh, en)| {
                                        let id = format!("reason-{c}");
                                        let label_for = id.clone();
                                        view! {
                                            <label class="choice" for=label_for>
                                                <input
                                                    type="checkbox"
                                                    id=id
                                                    name=format!("f[reason-{c}]")
                                                    value="1"
                                                    checked=kept_reasons.iter().any(|k| k == c)
                                                />
                                                {move || crate::components::forms::zh_en(
                                                    current_lang(),
                                                    zh,
                                                    en,
                                                )}
                                            </label>
                                        }
                                    })
                                    .collect_view()}
                            </fieldset>
                            <div class="field">
                                <label for="rating-comment">
                                    {bi(
                                        "意见和建议（可不填，500 字以内）",
                                        "Comment (optional, up to 500 characters)",
                                    )}
                                </label>
                                <textarea id="rating-comment" name="comment" rows="3">
                                    {crate::components::forms::textarea_text(&kept_comment)}
                                </textarea>
                            </div>
                            <button type="submit" class="button" data-testid="rate">
                                {bi("提交评价", "Send the rating")}
                            </button>
                        </form>
                    }
                        .into_any()
                }
            }}
        </section>
    }
}
