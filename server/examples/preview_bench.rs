//! Preview throughput: the background worker turning N 12-megapixel phone
//! photos (4000×3000 JPEG) into 480 px thumbnails, against the ceiling of
//! merely decoding the same JPEGs with the same decoder.
//!
//! `make bench-previews`, or
//! `cargo run --release -p server --example preview_bench [-- N]`.

use onetrip_server::documents::{Documents, PreviewSettings};
use sha2::{Digest, Sha256};
use std::time::Instant;

/// A photo-like image (smooth gradients plus fine texture) unique per seed.
fn photo(seed: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(4000, 3000, |x, y| {
        let t = (x * 7 + y * 13 + seed * 31) % 17;
        image::Rgb([
            ((x / 16 + seed) % 256) as u8,
            ((y / 12) % 256) as u8,
            (((x + y) / 28 + t) % 256) as u8,
        ])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85)
        .encode_image(&img)
        .expect("encode");
    out.into_inner()
}

#[tokio::main]
async fn main() {
    let n: u32 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(12);
    let dir = tempfile::tempdir_in("target").expect("temp dir under target/");
    let db = onetrip_server::open_database(&format!("sqlite://{}/bench.db", dir.path().display()))
        .await
        .expect("database");
    let docs = Documents::local(dir.path()).expect("store");
    println!("making {n} photos of 4000×3000…");
    let photos: Vec<Vec<u8>> = (0..n).map(photo).collect();
    let mb = photos.iter().map(|p| p.len()).sum::<usize>() as f64 / 1e6;
    for p in &photos {
        let sha = hex::encode(Sha256::digest(p));
        let tmp = docs.tmp_dir.join("bench.tmp");
        std::fs::write(&tmp, p).expect("write");
        docs.store.put_file(&sha, &tmp).await.expect("put");
        app::execute!(
            &db,
            "INSERT INTO previews (sha256, mime, state, updated_at) VALUES ($1, 'image/jpeg', 'pending', 0)",
            &sha
        )
        .expect("queue");
    }

    let t = Instant::now();
    for p in &photos {
        image::load_from_memory(p).expect("decode");
    }
    let decode = t.elapsed().as_secs_f64();

    let worker = docs.preview_worker(&db, PreviewSettings::default());
    let t = Instant::now();
    let made = worker.make_due().await.expect("previews");
    let work = t.elapsed().as_secs_f64();
    assert_eq!(made, n as usize);

    println!("{n} photos, {mb:.1} MB of JPEG");
    println!(
        "decode only (ceiling): {:.0} ms/photo",
        decode * 1000.0 / n as f64
    );
    println!(
        "worker (read from store, decode, orient, resize, encode, store, record): {:.0} ms/photo = {:.2} photos/s",
        work * 1000.0 / n as f64,
        n as f64 / work
    );
    println!("ratio to the decode ceiling: {:.2}", decode / work);
}
