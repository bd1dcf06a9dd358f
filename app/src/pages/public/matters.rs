//! The service guide: find a matter by search, by family, or by a short list
//! of everyday intentions; then read its one-time notice.

use crate::api::public::matters::list_matters;
use crate::components::forms::{bi, zh_en};
use crate::components::language::current_lang;
use crate::domain::catalogue::{matches_query, Family, MaterialForm, Matter, Requirement};
use crate::domain::Lang;
use crate::error::AppError;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn MattersPage() -> impl IntoView {
    let query = use_query_map();
    let q = Signal::derive(move || query.with(|m| m.get("q").unwrap_or_default()));
    let family = Signal::derive(move || {
        query.with(|m| {
            m.get("family")
                .and_then(|f| f.parse::<i64>().ok())
                .and_then(Family::from_code)
        })
    });
    let matters = Resource::new(|| (), |_| list_matters());
    view! {
        <crate::components::layout::PageTitle zh="办事指南" en="Service guide" />
        <h1>{bi("办事指南", "Service guide")}</h1>
        <p class="lead">
            {bi(
                "找到您要办的事项，一次看清需要准备的全部材料。",
                "Find what you need to do and see every material to prepare, at once.",
            )}
        </p>
        <form method="get" action="/matters" class="search" role="search">
            <label for="q">{bi("搜索事项", "Search matters")}</label>
            <p class="hint" id="q-hint">
                {bi(
                    "可输入中文、英文或拼音首字母，例如：二手房、抵押、esf",
                    "Chinese, English or pinyin initials, e.g. resale, mortgage, esf",
                )}
            </p>
            <div class="search__row">
                <input
                    id="q"
                    name="q"
                    type="search"
                    aria-describedby="q-hint"
                    prop:value=q
                    value=q
                />
                <button type="submit" class="button">
                    {bi("搜索", "Search")}
                </button>
            </div>
        </form>
        <Suspense fallback=move || {
            view! { <p class="muted">{bi("正在加载…", "Loading…")}</p> }
        }>
            {move || Suspend::new(async move {
                match matters.await {
                    Ok(list) => view! { <MatterResults list q family /> }.into_any(),
                    Err(_) => view! { <LoadFailed /> }.into_any(),
                }
            })}
        </Suspense>
        <Guide />
    }
}

#[component]
fn MatterResults(
    list: Vec<Matter>,
    q: Signal<String>,
    family: Signal<Option<Family>>,
) -> impl IntoView {
    let families: Vec<Family> = Family::ALL
        .into_iter()
        .filter(|f| list.iter().any(|m| m.family == *f))
        .collect();
    let list = StoredValue::new(list);
    let shown = move || {
        list.with_value(|l| {
            l.iter()
                .filter(|m| family.get().is_none_or(|f| m.family == f))
                .filter(|m| matches_query(m, &q.get()))
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    view! {
        <nav class="chips" aria-label=move || bi("按登记类型", "By registration type")()>
            // Plain links: the router's <A> marks every link to /matters as
            // the current page, whatever its query.
            <a
                href="/matters"
                class="chip"
                aria-current=move || family.get().is_none().then_some("true")
            >
                {bi("全部类型", "All types")}
            </a>
            {families
                .into_iter()
                .map(|f| {
                    view! {
                        <a
                            href=format!("/matters?family={}", f.code())
                            class="chip"
                            aria-current=move || (family.get() == Some(f)).then_some("true")
                        >
                            {move || f.name(current_lang())}
                        </a>
                    }
                })
                .collect_view()}
        </nav>
        {move || {
            let shown = shown();
            let count = shown.len();
            if shown.is_empty() {
                view! {
                    <section class="notice" role="status">
                        <p>
                            {bi(
                                "没有找到符合的事项。请换个说法，或查看全部事项。",
                                "No matter fits. Try other words, or see all matters.",
                            )}
                        </p>
                        <A href="/matters" attr:class="button button--secondary">
                            {bi("查看全部事项", "See all matters")}
                        </A>
                    </section>
                }
                    .into_any()
            } else {
                view! {
                    <p class="muted" role="status">
                        {match current_lang() {
                            Lang::Zh => format!("共 {count} 项"),
                            Lang::En => format!("{count} matters"),
                        }}
                    </p>
                    <ul class="matter-list">
                        {shown
                            .into_iter()
                            .map(|m| {
                                let href = format!("/matters/{}", m.code);
                                let m = StoredValue::new(m);
                                view! {
                                    <li>
                                        <A href=href attr:class="matter-link">
                                            <span class="matter-link__name">
                                                {move || {
                                                    m.with_value(|m| m.name(current_lang()).to_string())
                                                }}
                                            </span>
                                            <span class="matter-link__meta">
                                                {move || m.with_value(|m| m.family.name(current_lang()))}
                                                " · "
                                                <TimeLimit
                                                    days=m.with_value(|m| m.time_limit_days)
                                                    minutes=m.with_value(|m| m.time_limit_minutes)
                                                />
                                            </span>
                                        </A>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
                    .into_any()
            }
        }}
    }
}

/// Everyday intentions, each leading straight to its matter.
#[component]
fn Guide() -> impl IntoView {
    let entries = [
        (
            "DOUBLE-NOTICE",
            bi(
                "买新房（期房）：办理预告登记和抵押预告",
                "Buy a home off-plan: advance notices of sale and mortgage",
            )
            .into_any(),
        ),
        (
            "NOTICE-CONVERSION",
            bi(
                "新房交付后办证（预转本）",
                "Get the certificate once the new home is delivered",
            )
            .into_any(),
        ),
        (
            "RESALE-TRANSFER",
            bi("买卖二手房", "Buy or sell a second-hand home").into_any(),
        ),
        (
            "TRANSFER-WITH-MORTGAGE",
            bi(
                "卖的房子还有贷款（带押过户）",
                "Sell a home that still has a mortgage",
            )
            .into_any(),
        ),
        (
            "MORTGAGE-FIRST",
            bi("用房子办理抵押贷款", "Mortgage a home for a loan").into_any(),
        ),
        (
            "MORTGAGE-CANCEL",
            bi(
                "贷款还清了，注销抵押",
                "Cancel the mortgage after repaying the loan",
            )
            .into_any(),
        ),
        ("INHERITANCE", bi("继承房产", "Inherit a home").into_any()),
        (
            "CHANGE",
            bi(
                "姓名、身份证号或用途变了",
                "My name, ID number or the use of the property changed",
            )
            .into_any(),
        ),
        (
            "CORRECTION",
            bi("证书上的信息有误", "The certificate is wrong").into_any(),
        ),
    ];
    view! {
        <section class="guide">
            <h2>{bi("我想…", "I want to…")}</h2>
            <ul class="guide-list">
                {entries
                    .into_iter()
                    .map(|(code, label)| {
                        view! {
                            <li>
                                <A href=format!("/matters/{code}") attr:class="guide-link">
                                    {label}
                                </A>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </section>
    }
}

#[component]
fn LoadFailed() -> impl IntoView {
    view! {
        <section class="notice notice--error" role="alert">
            <h2>{bi("出了点问题", "Something went wrong")}</h2>
            <p>
                {bi(
                    "暂时无法加载，请稍后刷新重试。如多次失败，请拨打服务电话。",
                    "This could not be loaded just now. Please refresh in a moment; if it keeps failing, call a service site.",
                )}
            </p>
        </section>
    }
}

type MeResource = Resource<Result<Option<crate::api::citizen::signin::Me>, AppError>>;

/// A matter's one-time notice (一次性告知).
#[component]
pub fn MatterPage() -> impl IntoView {
    let params = use_params_map();
    let code = move || params.with(|p| p.get("code").unwrap_or_default().to_ascii_uppercase());
    let matters = Resource::new(|| (), |_| list_matters());
    let me = Resource::new(|| (), |_| crate::api::citizen::signin::whoami());
    view! {
        <crate::components::layout::PageTitle zh="一次性告知" en="One-time notice" />
        <Suspense fallback=move || {
            view! { <p class="muted">{bi("正在加载…", "Loading…")}</p> }
        }>
            {move || Suspend::new(async move {
                let code = code();
                match matters.await {
                    Ok(list) => {
                        match list.iter().find(|m| m.code == code).cloned() {
                            Some(m) => {
                                let parts: Vec<Matter> = m
                                    .parts
                                    .iter()
                                    .filter_map(|p| list.iter().find(|x| &x.code == p).cloned())
                                    .collect();
                                view! { <MatterNotice matter=m parts me /> }.into_any()
                            }
                            None => view! { <MatterMissing /> }.into_any(),
                        }
                    }
                    Err(AppError::NotFound) => view! { <MatterMissing /> }.into_any(),
                    Err(_) => view! { <LoadFailed /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn MatterMissing() -> impl IntoView {
    crate::components::respond::respond_not_found();
    view! {
        <h1>{bi("页面不存在", "Page not found")}</h1>
        <p>
            {bi(
                "没有这个事项，可能已调整。请从办事指南重新查找。",
                "There is no such matter; it may have changed. Please look it up again in the service guide.",
            )}
        </p>
        <p class="actions">
            <A href="/matters" attr:class="button">
                {bi("返回办事指南", "Back to the service guide")}
            </A>
        </p>
    }
}

/// The promise: working minutes where the matter has them, else working days.
#[component]
fn TimeLimit(days: i64, minutes: Option<i64>) -> impl IntoView {
    match minutes {
        Some(minutes) => zh_en(
            current_lang(),
            &format!("{minutes} 分钟（工作时间内）"),
            &format!("{minutes} minutes (opening hours)"),
        )
        .into_any(),
        None => zh_en(
            current_lang(),
            &format!("{days} 个工作日"),
            &format!("{days} working day(s)"),
        )
        .into_any(),
    }
}

#[component]
fn MatterNotice(matter: Matter, parts: Vec<Matter>, me: MeResource) -> impl IntoView {
    let m = StoredValue::new(matter);
    let parts = StoredValue::new(parts);
    let lang = current_lang;
    view! {
        <p class="breadcrumb">
            <A href="/matters">{bi("返回办事指南", "Back to the service guide")}</A>
        </p>
        <h1>{move || m.with_value(|m| m.name(lang()).to_string())}</h1>
        <p class="muted">{move || m.with_value(|m| m.family.name(lang()))}</p>
        <dl class="facts">
            <dt>{bi("承诺办结时限", "Promised time limit")}</dt>
            <dd>
                <TimeLimit
                    days=m.with_value(|m| m.time_limit_days)
                    minutes=m.with_value(|m| m.time_limit_minutes)
                />
            </dd>
            <dt>{bi("是否需要到现场", "Visit needed")}</dt>
            <dd>
                {move || {
                    if m.with_value(|m| m.visit_required) {
                        bi(
                                "需要到窗口办理一次（网上预审通过后预约）",
                                "One visit to a window (booked after online pre-review)",
                            )
                            .into_any()
                    } else {
                        bi(
                                "网上预审通过后可不到现场",
                                "No visit needed once the online pre-review passes",
                            )
                            .into_any()
                    }
                }}
            </dd>
            <dt>{bi("收费标准", "Fees")}</dt>
            <dd>
                {move || {
                    m.with_value(|m| match lang() {
                        crate::domain::Lang::Zh => m.fee_zh.clone(),
                        crate::domain::Lang::En => m.fee_en.clone(),
                    })
                }}
            </dd>
            <dt>{bi("可申请人", "Who may apply")}</dt>
            <dd>
                {move || {
                    m.with_value(|m| {
                        m.filers.iter().map(|f| f.name(lang())).collect::<Vec<_>>().join(" · ")
                    })
                }}
            </dd>
        </dl>
        <section class="fees" data-testid="fees">
            <h2>{bi("收费标准（每件）", "Fees (per case)")}</h2>
            <crate::components::fees::FeeTable fees=m.with_value(|m| m.fees.clone()) />
        </section>
        {move || {
            m.with_value(|m| m.risk_notice)
                .then(|| {
                    view! {
                        <section
                            class="notice notice--risk"
                            role="note"
                            aria-labelledby="risk-title"
                        >
                            <h2 id="risk-title">
                                {bi(
                                    "风险提示（请买受人仔细阅读）",
                                    "Risk notice (buyers, please read carefully)",
                                )}
                            </h2>
                            <p>
                                {bi(
                                    "预告登记只保障您将来取得房屋所有权或抵押权的请求权，并不等于已经取得房屋所有权。预告登记后，债权消灭或者自能够进行不动产登记之日起九十日内未申请登记的，预告登记失效。请确认合同已备案、房屋未被查封或抵押给他人。",
                                    "An advance notice only secures your claim to obtain ownership or a mortgage later; it is not ownership. It lapses if the claim is extinguished, or if registration is not applied for within 90 days of the day it becomes possible. Make sure the contract is filed and the home is not seized or mortgaged to someone else.",
                                )}
                            </p>
                            <p>
                                <strong>
                                    {bi(
                                        "申请时须确认已阅读并理解上述风险提示。",
                                        "When applying you must confirm that you have read and understood this notice.",
                                    )}
                                </strong>
                            </p>
                        </section>
                    }
                })
        }}
        {move || {
            let parts = parts.get_value();
            (!parts.is_empty())
                .then(|| {
                    view! {
                        <section class="card card--plain">
                            <h2>{bi("本事项一并办理", "Filed together in this matter")}</h2>
                            <ul>
                                {parts
                                    .into_iter()
                                    .map(|p| {
                                        let href = format!("/matters/{}", p.code);
                                        let p = StoredValue::new(p);
                                        view! {
                                            <li>
                                                <A href=href>
                                                    {move || p.with_value(|p| p.name(lang()).to_string())}
                                                </A>
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ul>
                        </section>
                    }
                })
        }}
        <section class="card card--plain">
            <h2>{bi("需要哪些人", "Who must take part")}</h2>
            <p class="muted">
                {move || {
                    if m.with_value(|m| m.visit_required) {
                        bi(
                            "以下各方均应到场或委托代理人办理。",
                            "Each of these must come in person or be represented by an agent.",
                        )()
                    } else {
                        bi(
                            "以下各方均须本人在网上核验身份并确认（单位通过单位账户确认），无需到场。",
                            "Each of these verifies their identity and confirms online (an organisation through its account); nobody needs to come.",
                        )()
                    }
                }}
            </p>
            <ul>
                {move || {
                    m.with_value(|m| {
                        m.parties.iter().map(|p| view! { <li>{p.name(lang())}</li> }).collect_view()
                    })
                }}
            </ul>
        </section>
        <section class="checklist">
            <h2>
                {bi(
                    "一次性告知：需要准备的材料",
                    "One-time notice: materials to prepare",
                )}
            </h2>
            <p class="muted">
                {bi(
                    "标注“可容缺”的材料，受理时可先承诺后补交，不影响受理。",
                    "Items marked \"may be promised\" can be supplied after acceptance; they do not hold up your case.",
                )}
            </p>
            <ol class="checklist__items">
                {move || {
                    m.with_value(|m| m.checklist.clone())
                        .into_iter()
                        .map(|item| {
                            let item = StoredValue::new(item);
                            let copies = item.with_value(|i| i.copies);
                            view! {
                                <li
                                    class="checklist__item"
                                    data-material=item.with_value(|i| i.material.clone())
                                >
                                    <span class="checklist__name">
                                        {move || {
                                            item.with_value(|i| match lang() {
                                                crate::domain::Lang::Zh => i.name_zh.clone(),
                                                crate::domain::Lang::En => i.name_en.clone(),
                                            })
                                        }}
                                    </span>
                                    <span class="checklist__tags">
                                        {move || {
                                            if item.with_value(|i| i.requirement)
                                                == Requirement::Required
                                            {
                                                view! {
                                                    <span class="tag tag--required">
                                                        {bi("必须提供", "Required")}
                                                    </span>
                                                }
                                                    .into_any()
                                            } else {
                                                view! {
                                                    <span class="tag tag--tolerable">
                                                        {bi("可容缺", "May be promised")}
                                                    </span>
                                                }
                                                    .into_any()
                                            }
                                        }}
                                        <span class="tag">
                                            {move || match item.with_value(|i| i.form) {
                                                MaterialForm::Original => {
                                                    bi("原件", "Original").into_any()
                                                }
                                                MaterialForm::Copy => bi("复印件", "Copy").into_any(),
                                                MaterialForm::Both => {
                                                    bi("原件及复印件", "Original and copy").into_any()
                                                }
                                            }}
                                        </span>
                                        <span class="tag">
                                            {zh_en(
                                                current_lang(),
                                                &format!("{copies} 份"),
                                                &format!("{copies} copy/copies"),
                                            )}
                                        </span>
                                    </span>
                                    {move || {
                                        let note = item
                                            .with_value(|i| match lang() {
                                                crate::domain::Lang::Zh => i.note_zh.clone(),
                                                crate::domain::Lang::En => i.note_en.clone(),
                                            });
                                        (!note.is_empty())
                                            .then(|| {
                                                view! { <span class="checklist__note">{note}</span> }
                                            })
                                    }}
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ol>
        </section>
        <section class="notice" role="status">
            <p>
                {bi(
                    "可以先按上面的清单准备材料，再在下方“在线预申请”网上提交；也可以到服务网点办理。",
                    "Prepare the materials above, then file online under Online pre-application below, or at a service site.",
                )}
            </p>
            <A href="/sites" attr:class="button">
                {bi("查看服务网点", "See service sites")}
            </A>
        </section>
        <StartApplication matter=m.get_value() me />
        <MatterHelp code=m.with_value(|m| m.code.clone()) />
    }
}

/// The help articles about this matter, linked from its notice.
#[component]
fn MatterHelp(code: String) -> impl IntoView {
    let articles = Resource::new(
        move || code.clone(),
        |code| crate::api::public::help::help_for(code, String::new()),
    );
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                articles
                    .await
                    .ok()
                    .filter(|a| !a.is_empty())
                    .map(|list| {
                        view! {
                            <section class="card card--plain">
                                <h2>{bi("常见问题", "Questions people ask")}</h2>
                                <crate::pages::public::help::HelpLinks
                                    articles=list
                                    testid="matter-help"
                                />
                                <p>
                                    <a href="/help">{bi("全部常见问题", "All questions")}</a>
                                </p>
                            </section>
                        }
                    })
            })}
        </Suspense>
    }
}

/// The way into the wizard: a form that starts a draft (signed in), or the
/// sign-in link that comes back here.
#[component]
fn StartApplication(matter: Matter, me: MeResource) -> impl IntoView {
    use crate::domain::catalogue::Filer;
    let code = matter.code.clone();
    let for_citizens = matter
        .filers
        .iter()
        .any(|f| matches!(f, Filer::Citizen | Filer::Agent));
    if !for_citizens {
        return view! {
            <section class="card card--plain start">
                <p>
                    {bi(
                        "本事项由开发企业在线批量申报，个人无需申请。",
                        "Developers file this matter online in bulk; individuals need not apply.",
                    )}
                </p>
            </section>
        }
        .into_any();
    }
    let no_visit = !matter.visit_required;
    view! {
        <section class="card card--plain start" id="start">
            <h2>{bi("在线预申请", "Apply online")}</h2>
            <p>
                {if no_visit {
                    bi(
                        "在线填写并提交，各方在网上核验身份并确认后即可办理，缴费、领证也在网上，无需到场。",
                        "Fill in and submit online; once every party has verified their identity and confirmed online it is done, payment and certificate included, with no visit.",
                    )
                } else {
                    bi(
                        "在线填写并提交，工作人员预审通过后再预约到窗口，只跑一次。",
                        "Fill in and submit online; once a clerk has pre-reviewed it you book a visit, and come only once.",
                    )
                }}
            </p>
            <Suspense fallback=|| ()>
                {move || {
                    let code = code.clone();
                    Suspend::new(async move {
                        match me.await {
                            Ok(Some(me)) => {
                                view! {
                                    <form method="post" action="/api/applications/start">
                                        <input type="hidden" name="matter" value=code />
                                        <input type="hidden" name="csrf" value=me.csrf />
                                        <button type="submit" class="button" data-testid="start">
                                            {bi("开始填写", "Start")}
                                        </button>
                                    </form>
                                }
                                    .into_any()
                            }
                            _ => {
                                let href = format!("/signin?next=%2Fmatters%2F{code}%23start");
                                view! {
                                    <a class="button" href=href data-testid="start">
                                        {bi("登录后开始填写", "Sign in to start")}
                                    </a>
                                }
                                    .into_any()
                            }
                        }
                    })
                }}
            </Suspense>
        </section>
    }
        .into_any()
}
