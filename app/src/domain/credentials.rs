//! Credentials as every door checks them: the admin page and the
//! `create-admin` command (usernames), staff and organisation members
//! (passwords).

/// `3–32` of `a-z 0-9 . _ -`, lowercased.
pub fn check_username(raw: &str) -> Result<String, &'static str> {
    let u = raw.trim().to_lowercase();
    let ok = (3..=32).contains(&u.len())
        && u.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b));
    if ok {
        Ok(u)
    } else {
        Err("username")
    }
}

pub fn check_password(p: &str) -> Result<(), &'static str> {
    if p.chars().count() >= 10 && p.len() <= 256 {
        Ok(())
    } else {
        Err("password")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_and_passwords() {
        assert_eq!(check_username(" Wang.Li "), Ok("wang.li".into()));
        assert_eq!(check_username("ab"), Err("username"));
        assert_eq!(check_username("王丽"), Err("username"));
        assert_eq!(check_password("short"), Err("password"));
        assert_eq!(check_password("long enough pass"), Ok(()));
    }
}
