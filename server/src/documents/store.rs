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
