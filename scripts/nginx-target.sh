#!/usr/bin/env bash
# Starts, stops or reports an nginx that scenarios/nginx.yaml measures as a target.
#
#   bash scripts/nginx-target.sh start [--verify-client MODE]
#   bash scripts/nginx-target.sh stop
#   bash scripts/nginx-target.sh status
#
# Everything lives in .nginx-target/ at the repository root: a PKI from `mtls-bench certs`
# (made anew on every start), nginx.conf, the pid file, the error log and nginx's temp
# directories, so nginx runs as root without writing under /etc or /var. nginx listens on
# 127.0.0.1 only, on two fixed ports that scenarios/nginx.yaml names:
#   18443  mTLS: ssl_verify_client MODE (default "on") against pki/ca.pem
#   18444  the server-only TLS baseline: no client certificate requested
# Both return 200 "ok\n" to every request.
#
# --verify-client takes nginx's ssl_verify_client values (on, optional, optional_no_ca, off).
# Anything but "on" lets wrong clients through on the mTLS port; the tests use
# optional_no_ca to check that mtls-bench's probes catch such a server.
#
# Exit status: 0 done (status: running), 1 failed, 2 bad usage, 3 status: not running.
set -euo pipefail

readonly MTLS_PORT=18443
readonly BASELINE_PORT=18444
# Bounds for waiting on nginx: 100 tries 0.1 s apart, about 10 s plus the tries themselves.
readonly WAIT_TRIES=100
readonly WAIT_STEP_S=0.1

repo_root=$(cd "$(dirname "$0")/.." && pwd)
target_dir="$repo_root/.nginx-target"
pki_dir="$target_dir/pki"
conf_file="$target_dir/nginx.conf"
pid_file="$target_dir/nginx.pid"
error_log="$target_dir/error.log"

log() { echo "nginx-target: $*"; }
fail() {
  echo "nginx-target: $*" >&2
  exit 1
}
usage() {
  echo "usage: bash scripts/nginx-target.sh start [--verify-client on|optional|optional_no_ca|off] | stop | status" >&2
  exit 2
}

find_nginx() {
  if command -v nginx >/dev/null 2>&1; then
    command -v nginx
  elif [ -x /usr/sbin/nginx ]; then
    echo /usr/sbin/nginx
  else
    fail "nginx was not found on PATH or at /usr/sbin/nginx; run 'bash scripts/install-nginx.sh' first"
  fi
}

# Prints the pid of the running nginx master of this directory, or fails.
running_pid() {
  [ -s "$pid_file" ] || return 1
  local pid
  pid=$(cat "$pid_file")
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  echo "$pid"
}

write_conf() {
  local verify_client=$1
  mkdir -p "$target_dir/tmp"
  # Paths are absolute so that nothing depends on how nginx resolves them against -p.
  cat >"$conf_file" <<EOF
# Written by scripts/nginx-target.sh, and rewritten on every start.
daemon on;
worker_processes 1;
pid $pid_file;
lock_file $target_dir/nginx.lock;
error_log $error_log notice;

events {
  worker_connections 1024;
}

http {
  access_log off;
  client_body_temp_path $target_dir/tmp/client_body;
  proxy_temp_path $target_dir/tmp/proxy;
  fastcgi_temp_path $target_dir/tmp/fastcgi;
  uwsgi_temp_path $target_dir/tmp/uwsgi;
  scgi_temp_path $target_dir/tmp/scgi;

  # nginx closes a keep-alive connection after 1000 requests by default, which would add
  # handshakes to the requests workload.
  keepalive_requests 1000000;
  default_type text/plain;

  ssl_certificate $pki_dir/server-chain.pem;
  ssl_certificate_key $pki_dir/server-key.pem;
  ssl_protocols TLSv1.2 TLSv1.3;
  ssl_ecdh_curve X25519:prime256v1:secp384r1;
  # Tickets and a shared session cache, so that the harness's resumption cells resume.
  ssl_session_tickets on;
  ssl_session_cache shared:mtls_bench:1m;
  ssl_session_timeout 10m;

  server {
    listen 127.0.0.1:$MTLS_PORT ssl;
    server_name localhost;
    ssl_verify_client $verify_client;
    ssl_client_certificate $pki_dir/ca.pem;
    ssl_verify_depth 2;
    location / {
      return 200 "ok\n";
    }
  }

  server {
    listen 127.0.0.1:$BASELINE_PORT ssl;
    server_name localhost;
    location / {
      return 200 "ok\n";
    }
  }
}
EOF
}

# Succeeds when the port completes a TLS handshake that verifies the server against
# pki/ca.pem and returns HTTP 200 to a GET with the client certificate.
answers_tls() {
  local port=$1 response
  response=$(printf 'GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' |
    timeout 5 openssl s_client -quiet -connect "127.0.0.1:$port" -servername localhost \
      -CAfile "$pki_dir/ca.pem" -verify_return_error -verify_hostname localhost \
      -cert "$pki_dir/client-chain.pem" -key "$pki_dir/client-key.pem" 2>/dev/null) || return 1
  [[ "$response" == "HTTP/1.1 200 "* ]]
}

stop_nginx() {
  local pid
  if ! pid=$(running_pid); then
    log "not running"
    rm -f "$pid_file"
    return 0
  fi
  # TERM is nginx's fast shutdown: the master stops its worker and exits.
  kill -TERM "$pid"
  local try
  for ((try = 0; try < WAIT_TRIES; try++)); do
    if ! kill -0 "$pid" 2>/dev/null; then
      log "stopped nginx (pid $pid)"
      return 0
    fi
    sleep "$WAIT_STEP_S"
  done
  fail "nginx (pid $pid) is still running after SIGTERM and $WAIT_TRIES tries ${WAIT_STEP_S}s apart; see $error_log"
}

start_nginx() {
  local verify_client=$1 nginx
  nginx=$(find_nginx)
  command -v openssl >/dev/null 2>&1 || fail "openssl was not found on PATH; it checks that nginx answers"

  if running_pid >/dev/null; then
    log "already running; restarting with a new PKI"
    stop_nginx
  fi

  rm -rf "$pki_dir"
  mkdir -p "$target_dir"
  node "$repo_root/bin/mtls-bench.js" certs --key-type ecdsa-p256 --out "$pki_dir" >/dev/null ||
    fail "mtls-bench certs failed; see the message above"
  write_conf "$verify_client"
  : >"$error_log"

  "$nginx" -t -q -c "$conf_file" -p "$target_dir/" || fail "nginx rejected $conf_file; see the message above"
  "$nginx" -c "$conf_file" -p "$target_dir/" || fail "nginx failed to start; see the message above and $error_log"

  local try
  for ((try = 0; try < WAIT_TRIES; try++)); do
    if running_pid >/dev/null && answers_tls "$MTLS_PORT" && answers_tls "$BASELINE_PORT"; then
      log "$("$nginx" -v 2>&1 | sed 's/^nginx version: //') running (pid $(running_pid)):" \
        "mTLS on 127.0.0.1:$MTLS_PORT (ssl_verify_client $verify_client), TLS on 127.0.0.1:$BASELINE_PORT"
      return 0
    fi
    if ! running_pid >/dev/null && [ "$try" -gt 10 ]; then
      break
    fi
    sleep "$WAIT_STEP_S"
  done
  stop_nginx >/dev/null 2>&1 || true
  fail "nginx did not answer TLS on 127.0.0.1:$MTLS_PORT and :$BASELINE_PORT in time (ports in use?); see $error_log"
}

status_nginx() {
  local pid
  if pid=$(running_pid); then
    log "running (pid $pid): mTLS on 127.0.0.1:$MTLS_PORT, TLS on 127.0.0.1:$BASELINE_PORT"
    return 0
  fi
  log "not running"
  return 3
}

[ $# -ge 1 ] || usage
command=$1
shift
case "$command" in
  start)
    verify_client=on
    while [ $# -gt 0 ]; do
      case "$1" in
        --verify-client)
          [ $# -ge 2 ] || usage
          verify_client=$2
          shift 2
          ;;
        *) usage ;;
      esac
    done
    case "$verify_client" in
      on | optional | optional_no_ca | off) ;;
      *) echo "nginx-target: --verify-client: got \"$verify_client\"; expected on, optional, optional_no_ca or off" >&2; exit 2 ;;
    esac
    start_nginx "$verify_client"
    ;;
  stop)
    [ $# -eq 0 ] || usage
    stop_nginx
    ;;
  status)
    [ $# -eq 0 ] || usage
    status_nginx
    ;;
  *) usage ;;
esac
