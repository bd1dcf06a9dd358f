use crate::i18n::*;
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn HomePage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="hero">
            <h1>{t!(i18n, home_title)}</h1>
            <p class="lead">{t!(i18n, home_lead)}</p>
        </section>
        <section class="cards">
            <article class="card">
                <h2>{t!(i18n, home_citizen_title)}</h2>
                <p>{t!(i18n, home_citizen_body)}</p>
                <p class="actions">
                    <A href="/matters" attr:class="button">
                        {t!(i18n, home_matters_link)}
                    </A>
                    <A href="/me" attr:class="button button--secondary">
                        {crate::components::forms::bi("我的办件", "My applications")}
                    </A>
                </p>
            </article>
            <article class="card">
                <h2>{t!(i18n, home_developer_title)}</h2>
                <p>{t!(i18n, home_developer_body)}</p>
                <A href="/developer" attr:class="button">
                    {t!(i18n, learn_more)}
                </A>
            </article>
            <article class="card">
                <h2>{t!(i18n, home_staff_title)}</h2>
                <p>{t!(i18n, home_staff_body)}</p>
                <A href="/staff" attr:class="button">
                    {t!(i18n, learn_more)}
                </A>
            </article>
        </section>
        <section class="card card--plain">
            <h2>{t!(i18n, home_sites_title)}</h2>
            <p>{t!(i18n, home_sites_body)}</p>
            <A href="/sites" attr:class="button button--secondary">
                {t!(i18n, home_sites_link)}
            </A>
            <p>
                <a href="/consult" class="button button--secondary" data-testid="consult-link">
                    {crate::components::forms::bi(
                        "预约咨询（不需先申请）",
                        "Book a consultation",
                    )}
                </a>
            </p>
        </section>
    }
}
