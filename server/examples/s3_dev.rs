//! A development S3-compatible object store as its own process (s3s-fs: the
//! S3 protocol over a directory), for the fault runs and the cluster: what a
//! centre's MinIO, Ceph or cloud bucket is in production.
//!
//! `s3_dev ADDR ROOT BUCKET` with `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`
//! as the one accepted key (defaults `dev-key`/`dev-secret`). The bucket is
//! a directory under ROOT, created when missing.

use hyper_util::rt::{TokioExecutor, TokioIo};

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (addr, root, bucket) = match &args[..] {
        [_, a, r, b] => (a.clone(), std::path::PathBuf::from(r), b.clone()),
        _ => {
            eprintln!("usage: s3_dev ADDR ROOT BUCKET");
            std::process::exit(2);
        }
    };
    std::fs::create_dir_all(root.join(&bucket)).expect("bucket directory");
    let key = std::env::var("AWS_ACCESS_KEY_ID").unwrap_or_else(|_| "dev-key".into());
    let secret = std::env::var("AWS_SECRET_ACCESS_KEY").unwrap_or_else(|_| "dev-secret".into());
    let fs = s3s_fs::FileSystem::new(&root).expect("store root");
    let mut builder = s3s::service::S3ServiceBuilder::new(fs);
    builder.set_auth(s3s::auth::SimpleAuth::from_single(key, secret));
    let service = builder.build();
    let listener = tokio::net::TcpListener::bind(&addr).await.expect("bind");
    println!(
        "s3_dev: http://{addr}, bucket {bucket}, under {}",
        root.display()
    );
    let http = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
    while let Ok((socket, _)) = listener.accept().await {
        let conn = http
            .serve_connection(TokioIo::new(socket), service.clone())
            .into_owned();
        tokio::spawn(async move {
            let _ = conn.await;
        });
    }
}
