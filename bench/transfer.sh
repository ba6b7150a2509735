#!/usr/bin/env bash
# Bulk transfer and short connections per dispatcher (issue 12): one 1 GiB download over one stream (GET /bytes/N),
# one 1 GiB upload to /echo (streamed back, so 1 GiB each way), h2c and TLS, with curl; MB/s and the server's CPU
# seconds per GiB moved (from /proc/PID/stat; MaxRequestBodySize lifted for the upload). Then connections per second for short connections: h2load with as
# many clients as requests (-n C -c C: one request per connection), repeated.
# "Kestrel" in the list runs bench/KestrelBaseline (same routes) for comparison.
#   bench/transfer.sh [--dispatchers "Async ThreadPerConnection Poll Kestrel"] [--size BYTES] [--rounds 20] [--no-build]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DISPATCHERS="Async ThreadPerConnection Poll Kestrel"; SIZE=$((1024 * 1024 * 1024)); ROUNDS=20; BUILD=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --dispatchers) DISPATCHERS="$2"; shift ;;
    --size) SIZE="$2"; shift ;;
    --rounds) ROUNDS="$2"; shift ;;
    --no-build) BUILD=0 ;;
    -h|--help) sed -n "2,7p" "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
for tool in curl h2load python3; do command -v "$tool" >/dev/null || { echo "$tool is required (apt-get install curl nghttp2-client python3)" >&2; exit 1; }; done
if [ "$BUILD" = 1 ]; then
  dotnet build "$ROOT/samples/WebHost" -c Release -nologo -v quiet >/dev/null
  dotnet build "$ROOT/bench/KestrelBaseline" -c Release -nologo -v quiet >/dev/null
fi
DLL="$ROOT/samples/WebHost/bin/Release/net10.0/WebHost.dll"
KESTREL="$ROOT/bench/KestrelBaseline/bin/Release/net10.0/KestrelBaseline.dll"
CLK_TCK="$(getconf CLK_TCK)"
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
PID=""
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null; true; }
trap cleanup EXIT

echo "| dispatcher | mode | 1 GiB download MB/s | server CPU s/GiB | 1 GiB upload+echo MB/s (each way) | server CPU s/GiB (both ways) | short connections/s |"
echo "|---|---|---|---|---|---|---|"
for d in $DISPATCHERS; do
  if [ "$d" = Kestrel ]; then
    dotnet "$KESTREL" --h2c 7601 --h2 7602 >"${TMPDIR:-/tmp}/transfer-$d.log" 2>&1 &
  else
  dotnet "$DLL" --Logging:LogLevel:Default=Warning --Http2Lab:Endpoints:echo:Url=http://127.0.0.1:0 \
    --Http2Lab:Endpoints:h2c:Url=http://127.0.0.1:7601 --Http2Lab:Endpoints:h2c:Dispatcher="$d" \
    --Http2Lab:Endpoints:h2:Url=https://127.0.0.1:7602 --Http2Lab:Endpoints:h2:Dispatcher="$d" \
    --Http2Lab:Endpoints:h2c:MaxClients=256 --Http2Lab:Endpoints:h2:MaxClients=256 \
    --Http2Lab:Limits:MaxRequestBodySize= --Logging:LogLevel:Http2Lab=Debug >"${TMPDIR:-/tmp}/transfer-$d.log" 2>&1 &
  fi
  PID=$!
  for _ in $(seq 150); do curl -s --http2-prior-knowledge http://127.0.0.1:7601/ >/dev/null 2>&1 && break; sleep 0.2; done
  for mode in h2c tls; do
    if [ "$mode" = h2c ]; then base=http://127.0.0.1:7601; flags=(--http2-prior-knowledge); else base=https://127.0.0.1:7602; flags=(-k --http2); fi
    before=$(cpu_ticks "$PID")
    down=$(curl -sS "${flags[@]}" -o /dev/null -w '%{speed_download}' "$base/bytes/$SIZE")
    after=$(cpu_ticks "$PID")
    down_cpu=$(awk -v a="$before" -v b="$after" -v t="$CLK_TCK" -v s="$SIZE" 'BEGIN { printf "%.2f", (b - a) / t / (s / 1073741824) }')
    before=$(cpu_ticks "$PID")
    up=$(head -c "$SIZE" /dev/zero | curl -sS "${flags[@]}" -X POST -H 'content-type: application/octet-stream' -T - -o /dev/null -w '%{speed_download}' "$base/echo")
    after=$(cpu_ticks "$PID")
    up_cpu=$(awk -v a="$before" -v b="$after" -v t="$CLK_TCK" -v s="$SIZE" 'BEGIN { printf "%.2f", (b - a) / t / (s / 1073741824) }')
    start=$(date +%s.%N); failed=0
    for _ in $(seq "$ROUNDS"); do
      out=$(h2load -n 100 -c 100 -m 1 "$base/" 2>/dev/null | grep '^requests:' || true)
      echo "$out" | grep -q ' 100 succeeded' || failed=$((failed + 1))
    done
    end=$(date +%s.%N)
    cps=$(awk -v n="$ROUNDS" -v s="$start" -v e="$end" 'BEGIN { printf "%.0f", n * 100 / (e - s) }')
    [ "$failed" -gt 0 ] && cps="$cps ($failed rounds with failures)"
    printf '| %s | %s | %.0f | %s | %.0f | %s | %s |\n' "$d" "$mode" "$(awk -v v="$down" 'BEGIN{print v/1e6}')" "$down_cpu" \
      "$(awk -v v="$up" 'BEGIN{print v/1e6}')" "$up_cpu" "$cps"
  done
  kill "$PID"; wait "$PID" 2>/dev/null || true; PID=""
done
