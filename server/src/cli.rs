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
