//! The language switch. It is a plain link to `/lang?to=…&next=…`, which the
//! server answers by setting the preference cookie and redirecting back: the
//! page is rendered again in the other language, with or without JavaScript
//! (pages are server-rendered; islands read the same cookie).

use crate::components::forms::bi;
use crate::domain::Lang;
use leptos::prelude::*;
use leptos_router::hooks::use_location;

/// Name of the cookie holding the chosen language (`zh-CN` or `en`; the
/// name is the one the i18n crate used before, so choices made then hold).
pub const LANG_COOKIE: &str = "i18n_pref_locale";

/// The language of this page, chosen once per request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct PageLang(Lang);

/// Choose the page's language from the request: English only if the person
/// chose it (the cookie the switch sets). The browser's Accept-Language is
/// deliberately not consulted, because many phones in China report an
/// English system locale. In the browser, islands take the language the
/// page was rendered in (`data-lang`), not this.
pub fn provide_lang() {
    #[cfg(feature = "ssr")]
    let lang = use_context::<http::request::Parts>()
        .and_then(|parts| {
            parts
                .headers
                .get_all(http::header::COOKIE)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(';'))
                .filter_map(|kv| kv.trim().split_once('='))
                .find(|(k, _)| *k == LANG_COOKIE)
                .map(|(_, v)| if v == "en" { Lang::En } else { Lang::Zh })
        })
        .unwrap_or(Lang::Zh);
    #[cfg(not(feature = "ssr"))]
    let lang = Lang::Zh;
    provide_context(PageLang(lang));
}

/// The current page's language.
pub fn current_lang() -> Lang {
    use_context::<PageLang>().map_or(Lang::Zh, |l| l.0)
}

/// The language's tag, as `lang` attributes and the cookie write it.
pub fn lang_tag(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "zh-CN",
        Lang::En => "en",
    }
}

#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let location = use_location();
    let other = match current_lang() {
        Lang::En => lang_tag(Lang::Zh),
        Lang::Zh => lang_tag(Lang::En),
    };
    let href = move || {
        let search = location.search.get();
        let search = match search.as_str() {
            "" | "?" => String::new(),
            s if s.starts_with('?') => s.to_string(),
            s => format!("?{s}"),
        };
        let next = format!("{}{search}", location.pathname.get());
        format!("/lang?to={}&next={}", other, urlencode(&next))
    };
    view! {
        <a
            class="lang-switch"
            href=href
            hreflang=other
            lang=other
            aria-label=move || bi("English（切换到英文）", "中文 (Switch to Chinese)")()
        >
            {bi("English", "中文")}
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
