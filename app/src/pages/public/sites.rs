use crate::api::public::sites::list_sites;
use crate::domain::Lang;
use crate::i18n::*;
use crate::model::{Site, SiteKind};
use leptos::prelude::*;

/// Public list of the service sites, grouped by level. Rendered with
/// `SsrMode::Async`, so the list is in the HTML for clients without JavaScript.
#[component]
pub fn SitesPage() -> impl IntoView {
    let i18n = use_i18n();
    let sites = Resource::new(|| (), |_| list_sites());
    view! {
        <crate::components::layout::PageTitle zh="服务网点" en="Service sites" />
        <h1>{t!(i18n, sites_title)}</h1>
        <p class="lead">{t!(i18n, sites_lead)}</p>
        <Suspense fallback=move || {
            view! { <p class="muted">{t!(i18n, loading)}</p> }
        }>
            {move || Suspend::new(async move {
                match sites.await {
                    Ok(list) if list.is_empty() => {
                        view! { <p>{t!(i18n, sites_empty)}</p> }.into_any()
                    }
                    Ok(list) => view! { <SiteGroups sites=list /> }.into_any(),
                    Err(_) => {
                        view! {
                            <section class="notice notice--error" role="alert">
                                <h2>{t!(i18n, error_title)}</h2>
                                <p>{t!(i18n, error_load_failed)}</p>
                            </section>
                        }
                            .into_any()
                    }
                }
            })}
        </Suspense>
    }
}

#[component]
fn SiteGroups(sites: Vec<Site>) -> impl IntoView {
    let i18n = use_i18n();
    [SiteKind::Main, SiteKind::Sub, SiteKind::Town]
        .into_iter()
        .map(|kind| {
            let group: Vec<Site> = sites.iter().filter(|s| s.kind == kind).cloned().collect();
            let heading = match kind {
                SiteKind::Main => t!(i18n, sites_kind_main).into_any(),
                SiteKind::Sub => t!(i18n, sites_kind_sub).into_any(),
                SiteKind::Town => t!(i18n, sites_kind_town).into_any(),
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
    let i18n = use_i18n();
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
                <dt>{t!(i18n, sites_address)}</dt>
                <dd>{pick(|s| s.address_zh.clone(), |s| s.address_en.clone())}</dd>
                <dt>{t!(i18n, sites_phone)}</dt>
                <dd>
                    <a href=tel>{phone}</a>
                </dd>
                <dt>{t!(i18n, sites_hours)}</dt>
                <dd>{pick(|s| s.hours_zh.clone(), |s| s.hours_en.clone())}</dd>
            </dl>
            {(!map.is_empty())
                .then(|| {
                    view! {
                        <p>
                            <a href=map rel="noopener" target="_blank" data-testid="map-link">
                                {crate::components::forms::bi(
                                    "在地图中查看",
                                    "Show on a map",
                                )}
                            </a>
                        </p>
                    }
                })}
        </li>
    }
}
