#!/usr/bin/env bash
# Bulk transfer and short connections per dispatcher (issue 12): one 1 GiB download over one stream (GET /bytes/N),
# one 1 GiB upload to /echo (streamed back, so 1 GiB each way), h2c and TLS, with curl; MB/s and the server's CPU
# seconds per GiB moved (from /proc/PID/stat; MaxRequestBodySize lifted for the upload). Then connections per second for short connections: h2load with as
# many clients as requests (-n C -c C: one request per connection), repeated.
# "Kestrel" in the list runs bench/KestrelBaseline (same routes) for comparison; "h2o" (one worker thread) and
# "nghttpd" (one worker) serve the download as a static file of SIZE octets (sparse, so from the page cache) and GET /
# for the short connections; they have no echo, so their upload cells are "-". h2o and nghttpd need their Debian
# packages (h2o, nghttp2-server) and openssl for a throw-away certificate.
#   bench/transfer.sh [--dispatchers "Async ThreadPerConnection Poll Kestrel h2o nghttpd"] [--size BYTES] [--rounds 20] [--no-build]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DISPATCHERS="Async ThreadPerConnection Poll Kestrel"; SIZE=$((1024 * 1024 * 1024)); ROUNDS=20; BUILD=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --dispatchers) DISPATCHERS="$2"; shift ;;
    --size) SIZE="$2"; shift ;;
    --rounds) ROUNDS="$2"; shift ;;
    --no-build) BUILD=0 ;;
    -h|--help) sed -n "2,10p" "$0"; exit 0 ;;
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
cpu_ticks() { local p t=0; for p in "$@"; do t=$((t + $(awk '{ print $14 + $15 }' "/proc/$p/stat"))); done; echo "$t"; }
PID=""; PIDS=()
WORK="$(mktemp -d)"
cleanup() { [ ${#PIDS[@]} -gt 0 ] && kill "${PIDS[@]}" 2>/dev/null; rm -rf "$WORK"; true; }
trap cleanup EXIT
if [[ " $DISPATCHERS " == *" h2o "* || " $DISPATCHERS " == *" nghttpd "* ]]; then
  mkdir -p "$WORK/htdocs/bytes"
  printf 'Hello World\n' >"$WORK/htdocs/index.html"
  truncate -s "$SIZE" "$WORK/htdocs/bytes/$SIZE"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$WORK/key.pem" -out "$WORK/cert.pem" \
    -days 2 -subj "/CN=localhost" -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" >/dev/null 2>&1
  {
    echo "num-threads: 1"
    [ "$EUID" -eq 0 ] && echo "user: root"
    printf 'listen:\n  host: 127.0.0.1\n  port: 7601\nlisten:\n  host: 127.0.0.1\n  port: 7602\n  ssl:\n'
    printf '    certificate-file: %s\n    key-file: %s\n    ocsp-update-interval: 0\n' "$WORK/cert.pem" "$WORK/key.pem"
    printf 'hosts:\n  default:\n    paths:\n      /:\n        file.dir: %s\n' "$WORK/htdocs"
  } >"$WORK/h2o.conf"
fi

echo "| dispatcher | mode | 1 GiB download MB/s | server CPU s/GiB | 1 GiB upload+echo MB/s (each way) | server CPU s/GiB (both ways) | short connections/s |"
echo "|---|---|---|---|---|---|---|"
for d in $DISPATCHERS; do
  PIDS=()
  if [ "$d" = h2o ]; then
    h2o -c "$WORK/h2o.conf" >"${TMPDIR:-/tmp}/transfer-$d.log" 2>&1 &
  elif [ "$d" = nghttpd ]; then
    nghttpd -n 1 -a 127.0.0.1 --no-tls -d "$WORK/htdocs" 7601 >"${TMPDIR:-/tmp}/transfer-$d.log" 2>&1 &
    PIDS+=($!)
    nghttpd -n 1 -a 127.0.0.1 -d "$WORK/htdocs" 7602 "$WORK/key.pem" "$WORK/cert.pem" >>"${TMPDIR:-/tmp}/transfer-$d.log" 2>&1 &
  elif [ "$d" = Kestrel ]; then
    dotnet "$KESTREL" --h2c 7601 --h2 7602 >"${TMPDIR:-/tmp}/transfer-$d.log" 2>&1 &
  else
  dotnet "$DLL" --Logging:LogLevel:Default=Warning --Http2Lab:Endpoints:echo:Url=http://127.0.0.1:0 \
    --Http2Lab:Endpoints:h2c:Url=http://127.0.0.1:7601 --Http2Lab:Endpoints:h2c:Dispatcher="$d" \
    --Http2Lab:Endpoints:h2:Url=https://127.0.0.1:7602 --Http2Lab:Endpoints:h2:Dispatcher="$d" \
    --Http2Lab:Endpoints:h2c:MaxClients=256 --Http2Lab:Endpoints:h2:MaxClients=256 \
    --Http2Lab:Limits:MaxRequestBodySize= --Logging:LogLevel:Http2Lab=Debug >"${TMPDIR:-/tmp}/transfer-$d.log" 2>&1 &
  fi
  PID=$!; PIDS+=("$PID")
  for _ in $(seq 150); do curl -s --http2-prior-knowledge http://127.0.0.1:7601/ >/dev/null 2>&1 && break; sleep 0.2; done
  for mode in h2c tls; do
    if [ "$mode" = h2c ]; then base=http://127.0.0.1:7601; flags=(--http2-prior-knowledge); else base=https://127.0.0.1:7602; flags=(-k --http2); fi
    # nghttpd runs one process per mode: count the one serving this mode.
    MODE_PIDS=("${PIDS[@]}"); [ "$d" = nghttpd ] && { if [ "$mode" = h2c ]; then MODE_PIDS=("${PIDS[0]}"); else MODE_PIDS=("${PIDS[1]}"); fi; }
    before=$(cpu_ticks "${MODE_PIDS[@]}")
    down=$(curl -sS "${flags[@]}" -o /dev/null -w '%{speed_download}' "$base/bytes/$SIZE")
    after=$(cpu_ticks "${MODE_PIDS[@]}")
    down_cpu=$(awk -v a="$before" -v b="$after" -v t="$CLK_TCK" -v s="$SIZE" 'BEGIN { printf "%.2f", (b - a) / t / (s / 1073741824) }')
    if [ "$d" = h2o ] || [ "$d" = nghttpd ]; then
      up=-; up_cpu=-
    else
      before=$(cpu_ticks "${MODE_PIDS[@]}")
      up=$(head -c "$SIZE" /dev/zero | curl -sS "${flags[@]}" -X POST -H 'content-type: application/octet-stream' -T - -o /dev/null -w '%{speed_download}' "$base/echo")
      after=$(cpu_ticks "${MODE_PIDS[@]}")
      up_cpu=$(awk -v a="$before" -v b="$after" -v t="$CLK_TCK" -v s="$SIZE" 'BEGIN { printf "%.2f", (b - a) / t / (s / 1073741824) }')
      up=$(awk -v v="$up" 'BEGIN { printf "%.0f", v / 1e6 }')
    fi
    start=$(date +%s.%N); failed=0
    for _ in $(seq "$ROUNDS"); do
      out=$(h2load -n 100 -c 100 -m 1 "$base/" 2>/dev/null | grep '^requests:' || true)
      echo "$out" | grep -q ' 100 succeeded' || failed=$((failed + 1))
    done
    end=$(date +%s.%N)
    cps=$(awk -v n="$ROUNDS" -v s="$start" -v e="$end" 'BEGIN { printf "%.0f", n * 100 / (e - s) }')
    [ "$failed" -gt 0 ] && cps="$cps ($failed rounds with failures)"
    printf '| %s | %s | %.0f | %s | %s | %s | %s |\n' "$d" "$mode" "$(awk -v v="$down" 'BEGIN{print v/1e6}')" "$down_cpu" \
      "$up" "$up_cpu" "$cps"
  done
  kill "${PIDS[@]}"; wait "${PIDS[@]}" 2>/dev/null || true; PID=""; PIDS=()
done
