//! Document upload and download.
//!
//! Resumable uploads follow the tus 1.0 protocol (core + creation):
//! `POST /uploads` reserves room and answers a `Location`; `PATCH` appends at
//! `Upload-Offset`; `HEAD` tells how many bytes the server has (fsynced), so
//! an interrupted transfer resumes from there. Browsers without JavaScript
//! post a plain multipart form to `/uploads/form` instead. Either way the
//! bytes stream to a temporary file (never all in memory), limits are
//! enforced while streaming, the content is checked by its magic bytes, the
//! file is fsynced and moved into the content-addressed store, and only then
//! is the document row committed. Files are served only by
//! `GET /documents/{id}` to the filer and named parties.

mod content;
mod previews;
mod routes;
mod store;
pub mod tus;

pub use previews::{find_pdftoppm, PreviewSettings, PreviewWorker, PAGE_PX, THUMB_PX};
pub use routes::routes;
pub(crate) use routes::{internal, may_read_application, Reader};
pub use store::{DocumentStore, LocalStore, ObjectStoreStore, SharedParts};

use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Where uploads in progress and stored documents live.
#[derive(Clone)]
pub struct Documents {
    pub store: Arc<dyn DocumentStore>,
    /// `<data dir>/uploads/tmp`: one `<upload id>.part` per transfer.
    pub tmp_dir: PathBuf,
    /// Parts of uploads in progress in the object store (a cluster): any
    /// replica continues any transfer. `None`: parts are local files.
    pub shared_parts: Option<SharedParts>,
    /// Uploads with a PATCH in flight (one writer per upload; local parts).
    busy: Arc<std::sync::Mutex<std::collections::HashSet<String>>>,
    /// Wakes the preview worker when a document arrives.
    pub preview_wake: Arc<tokio::sync::Notify>,
    /// A deleted document's content stays this long before the collector
    /// may remove it (default 10 minutes).
    pub gc_grace_ms: i64,
}

impl std::fmt::Debug for Documents {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Documents")
            .field("store", &self.store.name())
            .field("tmp_dir", &self.tmp_dir)
            .finish()
    }
}

impl Documents {
    /// Local storage under the data directory.
    pub fn local(data_dir: &Path) -> std::io::Result<Documents> {
        let store = Arc::new(LocalStore::new(data_dir.join("documents"))?);
        Self::with_store(data_dir, store)
    }

    /// Uploads in progress under the data directory, documents in `store`.
    pub fn with_store(
        data_dir: &Path,
        store: Arc<dyn DocumentStore>,
    ) -> std::io::Result<Documents> {
        let tmp_dir = data_dir.join("uploads").join("tmp");
        std::fs::create_dir_all(&tmp_dir)?;
        Ok(Documents {
            shared_parts: store.shared_parts(),
            store,
            tmp_dir,
            busy: Default::default(),
            preview_wake: Default::default(),
            gc_grace_ms: 10 * 60 * 1000,
        })
    }

    /// Whether the uploads directory takes a write (readiness): a small file
    /// written, synced and removed.
    pub async fn writable(&self) -> bool {
        let probe = self
            .tmp_dir
            .join(format!(".ready-{}", uuid::Uuid::new_v4().simple()));
        let wrote = async {
            let mut f = tokio::fs::File::create(&probe).await?;
            tokio::io::AsyncWriteExt::write_all(&mut f, b"ready").await?;
            f.sync_all().await
        }
        .await;
        let _ = tokio::fs::remove_file(&probe).await;
        wrote.is_ok()
    }

    /// How many bytes of an upload the server holds (its tus offset).
    pub async fn received(&self, db: &app::db::Db, upload_id: &str) -> Result<i64, sqlx::Error> {
        match &self.shared_parts {
            Some(_) => app::db::upload_received(db, upload_id).await,
            None => Ok(tokio::fs::metadata(self.part_path(upload_id))
                .await
                .map(|m| m.len() as i64)
                .unwrap_or(0)),
        }
    }

    /// Forget an upload's bytes: its local file and, in a cluster, its parts.
    pub async fn remove_parts(&self, upload_id: &str) {
        let _ = tokio::fs::remove_file(self.part_path(upload_id)).await;
        if let Some(parts) = &self.shared_parts {
            if let Err(e) = parts.delete_all(upload_id).await {
                tracing::warn!(error = %e, "upload parts could not be removed; the sweep tries again");
            }
        }
    }

    /// The background worker that makes previews and collects garbage.
    pub fn preview_worker(&self, db: &app::db::Db, settings: PreviewSettings) -> PreviewWorker {
        PreviewWorker {
            db: db.clone(),
            docs: self.clone(),
            wake: self.preview_wake.clone(),
            settings,
        }
    }

    pub fn part_path(&self, upload_id: &str) -> PathBuf {
        self.tmp_dir.join(format!("{upload_id}.part"))
    }

    /// Remove temporary files that no upload row owns (a crash mid-transfer
    /// or mid-finish), and uploads abandoned for a day with their files.
    pub async fn sweep(&self, db: &app::db::Db) -> std::io::Result<usize> {
        const ABANDONED_MS: i64 = 24 * 3600 * 1000;
        let mut removed = 0;
        if let Ok(stale) = app::db::stale_uploads(db, ABANDONED_MS).await {
            for id in stale {
                self.remove_parts(&id).await;
                let _ = app::db::delete_upload(db, &id).await;
                removed += 1;
            }
        }
        let mut dir = tokio::fs::read_dir(&self.tmp_dir).await?;
        while let Some(entry) = dir.next_entry().await? {
            let name = entry.file_name().to_string_lossy().to_string();
            // `<id>.part`: a local transfer (or a cluster's assembly). A
            // `.piece` (one PATCH on its way to the store) never outlives
            // its request.
            let owned = match name.strip_suffix(".part") {
                Some(id) => matches!(app::db::upload(db, id).await, Ok(Some(_))),
                None => false,
            };
            if !owned {
                if entry.file_type().await?.is_dir() {
                    tokio::fs::remove_dir_all(entry.path()).await?;
                } else {
                    tokio::fs::remove_file(entry.path()).await?;
                }
                removed += 1;
            }
        }
        Ok(removed)
    }

    fn try_lock(&self, id: &str) -> Option<BusyGuard> {
        let mut busy = self.busy.lock().ok()?;
        busy.insert(id.to_string()).then(|| BusyGuard {
            set: self.busy.clone(),
            id: id.to_string(),
        })
    }
}

struct BusyGuard {
    set: Arc<std::sync::Mutex<std::collections::HashSet<String>>>,
    id: String,
}

impl Drop for BusyGuard {
    fn drop(&mut self) {
        if let Ok(mut s) = self.set.lock() {
            s.remove(&self.id);
        }
    }
}
