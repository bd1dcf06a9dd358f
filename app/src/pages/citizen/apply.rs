//! The application wizard: one thing per page, an error summary at the top,
//! a check-your-answers page, and the receipt. Every page is a plain form
//! posting to a server function that saves the draft (valid or not) and
//! redirects, so it works without JavaScript; with it, the step is checked in
//! the browser first by the same domain functions, with the same messages.

use crate::api::citizen::applications::{get_application, ApplicationView};
use crate::components::documents::{viewer_href, DocThumb};
use crate::components::forms::{bi, invalid, ErrorSummary, FieldMsg};
use crate::components::islands::{lang_code, Bundle, IslandScripts, StepCheck, WizardStep};
use crate::components::labels::role_label;
use crate::components::labels::status_label;
use crate::components::language::current_lang;
use crate::components::prompts::SignInPrompt;
use crate::components::upload::Uploader;
use crate::domain::application::{role_code, Draft, IdType, PartyForm, Step};
use crate::domain::catalogue::{MaterialForm, Matter, PartyRole, Requirement};
use crate::domain::Lang;
use crate::error::{field_errors, AppError, FieldError};
use crate::views::Status;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

pub fn step_title(s: Step, lang: Lang) -> &'static str {
    match (s, lang) {
        (Step::Property, Lang::Zh) => "不动产信息",
        (Step::Property, Lang::En) => "The property",
        (Step::Parties, Lang::Zh) => "申请人",
        (Step::Parties, Lang::En) => "The parties",
        (Step::Agent, Lang::Zh) => "谁来申请",
        (Step::Agent, Lang::En) => "Who is filing",
        (Step::Materials, Lang::Zh) => "材料清单",
        (Step::Materials, Lang::En) => "Materials",
        (Step::Declarations, Lang::Zh) => "承诺与告知",
        (Step::Declarations, Lang::En) => "Declarations",
        (Step::Review, Lang::Zh) => "核对并提交",
        (Step::Review, Lang::En) => "Check and submit",
    }
}

#[component]
pub fn WizardPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id")).unwrap_or_default();
    let step = move || params.with(|p| p.get("step")).unwrap_or_default();
    let app = Resource::new(move || (id(), step()), |(id, _)| get_application(id));
    // The page's query (upload outcomes of the no-JS form, photo hints) goes
    // to the wizard island as plain pairs: there is no router in an island.
    let query: Vec<(String, String)> = leptos_router::hooks::use_query_map().with_untracked(|q| {
        q.into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    });
    view! {
        <crate::components::layout::PageTitle zh="填写预申请" en="Pre-application" />
        <Suspense fallback=|| {
            view! { <p class="muted">"…"</p> }
        }>
            {move || {
                let query = query.clone();
                Suspend::new(async move {
                    let slug = step();
                    match (app.await, Step::from_slug(&slug)) {
                        (Ok(a), _) if slug == "done" => view! { <Done a /> }.into_any(),
                        (Ok(a), Some(_)) if a.status != Status::Draft => {
                            view! { <AlreadySubmitted a /> }.into_any()
                        }
                        (Ok(a), Some(step)) => {
                            let query = query.clone();
                            view! {
                                <WizardHeading matter=a.matter.clone() step />
                                <WizardForm a step query />
                                {match step {
                                    Step::Review => None,
                                    Step::Materials => Some(Bundle::Upload),
                                    _ => Some(Bundle::Wizard),
                                }
                                    .map(|bundle| {
                                        // Nothing on the review page is checked
                                        // in the browser: it loads no wasm.
                                        view! { <IslandScripts bundle /> }
                                    })}
                            }
                                .into_any()
                        }
                        (Err(AppError::Unauthorized), _) => view! { <SignInPrompt /> }.into_any(),
                        _ => {
                            crate::components::respond::respond_not_found();
                            view! { <crate::components::respond::NotFound /> }.into_any()
                        }
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
fn AlreadySubmitted(a: ApplicationView) -> impl IntoView {
    let href = format!("/applications/{}", a.id);
    let status = a.status;
    view! {
        <section class="notice" role="status">
            <p>
                {bi(
                    "这份申请已经提交，不能再修改。当前状态：",
                    "This application has been submitted and can no longer be changed. Status: ",
                )} {move || status_label(status, current_lang())}
            </p>
            <a class="button" href=href>
                {bi("查看办件", "View the application")}
            </a>
        </section>
    }
}

/// Where the person is: rendered on the server, outside the island, so it is
/// painted once and stays (Lighthouse counted the heading repainted at
/// hydration as the page's largest paint).
#[component]
fn WizardHeading(matter: Matter, step: Step) -> impl IntoView {
    let lang = current_lang();
    let n = step.index() + 1;
    let total = Step::ALL.len();
    view! {
        <p class="breadcrumb">
            <a href="/me">{bi("← 我的办件", "← My applications")}</a>
        </p>
        <p class="wizard__matter">{matter.name(lang).to_string()}</p>
        <p class="wizard__progress">
            {if lang == Lang::Zh {
                format!("第 {n} 步，共 {total} 步")
            } else {
                format!("Step {n} of {total}")
            }}
        </p>
        <h1>{step_title(step, lang)}</h1>
    }
}

/// The wizard's form, rendered on the server; in the browser its island
/// ([`StepCheck`]) checks each step with the same domain rules before it is
/// sent, and each material's [`Uploader`] sends photos (scaled, with
/// progress and resume).
#[component]
fn WizardForm(a: ApplicationView, step: Step, query: Vec<(String, String)>) -> impl IntoView {
    let matter = a.matter.clone();
    let draft = a.draft.clone();
    let initial = if draft.attempted.contains(&step) {
        field_errors(&draft.validate(step, &matter, &a.my_mobile))
    } else {
        Vec::new()
    };
    let errs: Signal<Vec<FieldError>> = RwSignal::new(initial).into();
    let check = WizardStep::new(step, &draft, &matter, &a.my_mobile).encode();
    let action = if step == Step::Review {
        "/api/applications/submit"
    } else {
        "/api/applications/save_step"
    };
    let after = view! {
        {(step == Step::Materials).then(|| view! { <UploadForms a=a.clone() /> })}
        {(step == Step::Review)
            .then(|| {
                let prev = format!("/apply/{}/{}", a.id, Step::Declarations.slug());
                view! {
                    <p>
                        <a href=prev>{bi("← 上一步", "← Back")}</a>
                    </p>
                }
            })}
    };
    let form = view! {
        <ErrorSummary errors=errs matter=matter.clone() />
        <form
            method="post"
            action=action
            class="form wizard"
            novalidate=true
            data-check=check
            data-lang=lang_code(current_lang())
        >
            <input type="hidden" name="id" value=a.id.clone() />
            <input type="hidden" name="step" value=step.slug() />
            <input type="hidden" name="csrf" value=a.csrf.clone() />
            {match step {
                Step::Property => {
                    view! {
                        <PropertyStep
                            draft=draft.clone()
                            secured=matter.asks_secured_amount()
                            errs
                        />
                    }
                        .into_any()
                }
                Step::Parties => {
                    view! { <PartiesStep draft=draft.clone() matter=matter.clone() errs /> }
                        .into_any()
                }
                Step::Agent => view! { <AgentStep draft=draft.clone() errs /> }.into_any(),
                Step::Materials => {
                    view! { <MaterialsStep a=a.clone() errs query=query.clone() /> }.into_any()
                }
                Step::Declarations => {
                    view! { <DeclarationsStep draft=draft.clone() matter=matter.clone() errs /> }
                        .into_any()
                }
                Step::Review => {
                    view! {
                        <ReviewStep id=a.id.clone() draft=draft.clone() matter=matter.clone() />
                    }
                        .into_any()
                }
            }}
            <div class="wizard__buttons">
                {if step == Step::Review {
                    view! {
                        <button type="submit" class="button" data-testid="submit">
                            {bi("提交预申请", "Submit the pre-application")}
                        </button>
                    }
                        .into_any()
                } else {
                    view! {
                        <button type="submit" name="op" value="next" class="button">
                            {bi("保存并继续", "Save and continue")}
                        </button>
                        {step
                            .prev()
                            .map(|_| {
                                view! {
                                    <button
                                        type="submit"
                                        name="op"
                                        value="back"
                                        class="button button--secondary"
                                    >
                                        {bi("上一步", "Back")}
                                    </button>
                                }
                            })}
                        <button type="submit" name="op" value="save" class="button button--link">
                            {bi("保存，稍后继续", "Save and finish later")}
                        </button>
                    }
                        .into_any()
                }}
            </div>
        </form>
    };
    // The review page checks nothing in the browser: no island there.
    let form = if step == Step::Review {
        form.into_any()
    } else {
        view! { <StepCheck>{form}</StepCheck> }.into_any()
    };
    let code = matter.code.clone();
    view! {
        {form}
        {after}
        <StepHelp matter=code step />
    }
}

/// The help articles for this step of this matter, opened in place (no
/// navigation away from what is being typed); the full page opens in a new
/// tab.
#[component]
fn StepHelp(matter: String, step: Step) -> impl IntoView {
    let articles = Resource::new(
        move || (matter.clone(), step),
        |(matter, step)| crate::api::public::help::help_for(matter, step.slug().to_string()),
    );
    let lang = current_lang();
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                articles
                    .await
                    .ok()
                    .filter(|a| !a.is_empty())
                    .map(|list| {
                        view! {
                            <section class="step-help" data-testid="step-help">
                                <h2>
                                    {bi("这一步的常见问题", "Questions about this step")}
                                </h2>
                                {list
                                    .into_iter()
                                    .map(|a| {
                                        let href = format!("/help/{}", a.id);
                                        view! {
                                            <details class="step-help__item">
                                                <summary>{a.question(lang).to_string()}</summary>
                                                <crate::pages::public::help::AnswerText text=a
                                                    .answer(lang)
                                                    .to_string() />
                                                <p>
                                                    <a href=href target="_blank" rel="noopener">
                                                        {bi("在新页面打开", "Open in a new tab")}
                                                    </a>
                                                </p>
                                            </details>
                                        }
                                    })
                                    .collect_view()}
                            </section>
                        }
                    })
            })}
        </Suspense>
    }
}

/// A labelled text input bound to `f[name]`, with its error.
#[component]
fn TextField(
    name: &'static str,
    #[prop(into)] label: Signal<&'static str>,
    #[prop(optional, into)] hint: Option<Signal<&'static str>>,
    value: String,
    errs: Signal<Vec<FieldError>>,
    #[prop(default = "text")] kind: &'static str,
    #[prop(default = "text")] inputmode: &'static str,
    #[prop(default = "off")] autocomplete: &'static str,
    #[prop(default = 200)] maxlength: u32,
) -> impl IntoView {
    let hint_id = format!("{name}-hint");
    let described = format!("{name}-hint {name}-error");
    view! {
        <div class="field">
            <label for=name>{label}</label>
            {hint
                .map(|h| {
                    view! {
                        <p class="hint" id=hint_id.clone()>
                            {h}
                        </p>
                    }
                })}
            <FieldMsg errors=errs field=name.to_string() />
            <input
                id=name
                name=format!("f[{name}]")
                type=kind
                inputmode=inputmode
                autocomplete=autocomplete
                maxlength=maxlength
                value=value
                aria-describedby=described
                aria-invalid=invalid(errs, name)
            />
        </div>
    }
}

#[component]
fn PropertyStep(draft: Draft, secured: bool, errs: Signal<Vec<FieldError>>) -> impl IntoView {
    let p = draft.property;
    let amount = p.secured_amount.clone();
    view! {
        <p class="hint">
            {bi(
                "不动产单元号和不动产权证书号至少填写一项，可在不动产权证书或不动产登记证明上找到。",
                "Give at least one of the property unit number and the certificate number; both are printed on the certificate.",
            )}
        </p>
        <TextField
            name="unit_number"
            label=bi("不动产单元号（28 位）", "Property unit number (28 characters)")
            hint=bi("例如 330203003001GB00012F00010023", "e.g. 330203003001GB00012F00010023")
            value=p.unit_number
            errs
            maxlength=40
        />
        <TextField
            name="certificate_number"
            label=bi("不动产权证书号", "Certificate number")
            hint=bi(
                "例如 浙(2023)宁波市不动产权第0001234号",
                "e.g. 浙(2023)宁波市不动产权第0001234号",
            )
            value=p.certificate_number
            errs
            maxlength=60
        />
        <TextField
            name="address"
            label=bi("坐落（地址）", "Address")
            value=p.address
            errs
            autocomplete="street-address"
        />
        {secured
            .then(|| {
                view! {
                    <TextField
                        name="secured_amount"
                        label=bi("被担保主债权数额（元）", "Secured amount (yuan)")
                        hint=bi(
                            "按借款合同（抵押合同）填写，例如 800000。登簿后记载于登记簿。",
                            "As in the loan (mortgage) contract, e.g. 800000. It is entered in the register.",
                        )
                        value=amount
                        errs
                        inputmode="decimal"
                        maxlength=20
                    />
                }
            })}
    }
}

#[component]
fn PartiesStep(draft: Draft, matter: Matter, errs: Signal<Vec<FieldError>>) -> impl IntoView {
    let roles = matter.parties.clone();
    let count = draft.parties.len();
    view! {
        <p class="hint" id="parties">
            {bi(
                "请填写本事项涉及的每一位当事人。多位权利人共有时，请填写各自份额，合计 100%。",
                "Add every party to the matter. When several right holders share the property, give each one's share; together 100%.",
            )}
        </p>
        <FieldMsg errors=errs field="parties".into() />
        {draft
            .parties
            .into_iter()
            .enumerate()
            .map(|(i, p)| view! { <PartyFields i p roles=roles.clone() errs count /> })
            .collect_view()}
        <div class="actions actions--add">
            {roles
                .iter()
                .map(|r| {
                    let r = *r;
                    view! {
                        <button
                            type="submit"
                            name="op"
                            value=format!("add:{}", role_code(r))
                            class="button button--secondary"
                        >
                            {move || {
                                if current_lang() == Lang::Zh {
                                    format!("＋ 添加{}", r.name(Lang::Zh))
                                } else {
                                    format!("+ Add: {}", r.name(Lang::En))
                                }
                            }}
                        </button>
                    }
                })
                .collect_view()}
            <button type="submit" name="op" value="add_self" class="button button--secondary">
                {bi(
                    "＋ 把我（登录手机号）加为申请人",
                    "+ Add myself (my sign-in number)",
                )}
            </button>
        </div>
    }
}

#[component]
fn PartyFields(
    i: usize,
    p: PartyForm,
    roles: Vec<PartyRole>,
    errs: Signal<Vec<FieldError>>,
    count: usize,
) -> impl IntoView {
    let f = move |n: &str| format!("party{i}_{n}");
    let field_name = move |n: &str| format!("f[party{i}_{n}]");
    let (k_role, k_name, k_type, k_id, k_mobile, k_share) = (
        f("role"),
        f("name"),
        f("id_type"),
        f("id_number"),
        f("mobile"),
        f("share"),
    );
    let current_role = p.role.clone();
    let current_type = p.id_type.clone();
    view! {
        <fieldset class="party" id=format!("party{i}")>
            <legend>
                {move || {
                    let role = role_label(&current_role, current_lang());
                    if current_lang() == Lang::Zh {
                        format!("第 {} 位：{}", i + 1, role)
                    } else {
                        format!("Party {}: {}", i + 1, role)
                    }
                }}
            </legend>
            <div class="field">
                <label for=k_role.clone()>{bi("身份", "Role")}</label>
                <FieldMsg errors=errs field=k_role.clone() />
                <select
                    id=k_role.clone()
                    name=field_name("role")
                    aria-describedby=format!("{k_role}-error")
                >
                    {roles
                        .into_iter()
                        .map(|r| {
                            let code = role_code(r);
                            view! {
                                <option value=code selected=p.role == code>
                                    {move || r.name(current_lang())}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </div>
            <div class="field">
                <label for=k_name
                    .clone()>{bi("姓名或单位名称", "Name (person or organisation)")}</label>
                <FieldMsg errors=errs field=k_name.clone() />
                <input
                    id=k_name.clone()
                    name=field_name("name")
                    type="text"
                    maxlength="80"
                    autocomplete="off"
                    value=p.name
                    aria-invalid=invalid(errs, k_name.clone())
                    aria-describedby=format!("{}-error", k_name)
                />
            </div>
            <div class="field">
                <label for=k_type.clone()>{bi("证件类型", "Identity document")}</label>
                <select id=k_type name=field_name("id_type")>
                    {IdType::ALL
                        .into_iter()
                        .map(|t| {
                            view! {
                                <option value=t.code() selected=current_type == t.code()>
                                    {move || t.name(current_lang())}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </div>
            <div class="field">
                <label for=k_id.clone()>{bi("证件号码", "Document number")}</label>
                <FieldMsg errors=errs field=k_id.clone() />
                <input
                    id=k_id.clone()
                    name=field_name("id_number")
                    type="text"
                    maxlength="30"
                    autocomplete="off"
                    autocapitalize="characters"
                    value=p.id_number
                    aria-invalid=invalid(errs, k_id.clone())
                    aria-describedby=format!("{}-error", k_id)
                />
            </div>
            <div class="field">
                <label for=k_mobile.clone()>{bi("手机号码", "Mobile number")}</label>
                <FieldMsg errors=errs field=k_mobile.clone() />
                <input
                    id=k_mobile.clone()
                    name=field_name("mobile")
                    type="tel"
                    inputmode="numeric"
                    maxlength="20"
                    autocomplete="off"
                    value=p.mobile
                    aria-invalid=invalid(errs, k_mobile.clone())
                    aria-describedby=format!("{}-error", k_mobile)
                />
            </div>
            <div class="field">
                <label for=k_share.clone()>{bi("共有份额（%）", "Share (%)")}</label>
                <p class="hint">
                    {bi(
                        "多位权利人共有时填写，例如 50。",
                        "When several right holders share, e.g. 50.",
                    )}
                </p>
                <FieldMsg errors=errs field=k_share.clone() />
                <input
                    id=k_share.clone()
                    name=field_name("share")
                    type="text"
                    inputmode="decimal"
                    maxlength="8"
                    autocomplete="off"
                    value=p.share
                    aria-invalid=invalid(errs, k_share.clone())
                    aria-describedby=format!("{}-error", k_share)
                />
            </div>
            {(count > 1)
                .then(|| {
                    view! {
                        <button
                            type="submit"
                            name="op"
                            value=format!("remove:{i}")
                            class="button button--link"
                        >
                            {bi("删除这位", "Remove this party")}
                        </button>
                    }
                })}
        </fieldset>
    }
}

#[component]
fn AgentStep(draft: Draft, errs: Signal<Vec<FieldError>>) -> impl IntoView {
    let a = draft.agent;
    let is_self = a.filing_for != "others";
    let notarised = a.poa == "notarised";
    let signed = a.poa == "signed";
    view! {
        <fieldset class="field" id="filing_for">
            <legend>{bi("您是在为谁申请？", "Who are you filing for?")}</legend>
            <FieldMsg errors=errs field="filing_for".into() />
            <label class="choice">
                <input type="radio" name="f[filing_for]" value="self" checked=is_self />
                {bi(
                    "为自己申请（我是申请人之一）",
                    "For myself (I am one of the parties)",
                )}
            </label>
            <label class="choice">
                <input type="radio" name="f[filing_for]" value="others" checked=!is_self />
                {bi(
                    "代他人申请（我是代理人，需要授权委托书）",
                    "For others (I am an agent with a power of attorney)",
                )}
            </label>
        </fieldset>
        <section class="agent">
            <h2>
                {bi(
                    "代理人信息（代他人申请时填写）",
                    "The agent (when filing for others)",
                )}
            </h2>
            <TextField
                name="agent_name"
                label=bi("代理人姓名", "Agent's name")
                value=a.name
                errs
            />
            <TextField
                name="agent_id_number"
                label=bi("代理人身份证号码", "Agent's resident ID number")
                value=a.id_number
                errs
                maxlength=30
            />
            <TextField
                name="agent_mobile"
                label=bi("代理人手机号码", "Agent's mobile number")
                value=a.mobile
                errs
                kind="tel"
                inputmode="numeric"
                maxlength=20
            />
            <fieldset class="field" id="agent_poa">
                <legend>{bi("授权委托书", "Power of attorney")}</legend>
                <FieldMsg errors=errs field="agent_poa".into() />
                <label class="choice">
                    <input type="radio" name="f[agent_poa]" value="notarised" checked=notarised />
                    {bi("经公证的委托书", "Notarised power of attorney")}
                </label>
                <label class="choice">
                    <input type="radio" name="f[agent_poa]" value="signed" checked=signed />
                    {bi("委托人到场签署的委托书", "Signed in person by the principals")}
                </label>
                <p class="hint">
                    {bi(
                        "请在“材料”一步上传委托书的照片，并在到场时带上原件。",
                        "Upload a photo of the power of attorney at the Materials step, and bring the original when you come.",
                    )}
                </p>
            </fieldset>
        </section>
    }
}

/// Forms that live outside the wizard's form (HTML forbids nesting): one
/// multipart upload form per checklist item and one delete form per file.
/// The inputs and buttons inside the checklist point at them with `form=`.
#[component]
fn UploadForms(a: ApplicationView) -> impl IntoView {
    view! {
        {a
            .matter
            .checklist
            .iter()
            .map(|i| {
                view! {
                    <form
                        id=format!("upload-{}", i.material)
                        method="post"
                        action="/uploads/form"
                        enctype="multipart/form-data"
                        class="hidden-form"
                    ></form>
                }
            })
            .collect_view()}
        {a
            .documents
            .iter()
            .map(|d| {
                view! {
                    <form
                        id=format!("delete-{}", d.id)
                        method="post"
                        action=format!("/documents/{}/delete", d.id)
                        class="hidden-form"
                    >
                        <input type="hidden" name="csrf" value=a.csrf.clone() />
                    </form>
                    <form
                        id=format!("move-{}", d.id)
                        method="post"
                        action=format!("/documents/{}/move", d.id)
                        class="hidden-form"
                    >
                        <input type="hidden" name="csrf" value=a.csrf.clone() />
                    </form>
                }
            })
            .collect_view()}
    }
}

#[component]
fn MaterialsStep(
    a: ApplicationView,
    errs: Signal<Vec<FieldError>>,
    query: Vec<(String, String)>,
) -> impl IntoView {
    use crate::domain::document::{error_from_code, human_size};
    let query = RwSignal::new(
        query
            .into_iter()
            .collect::<leptos_router::params::ParamsMap>(),
    );
    let upload_error = query.with_untracked(|q| {
        let max = q
            .get("max")
            .and_then(|m| m.parse::<u64>().ok())
            .unwrap_or(a.max_file_mb as u64);
        let material = q.get("m").unwrap_or_default();
        // Each refused file of a no-JavaScript upload: its reason and name,
        // in pairs (`upload_error`, `fname`).
        let codes = q.get_all("upload_error").unwrap_or_default();
        let names = q.get_all("fname").unwrap_or_default();
        let refused: Vec<_> = codes
            .iter()
            .enumerate()
            .filter_map(|(i, c)| {
                error_from_code(c, max).map(|e| (names.get(i).cloned().unwrap_or_default(), e))
            })
            .collect();
        (material, refused)
    });
    // How many files the no-JavaScript form took (it may carry several).
    let uploaded = query.with_untracked(|q| {
        q.get("uploaded")
            .map(|n| n.parse::<usize>().unwrap_or(1).max(1))
    });
    // Hints about the last photo (dark, blurred, small), from the browser.
    let photo_hints = query.with_untracked(|q| {
        use crate::domain::document::PhotoHint;
        let hints: Vec<PhotoHint> = q
            .get("hint")
            .unwrap_or_default()
            .split(',')
            .filter_map(PhotoHint::from_code)
            .collect();
        (!hints.is_empty()).then(|| {
            (
                q.get("m").unwrap_or_default(),
                q.get("hn").unwrap_or_default(),
                hints,
            )
        })
    });
    let draft = a.draft.clone();
    let max_mb = a.max_file_mb;
    view! {
        <p class="hint">
            {bi(
                "请逐项确认已备齐，并可为每项拍照或上传 PDF（两面的证件请分别上传正反面）。标“可容缺”的材料暂缺也可受理，但须承诺后补。",
                "Tick each material you have ready, and take a photo or upload a PDF for each (upload both sides of a two-sided card). Items marked \"may follow\" can be brought later if you promise to.",
            )}
        </p>
        {uploaded
            .map(|n| {
                view! {
                    <p class="notice" role="status">
                        {move || match (current_lang(), n) {
                            (Lang::Zh, 1) => "文件已上传。".to_string(),
                            (Lang::Zh, n) => format!("已上传 {n} 个文件。"),
                            (_, 1) => "The file has been uploaded.".to_string(),
                            (_, n) => format!("{n} files have been uploaded."),
                        }}
                    </p>
                }
            })}
        <ul class="checklist__items checklist__items--form">
            {a
                .matter
                .checklist
                .into_iter()
                .map(|item| {
                    let key = format!("material_{}", item.material);
                    let checked = draft.materials.contains(&item.material);
                    let required = item.requirement == Requirement::Required;
                    let form_id = format!("upload-{}", item.material);
                    let file_id = format!("file-{}", item.material);
                    let docs: Vec<_> = a
                        .documents
                        .iter()
                        .filter(|d| d.material == item.material)
                        .cloned()
                        .collect();
                    let count = docs.len();
                    let errors = if upload_error.0 == item.material {
                        upload_error.1.clone()
                    } else {
                        Vec::new()
                    };
                    let hint = photo_hints
                        .clone()
                        .filter(|(m, _, _)| *m == item.material)
                        .map(|(_, name, hints)| {
                            view! {
                                <p class="upload-hint" role="status">
                                    {move || {
                                        let lang = current_lang();
                                        let what: Vec<&str> = hints
                                            .iter()
                                            .map(|h| h.message(lang))
                                            .collect();
                                        if lang == Lang::Zh {
                                            format!(
                                                "照片“{name}”{}。已上传，但建议删除后重新拍摄，以免来回补正。",
                                                what.join("、"),
                                            )
                                        } else {
                                            format!(
                                                "The photo \"{name}\" looks {}. It was uploaded, but consider deleting it and taking it again, so it does not come back for correction.",
                                                what.join(", "),
                                            )
                                        }
                                    }}
                                </p>
                            }
                        });
                    let material = item.material.clone();
                    let (application, csrf) = (a.id.clone(), a.csrf.clone());
                    let uploader = {
                        let (file_id, form_id, material) = (
                            file_id.clone(),
                            form_id.clone(),
                            material.clone(),
                        );
                        view! {
                            <Uploader>
                                <input
                                    type="file"
                                    id=file_id.clone()
                                    name="file"
                                    multiple=true
                                    accept="image/jpeg,image/png,image/webp,image/heic,image/heif,.heic,.heif,application/pdf"
                                    form=form_id.clone()
                                    data-application=application
                                    data-material=material.clone()
                                    data-csrf=csrf
                                    data-lang=lang_code(current_lang())
                                />
                                <ul class="upload-list" aria-live="polite"></ul>
                            </Uploader>
                        }
                    };
                    let item = StoredValue::new(item);
                    view! {
                        <li class="checklist__item" id=key.clone()>
                            <FieldMsg errors=errs field=key.clone() />
                            <label class="choice">
                                <input
                                    type="checkbox"
                                    name=format!("f[{key}]")
                                    value="on"
                                    checked=checked
                                />
                                <span>
                                    <span class="checklist__name">
                                        {move || {
                                            item.with_value(|i| {
                                                if current_lang() == Lang::Zh {
                                                    i.name_zh.clone()
                                                } else {
                                                    i.name_en.clone()
                                                }
                                            })
                                        }}
                                    </span>
                                    <span class="checklist__tags">
                                        {if required {
                                            view! {
                                                <span class="tag tag--required">
                                                    {bi("必须提供", "Required")}
                                                </span>
                                            }
                                                .into_any()
                                        } else {
                                            view! {
                                                <span class="tag tag--tolerable">
                                                    {bi("可容缺", "May follow")}
                                                </span>
                                            }
                                                .into_any()
                                        }}
                                        <span class="tag">
                                            {move || {
                                                item.with_value(|i| {
                                                    let form = match (i.form, current_lang()) {
                                                        (MaterialForm::Original, Lang::Zh) => "原件",
                                                        (MaterialForm::Original, Lang::En) => "original",
                                                        (MaterialForm::Copy, Lang::Zh) => "复印件",
                                                        (MaterialForm::Copy, Lang::En) => "copy",
                                                        (MaterialForm::Both, Lang::Zh) => "原件和复印件",
                                                        (MaterialForm::Both, Lang::En) => "original and copy",
                                                    };
                                                    if current_lang() == Lang::Zh {
                                                        format!("{form} {} 份", i.copies)
                                                    } else {
                                                        format!("{form} ×{}", i.copies)
                                                    }
                                                })
                                            }}
                                        </span>
                                    </span>
                                </span>
                            </label>
                            {(!docs.is_empty())
                                .then(|| {
                                    view! {
                                        <ul class="doc-list">
                                            {docs
                                                .iter()
                                                .enumerate()
                                                .map(|(n, d)| {
                                                    let first = n == 0;
                                                    let last = n + 1 == count;
                                                    let move_form = format!("move-{}", d.id);
                                                    view! {
                                                        <li class="doc">
                                                            <DocThumb doc=d.clone() />
                                                            <span class="doc-body">
                                                                <a href=viewer_href(&d.id)>{d.name.clone()}</a>
                                                                <span class="muted">{human_size(d.size)}</span>
                                                            </span>
                                                            <span class="doc-actions">
                                                                {(count > 1)
                                                                    .then(|| {
                                                                        view! {
                                                                            <button
                                                                                type="submit"
                                                                                form=move_form.clone()
                                                                                name="dir"
                                                                                value="up"
                                                                                class="button button--icon"
                                                                                disabled=first
                                                                                aria-label=format!("上移 {} Move up", d.name)
                                                                            >
                                                                                "↑"
                                                                            </button>
                                                                            <button
                                                                                type="submit"
                                                                                form=move_form.clone()
                                                                                name="dir"
                                                                                value="down"
                                                                                class="button button--icon"
                                                                                disabled=last
                                                                                aria-label=format!("下移 {} Move down", d.name)
                                                                            >
                                                                                "↓"
                                                                            </button>
                                                                        }
                                                                    })}
                                                                <button
                                                                    type="submit"
                                                                    form=format!("delete-{}", d.id)
                                                                    class="button button--link"
                                                                    aria-label=format!("删除 {}", d.name)
                                                                >
                                                                    {bi("删除", "Delete")}
                                                                </button>
                                                            </span>
                                                        </li>
                                                    }
                                                })
                                                .collect_view()}
                                        </ul>
                                    }
                                })}
                            <div class="upload" data-material=material.clone()>
                                {hint}
                                {errors
                                    .into_iter()
                                    .map(|(file_name, e)| {
                                        view! {
                                            <p class="field-error" role="alert">
                                                {move || {
                                                    let lang = current_lang();
                                                    let why = e.message(lang);
                                                    match (lang, file_name.is_empty()) {
                                                        (_, true) => why,
                                                        (Lang::Zh, false) => {
                                                            format!("“{file_name}”没有上传：{why}")
                                                        }
                                                        (_, false) => {
                                                            format!("\"{file_name}\" was not uploaded: {why}")
                                                        }
                                                    }
                                                }}
                                            </p>
                                        }
                                    })
                                    .collect_view()}
                                <input
                                    type="hidden"
                                    name="csrf"
                                    value=a.csrf.clone()
                                    form=form_id.clone()
                                />
                                <input
                                    type="hidden"
                                    name="application"
                                    value=a.id.clone()
                                    form=form_id.clone()
                                />
                                <input
                                    type="hidden"
                                    name="material"
                                    value=material.clone()
                                    form=form_id.clone()
                                />
                                <label for=file_id.clone() class="upload__label">
                                    {move || {
                                        if current_lang() == Lang::Zh {
                                            format!(
                                                "拍照或选择文件（照片或 PDF，每个不超过 {max_mb} MB）",
                                            )
                                        } else {
                                            format!(
                                                "Take a photo or choose a file (photo or PDF, up to {max_mb} MB each)",
                                            )
                                        }
                                    }}
                                </label>
                                {uploader}
                                <button
                                    type="submit"
                                    form=form_id
                                    class="button button--secondary upload__submit"
                                >
                                    {bi("上传", "Upload")}
                                </button>
                            </div>
                        </li>
                    }
                        .into_any()
                })
                .collect_view()}
        </ul>
    }
}

#[component]
fn DeclarationsStep(draft: Draft, matter: Matter, errs: Signal<Vec<FieldError>>) -> impl IntoView {
    let d = draft.declarations;
    view! {
        <div class="field" id="truthful">
            <FieldMsg errors=errs field="truthful".into() />
            <label class="choice">
                <input type="checkbox" name="f[truthful]" value="on" checked=d.truthful />
                {bi(
                    "本人承诺：所填信息和所交材料真实、合法、有效；如有不实，愿承担相应法律责任。",
                    "I declare that the information and materials I provide are true, lawful and valid, and I accept legal responsibility if they are not.",
                )}
            </label>
        </div>
        {matter
            .risk_notice
            .then(|| {
                view! {
                    <section class="notice notice--risk" id="risk_ack">
                        <h2>{bi("预告登记风险提示", "Advance-notice risk notice")}</h2>
                        <p>
                            {bi(
                                "预告登记只保障您将来取得物权的请求权，不等于已取得房屋所有权。自能够进行不动产登记之日起 90 日内未申请登记的，预告登记失效；债权消灭的，预告登记也失效。请在房屋办理首次登记后及时申请转移登记（预转本）。",
                                "An advance-notice registration protects your claim to acquire the property later; it does not make you the owner. It lapses if you do not apply for registration within 90 days of the day registration becomes possible, or when the underlying claim ends. Apply for conversion as soon as the building's first registration is done.",
                            )}
                        </p>
                        <FieldMsg errors=errs field="risk_ack".into() />
                        <label class="choice">
                            <input
                                type="checkbox"
                                name="f[risk_ack]"
                                value="on"
                                checked=d.risk_ack
                            />
                            {bi(
                                "我已阅读并理解上述风险提示。",
                                "I have read and understood this risk notice.",
                            )}
                        </label>
                    </section>
                }
            })}
    }
}

#[component]
fn ReviewStep(id: String, draft: Draft, matter: Matter) -> impl IntoView {
    let edit = move |s: Step| format!("/apply/{}/{}", id, s.slug());
    let p = draft.property.for_matter(&matter);
    let filing_for = draft.agent.filing_for.clone();
    let agent = draft.agent.clone();
    let ticked = draft.materials.len();
    let total = matter.checklist.len();
    view! {
        <p class="hint">
            {bi(
                "请核对以下信息，需要修改时点“修改”。提交后会立即得到回执号。",
                "Check your answers; use \"Change\" to correct one. You get a receipt number as soon as you submit.",
            )}
        </p>
        <section class="review">
            <h2>{move || step_title(Step::Property, current_lang())}</h2>
            <dl class="facts">
                <dt>{bi("不动产单元号", "Unit number")}</dt>
                <dd>{p.unit_number}</dd>
                <dt>{bi("证书号", "Certificate number")}</dt>
                <dd>{p.certificate_number}</dd>
                <dt>{bi("坐落", "Address")}</dt>
                <dd>{p.address}</dd>
                {(!p.secured_amount.is_empty())
                    .then(|| {
                        view! {
                            <dt>{bi("被担保主债权数额", "Secured amount")}</dt>
                            <dd>{format!("{} 元", p.secured_amount)}</dd>
                        }
                    })}
            </dl>
            <a href=edit(Step::Property)>{bi("修改", "Change")}</a>
        </section>
        <section class="review">
            <h2>{move || step_title(Step::Parties, current_lang())}</h2>
            <ul class="party-list">
                {draft
                    .parties
                    .into_iter()
                    .map(|p| {
                        let role = p.role.clone();
                        view! {
                            <li>
                                <strong>{p.name}</strong>
                                " · "
                                {move || role_label(&role, current_lang())}
                                " · "
                                {p.id_number}
                                " · "
                                {p.mobile}
                                {(!p.share.is_empty())
                                    .then(|| format!(" · {}%", p.share.trim_end_matches('%')))}
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
            <a href=edit(Step::Parties)>{bi("修改", "Change")}</a>
        </section>
        <section class="review">
            <h2>{move || step_title(Step::Agent, current_lang())}</h2>
            <p>
                {if filing_for == "others" {
                    view! {
                        {bi("代他人申请：", "Filing for others: ")}
                        {agent.name}
                        " · "
                        {agent.mobile}
                    }
                        .into_any()
                } else {
                    bi("为自己申请", "Filing for myself").into_any()
                }}
            </p>
            <a href=edit(Step::Agent)>{bi("修改", "Change")}</a>
        </section>
        <section class="review">
            <h2>{move || step_title(Step::Materials, current_lang())}</h2>
            <p>
                {move || {
                    if current_lang() == Lang::Zh {
                        format!("已备齐 {ticked} 项，共 {total} 项。")
                    } else {
                        format!("{ticked} of {total} ready.")
                    }
                }}
            </p>
            <a href=edit(Step::Materials)>{bi("修改", "Change")}</a>
        </section>
    }
}

#[component]
fn Done(a: ApplicationView) -> impl IntoView {
    let receipt = a.receipt_no.clone().unwrap_or_default();
    let track = format!("/track?no={receipt}");
    let detail = format!("/applications/{}", a.id);
    let m = StoredValue::new(a.matter.clone());
    let ticked = a.draft.materials.clone();
    let no_visit = !a.matter.visit_required;
    // The filer of a matter done without a visit signs too (an identity
    // check, then a confirmation) from the application's page.
    let must_sign = a.my_part.as_ref().is_some_and(|p| !p.standing.agrees());
    let sign_href = format!("/applications/{}#confirm", a.id);
    view! {
        <section class="confirmation" role="status">
            <h1>{bi("预申请已提交", "Pre-application submitted")}</h1>
            <p>{bi("您的回执号", "Your receipt number")}</p>
            <p class="receipt receipt--big" data-testid="receipt">
                {receipt}
            </p>
            <p>
                {bi(
                    "回执号已通过短信发送给您。请记下它，凭它和身份证后 6 位可随时查询进度。",
                    "We have texted you the receipt number. Keep it: with it and the last 6 characters of an ID number you can follow progress at any time.",
                )}
            </p>
        </section>
        <h2>{bi("接下来", "What happens next")}</h2>
        <ol class="next-steps">
            <li>
                {bi(
                    "工作人员将在 1 个工作日内完成预审，结果以短信通知。",
                    "A clerk pre-reviews your application within 1 working day; we text you the result.",
                )}
            </li>
            <li>
                {bi(
                    "如需补正，会一次性告知所有需要补充的内容。",
                    "If anything needs correcting, you are told everything at once.",
                )}
            </li>
            {if no_visit {
                view! {
                    <li>
                        {bi(
                            "本事项无需到场：所有当事人（包括您本人）在网上完成实名核验并确认后即可受理，缴费和领证也在网上。",
                            "This matter needs no visit: once every party (you too) has verified their identity and confirmed online it can be accepted; payment and the certificate are online too.",
                        )}
                    </li>
                }
                    .into_any()
            } else {
                view! {
                    <li>
                        {bi(
                            "预审通过后预约到窗口的时间，带齐下列材料原件，只跑一次。",
                            "Once pre-accepted, book a time at a window and bring the originals below: one trip.",
                        )}
                    </li>
                }
                    .into_any()
            }}
        </ol>
        {must_sign
            .then(|| {
                view! {
                    <section class="notice" role="note" data-testid="sign-yourself">
                        <p>
                            {bi(
                                "请您本人完成实名核验并签名确认：您的确认就是这份申请的电子签名，代替到窗口签字。",
                                "Please verify your identity and confirm it yourself: your confirmation is this application's electronic signature, in place of signing at a window.",
                            )}
                        </p>
                        <a class="button" href=sign_href>
                            {bi("去核验并签名确认", "Verify and sign")}
                        </a>
                    </section>
                }
            })}
        <h2>
            {if no_visit {
                bi("材料清单", "Materials")
            } else {
                bi("需要带的材料", "Materials to bring")
            }}
        </h2>
        <ul class="checklist__items">
            {move || {
                m.with_value(|m| {
                    m.checklist
                        .iter()
                        .map(|i| {
                            let name = if current_lang() == Lang::Zh {
                                i.name_zh.clone()
                            } else {
                                i.name_en.clone()
                            };
                            let ready = ticked.contains(&i.material);
                            view! {
                                <li class="checklist__item">
                                    <span class="checklist__name">{name}</span>
                                    {if ready {
                                        view! {
                                            <span class="tag">{bi("已备齐", "ready")}</span>
                                        }
                                            .into_any()
                                    } else {
                                        view! {
                                            <span class="tag tag--tolerable">
                                                {bi("待补", "to follow")}
                                            </span>
                                        }
                                            .into_any()
                                    }}
                                </li>
                            }
                        })
                        .collect_view()
                })
            }}
        </ul>
        <div class="actions">
            <a class="button" href=detail>
                {bi("查看办件", "View the application")}
            </a>
            <a class="button button--secondary" href=track>
                {bi("进度查询页", "Progress page")}
            </a>
        </div>
    }
}
