//! The language switch. It is a plain link to `/lang?to=…&next=…`, which the
//! server answers by setting the preference cookie and redirecting back: the
//! page is rendered again in the other language, with or without JavaScript
//! (pages are server-rendered; islands read the same cookie).

use crate::i18n::*;
use leptos::prelude::*;
use leptos_router::hooks::use_location;

/// Name of the cookie holding the chosen language (leptos_i18n's default).
pub const LANG_COOKIE: &str = "i18n_pref_locale";

pub fn cookie_options() -> leptos_i18n::context::CookieOptions<Locale> {
    leptos_i18n::context::CookieOptions::<Locale>::default()
        .path("/")
        .max_age(365_i64 * 24 * 3600 * 1000)
        .same_site(leptos_use::SameSite::Lax)
}

/// The service speaks Simplified Chinese unless the user chose English: the
/// browser's Accept-Language is deliberately not consulted, because many
/// phones in China report an English system locale.
pub fn ignore_accept_language() -> leptos_use::UseLocalesOptions {
    leptos_use::UseLocalesOptions::default().ssr_lang_header_getter(|| None)
}

/// The current language as the domain's `Lang`.
pub fn current_lang() -> crate::domain::Lang {
    match use_i18n().get_locale() {
        Locale::en => crate::domain::Lang::En,
        _ => crate::domain::Lang::Zh,
    }
}

#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let i18n = use_i18n();
    let location = use_location();
    let other = move || match i18n.get_locale() {
        Locale::en => Locale::zh_CN,
        _ => Locale::en,
    };
    let href = move || {
        let search = location.search.get();
        let search = match search.as_str() {
            "" | "?" => String::new(),
            s if s.starts_with('?') => s.to_string(),
            s => format!("?{s}"),
        };
        let next = format!("{}{search}", location.pathname.get());
        format!("/lang?to={}&next={}", other().as_str(), urlencode(&next))
    };
    view! {
        <a
            class="lang-switch"
            href=href
            hreflang=move || other().as_str()
            lang=move || other().as_str()
            aria-label=move || t_string!(i18n, switch_language_label)
        >
            {t!(i18n, switch_language)}
        </a>
    }
}

/// Percent-encode a path for use as a query value.
pub fn urlencode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The inverse of [`urlencode`] (and of a browser's encoding: `+` is a
/// space); a malformed escape is kept as it is.
pub fn urldecode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            b'+' => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
