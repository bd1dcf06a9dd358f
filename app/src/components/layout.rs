use super::elder::{elder_mode, ElderSwitch};
use super::language::LanguageSwitch;
use crate::components::forms::bi;
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn Layout(children: Children) -> impl IntoView {
    // The stylesheet enlarges everything (`html:has(.site-header--elder)`)
    // when the person chose the elderly mode.
    let elder = elder_mode();
    view! {
        <a class="skip-link" href="#main">
            {bi("跳到正文", "Skip to content")}
        </a>
        <header class="site-header" class:site-header--elder=elder>
            <div class="site-header__inner">
                <A href="/" attr:class="brand">
                    <span class="brand__name">{bi("一趟办", "OneTrip")}</span>
                    <span class="brand__sub">{bi("不动产登记网上服务", "Real-estate registration online")}</span>
                </A>
                <div class="site-header__switches">
                    <ElderSwitch on=elder />
                    <LanguageSwitch />
                </div>
            </div>
            <nav class="site-nav" aria-label=move || bi("主导航", "Main navigation")()>
                <A href="/" exact=true>
                    {bi("首页", "Home")}
                </A>
                <A href="/matters">{bi("办事指南", "Services")}</A>
                <A href="/sites">{bi("服务网点", "Service sites")}</A>
                <A href="/me">{bi("我的办件", "My applications")}</A>
                <A href="/track">{bi("进度查询", "Track")}</A>
                <A href="/help">{bi("常见问题", "Help")}</A>
            </nav>
        </header>
        <main id="main" class="site-main">
            {children()}
        </main>
        <footer class="site-footer">
            <p>{bi("一趟办 · 不动产登记网上服务", "OneTrip · Real-estate registration online")}</p>
            <p class="site-footer__promise">{bi("最多跑一次", "Come at most once")}</p>
        </footer>
    }
}

/// The page's own title (WCAG 2.4.2), in the user's language, followed by the
/// service's name: "服务网点 · 一趟办". A plain string, computed when the page
/// is rendered on the server (see `AppTitle` in lib.rs for why). The home
/// page keeps the service's full name.
#[component]
pub fn PageTitle(zh: &'static str, en: &'static str) -> impl IntoView {
    let page = bi(zh, en)();
    let text = format!("{page} · {}", bi("一趟办", "OneTrip")());
    view! { <leptos_meta::Title text /> }
}

/// A title from data (an article's question): "问题 · 一趟办".
#[component]
pub fn PageTitleText(text: String) -> impl IntoView {
    let text = format!("{text} · {}", bi("一趟办", "OneTrip")());
    view! { <leptos_meta::Title text /> }
}
