# OneTrip: two commands. See README.md.
.PHONY: run test setup fmt load load-pg crash crash-pg faults cluster fuzz deb deb-test bench-size bench-lighthouse bench bench-submit bench-upload bench-previews bench-booking bench-filings bench-sheets
SHELL := /bin/bash

## Build in release mode and serve on http://127.0.0.1:3000 (SQLite in data/).
run:
	@scripts/run.sh

## Everything: formatting, clippy, tests on SQLite and PostgreSQL, browser journeys.
test:
	@scripts/test.sh

## Install the build tools only.
setup:
	@scripts/setup.sh

## What a phone downloads per main page (wasm, JS, CSS, HTML as served), against the budgets;
## the table is printed and written to target/size-report.md. Also part of `make test`.
bench-size:
	@source scripts/env.sh && scripts/run.sh --build-only && cd end2end && ONETRIP_E2E_BIN=target/release/onetrip npx playwright test tests/shared/size.spec.ts --project phone-js

## Lighthouse's mobile preset (simulated slow 4G, 4× CPU) on /, /matters, a matter's notice, /track,
## /signin and a wizard step, median of RUNS (3) runs each, against the goals; written to
## target/lighthouse-report.md. Installs Lighthouse into bench/lighthouse once (not part of make test).
bench-lighthouse:
	@source scripts/env.sh && scripts/run.sh --build-only && \
	  (cd bench/lighthouse && { [ -d node_modules/lighthouse ] || npm ci --no-audit --no-fund; } && node run.mjs)

## Throughput against this machine's ceiling (bare axum), with wrk.
bench:
	@scripts/bench.sh

## Submit throughput (first and repeated submits) against bare axum, in one Rust harness.
## DATABASE_URL=postgres://… for PostgreSQL.
bench-submit:
	@cargo run --release -p server --example submit_bench -- 1000 16

## The booking race: 1,000 concurrent requests for 10 seats × 100 rounds; winners per round,
## losers' p99, requests/s against bare axum. DATABASE_URL=postgres://… for PostgreSQL.
bench-booking:
	@cargo run --release -p server --example booking_bench -- 1000 10 100

## 20 parallel 20 MB uploads into the release server, next to dd; server memory growth.
bench-upload:
	@source scripts/env.sh && scripts/build-site.sh >/dev/null && cargo run --release -p server --example upload_bench -- 20 20

## 12 phone photos (4000×3000) through the preview worker, next to decoding them only.
bench-previews:
	@cargo run --release -p server --example preview_bench -- 12

## Developers' spreadsheets: 10,000 and 100,000 dual-notice rows as CSV and XLSX through the
## filing worker's code, next to a raw SQLite insert of the same rows; rows/s, seconds, memory.
## DATABASE_URL=postgres://… for PostgreSQL.
bench-filings:
	@for f in csv xlsx; do for n in 10000 100000; do \
		cargo run --release -q -p server --example filing_bench -- $$n $$f || exit 1; done; done

## Hostile and maximal spreadsheets (a 5,000 × 4,000 XLSX, a full 64-column XLSX, a 10 MB CSV)
## through the upload's and the worker's reading: peak memory growth, each in a fresh process.
bench-sheets:
	@cargo run --release -q -p server --example sheet_memory -- gen target/sheets
	@for f in wide.xlsx full.xlsx full.csv; do \
		cargo run --release -q -p server --example sheet_memory -- run target/sheets/$$f || exit 1; done

## Citizen traffic to the breaking point against the release server (70 % lookups, 20 % the
## pre-application journey, 8 % bookings, 2 % photo uploads), then a 5× spike for 60 s; next to bare
## axum. `make load-pg` on PostgreSQL. Figures in README "Load, crashes and faults".
load:
	@source scripts/env.sh && scripts/run.sh --build-only && cargo run --release -q -p server --example load
load-pg:
	@source scripts/env.sh && scripts/ensure-postgres.sh && scripts/run.sh --build-only && \
	  DATABASE_URL=$${ONETRIP_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/postgres} cargo run --release -q -p server --example load

## 200 SIGKILL cycles under bursts of submits, uploads and bookings; after each restart every
## acknowledged write is checked, orphans looked for, SQLite's integrity checked. `make crash-pg`.
crash:
	@source scripts/env.sh && scripts/run.sh --build-only && cargo run --release -q -p server --example crash -- 200
crash-pg:
	@source scripts/env.sh && scripts/ensure-postgres.sh && scripts/run.sh --build-only && \
	  DATABASE_URL=$${ONETRIP_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/postgres} cargo run --release -q -p server --example crash -- 200

## Faults under load: PostgreSQL restarted and stopped 10 s, the data directory's disk full (a
## tmpfs; root), the object store (examples/s3_dev.rs as its own process) down 8 s. Stops and starts
## the local PostgreSQL cluster (ONETRIP_PG_STOP / ONETRIP_PG_START to change how).
faults:
	@source scripts/env.sh && scripts/ensure-postgres.sh && scripts/run.sh --build-only && \
	  cargo build --release -q -p server --example faults --example s3_dev && \
	  DATABASE_URL=$${ONETRIP_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/postgres} target/release/examples/faults

## A cluster: 2 replicas (REPLICAS=n) behind HAProxy on one PostgreSQL and an S3-compatible
## store; checks across replicas, the booking race, load with a replica killed, and the
## Playwright journeys through the balancer.
cluster:
	@source scripts/env.sh && scripts/ensure-postgres.sh && scripts/cluster-tools.sh && scripts/run.sh --build-only && \
	  cargo build --release -q -p server --example cluster --example load --example s3_dev && \
	  DATABASE_URL=$${ONETRIP_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/postgres} \
	  target/release/examples/cluster --replicas $${REPLICAS:-2} --journeys

## A Debian package of the release build (target/debian/): systemd unit, /etc/onetrip, /var/lib/onetrip.
deb:
	@source scripts/env.sh && scripts/run.sh --build-only && (command -v cargo-deb >/dev/null || cargo install cargo-deb --locked) && \
	  cargo deb -p server --no-build --no-strip -o target/debian/

## Install, start, upgrade (migrations run), stop, remove and purge the package on this machine (root).
deb-test:
	@source scripts/env.sh && scripts/run.sh --build-only && scripts/deb-test.sh

## Fuzz every parser of outside input (fuzz/fuzz_targets: domain identifiers, spreadsheets, tus
## headers, the booking form) for FUZZ_SECS each (default 300); the corpus is kept in fuzz/corpus.
FUZZ_TARGETS := domain_ids sheet_rows tus_headers booking_form
fuzz:
	@source scripts/env.sh && (command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked) && \
	  for t in $(FUZZ_TARGETS); do \
	    RUSTC_BOOTSTRAP=1 cargo fuzz run --sanitizer none -O $$t -- \
	      -max_total_time=$${FUZZ_SECS:-300} -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 || exit 1; \
	  done

## Format Rust and the view! macros.
fmt:
	@source scripts/env.sh && cargo fmt --all && leptosfmt app/src
