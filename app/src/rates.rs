//! Rate counters for read paths: counted in this process's memory (no
//! database write per request) and shared with the other replicas in
//! batches.
//!
//! Each bucket counts hits in slots of a tenth of its window. A hit is
//! decided from memory: this process's hits in the window plus the other
//! replicas' hits as of the last [`Counters::sync`]. `sync` (run about once a
//! second by the server's background task) adds this process's new hits to
//! `rate_counts` (one row per bucket, slot and process, added to, never one
//! row per hit) and reads back what the other processes counted since. So a
//! limit holds exactly within one process, even under parallel requests (a
//! mutex decides each hit), and across replicas it may be overrun by at most
//! what the other replicas admit between two syncs. Counts survive a restart:
//! a new process reads its predecessor's rows as another process's.

use crate::db::{now_ms, Db};
use std::collections::HashMap;
use std::sync::Mutex;

/// Slots per window: the window slides in steps of a tenth of itself.
const SLOTS: i64 = 10;
/// Buckets kept before idle ones are swept.
const SWEEP_AT: usize = 20_000;

#[derive(Debug, Default)]
struct Bucket {
    window_ms: i64,
    /// Slot start → this process's hits (synced or not).
    ours: HashMap<i64, i64>,
    /// Slot start → hits not yet written to the shared table.
    pending: HashMap<i64, i64>,
    /// (slot start, process) → the other processes' hits, as last read.
    others: HashMap<(i64, String), i64>,
}

impl Bucket {
    fn slot_ms(&self) -> i64 {
        (self.window_ms / SLOTS).max(1)
    }

    /// Hits in the window ending now, and the oldest counted slot's start,
    /// dropping slots already out of the window.
    fn count(&mut self, now: i64) -> (i64, i64) {
        // A slot counts while its start is within the window: a hit stops
        // counting between 0.9 and 1 window after it (never later, so a
        // Retry-After never exceeds the window).
        let start = now - self.window_ms;
        self.ours.retain(|s, _| *s > start);
        self.others.retain(|(s, _), _| *s > start);
        let mut total = 0;
        let mut oldest = i64::MAX;
        for (s, n) in self
            .ours
            .iter()
            .chain(self.others.iter().map(|((s, _), n)| (s, n)))
        {
            if *n > 0 {
                total += n;
                oldest = oldest.min(*s);
            }
        }
        (total, oldest)
    }
}

/// Every bucket this process counts.
#[derive(Debug)]
pub struct Counters {
    /// This process's name in the shared table (random per start).
    node: String,
    buckets: Mutex<HashMap<String, Bucket>>,
    /// The time up to which other processes' rows have been read.
    read_up_to: Mutex<i64>,
}

impl Default for Counters {
    fn default() -> Self {
        Counters {
            node: uuid::Uuid::new_v4().simple().to_string(),
            buckets: Mutex::default(),
            read_up_to: Mutex::new(0),
        }
    }
}

/// One shared row: bucket, slot, process, hits, window.
type Row = (String, i64, String, i64, i64);

impl Counters {
    /// Count one hit in `bucket` unless `max` hits already fall within the
    /// last `window_ms`; then answer the seconds until one leaves the window.
    pub fn hit(&self, bucket: &str, window_ms: i64, max: i64) -> Option<u64> {
        self.hit_at(bucket, window_ms, max, now_ms())
    }

    fn hit_at(&self, bucket: &str, window_ms: i64, max: i64, now: i64) -> Option<u64> {
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() >= SWEEP_AT {
            buckets.retain(|_, b| {
                b.count(now);
                !b.ours.is_empty() || !b.others.is_empty() || !b.pending.is_empty()
            });
        }
        let b = buckets.entry(bucket.to_string()).or_default();
        b.window_ms = window_ms.max(b.window_ms);
        let (total, oldest) = b.count(now);
        if total >= max {
            let leaves = oldest + b.window_ms;
            return Some(((leaves - now).max(1000) as u64).div_ceil(1000));
        }
        let slot = now / b.slot_ms() * b.slot_ms();
        *b.ours.entry(slot).or_default() += 1;
        *b.pending.entry(slot).or_default() += 1;
        None
    }

    /// Take back the latest hit in `bucket`: the request it admitted was not
    /// served (the database was away), so it does not count.
    pub fn forget(&self, bucket: &str) {
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        let Some(b) = buckets.get_mut(bucket) else {
            return;
        };
        let Some(slot) = b
            .ours
            .iter()
            .filter(|(_, n)| **n > 0)
            .map(|(s, _)| *s)
            .max()
        else {
            return;
        };
        if let Some(n) = b.ours.get_mut(&slot) {
            *n -= 1;
        }
        // Added to the shared row at the next sync (as -1 if already shared).
        *b.pending.entry(slot).or_default() -= 1;
    }

    /// Write this process's new hits to the shared table and read the other
    /// processes' changes. On failure the hits stay pending for the next try.
    pub async fn sync(&self, db: &Db) -> Result<(), sqlx::Error> {
        let now = now_ms();
        let pending: Vec<Row> = {
            let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
            buckets
                .iter_mut()
                .flat_map(|(name, b)| {
                    let w = b.window_ms;
                    b.pending
                        .drain()
                        .filter(|(_, n)| *n != 0)
                        .map(move |(slot, n)| (name.clone(), slot, String::new(), n, w))
                })
                .collect()
        };
        let since = *self.read_up_to.lock().unwrap_or_else(|e| e.into_inner());
        let written = self.write(db, &pending, now).await;
        if let Err(e) = written {
            // Put the hits back: they count at the next sync.
            let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
            for (name, slot, _, n, w) in pending {
                let b = buckets.entry(name).or_default();
                b.window_ms = b.window_ms.max(w);
                *b.pending.entry(slot).or_default() += n;
            }
            return Err(e);
        }
        // Rows another process changed since the last read (a second of
        // overlap covers clocks and transactions committing late).
        let rows: Vec<Row> = crate::fetch_all!(
            db,
            Row,
            "SELECT bucket, slot, node, hits, window_ms FROM rate_counts
              WHERE node <> $1 AND updated_at > $2",
            &self.node,
            since - 1000
        )?;
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        for (name, slot, node, n, w) in rows {
            if slot + w < now {
                continue;
            }
            let b = buckets.entry(name).or_default();
            b.window_ms = b.window_ms.max(w);
            b.others.insert((slot, node), n);
        }
        *self.read_up_to.lock().unwrap_or_else(|e| e.into_inner()) = now;
        Ok(())
    }

    async fn write(&self, db: &Db, rows: &[Row], now: i64) -> Result<(), sqlx::Error> {
        if rows.is_empty() {
            return Ok(());
        }
        let mut tx = db.begin_write().await?;
        for (name, slot, _, n, w) in rows {
            crate::execute_tx!(
                &mut tx,
                "INSERT INTO rate_counts (bucket, slot, node, hits, window_ms, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (bucket, slot, node)
                 DO UPDATE SET hits = rate_counts.hits + excluded.hits, updated_at = excluded.updated_at",
                name,
                slot,
                &self.node,
                n,
                w,
                now
            )?;
        }
        tx.commit().await
    }
}

/// Forget shared counts older than a day (the longest window in use).
pub async fn prune(db: &Db) -> Result<u64, sqlx::Error> {
    let cutoff = now_ms() - 24 * 3600 * 1000;
    crate::execute!(db, "DELETE FROM rate_counts WHERE updated_at < $1", cutoff)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_past_the_limit_and_lets_in_once_the_window_moves() {
        let c = Counters::default();
        let t0 = 1_000_000_000;
        for i in 0..5 {
            assert_eq!(c.hit_at("b", 60_000, 5, t0 + i), None, "hit {i}");
        }
        let wait = c.hit_at("b", 60_000, 5, t0 + 10).expect("sixth refused");
        assert!((55..=66).contains(&wait), "{wait}");
        // Another bucket is not affected.
        assert_eq!(c.hit_at("other", 60_000, 5, t0 + 10), None);
        // A window later the old hits no longer count.
        assert_eq!(c.hit_at("b", 60_000, 5, t0 + 60_000 + 6_001), None);
    }

    #[test]
    fn a_forgotten_hit_does_not_count() {
        let c = Counters::default();
        for _ in 0..3 {
            assert_eq!(c.hit("f", 60_000, 3), None);
            c.forget("f");
        }
        for _ in 0..3 {
            assert_eq!(c.hit("f", 60_000, 3), None);
        }
        assert!(c.hit("f", 60_000, 3).is_some());
    }

    #[test]
    fn parallel_hits_never_overrun_the_limit() {
        let c = std::sync::Arc::new(Counters::default());
        let admitted = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let (c, admitted) = (c.clone(), admitted.clone());
                std::thread::spawn(move || {
                    for _ in 0..100 {
                        if c.hit("race", 600_000, 37).is_none() {
                            admitted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                        }
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(admitted.load(std::sync::atomic::Ordering::SeqCst), 37);
    }

    #[test]
    fn other_processes_hits_count_towards_the_limit() {
        let c = Counters::default();
        let now = now_ms();
        c.hit_at("b", 60_000, 10, now);
        {
            let mut buckets = c.buckets.lock().unwrap();
            let b = buckets.get_mut("b").unwrap();
            b.others.insert((now / 6_000 * 6_000, "peer".into()), 9);
        }
        assert!(c.hit_at("b", 60_000, 10, now + 1).is_some());
    }
}
