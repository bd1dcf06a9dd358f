// A new migration file must rebuild the crate that embeds the migrations
// (`sqlx::migrate!` tracks the files it saw, not the directory).
fn main() {
    println!("cargo:rerun-if-changed=../migrations");
}
