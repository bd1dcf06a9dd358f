//! Derived images, reordering, the viewer and the content collector, through
//! HTTP on both backends, with the app's own background worker.

use crate::citizen::{call, sign_in, HOLDER_A, OTHER_MOBILE};
use crate::documents::{filer_with_draft, upload, Filer};
use crate::helpers::TestApp;
use crate::on_both_backends;
use reqwest::StatusCode;
use serde_json::Value;
use std::io::Cursor;
use std::time::Duration;

/// A real photo: a gradient, encoded by the image crate.
fn photo(width: u32, height: u32, format: image::ImageFormat) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, ((x + y) % 256) as u8])
    });
    let mut out = Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut out, format)
        .unwrap();
    out.into_inner()
}

/// A valid one-page A4 PDF with a filled rectangle, with a correct xref.
fn one_page_pdf() -> Vec<u8> {
    let content = "0.2 0.4 0.8 rg 100 400 300 200 re f";
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << >> >>"
            .to_string(),
        format!(
            "<< /Length {} >>\nstream\n{content}\nendstream",
            content.len()
        ),
    ];
    let mut pdf = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = pdf.len();
    pdf.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for off in offsets {
        pdf.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
    }
    pdf.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    pdf
}

fn doc_id(res: &reqwest::Response) -> String {
    assert_eq!(res.status(), StatusCode::NO_CONTENT, "upload accepted");
    res.headers()["onetrip-document-id"]
        .to_str()
        .unwrap()
        .to_string()
}

async fn sha_of(app: &TestApp, doc: &str) -> String {
    app::db::document(&app.db, doc)
        .await
        .unwrap()
        .unwrap()
        .sha256
}

/// Wait for the background worker to settle a document's preview.
async fn settled(app: &TestApp, doc: &str) -> app::db::PreviewRow {
    let sha = sha_of(app, doc).await;
    for _ in 0..150 {
        if let Some(p) = app::db::preview(&app.db, &sha).await.unwrap() {
            if p.state != "pending" {
                return p;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the preview of {doc} was not made within 15 s");
}

fn pdftoppm_installed() -> bool {
    onetrip_server::documents::find_pdftoppm().is_some()
}

async fn collect(app: &TestApp) -> usize {
    app.state
        .documents
        .as_ref()
        .unwrap()
        .collect_garbage(&app.db)
        .await
        .unwrap()
}

fn stored_files(app: &TestApp) -> usize {
    fn count(dir: &std::path::Path) -> usize {
        std::fs::read_dir(dir)
            .map(|rd| {
                rd.flatten()
                    .map(|e| {
                        if e.path().is_dir() {
                            count(&e.path())
                        } else {
                            1
                        }
                    })
                    .sum()
            })
            .unwrap_or(0)
    }
    count(&app.files.path().join("documents"))
}

async fn previews_are_made_in_the_background(app: &TestApp) {
    let f = filer_with_draft(app, HOLDER_A.2).await;
    let big = doc_id(
        &upload(
            app,
            &f,
            "户口本.jpg",
            &photo(2000, 1500, image::ImageFormat::Jpeg),
        )
        .await,
    );
    let tall = doc_id(
        &upload(
            app,
            &f,
            "scan.png",
            &photo(600, 1800, image::ImageFormat::Png),
        )
        .await,
    );
    let pdf = doc_id(&upload(app, &f, "合同.pdf", &one_page_pdf()).await);
    let broken = doc_id(
        &upload(
            app,
            &f,
            "broken.jpg",
            &crate::documents::jpeg(800, 600, 5000),
        )
        .await,
    );

    let p = settled(app, &big).await;
    assert_eq!(p.state, "done");
    assert_eq!((p.width, p.height), (Some(480), Some(360)));
    let p = settled(app, &tall).await;
    assert_eq!(
        (p.state.as_str(), p.width, p.height),
        ("done", Some(160), Some(480))
    );

    let res = app
        .get_with_cookie(&format!("/documents/{big}/preview"), &f.cookie)
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "image/jpeg");
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    let thumb = image::load_from_memory(&res.bytes().await.unwrap()).unwrap();
    assert_eq!((thumb.width(), thumb.height()), (480, 360));

    let p = settled(app, &pdf).await;
    if pdftoppm_installed() {
        assert_eq!(p.state, "done", "{:?}", p.last_error);
        let h = p.height.unwrap();
        assert_eq!(
            h,
            onetrip_server::documents::PAGE_PX as i64,
            "A4 is taller than wide"
        );
        let res = app
            .get_with_cookie(&format!("/documents/{pdf}/preview"), &f.cookie)
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        let page = image::load_from_memory(&res.bytes().await.unwrap()).unwrap();
        // The blue rectangle is there, in the lower middle of the page.
        let px = page
            .to_rgb8()
            .get_pixel(page.width() / 2, page.height() / 2)
            .0;
        assert!(px[2] > 150 && px[0] < 100, "page rendered: {px:?}");
    } else {
        assert_eq!(p.state, "unsupported");
    }

    // A file that passed the type checks but cannot be decoded: failed for
    // good, with a reason, and no preview served.
    let p = settled(app, &broken).await;
    assert_eq!(p.state, "failed");
    assert!(p.last_error.is_some());
    assert_eq!(
        app.get_with_cookie(&format!("/documents/{broken}/preview"), &f.cookie)
            .await
            .status(),
        StatusCode::NOT_FOUND
    );

    // The application view says which have previews.
    let view: Value = call(
        app,
        &f.cookie,
        "applications/get",
        &[("id", &f.application)],
    )
    .await
    .json()
    .await
    .unwrap();
    let flag = |id: &str| {
        view["documents"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["id"] == id)
            .unwrap()["preview"]
            .as_bool()
            .unwrap()
    };
    assert!(flag(&big) && flag(&tall) && !flag(&broken));
    assert_eq!(flag(&pdf), pdftoppm_installed());

    // Previews are as private as the documents.
    let other = sign_in(app, OTHER_MOBILE).await;
    assert_eq!(
        app.get_with_cookie(&format!("/documents/{big}/preview"), &other)
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&format!("/documents/{big}/preview")).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

async fn move_(app: &TestApp, f: &Filer, doc: &str, dir: &str) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/documents/{doc}/move")))
        .header("cookie", &f.cookie)
        .form(&[("csrf", f.csrf.as_str()), ("dir", dir)])
        .send()
        .await
        .unwrap()
}

async fn order(app: &TestApp, f: &Filer) -> Vec<String> {
    let view: Value = call(
        app,
        &f.cookie,
        "applications/get",
        &[("id", &f.application)],
    )
    .await
    .json()
    .await
    .unwrap();
    view["documents"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["material"] == f.material.as_str())
        .map(|d| d["name"].as_str().unwrap().to_string())
        .collect()
}

async fn documents_reorder_within_their_item(app: &TestApp) {
    let f = filer_with_draft(app, HOLDER_A.2).await;
    let img = |n: u32| photo(40 + n, 40, image::ImageFormat::Png);
    let a = doc_id(&upload(app, &f, "a.png", &img(1)).await);
    let _b = doc_id(&upload(app, &f, "b.png", &img(2)).await);
    let c = doc_id(&upload(app, &f, "c.png", &img(3)).await);
    assert_eq!(order(app, &f).await, ["a.png", "b.png", "c.png"]);

    let res = move_(app, &f, &c, "up").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        res.headers()["location"],
        format!("/apply/{}/materials#material_{}", f.application, f.material).as_str()
    );
    assert_eq!(order(app, &f).await, ["a.png", "c.png", "b.png"]);
    move_(app, &f, &a, "down").await;
    assert_eq!(order(app, &f).await, ["c.png", "a.png", "b.png"]);
    // Already first: nothing changes.
    move_(app, &f, &c, "up").await;
    assert_eq!(order(app, &f).await, ["c.png", "a.png", "b.png"]);

    // Someone else's document: 404; a bad direction or missing CSRF: refused.
    let other = filer_with_draft(app, OTHER_MOBILE).await;
    assert_eq!(
        move_(app, &other, &a, "down").await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        move_(app, &f, &a, "sideways").await.status(),
        StatusCode::NOT_FOUND
    );
    let res = app
        .client
        .post(app.url(&format!("/documents/{a}/move")))
        .header("cookie", &f.cookie)
        .form(&[("csrf", "wrong"), ("dir", "down")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(order(app, &f).await, ["c.png", "a.png", "b.png"]);
}

async fn unused_content_is_collected_and_shared_content_kept(app: &TestApp) {
    let f = filer_with_draft(app, HOLDER_A.2).await;
    let bytes = photo(900, 600, image::ImageFormat::Jpeg);
    let first = doc_id(&upload(app, &f, "one.jpg", &bytes).await);
    let second = doc_id(&upload(app, &f, "two.jpg", &bytes).await);
    assert_eq!(settled(app, &first).await.state, "done");
    assert_eq!(stored_files(app), 2, "the photo once, its thumbnail once");

    let delete = |doc: String| {
        let (client, url) = (app.client.clone(), app.url(&format!("/documents/{doc}")));
        let (cookie, token) = (f.cookie.clone(), f.csrf.clone());
        async move {
            client
                .delete(url)
                .header("cookie", cookie)
                .header("x-csrf-token", token)
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(delete(first.clone()).await, StatusCode::NO_CONTENT);
    collect(app).await;
    assert_eq!(stored_files(app), 2, "still used by the second document");
    assert_eq!(
        app.get_with_cookie(&format!("/documents/{second}"), &f.cookie)
            .await
            .bytes()
            .await
            .unwrap()
            .to_vec(),
        bytes
    );

    // Content about to be stored again is pinned: the collector leaves it.
    let sha = sha_of(app, &second).await;
    assert_eq!(delete(second.clone()).await, StatusCode::NO_CONTENT);
    app::db::pin_content(&app.db, &sha, app::db::now_ms() + 60_000)
        .await
        .unwrap();
    assert_eq!(collect(app).await, 0);
    assert_eq!(stored_files(app), 2);

    // Once due and unused: the photo and then its thumbnail go.
    app::db::pin_content(&app.db, &sha, app::db::now_ms())
        .await
        .unwrap();
    assert_eq!(collect(app).await, 2);
    assert_eq!(stored_files(app), 0);
    assert!(app::db::preview(&app.db, &sha).await.unwrap().is_none());

    // Uploading the same photo again works from scratch.
    let again = doc_id(&upload(app, &f, "three.jpg", &bytes).await);
    assert_eq!(settled(app, &again).await.state, "done");
    assert_eq!(stored_files(app), 2);
}

async fn the_viewer_shows_a_document_to_those_who_may_see_it(app: &TestApp) {
    let f = filer_with_draft(app, HOLDER_A.2).await;
    let a = doc_id(
        &upload(
            app,
            &f,
            "正面.jpg",
            &photo(800, 500, image::ImageFormat::Jpeg),
        )
        .await,
    );
    let b = doc_id(
        &upload(
            app,
            &f,
            "反面.jpg",
            &photo(801, 500, image::ImageFormat::Jpeg),
        )
        .await,
    );

    let res = app
        .get_with_cookie(&format!("/documents/{a}/view?z=150&r=90"), &f.cookie)
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(html.contains("正面.jpg"), "names the file");
    assert!(
        html.contains("viewer-img zoom-150 rot-90"),
        "zoom and rotation applied"
    );
    assert!(
        html.contains(&format!("/documents/{b}/view")),
        "links the next document"
    );
    assert!(html.contains("第 1 份，共 2 份"));
    // Zoom in from 150 goes to 200; rotate right from 90 goes to 180.
    assert!(
        html.contains(&format!("/documents/{a}/view?z=200&amp;r=90")),
        "zoom-in link"
    );
    assert!(
        html.contains(&format!("/documents/{a}/view?z=150&amp;r=180")),
        "rotate link"
    );
    // Nonsense in the address falls back to the plain view.
    let html = app
        .get_with_cookie(&format!("/documents/{a}/view?z=9999&r=abc"), &f.cookie)
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("viewer-img zoom-100 rot-0"));

    let other = sign_in(app, OTHER_MOBILE).await;
    assert_eq!(
        app.get_with_cookie(&format!("/documents/{a}/view"), &other)
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let anonymous = app
        .get(&format!("/documents/{a}/view"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        !anonymous.contains("正面.jpg"),
        "nothing shown before sign-in"
    );
}

on_both_backends!(
    previews_are_made_in_the_background,
    documents_reorder_within_their_item,
    unused_content_is_collected_and_shared_content_kept,
    the_viewer_shows_a_document_to_those_who_may_see_it,
);
