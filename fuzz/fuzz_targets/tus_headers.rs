//! The tus headers a phone sends: Upload-Metadata (base64 pairs) and
//! Upload-Length / Upload-Offset. No input panics; what is accepted is clean.
#![no_main]

use libfuzzer_sys::fuzz_target;
use onetrip_server::documents::tus;

fuzz_target!(|data: &[u8]| {
    let s = String::from_utf8_lossy(data);
    if let Some(meta) = tus::parse_metadata(&s) {
        for (k, v) in &meta {
            assert!(!app::domain::has_hidden_chars(k));
            if k != "filename" {
                assert!(!app::domain::has_hidden_chars(v));
            }
        }
    }
    if let Some(n) = tus::parse_bytes(Some(&s)) {
        assert!(n >= 0);
        assert_eq!(n.to_string().len(), s.trim_start_matches('0').len().max(1));
    }
});
