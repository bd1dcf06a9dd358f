//! The public progress lookup: receipt number and the last digits of an ID.

#[cfg(feature = "ssr")]
use crate::error::internal;
use crate::error::AppError;
use crate::views::*;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What the public lookup shows: status, timeline, masked names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrackView {
    pub receipt_no: String,
    pub status: Status,
    /// The case's stage (`pre_review`, `accepted`, …).
    pub stage: String,
    pub matter_zh: String,
    pub matter_en: String,
    pub events: Vec<EventView>,
    pub names: Vec<String>,
    /// The promised deadline once accepted (a day, or a day and minute).
    pub due: Option<String>,
    pub paused: bool,
}

/// Public progress lookup: receipt number + the last 6 characters of a
/// party's ID number, or a party's mobile number. Unknown receipt and wrong
/// digits answer the same `NotFound`. Rate-limited per address, and failed
/// tries per receipt number *and* address (so someone who saw a receipt
/// cannot lock its owner out by guessing wrong on purpose), with a far
/// higher cap per receipt number alone against guessing from many addresses.
/// A lookup that finds its case writes nothing: the per-address count lives
/// in memory ([`crate::rates`]); only a failed try is written (shared at once
/// by every replica, as guessing is what the limit is for).
#[server(endpoint = "track")]
pub async fn track(no: String, id: String) -> Result<TrackView, AppError> {
    use crate::domain::application::{mask_name, normalize_receipt};
    use crate::domain::{normalize_compact, MobileNumber};

    use crate::services::*;

    use crate::ops::case_facts::*;
    let services = services()?;
    let policy = services.policy.clone();
    let database = database()?;
    let ip = client_ip(&policy).await;
    let ip_key = services.keyed_hash(&["ip", &ip]);
    let receipt = normalize_receipt(&no);
    let secret = normalize_compact(&id);
    let secret = match MobileNumber::parse(&secret) {
        Ok(m) if secret.len() >= 11 => m.as_str().to_string(),
        _ => secret,
    };
    let receipt_key = services.keyed_hash(&["receipt", receipt.as_deref().unwrap_or("-")]);
    let ip_bucket = format!("track:ip:{ip_key}");
    let failed_bucket = format!("track:fail:{receipt_key}:{ip_key}");
    let failed_anywhere = format!("track:fail:{receipt_key}");
    // Refused a moment ago: refused again from memory, without a write.
    let refusals = &services.refusals;
    if let Some(retry_after_secs) =
        refusals.refused(&[&ip_bucket, &failed_bucket, &failed_anywhere])
    {
        return Err(AppError::RateLimited { retry_after_secs });
    }
    // Lookups per address: counted in memory, shared between replicas in
    // batches (crate::rates), so a lookup writes nothing.
    if let Some(retry_after_secs) =
        services
            .counters
            .hit(&ip_bucket, 600 * 1000, policy.lookups_per_ip_10min)
    {
        return Err(AppError::RateLimited { retry_after_secs });
    }
    let answer: Result<TrackView, AppError> = async {
        let since = crate::db::now_ms() - 3600 * 1000;
        let (mine, mine_since, everyone, everyone_since) = crate::fetch_optional!(
            &database,
            (i64, i64, i64, i64),
            "SELECT CAST(COALESCE(SUM(CASE WHEN bucket = $1 THEN 1 ELSE 0 END), 0) AS BIGINT),
                    CAST(COALESCE(MIN(CASE WHEN bucket = $1 THEN at END), 0) AS BIGINT),
                    CAST(COALESCE(SUM(CASE WHEN bucket = $2 THEN 1 ELSE 0 END), 0) AS BIGINT),
                    CAST(COALESCE(MIN(CASE WHEN bucket = $2 THEN at END), 0) AS BIGINT)
               FROM rate_hits WHERE bucket IN ($1, $2) AND at > $3",
            &failed_bucket,
            &failed_anywhere,
            since
        )
        .map_err(internal("track"))?
        .unwrap_or((0, 0, 0, 0));
        for (bucket, count, oldest, max) in [
            (
                &failed_bucket,
                mine,
                mine_since,
                policy.failed_lookups_per_receipt_hour,
            ),
            (
                &failed_anywhere,
                everyone,
                everyone_since,
                policy.failed_lookups_per_receipt_hour * 10,
            ),
        ] {
            if count >= max {
                // Until the oldest failure in the hour no longer counts.
                let retry_after_secs = ((oldest - since).max(1000) as u64).div_ceil(1000);
                refusals.remember(bucket, retry_after_secs);
                return Err(AppError::RateLimited { retry_after_secs });
            }
        }
        let found = match (&receipt, secret.len() >= 6) {
            (Some(r), true) => crate::db::track(&database, r, &secret)
                .await
                .map_err(internal("track"))?,
            _ => None,
        };
        let Some(row) = found else {
            let mut tx = database.begin_write().await.map_err(internal("track"))?;
            for bucket in [&failed_bucket, &failed_anywhere] {
                crate::db::rate_hit(&mut tx, bucket, 3600 * 1000, i64::MAX)
                    .await
                    .map_err(internal("track"))?;
            }
            tx.commit().await.map_err(internal("track"))?;
            return Err(AppError::NotFound);
        };
        let matter = load_matter(&row.matter_code).await?;
        let events = crate::db::events(&database, &row.id)
            .await
            .map_err(internal("events"))?
            .into_iter()
            .map(|e| EventView {
                // The reason for not accepting is the applicant's to read (the
                // lookup needs the receipt and part of their ID); every other
                // note stays on the signed-in page.
                note: if e.kind == "rejected" {
                    e.note
                } else {
                    String::new()
                },
                kind: e.kind,
                at: local_time(e.at),
            })
            .collect();
        let names = crate::db::parties(&database, &row.id)
            .await
            .map_err(internal("parties"))?
            .into_iter()
            .map(|p| mask_name(&p.name))
            .collect();
        Ok(TrackView {
            due: due_label(&row),
            paused: row.paused_at.is_some(),
            stage: row.stage.clone(),
            receipt_no: row.receipt_no.unwrap_or_default(),
            status: Status::from_code(&row.status),
            matter_zh: matter.name_zh,
            matter_en: matter.name_en,
            events,
            names,
        })
    }
    .await;
    // Not served (the database was away, or a fault of ours): the lookup
    // does not count against the address.
    if matches!(
        answer,
        Err(AppError::Unavailable { .. } | AppError::Internal)
    ) {
        services.counters.forget(&ip_bucket);
    }
    answer
}
