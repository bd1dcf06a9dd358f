//! Derived images, made in the background: a thumbnail (long side
//! [`THUMB_PX`]) of every JPEG, PNG and WebP, upright by its EXIF
//! orientation, and an image of the first page of every PDF (long side
//! [`PAGE_PX`]) when Poppler's `pdftoppm` is installed. HEIC/HEIF have no
//! decoder here and are marked unsupported (phones that can decode them send
//! JPEG after the browser's re-encoding anyway). The same worker runs the
//! store's garbage collector.

use super::Documents;
use app::db::{self, Collect, Db, PreviewJob, PreviewOutcome};
use app::domain::document::DocKind;
use sha2::{Digest, Sha256};
use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::Notify;

/// Long side of an image thumbnail, in pixels.
pub const THUMB_PX: u32 = 480;
/// Long side of a PDF's first page, in pixels (readable in the viewer).
pub const PAGE_PX: u32 = 1200;
/// Content being put into the store is safe from the collector this long.
const PUT_WINDOW_MS: i64 = 3600 * 1000;

#[derive(Debug, Clone)]
pub struct PreviewSettings {
    pub poll: Duration,
    /// A claimed job is reserved this long for one attempt.
    pub lease: Duration,
    pub max_attempts: i64,
    /// The first retry waits this long, each further one twice as long.
    pub backoff_base: Duration,
    /// How long a job may take before it is abandoned (a hostile PDF).
    pub timeout: Duration,
    /// `pdftoppm`, when installed.
    pub pdftoppm: Option<PathBuf>,
}

impl Default for PreviewSettings {
    fn default() -> Self {
        PreviewSettings {
            poll: Duration::from_secs(5),
            lease: Duration::from_secs(120),
            max_attempts: 3,
            backoff_base: Duration::from_secs(30),
            timeout: Duration::from_secs(30),
            pdftoppm: find_pdftoppm(),
        }
    }
}

/// `ONETRIP_PDFTOPPM` (a path, or `off`), else `pdftoppm` on the `PATH`.
pub fn find_pdftoppm() -> Option<PathBuf> {
    match std::env::var("ONETRIP_PDFTOPPM") {
        Ok(v) if v == "off" => return None,
        Ok(v) if !v.is_empty() => return Some(PathBuf::from(v)),
        _ => {}
    }
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join("pdftoppm"))
            .find(|p| p.is_file())
    })
}

/// Makes previews and collects unreferenced content. Several replicas may
/// run one each: jobs are claimed by conditional updates.
pub struct PreviewWorker {
    pub db: Db,
    pub docs: Documents,
    pub wake: Arc<Notify>,
    pub settings: PreviewSettings,
}

impl PreviewWorker {
    pub async fn run(self) {
        loop {
            if let Err(e) = self.make_due().await {
                tracing::warn!(error = %e, "previews: database unavailable; will retry");
            }
            if let Err(e) = self.docs.collect_garbage(&self.db).await {
                tracing::warn!(error = %e, "content collector: will retry");
            }
            tokio::select! {
                _ = self.wake.notified() => {},
                _ = tokio::time::sleep(self.settings.poll) => {},
            }
        }
    }

    /// Make every preview due now, one at a time (two cores serve the web
    /// too). Returns how many were attempted.
    pub async fn make_due(&self) -> Result<usize, sqlx::Error> {
        let mut n = 0;
        let lease = self.settings.lease.as_millis() as i64;
        while let Some(job) = db::claim_preview(&self.db, lease).await? {
            n += 1;
            let outcome = match tokio::time::timeout(self.settings.timeout, self.make(&job)).await {
                Ok(Ok(o)) => o,
                Ok(Err(Failure::Permanent(e))) => PreviewOutcome::Failed {
                    error: e,
                    retry_at: None,
                },
                Ok(Err(Failure::Transient(e))) => self.retry(&job, e),
                Err(_) => self.retry(&job, "timed out".into()),
            };
            if let PreviewOutcome::Failed { error, .. } = &outcome {
                tracing::warn!(mime = %job.mime, error = %error, "preview not made");
            }
            let kept = db::finish_preview(&self.db, &job.sha256, &outcome).await?;
            if let (false, PreviewOutcome::Done { thumb_sha256, .. }) = (kept, &outcome) {
                // The content went while we worked: its image goes too.
                db::pin_content(&self.db, thumb_sha256, app::db::now_ms()).await?;
            }
        }
        Ok(n)
    }

    fn retry(&self, job: &PreviewJob, error: String) -> PreviewOutcome {
        let attempts = job.attempts + 1;
        let retry_at = (attempts < self.settings.max_attempts).then(|| {
            let wait = self.settings.backoff_base.as_millis() as i64 * (1 << attempts.min(10));
            app::db::now_ms() + wait
        });
        PreviewOutcome::Failed { error, retry_at }
    }

    async fn make(&self, job: &PreviewJob) -> Result<PreviewOutcome, Failure> {
        let image = match DocKind::from_mime(&job.mime) {
            Some(DocKind::Jpeg | DocKind::Png | DocKind::Webp) => {
                let bytes = self.read(&job.sha256).await?;
                tokio::task::spawn_blocking(move || thumbnail(&bytes, THUMB_PX))
                    .await
                    .map_err(|e| Failure::Transient(e.to_string()))??
            }
            Some(DocKind::Pdf) => match &self.settings.pdftoppm {
                Some(tool) => self.first_page(tool, &job.sha256).await?,
                None => return Ok(PreviewOutcome::Unsupported),
            },
            _ => return Ok(PreviewOutcome::Unsupported),
        };
        let thumb_sha256 = self.put(&image.jpeg).await?;
        Ok(PreviewOutcome::Done {
            thumb_sha256,
            width: image.width as i64,
            height: image.height as i64,
        })
    }

    async fn read(&self, sha: &str) -> Result<Vec<u8>, Failure> {
        let mut r = self
            .docs
            .store
            .open(sha)
            .await
            .map_err(|e| Failure::Transient(format!("store open: {e}")))?;
        let mut bytes = Vec::new();
        r.read_to_end(&mut bytes)
            .await
            .map_err(|e| Failure::Transient(format!("store read: {e}")))?;
        Ok(bytes)
    }

    /// Render page 1 with `pdftoppm` in a scratch directory, killed if it
    /// outlives the job's timeout.
    async fn first_page(&self, tool: &Path, sha: &str) -> Result<Rendered, Failure> {
        let scratch = Scratch::new(&self.docs.tmp_dir)?;
        let input = scratch.path.join("in.pdf");
        let bytes = self.read(sha).await?;
        tokio::fs::write(&input, &bytes)
            .await
            .map_err(|e| Failure::Transient(e.to_string()))?;
        let out = tokio::process::Command::new(tool)
            .args(["-f", "1", "-l", "1", "-singlefile", "-jpeg", "-scale-to"])
            .arg(PAGE_PX.to_string())
            .arg(&input)
            .arg(scratch.path.join("page"))
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .kill_on_drop(true)
            .output()
            .await
            .map_err(|e| Failure::Transient(format!("pdftoppm: {e}")))?;
        if !out.status.success() {
            return Err(Failure::Permanent(format!(
                "pdftoppm could not render page 1 ({})",
                out.status
            )));
        }
        let page = tokio::fs::read(scratch.path.join("page.jpg"))
            .await
            .map_err(|e| Failure::Permanent(format!("pdftoppm wrote no page: {e}")))?;
        let size = imagesize::blob_size(&page)
            .map_err(|e| Failure::Permanent(format!("page image: {e}")))?;
        Ok(Rendered {
            jpeg: page,
            width: size.width as u32,
            height: size.height as u32,
        })
    }

    /// Put a derived image into the store like an upload: pinned against
    /// the collector, written and fsynced to a temporary file, moved in.
    async fn put(&self, bytes: &[u8]) -> Result<String, Failure> {
        let sha = hex::encode(Sha256::digest(bytes));
        db::pin_content(&self.db, &sha, app::db::now_ms() + PUT_WINDOW_MS)
            .await
            .map_err(|e| Failure::Transient(e.to_string()))?;
        let tmp = self
            .docs
            .tmp_dir
            .join(format!("preview-{}.tmp", uuid::Uuid::new_v4()));
        let write = async {
            let mut f = tokio::fs::File::create(&tmp).await?;
            f.write_all(bytes).await?;
            f.sync_all().await?;
            self.docs.store.put_file(&sha, &tmp).await
        };
        if let Err(e) = write.await {
            let _ = tokio::fs::remove_file(&tmp).await;
            return Err(Failure::Transient(format!("store put: {e}")));
        }
        Ok(sha)
    }
}

impl Documents {
    /// Delete from the store every queued content that nothing uses and whose
    /// time has come. Returns how many files were deleted.
    pub async fn collect_garbage(&self, db: &Db) -> Result<usize, sqlx::Error> {
        let mut deleted = 0;
        loop {
            let due = db::due_content(db, 50).await?;
            if due.is_empty() {
                return Ok(deleted);
            }
            for sha in due {
                match db::begin_collect(db, &sha).await? {
                    Collect::Keep => {}
                    Collect::Delete(tx) => match self.store.delete(&sha).await {
                        Ok(()) => {
                            tx.commit().await?;
                            deleted += 1;
                        }
                        Err(e) => {
                            // Rolled back: the row stays queued for the next pass.
                            tracing::warn!(error = %e, "content collector: store delete failed");
                            drop(tx);
                            return Ok(deleted);
                        }
                    },
                }
            }
        }
    }
}

enum Failure {
    /// Try again later (store or process trouble).
    Transient(String),
    /// The content itself cannot be previewed (corrupt, hostile).
    Permanent(String),
}

struct Rendered {
    jpeg: Vec<u8>,
    width: u32,
    height: u32,
}

/// The most memory one decoded image may take (a 50-megapixel phone photo
/// in RGB fits; an 81-megapixel RGBA PNG does not and gets no preview).
pub const DECODE_BUDGET: u64 = 160 * 1024 * 1024;

/// Decode (within [`DECODE_BUDGET`]), scale to `long_side`, turn upright
/// (after scaling: turning a whole photo would copy it), encode JPEG.
fn thumbnail(bytes: &[u8], long_side: u32) -> Result<Rendered, Failure> {
    use image::ImageDecoder;
    let bad = |e: image::ImageError| Failure::Permanent(format!("image: {e}"));
    let mut reader = image::ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| Failure::Permanent(e.to_string()))?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(20_000);
    limits.max_image_height = Some(20_000);
    limits.max_alloc = Some(DECODE_BUDGET);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(bad)?;
    if decoder.total_bytes() > DECODE_BUDGET {
        return Err(Failure::Permanent(format!(
            "image: {} bytes decoded is more than the preview budget",
            decoder.total_bytes()
        )));
    }
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let img = image::DynamicImage::from_decoder(decoder).map_err(bad)?;
    let mut small = if img.width().max(img.height()) > long_side {
        let small = img.thumbnail(long_side, long_side);
        drop(img);
        small
    } else {
        img
    };
    small.apply_orientation(orientation);
    let rgb = small.to_rgb8();
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 80)
        .encode_image(&rgb)
        .map_err(bad)?;
    Ok(Rendered {
        jpeg,
        width: rgb.width(),
        height: rgb.height(),
    })
}

/// A private scratch directory, removed when dropped.
struct Scratch {
    path: PathBuf,
}

impl Scratch {
    fn new(parent: &Path) -> Result<Scratch, Failure> {
        let path = parent.join(format!("preview-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir(&path).map_err(|e| Failure::Transient(e.to_string()))?;
        Ok(Scratch { path })
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(img: image::DynamicImage, format: image::ImageFormat) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        img.write_to(&mut out, format).unwrap();
        out.into_inner()
    }

    #[test]
    fn a_large_photo_becomes_a_small_jpeg_keeping_its_shape() {
        let img = image::DynamicImage::new_rgb8(4000, 3000);
        let r = thumbnail(&encode(img, image::ImageFormat::Png), THUMB_PX)
            .ok()
            .unwrap();
        assert_eq!((r.width, r.height), (480, 360));
        assert_eq!(&r.jpeg[..3], &[0xFF, 0xD8, 0xFF]);
    }

    #[test]
    fn a_small_image_is_not_enlarged() {
        let img = image::DynamicImage::new_rgb8(300, 200);
        let r = thumbnail(&encode(img, image::ImageFormat::Png), THUMB_PX)
            .ok()
            .unwrap();
        assert_eq!((r.width, r.height), (300, 200));
    }

    #[test]
    fn an_image_too_big_to_decode_within_the_budget_is_not_decoded() {
        // An 81-megapixel RGBA PNG (324 MB decoded): the header alone says so.
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        let mut chunk = |kind: &[u8], data: &[u8]| {
            let mut body = kind.to_vec();
            body.extend_from_slice(data);
            let mut crc = flate2::Crc::new();
            crc.update(&body);
            png.extend_from_slice(&(data.len() as u32).to_be_bytes());
            png.extend_from_slice(&body);
            png.extend_from_slice(&crc.sum().to_be_bytes());
        };
        let mut ihdr = 9000u32.to_be_bytes().to_vec();
        ihdr.extend_from_slice(&9000u32.to_be_bytes());
        ihdr.extend_from_slice(&[8, 6, 0, 0, 0]);
        chunk(b"IHDR", &ihdr);
        chunk(b"IDAT", &[0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]);
        chunk(b"IEND", &[]);
        match thumbnail(&png, THUMB_PX) {
            Err(Failure::Permanent(why)) => assert!(why.contains("budget"), "{why}"),
            _ => panic!("decoded past the budget"),
        }
    }

    #[test]
    fn corrupt_content_is_a_permanent_failure() {
        let mut bytes = encode(
            image::DynamicImage::new_rgb8(64, 64),
            image::ImageFormat::Png,
        );
        bytes.truncate(60);
        assert!(matches!(
            thumbnail(&bytes, THUMB_PX),
            Err(Failure::Permanent(_))
        ));
    }
}
