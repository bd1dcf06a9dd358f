//! OneTrip: the Leptos application shared by the server (SSR) and the browser
//! (islands: only the `#[island]` components run there). Requests travel page → server function (`api`) → domain rule
//! (`domain`) → query (`db`) → table.

// Deeply nested view types (the wizard's checklist) need more than the
// default 128 levels when the release build computes their layout.
#![recursion_limit = "256"]

pub mod api;
pub mod components;
#[cfg(feature = "ssr")]
pub mod db;
pub mod domain;
pub mod error;
#[cfg(feature = "ssr")]
pub mod guards;
pub mod model;
#[cfg(feature = "ssr")]
pub mod ops;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod rates;
#[cfg(feature = "ssr")]
pub mod security;
#[cfg(feature = "ssr")]
pub mod services;
pub mod views;

use crate::components::forms::bi;
use crate::components::language::{current_lang, lang_tag, provide_lang};
use crate::components::layout::Layout;
use crate::components::respond::NotFound;
use crate::pages::citizen::{
    ApplicationPage, BookingPage, ConsultPage, HomeVisitPage, MePage, SignInPage, VerifyPage,
    ViewerPage, WizardPage,
};
use crate::pages::clerk::{
    AdminPage, AuditPage, CalendarPage, CasePage, DashboardPage, FeesPage, RatingsPage,
    SiteAdminPage, StaffBatchPage, StaffBatchesPage, StaffBookingsPage, StaffHelpPage,
    StaffOrgsPage, StaffSignInPage, WorkbenchPage,
};
use crate::pages::developer::{
    DevBatchPage, DevInvitePage, DevProjectPage, DevRegisterPage, DevSignInPage, DevVerifyPage,
    DeveloperPage, OrgCasePage,
};
use crate::pages::public::{
    BankMortgagesPage, EcertCheckPage, HelpArticlePage, HelpPage, HomePage, MatterPage,
    MattersPage, MyRegisterPage, SitesPage, StaffRegisterPage, TrackPage,
};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, Html, MetaTags, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    path, SsrMode,
};

/// The HTML document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    security::set_content_security_policy();
    // Islands mode starts "not hydrating" (as Leptos's own HydrationScripts
    // sets it on pages that load one): a resource read by server-only
    // components is rendered, not also serialized into the page for a
    // hydration that never comes. Islands switch it on for themselves. Pages
    // without an island load no HydrationScripts, so without this every
    // page carried its resources' data (the whole catalogue on /matters)
    // and spent a fifth of its time escaping it.
    #[cfg(feature = "ssr")]
    if let Some(sc) = leptos::reactive::owner::Owner::current_shared_context() {
        sc.set_is_hydrating(false);
    }
    // Pages with an island load the scripts themselves (`IslandScripts`);
    // pages without one load no script and no wasm at all.
    provide_context(options.clone());
    view! {
        <!DOCTYPE html>
        <html>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="theme-color" content="#0b5cab" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <HashedStylesheet options=options.clone() id="leptos" />
                <AutoReload options=options.clone() />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_lang();
    view! {
        <Html {..} lang=lang_tag(current_lang()) />
        <NoEffectsOnServer />
        <AppTitle />
        <Router>
            <Layout>
                <Routes fallback=|| view! { <NotFound /> }>
                    <Route path=path!("/") view=HomePage />
                    <Route path=path!("/sites") view=SitesPage ssr=SsrMode::Async />
                    <Route path=path!("/matters") view=MattersPage ssr=SsrMode::Async />
                    <Route path=path!("/matters/:code") view=MatterPage ssr=SsrMode::Async />
                    <Route path=path!("/citizen") view=MePage ssr=SsrMode::Async />
                    <Route path=path!("/signin") view=SignInPage />
                    <Route path=path!("/signin/verify") view=VerifyPage />
                    <Route path=path!("/me") view=MePage ssr=SsrMode::Async />
                    <Route path=path!("/me/register") view=MyRegisterPage ssr=SsrMode::Async />
                    <Route
                        path=path!("/staff/register")
                        view=StaffRegisterPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/developer/mortgages")
                        view=BankMortgagesPage
                        ssr=SsrMode::Async
                    />
                    <Route path=path!("/apply/:id/:step") view=WizardPage ssr=SsrMode::Async />
                    <Route
                        path=path!("/applications/:id")
                        view=ApplicationPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/applications/:id/booking")
                        view=BookingPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/applications/:id/home-visit")
                        view=HomeVisitPage
                        ssr=SsrMode::Async
                    />
                    <Route path=path!("/consult") view=ConsultPage ssr=SsrMode::Async />
                    <Route path=path!("/track") view=TrackPage ssr=SsrMode::Async />
                    <Route path=path!("/verify") view=EcertCheckPage ssr=SsrMode::Async />
                    <Route path=path!("/help") view=HelpPage ssr=SsrMode::Async />
                    <Route path=path!("/help/:id") view=HelpArticlePage ssr=SsrMode::Async />
                    <Route path=path!("/documents/:id/view") view=ViewerPage ssr=SsrMode::Async />
                    <Route path=path!("/developer") view=DeveloperPage ssr=SsrMode::Async />
                    <Route path=path!("/developer/register") view=DevRegisterPage />
                    <Route path=path!("/developer/cases/:id") view=OrgCasePage ssr=SsrMode::Async />
                    <Route path=path!("/developer/signin") view=DevSignInPage />
                    <Route path=path!("/developer/signin/verify") view=DevVerifyPage />
                    <Route path=path!("/developer/invite") view=DevInvitePage ssr=SsrMode::Async />
                    <Route
                        path=path!("/developer/projects/:id")
                        view=DevProjectPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/developer/batches/:id")
                        view=DevBatchPage
                        ssr=SsrMode::Async
                    />
                    <Route path=path!("/staff/orgs") view=StaffOrgsPage ssr=SsrMode::Async />
                    <Route path=path!("/staff/batches") view=StaffBatchesPage ssr=SsrMode::Async />
                    <Route
                        path=path!("/staff/batches/:id")
                        view=StaffBatchPage
                        ssr=SsrMode::Async
                    />
                    <Route path=path!("/staff") view=WorkbenchPage ssr=SsrMode::Async />
                    <Route path=path!("/staff/signin") view=StaffSignInPage />
                    <Route path=path!("/staff/admin") view=AdminPage ssr=SsrMode::Async />
                    <Route path=path!("/staff/audit") view=AuditPage ssr=SsrMode::Async />
                    <Route path=path!("/staff/ratings") view=RatingsPage ssr=SsrMode::Async />
                    <Route path=path!("/staff/calendar") view=CalendarPage ssr=SsrMode::Async />
                    <Route path=path!("/staff/fees") view=FeesPage ssr=SsrMode::Async />
                    <Route path=path!("/staff/help") view=StaffHelpPage ssr=SsrMode::Async />
                    <Route path=path!("/staff/dashboard") view=DashboardPage ssr=SsrMode::Async />
                    <Route path=path!("/staff/cases/:id") view=CasePage ssr=SsrMode::Async />
                    <Route path=path!("/staff/sites/:code") view=SiteAdminPage ssr=SsrMode::Async />
                    <Route
                        path=path!("/staff/bookings")
                        view=StaffBookingsPage
                        ssr=SsrMode::Async
                    />
                </Routes>
            </Layout>
        </Router>
    }
}

/// On the server a page is rendered once and answered; nothing on it reacts
/// afterwards. An effect started while rendering runs on a task of its own;
/// that task could first run after the request had been answered and its
/// values disposed, and panic reading them (the i18n crate's cookie effect
/// once did). Pausing the request's owner, with
/// the effect already under it, keeps every effect of the page from running
/// on the server; resources still load (their first run does not wait on
/// it), and islands in the browser have owners of their own.
#[component]
fn NoEffectsOnServer() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(mut owner) = Owner::current() {
        // The provider's owner is the request's root or under it: pause from
        // the top, so whatever the nesting the effect is covered.
        while let Some(parent) = owner.parent() {
            owner = parent;
        }
        owner.pause();
    }
}

/// The document title in the current language. The title text must be a
/// plain string: the server reads it after rendering, outside the request's
/// reactive arena, so a signal-reading closure there fails under load. The
/// outer closure re-creates it when the language changes in the browser.
#[component]
fn AppTitle() -> impl IntoView {
    move || {
        let text = format!(
            "{} · {}",
            bi("一趟办", "OneTrip")(),
            bi("不动产登记网上服务", "Real-estate registration online")()
        );
        view! { <Title text /> }
    }
}

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
    // A marker for end-to-end tests and support staff: the page's islands are
    // about to be made interactive (the island script runs right after this).
    if let Some(body) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body())
    {
        let _ = body.set_attribute("data-hydrated", "true");
    }
}
