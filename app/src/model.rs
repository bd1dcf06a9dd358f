//! Plain data shared by server functions and pages.

use serde::{Deserialize, Serialize};

/// The level of a service site in the network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SiteKind {
    /// 不动产登记中心 (main centre)
    Main,
    /// 分中心 (sub-centre)
    Sub,
    /// 乡镇便民服务点 (town office)
    Town,
}

impl SiteKind {
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "main" => Some(SiteKind::Main),
            "sub" => Some(SiteKind::Sub),
            "town" => Some(SiteKind::Town),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            SiteKind::Main => "main",
            SiteKind::Sub => "sub",
            SiteKind::Town => "town",
        }
    }
}

/// A public service site as shown to citizens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Site {
    pub id: i64,
    pub code: String,
    pub kind: SiteKind,
    pub name_zh: String,
    pub name_en: String,
    pub address_zh: String,
    pub address_en: String,
    pub phone: String,
    pub hours_zh: String,
    pub hours_en: String,
    /// A map link set by an administrator (empty: none).
    pub map_url: String,
}
