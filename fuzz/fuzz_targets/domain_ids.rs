//! The domain's identifiers as citizens, developers and banks type them:
//! resident ID, unified social credit code, unit number, certificate number,
//! mobile number, receipt number, shares and amounts. No input panics; what
//! parses parses again to itself (the canonical form is a fixed point).
#![no_main]

use app::domain::application::{normalize_receipt, parse_share};
use app::domain::fees::parse_yuan;
use app::domain::{CertificateNumber, CreditCode, MobileNumber, ResidentId, UnitNumber};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let s = String::from_utf8_lossy(data);
    if let Ok(v) = ResidentId::parse(&s) {
        assert_eq!(ResidentId::parse(v.as_str()).unwrap().as_str(), v.as_str());
    }
    if let Ok(v) = CreditCode::parse(&s) {
        assert_eq!(CreditCode::parse(v.as_str()).unwrap().as_str(), v.as_str());
    }
    if let Ok(v) = UnitNumber::parse(&s) {
        assert_eq!(UnitNumber::parse(v.as_str()).unwrap().as_str(), v.as_str());
    }
    if let Ok(v) = CertificateNumber::parse(&s) {
        assert_eq!(
            CertificateNumber::parse(v.as_str()).unwrap().as_str(),
            v.as_str()
        );
    }
    if let Ok(v) = MobileNumber::parse(&s) {
        assert_eq!(MobileNumber::parse(v.as_str()).unwrap().as_str(), v.as_str());
    }
    if let Some(r) = normalize_receipt(&s) {
        assert_eq!(normalize_receipt(&r).as_deref(), Some(r.as_str()));
    }
    if let Some(share) = parse_share(&s) {
        assert!(share.is_finite());
    }
    let _ = parse_yuan(&s);
});
