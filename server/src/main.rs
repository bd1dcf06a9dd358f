//! `onetrip`: start the server from environment variables (see the README),
//! or `onetrip create-admin <username>` to create the first administrator,
//! `onetrip payments-reconcile [days]` to list the orders OneTrip and the
//! payment channel disagree on, `onetrip register-import <file>` to load a
//! centre's register, `onetrip dev-payment-gateway` to run the development
//! payment channel.

use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("create-admin") => onetrip_server::cli::create_admin(&args[1..]).await,
        Some("payments-reconcile") => onetrip_server::cli::reconcile_payments(&args[1..]).await,
        Some("register-import") => {
            onetrip_server::register::import_command(&args[1..]).await
        }
        Some("dev-payment-gateway") => onetrip_server::payments::devgateway::serve_from_env().await,
        Some(other) => Err(format!(
            "unknown command {other:?}; run without arguments to serve, or `create-admin <username>`, `payments-reconcile [days]`, `register-import <file>`, `dev-payment-gateway`"
        )),
        None => onetrip_server::run().await.map_err(|e| e.to_string()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("onetrip: {e}");
            ExitCode::from(2)
        }
    }
}
