//! Citizen traffic shared by the load and crash commands: the journeys a
//! phone makes (sign in with the code from the outbox, the wizard, submit;
//! book and cancel; a photo over tus; a progress lookup), each answer timed
//! and judged.
#![allow(dead_code)]

use app::db::Db;
use base64::Engine as _;
use rand::Rng as _;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const BANK_CODE: &str = "91350100M000100Y43";

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub enum Kind {
    Lookup,
    SignIn,
    WizardStep,
    Submit,
    Booking,
    Upload,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Lookup => "lookup (GET /track)",
            Kind::SignIn => "sign-in (code, verify)",
            Kind::WizardStep => "wizard step",
            Kind::Submit => "submit",
            Kind::Booking => "booking (book)",
            Kind::Upload => "photo upload (tus)",
        }
    }
}

/// One answer: what it was, how long, and whether it broke a rule.
#[derive(Default)]
pub struct Stats {
    pub lat: HashMap<Kind, Vec<Duration>>,
    /// Successes and expected refusals (a full slot, 429/503 with Retry-After).
    pub ok: usize,
    pub limited: usize,
    pub unavailable: usize,
    /// Unexpected statuses, 5xx without Retry-After, timeouts, broken connections.
    pub bad: Vec<String>,
    pub requests: usize,
    /// Through a balancer while a replica dies (`ONETRIP_LOAD_GATEWAY=1`):
    /// a 502/504 or a broken connection, which a client retries.
    pub gateway: usize,
}

impl Stats {
    pub fn p(&self, k: Kind, q: f64) -> Option<Duration> {
        let v = self.lat.get(&k)?;
        let mut v = v.clone();
        v.sort();
        v.get(((v.len() as f64 * q).ceil() as usize).saturating_sub(1))
            .copied()
    }
}

pub type Shared = Arc<Mutex<Stats>>;

/// A submitted case: what a lookup needs and what must survive.
#[derive(Clone)]
pub struct Case {
    pub id: String,
    pub receipt: String,
    pub last6: String,
    pub cookie: String,
}

pub struct World {
    pub base: String,
    pub client: reqwest::Client,
    pub db: Db,
    pub cases: Mutex<Vec<Case>>,
    pub bookers: Vec<(String, String, String)>,
    pub slots: Vec<String>,
    pub photo: Vec<u8>,
    pub next: std::sync::atomic::AtomicU64,
}

pub fn ip() -> String {
    let mut r = rand::thread_rng();
    format!(
        "10.{}.{}.{}",
        r.gen_range(0..255),
        r.gen_range(0..255),
        r.gen_range(1..255)
    )
}

/// A valid resident ID number (GB 11643 check character) for person `n`.
pub fn resident_id(n: u64) -> String {
    let body = format!(
        "330203{:04}{:02}{:02}{:03}",
        1950 + n % 50,
        1 + n % 12,
        1 + n % 28,
        n % 1000
    );
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body
        .chars()
        .zip(W)
        .map(|(c, w)| c.to_digit(10).unwrap_or(0) * w)
        .sum();
    let check = b"10X98765432"[(sum % 11) as usize] as char;
    format!("{body}{check}")
}

/// Record one answer. `expected` statuses (besides 2xx) count as fine.
/// Whether the load goes through a balancer whose replicas may die: a 502,
/// 504 or broken connection is then what a client sees and retries.
pub fn through_gateway() -> bool {
    std::env::var_os("ONETRIP_LOAD_GATEWAY").is_some_and(|v| v == "1")
}

pub fn judge(
    stats: &Shared,
    kind: Kind,
    started: Instant,
    res: &Result<reqwest::Response, reqwest::Error>,
    expected: &[u16],
) -> bool {
    let took = started.elapsed();
    let mut s = stats.lock().unwrap();
    s.requests += 1;
    s.lat.entry(kind).or_default().push(took);
    match res {
        Ok(r) => {
            let code = r.status().as_u16();
            let retry = r.headers().contains_key("retry-after");
            if r.status().is_success() || r.status().is_redirection() || expected.contains(&code) {
                s.ok += 1;
                return r.status().is_success();
            }
            match (code, retry) {
                (429, true) => s.limited += 1,
                (503, true) => s.unavailable += 1,
                (502 | 504, _) if through_gateway() => s.gateway += 1,
                _ => s.bad.push(format!("{}: HTTP {code}", kind.name())),
            }
            false
        }
        Err(e) if !e.is_timeout() && through_gateway() => {
            s.gateway += 1;
            false
        }
        Err(e) => {
            s.bad.push(format!(
                "{}: {}",
                kind.name(),
                if e.is_timeout() {
                    "timeout".to_string()
                } else {
                    e.to_string()
                }
            ));
            false
        }
    }
}

impl World {
    pub fn post(&self, path: &str, cookie: &str, from: &str) -> reqwest::RequestBuilder {
        self.client
            .post(format!("{}{path}", self.base))
            .header("cookie", cookie)
            .header("x-forwarded-for", from)
            .header("accept", "application/json")
    }

    pub async fn code_for(&self, mobile: &str) -> Option<String> {
        for _ in 0..50 {
            let row: Option<(String,)> = app::fetch_optional!(
                &self.db,
                (String,),
                "SELECT params FROM outbox WHERE recipient = $1 AND template = 'signin_code'
                  ORDER BY created_at DESC LIMIT 1",
                mobile
            )
            .ok()
            .flatten();
            if let Some((params,)) = row {
                let v: serde_json::Value = serde_json::from_str(&params).ok()?;
                return v["code"].as_str().map(String::from);
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        None
    }

    pub async fn lookup(&self, stats: &Shared) {
        let case = {
            let cases = self.cases.lock().unwrap();
            if cases.is_empty() {
                return;
            }
            cases[rand::thread_rng().gen_range(0..cases.len())].clone()
        };
        let t = Instant::now();
        let res = self
            .client
            .get(format!(
                "{}/track?no={}&id={}",
                self.base, case.receipt, case.last6
            ))
            .header("x-forwarded-for", ip())
            .send()
            .await;
        judge(stats, Kind::Lookup, t, &res, &[]);
    }

    /// Sign in as a new citizen: the session cookie and CSRF token.
    pub async fn sign_in(
        &self,
        stats: &Shared,
        mobile: &str,
        from: &str,
    ) -> Option<(String, String)> {
        let t = Instant::now();
        let res = self
            .post("/api/auth/request_code", "", from)
            .form(&[("mobile", mobile)])
            .send()
            .await;
        if !judge(stats, Kind::SignIn, t, &res, &[]) {
            return None;
        }
        let challenge: String = res.ok()?.json().await.ok()?;
        let code = self.code_for(mobile).await?;
        let t = Instant::now();
        let res = self
            .post("/api/auth/verify_code", "", from)
            .form(&[("c", challenge.as_str()), ("code", code.as_str())])
            .send()
            .await;
        if !judge(stats, Kind::SignIn, t, &res, &[]) {
            return None;
        }
        let res = res.ok()?;
        let cookie = res
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with("onetrip_session="))?
            .split(';')
            .next()?
            .to_string();
        let me: serde_json::Value = self
            .post("/api/auth/me", &cookie, from)
            .send()
            .await
            .ok()?
            .json()
            .await
            .ok()?;
        Some((cookie, me["csrf"].as_str()?.to_string()))
    }

    pub async fn step(
        &self,
        stats: &Shared,
        s: (&str, &str, &str, &str),
        step: &str,
        op: &str,
        fields: Vec<(String, String)>,
    ) -> bool {
        let (cookie, csrf, id, from) = s;
        let mut form: Vec<(String, String)> = vec![
            ("id".into(), id.into()),
            ("step".into(), step.into()),
            ("csrf".into(), csrf.into()),
            ("op".into(), op.into()),
        ];
        form.extend(fields);
        let t = Instant::now();
        let res = self
            .post("/api/applications/save_step", cookie, from)
            .form(&form)
            .send()
            .await;
        if judge(stats, Kind::WizardStep, t, &res, &[]) {
            return true;
        }
        // Say which step and why, once per kind of refusal.
        if let Ok(r) = res {
            let why = r.text().await.unwrap_or_default();
            let mut s = stats.lock().unwrap();
            if let Some(last) = s.bad.last_mut() {
                last.push_str(&format!(
                    " ({step}/{op}: {})",
                    why.chars().take(300).collect::<String>()
                ));
            }
        }
        false
    }

    /// The whole pre-application: sign in, the wizard, submit.
    pub async fn journey(&self, stats: &Shared, think: bool) -> Option<Case> {
        let n = self.next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let mobile = format!("139{:08}", n % 100_000_000);
        let from = ip();
        let (cookie, csrf) = self.sign_in(stats, &mobile, &from).await?;
        let pause = || async {
            if think {
                let ms = rand::thread_rng().gen_range(100..300);
                tokio::time::sleep(Duration::from_millis(ms)).await;
            }
        };
        let res = self
            .post("/api/applications/start", &cookie, &from)
            .form(&[
                ("matter", "TRANSFER-WITH-MORTGAGE"),
                ("csrf", csrf.as_str()),
            ])
            .send()
            .await
            .ok()?;
        let id: String = res.json().await.ok()?;
        let s = (cookie.as_str(), csrf.as_str(), id.as_str(), from.as_str());
        let holder = resident_id(n);
        let unit = format!("320684413219GB00029F{:08}", n % 100_000_000);
        let f = |k: &str, v: &str| (format!("f[{k}]"), v.to_string());
        pause().await;
        if !self
            .step(
                stats,
                s,
                "property",
                "next",
                vec![
                    f("unit_number", &unit),
                    f("certificate_number", ""),
                    f("address", "明州市海曙区望京路 8 号 3 幢 1201 室"),
                    f("secured_amount", "1200000"),
                ],
            )
            .await
        {
            return None;
        }
        self.step(stats, s, "parties", "add:right_holder", vec![])
            .await;
        let party =
            |i: usize, role: &str, name: &str, kind: &str, idn: &str, m: &str, share: &str| {
                vec![
                    f(&format!("party{i}_role"), role),
                    f(&format!("party{i}_name"), name),
                    f(&format!("party{i}_id_type"), kind),
                    f(&format!("party{i}_id_number"), idn),
                    f(&format!("party{i}_mobile"), m),
                    f(&format!("party{i}_share"), share),
                ]
            };
        let mut parties = party(
            0,
            "right_holder",
            "张三",
            "resident_id",
            &holder,
            &mobile,
            "50",
        );
        let (seller, holder_b) = (resident_id(999_001), resident_id(999_002));
        parties.extend(party(
            1,
            "obligor",
            "王五",
            "resident_id",
            &seller,
            "13700137003",
            "",
        ));
        parties.extend(party(
            2,
            "mortgagee",
            "明州银行",
            "organisation",
            BANK_CODE,
            "13500135005",
            "",
        ));
        parties.extend(party(
            3,
            "right_holder",
            "李四",
            "resident_id",
            &holder_b,
            "13600136002",
            "50",
        ));
        pause().await;
        if !self.step(stats, s, "parties", "next", parties).await {
            return None;
        }
        pause().await;
        self.step(stats, s, "agent", "next", vec![f("filing_for", "self")])
            .await;
        let view: serde_json::Value = self
            .post("/api/applications/get", &cookie, &from)
            .form(&[("id", id.as_str())])
            .send()
            .await
            .ok()?
            .json()
            .await
            .ok()?;
        let required: Vec<(String, String)> = view["matter"]["checklist"]
            .as_array()?
            .iter()
            .filter(|i| i["requirement"] == "required")
            .map(|i| {
                f(
                    &format!("material_{}", i["material"].as_str().unwrap_or_default()),
                    "on",
                )
            })
            .collect();
        pause().await;
        self.step(stats, s, "materials", "next", required).await;
        self.step(stats, s, "declarations", "next", vec![f("truthful", "on")])
            .await;
        pause().await;
        let t = Instant::now();
        let res = self
            .post("/api/applications/submit", &cookie, &from)
            .form(&[("id", id.as_str()), ("csrf", csrf.as_str())])
            .send()
            .await;
        if !judge(stats, Kind::Submit, t, &res, &[]) {
            return None;
        }
        let view: serde_json::Value = self
            .post("/api/applications/get", &cookie, &from)
            .form(&[("id", id.as_str())])
            .send()
            .await
            .ok()?
            .json()
            .await
            .ok()?;
        let case = Case {
            receipt: view["receipt_no"].as_str()?.to_string(),
            last6: holder[holder.len() - 6..].to_string(),
            id,
            cookie,
        };
        self.cases.lock().unwrap().push(case.clone());
        Some(case)
    }

    /// Book a slot for one of the pre-accepted cases; cancel it again when
    /// won. The booking's id and whether the cancellation was answered.
    pub async fn booking(&self, stats: &Shared) -> Option<(String, bool)> {
        if self.bookers.is_empty() || self.slots.is_empty() {
            return None;
        }
        let (cookie, csrf, id) = &self.bookers[rand::thread_rng().gen_range(0..self.bookers.len())];
        let slot = &self.slots[rand::thread_rng().gen_range(0..self.slots.len())];
        let from = ip();
        let t = Instant::now();
        let res = self
            .post("/api/bookings/book", cookie, &from)
            .form(&[
                ("id", id.as_str()),
                ("site", "MAIN"),
                ("slot", slot),
                ("csrf", csrf),
            ])
            .send()
            .await;
        // 422: the slot is full, or this case is already booked (another
        // user of the same case): both are answers, not failures.
        if !judge(stats, Kind::Booking, t, &res, &[422]) {
            return None;
        }
        let booking: String = res.ok()?.json().await.ok()?;
        let cancelled = self
            .post("/api/bookings/cancel", cookie, &from)
            .form(&[("id", id.as_str()), ("csrf", csrf.as_str())])
            .send()
            .await
            .is_ok_and(|r| r.status().is_success());
        Some((booking, cancelled))
    }

    /// A new citizen's photo, uploaded whole: the application, the
    /// content's SHA-256 and its length once the server acknowledged it.
    pub async fn upload(&self, stats: &Shared) -> Option<(String, String, usize)> {
        let n = self.next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let mobile = format!("139{:08}", n % 100_000_000);
        let from = ip();
        let (cookie, csrf) = self.sign_in(stats, &mobile, &from).await?;
        let id = async {
            self.post("/api/applications/start", &cookie, &from)
                .form(&[("matter", "RESALE-TRANSFER"), ("csrf", csrf.as_str())])
                .send()
                .await
                .ok()?
                .json::<String>()
                .await
                .ok()
        }
        .await?;
        let material = async {
            let view: serde_json::Value = self
                .post("/api/applications/get", &cookie, &from)
                .form(&[("id", id.as_str())])
                .send()
                .await
                .ok()?
                .json()
                .await
                .ok()?;
            view["matter"]["checklist"][0]["material"]
                .as_str()
                .map(String::from)
        }
        .await?;
        // Each photo its own content (a JPEG comment of random bytes after
        // the start marker), as phones' photos are: nothing is deduplicated.
        let mut body = Vec::with_capacity(self.photo.len() + 20);
        body.extend_from_slice(&[0xFF, 0xD8, 0xFF, 0xFE, 0x00, 0x12]);
        body.extend((0..16).map(|_| rand::thread_rng().gen::<u8>()));
        body.extend_from_slice(&self.photo[2..]);
        let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
        let meta = format!(
            "application {},material {},filename {}",
            b64(&id),
            b64(&material),
            b64("photo.jpg")
        );
        let t = Instant::now();
        let res = self
            .client
            .post(format!("{}/uploads", self.base))
            .header("cookie", &cookie)
            .header("x-csrf-token", &csrf)
            .header("x-forwarded-for", &from)
            .header("tus-resumable", "1.0.0")
            .header("upload-length", body.len().to_string())
            .header("upload-metadata", meta)
            .send()
            .await;
        let loc = match &res {
            Ok(r) => r
                .headers()
                .get("location")
                .and_then(|l| l.to_str().ok())
                .map(String::from),
            Err(_) => None,
        };
        if !judge(stats, Kind::Upload, t, &res, &[]) {
            return None;
        }
        let loc = loc?;
        let res = self
            .client
            .patch(format!("{}{loc}", self.base))
            .header("cookie", &cookie)
            .header("x-csrf-token", &csrf)
            .header("x-forwarded-for", &from)
            .header("tus-resumable", "1.0.0")
            .header("upload-offset", "0")
            .header("content-type", "application/offset+octet-stream")
            .body(body.clone())
            .send()
            .await;
        if !judge(stats, Kind::Upload, t, &res, &[]) {
            return None;
        }
        use sha2::Digest as _;
        Some((id, hex::encode(sha2::Sha256::digest(&body)), body.len()))
    }
}

/// A phone photo: a real JPEG of about 1.5 MB (noise compresses poorly).
pub fn photo() -> Vec<u8> {
    let mut r = rand::thread_rng();
    let img = image::RgbImage::from_fn(1000, 750, |_, _| image::Rgb([r.gen(), r.gen(), r.gen()]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Jpeg)
        .expect("jpeg");
    out.into_inner()
}

/// Pre-accepted cases with signed-in filers, made directly in the
/// database (acceptance is a clerk's work, not this load's).
pub async fn bookers(db: &Db, n: usize) -> Vec<(String, String, String)> {
    let now = app::db::now_ms();
    let run = uuid::Uuid::new_v4().simple().to_string();
    let mut out = Vec::new();
    for i in 0..n {
        let citizen = uuid::Uuid::new_v4().to_string();
        let (token, csrf) = (app::services::random_token(), app::services::random_token());
        let id = uuid::Uuid::new_v4().to_string();
        let ok = app::execute!(
            db,
            "INSERT INTO citizens (id, mobile, created_at, last_sign_in_at) VALUES ($1, $2, $3, $3)",
            &citizen,
            format!("L{}{i:07}", &run[..8]),
            now
        )
        .is_ok()
            && app::execute!(
                db,
                "INSERT INTO sessions (token_hash, citizen_id, csrf_token, created_at, last_seen_at, expires_at)
                 VALUES ($1, $2, $3, $4, $4, $5)",
                app::services::sha256_hex(&token),
                &citizen,
                &csrf,
                now,
                now + 86_400_000
            )
            .is_ok()
            && app::execute!(
                db,
                "INSERT INTO applications (id, filer_id, matter_code, status, receipt_no, draft, created_at,
                                           updated_at, submitted_at, stage, site_code)
                 VALUES ($1, $2, 'TRANSFER-WITH-MORTGAGE', 'submitted', $3, '{}', $4, $4, $4, 'pre_accepted', 'MAIN')",
                &id,
                &citizen,
                format!("LOAD-{}-{i:06}", &run[..8]),
                now
            )
            .is_ok();
        if ok {
            out.push((format!("onetrip_session={token}"), csrf, id));
        }
    }
    out
}
