use crate::api::public::sites::list_sites;
use crate::components::forms::bi;
use crate::components::page_data::PageData;
use crate::domain::Lang;
use crate::model::{Site, SiteKind};
use leptos::prelude::*;

/// Public list of the service sites, grouped by level. Rendered with
/// `SsrMode::Async`, so the list is in the HTML for clients without JavaScript.
#[component]
pub fn SitesPage() -> impl IntoView {
    let sites = Resource::new(|| (), |_| list_sites());
    view! {
        <crate::components::layout::PageTitle zh="服务网点" en="Service sites" />
        <h1>{bi("服务网点", "Service sites")}</h1>
        <p class="lead">
            {bi(
                "以下网点均可咨询；具体可办事项以各网点公布为准。",
                "You can ask for advice at any of these sites; each site publishes the matters it handles.",
            )}
        </p>
        <PageData
            data=sites
            failed=(
                "暂时无法加载，请稍后刷新重试。如多次失败，请拨打服务电话。",
                "This could not be loaded just now. Please refresh in a moment; if it keeps failing, call a service site.",
            )
            let:value
        >
            {match value {
                list if list.is_empty() => {
                    view! {
                        <p>
                            {bi("暂无服务网点信息。", "No service sites are listed yet.")}
                        </p>
                    }
                        .into_any()
                }
                list => view! { <SiteGroups sites=list /> }.into_any(),
            }}
        </PageData>
    }
}

#[component]
fn SiteGroups(sites: Vec<Site>) -> impl IntoView {
    [SiteKind::Main, SiteKind::Sub, SiteKind::Town]
        .into_iter()
        .map(|kind| {
            let group: Vec<Site> = sites.iter().filter(|s| s.kind == kind).cloned().collect();
            let heading = match kind {
                SiteKind::Main => bi("登记中心", "Main centre").into_any(),
                SiteKind::Sub => bi("分中心", "Sub-centres").into_any(),
                SiteKind::Town => bi("乡镇便民服务点", "Town service points").into_any(),
            };
            (!group.is_empty()).then(|| {
                view! {
                    <section class="site-group" data-kind=kind.code()>
                        <h2>{heading}</h2>
                        <ul class="site-list">
                            {group
                                .into_iter()
                                .map(|site| view! { <SiteCard site /> })
                                .collect_view()}
                        </ul>
                    </section>
                }
            })
        })
        .collect_view()
}

#[component]
fn SiteCard(site: Site) -> impl IntoView {
    let site = StoredValue::new(site);
    let pick = move |zh: fn(&Site) -> String, en: fn(&Site) -> String| {
        move || match crate::components::language::current_lang() {
            Lang::Zh => site.with_value(zh),
            Lang::En => site.with_value(en),
        }
    };
    let phone = site.with_value(|s| s.phone.clone());
    let tel = format!("tel:{}", phone.replace([' ', '-'], ""));
    let map = site.with_value(|s| s.map_url.clone());
    view! {
        <li class="site-card">
            <h3>{pick(|s| s.name_zh.clone(), |s| s.name_en.clone())}</h3>
            <dl>
                <dt>{bi("地址", "Address")}</dt>
                <dd>{pick(|s| s.address_zh.clone(), |s| s.address_en.clone())}</dd>
                <dt>{bi("电话", "Phone")}</dt>
                <dd>
                    <a href=tel>{phone}</a>
                </dd>
                <dt>{bi("办公时间", "Opening hours")}</dt>
                <dd>{pick(|s| s.hours_zh.clone(), |s| s.hours_en.clone())}</dd>
            </dl>
            {(!map.is_empty())
                .then(|| {
                    view! {
                        <p>
                            <a href=map rel="noopener" target="_blank" data-testid="map-link">
                                {bi("在地图中查看", "Show on a map")}
                            </a>
                        </p>
                    }
                })}
        </li>
    }
}
