//! The S3-compatible document store, over real S3 HTTP requests to an
//! in-process S3 server (s3s-fs: the S3 API on a temporary directory), on
//! both database backends: multipart upload of a large file, byte-exact
//! download, one object per content, previews read back from S3, and the
//! collector deleting objects.

use crate::citizen::HOLDER_A;
use crate::documents::{create, filer_with_draft, pdf, upload, Filer};
use crate::helpers::{Backend, TestApp};
use hyper_util::rt::{TokioExecutor, TokioIo};
use onetrip_server::documents::ObjectStoreStore;
use reqwest::StatusCode;
use std::sync::Arc;
use std::time::Duration;

const BUCKET: &str = "onetrip-test";

/// An S3 server on 127.0.0.1 with one bucket, requiring signed requests.
struct S3Server {
    endpoint: String,
    root: tempfile::TempDir,
    task: tokio::task::JoinHandle<()>,
    /// Its open connections, so that stopping it stops them too.
    conns: Arc<std::sync::Mutex<Vec<tokio::task::AbortHandle>>>,
}

impl S3Server {
    async fn start() -> S3Server {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir(root.path().join(BUCKET)).unwrap();
        let fs = s3s_fs::FileSystem::new(root.path()).unwrap();
        let mut builder = s3s::service::S3ServiceBuilder::new(fs);
        builder.set_auth(s3s::auth::SimpleAuth::from_single(
            "test-key",
            "test-secret",
        ));
        let service = builder.build();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let conns: Arc<std::sync::Mutex<Vec<tokio::task::AbortHandle>>> = Arc::default();
        let held = conns.clone();
        let task = tokio::spawn(async move {
            let http = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
            while let Ok((socket, _)) = listener.accept().await {
                let conn = http
                    .serve_connection(TokioIo::new(socket), service.clone())
                    .into_owned();
                let handle = tokio::spawn(async move {
                    let _ = conn.await;
                });
                held.lock().unwrap().push(handle.abort_handle());
            }
        });
        S3Server {
            endpoint,
            root,
            task,
            conns,
        }
    }

    fn store(&self, prefix: &str) -> Arc<ObjectStoreStore> {
        let s3 = object_store::aws::AmazonS3Builder::new()
            .with_endpoint(&self.endpoint)
            .with_allow_http(true)
            .with_bucket_name(BUCKET)
            .with_region("us-east-1")
            .with_access_key_id("test-key")
            .with_secret_access_key("test-secret")
            .with_virtual_hosted_style_request(false)
            // A store that is away is answered at once (tests stop it).
            .with_retry(object_store::RetryConfig {
                backoff: object_store::BackoffConfig::default(),
                max_retries: 0,
                retry_timeout: Duration::from_secs(2),
            })
            .build()
            .unwrap();
        Arc::new(ObjectStoreStore::new(Arc::new(s3), prefix))
    }

    /// Objects in the bucket (files under its directory, without s3s-fs's
    /// own bookkeeping).
    fn objects(&self) -> Vec<String> {
        fn walk(dir: &std::path::Path, out: &mut Vec<String>) {
            for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                let p = e.path();
                if p.is_dir() {
                    walk(&p, out);
                } else {
                    out.push(p.to_string_lossy().to_string());
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.root.path().join(BUCKET), &mut out);
        out.retain(|p| !p.contains(".s3s") && !p.ends_with(".json"));
        out
    }
}

impl S3Server {
    /// The store goes away: no new connection, and the open ones cut.
    fn stop(&self) {
        self.task.abort();
        for c in self.conns.lock().unwrap().drain(..) {
            c.abort();
        }
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        self.stop();
    }
}

async fn documents_live_in_the_object_store(backend: Backend) {
    let s3 = S3Server::start().await;
    let Some(app) = TestApp::spawn_with_store(
        backend,
        app::services::Policy::default(),
        Some(s3.store("documents")),
    )
    .await
    else {
        return;
    };
    let f = filer_with_draft(&app, HOLDER_A.2).await;

    // 20 MB: three parts of a multipart upload.
    let big = pdf(20 * 1024 * 1024);
    let res = upload(&app, &f, "合同.pdf", &big).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let first = res.headers()["onetrip-document-id"]
        .to_str()
        .unwrap()
        .to_string();
    let res = upload(&app, &f, "合同副本.pdf", &big).await;
    let second = res.headers()["onetrip-document-id"]
        .to_str()
        .unwrap()
        .to_string();
    let objects = s3.objects();
    assert_eq!(objects.len(), 1, "one object per content: {objects:?}");
    let pdf_object = objects[0].clone();
    assert!(
        objects[0].contains("/documents/"),
        "under the prefix: {objects:?}"
    );
    assert!(
        app.files.path().join("documents").read_dir().is_err(),
        "nothing in the local store"
    );

    let res = app
        .get_with_cookie(&format!("/documents/{first}"), &f.cookie)
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.headers()["content-length"],
        big.len().to_string().as_str()
    );
    assert!(res.bytes().await.unwrap() == big, "byte for byte from S3");

    // A photo's preview is made from the object and stored beside it.
    let mut photo = std::io::Cursor::new(Vec::new());
    image::DynamicImage::new_rgb8(1200, 900)
        .write_to(&mut photo, image::ImageFormat::Jpeg)
        .unwrap();
    let res = upload(&app, &f, "photo.jpg", photo.get_ref()).await;
    let pic = res.headers()["onetrip-document-id"]
        .to_str()
        .unwrap()
        .to_string();
    let mut preview = StatusCode::NOT_FOUND;
    for _ in 0..100 {
        preview = app
            .get_with_cookie(&format!("/documents/{pic}/preview"), &f.cookie)
            .await
            .status();
        if preview == StatusCode::OK {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(preview, StatusCode::OK);

    // Deleting both PDFs frees their object once the collector runs.
    for doc in [&first, &second] {
        let res = app
            .client
            .delete(app.url(&format!("/documents/{doc}")))
            .header("cookie", &f.cookie)
            .header("x-csrf-token", &f.csrf)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::NO_CONTENT);
    }
    let before = s3.objects();
    assert!(before.contains(&pdf_object));
    // This pass, or the app's own worker racing it, deletes the object.
    let deleted = app
        .state
        .documents
        .as_ref()
        .unwrap()
        .collect_garbage(&app.db)
        .await
        .unwrap();
    assert!(deleted <= 1);
    for _ in 0..100 {
        if !s3.objects().contains(&pdf_object) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let after = s3.objects();
    assert!(!after.contains(&pdf_object), "the PDF's object is gone");
    assert_eq!(after.len(), before.len() - 1, "and nothing else: {after:?}");
    assert_eq!(
        app.get_with_cookie(&format!("/documents/{first}"), &f.cookie)
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    app.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn documents_live_in_the_object_store_sqlite() {
    documents_live_in_the_object_store(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn documents_live_in_the_object_store_postgres() {
    documents_live_in_the_object_store(Backend::Postgres).await;
}

/// A tus request to one replica (`base`).
async fn tus(
    app: &TestApp,
    base: &str,
    f: &Filer,
    method: reqwest::Method,
    location: &str,
    offset: Option<usize>,
    body: Vec<u8>,
) -> reqwest::Response {
    let mut req = app
        .client
        .request(method, format!("{base}{location}"))
        .header("cookie", &f.cookie)
        .header("x-csrf-token", &f.csrf)
        .header("tus-resumable", "1.0.0");
    if let Some(o) = offset {
        req = req
            .header("upload-offset", o.to_string())
            .header("content-type", "application/offset+octet-stream")
            .body(body);
    }
    req.send().await.unwrap()
}

fn offset_of(res: &reqwest::Response) -> usize {
    res.headers()["upload-offset"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

/// A cluster: two replicas on one database and one object store. A transfer
/// begun on one continues on the other (its parts live in the store, not on
/// a replica's disk); two PATCHes racing at one offset on different replicas
/// count once; the finished document is whole from either; no part is left.
async fn an_upload_continues_on_another_replica(backend: Backend) {
    let s3 = S3Server::start().await;
    let Some(app) = TestApp::spawn_with_store(
        backend,
        app::services::Policy::default(),
        Some(s3.store("documents")),
    )
    .await
    else {
        return;
    };
    let other = app.second_server().await;
    let f = filer_with_draft(&app, HOLDER_A.2).await;
    let file = pdf(3 * 1024 * 1024);
    const MB: usize = 1024 * 1024;
    let res = create(&app, &f, "合同.pdf", file.len()).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let location = res.headers()["location"].to_str().unwrap().to_string();
    let patch = |base: String, at: usize, to: usize| {
        let body = file[at..to].to_vec();
        let (app, f, location) = (&app, &f, location.clone());
        async move {
            tus(
                app,
                &base,
                f,
                reqwest::Method::PATCH,
                &location,
                Some(at),
                body,
            )
            .await
        }
    };

    // The first megabyte to this replica…
    let res = patch(app.base.clone(), 0, MB).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(offset_of(&res), MB);
    // …is known to the other, which refuses a stale offset with the true one.
    let res = tus(
        &app,
        &other,
        &f,
        reqwest::Method::HEAD,
        &location,
        None,
        vec![],
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(offset_of(&res), MB);
    let res = patch(other.clone(), 0, MB).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert_eq!(offset_of(&res), MB);

    // The same piece sent to both replicas at once counts once.
    let (a, b) = tokio::join!(
        patch(app.base.clone(), MB, 2 * MB),
        patch(other.clone(), MB, 2 * MB)
    );
    let mut codes = vec![a.status().as_u16(), b.status().as_u16()];
    codes.sort();
    assert_eq!(codes, vec![204, 409], "one wins, one is told the offset");
    assert_eq!(offset_of(&a), 2 * MB);
    assert_eq!(offset_of(&b), 2 * MB);

    // The rest to the other replica finishes the document.
    let res = patch(other.clone(), 2 * MB, file.len()).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let doc = res.headers()["onetrip-document-id"]
        .to_str()
        .unwrap()
        .to_string();
    let res = app
        .get_with_cookie(&format!("/documents/{doc}"), &f.cookie)
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.bytes().await.unwrap() == file, "byte for byte");
    let parts: Vec<(String,)> =
        app::fetch_all!(&app.db, (String,), "SELECT object_key FROM upload_parts").unwrap();
    assert!(parts.is_empty(), "no part rows left: {parts:?}");
    let objects = s3.objects();
    assert_eq!(objects.len(), 1, "only the document's object: {objects:?}");
    assert!(objects[0].contains("/documents/"), "{objects:?}");
    let mut left = Vec::new();
    for e in walkdir(app.files.path()) {
        if e.ends_with(".part") || e.ends_with(".piece") {
            left.push(e);
        }
    }
    assert!(
        left.is_empty(),
        "no scratch files on either replica: {left:?}"
    );

    // A transfer given up on one replica leaves nothing in the store.
    let res = create(&app, &f, "副本.pdf", file.len()).await;
    let location = res.headers()["location"].to_str().unwrap().to_string();
    let res = tus(
        &app,
        &other,
        &f,
        reqwest::Method::PATCH,
        &location,
        Some(0),
        file[..MB].to_vec(),
    )
    .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(s3.objects().len(), 2, "the part is in the store");
    let res = tus(
        &app,
        &app.base,
        &f,
        reqwest::Method::DELETE,
        &location,
        None,
        vec![],
    )
    .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(s3.objects().len(), 1, "and gone with the transfer");

    // The store away: readiness says so, a download is 503 with
    // Retry-After (not 500), and so is a part that cannot be stored.
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status(), StatusCode::OK);
    s3.stop();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(ready.headers().contains_key("retry-after"));
    let body: serde_json::Value = ready.json().await.unwrap();
    assert_eq!(body["document_store"], "unavailable", "{body}");
    let res = app
        .get_with_cookie(&format!("/documents/{doc}"), &f.cookie)
        .await;
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(res.headers().contains_key("retry-after"));
    let res = create(&app, &f, "再一份.pdf", file.len()).await;
    let location = res.headers()["location"].to_str().unwrap().to_string();
    let res = tus(
        &app,
        &other,
        &f,
        reqwest::Method::PATCH,
        &location,
        Some(0),
        file[..MB].to_vec(),
    )
    .await;
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(res.headers().contains_key("retry-after"));
    assert_eq!(offset_of(&res), 0, "nothing counted");
    app.cleanup().await;
}

fn walkdir(dir: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walkdir(&p));
        } else {
            out.push(p.to_string_lossy().to_string());
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_continues_on_another_replica_sqlite() {
    an_upload_continues_on_another_replica(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_continues_on_another_replica_postgres() {
    an_upload_continues_on_another_replica(Backend::Postgres).await;
}
