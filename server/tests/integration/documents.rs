//! Document uploads through HTTP on both backends: tus creation, append,
//! resume after a cut connection, the bad-input corpus (generated here),
//! limits, access control, the no-JavaScript form, and the sweeper.

use crate::citizen::{call, csrf, sign_in, HOLDER_A, HOLDER_B, OTHER_MOBILE};
use crate::helpers::{Backend, TestApp};
use crate::on_both_backends;
use app::services::Policy;
use base64::Engine;
use reqwest::StatusCode;
use serde_json::Value;

// ---- the corpus --------------------------------------------------------

/// A JPEG header with the given dimensions (SOF0), filler, and the end marker.
pub fn jpeg(width: u16, height: u16, filler: usize) -> Vec<u8> {
    let mut v = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10];
    v.extend_from_slice(b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0");
    v.extend_from_slice(&[0xFF, 0xC0, 0x00, 0x11, 0x08]);
    v.extend_from_slice(&height.to_be_bytes());
    v.extend_from_slice(&width.to_be_bytes());
    v.extend_from_slice(&[0x03, 0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01]);
    // A scan (start of scan, then entropy-coded bytes without FF).
    v.extend_from_slice(&[0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3F, 0x00]);
    v.extend((0..filler).map(|i| (i % 251) as u8));
    v.extend_from_slice(&[0xFF, 0xD9]);
    v
}

/// A PNG with an IHDR of the given dimensions and an IEND chunk.
pub fn png(width: u32, height: u32) -> Vec<u8> {
    let mut v = b"\x89PNG\r\n\x1a\n".to_vec();
    v.extend_from_slice(&13u32.to_be_bytes());
    v.extend_from_slice(b"IHDR");
    v.extend_from_slice(&width.to_be_bytes());
    v.extend_from_slice(&height.to_be_bytes());
    v.extend_from_slice(&[8, 2, 0, 0, 0, 0, 0, 0, 0]);
    v.extend_from_slice(&[0, 0, 0, 0]);
    v.extend_from_slice(b"IEND");
    v.extend_from_slice(&[0xAE, 0x42, 0x60, 0x82]);
    v
}

pub fn pdf(filler: usize) -> Vec<u8> {
    let mut v = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n".to_vec();
    v.extend((0..filler).map(|i| b'a' + (i % 26) as u8));
    v.extend_from_slice(b"\ntrailer << /Root 1 0 R >>\n%%EOF\n");
    v
}

// ---- helpers -----------------------------------------------------------

pub struct Filer {
    pub cookie: String,
    pub csrf: String,
    pub application: String,
    pub material: String,
}

pub async fn filer_with_draft(app: &TestApp, mobile: &str) -> Filer {
    let cookie = sign_in(app, mobile).await;
    let token = csrf(app, &cookie).await;
    let res = call(
        app,
        &cookie,
        "applications/start",
        &[("matter", "RESALE-TRANSFER"), ("csrf", &token)],
    )
    .await;
    let application: String = res.json().await.unwrap();
    let view: Value = call(app, &cookie, "applications/get", &[("id", &application)])
        .await
        .json()
        .await
        .unwrap();
    let material = view["matter"]["checklist"][0]["material"]
        .as_str()
        .unwrap()
        .to_string();
    Filer {
        cookie,
        csrf: token,
        application,
        material,
    }
}

fn meta(f: &Filer, name: &str) -> String {
    let b = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    format!(
        "application {},material {},filename {}",
        b(&f.application),
        b(&f.material),
        b(name)
    )
}

pub async fn create(app: &TestApp, f: &Filer, name: &str, length: usize) -> reqwest::Response {
    app.client
        .post(app.url("/uploads"))
        .header("cookie", &f.cookie)
        .header("x-csrf-token", &f.csrf)
        .header("tus-resumable", "1.0.0")
        .header("upload-length", length.to_string())
        .header("upload-metadata", meta(f, name))
        .send()
        .await
        .unwrap()
}

pub async fn patch(
    app: &TestApp,
    f: &Filer,
    location: &str,
    offset: usize,
    body: Vec<u8>,
) -> reqwest::Response {
    app.client
        .patch(app.url(location))
        .header("cookie", &f.cookie)
        .header("x-csrf-token", &f.csrf)
        .header("tus-resumable", "1.0.0")
        .header("upload-offset", offset.to_string())
        .header("content-type", "application/offset+octet-stream")
        .body(body)
        .send()
        .await
        .unwrap()
}

/// Upload a whole file in one PATCH; the response of the last request.
pub async fn upload(app: &TestApp, f: &Filer, name: &str, bytes: &[u8]) -> reqwest::Response {
    let res = create(app, f, name, bytes.len()).await;
    if res.status() != StatusCode::CREATED {
        return res;
    }
    let location = res.headers()["location"].to_str().unwrap().to_string();
    patch(app, f, &location, 0, bytes.to_vec()).await
}

async fn count(app: &TestApp, table: &str) -> usize {
    let rows: Vec<(String,)> =
        app::fetch_all!(&app.db, (String,), &format!("SELECT id FROM {table}")).unwrap();
    rows.len()
}

fn files_under(dir: &std::path::Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| {
            if e.path().is_dir() {
                files_under(&e.path())
            } else {
                1
            }
        })
        .sum()
}

async fn nothing_left(app: &TestApp) {
    // Deleted documents' content goes when the collector runs (at once in
    // tests: no grace period).
    app.state
        .documents
        .as_ref()
        .unwrap()
        .collect_garbage(&app.db)
        .await
        .unwrap();
    assert_eq!(count(app, "documents").await, 0, "no document row");
    assert_eq!(count(app, "uploads").await, 0, "no upload row");
    assert_eq!(
        files_under(&app.files.path().join("uploads")),
        0,
        "no temporary file"
    );
    assert_eq!(
        files_under(&app.files.path().join("documents")),
        0,
        "nothing stored"
    );
}

fn error_code(body: &Value) -> String {
    body["Validation"][0]["code"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

// ---- tests ---------------------------------------------------------------

async fn images_and_pdfs_upload_and_come_back_intact(app: &TestApp) {
    let f = filer_with_draft(app, HOLDER_A.2).await;
    let photo = jpeg(4032, 3024, 200_000);
    let res = upload(app, &f, "身份证 正面.JPG", &photo).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        res.headers()["upload-offset"],
        photo.len().to_string().as_str()
    );
    let doc = res.headers()["onetrip-document-id"]
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(
        upload(app, &f, "scan.png", &png(1200, 1600)).await.status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        upload(app, &f, "合同.pdf", &pdf(50_000)).await.status(),
        StatusCode::NO_CONTENT
    );
    // The same photo again is a second document but stored once.
    assert_eq!(
        upload(app, &f, "again.jpg", &photo).await.status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(count(app, "documents").await, 4);
    assert_eq!(
        files_under(&app.files.path().join("documents")),
        3,
        "content-addressed"
    );

    let res = app
        .get_with_cookie(&format!("/documents/{doc}"), &f.cookie)
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "image/jpeg");
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    let cd = res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        cd.starts_with("inline; filename=\"document.jpg\"; filename*=UTF-8''"),
        "{cd}"
    );
    assert_eq!(res.bytes().await.unwrap().to_vec(), photo, "byte for byte");

    // The application view lists them per checklist item.
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
    let docs = view["documents"].as_array().unwrap();
    assert_eq!(docs.len(), 4);
    assert_eq!(docs[0]["name"], "身份证 正面.JPG");

    // Delete one: the row goes; the shared content stays for the other.
    let res = app
        .client
        .delete(app.url(&format!("/documents/{doc}")))
        .header("cookie", &f.cookie)
        .header("x-csrf-token", &f.csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(count(app, "documents").await, 3);
    assert_eq!(files_under(&app.files.path().join("documents")), 3);
    assert_eq!(
        app.get_with_cookie(&format!("/documents/{doc}"), &f.cookie)
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}

async fn every_bad_input_is_refused_and_leaves_nothing(app: &TestApp) {
    let f = filer_with_draft(app, HOLDER_A.2).await;
    let cases: Vec<(&str, &str, Vec<u8>, StatusCode, &str)> = vec![
        (
            "PDF renamed .jpg",
            "photo.jpg",
            pdf(100),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "file.type_mismatch",
        ),
        (
            "executable renamed .pdf",
            "contract.pdf",
            b"MZ\x90\x00\x03\x00\x00\x00\x04\x00PE\0\0".to_vec(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "file.type",
        ),
        (
            "truncated PDF",
            "cut.pdf",
            pdf(1000)[..600].to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "file.truncated",
        ),
        (
            "truncated JPEG",
            "cut.jpg",
            jpeg(800, 600, 5000)[..3000].to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "file.truncated",
        ),
        (
            "decompression bomb",
            "bomb.png",
            png(100_000, 100_000),
            StatusCode::UNPROCESSABLE_ENTITY,
            "file.dimensions",
        ),
        (
            "path separators",
            "../../etc/passwd.pdf",
            pdf(10),
            StatusCode::UNPROCESSABLE_ENTITY,
            "file.name",
        ),
        (
            "backslash",
            "..\\windows.pdf",
            pdf(10),
            StatusCode::UNPROCESSABLE_ENTITY,
            "file.name",
        ),
        (
            "NUL",
            "a\0b.pdf",
            pdf(10),
            StatusCode::UNPROCESSABLE_ENTITY,
            "file.name",
        ),
        (
            "control character",
            "a\u{7}b.pdf",
            pdf(10),
            StatusCode::UNPROCESSABLE_ENTITY,
            "file.name",
        ),
        (
            "right-to-left override",
            "invoice\u{202E}fdp.exe",
            pdf(10),
            StatusCode::UNPROCESSABLE_ENTITY,
            "file.name",
        ),
    ];
    // Another file hidden behind a photo (a ZIP whose comment ends as a
    // JPEG ends), HTML behind a HEIC header, a PDF that runs a script.
    let mut polyglot = jpeg(800, 600, 2000);
    polyglot.extend_from_slice(b"PK\x03\x04\x14\0\0\0 payload.html <script> \xFF\xD9");
    // The same without the disguise at its end: still data after the photo.
    let mut plain_zip = jpeg(800, 600, 2000);
    plain_zip.extend_from_slice(b"PK\x03\x04\x14\0\0\0 payload.html PK\x05\x06\0\0");
    let mut heic_html = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic".to_vec();
    heic_html
        .extend_from_slice(b"<html><body><script>alert(document.cookie)</script></body></html>");
    let pdf_js = b"%PDF-1.7\n1 0 obj << /Type /Catalog /OpenAction 2 0 R >> endobj\n\
2 0 obj << /S /JavaScript /JS (app.alert(1)) >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
        .to_vec();
    let pdf_launch = b"%PDF-1.7\n1 0 obj << /Type /Catalog /OpenAction << /S /L#61unch /F (calc.exe) >> >> endobj\n%%EOF\n"
        .to_vec();
    let cases = cases.into_iter().chain([
        (
            "a ZIP behind a JPEG",
            "photo.jpg",
            polyglot,
            StatusCode::UNPROCESSABLE_ENTITY,
            "file.trailing",
        ),
        (
            "a plain ZIP behind a JPEG",
            "photo.jpg",
            plain_zip,
            StatusCode::UNPROCESSABLE_ENTITY,
            "file.trailing",
        ),
        (
            "HTML behind a HEIC header",
            "IMG_0001.HEIC",
            heic_html,
            StatusCode::UNPROCESSABLE_ENTITY,
            "file.structure",
        ),
        (
            "a PDF with JavaScript",
            "contract.pdf",
            pdf_js,
            StatusCode::UNPROCESSABLE_ENTITY,
            "file.pdf_active",
        ),
        (
            "a PDF with a launch action behind an escaped name",
            "contract.pdf",
            pdf_launch,
            StatusCode::UNPROCESSABLE_ENTITY,
            "file.pdf_active",
        ),
    ]);
    let long = format!("{}.pdf", "长".repeat(300));
    for (what, name, bytes, status, code) in cases.chain([(
        "300-character name",
        long.as_str(),
        pdf(10),
        StatusCode::UNPROCESSABLE_ENTITY,
        "file.name",
    )]) {
        let res = upload(app, &f, name, &bytes).await;
        assert_eq!(res.status(), status, "{what}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(error_code(&body), code, "{what}: {body}");
        assert!(
            !body["Validation"][0]["zh"].as_str().unwrap().is_empty(),
            "{what}: a message in Chinese"
        );
        nothing_left(app).await;
    }
    // An empty file is refused at creation.
    let res = create(app, &f, "empty.pdf", 0).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_code(&res.json().await.unwrap()), "file.empty");
    nothing_left(app).await;
    // Metadata that is not base64 (or an identifier with a NUL) is a
    // malformed request: 400, not "not found".
    for bad in [
        "application !!!notbase64,material bm90,filename eC5wZGY=".to_string(),
        format!(
            "application {},material {},filename eC5wZGY=",
            base64::engine::general_purpose::STANDARD.encode("a\0b"),
            base64::engine::general_purpose::STANDARD.encode(&f.material)
        ),
    ] {
        let res = app
            .client
            .post(app.url("/uploads"))
            .header("cookie", &f.cookie)
            .header("x-csrf-token", &f.csrf)
            .header("tus-resumable", "1.0.0")
            .header("upload-length", "10")
            .header("upload-metadata", bad)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    }
    // A PATCH carrying more than the declared length leaves nothing behind:
    // no part file, no row holding quota.
    let res = create(app, &f, "more.pdf", 100).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let location = res.headers()["location"].to_str().unwrap().to_string();
    let res = patch(app, &f, &location, 0, pdf(1000)).await;
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    nothing_left(app).await;
}

async fn limits_are_enforced_while_streaming(_app: &TestApp) {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let policy = Policy {
            max_file_bytes: 1024 * 1024,
            max_application_bytes: 1536 * 1024,
            ..Policy::default()
        };
        let Some(app) = TestApp::spawn_with(backend, policy).await else {
            continue;
        };
        let f = filer_with_draft(&app, HOLDER_A.2).await;
        // Declared too large: refused before a byte is sent.
        let res = create(&app, &f, "big.pdf", 2 * 1024 * 1024).await;
        assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(error_code(&res.json().await.unwrap()), "file.too_large");
        // More bytes than declared: refused at the crossing, and the upload
        // is gone (it reserves no quota).
        let res = create(&app, &f, "liar.pdf", 1000).await;
        let loc = res.headers()["location"].to_str().unwrap().to_string();
        let res = patch(&app, &f, &loc, 0, pdf(5000)).await;
        assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
        let head = app
            .client
            .head(app.url(&loc))
            .header("cookie", &f.cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(head.status(), StatusCode::NOT_FOUND);
        // The per-application total counts documents and uploads in progress.
        assert_eq!(
            upload(&app, &f, "a.pdf", &pdf(900 * 1024)).await.status(),
            StatusCode::NO_CONTENT
        );
        let res = create(&app, &f, "b.pdf", 800 * 1024).await;
        assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(
            error_code(&res.json().await.unwrap()),
            "file.application_full"
        );
        // The no-JavaScript form stops reading as soon as the limit is crossed.
        let form = reqwest::multipart::Form::new()
            .text("csrf", f.csrf.clone())
            .text("application", f.application.clone())
            .text("material", f.material.clone())
            .part(
                "file",
                reqwest::multipart::Part::bytes(pdf(3 * 1024 * 1024)).file_name("huge.pdf"),
            );
        let res = app
            .client
            .post(app.url("/uploads/form"))
            .header("cookie", &f.cookie)
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let loc = res.headers()["location"].to_str().unwrap();
        assert!(loc.contains("upload_error=file.too_large"), "{loc}");
        assert_eq!(
            files_under(&app.files.path().join("uploads")),
            0,
            "nothing left of either (the liar's part went at once)"
        );
        app.cleanup().await;
    }
}

async fn an_interrupted_upload_resumes_from_the_confirmed_offset(app: &TestApp) {
    let f = filer_with_draft(app, HOLDER_A.2).await;
    let file = pdf(3 * 1024 * 1024);
    let res = create(app, &f, "contract.pdf", file.len()).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let loc = res.headers()["location"].to_str().unwrap().to_string();
    // First megabyte arrives.
    let res = patch(app, &f, &loc, 0, file[..1024 * 1024].to_vec()).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        res.headers()["upload-offset"],
        (1024 * 1024).to_string().as_str()
    );
    // The connection is cut half-way through the next part.
    let part = file[1024 * 1024..2 * 1024 * 1024].to_vec();
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> = vec![
        Ok(part[..300 * 1024].to_vec()),
        Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "signal lost",
        )),
    ];
    let cut = app
        .client
        .patch(app.url(&loc))
        .header("cookie", &f.cookie)
        .header("x-csrf-token", &f.csrf)
        .header("tus-resumable", "1.0.0")
        .header("upload-offset", (1024 * 1024).to_string())
        .header("content-type", "application/offset+octet-stream")
        .body(reqwest::Body::wrap_stream(futures::stream::iter(chunks)))
        .send()
        .await;
    assert!(
        cut.is_err() || !cut.unwrap().status().is_success(),
        "the cut request did not complete"
    );
    // Ask where to resume: at least the confirmed megabyte, never more than was sent.
    let mut offset = 0;
    for _ in 0..50 {
        let head = app
            .client
            .head(app.url(&loc))
            .header("cookie", &f.cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(head.status(), StatusCode::OK);
        offset = head.headers()["upload-offset"]
            .to_str()
            .unwrap()
            .parse::<usize>()
            .unwrap();
        // The server may still be writing what arrived before the cut.
        if offset >= 1024 * 1024 {
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            let again = app
                .client
                .head(app.url(&loc))
                .header("cookie", &f.cookie)
                .send()
                .await
                .unwrap();
            if again.headers()["upload-offset"]
                .to_str()
                .unwrap()
                .parse::<usize>()
                .unwrap()
                == offset
            {
                break;
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(
        (1024 * 1024..=1024 * 1024 + 300 * 1024).contains(&offset),
        "offset {offset}"
    );
    // A PATCH at the wrong offset is refused with the right one.
    let res = patch(app, &f, &loc, 0, file[..10].to_vec()).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert_eq!(res.headers()["upload-offset"], offset.to_string().as_str());
    // Resume from there; the document is byte-for-byte the original.
    let res = patch(app, &f, &loc, offset, file[offset..].to_vec()).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let doc = res.headers()["onetrip-document-id"]
        .to_str()
        .unwrap()
        .to_string();
    let got = app
        .get_with_cookie(&format!("/documents/{doc}"), &f.cookie)
        .await
        .bytes()
        .await
        .unwrap();
    assert_eq!(got.len(), file.len());
    assert!(got.to_vec() == file, "resumed file is intact");
    assert_eq!(count(app, "uploads").await, 0);
}

async fn documents_are_served_only_to_filer_and_named_parties(app: &TestApp) {
    let filer = sign_in(app, HOLDER_A.2).await;
    let id = crate::citizen::complete_draft(app, &filer).await;
    let token = csrf(app, &filer).await;
    let view: Value = call(app, &filer, "applications/get", &[("id", &id)])
        .await
        .json()
        .await
        .unwrap();
    let f = Filer {
        cookie: filer.clone(),
        csrf: token.clone(),
        application: id.clone(),
        material: view["matter"]["checklist"][0]["material"]
            .as_str()
            .unwrap()
            .to_string(),
    };
    let res = upload(app, &f, "id.jpg", &jpeg(1000, 800, 1000)).await;
    let doc = res.headers()["onetrip-document-id"]
        .to_str()
        .unwrap()
        .to_string();
    let co_party = sign_in(app, HOLDER_B.2).await;
    let other = sign_in(app, OTHER_MOBILE).await;
    let get = |cookie: String| {
        let url = app.url(&format!("/documents/{doc}"));
        let client = app.client.clone();
        async move {
            client
                .get(url)
                .header("cookie", cookie)
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(get(other.clone()).await, StatusCode::NOT_FOUND);
    assert_eq!(get(String::new()).await, StatusCode::UNAUTHORIZED);
    assert_eq!(
        get(co_party.clone()).await,
        StatusCode::NOT_FOUND,
        "a draft's files are the filer's alone"
    );
    assert_eq!(
        call(
            app,
            &filer,
            "applications/submit",
            &[("id", &id), ("csrf", &token)]
        )
        .await
        .status(),
        StatusCode::OK
    );
    assert_eq!(
        get(co_party.clone()).await,
        StatusCode::OK,
        "named parties see submitted files"
    );
    assert_eq!(get(other.clone()).await, StatusCode::NOT_FOUND);
    // After submission nothing can be added or removed.
    assert_eq!(
        create(app, &f, "late.pdf", 100).await.status(),
        StatusCode::CONFLICT
    );
    let res = app
        .client
        .delete(app.url(&format!("/documents/{doc}")))
        .header("cookie", &filer)
        .header("x-csrf-token", &token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CONFLICT);
    // Another citizen cannot even learn an upload exists.
    let g = filer_with_draft(app, "13600136005").await;
    let res = create(app, &g, "mine.pdf", 100).await;
    let loc = res.headers()["location"].to_str().unwrap().to_string();
    let head = app
        .client
        .head(app.url(&loc))
        .header("cookie", &filer)
        .send()
        .await
        .unwrap();
    assert_eq!(head.status(), StatusCode::NOT_FOUND);
    // Uploading into someone else's application: 404.
    let intruder = Filer {
        cookie: other.clone(),
        csrf: csrf(app, &other).await,
        application: id.clone(),
        material: f.material.clone(),
    };
    assert_eq!(
        create(app, &intruder, "x.pdf", 100).await.status(),
        StatusCode::NOT_FOUND
    );
    // Without the CSRF token: 403.
    let res = app
        .client
        .post(app.url("/uploads"))
        .header("cookie", &g.cookie)
        .header("tus-resumable", "1.0.0")
        .header("upload-length", "100")
        .header("upload-metadata", meta(&g, "x.pdf"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

async fn a_killed_upload_leaves_nothing_after_the_sweeper(app: &TestApp) {
    let f = filer_with_draft(app, HOLDER_A.2).await;
    let file = pdf(600 * 1024);
    let res = create(app, &f, "contract.pdf", file.len()).await;
    let loc = res.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(
        patch(app, &f, &loc, 0, file[..200 * 1024].to_vec())
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    // An orphaned temporary file (a crash between writing and the row).
    std::fs::write(app.files.path().join("uploads/tmp/deadbeef.part"), b"half").unwrap();
    let docs = app.state.documents.clone().unwrap();
    // A fresh transfer survives the sweep (it can still resume)...
    docs.sweep(&app.db).await.unwrap();
    assert_eq!(count(app, "uploads").await, 1);
    assert_eq!(
        files_under(&app.files.path().join("uploads")),
        1,
        "the orphan is gone, the live part stays"
    );
    // ...an abandoned one does not.
    app::execute!(&app.db, "UPDATE uploads SET updated_at = 0").unwrap();
    docs.sweep(&app.db).await.unwrap();
    nothing_left(app).await;
}

async fn the_no_js_form_uploads_and_deletes(app: &TestApp) {
    let f = filer_with_draft(app, HOLDER_A.2).await;
    let form = reqwest::multipart::Form::new()
        .text("csrf", f.csrf.clone())
        .text("application", f.application.clone())
        .text("material", f.material.clone())
        .part(
            "file",
            reqwest::multipart::Part::bytes(jpeg(2000, 1500, 10_000)).file_name("房产证.jpg"),
        );
    let res = app
        .client
        .post(app.url("/uploads/form"))
        .header("cookie", &f.cookie)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let loc = res.headers()["location"].to_str().unwrap().to_string();
    assert!(loc.contains("uploaded=1"), "{loc}");
    let page = app
        .get_with_cookie(loc.split('#').next().unwrap(), &f.cookie)
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("房产证.jpg"), "listed on the materials page");
    let docs: Vec<(String,)> =
        app::fetch_all!(&app.db, (String,), "SELECT id FROM documents").unwrap();
    // A mismatched file comes back as a message on the page.
    let form = reqwest::multipart::Form::new()
        .text("csrf", f.csrf.clone())
        .text("application", f.application.clone())
        .text("material", f.material.clone())
        .part(
            "file",
            reqwest::multipart::Part::bytes(pdf(100)).file_name("photo.jpg"),
        );
    let res = app
        .client
        .post(app.url("/uploads/form"))
        .header("cookie", &f.cookie)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let loc = res.headers()["location"].to_str().unwrap().to_string();
    assert!(loc.contains("upload_error=file.type_mismatch"), "{loc}");
    let page = app
        .get_with_cookie(loc.split('#').next().unwrap(), &f.cookie)
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("文件内容与文件名的扩展名不符"));
    assert_eq!(docs.len(), 1);
    // Several files chosen at once (the input is `multiple`): each is
    // taken, a refused one is named, and the count is told.
    let form = reqwest::multipart::Form::new()
        .text("csrf", f.csrf.clone())
        .text("application", f.application.clone())
        .text("material", f.material.clone())
        .part(
            "file",
            reqwest::multipart::Part::bytes(jpeg(2000, 1500, 10_000)).file_name("第一页.jpg"),
        )
        .part(
            "file",
            reqwest::multipart::Part::bytes(pdf(100)).file_name("假照片.jpg"),
        )
        .part(
            "file",
            reqwest::multipart::Part::bytes(jpeg(1600, 1200, 8_000)).file_name("第二页.jpg"),
        )
        .part(
            "file",
            reqwest::multipart::Part::bytes(Vec::new()).file_name("空白.jpg"),
        );
    let res = app
        .client
        .post(app.url("/uploads/form"))
        .header("cookie", &f.cookie)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let loc = res.headers()["location"].to_str().unwrap().to_string();
    assert!(loc.contains("uploaded=2"), "{loc}");
    assert!(loc.contains("upload_error=file.type_mismatch"), "{loc}");
    let page = app
        .get_with_cookie(loc.split('#').next().unwrap(), &f.cookie)
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("已上传 2 个文件"), "the count is told");
    assert!(
        page.contains("“假照片.jpg”没有上传"),
        "the refused file is named"
    );
    assert!(
        page.contains("“空白.jpg”没有上传"),
        "every refused file is named"
    );
    assert!(page.contains("第一页.jpg") && page.contains("第二页.jpg"));
    let docs: Vec<(String,)> =
        app::fetch_all!(&app.db, (String,), "SELECT id FROM documents").unwrap();
    assert_eq!(
        docs.len(),
        3,
        "both good files are kept, the bad one is not"
    );
    // Delete through the form.
    for (id,) in &docs {
        let res = app
            .client
            .post(app.url(&format!("/documents/{id}/delete")))
            .header("cookie", &f.cookie)
            .form(&[("csrf", f.csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
    }
    nothing_left(app).await;
}

on_both_backends!(
    images_and_pdfs_upload_and_come_back_intact,
    every_bad_input_is_refused_and_leaves_nothing,
    an_interrupted_upload_resumes_from_the_confirmed_offset,
    documents_are_served_only_to_filer_and_named_parties,
    a_killed_upload_leaves_nothing_after_the_sweeper,
    the_no_js_form_uploads_and_deletes,
);

mod own_policy {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn limits_are_enforced_while_streaming() {
        let Some(app) = crate::helpers::TestApp::spawn(crate::helpers::Backend::Sqlite).await
        else {
            return;
        };
        super::limits_are_enforced_while_streaming(&app).await;
        app.cleanup().await;
    }
}
