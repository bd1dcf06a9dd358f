//! The service guide: find a matter by search, by family, or by a short list
//! of everyday intentions; then read its one-time notice.

use crate::api::public::matters::list_matters;
use crate::components::language::current_lang;
use crate::domain::catalogue::{matches_query, Family, MaterialForm, Matter, Requirement};
use crate::error::AppError;
use crate::i18n::*;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn MattersPage() -> impl IntoView {
    let i18n = use_i18n();
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
        <h1>{t!(i18n, matters_title)}</h1>
        <p class="lead">{t!(i18n, matters_lead)}</p>
        <form method="get" action="/matters" class="search" role="search">
            <label for="q">{t!(i18n, matters_search_label)}</label>
            <p class="hint" id="q-hint">
                {t!(i18n, matters_search_hint)}
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
                    {t!(i18n, matters_search_button)}
                </button>
            </div>
        </form>
        <Suspense fallback=move || {
            view! { <p class="muted">{t!(i18n, loading)}</p> }
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
    let i18n = use_i18n();
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
        <nav class="chips" aria-label=move || t_string!(i18n, matters_family_label)>
            <A
                href="/matters"
                attr:class="chip"
                attr:aria-current=move || family.get().is_none().then_some("true")
            >
                {t!(i18n, matters_family_all)}
            </A>
            {families
                .into_iter()
                .map(|f| {
                    view! {
                        <A
                            href=format!("/matters?family={}", f.code())
                            attr:class="chip"
                            attr:aria-current=move || (family.get() == Some(f)).then_some("true")
                        >
                            {move || f.name(current_lang())}
                        </A>
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
                        <p>{t!(i18n, matters_none)}</p>
                        <A href="/matters" attr:class="button button--secondary">
                            {t!(i18n, matters_show_all)}
                        </A>
                    </section>
                }
                    .into_any()
            } else {
                view! {
                    <p class="muted" role="status">
                        {t!(i18n, matters_count, count)}
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
    let i18n = use_i18n();
    let entries = [
        ("DOUBLE-NOTICE", t!(i18n, guide_buy_new).into_any()),
        ("NOTICE-CONVERSION", t!(i18n, guide_receive_new).into_any()),
        ("RESALE-TRANSFER", t!(i18n, guide_buy_resale).into_any()),
        (
            "TRANSFER-WITH-MORTGAGE",
            t!(i18n, guide_resale_with_loan).into_any(),
        ),
        ("MORTGAGE-FIRST", t!(i18n, guide_mortgage).into_any()),
        ("MORTGAGE-CANCEL", t!(i18n, guide_repaid).into_any()),
        ("INHERITANCE", t!(i18n, guide_inherit).into_any()),
        ("CHANGE", t!(i18n, guide_change).into_any()),
        ("CORRECTION", t!(i18n, guide_correct).into_any()),
    ];
    view! {
        <section class="guide">
            <h2>{t!(i18n, guide_title)}</h2>
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
    let i18n = use_i18n();
    view! {
        <section class="notice notice--error" role="alert">
            <h2>{t!(i18n, error_title)}</h2>
            <p>{t!(i18n, error_load_failed)}</p>
        </section>
    }
}

type MeResource = Resource<Result<Option<crate::api::citizen::signin::Me>, AppError>>;

/// A matter's one-time notice (一次性告知).
#[component]
pub fn MatterPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let code = move || params.with(|p| p.get("code").unwrap_or_default().to_ascii_uppercase());
    let matters = Resource::new(|| (), |_| list_matters());
    let me = Resource::new(|| (), |_| crate::api::citizen::signin::whoami());
    view! {
        <crate::components::layout::PageTitle zh="一次性告知" en="Matter" />
        <Suspense fallback=move || {
            view! { <p class="muted">{t!(i18n, loading)}</p> }
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
    let i18n = use_i18n();
    view! {
        <h1>{t!(i18n, not_found_title)}</h1>
        <p>{t!(i18n, matter_not_found)}</p>
        <p class="actions">
            <A href="/matters" attr:class="button">
                {t!(i18n, matter_back)}
            </A>
        </p>
    }
}

/// The promise: working minutes where the matter has them, else working days.
#[component]
fn TimeLimit(days: i64, minutes: Option<i64>) -> impl IntoView {
    let i18n = use_i18n();
    match minutes {
        Some(minutes) => t!(i18n, matter_minutes, minutes).into_any(),
        None => t!(i18n, matter_days, days).into_any(),
    }
}

#[component]
fn MatterNotice(matter: Matter, parts: Vec<Matter>, me: MeResource) -> impl IntoView {
    let i18n = use_i18n();
    let m = StoredValue::new(matter);
    let parts = StoredValue::new(parts);
    let lang = current_lang;
    view! {
        <p class="breadcrumb">
            <A href="/matters">{t!(i18n, matter_back)}</A>
        </p>
        <h1>{move || m.with_value(|m| m.name(lang()).to_string())}</h1>
        <p class="muted">{move || m.with_value(|m| m.family.name(lang()))}</p>
        <dl class="facts">
            <dt>{t!(i18n, matter_time_limit)}</dt>
            <dd>
                <TimeLimit
                    days=m.with_value(|m| m.time_limit_days)
                    minutes=m.with_value(|m| m.time_limit_minutes)
                />
            </dd>
            <dt>{t!(i18n, matter_visit)}</dt>
            <dd>
                {move || {
                    if m.with_value(|m| m.visit_required) {
                        t!(i18n, matter_visit_yes).into_any()
                    } else {
                        t!(i18n, matter_visit_no).into_any()
                    }
                }}
            </dd>
            <dt>{t!(i18n, matter_fee)}</dt>
            <dd>
                {move || {
                    m.with_value(|m| match lang() {
                        crate::domain::Lang::Zh => m.fee_zh.clone(),
                        crate::domain::Lang::En => m.fee_en.clone(),
                    })
                }}
            </dd>
            <dt>{t!(i18n, matter_filers)}</dt>
            <dd>
                {move || {
                    m.with_value(|m| {
                        m.filers.iter().map(|f| f.name(lang())).collect::<Vec<_>>().join(" · ")
                    })
                }}
            </dd>
        </dl>
        <section class="fees" data-testid="fees">
            <h2>{crate::components::forms::bi("收费标准（每件）", "Fees (per case)")}</h2>
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
                            <h2 id="risk-title">{t!(i18n, matter_risk_title)}</h2>
                            <p>{t!(i18n, matter_risk_body)}</p>
                            <p>
                                <strong>{t!(i18n, matter_risk_ack)}</strong>
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
                            <h2>{t!(i18n, matter_parts)}</h2>
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
            <h2>{t!(i18n, matter_parties)}</h2>
            <p class="muted">{t!(i18n, matter_parties_note)}</p>
            <ul>
                {move || {
                    m.with_value(|m| {
                        m.parties.iter().map(|p| view! { <li>{p.name(lang())}</li> }).collect_view()
                    })
                }}
            </ul>
        </section>
        <section class="checklist">
            <h2>{t!(i18n, matter_checklist)}</h2>
            <p class="muted">{t!(i18n, matter_checklist_note)}</p>
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
                                                        {t!(i18n, matter_required)}
                                                    </span>
                                                }
                                                    .into_any()
                                            } else {
                                                view! {
                                                    <span class="tag tag--tolerable">
                                                        {t!(i18n, matter_tolerable)}
                                                    </span>
                                                }
                                                    .into_any()
                                            }
                                        }}
                                        <span class="tag">
                                            {move || match item.with_value(|i| i.form) {
                                                MaterialForm::Original => {
                                                    t!(i18n, matter_original).into_any()
                                                }
                                                MaterialForm::Copy => t!(i18n, matter_copy).into_any(),
                                                MaterialForm::Both => t!(i18n, matter_both).into_any(),
                                            }}
                                        </span>
                                        <span class="tag">{t!(i18n, matter_copies, copies)}</span>
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
            <p>{t!(i18n, matter_apply_soon)}</p>
            <A href="/sites" attr:class="button">
                {t!(i18n, see_sites)}
            </A>
        </section>
        <StartApplication matter=m.get_value() me />
    }
}

/// The way into the wizard: a form that starts a draft (signed in), or the
/// sign-in link that comes back here.
#[component]
fn StartApplication(matter: Matter, me: MeResource) -> impl IntoView {
    use crate::components::forms::bi;
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
    view! {
        <section class="card card--plain start" id="start">
            <h2>{bi("在线预申请", "Apply online")}</h2>
            <p>
                {bi(
                    "在线填写并提交，工作人员预审通过后再预约到窗口，只跑一次。",
                    "Fill in and submit online; once a clerk has pre-reviewed it you book a visit, and come only once.",
                )}
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
