-- Rate counters of read paths (issue 18): counted in each process's memory
-- and added here in batches, one row per bucket, slot and process, so the
-- replicas share their counts without a database write per request.
CREATE TABLE rate_counts (
    bucket     TEXT NOT NULL,
    slot       BIGINT NOT NULL,
    node       TEXT NOT NULL,
    hits       BIGINT NOT NULL,
    window_ms  BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (bucket, slot, node)
);
CREATE INDEX rate_counts_updated ON rate_counts (updated_at);
