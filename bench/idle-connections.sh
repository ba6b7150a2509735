#!/usr/bin/env bash
# CPU cost of many idle HTTP/2 connections: N h2c connections past the preface and SETTINGS, then nothing, against
# the sample (each dispatcher) and the Kestrel baseline; the server's CPU time (/proc/PID/stat) over a quiet window.
# Http2Lab runs every timeout off one heartbeat per dispatcher (Kestrel: one heartbeat too). RSS: over all N, and the
# growth from N/2 to N connections per connection (the marginal cost, free of the process's one-time growth).
#   bench/idle-connections.sh [--connections 15000] [--seconds 20] [--dispatchers "Async Poll"] [--no-build]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
N=15000; SECONDS_QUIET=20; DISPATCHERS="Async ThreadPerConnection Poll"; BUILD=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --connections) N="$2"; shift ;;
    --seconds) SECONDS_QUIET="$2"; shift ;;
    --dispatchers) DISPATCHERS="$2"; shift ;;
    --no-build) BUILD=0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
ulimit -n $((N + 1000)) 2>/dev/null || { echo "need ulimit -n above $((N + 1000))" >&2; exit 2; }
if [ "$BUILD" = 1 ]; then
  dotnet build "$ROOT/samples/WebHost" -c Release -nologo -v quiet >/dev/null
  dotnet build "$ROOT/bench/KestrelBaseline" -c Release -nologo -v quiet >/dev/null
fi
PORT=29080
measure() { # name pid
  python3 - "$2" "$PORT" "$N" "$SECONDS_QUIET" "$1" <<'PY'
import socket, sys, time
pid, port, n, quiet, name = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
def cpu():
    f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / 100.0
def rss():
    return next(int(l.split()[1]) for l in open(f"/proc/{pid}/status") if l.startswith("VmRSS:"))
preface = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + b"\x00\x00\x00\x04\x00\x00\x00\x00\x00"
def open_idle(count):
    opened = []
    for _ in range(count):
        s = socket.create_connection(("127.0.0.1", port)); s.sendall(preface); opened.append(s)
    for s in opened:
        s.settimeout(10); s.recv(4096)
    time.sleep(2)
    return opened
# RSS after the first half and after all: the second half's growth is what one more idle connection costs, without the
# process's one-time growth (code compiled for the connection path, GC budgets) that the first connections carry.
before = rss(); conns = open_idle(n // 2); half = rss()
conns += open_idle(n - n // 2); full = rss()
a = cpu(); time.sleep(quiet); b = cpu()
print(f"| {name} | {n} | {(b - a) / quiet:.3f} | {(full - before) / n:.1f} | {(full - half) / (n - n // 2):.1f} |")
for s in conns: s.close()
PY
}
echo "| server | idle connections | CPU cores used while idle | RSS per connection (KiB) | RSS per added connection, second half (KiB) |"
echo "|---|---|---|---|---|"
for d in $DISPATCHERS; do
  dotnet "$ROOT/samples/WebHost/bin/Release/net10.0/WebHost.dll" --Http2Lab:Endpoints:h2c:Url=http://127.0.0.1:$PORT \
    --Http2Lab:Endpoints:h2c:Dispatcher="$d" --Http2Lab:Endpoints:h2c:MaxClients=$((N + 10)) --Http2Lab:Limits:MaxConnections=$((N + 10)) \
    --Http2Lab:Endpoints:h2:Url=https://127.0.0.1:0 --Http2Lab:Endpoints:echo:Url=http://127.0.0.1:0 --Logging:LogLevel:Default=Warning >/dev/null 2>&1 &
  pid=$!
  for _ in $(seq 100); do curl -s --http2-prior-knowledge http://127.0.0.1:$PORT/ >/dev/null 2>&1 && break; sleep 0.2; done
  measure "Http2Lab $d" "$pid"; kill "$pid"; wait "$pid" 2>/dev/null || true
done
dotnet "$ROOT/bench/KestrelBaseline/bin/Release/net10.0/KestrelBaseline.dll" --h2c $PORT --h2 0 >/dev/null 2>&1 &
pid=$!
for _ in $(seq 100); do curl -s --http2-prior-knowledge http://127.0.0.1:$PORT/ >/dev/null 2>&1 && break; sleep 0.2; done
measure "Kestrel" "$pid"; kill "$pid"; wait "$pid" 2>/dev/null || true
