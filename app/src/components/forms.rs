//! Form pieces shared by the citizen pages: bilingual text, the error summary
//! at the top of a form, and the message next to a field.

use crate::components::language::current_lang;
use crate::domain::Lang;
use crate::error::FieldError;
use crate::i18n::*;
use leptos::prelude::*;

/// Text in the current language, as a reactive closure for `view!`.
pub fn bi(
    zh: &'static str,
    en: &'static str,
) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
    let i18n = use_i18n();
    move || {
        if i18n.get_locale() == Locale::en {
            en
        } else {
            zh
        }
    }
}

/// The first error of a field, if any.
pub fn error_for(errors: &[FieldError], field: &str) -> Option<FieldError> {
    errors.iter().find(|e| e.field == field).cloned()
}

/// "There is a problem" box listing every error, each linking to its field.
/// Focused by the browser when it appears (tabindex + autofocus).
#[component]
pub fn ErrorSummary(errors: Signal<Vec<FieldError>>) -> impl IntoView {
    let title = bi(
        "请修改以下问题后继续",
        "Please fix the following to continue",
    );
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
                                            {move || e.message(current_lang()).to_string()}
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

/// The message shown right under a field (`id = "<field>-error"`).
#[component]
pub fn FieldMsg(errors: Signal<Vec<FieldError>>, field: String) -> impl IntoView {
    let id = format!("{field}-error");
    move || {
        error_for(&errors.get(), &field).map(|e| {
            view! {
                <p class="field-error" id=id.clone()>
                    {move || e.message(current_lang()).to_string()}
                </p>
            }
        })
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
