use crate::helpers::{Backend, FreshDb, TestApp};
use crate::on_both_backends;
use app::{execute_tx, fetch_scalar_tx};
use onetrip_server::open_database;

on_both_backends!(
    concurrent_read_then_write_transactions_all_commit,
    migrations_can_run_twice
);

/// Each task reads a counter, then increments it, inside one write
/// transaction. On SQLite a deferred transaction fails with SQLITE_BUSY when
/// two readers both try to upgrade to writers; `begin_write` takes the write
/// lock first, so every transaction commits and no increment is lost.
async fn concurrent_read_then_write_transactions_all_commit(app: &TestApp) {
    let mut tx = app.db.begin_write().await.unwrap();
    execute_tx!(
        &mut tx,
        "INSERT INTO app_meta (key, value, updated_at) VALUES ('counter', '0', 0)"
    )
    .unwrap();
    tx.commit().await.unwrap();

    const TASKS: usize = 24;
    let mut handles = Vec::new();
    for _ in 0..TASKS {
        let db = app.db.clone();
        handles.push(tokio::spawn(async move {
            let mut tx = db.begin_write().await?;
            let _current: String =
                fetch_scalar_tx!(&mut tx, String, "SELECT value FROM app_meta WHERE key = 'counter'")?;
            tokio::task::yield_now().await;
            execute_tx!(
                &mut tx,
                "UPDATE app_meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE key = 'counter'"
            )?;
            tx.commit().await?;
            Ok::<_, sqlx::Error>(())
        }));
    }
    for h in handles {
        h.await.unwrap().expect("no write transaction fails");
    }
    let mut tx = app.db.begin_write().await.unwrap();
    let value: String = fetch_scalar_tx!(
        &mut tx,
        String,
        "SELECT value FROM app_meta WHERE key = 'counter'"
    )
    .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(value, TASKS.to_string());
}

async fn migrations_can_run_twice(app: &TestApp) {
    // The app already migrated this database at start; a restart does it again.
    app.db
        .migrate()
        .await
        .expect("second migration run is a no-op");
    let res = app.server_fn("sites/list", &[]).await;
    let sites: Vec<app::model::Site> = res.json().await.unwrap();
    assert_eq!(sites.len(), 15, "the seed is applied exactly once");
}

#[tokio::test]
async fn a_malformed_database_url_is_refused_with_a_sentence_naming_it() {
    for url in [
        "mysql://localhost/x",
        "not a url",
        "postgres://user@:notaport/db",
    ] {
        let err = open_database(url).await.expect_err(url).to_string();
        assert!(err.contains("DATABASE_URL"), "{url}: {err}");
    }
}

#[tokio::test]
async fn sqlite_is_opened_in_wal_mode_with_foreign_keys_on() {
    let fresh = FreshDb::create(Backend::Sqlite).await.unwrap();
    let db = open_database(&fresh.url).await.unwrap();
    let app::db::Db::Sqlite(pool) = &db else {
        panic!("sqlite expected")
    };
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(pool)
        .await
        .unwrap();
    let fk: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
        .fetch_one(pool)
        .await
        .unwrap();
    let busy: i64 = sqlx::query_scalar("PRAGMA busy_timeout")
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(mode, "wal");
    assert_eq!(fk, 1);
    assert!(busy >= 5000, "busy timeout {busy} ms");
    db.close().await;
}
