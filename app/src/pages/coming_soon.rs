use crate::i18n::*;
use leptos::prelude::*;
use leptos_router::components::A;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    Citizen,
    Developer,
    Staff,
}

/// An honest page for a service that is not online yet.
#[component]
pub fn ComingSoon(audience: Audience) -> impl IntoView {
    let i18n = use_i18n();
    let (title, body) = match audience {
        Audience::Citizen => (
            t!(i18n, coming_citizen_title).into_any(),
            t!(i18n, coming_citizen_body).into_any(),
        ),
        Audience::Developer => (
            t!(i18n, coming_developer_title).into_any(),
            t!(i18n, coming_developer_body).into_any(),
        ),
        Audience::Staff => (
            t!(i18n, coming_staff_title).into_any(),
            t!(i18n, coming_staff_body).into_any(),
        ),
    };
    view! {
        <h1>{title}</h1>
        <section class="notice" role="status">
            <h2>{t!(i18n, coming_title)}</h2>
            <p>{t!(i18n, coming_body)}</p>
            <p>{body}</p>
        </section>
        <p class="actions">
            <A href="/sites" attr:class="button">
                {t!(i18n, see_sites)}
            </A>
            <A href="/" attr:class="button button--secondary">
                {t!(i18n, back_home)}
            </A>
        </p>
    }
}
