//! After issue: the paper certificate by post (EMS tracking numbers, the
//! address), and the utilities moved to the new owner (登记+X). Pure.

use super::Lang;

/// The utilities a new owner can move in one step.
pub const UTILITIES: [(&str, &str, &str); 4] = [
    ("water", "自来水", "Water"),
    ("power", "电力", "Electricity"),
    ("gas", "燃气", "Gas"),
    ("broadband", "宽带", "Broadband"),
];

pub fn utility_label(code: &str, lang: Lang) -> &'static str {
    UTILITIES
        .iter()
        .find(|(c, _, _)| *c == code)
        .map(|(_, zh, en)| if lang == Lang::Zh { *zh } else { *en })
        .unwrap_or("")
}

pub fn utility_status_label(status: &str, lang: Lang) -> &'static str {
    match (status, lang) {
        ("queued", Lang::Zh) => "正在发送",
        ("queued", Lang::En) => "Being sent",
        ("accepted", Lang::Zh) => "已受理，办理中",
        ("accepted", Lang::En) => "Accepted, in progress",
        ("done", Lang::Zh) => "已过户",
        ("done", Lang::En) => "Transferred",
        ("rejected", Lang::Zh) => "未能办理（见说明）",
        ("rejected", Lang::En) => "Not done (see the note)",
        (_, Lang::Zh) => "发送失败，请联系该单位",
        (_, Lang::En) => "Could not be sent; contact the utility",
    }
}

/// An account number as typed: letters, digits and dashes, at most 32;
/// empty when the owner does not know it.
pub fn check_account(s: &str) -> Option<String> {
    let t: String = super::to_half_width(s.trim())
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    if t.chars().count() > 32 || !t.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return None;
    }
    Some(t.to_ascii_uppercase())
}

/// An EMS tracking number: 13 characters, two letters, nine digits, two
/// letters (EA123456789CN, the UPU S10 form) or 13 digits (domestic
/// standard express); typed with spaces or in lower case.
pub fn check_tracking(s: &str) -> Option<String> {
    let t: String = super::to_half_width(s)
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect::<String>()
        .to_ascii_uppercase();
    let b = t.as_bytes();
    let s10 = b.len() == 13
        && b[..2].iter().all(u8::is_ascii_uppercase)
        && b[2..11].iter().all(u8::is_ascii_digit)
        && b[11..].iter().all(u8::is_ascii_uppercase);
    let digits = b.len() == 13 && b.iter().all(u8::is_ascii_digit);
    (s10 || digits).then_some(t)
}

/// EMS's public tracking page for a number (the applicant follows it there).
pub fn tracking_url(no: &str) -> String {
    format!("https://www.ems.com.cn/qps/yjcx?mailNum={no}")
}

/// A postal address: 8–120 characters, no control characters.
pub fn check_address(s: &str) -> Option<String> {
    let t = s.trim();
    let n = t.chars().count();
    if !(8..=120).contains(&n) || t.chars().any(|c| c.is_control() || matches!(c, '<' | '>')) {
        return None;
    }
    Some(t.to_string())
}

/// A recipient's name: 2–30 characters, no control characters or digits.
pub fn check_recipient(s: &str) -> Option<String> {
    let t = s.trim();
    let n = t.chars().count();
    if !(2..=30).contains(&n)
        || t.chars()
            .any(|c| c.is_control() || c.is_ascii_digit() || matches!(c, '<' | '>'))
    {
        return None;
    }
    Some(t.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tracking_numbers_addresses_and_accounts() {
        assert_eq!(
            check_tracking(" ea 123456789 cn ").unwrap(),
            "EA123456789CN"
        );
        assert_eq!(check_tracking("1234567890123").unwrap(), "1234567890123");
        assert!(check_tracking("EA12345678CN").is_none());
        assert!(check_tracking("EA1234567890N").is_none());
        assert!(check_tracking("").is_none());
        assert!(check_address("明州市鄞州区天童南路 1 号 3 幢 201 室").is_some());
        assert!(check_address("短").is_none());
        assert!(check_address("明州市</textarea><b>x</b>中山西路1号").is_none());
        assert!(check_address(&"路".repeat(121)).is_none());
        assert!(check_recipient("张三").is_some());
        assert!(check_recipient("张3").is_none());
        assert_eq!(check_account(" ab-12 ３ ").unwrap(), "AB-123");
        assert_eq!(check_account("").unwrap(), "");
        assert!(check_account("<script>").is_none());
        assert_eq!(utility_label("gas", Lang::Zh), "燃气");
        assert!(tracking_url("EA123456789CN").ends_with("EA123456789CN"));
    }
}
