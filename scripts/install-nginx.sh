#!/usr/bin/env bash
# Installs nginx from Debian's packages for the nginx target tests (test/targets/nginx.test.ts)
# and scripts/nginx-target.sh. Does nothing when nginx is already installed.
#
# The system nginx service must not run afterwards: Debian's postinstall starts it on port 80
# of every address. So the install runs under a policy-rc.d that forbids starting services
# (unless the machine already has one), and any nginx the package started anyway is stopped
# and disabled. mtls-bench runs nginx only with its own config file, on 127.0.0.1.
set -euo pipefail

log() { echo "install-nginx: $*"; }
fail() {
  echo "install-nginx: $*" >&2
  exit 1
}

find_nginx() {
  if command -v nginx >/dev/null 2>&1; then
    command -v nginx
  elif [ -x /usr/sbin/nginx ]; then
    echo /usr/sbin/nginx
  else
    return 1
  fi
}

if existing=$(find_nginx); then
  log "nginx is already installed at $existing ($("$existing" -v 2>&1)); nothing to do"
  exit 0
fi

command -v apt-get >/dev/null 2>&1 ||
  fail "nginx is not installed and apt-get was not found; install nginx by hand (it must be on PATH or at /usr/sbin/nginx)"
[ "$(id -u)" -eq 0 ] ||
  fail "nginx is not installed and installing it needs root; run 'sudo bash scripts/install-nginx.sh'"

# Debian 12 has nginx-light (nginx plus one module); other releases may have only nginx.
package=nginx-light
policy_file=/usr/sbin/policy-rc.d
own_policy=no
if [ ! -e "$policy_file" ]; then
  # Exit status 101 means "action forbidden", so invoke-rc.d does not start the service.
  printf '#!/bin/sh\nexit 101\n' >"$policy_file"
  chmod 0755 "$policy_file"
  own_policy=yes
  trap 'rm -f "$policy_file"' EXIT
  log "wrote $policy_file so that the package does not start the nginx service"
fi

log "running apt-get update"
apt-get update -q || fail "apt-get update failed; see the output above"

if [ -z "$(apt-cache policy "$package" 2>/dev/null | sed -n 's/^ *Candidate: *//p' | grep -v '(none)')" ]; then
  log "package $package is not available; installing nginx instead"
  package=nginx
fi

log "installing $package"
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$package" ||
  fail "apt-get install $package failed; see the output above"

installed=$(find_nginx) || fail "apt-get installed $package but no nginx binary was found on PATH or at /usr/sbin/nginx"

# Stop and disable the system service in case it was started (for example under systemd,
# where the package enables the unit even when policy-rc.d stops it from starting).
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
  systemctl disable --now nginx >/dev/null 2>&1 || true
fi
if command -v update-rc.d >/dev/null 2>&1; then
  update-rc.d nginx disable >/dev/null 2>&1 || true
fi
if [ -s /run/nginx.pid ] && kill -0 "$(cat /run/nginx.pid)" 2>/dev/null; then
  log "stopping the system nginx service that the package started"
  "$installed" -s stop >/dev/null 2>&1 || true
fi

if [ "$own_policy" = yes ]; then
  rm -f "$policy_file"
  trap - EXIT
  log "removed $policy_file"
fi

log "installed $package: $("$installed" -v 2>&1)"
