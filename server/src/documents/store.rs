//! Where document contents live: behind one trait, content-addressed by
//! SHA-256 so identical files are stored once.

use std::io;
use std::path::{Path, PathBuf};
use tokio::io::AsyncRead;

#[async_trait::async_trait]
pub trait DocumentStore: Send + Sync {
    /// Take a complete temporary file (already fsynced) into the store under
    /// its hash. The temporary file is gone afterwards either way.
    async fn put_file(&self, sha256: &str, tmp: &Path) -> io::Result<()>;
    async fn open(&self, sha256: &str) -> io::Result<Box<dyn AsyncRead + Send + Unpin>>;
    async fn delete(&self, sha256: &str) -> io::Result<()>;
    fn name(&self) -> &'static str;
    /// Whether the store answers (readiness): a local store always does
    /// (its disk is the data directory's, probed apart).
    async fn reachable(&self) -> bool {
        true
    }
    /// Where the parts of uploads in progress go when they must be reachable
    /// from every replica; `None`: in the local data directory.
    fn shared_parts(&self) -> Option<SharedParts> {
        None
    }
}

/// Files under `<data dir>/documents/ab/cd/<sha256>`.
pub struct LocalStore {
    root: PathBuf,
}

impl LocalStore {
    pub fn new(root: PathBuf) -> io::Result<Self> {
        std::fs::create_dir_all(&root)?;
        Ok(LocalStore { root })
    }

    fn path(&self, sha: &str) -> io::Result<PathBuf> {
        if sha.len() != 64 || !sha.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "not a sha256"));
        }
        Ok(self.root.join(&sha[..2]).join(&sha[2..4]).join(sha))
    }
}

#[async_trait::async_trait]
impl DocumentStore for LocalStore {
    async fn put_file(&self, sha256: &str, tmp: &Path) -> io::Result<()> {
        let target = self.path(sha256)?;
        if tokio::fs::try_exists(&target).await? {
            // Identical content is already stored.
            tokio::fs::remove_file(tmp).await?;
            return Ok(());
        }
        let dir = target
            .parent()
            .expect("sharded path has a parent")
            .to_path_buf();
        tokio::fs::create_dir_all(&dir).await?;
        tokio::fs::rename(tmp, &target).await?;
        // Make the rename itself durable.
        tokio::task::spawn_blocking(move || std::fs::File::open(&dir).and_then(|d| d.sync_all()))
            .await
            .map_err(io::Error::other)??;
        Ok(())
    }

    async fn open(&self, sha256: &str) -> io::Result<Box<dyn AsyncRead + Send + Unpin>> {
        let f = tokio::fs::File::open(self.path(sha256)?).await?;
        Ok(Box::new(f))
    }

    async fn delete(&self, sha256: &str) -> io::Result<()> {
        match tokio::fs::remove_file(self.path(sha256)?).await {
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            other => other,
        }
    }

    fn name(&self) -> &'static str {
        "local"
    }
}

/// An S3-compatible object store (AWS S3, MinIO, Ceph RGW, OSS/COS S3
/// endpoints…) through the object_store crate, for deployments with several
/// servers. Objects are named `<prefix>/ab/cd/<sha256>`.
pub struct ObjectStoreStore {
    inner: std::sync::Arc<dyn object_store::ObjectStore>,
    prefix: String,
}

/// Parts of a multipart upload (S3's minimum part is 5 MiB).
const PART_BYTES: usize = 8 * 1024 * 1024;

impl ObjectStoreStore {
    pub fn new(inner: std::sync::Arc<dyn object_store::ObjectStore>, prefix: &str) -> Self {
        ObjectStoreStore {
            inner,
            prefix: prefix.trim_matches('/').to_string(),
        }
    }

    /// `s3://bucket[/prefix]`, with credentials, region and endpoint from
    /// the standard `AWS_*` variables (`AWS_ACCESS_KEY_ID`,
    /// `AWS_SECRET_ACCESS_KEY`, `AWS_REGION`, `AWS_ENDPOINT`,
    /// `AWS_ALLOW_HTTP`).
    pub fn from_url(url: &str) -> Result<Self, String> {
        let rest = url
            .strip_prefix("s3://")
            .ok_or_else(|| format!("{url} is not an s3:// address"))?;
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            return Err("the s3:// address names no bucket".into());
        }
        // A store that is away is answered within seconds (503, Retry-After)
        // instead of retried for minutes while the request waits.
        let retry = object_store::RetryConfig {
            backoff: object_store::BackoffConfig::default(),
            max_retries: 2,
            retry_timeout: std::time::Duration::from_secs(5),
        };
        // Set key by key: replacing the client options would drop what the
        // environment set (AWS_ALLOW_HTTP for a store inside the network).
        use object_store::aws::AmazonS3ConfigKey as Key;
        use object_store::ClientConfigKey as Client;
        let s3 = object_store::aws::AmazonS3Builder::from_env()
            .with_bucket_name(bucket)
            .with_retry(retry)
            .with_config(Key::Client(Client::ConnectTimeout), "2s")
            .with_config(Key::Client(Client::Timeout), "60s")
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Self::new(std::sync::Arc::new(s3), prefix))
    }

    /// Parts of resumable uploads in the same store, under `<prefix>/uploads/`,
    /// so any replica continues any transfer.
    pub fn parts(&self) -> SharedParts {
        let root = if self.prefix.is_empty() {
            "uploads".to_string()
        } else {
            format!("{}/uploads", self.prefix)
        };
        SharedParts {
            inner: self.inner.clone(),
            root,
        }
    }

    fn key(&self, sha: &str) -> io::Result<object_store::path::Path> {
        if sha.len() != 64 || !sha.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "not a sha256"));
        }
        let name = format!("{}/{}/{sha}", &sha[..2], &sha[2..4]);
        Ok(if self.prefix.is_empty() {
            object_store::path::Path::from(name)
        } else {
            object_store::path::Path::from(format!("{}/{name}", self.prefix))
        })
    }
}

/// Store a local file as one object: in one request when small, otherwise
/// streamed in 8 MiB parts (never the whole file in memory).
async fn put_path(
    store: &dyn object_store::ObjectStore,
    key: &object_store::path::Path,
    path: &Path,
) -> io::Result<()> {
    use tokio::io::AsyncReadExt;
    let len = tokio::fs::metadata(path).await?.len();
    if len <= PART_BYTES as u64 {
        let bytes = tokio::fs::read(path).await?;
        store.put(key, bytes.into()).await.map_err(store_err)?;
        return Ok(());
    }
    let upload = store.put_multipart(key).await.map_err(store_err)?;
    let mut writer = object_store::WriteMultipart::new_with_chunk_size(upload, PART_BYTES);
    let mut file = tokio::fs::File::open(path).await?;
    let mut buf = vec![0u8; 1024 * 1024];
    loop {
        let n = match file.read(&mut buf).await {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) => {
                let _ = writer.abort().await;
                return Err(e);
            }
        };
        // At most two parts in flight: bounded memory per upload.
        if let Err(e) = writer.wait_for_capacity(2).await {
            return Err(store_err(e));
        }
        writer.write(&buf[..n]);
    }
    writer.finish().await.map_err(store_err)?;
    Ok(())
}

fn store_err(e: object_store::Error) -> io::Error {
    match e {
        object_store::Error::NotFound { .. } => io::Error::new(io::ErrorKind::NotFound, e),
        e => io::Error::other(e),
    }
}

#[async_trait::async_trait]
impl DocumentStore for ObjectStoreStore {
    /// Streams the file in 8 MiB parts (never the whole file in memory); an
    /// object that already exists is identical content and is kept.
    async fn put_file(&self, sha256: &str, tmp: &Path) -> io::Result<()> {
        let key = self.key(sha256)?;
        let result = async {
            match self.inner.head(&key).await {
                Ok(_) => return Ok(()),
                Err(object_store::Error::NotFound { .. }) => {}
                Err(e) => return Err(store_err(e)),
            }
            put_path(self.inner.as_ref(), &key, tmp).await
        }
        .await;
        let _ = tokio::fs::remove_file(tmp).await;
        result
    }

    async fn open(&self, sha256: &str) -> io::Result<Box<dyn AsyncRead + Send + Unpin>> {
        use futures::TryStreamExt;
        let got = self
            .inner
            .get(&self.key(sha256)?)
            .await
            .map_err(store_err)?;
        let stream = got.into_stream().map_err(store_err);
        Ok(Box::new(tokio_util::io::StreamReader::new(stream)))
    }

    async fn delete(&self, sha256: &str) -> io::Result<()> {
        match self.inner.delete(&self.key(sha256)?).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(store_err(e)),
        }
    }

    fn name(&self) -> &'static str {
        "s3"
    }

    fn shared_parts(&self) -> Option<SharedParts> {
        Some(self.parts())
    }

    /// One HEAD of a key that need not exist: "not found" is an answer.
    async fn reachable(&self) -> bool {
        let probe = object_store::path::Path::from(if self.prefix.is_empty() {
            ".ready".to_string()
        } else {
            format!("{}/.ready", self.prefix)
        });
        matches!(
            tokio::time::timeout(std::time::Duration::from_secs(3), self.inner.head(&probe)).await,
            Ok(Ok(_) | Err(object_store::Error::NotFound { .. }))
        )
    }
}

/// The parts of resumable uploads, in the object store: each PATCH's bytes are
/// one object `<prefix>/uploads/<upload id>/<offset>-<random>`; which of them
/// count is in the database (`upload_parts`).
#[derive(Clone)]
pub struct SharedParts {
    inner: std::sync::Arc<dyn object_store::ObjectStore>,
    root: String,
}

impl SharedParts {
    /// Store one part from a local (fsynced) file; answers its object key.
    pub async fn put(&self, upload_id: &str, start: i64, file: &Path) -> io::Result<String> {
        let key = format!(
            "{}/{upload_id}/{start:016}-{}",
            self.root,
            uuid::Uuid::new_v4().simple()
        );
        put_path(
            self.inner.as_ref(),
            &object_store::path::Path::from(key.as_str()),
            file,
        )
        .await?;
        Ok(key)
    }

    /// Append the parts, in order, to `out`; each must have its recorded size.
    pub async fn copy_into(
        &self,
        parts: &[app::db::UploadPart],
        out: &mut tokio::fs::File,
    ) -> io::Result<()> {
        use futures::StreamExt;
        use tokio::io::AsyncWriteExt;
        for part in parts {
            let got = self
                .inner
                .get(&object_store::path::Path::from(part.object_key.as_str()))
                .await
                .map_err(store_err)?;
            let mut stream = got.into_stream();
            let mut n: i64 = 0;
            while let Some(chunk) = stream.next().await {
                let chunk = chunk.map_err(store_err)?;
                n += chunk.len() as i64;
                out.write_all(&chunk).await?;
            }
            if n != part.size {
                return Err(io::Error::other(format!(
                    "upload part {} holds {n} bytes, not {}",
                    part.object_key, part.size
                )));
            }
        }
        out.flush().await?;
        out.sync_all().await
    }

    /// Remove one object (a part that did not count).
    pub async fn delete(&self, key: &str) {
        let _ = self
            .inner
            .delete(&object_store::path::Path::from(key))
            .await;
    }

    /// Remove every object of an upload (finished, cancelled or abandoned).
    pub async fn delete_all(&self, upload_id: &str) -> io::Result<()> {
        use futures::TryStreamExt;
        let prefix = object_store::path::Path::from(format!("{}/{upload_id}", self.root));
        let keys: Vec<_> = self
            .inner
            .list(Some(&prefix))
            .map_ok(|m| m.location)
            .try_collect()
            .await
            .map_err(store_err)?;
        for key in keys {
            match self.inner.delete(&key).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
                Err(e) => return Err(store_err(e)),
            }
        }
        Ok(())
    }
}
