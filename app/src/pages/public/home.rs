use crate::components::forms::bi;
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn HomePage() -> impl IntoView {
    view! {
        <section class="hero">
            <h1>
                {bi(
                    "不动产登记，最多跑一次",
                    "Real-estate registration: come at most once",
                )}
            </h1>
            <p class="lead">
                {bi(
                    "能在网上办的，都在网上先办好：查清要带的材料、网上预申请、上传证件照片、预约窗口时间、随时查看办理进度。",
                    "Whatever can be done online is done before you come: see every material you need, file a pre-application, upload photos of your documents, book a time at a window, and follow your case.",
                )}
            </p>
        </section>
        <section class="cards">
            <article class="card">
                <h2>{bi("我是群众", "For citizens")}</h2>
                <p>
                    {bi(
                        "查找要办的事项，一次看清所需全部材料，在手机上提交预申请并上传照片，预审通过后预约到窗口办理，进度随时推送。",
                        "Find your matter and see every material you need at once, file a pre-application and upload photos from your phone, book a window once it is pre-accepted, and get told of each step.",
                    )}
                </p>
                <p class="actions">
                    <A href="/matters" attr:class="button">
                        {bi("查找要办的事项", "Find your matter")}
                    </A>
                    <A href="/me" attr:class="button button--secondary">
                        {bi("我的办件", "My applications")}
                    </A>
                </p>
            </article>
            <article class="card">
                <h2>{bi("我是开发企业", "For developers")}</h2>
                <p>
                    {bi(
                        "预售商品房的预告登记、预转本和首次登记，可按表格或接口成批提交，每一户都提前给出预审意见。",
                        "File advance-notice registrations, conversions and first registrations for pre-sold units in bulk, by spreadsheet or API, with a pre-review opinion for every unit.",
                    )}
                </p>
                <A href="/developer" attr:class="button">
                    {bi("了解详情", "Learn more")}
                </A>
            </article>
            <article class="card">
                <h2>{bi("我是工作人员", "For registration staff")}</h2>
                <p>
                    {bi(
                        "预审网上申请并一次性告知补正事项，受理、审核、登簿、缮证、发证各环节按工作日计时，临期超时自动提醒。",
                        "Pre-review online applications and return them with one complete list of corrections; move cases through acceptance, review, register, certificate and issue against working-day deadlines.",
                    )}
                </p>
                <A href="/staff" attr:class="button">
                    {bi("了解详情", "Learn more")}
                </A>
            </article>
        </section>
        <section class="card card--plain">
            <h2>{bi("就近办理", "Near you")}</h2>
            <p>
                {bi(
                    "全市设有登记中心、分中心和乡镇便民服务点。",
                    "The city has a main centre, sub-centres and town service points.",
                )}
            </p>
            <A href="/sites" attr:class="button button--secondary">
                {bi("查看全部服务网点", "See all service sites")}
            </A>
            <p>
                <a href="/consult" class="button button--secondary" data-testid="consult-link">
                    {bi("预约咨询（不需先申请）", "Book a consultation")}
                </a>
            </p>
        </section>
    }
}
