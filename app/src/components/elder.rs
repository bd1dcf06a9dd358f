//! The elderly mode (适老化): larger type, larger targets and a simpler
//! layout, switched by one link in every page's header and remembered in a
//! cookie. Like the language switch it is a plain link to
//! `/elder?on=…&next=…`, which the server answers by setting the cookie and
//! redirecting back, so it works without JavaScript and the server renders
//! the chosen mode from the first byte.

use super::forms::bi;
use super::language::urlencode;
use leptos::prelude::*;
use leptos_router::hooks::use_location;

/// Name of the cookie holding the choice (`1` = on).
pub const ELDER_COOKIE: &str = "onetrip_elder";

/// Whether this request's person chose the elderly mode.
pub fn elder_mode() -> bool {
    #[cfg(feature = "ssr")]
    {
        use_context::<http::request::Parts>().is_some_and(|parts| {
            parts
                .headers
                .get_all(http::header::COOKIE)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(';'))
                .filter_map(|kv| kv.trim().split_once('='))
                .any(|(k, v)| k == ELDER_COOKIE && v == "1")
        })
    }
    #[cfg(not(feature = "ssr"))]
    {
        false
    }
}

/// The switch: "大字模式" turns the mode on, "标准模式" back off.
#[component]
pub fn ElderSwitch(on: bool) -> impl IntoView {
    let location = use_location();
    let href = move || {
        let search = location.search.get();
        let search = match search.as_str() {
            "" | "?" => String::new(),
            s if s.starts_with('?') => s.to_string(),
            s => format!("?{s}"),
        };
        let next = format!("{}{search}", location.pathname.get());
        format!(
            "/elder?on={}&next={}",
            if on { 0 } else { 1 },
            urlencode(&next)
        )
    };
    let text = if on {
        bi("标准模式", "Standard view")
    } else {
        bi("大字模式", "Large text")
    };
    view! {
        <a class="elder-switch" href=href data-testid="elder-switch">
            {text}
        </a>
    }
}
