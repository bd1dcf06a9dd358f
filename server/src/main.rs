//! `onetrip`: start the server from environment variables (see the README).

use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    match onetrip_server::run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("onetrip: {e}");
            ExitCode::from(2)
        }
    }
}
