#!/usr/bin/env bash
# The poll loop's two TLS engines side by side (OpenSSL memory BIOs vs SslStream over memory buffers), with the Async
# dispatcher's TLS (SslStream middleware over pipes) for reference: the sample's GET /, h2load over TLS, interleaved
# rounds, median req/s per point. Then memory per idle TLS client: RSS growth with N established connections
# (handshake, preface, SETTINGS) / N.
#   bench/tls-engines.sh [--rounds 5] [--idle 1000] [--no-build]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROUNDS=5; IDLE=1000; BUILD=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) ROUNDS="$2"; shift ;;
    --idle) IDLE="$2"; shift ;;
    --no-build) BUILD=0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
[ "$BUILD" = 1 ] && dotnet build "$ROOT/samples/WebHost" -c Release -nologo -v quiet >/dev/null
DLL="$ROOT/samples/WebHost/bin/Release/net10.0/WebHost.dll"
declare -A PORT=([poll-openssl]=28443 [poll-sslstream]=28444 [async]=28445)
declare -A ARGS=(
  [poll-openssl]="--Http2Lab:Endpoints:h2:Dispatcher=Poll --Http2Lab:Endpoints:h2:TlsEngine=OpenSsl"
  [poll-sslstream]="--Http2Lab:Endpoints:h2:Dispatcher=Poll --Http2Lab:Endpoints:h2:TlsEngine=SslStream"
  [async]="--Http2Lab:Endpoints:h2:Dispatcher=Async")
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
for name in "${!PORT[@]}"; do
  # shellcheck disable=SC2086
  dotnet "$DLL" --Http2Lab:Endpoints:h2c:Url=http://127.0.0.1:0 --Http2Lab:Endpoints:echo:Url=http://127.0.0.1:0 \
    --Http2Lab:Endpoints:h2:Url=https://127.0.0.1:${PORT[$name]} --Http2Lab:Endpoints:h2:MaxClients=$((IDLE + 100)) \
    --Logging:LogLevel:Default=Warning ${ARGS[$name]} >/dev/null 2>&1 &
  PIDS+=($!); eval "PID_${name//-/_}=$!"
done
for name in "${!PORT[@]}"; do
  for _ in $(seq 100); do curl -sk --http2 "https://127.0.0.1:${PORT[$name]}/" >/dev/null 2>&1 && break; sleep 0.2; done
done

echo "## req/s, h2load over TLS (median of $ROUNDS interleaved rounds, -D 1 --warm-up-time 100ms -t 1)"
echo "| point | poll-openssl | poll-sslstream | async |"
echo "|---|---|---|---|"
for point in "-c 1 -m 1" "-c 1 -m 100" "-c 5 -m 50" "-c 10 -m 10"; do
  declare -A samples=()
  for round in $(seq "$ROUNDS"); do
    for name in poll-openssl poll-sslstream async; do
      # shellcheck disable=SC2086
      rps=$(h2load -D 1 --warm-up-time 100ms -t 1 $point "https://127.0.0.1:${PORT[$name]}/" 2>/dev/null | awk '/^finished in/ {gsub(",","",$4); print $4}')
      samples[$name]+="${rps:-0} "
    done
  done
  row="| $point |"
  for name in poll-openssl poll-sslstream async; do
    row+=" $(echo ${samples[$name]} | tr ' ' '\n' | sort -n | awk '{a[NR]=$1} END {print int(a[int((NR+1)/2)])}') |"
  done
  echo "$row"
  unset samples
done

echo
echo "## memory per idle TLS client ($IDLE connections past the handshake, preface and SETTINGS)"
echo "| server | RSS before (MiB) | RSS with $IDLE idle (MiB) | per connection (KiB) |"
echo "|---|---|---|---|"
for name in poll-openssl poll-sslstream async; do
  pid_var="PID_${name//-/_}"; pid="${!pid_var}"
  python3 - "$pid" "${PORT[$name]}" "$IDLE" "$name" <<'PY'
import socket, ssl, sys, time, gc
pid, port, n, name = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
def rss():
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"): return int(line.split()[1])
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
ctx.set_alpn_protocols(["h2"])
preface = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + b"\x00\x00\x00\x04\x00\x00\x00\x00\x00"
time.sleep(1); before = rss(); conns = []
for _ in range(n):
    s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port)), server_hostname="localhost")
    s.sendall(preface); conns.append(s)
for s in conns:
    s.settimeout(5); s.recv(4096)      # the server's SETTINGS: the connection is established
time.sleep(3); after = rss()
print(f"| {name} | {before/1024:.1f} | {after/1024:.1f} | {(after-before)/n:.1f} |")
for s in conns: s.close()
PY
done
