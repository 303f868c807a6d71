#!/usr/bin/env bash
# Installs the tools that scripts/bench-harness.ts compares mtls-bench with: wrk, and the openssl
# command line (for `openssl s_time`) when it is missing, both from Debian's packages. Does
# nothing when both are already installed. Neither package starts a service.
set -euo pipefail

log() { echo "install-wrk: $*"; }
fail() {
  echo "install-wrk: $*" >&2
  exit 1
}

missing=()
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)

if [ "${#missing[@]}" -eq 0 ]; then
  # wrk has no --version option; -v prints its version and exits with status 1.
  log "wrk ($(wrk -v 2>&1 | head -n 1)) and openssl ($(openssl version)) are already installed; nothing to do"
  exit 0
fi

command -v apt-get >/dev/null 2>&1 ||
  fail "missing ${missing[*]} and apt-get was not found; install ${missing[*]} by hand so that they are on PATH"

# Root runs apt-get directly. Other users go through sudo, which may prompt for a password.
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 ||
    fail "missing ${missing[*]}, and installing needs root; run 'bash scripts/install-wrk.sh' as root"
  sudo_cmd=(sudo)
fi

log "running apt-get update"
"${sudo_cmd[@]}" apt-get update -q || fail "apt-get update failed; see the output above"

log "installing ${missing[*]}"
"${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" ||
  fail "apt-get install ${missing[*]} failed; see the output above"

command -v wrk >/dev/null 2>&1 || fail "apt-get finished but wrk is not on PATH"
command -v openssl >/dev/null 2>&1 || fail "apt-get finished but openssl is not on PATH"
log "installed: wrk ($(wrk -v 2>&1 | head -n 1)), openssl ($(openssl version))"
