use super::elder::{elder_mode, ElderSwitch};
use super::language::LanguageSwitch;
use crate::i18n::*;
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn Layout(children: Children) -> impl IntoView {
    let i18n = use_i18n();
    // The stylesheet enlarges everything (`html:has(.site-header--elder)`)
    // when the person chose the elderly mode.
    let elder = elder_mode();
    view! {
        <a class="skip-link" href="#main">
            {t!(i18n, skip_to_content)}
        </a>
        <header class="site-header" class:site-header--elder=elder>
            <div class="site-header__inner">
                <A href="/" attr:class="brand">
                    <span class="brand__name">{t!(i18n, brand)}</span>
                    <span class="brand__sub">{t!(i18n, brand_sub)}</span>
                </A>
                <div class="site-header__switches">
                    <ElderSwitch on=elder />
                    <LanguageSwitch />
                </div>
            </div>
            <nav class="site-nav" aria-label=move || t_string!(i18n, nav_main)>
                <A href="/" exact=true>
                    {t!(i18n, nav_home)}
                </A>
                <A href="/matters">{t!(i18n, nav_matters)}</A>
                <A href="/sites">{t!(i18n, nav_sites)}</A>
                <A href="/me">{crate::components::forms::bi("我的办件", "My applications")}</A>
                <A href="/track">{crate::components::forms::bi("进度查询", "Track")}</A>
            </nav>
        </header>
        <main id="main" class="site-main">
            {children()}
        </main>
        <footer class="site-footer">
            <p>{t!(i18n, footer_note)}</p>
            <p class="site-footer__promise">{t!(i18n, footer_promise)}</p>
        </footer>
    }
}

/// The page's own title (WCAG 2.4.2), in the user's language, followed by the
/// service's name: "服务网点 · 一趟办". A plain string, computed when the page
/// is rendered on the server (see `AppTitle` in lib.rs for why). The home
/// page keeps the service's full name.
#[component]
pub fn PageTitle(zh: &'static str, en: &'static str) -> impl IntoView {
    let i18n = use_i18n();
    let page = if i18n.get_locale_untracked() == Locale::en {
        en
    } else {
        zh
    };
    let text = format!("{page} · {}", t_string!(i18n, brand));
    view! { <leptos_meta::Title text /> }
}
