//! Form pieces shared by the citizen pages: bilingual text, the error summary
//! at the top of a form, and the message next to a field.

use crate::components::language::current_lang;
use crate::domain::catalogue::Matter;
use crate::domain::Lang;
use crate::error::FieldError;
use leptos::prelude::*;

/// Text in the current language, as a reactive closure for `view!`.
pub fn bi(
    zh: &'static str,
    en: &'static str,
) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
    let lang = crate::components::language::current_lang();
    move || match lang {
        Lang::En => en,
        Lang::Zh => zh,
    }
}

/// A pair of texts in the given language (for runtime strings; `bi` for
/// literals).
pub fn zh_en(lang: Lang, zh: &str, en: &str) -> String {
    match lang {
        Lang::Zh => zh.to_string(),
        Lang::En => en.to_string(),
    }
}

/// The first error of a field, if any.
pub fn error_for(errors: &[FieldError], field: &str) -> Option<FieldError> {
    errors.iter().find(|e| e.field == field).cloned()
}

/// The name of a field as the summary shows it ("坐落（地址）：此项为必填项。").
pub fn field_label(field: &str, lang: Lang) -> Option<String> {
    let zh = lang == Lang::Zh;
    let fixed = match field {
        "mobile" => Some(("手机号码", "Mobile number")),
        "code" => Some(("验证码", "Code")),
        "unit_number" => Some(("不动产单元号", "Unit number")),
        "certificate_number" => Some(("不动产权证书号", "Certificate number")),
        "address" => Some(("坐落（地址）", "Address")),
        "secured_amount" => Some(("被担保主债权数额（元）", "Secured amount (yuan)")),
        "parties" => Some(("申请人", "Parties")),
        "filing_for" => Some(("为谁申请", "Filing for")),
        "agent_name" => Some(("代理人姓名", "Agent's name")),
        "agent_id_number" => Some(("代理人身份证号码", "Agent's ID number")),
        "agent_mobile" => Some(("代理人手机号码", "Agent's mobile number")),
        "agent_poa" => Some(("授权委托书", "Power of attorney")),
        "truthful" => Some(("真实性承诺", "Declaration")),
        "risk_ack" => Some(("风险提示", "Risk notice")),
        _ => None,
    };
    if let Some((z, e)) = fixed {
        return Some(if zh { z } else { e }.to_string());
    }
    if field.starts_with("material_") {
        return Some(if zh { "材料" } else { "Material" }.to_string());
    }
    let rest = field.strip_prefix("party")?;
    let (n, what) = rest.split_once('_')?;
    let n: usize = n.parse().ok()?;
    let what = match (what, zh) {
        ("role", true) => "身份",
        ("role", false) => "role",
        ("name", true) => "姓名",
        ("name", false) => "name",
        ("id_type", true) => "证件类型",
        ("id_type", false) => "document type",
        ("id_number", true) => "证件号码",
        ("id_number", false) => "document number",
        ("mobile", true) => "手机号码",
        ("mobile", false) => "mobile number",
        ("share", true) => "份额",
        ("share", false) => "share",
        _ => return None,
    };
    Some(if zh {
        format!("第 {} 位申请人的{what}", n + 1)
    } else {
        format!("Party {}: {what}", n + 1)
    })
}

/// What a summary line calls a field: its label ("第 2 位申请人的姓名"), or
/// for a checklist item the material's own name.
pub fn summary_label(field: &str, lang: Lang, matter: Option<&Matter>) -> Option<String> {
    if let (Some(code), Some(m)) = (field.strip_prefix("material_"), matter) {
        if let Some(item) = m.checklist.iter().find(|i| i.material == code) {
            return Some(if lang == Lang::Zh {
                item.name_zh.clone()
            } else {
                item.name_en.clone()
            });
        }
    }
    field_label(field, lang)
}

/// One summary line: the field named, then what is wrong with it (unless
/// the message names it already).
pub fn summary_line(e: &FieldError, lang: Lang, matter: Option<&Matter>) -> String {
    let msg = e.message(lang);
    match summary_label(&e.field, lang, matter) {
        Some(label) if !msg.contains(&label) => {
            if lang == Lang::Zh {
                format!("{label}：{msg}")
            } else {
                format!("{label}: {msg}")
            }
        }
        _ => msg.to_string(),
    }
}

/// "There is a problem" box listing every error, each naming its field and
/// linking to it. It takes focus when it appears: by `autofocus` on a page
/// the server rendered, by the form's island after an in-browser check
/// (which also moves focus to the field when a link is followed).
#[component]
pub fn ErrorSummary(
    errors: Signal<Vec<FieldError>>,
    #[prop(optional)] matter: Option<Matter>,
) -> impl IntoView {
    let title = bi(
        "请修改以下问题后继续",
        "Please fix the following to continue",
    );
    let matter = StoredValue::new(matter);
    move || {
        let list = errors.get();
        (!list.is_empty()).then(|| {
            view! {
                <div
                    class="error-summary"
                    role="alert"
                    tabindex="-1"
                    aria-labelledby="error-summary-title"
                    autofocus=true
                >
                    <h2 id="error-summary-title">{title}</h2>
                    <ul>
                        {list
                            .into_iter()
                            .map(|e| {
                                let href = format!("#{}", e.field);
                                view! {
                                    <li>
                                        <a href=href>
                                            {move || {
                                                matter
                                                    .with_value(|m| {
                                                        summary_line(&e, current_lang(), m.as_ref())
                                                    })
                                            }}
                                        </a>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                </div>
            }
        })
    }
}

/// The message shown right under a field (`id = "<field>-error"`), after an
/// empty, hidden slot that marks where it goes: a form's island puts the
/// message of an in-browser check there (`browser::show_errors`).
#[component]
pub fn FieldMsg(errors: Signal<Vec<FieldError>>, field: String) -> impl IntoView {
    let id = format!("{field}-error");
    let slot = field.clone();
    view! {
        <span class="field-slot" data-msg-for=slot hidden=true></span>
        {move || {
            error_for(&errors.get(), &field)
                .map(|e| {
                    view! {
                        <p class="field-error" id=id.clone()>
                            {move || e.message(current_lang()).to_string()}
                        </p>
                    }
                })
        }}
    }
}

/// `aria-describedby` / `aria-invalid` values for a field.
pub fn invalid(
    errors: Signal<Vec<FieldError>>,
    field: impl Into<String>,
) -> impl Fn() -> Option<&'static str> + Clone + Send + Sync + 'static {
    let field = field.into();
    move || {
        errors
            .with(|e| e.iter().any(|e| e.field == field))
            .then_some("true")
    }
}

pub fn lang_is_zh() -> bool {
    current_lang() == Lang::Zh
}

/// Text to put inside a `<textarea>` as typed. Leptos writes a textarea's
/// children unescaped (it is a raw-text element to its renderer), so `&`,
/// `<` and `>` are escaped here; the browser reads the entities back, and
/// the box holds exactly what was typed (even `</textarea>`).
pub fn textarea_text(typed: &str) -> String {
    typed
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
