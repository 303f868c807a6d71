#!/usr/bin/env bash
# Installs Chromium from Debian's packages for the browser tests of the HTML report
# (test/report/html-browser.test.ts), which drive it through playwright-core. Does nothing
# when /usr/bin/chromium already exists.
#
# playwright-core is used with executablePath /usr/bin/chromium because Playwright's own
# browser download ('npx playwright install') needs hosts that CI machines cannot reach.
set -euo pipefail

chromium=/usr/bin/chromium

log() { echo "install-chromium: $*"; }
fail() {
  echo "install-chromium: $*" >&2
  exit 1
}

if [ -x "$chromium" ]; then
  log "chromium is already installed at $chromium ($("$chromium" --version 2>/dev/null || echo 'version unknown')); nothing to do"
  exit 0
fi

command -v apt-get >/dev/null 2>&1 ||
  fail "chromium is not installed and apt-get was not found; install Chromium by hand so that $chromium runs it"
[ "$(id -u)" -eq 0 ] ||
  fail "chromium is not installed and installing it needs root; run 'sudo bash scripts/install-chromium.sh'"

log "running apt-get update"
apt-get update -q || fail "apt-get update failed; see the output above"

# Only the browser: the tests need no chromium-driver (Playwright speaks the DevTools protocol)
# and no recommended extras such as the sandbox helper, since they run with --no-sandbox.
log "installing chromium"
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium ||
  fail "apt-get install chromium failed; see the output above"

[ -x "$chromium" ] || fail "apt-get installed chromium but $chromium was not found"

log "installed chromium: $("$chromium" --version 2>/dev/null || echo 'version unknown')"
