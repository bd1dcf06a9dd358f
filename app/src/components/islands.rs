//! Islands: pages are rendered on the server only; the few parts that must
//! react in the browser are `#[island]` components. A page that has one puts
//! [`IslandScripts`] in its view, which loads the script and the wasm; every
//! other page loads neither. Islands do not share the server's reactive
//! context, so each one provides its own language context ([`InLanguage`]),
//! read from the same preference cookie the server read.

use crate::i18n::*;
use leptos::prelude::*;

/// The scripts that load the wasm and make this page's islands interactive.
/// Rendered on the server, once per page that has islands.
#[cfg(feature = "ssr")]
#[component]
pub fn IslandScripts() -> impl IntoView {
    use_context::<LeptosOptions>()
        .map(|options| view! { <HydrationScripts options islands=true /> })
}

/// In the browser there is nothing to render: the page came from the server.
#[cfg(not(feature = "ssr"))]
#[component]
pub fn IslandScripts() -> impl IntoView {}

/// The language context inside an island: the same cookie, the same default
/// (Chinese), so the server's render and the browser's agree.
#[component]
pub fn InLanguage(children: Children) -> impl IntoView {
    view! {
        <I18nContextProvider
            cookie_options=super::language::cookie_options()
            ssr_lang_header_getter=super::language::ignore_accept_language()
            set_lang_attr_on_html=false
            set_dir_attr_on_html=false
        >
            {children()}
        </I18nContextProvider>
    }
}
