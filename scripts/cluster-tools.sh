#!/usr/bin/env bash
# The cluster's load balancer: HAProxy from Debian's packages.
set -euo pipefail
source "$(dirname "$0")/env.sh"
if ! command -v haproxy >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    apt_install haproxy
  else
    echo "HAProxy is missing. Run: sudo apt-get install -y haproxy" >&2
    exit 1
  fi
fi
