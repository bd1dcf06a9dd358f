use crate::helpers::TestApp;
use crate::on_both_backends;

on_both_backends!(
    the_sites_function_returns_the_network_main_centre_first,
    an_unknown_site_code_answers_404,
    a_malformed_body_answers_400_not_500,
    a_missing_argument_answers_400,
    an_unknown_server_function_is_not_a_500,
);

async fn the_sites_function_returns_the_network_main_centre_first(app: &TestApp) {
    let res = app.server_fn("sites/list", &[]).await;
    assert_eq!(res.status(), 200);
    let sites: Vec<app::model::Site> = res.json().await.unwrap();
    assert_eq!(sites.len(), 15);
    assert_eq!(sites[0].kind, app::model::SiteKind::Main);
    let subs = sites
        .iter()
        .filter(|s| s.kind == app::model::SiteKind::Sub)
        .count();
    assert_eq!(subs, 3);
}

async fn an_unknown_site_code_answers_404(app: &TestApp) {
    let ok = app.server_fn("sites/get", &[("code", "main")]).await;
    assert_eq!(ok.status(), 200);
    let site: app::model::Site = ok.json().await.unwrap();
    assert_eq!(site.code, "MAIN");

    let res = app.server_fn("sites/get", &[("code", "NOPE")]).await;
    assert_eq!(res.status(), 404);
    let err: app::error::AppError = res.json().await.unwrap();
    assert_eq!(err, app::error::AppError::NotFound);
}

async fn a_malformed_body_answers_400_not_500(app: &TestApp) {
    for (ctype, body) in [
        ("application/x-www-form-urlencoded", "%%%code=%ZZ"),
        ("application/json", "{\"code\": "),
        ("application/x-www-form-urlencoded", "\u{0}\u{1}binary"),
    ] {
        let res = app
            .client
            .post(app.url("/api/sites/get"))
            .header("content-type", ctype)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 400, "{ctype} {body:?}");
        let text = res.text().await.unwrap();
        assert!(
            !text.to_lowercase().contains("sqlx"),
            "no internals: {text}"
        );
    }
}

async fn a_missing_argument_answers_400(app: &TestApp) {
    let res = app.server_fn("sites/get", &[("other", "x")]).await;
    assert_eq!(res.status(), 400);
}

async fn an_unknown_server_function_is_not_a_500(app: &TestApp) {
    let res = app.server_fn("no/such/function", &[]).await;
    assert!(res.status().is_client_error(), "{}", res.status());
}
