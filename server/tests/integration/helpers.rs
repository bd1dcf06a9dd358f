use app::db::Db;
use app::services::Policy;
use leptos::prelude::LeptosOptions;
use onetrip_server::outbox::{Senders, WorkerSettings};
use onetrip_server::{open_database, router, AppState};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The PostgreSQL server tests may create databases on. Tests only ever drop
/// the databases they created themselves.
pub fn pg_admin_url() -> String {
    std::env::var("ONETRIP_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

/// When set (CI sets it), a missing PostgreSQL fails the run instead of skipping.
pub fn postgres_required() -> bool {
    std::env::var("ONETRIP_REQUIRE_POSTGRES").is_ok_and(|v| v == "1")
}

/// A fresh, empty database of the given backend; `None` if PostgreSQL is not
/// reachable and not required.
pub struct FreshDb {
    pub url: String,
    pg_name: Option<String>,
    _dir: Option<tempfile::TempDir>,
}

impl FreshDb {
    pub async fn create(backend: Backend) -> Option<FreshDb> {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}", dir.path().join("test.db").display());
                Some(FreshDb {
                    url,
                    pg_name: None,
                    _dir: Some(dir),
                })
            }
            Backend::Postgres => {
                let admin = pg_admin_url();
                let conn = sqlx::postgres::PgPoolOptions::new()
                    .max_connections(1)
                    .acquire_timeout(std::time::Duration::from_secs(5))
                    .connect(&admin)
                    .await;
                let pool = match conn {
                    Ok(p) => p,
                    Err(e) if !postgres_required() => {
                        eprintln!("SKIPPED (PostgreSQL not reachable at {admin}: {e})");
                        return None;
                    }
                    Err(e) => panic!("PostgreSQL is required but not reachable at {admin}: {e}"),
                };
                let name = format!("onetrip_test_{}", uuid::Uuid::new_v4().simple());
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&pool)
                    .await
                    .expect("create test database");
                pool.close().await;
                let base = admin
                    .rsplit_once('/')
                    .map(|(b, _)| b.to_string())
                    .expect("db url");
                Some(FreshDb {
                    url: format!("{base}/{name}"),
                    pg_name: Some(name),
                    _dir: None,
                })
            }
        }
    }

    pub async fn drop_database(&self) {
        let Some(name) = &self.pg_name else { return };
        if let Ok(pool) = sqlx::PgPool::connect(&pg_admin_url()).await {
            let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&pool)
                .await;
            pool.close().await;
        }
    }
}

pub struct TestApp {
    pub base: String,
    pub db: Db,
    pub client: reqwest::Client,
    pub backend: Backend,
    pub state: AppState,
    fresh: FreshDb,
    server: tokio::task::JoinHandle<()>,
    worker: tokio::task::JoinHandle<()>,
    /// The preview worker and content collector.
    previews: tokio::task::JoinHandle<()>,
    /// The filing worker (spreadsheet checks).
    filings: tokio::task::JoinHandle<()>,
    /// The data directory: uploads in progress and the document store.
    pub files: tempfile::TempDir,
}

pub fn test_leptos_options() -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("onetrip")
        .site_root("target/site")
        .site_pkg_dir("pkg")
        .build()
}

impl TestApp {
    /// Start the whole router on a fresh database; `None` when the backend is
    /// unavailable and not required.
    pub async fn spawn(backend: Backend) -> Option<TestApp> {
        Self::spawn_with(backend, Policy::default()).await
    }

    /// Like [`TestApp::spawn`] with a given policy (limits, switches). The
    /// outbox worker runs with the log sender, as on a development machine.
    pub async fn spawn_with(backend: Backend, policy: Policy) -> Option<TestApp> {
        Self::spawn_with_store(backend, policy, None).await
    }

    /// Like [`TestApp::spawn_with`] with documents in `store` (the local
    /// store under the test's data directory when `None`).
    pub async fn spawn_with_store(
        backend: Backend,
        policy: Policy,
        store: Option<std::sync::Arc<dyn onetrip_server::documents::DocumentStore>>,
    ) -> Option<TestApp> {
        Self::spawn_through(backend, policy, store, |url| url.to_string()).await
    }

    /// Like [`TestApp::spawn_with_store`], the server reaching its fresh
    /// database at the URL `route` makes of the real one (through a proxy
    /// a test can cut, say).
    pub async fn spawn_through(
        backend: Backend,
        policy: Policy,
        store: Option<std::sync::Arc<dyn onetrip_server::documents::DocumentStore>>,
        route: impl FnOnce(&str) -> String,
    ) -> Option<TestApp> {
        Self::spawn_inner(backend, policy, store, route, |state, _| state).await
    }

    /// Like [`TestApp::spawn_with`], the state changed by `hook` (given the
    /// server's own base URL) before the server starts: integrations.
    pub async fn spawn_hooked(
        backend: Backend,
        policy: Policy,
        hook: impl FnOnce(AppState, &str) -> AppState,
    ) -> Option<TestApp> {
        Self::spawn_inner(backend, policy, None, |url| url.to_string(), hook).await
    }

    async fn spawn_inner(
        backend: Backend,
        policy: Policy,
        store: Option<std::sync::Arc<dyn onetrip_server::documents::DocumentStore>>,
        route: impl FnOnce(&str) -> String,
        hook: impl FnOnce(AppState, &str) -> AppState,
    ) -> Option<TestApp> {
        let fresh = FreshDb::create(backend).await?;
        let db = open_database(&route(&fresh.url))
            .await
            .expect("open and migrate");
        let files = tempfile::tempdir().expect("data dir");
        let mut documents = match store {
            None => onetrip_server::documents::Documents::local(files.path()),
            Some(store) => onetrip_server::documents::Documents::with_store(files.path(), store),
        }
        .expect("documents");
        // Deleted content is collectable at once (tests call the collector).
        documents.gc_grace_ms = 0;
        let previews = tokio::spawn(
            documents
                .preview_worker(
                    &db,
                    onetrip_server::documents::PreviewSettings {
                        poll: std::time::Duration::from_millis(200),
                        ..Default::default()
                    },
                )
                .run(),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let state = hook(
            AppState::new(test_leptos_options(), db.clone(), policy, vec![7u8; 32])
                .with_documents(documents),
            &format!("http://{addr}"),
        );
        let worker_settings = WorkerSettings {
            poll: std::time::Duration::from_millis(200),
            ..WorkerSettings::default()
        };
        let worker = tokio::spawn(state.worker(Senders::log(), worker_settings).run());
        let filings = tokio::spawn(
            onetrip_server::filings::FilingJob {
                db: db.clone(),
                wake: state.services.filing_wake.clone(),
                every: std::time::Duration::from_millis(500),
            }
            .run(),
        );
        let app =
            router(state.clone()).into_make_service_with_connect_info::<std::net::SocketAddr>();
        let server = tokio::spawn(async move {
            axum::serve(listener, app).await.expect("serve");
        });
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        Some(TestApp {
            base: format!("http://{addr}"),
            db,
            client,
            backend,
            fresh,
            server,
            worker,
            previews,
            filings,
            state,
            files,
        })
    }

    /// A second server instance on the same database with its own pool (as
    /// a second replica would be): its base URL. Stops with the test.
    pub async fn second_server(&self) -> String {
        let db = open_database(&self.fresh.url).await.expect("second pool");
        let mut state = AppState::new(test_leptos_options(), db, Policy::default(), vec![7u8; 32]);
        if let Some(docs) = &self.state.documents {
            // Its own data directory, the same document store.
            let own = self
                .files
                .path()
                .join(format!("replica-{}", uuid::Uuid::new_v4().simple()));
            let docs = onetrip_server::documents::Documents::with_store(&own, docs.store.clone())
                .expect("second data dir");
            state = state.with_documents(docs);
        }
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let app = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        format!("http://{addr}")
    }

    /// Stop the app's own outbox worker (tests that drive a worker themselves).
    pub async fn stop_worker(&self) {
        self.worker.abort();
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("GET")
    }

    pub async fn get_with_cookie(&self, path: &str, cookie: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .header("cookie", cookie)
            .send()
            .await
            .expect("GET")
    }

    /// Call a server function the way a browser form does (URL-encoded POST).
    pub async fn server_fn(&self, endpoint: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(self.url(&format!("/api/{endpoint}")))
            .form(form)
            .send()
            .await
            .expect("POST")
    }

    pub async fn cleanup(self) {
        self.server.abort();
        self.worker.abort();
        self.previews.abort();
        self.filings.abort();
        self.db.close().await;
        self.fresh.drop_database().await;
    }
}

/// Generate `sqlite` and `postgres` variants of each listed test function
/// (`async fn name(app: &TestApp)`); the database is dropped even when the
/// test fails.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    $crate::helpers::run(
                        $crate::helpers::Backend::Sqlite,
                        |app| Box::pin(async move { super::$name(app).await }),
                    )
                    .await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    $crate::helpers::run(
                        $crate::helpers::Backend::Postgres,
                        |app| Box::pin(async move { super::$name(app).await }),
                    )
                    .await;
                }
            }
        )*
    };
}

pub type TestFuture<'a> = std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send + 'a>>;

pub async fn run<F>(backend: Backend, test: F)
where
    F: for<'a> FnOnce(&'a TestApp) -> TestFuture<'a>,
{
    run_with(backend, Policy::default(), test).await
}

/// Like [`run`] with a given policy.
pub async fn run_with<F>(backend: Backend, policy: Policy, test: F)
where
    F: for<'a> FnOnce(&'a TestApp) -> TestFuture<'a>,
{
    use futures::FutureExt;
    let Some(app) = TestApp::spawn_with(backend, policy).await else {
        return;
    };
    let result = std::panic::AssertUnwindSafe(test(&app))
        .catch_unwind()
        .await;
    app.cleanup().await;
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}

/// The HTML without the comment markers Leptos leaves between text nodes for
/// hydration, so assertions can look for text as a reader sees it.
pub fn without_markers(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find("<!") {
        out.push_str(&rest[..start]);
        let after = &rest[start..];
        if after.starts_with("<!DOCTYPE") || after.starts_with("<!doctype") {
            out.push_str("<!");
            rest = &after[2..];
            continue;
        }
        let end = if after.starts_with("<!--") {
            after.find("-->").map(|e| e + 3)
        } else {
            after.find('>').map(|e| e + 1)
        };
        match end {
            Some(e) => rest = &after[e..],
            None => {
                rest = after;
                break;
            }
        }
    }
    out.push_str(rest);
    out
}
