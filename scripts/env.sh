# Sourced by the other scripts: tools installed by setup.sh on PATH.
ONETRIP_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$HOME/.cargo/bin:$ONETRIP_ROOT/end2end/node_modules/.bin:$PATH"
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

# Install Debian packages; refresh the package lists once if the first try fails.
apt_install() {
  DEBIAN_FRONTEND=noninteractive apt-get install -y "$@" >/dev/null 2>&1 || {
    DEBIAN_FRONTEND=noninteractive apt-get update >/dev/null &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y "$@" >/dev/null
  }
}
