use crate::helpers::TestApp;
use crate::on_both_backends;

on_both_backends!(
    the_home_page_speaks_chinese_by_default,
    an_english_browser_still_gets_chinese_until_it_chooses_english,
    the_sites_page_lists_the_seeded_network_in_the_html,
    an_english_preference_cookie_renders_english,
    the_language_link_works_without_javascript,
    the_language_link_never_redirects_off_site,
    an_unknown_path_answers_404_with_the_not_found_page,
    pages_carry_a_nonce_based_content_security_policy,
    signed_out_developers_and_staff_are_shown_the_way_in,
    no_link_on_the_home_page_is_dead,
    pages_render_correctly_under_concurrent_requests,
    only_pages_with_islands_load_the_wasm,
    the_large_text_switch_is_remembered_and_stays_on_site,
);

async fn the_home_page_speaks_chinese_by_default(app: &TestApp) {
    let res = app.get("/").await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains(r#"lang="zh-CN""#), "html lang attribute");
    assert!(html.contains("最多跑一次"));
    assert!(
        html.contains("我是群众") && html.contains("我是开发企业") && html.contains("我是工作人员")
    );
}

async fn an_english_browser_still_gets_chinese_until_it_chooses_english(app: &TestApp) {
    let res = app
        .client
        .get(app.url("/"))
        .header("accept-language", "en-US,en;q=0.9")
        .send()
        .await
        .unwrap();
    let html = res.text().await.unwrap();
    assert!(html.contains(r#"lang="zh-CN""#));
    assert!(html.contains("最多跑一次"));
}

async fn the_sites_page_lists_the_seeded_network_in_the_html(app: &TestApp) {
    let html = app.get("/sites").await.text().await.unwrap();
    // Rendered with SsrMode::Async: the data is in the markup, not only in a script.
    assert!(
        html.contains("<h3>明州市不动产登记中心</h3>"),
        "main centre in markup"
    );
    assert_eq!(
        html.matches(r#"class="site-card""#).count(),
        15,
        "1 main + 3 sub + 11 town"
    );
    assert!(html.contains(r#"data-kind="main""#) && html.contains(r#"data-kind="town""#));
}

async fn an_english_preference_cookie_renders_english(app: &TestApp) {
    let html = app
        .get_with_cookie("/sites", "i18n_pref_locale=en")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains(r#"lang="en""#));
    assert!(html.contains("<h3>Mingzhou Real Estate Registration Centre</h3>"));
    assert!(html.contains("Service sites"));
}

async fn the_language_link_works_without_javascript(app: &TestApp) {
    let res = app.get("/lang?to=en&next=%2Fsites").await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/sites");
    let cookie = res.headers()["set-cookie"].to_str().unwrap();
    assert!(cookie.starts_with("i18n_pref_locale=en;"), "{cookie}");
    assert!(cookie.contains("Path=/") && cookie.contains("SameSite=Lax"));

    let back = app.get("/lang?to=zh-CN&next=%2F").await;
    assert!(back.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .starts_with("i18n_pref_locale=zh-CN;"));
}

async fn the_language_link_never_redirects_off_site(app: &TestApp) {
    for next in [
        "https%3A%2F%2Fevil.example",
        "%2F%2Fevil.example",
        "%2F%5Cevil.example",
    ] {
        let res = app.get(&format!("/lang?to=en&next={next}")).await;
        assert_eq!(res.headers()["location"], "/", "next={next}");
    }
}

async fn an_unknown_path_answers_404_with_the_not_found_page(app: &TestApp) {
    let res = app.get("/no/such/page").await;
    assert_eq!(res.status(), 404);
    let html = res.text().await.unwrap();
    assert!(html.contains("页面不存在"));
    assert!(html.contains(r#"href="/""#), "a way back home");
}

async fn pages_carry_a_nonce_based_content_security_policy(app: &TestApp) {
    let res = app.get("/").await;
    let h = res.headers().clone();
    let csp = h["content-security-policy"].to_str().unwrap().to_string();
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["referrer-policy"], "strict-origin-when-cross-origin");
    assert!(csp.contains("frame-ancestors 'none'"));
    assert!(csp.contains("'wasm-unsafe-eval'"));
    assert!(!csp.contains("unsafe-inline"));
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|s| s.split('\'').next())
        .expect("nonce in CSP");
    let html = res.text().await.unwrap();
    assert!(
        html.contains(&format!(r#"nonce="{nonce}""#)),
        "the page's inline script carries the nonce"
    );
    // A page with islands: the script that loads them carries the nonce too.
    let res = app.get("/signin").await;
    let island_csp = res.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    let island_nonce = island_csp
        .split("'nonce-")
        .nth(1)
        .and_then(|s| s.split('\'').next())
        .expect("nonce in CSP")
        .to_string();
    let html = res.text().await.unwrap();
    let script = html
        .split("<script")
        .find(|s| s.contains("hydrateIslands"))
        .expect("the islands script");
    assert!(
        script.contains(&format!(r#"nonce="{island_nonce}""#)),
        "the islands script carries the nonce"
    );

    let again = app.get("/").await;
    let csp2 = again.headers()["content-security-policy"].to_str().unwrap();
    assert!(!csp2.contains(nonce), "a fresh nonce per response");
}

async fn signed_out_developers_and_staff_are_shown_the_way_in(app: &TestApp) {
    let res = app.get("/developer").await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains("开发企业批量申报"));
    assert!(html.contains(r#"href="/developer/signin""#));
    assert!(html.contains(r#"href="/developer/register""#));
    assert!(html.contains(r#"href="/developer/templates/dual_notice.xlsx""#));
    // The workbench, signed out, asks staff to sign in.
    let html = app.get("/staff").await.text().await.unwrap();
    assert!(html.contains("请先登录工作人员账户"));
}

async fn no_link_on_the_home_page_is_dead(app: &TestApp) {
    let html = app.get("/").await.text().await.unwrap();
    let mut checked = 0;
    for anchor in html.split("<a ").skip(1) {
        let tag = anchor.split('>').next().unwrap();
        let Some(href) = tag
            .split(r#"href=""#)
            .nth(1)
            .and_then(|h| h.split('"').next())
        else {
            continue;
        };
        if !href.starts_with('/') || href.starts_with("//") {
            continue;
        }
        let href = href.replace("&amp;", "&");
        let res = app.get(&href).await;
        assert!(
            res.status().is_success() || res.status().is_redirection(),
            "{href} answered {}",
            res.status()
        );
        checked += 1;
    }
    assert!(checked >= 5, "only {checked} local links found");
}

/// Rendering state is per request: many pages rendered at once must all
/// succeed (a signal read outside its request once turned some into 500s).
async fn pages_render_correctly_under_concurrent_requests(app: &TestApp) {
    let mut tasks = Vec::new();
    for i in 0..96 {
        let client = app.client.clone();
        let path = ["/", "/sites", "/matters", "/matters/DOUBLE-NOTICE"][i % 4];
        let url = app.url(path);
        let cookie = if i % 2 == 0 {
            "i18n_pref_locale=en"
        } else {
            "i18n_pref_locale=zh-CN"
        };
        tasks.push(tokio::spawn(async move {
            let res = client
                .get(url)
                .header("cookie", cookie)
                .send()
                .await
                .unwrap();
            (
                path,
                cookie,
                res.status().as_u16(),
                res.text().await.unwrap(),
            )
        }));
    }
    for t in tasks {
        let (path, cookie, status, html) = t.await.unwrap();
        assert_eq!(status, 200, "{path} with {cookie}");
        let lang = if cookie.ends_with("en") {
            r#"lang="en""#
        } else {
            r#"lang="zh-CN""#
        };
        assert!(
            html.contains(lang),
            "{path} rendered in the requested language"
        );
    }
}

/// Islands: pages without one load no script and no wasm at all; a page
/// with one (sign-in) loads them.
async fn only_pages_with_islands_load_the_wasm(app: &TestApp) {
    for path in [
        "/",
        "/matters",
        "/sites",
        "/track",
        "/staff/signin",
        "/developer/signin",
    ] {
        let html = app.get(path).await.text().await.unwrap();
        assert!(!html.contains("<leptos-island"), "{path} has no island");
        assert!(!html.contains(".wasm"), "{path} loads no wasm");
        assert!(
            !html.contains("hydrateIslands"),
            "{path} runs no islands script"
        );
        assert!(html.contains(".css"), "{path} has its stylesheet");
    }
    let html = app.get("/signin").await.text().await.unwrap();
    assert!(html.contains("<leptos-island"), "sign-in is an island");
    assert!(html.contains(".wasm"), "and loads the wasm");
    assert!(html.contains("hydrateIslands"), "with the islands script");
}

/// The elderly mode's switch: a cookie for a year, back to the same page,
/// never off the site; the page then renders in the large mode.
async fn the_large_text_switch_is_remembered_and_stays_on_site(app: &TestApp) {
    let res = app.get("/elder?on=1&next=%2Ftrack%3Fno%3D1").await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/track?no=1");
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.starts_with("onetrip_elder=1;"), "{cookie}");
    assert!(cookie.contains("Max-Age=31536000"), "{cookie}");
    let html = app
        .get_with_cookie("/track", "onetrip_elder=1")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("site-header--elder"));
    assert!(html.contains("标准模式"), "the switch offers the way back");
    let html = app.get("/track").await.text().await.unwrap();
    assert!(!html.contains("site-header--elder"));
    assert!(html.contains("大字模式"));
    let res = app.get("/elder?on=0&next=%2F").await;
    assert!(res.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .contains("Max-Age=0"));
    for next in [
        "https%3A%2F%2Fevil.example",
        "%2F%2Fevil.example",
        "%2F%5Cevil.example",
    ] {
        let res = app.get(&format!("/elder?on=1&next={next}")).await;
        assert_eq!(res.headers()["location"], "/", "next={next}");
    }
}
