#!/usr/bin/env bash
# N instances of the sample (Release build) on loopback behind HAProxy, run with deploy/haproxy.cfg itself:
#
#   deploy/local-cluster.sh [N] [-- extra sample arguments, e.g. --Http2Lab:Limits:MaxConcurrentStreams=250]
#
# Instance i serves h2c on 127.0.0.1:(FIRST_PORT+i-1) (its h2 and echo endpoints get free ports); HAProxy listens
# for h2c on 127.0.0.1:H2C_PORT and for TLS (ALPN h2, a self-signed certificate made here) on 127.0.0.1:TLS_PORT.
# Ctrl-C (or any exit) stops HAProxy, then the instances with SIGTERM (each drains and exits).
# Environment: FIRST_PORT (9101), H2C_PORT (9100), TLS_PORT (9443), LOG_LEVEL (emerg: only HAProxy's own warnings,
# e.g. a server going DOWN, which it prints on stderr anyway; info: one log line per request too).
set -euo pipefail
cd "$(dirname "$0")/.."
PATH="$PATH:/usr/sbin:/usr/local/sbin"   # where haproxy lives, not on every user's PATH

count=3
if [ $# -gt 0 ] && [ "$1" != "--" ]; then count=$1; shift; fi
[ "${1:-}" = "--" ] && shift
case "$count" in ''|*[!0-9]*|0) echo "local-cluster.sh: N must be a positive number, not '$count'" >&2; exit 2 ;; esac
first_port=${FIRST_PORT:-9101}
h2c_port=${H2C_PORT:-9100}
tls_port=${TLS_PORT:-9443}
# Several .NET processes sharing a few cores: thread-pool workers spinning while they wait for work burn the CPU the
# other instances and HAProxy need; 0 turns that off (bench/RESULTS.md, "Behind HAProxy"). Set it to override.
export DOTNET_ThreadPool_UnfairSemaphoreSpinLimit="${DOTNET_ThreadPool_UnfairSemaphoreSpinLimit:-0}"

if ! command -v haproxy >/dev/null 2>&1; then
  echo "local-cluster.sh: installing haproxy"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq haproxy >/dev/null
fi
haproxy -v | sed -n 1p

dotnet build -c Release samples/WebHost -nologo -v quiet
dll=samples/WebHost/bin/Release/net10.0/WebHost.dll

work=$(mktemp -d /tmp/http2lab-cluster.XXXXXX)
pids=()
haproxy_pid=""
cleanup() {
  trap - EXIT INT TERM
  if [ -n "$haproxy_pid" ]; then kill -TERM "$haproxy_pid" 2>/dev/null || true; fi
  if [ ${#pids[@]} -gt 0 ]; then
    echo "stopping ${#pids[@]} instance(s) (SIGTERM: GOAWAY, drain, exit)"
    kill -TERM "${pids[@]}" 2>/dev/null || true
    wait "${pids[@]}" 2>/dev/null || true
  fi
  if [ -n "$haproxy_pid" ]; then wait "$haproxy_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The instances, each in a session of its own (setsid) so that Ctrl-C reaches only this script, which then stops
# them in order.
ports=()
for i in $(seq 1 "$count"); do
  port=$((first_port + i - 1))
  ports+=("$port")
  setsid dotnet "$dll" \
    "--Http2Lab:Endpoints:h2c:Url=http://127.0.0.1:$port" \
    "--Http2Lab:Endpoints:h2:Url=https://127.0.0.1:0" \
    "--Http2Lab:Endpoints:echo:Url=http://127.0.0.1:0" \
    "$@" >"$work/instance-$port.log" 2>&1 &
  pids+=("$!")
done
for i in "${!ports[@]}"; do
  for _ in $(seq 1 300); do
    grep -q "'h2c' listening on" "$work/instance-${ports[$i]}.log" && break
    if ! kill -0 "${pids[$i]}" 2>/dev/null; then
      echo "local-cluster.sh: instance on ${ports[$i]} exited:" >&2; cat "$work/instance-${ports[$i]}.log" >&2; exit 1
    fi
    sleep 0.1
  done
  if ! grep -q "'h2c' listening on" "$work/instance-${ports[$i]}.log"; then
    echo "local-cluster.sh: instance on ${ports[$i]} did not start in 30 s" >&2; exit 1
  fi
done

# HAProxy's TLS frontend: certificate and key in one PEM.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 -subj /CN=localhost \
  -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
cat "$work/cert.pem" "$work/key.pem" >"$work/haproxy.pem"

# deploy/haproxy.cfg with its "server sN address ..." lines replaced by one line per instance (keeping what follows
# the first one's address); the addresses, certificate and log target come from the HTTP2LAB_* variables.
awk -v ports="${ports[*]}" '
  /^[ \t]*server[ \t]+s[0-9]+[ \t]/ {
    if (!done) {
      match($0, /^[ \t]*/); indent = substr($0, 1, RLENGTH)
      rest = $0; sub(/^[ \t]*server[ \t]+s[0-9]+[ \t]+[^ \t]+/, "", rest)
      n = split(ports, p, " ")
      for (i = 1; i <= n; i++) printf "%sserver s%d 127.0.0.1:%s%s\n", indent, i, p[i], rest
      done = 1
    }
    next
  }
  { print }' deploy/haproxy.cfg >"$work/haproxy.cfg"

export HTTP2LAB_H2C_BIND="127.0.0.1:$h2c_port" HTTP2LAB_TLS_BIND="127.0.0.1:$tls_port" HTTP2LAB_PEM="$work/haproxy.pem"
export HTTP2LAB_SOCKET="$work/haproxy.sock" HTTP2LAB_LOG=stdout HTTP2LAB_LOG_LEVEL="${LOG_LEVEL:-emerg}"
haproxy -c -q -f "$work/haproxy.cfg"
haproxy -db -f "$work/haproxy.cfg" &
haproxy_pid=$!

cat <<EOF

$count instance(s) behind HAProxy (logs and rendered config in $work):
$(for i in "${!ports[@]}"; do echo "  s$((i + 1))  http://127.0.0.1:${ports[$i]}/  pid ${pids[$i]}"; done)

Try:
  curl --http2-prior-knowledge http://127.0.0.1:$h2c_port/headers
  curl -k --http2 https://127.0.0.1:$tls_port/
  h2load -n 10000 -c 10 -m 10 http://127.0.0.1:$h2c_port/
  h2load -n 10000 -c 10 -m 10 https://127.0.0.1:$tls_port/
  h2load -n 10000 -c 10 -m 10 http://127.0.0.1:${ports[0]}/      (one instance, no proxy)
  kill -TERM ${pids[0]}      (during a load run: s1 drains, HAProxy marks it DOWN, the load sees no failure)
  echo 'show stat' | socat stdio unix-connect:$work/haproxy.sock      (per-server state and counters)
Ctrl-C stops everything.

EOF
wait "$haproxy_pid"
