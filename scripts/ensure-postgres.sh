#!/usr/bin/env bash
# Make sure a PostgreSQL server answers at ONETRIP_TEST_PG_URL (default
# postgres://postgres@127.0.0.1:5432/test). Starts the local cluster when it is
# installed but down; installs Debian's postgresql when missing and running as
# root. Exits non-zero with the command to run otherwise.
set -euo pipefail
source "$(dirname "$0")/env.sh"
URL="${ONETRIP_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/test}"

ready() { pg_isready -q -d "$URL" 2>/dev/null || psql "$URL" -qtAc 'SELECT 1' >/dev/null 2>&1; }

if ready; then exit 0; fi

if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    echo "==> installing Debian's postgresql"
    apt_install postgresql
  else
    echo "PostgreSQL is not installed. Run: sudo apt-get install -y postgresql" >&2
    exit 1
  fi
fi

VERSION=$(ls /etc/postgresql 2>/dev/null | sort -n | tail -1)
if [ -z "$VERSION" ]; then
  echo "No PostgreSQL cluster found under /etc/postgresql. Run: sudo pg_createcluster --start 15 main" >&2
  exit 1
fi
echo "==> starting PostgreSQL $VERSION"
pg_ctlcluster --skip-systemctl-redirect "$VERSION" main start 2>/dev/null || pg_ctlcluster "$VERSION" main start || true

# A fresh Debian cluster uses peer auth on the socket and md5 on TCP; the tests
# connect as postgres over TCP. Allow trust for local TCP when we just installed it.
for _ in $(seq 1 30); do
  if ready; then exit 0; fi
  sleep 1
done
if [ "$(id -u)" = 0 ]; then
  HBA=/etc/postgresql/$VERSION/main/pg_hba.conf
  if ! grep -q "onetrip-tests" "$HBA"; then
    sed -i '1i host all all 127.0.0.1/32 trust # onetrip-tests\nhost all all ::1/128 trust # onetrip-tests' "$HBA"
    pg_ctlcluster "$VERSION" main reload || true
  fi
  su postgres -c "psql -qtAc \"SELECT 1 FROM pg_database WHERE datname='test'\" | grep -q 1 || createdb test" || true
  for _ in $(seq 1 10); do
    if ready; then exit 0; fi
    sleep 1
  done
fi
echo "PostgreSQL does not answer at $URL" >&2
exit 1
