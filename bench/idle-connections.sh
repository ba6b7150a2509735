#!/usr/bin/env bash
# CPU and memory cost of many idle HTTP/2 connections: N connections past the preface and SETTINGS (h2c, or TLS with
# ALPN h2), then nothing, against the sample (each dispatcher), the Kestrel baseline and h2o (one thread); the
# server's CPU time (/proc/PID/stat) over a quiet window. Http2Lab runs every timeout off one heartbeat per dispatcher
# (Kestrel: one heartbeat too). RSS: over all N, and the growth from N/2 to N connections per connection (the
# marginal cost, free of the process's one-time growth).
#   bench/idle-connections.sh [--connections 15000] [--seconds 20] [--dispatchers "Async Poll"] [--modes "h2c tls"]
#                             [--servers "Kestrel h2o"] [--no-build]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
N=15000; SECONDS_QUIET=20; DISPATCHERS="Async ThreadPerConnection Poll"; MODES="h2c"; OTHERS="Kestrel h2o"; BUILD=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --connections) N="$2"; shift ;;
    --seconds) SECONDS_QUIET="$2"; shift ;;
    --dispatchers) DISPATCHERS="$2"; shift ;;
    --modes) MODES="$2"; shift ;;
    --servers) OTHERS="$2"; shift ;;
    --no-build) BUILD=0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
ulimit -n $((N + 1000)) 2>/dev/null || { echo "need ulimit -n above $((N + 1000))" >&2; exit 2; }
if [[ " $OTHERS " == *" h2o "* ]] && ! command -v h2o >/dev/null; then
  echo "h2o is not installed (apt-get install h2o), or leave it out with --servers Kestrel" >&2; exit 1
fi
if [ "$BUILD" = 1 ]; then
  dotnet build "$ROOT/samples/WebHost" -c Release -nologo -v quiet >/dev/null
  dotnet build "$ROOT/bench/KestrelBaseline" -c Release -nologo -v quiet >/dev/null
fi
PORT=29080; TLS_PORT=29081
WORK="$(mktemp -d)"; PID=""
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null; rm -rf "$WORK"; true; }
trap cleanup EXIT
# One certificate for everyone: ECDSA P-256, as bench/run.sh.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$WORK/key.pem" -out "$WORK/cert.pem" \
  -days 2 -subj "/CN=localhost" -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" >/dev/null 2>&1

measure() { # name pid mode
  python3 - "$2" "$3" "$N" "$SECONDS_QUIET" "$1" "$PORT" "$TLS_PORT" <<'PY'
import socket, ssl, sys, time
pid, mode, n, quiet, name, port, tls_port = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), sys.argv[5], int(sys.argv[6]), int(sys.argv[7])
context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
context.check_hostname = False
context.verify_mode = ssl.CERT_NONE
context.set_alpn_protocols(["h2"])
def cpu():
    f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / 100.0
def rss():
    return next(int(l.split()[1]) for l in open(f"/proc/{pid}/status") if l.startswith("VmRSS:"))
preface = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + b"\x00\x00\x00\x04\x00\x00\x00\x00\x00"
def connect():
    if mode == "tls":
        s = context.wrap_socket(socket.create_connection(("127.0.0.1", tls_port)), server_hostname="localhost")
        assert s.selected_alpn_protocol() == "h2", s.selected_alpn_protocol()
    else:
        s = socket.create_connection(("127.0.0.1", port))
    s.sendall(preface)
    return s
settings_ack = b"\x00\x00\x00\x04\x01\x00\x00\x00\x00"
def open_idle(count):
    opened = [connect() for _ in range(count)]
    for s in opened:
        # The server's SETTINGS, then our ACK: a client that never acknowledges is closed after SettingsAckTimeout
        # (10 s), which would empty the server while it is measured.
        s.settimeout(10); s.recv(4096); s.sendall(settings_ack)
    time.sleep(2)
    return opened
# RSS after the first half and after all: the second half's growth is what one more idle connection costs, without the
# process's one-time growth (code compiled for the connection path, GC budgets) that the first connections carry.
before = rss(); conns = open_idle(n // 2); half = rss()
conns += open_idle(n - n // 2); full = rss()
a = cpu(); time.sleep(quiet); b = cpu()
print(f"| {name} | {mode} | {n} | {(b - a) / quiet:.3f} | {(full - before) / n:.1f} | {(full - half) / (n - n // 2):.1f} |")
for s in conns: s.close()
PY
}
wait_up() { for _ in $(seq 100); do curl -s --http2-prior-knowledge "http://127.0.0.1:$PORT/" >/dev/null 2>&1 && return; sleep 0.2; done; }
stop() { kill "$PID"; wait "$PID" 2>/dev/null || true; PID=""; }

echo "| server | mode | idle connections | CPU cores used while idle | RSS per connection (KiB) | RSS per added connection, second half (KiB) |"
echo "|---|---|---|---|---|---|"
for mode in $MODES; do
  for d in $DISPATCHERS; do
    dotnet "$ROOT/samples/WebHost/bin/Release/net10.0/WebHost.dll" --Logging:LogLevel:Default=Warning \
      --Http2Lab:Endpoints:h2c:Url=http://127.0.0.1:$PORT --Http2Lab:Endpoints:h2c:Dispatcher="$d" \
      --Http2Lab:Endpoints:h2c:MaxClients=$((N + 10)) --Http2Lab:Limits:MaxConnections=$((N + 10)) \
      --Http2Lab:Endpoints:h2:Url=https://127.0.0.1:$TLS_PORT --Http2Lab:Endpoints:h2:Dispatcher="$d" \
      --Http2Lab:Endpoints:h2:MaxClients=$((N + 10)) \
      --Http2Lab:Endpoints:h2:Certificate:Path="$WORK/cert.pem" --Http2Lab:Endpoints:h2:Certificate:KeyPath="$WORK/key.pem" \
      --Http2Lab:Endpoints:echo:Url=http://127.0.0.1:0 >/dev/null 2>&1 &
    PID=$!; wait_up
    measure "Http2Lab $d" "$PID" "$mode"; stop
  done
  for other in $OTHERS; do
    case "$other" in
      Kestrel)
        dotnet "$ROOT/bench/KestrelBaseline/bin/Release/net10.0/KestrelBaseline.dll" --h2c $PORT --h2 $TLS_PORT \
          --cert "$WORK/cert.pem" --key "$WORK/key.pem" >/dev/null 2>&1 & ;;
      h2o)
        {
          echo "num-threads: 1"
          [ "$EUID" -eq 0 ] && echo "user: root"
          printf 'listen:\n  host: 127.0.0.1\n  port: %s\nlisten:\n  host: 127.0.0.1\n  port: %s\n  ssl:\n' "$PORT" "$TLS_PORT"
          printf '    certificate-file: %s\n    key-file: %s\n    ocsp-update-interval: 0\n' "$WORK/cert.pem" "$WORK/key.pem"
          printf 'hosts:\n  default:\n    paths:\n      /:\n        file.dir: %s\n' "$WORK"
        } >"$WORK/h2o.conf"
        h2o -c "$WORK/h2o.conf" >/dev/null 2>&1 & ;;
      *) echo "unknown server $other (Kestrel, h2o)" >&2; exit 2 ;;
    esac
    PID=$!; wait_up
    measure "$other" "$PID" "$mode"; stop
  done
done
