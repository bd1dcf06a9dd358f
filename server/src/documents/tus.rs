//! The tus request headers, read strictly (outside input: fuzzed by
//! `fuzz/fuzz_targets/tus_headers.rs`).

use base64::Engine;
use std::collections::HashMap;

/// `Upload-Length` / `Upload-Offset`: a non-negative whole number of bytes,
/// digits only (no sign, no spaces), at most 18 digits.
pub fn parse_bytes(raw: Option<&str>) -> Option<i64> {
    let raw = raw?;
    if raw.is_empty() || raw.len() > 18 || !raw.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    raw.parse().ok()
}

/// `Upload-Metadata: key base64,key base64`. `None` when a value is not
/// base64 of UTF-8 text, or an identifier carries hidden characters (NUL,
/// control, direction overrides): the request is malformed (400), not "not
/// found". (The file name is checked with its own message: `file.name`.)
pub fn parse_metadata(raw: &str) -> Option<HashMap<String, String>> {
    let engine = base64::engine::general_purpose::STANDARD;
    let mut out = HashMap::new();
    for pair in raw.split(',').filter(|p| !p.trim().is_empty()) {
        let mut it = pair.trim().splitn(2, ' ');
        let key = it.next()?.to_string();
        let value = match it.next() {
            Some(v) => String::from_utf8(engine.decode(v.trim()).ok()?).ok()?,
            None => String::new(),
        };
        if app::domain::has_hidden_chars(&key)
            || (key != "filename" && app::domain::has_hidden_chars(&value))
        {
            return None;
        }
        out.insert(key, value);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_counts_are_digits_only() {
        assert_eq!(parse_bytes(Some("0")), Some(0));
        assert_eq!(parse_bytes(Some("1048576")), Some(1_048_576));
        for bad in ["", "-1", "+5", " 5", "5 ", "1e3", "9999999999999999999"] {
            assert_eq!(parse_bytes(Some(bad)), None, "{bad:?}");
        }
        assert_eq!(parse_bytes(None), None);
    }

    #[test]
    fn metadata_pairs() {
        let m = parse_metadata("filename 5ZCI5ZCMLnBkZg==,empty").unwrap();
        assert_eq!(m["filename"], "合同.pdf");
        assert_eq!(m["empty"], "");
        assert!(parse_metadata("application !!!").is_none(), "not base64");
        assert!(parse_metadata("application AA==").is_none(), "a NUL");
    }
}
