//! Command-line tasks for whoever runs the server.

use crate::config::Config;

/// `onetrip create-admin <username> [name]`: create an administrator
/// account on the configured database. The password comes from
/// `ONETRIP_ADMIN_PASSWORD`, or is read from standard input (one line), so
/// it never appears in the process list or the shell history.
pub async fn create_admin(args: &[String]) -> Result<(), String> {
    let username = args
        .first()
        .ok_or("usage: onetrip create-admin <username> [name]")?;
    let username = app::domain::credentials::check_username(username)
        .map_err(|_| "a username is 3–32 lowercase letters, digits, dots, dashes or underscores")?;
    let name = args.get(1).cloned().unwrap_or_else(|| username.clone());
    let password = match std::env::var("ONETRIP_ADMIN_PASSWORD") {
        Ok(p) => p,
        Err(_) => {
            eprintln!("password for {username} (at least 10 characters), then Enter:");
            let mut line = String::new();
            std::io::stdin()
                .read_line(&mut line)
                .map_err(|e| e.to_string())?;
            line.trim_end_matches(['\r', '\n']).to_string()
        }
    };
    app::domain::credentials::check_password(&password)
        .map_err(|_| "the password needs at least 10 characters")?;
    let config = Config::from_env().map_err(|e| e.to_string())?;
    let db = crate::open_database(&config.database_url)
        .await
        .map_err(|e| e.to_string())?;
    let hash = app::services::hash_password(password)
        .await
        .map_err(|e| e.to_string())?;
    let id = uuid::Uuid::new_v4().to_string();
    let created = app::db::insert_staff(&db, &id, &username, &name, &hash, "admin", &[])
        .await
        .map_err(|e| e.to_string())?;
    db.close().await;
    if created {
        println!("administrator {username} created; sign in at /staff/signin");
        Ok(())
    } else {
        Err(format!("the username {username} is already taken"))
    }
}

/// `onetrip payments-reconcile [days]`: compare the payment orders of the
/// last `days` (default 7) with the payment channel's record; print each
/// disagreement, exit 1 if there is any.
pub async fn reconcile_payments(args: &[String]) -> Result<(), String> {
    let days: i64 = match args.first() {
        None => 7,
        Some(d) => d
            .parse()
            .ok()
            .filter(|d| (1..=366).contains(d))
            .ok_or("usage: onetrip payments-reconcile [days 1–366]")?,
    };
    let config = Config::from_env().map_err(|e| e.to_string())?;
    let (url, secret) = config
        .payment_gateway
        .clone()
        .ok_or("no payment channel is configured (ONETRIP_PAY_GATEWAY_URL)")?;
    let payments =
        crate::payments::Payments::http(&url, secret.into_bytes(), &config.policy.public_url)?;
    let db = crate::open_database(&config.database_url)
        .await
        .map_err(|e| e.to_string())?;
    let since = app::db::now_ms() - days * 86_400_000;
    let found = crate::payments::reconcile(&db, &payments, since).await;
    db.close().await;
    let found = found?;
    if found.is_empty() {
        println!("payments: OneTrip and the payment channel agree on every order of the last {days} days");
        return Ok(());
    }
    println!("order\tonetrip\tchannel\twhat");
    for d in &found {
        println!("{}\t{}\t{}\t{}", d.order_id, d.onetrip, d.gateway, d.what);
    }
    Err(format!("{} order(s) disagree", found.len()))
}
